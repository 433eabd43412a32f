"""A spec in several files: positions name the right file, and the drift check and record cover them all."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from compiler.diagnostics import SpecError
from compiler.pipeline import load_plan
from compiler.spec.include import read_system
from compiler.spec.validate import validate
from compiler.syntax.emit import dump
from tests.conftest import MONITORING, edit, git
from tests.strategies import specs
from tests.test_stamp import nifty

BASE = (Path(__file__).parent / "invalid" / "base.yaml").read_text(encoding="utf-8")
STORAGE = """  - number: 3
    name: storage
    components:
      - name: redis
        image: redis
        tag: "7.2.5"
        port: 6379
        probe: tcp
        storage: {size: 5Gi, path: /data}

"""
STORAGE_FILE = (
    "layers:\n" + STORAGE + "environments:\n  dev:\n    components:\n      redis: {storage: {size: 1Gi}}\n"
)


def _split(folder: Path, storage: str = STORAGE_FILE, include: str = "[layers/storage.yaml]") -> Path:
    """The corpus's base spec with its storage layer (and dev's change to it) in a file of its own."""
    assert BASE.count(STORAGE) == 1
    spec = folder / "spec" / "system.yaml"
    (folder / "spec" / "layers").mkdir(parents=True)
    spec.write_text(BASE.replace(STORAGE, "").replace("layers:\n", f"include: {include}\n\nlayers:\n", 1))
    (folder / "spec" / "layers" / "storage.yaml").write_text(storage)
    return spec


def _diagnostics(spec: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        validate(read_system(spec, "spec/system.yaml"))
    return [d.text() for d in caught.value.diagnostics]


def test_included_layers_and_environment_changes_join_the_spec(tmp_path: Path) -> None:
    spec = _split(tmp_path)
    plan = load_plan(spec, tmp_path / "monitoring")
    names = [w.name for layer in plan.base.layers for w in layer.workloads]
    assert names == ["feed-handler", "redis", "indicator-engine"]
    (dev,) = plan.environments
    redis = next(w for layer in dev.layers for w in layer.workloads if w.name == "redis")
    assert redis.volume is not None and redis.volume.size == "1Gi"
    # The same objects as with everything in one file.
    whole = tmp_path / "whole.yaml"
    whole.write_text(
        BASE.replace(
            "        autoscaling: {min: 1, max: 4}\n",
            "        autoscaling: {min: 1, max: 4}\n      redis: {storage: {size: 1Gi}}\n",
        )
    )
    one = load_plan(whole, tmp_path / "monitoring")
    assert (one.base, one.environments) == (plan.base, plan.environments)


def test_a_diagnostic_names_the_included_file_line_and_column(tmp_path: Path) -> None:
    spec = _split(tmp_path, STORAGE_FILE.replace("port: 6379", "port: 99999").replace("1Gi", "1G"))
    assert _diagnostics(spec) == [
        "spec/layers/storage.yaml:8:15: error: layer 3 'storage', component 'redis', port:"
        " the number 99999 is above the maximum of 65535 [N005]",
        "spec/layers/storage.yaml:15:31: error: environment 'dev', component 'redis', storage.size:"
        " '1G' is not a size such as 512Mi or 2Gi (Ki, Mi, Gi or Ti) [N005]",
    ]


def test_a_rule_across_files_points_at_the_included_file(tmp_path: Path) -> None:
    spec = _split(tmp_path, STORAGE_FILE.replace("redis: {storage", "redis: {autoscaling: {min: 2}, storage"))
    (only,) = _diagnostics(spec)
    assert only.startswith("spec/layers/storage.yaml:15:15: error: environment 'dev', component 'redis'")


def test_a_value_set_in_two_files_names_both(tmp_path: Path) -> None:
    spec = _split(
        tmp_path, STORAGE_FILE + "system: {name: other, namespace: other, registry: r.example/x, tag: '1'}\n"
    )
    (only,) = _diagnostics(spec)
    assert only == (
        "spec/layers/storage.yaml:16:1: error: 'system' is already set in spec/system.yaml (line 3);"
        " set it in one file [N002]"
    )


def test_includes_cannot_cycle_or_repeat(tmp_path: Path) -> None:
    spec = _split(tmp_path, "include: [../system.yaml]\n" + STORAGE_FILE)
    assert _diagnostics(spec) == [
        "spec/layers/storage.yaml:1:11: error: include[0]: includes a file that includes it again"
        " (spec/system.yaml -> spec/layers/storage.yaml -> spec/system.yaml) [N002]"
    ]
    twice = _split(tmp_path / "twice", include="[layers/storage.yaml, layers/../layers/storage.yaml]")
    (only,) = _diagnostics(twice)
    assert "include[1]: 'spec/layers/storage.yaml' is already included" in only


def test_an_include_is_relative_to_the_including_file(tmp_path: Path) -> None:
    spec = _split(tmp_path, "include: [redis.yaml]\n")
    (tmp_path / "spec" / "layers" / "redis.yaml").write_text(STORAGE_FILE)
    assert len(load_plan(spec, tmp_path / "monitoring").base.layers) == 3


def test_the_drift_check_and_the_record_cover_included_files(tmp_path: Path) -> None:
    _split(tmp_path)
    shutil.copytree(MONITORING, tmp_path / "monitoring")
    assert nifty(tmp_path, "compile").returncode == 0
    assert "out/ is up to date" in nifty(tmp_path, "compile", "--check").stderr
    included = tmp_path / "spec" / "layers" / "storage.yaml"
    included.write_text(included.read_text().replace("size: 1Gi", "size: 2Gi"))
    result = nifty(tmp_path, "compile", "--check")
    assert result.returncode == 1
    assert "would change: out/overlays/dev/patches/statefulset-redis.yaml" in result.stderr
    assert nifty(tmp_path, "compile").returncode == 0
    assert "2Gi" in (tmp_path / "out/overlays/dev/patches/statefulset-redis.yaml").read_text()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_a_spec_split_into_a_file_per_layer_plans_the_same(spec: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        whole = root / "whole.yaml"
        whole.write_text(dump(spec), encoding="utf-8")
        (root / "spec" / "layers").mkdir(parents=True)
        names = []
        for layer in spec["layers"]:
            name = f"layers/{layer['name']}.yaml"
            (root / "spec" / name).write_text(dump({"layers": [layer]}), encoding="utf-8")
            names.append(name)
        split = {key: value for key, value in spec.items() if key != "layers"}
        split["include"] = names
        (root / "spec" / "system.yaml").write_text(dump(split), encoding="utf-8")
        one, several = (
            load_plan(whole, root / "monitoring"),
            load_plan(root / "spec" / "system.yaml", root / "m"),
        )
    assert (several.base, several.environments) == (one.base, one.environments)


def test_nifty_diff_names_a_change_made_in_an_included_file(tmp_path: Path) -> None:
    example = Path(__file__).parent.parent / "examples" / "options"
    for folder in ("spec", "out"):
        shutil.copytree(example / folder, tmp_path / folder)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "start")):
        git(tmp_path, *args)
    layer = tmp_path / "spec" / "layers" / "access.yaml"
    edit(layer, "autoscaling: {min: 2, max: 8, cpu: 70}", "autoscaling: {min: 2, max: 9, cpu: 70}")
    result = nifty(tmp_path, "diff")
    assert result.returncode == 1, result.stderr
    # dev sets its own bounds for the API: the change reaches staging and prod.
    assert result.stdout.splitlines()[:2] == [
        "spec/system.yaml:",
        "  prod, staging: component api autoscaling.max 8 → 9",
    ]
