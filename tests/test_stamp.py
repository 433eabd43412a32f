"""The record of the last compile: unchanged trees are answered at once, any change is still caught."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.output import stamp
from compiler.spec.schema import schema_text
from tests.conftest import MONITORING, SPEC


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's spec and monitoring folder, compiled by the command with its record."""
    folder = tmp_path_factory.mktemp("compiled")
    shutil.copytree(SPEC.parent, folder / "spec")
    shutil.copytree(MONITORING, folder / "monitoring")
    assert nifty(folder, "compile").returncode == 0
    return folder


@pytest.fixture
def project(tmp_path: Path, compiled: Path) -> Path:
    """A copy of the compiled project, its record and its files' times included."""
    shutil.copytree(compiled, tmp_path, dirs_exist_ok=True)
    return tmp_path


def nifty(cwd: Path, *args: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the installed entry point as a user would."""
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run(
        [sys.executable, *flags, "-m", "compiler", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_unchanged_tree_is_answered_without_loading_the_compiler(project: Path) -> None:
    for args in (("compile", "--check"), ("compile",)):
        result = nifty(project, *args, importtime=True)
        assert result.returncode == 0
        assert "out/ is up to date" in result.stderr
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
        assert "pydantic" not in imported and "typer" not in imported and "compiler.pipeline" not in imported


def test_a_cold_plain_compile_runs_without_typer(project: Path) -> None:
    shutil.rmtree(project / stamp.CACHE_DIR)
    (project / "out/base/layer-2.yaml").write_text("# hand edit\n")
    for args, code in ((("compile", "--check"), 1), (("compile",), 0), (("compile", "--check"), 0)):
        shutil.rmtree(project / stamp.CACHE_DIR, ignore_errors=True)
        result = nifty(project, *args, importtime=True)
        assert result.returncode == code, result.stderr
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
        assert "compiler.pipeline" in imported and "typer" not in imported


def test_other_commands_still_go_through_typer(project: Path) -> None:
    result = nifty(project, "compile", "--format", "json", importtime=True)
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "typer" in imported


def test_warm_compile_does_not_rewrite_out(project: Path) -> None:
    layer = project / "out/base/layer-2.yaml"
    os.utime(layer, (1_000_000, 1_000_000))
    assert nifty(project, "compile").returncode == 0
    assert layer.stat().st_mtime == 1_000_000


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            lambda root: (root / "out/base/layer-2.yaml").write_text("# hand edit\n"),
            "would change: out/base/layer-2.yaml",
        ),
        (lambda root: (root / "out/base/layer-5.yaml").unlink(), "would add: out/base/layer-5.yaml"),
        (
            lambda root: (root / "out/base/extra.yaml").write_text("kind: Extra\n"),
            "would remove: out/base/extra.yaml",
        ),
    ],
)
def test_any_change_in_out_is_still_caught(
    project: Path, change: Callable[[Path], object], named: str
) -> None:
    change(project)
    result = nifty(project, "compile", "--check")
    assert result.returncode == 1
    assert named in result.stderr


def test_a_changed_spec_is_still_caught(project: Path) -> None:
    spec = project / "spec/system.yaml"
    spec.write_text(spec.read_text().replace("min: 5, max: 20", "min: 5, max: 24"))
    result = nifty(project, "compile", "--check")
    assert result.returncode == 1
    assert "would change: out/base/layer-4.yaml" in result.stderr


def test_a_corrupt_record_falls_back_to_the_full_check(project: Path) -> None:
    stamp.cache_file(project / "out").write_text("{not json")
    result = nifty(project, "compile", "--check")
    assert result.returncode == 0
    assert "out/ is up to date" in result.stderr


def test_fingerprint_follows_every_input(tmp_path: Path) -> None:
    package = tmp_path / "package"
    # The default package is the whole compiler, every stage's subpackage included.
    assert (stamp.PACKAGE / "entry.py").is_file()
    shutil.copytree(stamp.PACKAGE, package)
    shutil.copytree(MONITORING, tmp_path / "monitoring")
    spec = tmp_path / "system.yaml"
    spec.write_bytes(SPEC.read_bytes())

    def fingerprint(source: str = "spec/system.yaml") -> str:
        return stamp.inputs_fingerprint(spec, tmp_path / "monitoring", source, package)

    seen = {fingerprint()}
    assert fingerprint() in seen
    spec.write_bytes(spec.read_bytes() + b"\n")
    seen.add(fingerprint())
    (tmp_path / "monitoring/alerts/platform.yaml").write_text("groups: []\n")
    seen.add(fingerprint())
    (package / "syntax/emit.py").write_text((package / "syntax/emit.py").read_text() + "\n")
    seen.add(fingerprint())
    (package / "render/workloads.py").write_text((package / "render/workloads.py").read_text() + "\n")
    seen.add(fingerprint())
    seen.add(fingerprint("elsewhere/system.yaml"))
    assert len(seen) == 6


def _edit_spec(project: Path) -> None:
    spec = project / "spec/system.yaml"
    spec.write_text(spec.read_text().replace("min: 5, max: 20", "min: 5, max: 24"))


def test_after_an_edit_of_the_spec_the_kept_schema_is_reused(project: Path) -> None:
    kept = stamp.schema_cache_file(project / "out")
    assert kept.is_file()
    # A marked text under the right key shows that the compile took the kept schema.
    saved = json.loads(kept.read_text())
    kept.write_text(json.dumps({"code": saved["code"], "text": saved["text"] + " "}))
    _edit_spec(project)
    result = nifty(project, "compile", "--check")
    assert result.returncode == 1
    assert "would change: out/schema.json" in result.stderr


def test_a_schema_kept_by_another_compiler_is_not_used(project: Path) -> None:
    kept = stamp.schema_cache_file(project / "out")
    kept.write_text(json.dumps({"code": "another compiler", "text": "{}\n"}))
    _edit_spec(project)
    assert nifty(project, "compile").returncode == 0
    assert json.loads((project / "out/schema.json").read_text())["title"] == "nifty spec"
    assert json.loads(kept.read_text())["code"] == stamp.code_fingerprint()


@pytest.mark.parametrize("corrupt", ["{not json", '{"code": 1}', "[]"])
def test_a_corrupt_kept_schema_is_generated_again(project: Path, corrupt: str) -> None:
    stamp.schema_cache_file(project / "out").write_text(corrupt)
    shutil.rmtree(project / "out")
    assert nifty(project, "compile").returncode == 0
    assert (project / "out/schema.json").read_bytes() == schema_text().encode()
