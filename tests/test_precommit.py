"""The pre-commit hook runs the drift check: exit 0 on a current out/, 1 naming stale files."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT
from tests.tools import tool

# Keys pre-commit's manifest schema knows; id, name, entry and language are required.
HOOK_KEYS = {
    "id", "name", "entry", "language", "files", "exclude", "types", "types_or", "exclude_types",
    "always_run", "fail_fast", "verbose", "pass_filenames", "require_serial", "description",
    "language_version", "minimum_pre_commit_version", "args", "stages", "additional_dependencies",
}  # fmt: skip


def _hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "nifty-check"]
    assert isinstance(hook, dict)
    return hook


def test_hook_is_well_formed() -> None:
    hook = _hook()
    assert {"id", "name", "entry", "language"} <= set(hook) <= HOOK_KEYS
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    for path in ("spec/system.yaml", "monitoring/alerts/platform.yaml", "out/base/layer-1.yaml"):
        assert re.search(hook["files"], path), path
    assert not re.search(hook["files"], "compiler/cli.py")


def _run_hook(cwd: Path) -> subprocess.CompletedProcess[str]:
    program, *args = shlex.split(_hook()["entry"])
    return subprocess.run([tool(program), *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_hook_passes_on_the_committed_tree(project: Path) -> None:
    result = _run_hook(project)
    assert result.returncode == 0, result.stderr


def test_hook_fails_after_a_spec_edit_naming_the_stale_files(project: Path) -> None:
    spec = project / "spec" / "system.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(
        text.replace("autoscaling: {min: 5, max: 20, cpu: 60}", "autoscaling: {min: 5, max: 24, cpu: 60}")
    )
    before = {p: p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()}
    result = _run_hook(project)
    assert result.returncode == 1
    assert "would change: out/base/layer-4.yaml" in result.stderr
    assert {p: p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()} == before
