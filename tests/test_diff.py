"""`nifty diff`: per environment, object by object, field by field, against a git revision."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.output.write import read_tree
from compiler.pipeline import compile_spec
from compiler.review.access import grants
from compiler.review.objdiff import (
    MISSING,
    FieldChange,
    ObjectChange,
    TreeDiff,
    diff_objects,
    diff_trees,
    diff_values,
)
from compiler.review.report import explain, report_markdown, report_text, summary
from compiler.review.revision import RevisionError, read_revision
from compiler.review.specdiff import diff_specs
from compiler.spec.load import read_spec
from tests.conftest import ROOT, SPEC, edit, git
from tests.tools import tool

HPA_LINE = "{env}: HorizontalPodAutoscaler api spec.maxReplicas 5 → 6"


def _nifty(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("nifty"), *args], cwd=repo, capture_output=True, text=True, check=False)


def _snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


def test_nothing_changes_exit_0(repo: Path) -> None:
    result = _nifty(repo, "diff")
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert "no changes against HEAD" in result.stderr


def test_spec_edit_names_each_changed_field_and_writes_nothing(repo: Path) -> None:
    spec = repo / "spec" / "system.yaml"
    edit(spec, "autoscaling: {min: 2, max: 5, cpu: 70}", "autoscaling: {min: 2, max: 6, cpu: 70}")
    before = _snapshot(repo)
    result = _nifty(repo, "diff")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    # dev sets its own bounds for api, so only prod changes: what the author wrote
    # first, then the HPA, the alert that watches it at its maximum, and Prometheus, which mounts
    # the rules; the base is the shared layer, folded into the environment it reaches.
    assert [line for line in lines if not line.startswith("      ")] == [
        "spec/system.yaml:",
        "  prod: component api autoscaling.max 5 → 6",
        "objects:",
        "  " + HPA_LINE.format(env="prod"),
        "generated configs:",
        '  prod: ConfigMap prometheus-rules data["generated.yaml"] changed:',
        "workloads that roll:",
        "  prod: StatefulSet prometheus restarts: prometheus-rules changed",
        "files outside the builds:",
        "  out/README.md",
    ]
    assert len([line for line in lines if line.startswith("      +") and "} >= 6" in line]) == 1
    summary = "1 change to the spec; 3 objects change in prod; 1 file outside the builds changes against HEAD"
    assert result.stderr.splitlines() == [summary]
    markdown = _nifty(repo, "diff", "--format", "markdown")
    assert markdown.returncode == 1
    headings = [line for line in markdown.stdout.splitlines() if line.startswith("#")]
    assert headings == [
        "### nifty diff against `HEAD`",
        "#### Spec `spec/system.yaml`",
        "#### Objects",
        "#### Generated configs",
        "#### Workloads that roll",
        "#### Files outside the builds",
    ]
    assert f"\n{summary}.\n" in markdown.stdout
    assert "| prod | component api | `autoscaling.max` | `5` | `6` |" in markdown.stdout
    assert "| prod | HorizontalPodAutoscaler `api` | `spec.maxReplicas` | `5` | `6` |" in markdown.stdout
    assert "- prod: StatefulSet `prometheus` restarts: prometheus-rules changed" in markdown.stdout
    assert _snapshot(repo) == before
    assert git(repo, "status", "--porcelain").splitlines() == [" M spec/system.yaml"]


def test_a_change_every_environment_takes_is_listed_once_for_all(repo: Path) -> None:
    # api's target CPU: dev overrides api's bounds but not its target, so dev and prod both change.
    edit(
        repo / "spec" / "system.yaml",
        "autoscaling: {min: 2, max: 5, cpu: 70}",
        "autoscaling: {min: 2, max: 5, cpu: 75}",
    )
    result = _nifty(repo, "diff")
    lines = result.stdout.splitlines()
    assert lines[:2] == ["spec/system.yaml:", "  dev, prod: component api autoscaling.cpu 70 → 75"]
    hpa = [line for line in lines if "HorizontalPodAutoscaler" in line]
    assert hpa == [
        "  dev, prod: HorizontalPodAutoscaler api "
        "spec.metrics[cpu].resource.target.averageUtilization 70 → 75"
    ]
    assert not [line for line in lines if line.startswith(("  base", "  dev:", "  prod:"))]
    assert " in dev, prod;" in result.stderr or " in dev and prod;" in result.stderr


def test_market_calendar_changes_read_in_its_own_words(repo: Path) -> None:
    spec = repo / "spec" / "system.yaml"
    edit(spec, '{name: normal, start: "09:15", end: "15:30"}', '{name: normal, start: "09:15", end: "15:45"}')
    edit(spec, '    - {date: "2026-03-03", name: Holi}\n', "")
    edit(spec, '{date: "2026-12-25", name: Christmas}', '{date: "2026-12-25", name: Christmas Day}')
    edit(
        spec,
        'name: Muhurat trading, start: "13:45", end: "14:45"',
        'name: Muhurat trading, start: "18:15", end: "19:15"',
    )
    edit(
        spec,
        '{date: "2026-05-01", name: Maharashtra Day}',
        '{date: "2026-05-01", name: Maharashtra Day, closed: [closing]}',
    )
    git(repo, "commit", "-q", "-am", "calendar edited")
    spec.write_text(git(repo, "show", "HEAD~1:spec/system.yaml"), encoding="utf-8")
    result = _nifty(repo, "diff", "--against", "HEAD")
    market = [line for line in result.stdout.splitlines() if line.startswith("  market:")]
    assert market == [
        "  market: session normal 09:15–15:45 → 09:15–15:30",  # noqa: RUF001 (the en dash of a time range)
        "  market: holiday 2026-03-03 Holi added",
        "  market: holiday 2026-05-01 Maharashtra Day (closed: closing) → all day",
        "  market: holiday 2026-12-25 Christmas Day → Christmas",
        "  market: special session 2026-11-08 Muhurat trading 18:15–19:15 → 13:45–14:45",  # noqa: RUF001
    ]


def test_only_the_shared_base_changing_is_named_as_such() -> None:
    fields = (FieldChange("spec.maxReplicas", 20, 24),)
    only_base = TreeDiff(
        (ObjectChange("base", "HorizontalPodAutoscaler", "x", "ns", "changed", fields),), (), ("base", "prod")
    )
    report = explain(only_base, "HEAD")
    assert report_text(report, "out").splitlines() == [
        "objects:",
        "  base (shared): HorizontalPodAutoscaler x spec.maxReplicas 20 → 24",
    ]
    assert summary(report) == "1 object changes in the shared base against HEAD"
    both = TreeDiff(
        (*only_base.objects, ObjectChange("prod", "HorizontalPodAutoscaler", "x", "p", "changed", fields)),
        (),
        ("base", "prod"),
    )
    assert report_text(explain(both, "HEAD"), "out").splitlines()[1] == (
        "  prod: HorizontalPodAutoscaler x spec.maxReplicas 20 → 24"
    )


def test_config_change_reads_as_data_change(repo: Path) -> None:
    edit(repo / "monitoring" / "alerts" / "platform.yaml", "for: 10m", "for: 12m")
    result = _nifty(repo, "diff")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert '  dev, prod: ConfigMap prometheus-rules data["platform.yaml"] changed:' in lines
    assert "      +        for: 12m" in lines
    assert "  dev, prod: StatefulSet prometheus restarts: prometheus-rules changed" in lines
    assert not [line for line in lines if "added" in line or "removed" in line]


def test_against_an_older_revision(repo: Path) -> None:
    edit(
        repo / "spec" / "system.yaml",
        "autoscaling: {min: 2, max: 5, cpu: 70}",
        "autoscaling: {min: 2, max: 6, cpu: 70}",
    )
    assert _nifty(repo, "compile").returncode == 0
    git(repo, "commit", "-q", "-am", "raise the ceiling")
    assert _nifty(repo, "diff").returncode == 0
    result = _nifty(repo, "diff", "--against", "HEAD~1")
    assert result.returncode == 1
    assert "  " + HPA_LINE.format(env="prod") in result.stdout.splitlines()


def test_removed_environment_and_unknown_revision(repo: Path) -> None:
    result = _nifty(repo, "diff", "--against", "no-such-branch")
    assert result.returncode == 2
    assert "unknown revision 'no-such-branch'" in result.stderr
    spec = repo / "spec" / "system.yaml"
    text = spec.read_text(encoding="utf-8")
    head, _, _ = text.partition("\n  prod:\n")
    spec.write_text(head + "\n", encoding="utf-8")
    result = _nifty(repo, "diff")
    assert result.returncode == 1, result.stderr
    removed = [line for line in result.stdout.splitlines() if line.startswith("  prod: ")]
    assert removed and all(line.endswith(" removed") for line in removed)
    assert "  prod: HorizontalPodAutoscaler api removed" in removed
    assert "  prod: environment removed" in removed


def test_read_revision_matches_the_committed_tree(repo: Path) -> None:
    assert read_revision(repo / "out", "HEAD") == read_tree(repo / "out")
    with pytest.raises(RevisionError):
        read_revision(repo / "out", "--output=x")


def test_diff_of_a_tree_with_itself_is_empty(shipped_tree: dict[str, str]) -> None:
    diff = diff_trees(shipped_tree, shipped_tree)
    assert diff.empty
    assert report_text(explain(diff, "HEAD"), "out") == ""
    assert "No changes" in report_markdown(explain(diff, "HEAD"), "out")


def test_a_tree_against_nothing_adds_every_object(shipped_tree: dict[str, str]) -> None:
    diff = diff_trees({}, shipped_tree)
    assert {c.change for c in diff.objects} == {"added"}
    assert {c.environment for c in diff.objects} == {"base", "dev", "prod", "argocd"}


def test_named_lists_are_matched_by_name() -> None:
    old = {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]}
    new = {"containers": [{"name": "b", "image": "y:2"}, {"name": "a", "image": "x:1"}]}
    assert list(diff_values(old, new)) == [FieldChange("containers[b].image", "y:1", "y:2")]
    reordered = {"containers": [old["containers"][1], old["containers"][0]]}
    assert list(diff_values(old, reordered)) == [FieldChange("containers (order)", ["a", "b"], ["b", "a"])]
    assert list(diff_values({"data": {"a.yml": "1"}}, {"data": {}})) == [
        FieldChange('data["a.yml"]', "1", MISSING)
    ]


JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b", "1", "x\ny"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "a", "b.c"]), inner, max_size=3)
    ),
    max_leaves=12,
)


def _canonical(value: Any) -> str:
    return "(absent)" if value is MISSING else json.dumps(value, sort_keys=True)


@settings(max_examples=200, deadline=None)
@given(old=JSON, new=JSON)
def test_diff_is_empty_exactly_when_values_are_equal(old: Any, new: Any) -> None:
    changes = list(diff_values(old, new))
    assert (not changes) == (_canonical(old) == _canonical(new))
    # Diffing the other way round names the same fields with old and new swapped.
    backwards = {(c.path, _canonical(c.new), _canonical(c.old)) for c in diff_values(new, old)}
    assert backwards == {(c.path, _canonical(c.old), _canonical(c.new)) for c in changes}


def test_markdown_report_fits_a_pull_request_comment() -> None:
    many = tuple(
        ObjectChange(
            "prod",
            "ConfigMap",
            f"config-{n}",
            "nifty50-prod",
            "changed",
            (FieldChange('data["big.yaml"]', "a: 1\n" * 200, "a: 2\n" * 200),),
        )
        for n in range(40)
    )
    report = report_markdown(explain(TreeDiff(many, ()), "HEAD"), "out")
    assert len(report) <= 65536
    assert report.count("```") % 2 == 0
    assert report.endswith("run `nifty diff` for all of it.*\n")
    assert "config-0" in report


def _spec_data() -> dict[str, Any]:
    return copy.deepcopy(read_spec(SPEC).data)


def test_spec_changes_name_their_place_and_the_environments_they_reach() -> None:
    old, new = _spec_data(), _spec_data()
    new["defaults"]["resources"]["cpu"] = "300m"
    (processing,) = [layer for layer in new["layers"] if layer["name"] == "processing"]
    processing["hot_path"] = False
    new["environments"]["dev"]["components"]["api"]["host"] = "api.test.nifty50.example.com"
    new["environments"]["qa"] = {"namespace": "nifty50-qa"}
    del new["environments"]["prod"]["components"]["timescaledb"]
    changes = [(c.where, c.subject, c.field, c.old, c.new) for c in diff_specs(old, new)]
    assert changes == [
        (
            ("dev",),
            "component api",
            "ingress.host",
            "api.dev.nifty50.example.com",
            "api.test.nifty50.example.com",
        ),
        (("prod",), "component timescaledb", "resources.cpu", "2", "1"),
        (("prod",), "component timescaledb", "resources.memory", "4Gi", "2Gi"),
        (("qa",), "environment", "", MISSING, True),
        (("layers",), "layer processing", "hot_path", True, False),
        (("defaults",), "", "resources.cpu", "250m", "300m"),
    ]


def test_a_spec_missing_at_the_revision_is_said_and_the_objects_still_compared(repo: Path) -> None:
    spec = repo / "spec" / "system.yaml"
    text = spec.read_text(encoding="utf-8")
    git(repo, "rm", "-q", "spec/system.yaml")
    git(repo, "commit", "-q", "-m", "spec moved away")
    spec.parent.mkdir(exist_ok=True)
    spec.write_text(text.replace("min: 2, max: 5, cpu: 70", "min: 2, max: 6, cpu: 70"), encoding="utf-8")
    result = _nifty(repo, "diff")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "spec/system.yaml: not at HEAD; its changes are not listed"
    assert "  " + HPA_LINE.format(env="prod") in lines


def test_an_invalid_spec_is_an_error_not_a_change(repo: Path) -> None:
    # kubectl diff's convention: 0 no changes, 1 changes, >1 an error.
    edit(repo / "spec" / "system.yaml", "min: 2, max: 5, cpu: 70", "min: 9, max: 5, cpu: 70")
    result = _nifty(repo, "diff")
    assert result.returncode == 2, result.stderr
    assert "autoscaling min (9) is above max (5)" in result.stderr
    assert result.stdout == ""


def test_network_access_reads_in_words_per_peer_and_port(repo: Path) -> None:
    # market-aggregator may now reach timescaledb: both policies gain a grant, and nothing else changes.
    edit(repo / "spec" / "system.yaml", "talks_to: [redis, signal-generator]", "talks_to: [timescaledb]")
    result = _nifty(repo, "diff")
    assert result.returncode == 1, result.stderr
    policies = [line for line in result.stdout.splitlines() if "NetworkPolicy" in line]
    assert policies == [
        "  dev, prod: NetworkPolicy market-aggregator: egress to redis on 6379/TCP removed",
        "  dev, prod: NetworkPolicy market-aggregator: egress to signal-generator on 8080/TCP removed",
        "  dev, prod: NetworkPolicy market-aggregator: egress to timescaledb on 5432/TCP added",
        "  dev, prod: NetworkPolicy redis: ingress from market-aggregator on 6379/TCP removed",
        "  dev, prod: NetworkPolicy signal-generator: ingress from market-aggregator on 8080/TCP removed",
        "  dev, prod: NetworkPolicy timescaledb: ingress from market-aggregator on 5432/TCP added",
    ]
    markdown = _nifty(repo, "diff", "--format", "markdown").stdout
    grant = "ingress from market-aggregator on 5432/TCP"
    row = f"| dev, prod | NetworkPolicy `timescaledb` | {grant} |  | *added* |"
    assert row in markdown


def test_policy_grants_name_selectors_blocks_and_ports() -> None:
    policy = {
        "kind": "NetworkPolicy",
        "spec": {
            "podSelector": {},
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                            },
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"protocol": "UDP", "port": 53}],
                },
                {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]},
                {"ports": [{"protocol": "TCP", "port": 8000, "endPort": 8010}]},
            ],
        },
    }
    assert [g.text() for g in grants(policy)] == [
        "egress to pods k8s-app=kube-dns in namespace kube-system on 53/UDP",
        "egress to 10.0.0.0/8 except 10.1.0.0/16 on any port",
        "egress to anywhere on 8000-8010/TCP",
    ]


def test_keda_triggers_are_named_not_numbered(repo: Path) -> None:
    edit(repo / "spec" / "system.yaml", "prescale: {floor: 10,", "prescale: {floor: 12,")
    lines = _nifty(repo, "diff").stdout.splitlines()
    scaled = [line for line in lines if "ScaledObject" in line]
    first = "spec.triggers[trading-days].metadata.desiredReplicas"
    assert scaled[0] == f'  prod: ScaledObject indicator-engine {first} "10" → "12"'

    assert scaled and not [line for line in scaled if re.search(r"\[\d+\]", line)]
    old = {"triggers": [{"type": "cpu", "metadata": {"value": "60"}}, {"type": "cron", "name": "a"}]}
    new = {"triggers": [{"type": "cpu", "metadata": {"value": "70"}}]}
    assert list(diff_values(old, new)) == [
        FieldChange("triggers[cpu].metadata.value", "60", "70"),
        FieldChange("triggers[a]", {"type": "cron", "name": "a"}, MISSING),
    ]


def test_the_report_as_data(repo: Path) -> None:
    same = _nifty(repo, "diff", "--format", "json")
    assert same.returncode == 0
    assert json.loads(same.stdout)["changed"] is False
    edit(
        repo / "spec" / "system.yaml",
        "autoscaling: {min: 2, max: 5, cpu: 70}",
        "autoscaling: {min: 2, max: 6, cpu: 70}",
    )
    edit(repo / "spec" / "system.yaml", "talks_to: [redis, signal-generator]", "talks_to: [redis]")
    result = _nifty(repo, "diff", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["changed"] is True and report["against"] == "HEAD"
    market, api = report["spec_changes"]
    assert api == {
        "where": ["prod"],
        "subject": "component api",
        "field": "autoscaling.max",
        "old": 5,
        "new": 6,
    }
    assert market["old"] == ["redis", "signal-generator"] and market["new"] == ["redis"]
    hpa = {
        "where": ["prod"],
        "kind": "HorizontalPodAutoscaler",
        "name": "api",
        "field": "spec.maxReplicas",
        "old": 5,
        "new": 6,
    }
    assert hpa in report["objects"]
    grant = {
        "where": ["dev", "prod"],
        "kind": "NetworkPolicy",
        "name": "signal-generator",
        "access": "ingress from market-aggregator on 8080/TCP",
        "note": "removed",
    }
    assert grant in report["objects"]
    assert report["files"] == ["out/README.md"]
    assert report["summary"] == result.stderr.strip()


def test_outside_a_repository_says_so_in_its_own_words(tmp_path: Path) -> None:
    for folder in ("spec", "monitoring", "out"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    result = _nifty(tmp_path, "diff")
    assert result.returncode == 2
    assert result.stderr.startswith("error: out/ is not inside a git repository;"), result.stderr
    assert "fatal" not in result.stderr


def test_a_plain_diff_runs_without_typer(repo: Path) -> None:
    # CI runs `nifty diff --against REV --format markdown`: the entry point parses it itself.
    command = [sys.executable, "-X", "importtime", "-m", "compiler", "diff", "--format", "json"]
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["changed"] is False
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "typer" not in imported and "ruamel.yaml" not in imported
    # Anything else, such as a bad choice, goes through typer and its words.
    bad = _nifty(repo, "diff", "--format", "xml")
    assert bad.returncode == 2 and "'xml' is not one of: text, markdown, json" in bad.stderr


def test_the_same_hunk_at_other_lines_is_listed_once() -> None:
    def rules(environment: str, before: str) -> ObjectChange:
        field = FieldChange('data["generated.yaml"]', f"{before}a\nb\nX\n", f"{before}a\nb\nY\n")
        return ObjectChange(environment, "ConfigMap", "prometheus-rules", environment, "changed", (field,))

    # prod's file holds more rules above the changed one: the hunk stands lower there.
    diff = TreeDiff((rules("dev", ""), rules("prod", "z\nz\nz\n")), (), ("base", "dev", "prod"))
    assert report_text(explain(diff, "HEAD"), "out").splitlines() == [
        "generated configs:",
        '  dev, prod: ConfigMap prometheus-rules data["generated.yaml"] changed:',
        "      @@",
        "       b",
        "      -X",
        "      +Y",
    ]


def test_stat_gives_the_report_in_brief(repo: Path) -> None:
    spec = repo / "spec" / "system.yaml"
    edit(spec, "autoscaling: {min: 2, max: 5, cpu: 70}", "autoscaling: {min: 2, max: 6, cpu: 70}")
    edit(spec, "talks_to: [redis, signal-generator]", "talks_to: [redis]")
    result = _nifty(repo, "diff", "--stat")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "spec/system.yaml: 2 changes",
        "  dev, prod: NetworkPolicy market-aggregator: 1 grant",
        "  dev, prod: NetworkPolicy signal-generator: 1 grant",
        "  prod: HorizontalPodAutoscaler api: 1 field",
        "  prod: ConfigMap prometheus-rules: 1 field",
        "  prod: StatefulSet prometheus: restarts",
        "  out/README.md",
    ]
    assert result.stderr == _nifty(repo, "diff").stderr


def test_builds_from_the_renders_equal_builds_from_the_text(repo: Path) -> None:
    spec = repo / "spec" / "system.yaml"
    edit(spec, "autoscaling: {min: 2, max: 5, cpu: 70}", "autoscaling: {min: 2, max: 6, cpu: 70}")
    builds: dict[str, Any] = {}
    tree = compile_spec(spec, repo / "monitoring", None, builds)
    assert set(builds) == {"base", "dev", "prod"}
    committed = read_revision(repo / "out", "HEAD")
    assert diff_trees(committed, tree, builds) == diff_trees(committed, tree)


@pytest.mark.parametrize(("old", "new"), [(1, True), (1, 1.0), (0, False), ("1", 1)])
def test_equal_but_differently_typed_values_are_a_change(old: Any, new: Any) -> None:
    def hpa(value: Any) -> dict[str, Any]:
        return {
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "api"},
            "spec": {"minReplicas": value},
        }

    (change,) = diff_objects("prod", [hpa(old)], [hpa(new)])
    assert change.fields == (FieldChange("spec.minReplicas", old, new),)
    assert diff_objects("prod", [hpa(old)], [hpa(old)]) == []


def test_an_override_is_named_by_the_components_own_path_and_lists_stay_lists() -> None:
    old, new = _spec_data(), _spec_data()
    overrides = new["environments"]["dev"]["components"]
    overrides["api"]["tls_secret"] = "api-dev-tls"
    overrides["timescaledb"]["writable"] = {"/tmp": "256Mi"}
    (storage,) = [layer for layer in new["layers"] if layer["name"] == "storage"]
    (database,) = [c for c in storage["components"] if c["name"] == "timescaledb"]
    renamed = database["secrets"][0]["secret"]
    overrides["timescaledb"]["secrets"] = {renamed: f"{renamed}-dev"}
    changes = {(c.subject, c.field): (c.where, c.old, c.new) for c in diff_specs(old, new)}
    assert changes[("component api", "ingress.tls_secret")] == (("dev",), "api-tls", "api-dev-tls")
    assert changes[("component timescaledb", "writable[0]")] == (
        ("dev",),
        "/tmp",
        {"path": "/tmp", "size": "256Mi"},
    )
    assert changes[("component timescaledb", "secrets[0].secret")] == (("dev",), renamed, f"{renamed}-dev")
    assert not [field for _, field in changes if field in ("tls_secret", "writable", "secrets")]
