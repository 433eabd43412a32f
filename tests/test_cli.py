"""The command line: compile, --check, --diff, validate, render and their exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compiler.cli import app
from compiler.output.write import read_tree
from tests.conftest import MONITORING, SPEC


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped spec and monitoring configs, as the working directory."""
    shutil.copytree(SPEC.parent, tmp_path / "spec")
    shutil.copytree(MONITORING, tmp_path / "monitoring")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_compile_then_check_is_clean(project: Path) -> None:
    assert run("compile")[0] == 0
    code, _, err = run("compile", "--check")
    assert code == 0, err
    assert "up to date" in err


def test_check_names_stale_and_extra_files_and_writes_nothing(project: Path) -> None:
    run("compile")
    layer = project / "out/base/layer-2.yaml"
    layer.write_text(layer.read_text() + "# hand edit\n")
    (project / "out/base/stray.yaml").write_text("kind: Stray\n")
    before = read_tree(project / "out")
    code, _, err = run("compile", "--check")
    assert code == 1
    assert "out/base/layer-2.yaml" in err and "out/base/stray.yaml" in err
    assert read_tree(project / "out") == before


def test_diff_prints_a_unified_diff_and_writes_nothing(project: Path) -> None:
    run("compile")
    spec = project / "spec/system.yaml"
    spec.write_text(
        spec.read_text().replace(
            "autoscaling: {min: 5, max: 20, cpu: 60}", "autoscaling: {min: 5, max: 24, cpu: 60}"
        )
    )
    before = read_tree(project / "out")
    code, out, _ = run("compile", "--diff")
    assert code == 0
    assert "--- a/out/base/layer-4.yaml" in out
    assert "-  maxReplicas: 20" in out and "+  maxReplicas: 24" in out
    assert read_tree(project / "out") == before


def test_compile_removes_files_the_spec_no_longer_produces(project: Path) -> None:
    run("compile")
    (project / "out/overlays/gone").mkdir()
    (project / "out/overlays/gone/kustomization.yaml").write_text("resources: []\n")
    assert run("compile")[0] == 0
    assert not (project / "out/overlays/gone").exists()


def test_failed_compile_leaves_out_untouched(project: Path) -> None:
    run("compile")
    before = read_tree(project / "out")
    spec = project / "spec/system.yaml"
    spec.write_text(spec.read_text().replace("min: 5, max: 20", "min: 25, max: 20"))
    code, _, err = run("compile")
    assert code == 1
    assert "autoscaling min (25) is above max (20)" in err
    assert err.startswith("spec/system.yaml:")
    assert read_tree(project / "out") == before


def test_validate_reports_every_problem_with_its_position(project: Path) -> None:
    spec = project / "spec/system.yaml"
    text = (
        spec.read_text()
        .replace("talks_to: [api]", "talks_to: [apl]")
        .replace("min: 2, max: 10", "min: 12, max: 10")
    )
    spec.write_text(text)
    code, _, err = run("validate")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 3, err
    positions = [tuple(int(n) for n in line.split(":")[1:3]) for line in lines]
    assert positions == sorted(positions)
    assert "'apl', which is not a component" in err and "min (12) is above max (10)" in err


def test_render_unknown_environment_is_a_usage_error(project: Path) -> None:
    code, _, err = run("render", "staging")
    assert code == 2
    assert "expected one of: base, dev, prod" in err


def test_render_prints_namespaced_objects_of_the_environment(project: Path) -> None:
    code, out, _ = run("render", "prod")
    assert code == 0
    assert "namespace: nifty50-prod" in out and "namespace: nifty50\n" not in out


def test_boolean_flags_show_as_flags() -> None:
    for command in ("compile", "diff", "validate"):
        code, out, _ = run(command, "--help")
        assert code == 0
        assert "<bool>" not in out, out
    options = run("compile", "--help")[1].splitlines()
    assert [line.split()[0] for line in options if line.strip().startswith(("--check", "--diff"))] == [
        "--check",
        "--diff",
    ]
    assert [line.split()[1] for line in options if line.strip().startswith("--check")] == ["Write"]
    # A flag takes no value: `--check true` is an extra argument, which click refuses.
    assert run("compile", "--check", "true")[0] == 2


def test_version_comes_from_the_package_metadata_without_typer(tmp_path: Path) -> None:
    expected = f"nifty {metadata.version('nifty')}\n"
    assert run("--version")[:2] == (0, expected)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "compiler", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == expected
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "typer" not in imported and "pydantic" not in imported


def test_a_missing_spec_says_where_nifty_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("compile")
    assert code == 1
    assert err == (
        f"spec/system.yaml: error: spec file not found (looked for {tmp_path.resolve()}/spec/system.yaml);"
        " pass --spec PATH, or run nifty from the repository root\n"
    )


def test_dedicated_cores_without_any_cpu_request_is_a_diagnostic_not_a_crash(project: Path) -> None:
    spec = project / "spec" / "system.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace(
        "  resources:\n    cpu: 250m\n    memory: 256Mi", "  resources:\n    memory: 256Mi", 1
    )
    # The hot path's sizing lives in the profile `pinned`.
    sized = '    resources: {cpu: "1", memory: 512Mi}\n    dedicated_cores: true\n'
    assert sized in text
    spec.write_text(text.replace(sized, "    dedicated_cores: true\n", 1), encoding="utf-8")
    code, _, err = run("validate")
    assert (code, err) == (
        1,
        "spec/system.yaml:13:3: error: defaults.resources must set cpu: every component inherits it\n",
    )
