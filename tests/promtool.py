"""promtool (Debian's prometheus package) over the compiled configs, rules and their unit tests.

`python -m tests.promtool` runs every check for every environment of the shipped spec and of every
example; nox calls it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from compiler.kustomize.environment import build_environment
from compiler.plan.model import EnvPlan, Plan
from compiler.render.configs import prometheus_config, rule_files
from compiler.syntax.emit import dump
from tests.alert_cases import (
    across_the_open,
    calendar_ending,
    cases,
    session_test_file,
    split_by_session,
    test_file,
)
from tests.tools import ROOT, at_once, once_per_run, system_name, systems, tool

# The seed's hand-written tests, for the compiler's tests; each system's own for the session.
MONITORING_TESTS = ROOT / "tests" / "fixtures" / "seed" / "monitoring" / "tests"


def promtool(*args: str, cwd: Path | None = None) -> str:
    """Run promtool; raise with its output when it fails."""
    result = subprocess.run([tool("promtool"), *args], capture_output=True, text=True, check=False, cwd=cwd)
    if result.returncode != 0:
        raise AssertionError(f"promtool {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def alert_rules(texts: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Every alerting rule of some rule files, by alert name."""
    found: dict[str, dict[str, Any]] = {}
    for text in texts:
        for group in yaml.load(text, Loader=yaml.CSafeLoader)["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    found[rule["alert"]] = rule
    return found


def tested_alerts(test_docs: Iterable[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """The alerts that some test expects to fire, and those that some test expects to stay quiet."""
    firing: set[str] = set()
    quiet: set[str] = set()
    for doc in test_docs:
        for test in doc.get("tests", []):
            for check in test.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    return firing, quiet


def hand_written_tests(folder: Path = MONITORING_TESTS) -> list[Path]:
    """The promtool tests of monitoring/tests/, for the hand-authored rules."""
    return sorted(folder.glob("*.yaml"))


def env_rule_files(env: EnvPlan) -> tuple[tuple[str, str], ...]:
    """The rule files Prometheus reads in env: the tree's own, or where the cluster's Prometheus
    Operator evaluates them, each built PrometheusRule's groups (as the operator writes them out)."""
    if env.prometheus_operator is None:
        return rule_files(env)
    return tuple(
        (f"{o['metadata']['name']}.yaml", dump({"groups": o["spec"]["groups"]}))
        for o in build_environment(env)
        if o["kind"] == "PrometheusRule"
    )


def write_env(env: EnvPlan, folder: Path) -> tuple[Path | None, list[Path], Path]:
    """Write env's Prometheus config (if the tree has its own), rule files and generated unit tests."""
    folder.mkdir(parents=True, exist_ok=True)
    config = None
    if env.prometheus_operator is None:
        config = folder / "prometheus.yml"
        config.write_text(dump(prometheus_config(env)), encoding="utf-8")
    rules = []
    for name, text in env_rule_files(env):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        rules.append(path)
    annotations = {
        name: rule["annotations"] for name, rule in alert_rules(p.read_text() for p in rules).items()
    }
    tests = folder / "generated-tests.yaml"
    at_epoch, in_session = split_by_session(cases(env))
    document = test_file([p.name for p in rules], at_epoch, annotations)
    tests.write_text(dump(document), encoding="utf-8")
    if in_session:
        sessions = session_test_file([p.name for p in rules], in_session, annotations)
        (folder / "session-tests.yaml").write_text(dump(sessions), encoding="utf-8")
    # The market clock's own tests: across the open, and the calendar's expiry decades after the epoch.
    for name, extra in (
        ("across-the-open-tests.yaml", across_the_open(env, annotations)),
        ("calendar-tests.yaml", calendar_ending(env, annotations)),
    ):
        if extra is not None:
            (folder / name).write_text(
                dump({"rule_files": [p.name for p in rules], **extra}), encoding="utf-8"
            )
    return config, rules, tests


def check_files(config: Path | None, rules: list[Path]) -> None:
    """check config (where the tree has its own Prometheus) and check rules over what write_env wrote."""
    if config is not None:
        promtool("check", "config", str(config))
    promtool("check", "rules", *(str(p) for p in rules))


def unit_tests(folder: Path) -> list[Path]:
    """The promtool unit tests write_env wrote in folder: the generated ones first, then the clock's."""
    tests = folder / "generated-tests.yaml"
    return [tests, *sorted(p for p in folder.glob("*-tests.yaml") if p != tests)]


def run_unit_tests(folder: Path) -> str:
    """promtool test rules over the unit tests in folder, which name its rule files; its report."""
    return promtool("test", "rules", *(str(p) for p in unit_tests(folder)), cwd=folder)


def untested_alerts(folder: Path, rules: list[Path], tests_folder: Path = MONITORING_TESTS) -> list[str]:
    """The alerts of the rules in folder that lack a firing or a quiet test, generated or hand-written."""
    hand = hand_written_tests(tests_folder)
    docs = [yaml.load(p.read_text(), Loader=yaml.CSafeLoader) for p in (*unit_tests(folder), *hand)]
    firing, quiet = tested_alerts(docs)
    names = alert_rules(p.read_text() for p in rules)
    return sorted(name for name in names if name not in firing or name not in quiet)


def unit_test_inputs(folder: Path, rules: list[Path]) -> str:
    """A digest of all that promtool test rules reads in folder: the unit tests and the rule files."""
    digest = hashlib.sha256()
    for path in (*unit_tests(folder), *rules):
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def check_plan(plan: Plan, workdir: Path, tests_folder: Path = MONITORING_TESTS) -> dict[str, list[str]]:
    """Run every promtool check for every environment; the untested alerts of each.

    The unit tests are most of promtool's time. Environments whose rules and tests come out the same
    byte for byte (an overlay that changes no bound an alert watches) get the same verdict from
    promtool test rules, so it runs once for each distinct set, in the first such environment's folder.
    """
    hand = hand_written_tests(tests_folder)
    if hand:
        promtool("test", "rules", *(str(p) for p in hand), cwd=tests_folder)
    envs = (plan.base, *plan.environments)
    written = {env.name: write_env(env, workdir / env.name) for env in envs}
    distinct: dict[str, str] = {}
    for env in envs:
        distinct.setdefault(unit_test_inputs(workdir / env.name, written[env.name][1]), env.name)
    tested = {name: digest for digest, name in distinct.items()}

    def check(env: EnvPlan) -> None:
        config, rules, _ = written[env.name]
        check_files(config, rules)
        if env.name in tested:
            once_per_run(f"promtool-{tested[env.name]}", lambda: run_unit_tests(workdir / env.name))

    at_once(check, envs)
    return {env.name: untested_alerts(workdir / env.name, written[env.name][1], tests_folder) for env in envs}


def check_system(folder: Path) -> tuple[list[str], list[str]]:
    """Every promtool check of one system: what passed and what failed, as lines to print."""
    from compiler.pipeline import load_plan

    plan = load_plan(folder / "spec" / "system.yaml", folder / "monitoring")
    shown = system_name(folder)
    operated = {env.name for env in plan.environments if env.prometheus_operator is not None}
    with tempfile.TemporaryDirectory() as workdir:
        try:
            untested = check_plan(plan, Path(workdir), folder / "monitoring" / "tests")
        except AssertionError as failure:
            return [], [f"{shown}: {failure}"]
    passed, failed = [], []
    for env, names in untested.items():
        if names:
            failed.append(
                f"{shown} {env}: alerts without a firing and a quiet promtool test: {', '.join(names)}"
            )
        else:
            checked = "PrometheusRules" if env in operated else "prometheus config, rules"
            passed.append(f"{shown} {env}: {checked} and every alert's tests pass promtool")
    return passed, failed


def main() -> int:
    """Check the Prometheus config, rules and alert tests of the shipped spec and every example, at once."""
    failed = False
    for passed, problems in at_once(check_system, systems()):
        for line in passed:
            print(line)
        for problem in problems:
            print(problem, file=sys.stderr)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
