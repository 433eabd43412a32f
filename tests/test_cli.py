"""The command line: compile, --check, --diff, validate, render and their exit codes."""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from compiler.cli import app
from compiler.output.write import read_tree
from tests.conftest import MONITORING, ROOT, SPEC
from tests.tools import objects, tool


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
    options = run("compile", "--help")[1].split("Exit codes:")[0].splitlines()
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
        " pass --spec PATH, or run nifty from the repository root [N008]\n"
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
        "spec/system.yaml:13:3: error: defaults.resources must set cpu: every component inherits it [N103]\n",
    )


def nifty(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed console command, as a user runs it."""
    environ = {**os.environ, **env}
    return subprocess.run(
        [tool("nifty"), *args], cwd=cwd, env=environ, capture_output=True, text=True, check=False
    )


COMMANDS = ("compile", "validate", "render", "diff", "schema")


def _readme_commands() -> list[tuple[list[str], str]]:
    """The README's table of commands: (the words of each command, its exit codes as written)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| command | what it does | exit codes |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.strip().splitlines()[1:]:
        command, _, codes = (cell.strip() for cell in line.strip("|").split(" | "))
        words = [w for w in command.strip("`").split() if w.startswith("-") or w.islower()]
        rows.append((words[1:], codes.replace("`", "")))
    return rows


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_h_works_everywhere_and_shows_exit_codes_and_examples(tmp_path: Path) -> None:
    for command in ("", *COMMANDS):
        result = nifty(tmp_path, *([command] if command else []), "-h")
        assert result.returncode == 0, (command, result.stderr)
        assert "-h, --help" in result.stdout
        assert "Exit codes:" in result.stdout and "Examples:" in result.stdout, command
        examples = result.stdout.split("Examples:", 1)[1].strip().splitlines()
        assert examples and all(line.strip().startswith("nifty ") for line in examples)


def test_every_example_of_the_help_parses() -> None:
    command = typer.main.get_command(app)
    for name in ("", *COMMANDS):
        help_text = run(*([name] if name else []), "--help")[1]
        for line in help_text.split("Examples:", 1)[1].strip().splitlines():
            words = shlex.split(re.split(r"[|>]", line)[0])[1:]
            if "-h" in words:
                continue
            # click parses the words as the command would, without running it.
            command.make_context("nifty", list(words), resilient_parsing=False)
            # A spec an example names is one the repository holds.
            for flag, value in itertools.pairwise(words):
                if flag == "--spec":
                    assert (ROOT / value).is_file(), line


def test_the_readme_table_of_commands_matches_the_help() -> None:
    rows = _readme_commands()
    assert {words[0] for words, _ in rows if words} >= {*COMMANDS, "--version"}
    for words, codes in rows:
        subcommand = [words[0]] if words[0] in COMMANDS else []
        help_text = _flat(run(*subcommand, "--help")[1])
        assert codes in help_text, (words, codes)
    for command in COMMANDS:
        # "Every command takes --format ... and --debug".
        options = run(command, "--help")[1]
        assert "--format <" in options and "--debug" in options, command


def test_a_bare_nifty_prints_help_and_exits_0(tmp_path: Path) -> None:
    result = nifty(tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: nifty") and "Commands:" in result.stdout
    assert result.stderr == ""


def test_shell_completion_comes_from_typer(tmp_path: Path) -> None:
    # Named, not detected from the parent processes, which differ between a terminal and CI.
    script = nifty(tmp_path, "--show-completion", "bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert script.returncode == 0 and "_NIFTY_COMPLETE" in script.stdout
    words = nifty(tmp_path, _NIFTY_COMPLETE="complete_bash", COMP_WORDS="nifty comp", COMP_CWORD="1")
    assert words.stdout.split() == ["compile"]
    formats = nifty(
        tmp_path, _NIFTY_COMPLETE="complete_bash", COMP_WORDS="nifty diff --format ", COMP_CWORD="3"
    )
    assert formats.stdout.split() == ["text", "markdown", "json"]


def test_a_refused_choice_names_the_choices_plainly(tmp_path: Path) -> None:
    result = nifty(tmp_path, "validate", "--format", "xml")
    assert result.returncode == 2
    assert "'xml' is not one of: text, json, github" in result.stderr
    assert "Value error" not in result.stderr


def test_json_is_always_valid_json(project: Path) -> None:
    valid = nifty(project, "validate", "--format", "json")
    assert (valid.returncode, json.loads(valid.stdout)) == (0, [])
    compiled = nifty(project, "compile", "--format", "json")
    assert (compiled.returncode, json.loads(compiled.stdout)) == (0, [])
    current = nifty(project, "compile", "--check", "--format", "json")
    assert (current.returncode, json.loads(current.stdout)) == (0, [])
    schema = nifty(project, "schema", "--format", "json")
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"]
    spec = project / "spec" / "system.yaml"
    spec.write_text(spec.read_text().replace("min: 5, max: 20", "min: 25, max: 20"))
    invalid = nifty(project, "validate", "--format", "json")
    assert invalid.returncode == 1
    assert [d["message"] for d in json.loads(invalid.stdout)] == [
        "layer 4 'analysis', component 'indicator-engine': autoscaling min (25) is above max (20)"
    ]


def test_check_names_each_stale_file_for_ci_and_what_compile_would_do(project: Path) -> None:
    nifty(project, "compile")
    layer = project / "out/base/layer-2.yaml"
    layer.write_text(layer.read_text() + "# hand edit\n")
    (project / "out/base/stray.yaml").write_text("kind: Stray\n")
    (project / "out/base/layer-3.yaml").unlink()
    text = nifty(project, "compile", "--check")
    assert text.returncode == 1
    assert text.stderr.splitlines() == [
        "would change: out/base/layer-2.yaml",
        "would add: out/base/layer-3.yaml",
        "would remove: out/base/stray.yaml",
        "out/ is stale: run `nifty compile`",
    ]
    github = nifty(project, "compile", "--check", "--format", "github")
    assert github.returncode == 1
    assert github.stdout.splitlines() == [
        f"::error file=out/base/{name},title=N009::stale: `nifty compile` would {verb} this file"
        for name, verb in (("layer-2.yaml", "change"), ("layer-3.yaml", "add"), ("stray.yaml", "remove"))
    ]
    data = json.loads(nifty(project, "compile", "--check", "--format", "json").stdout)
    assert [d["path"] for d in data] == [
        "out/base/layer-2.yaml",
        "out/base/layer-3.yaml",
        "out/base/stray.yaml",
    ]


def test_compile_says_what_it_wrote_kept_and_removed(project: Path) -> None:
    first = nifty(project, "compile")
    total = len(read_tree(project / "out"))
    assert first.stderr == f"compiled spec/system.yaml into out/: {total} files written, 0 unchanged\n"
    layer = project / "out/base/layer-2.yaml"
    layer.write_text(layer.read_text() + "# hand edit\n")
    (project / "out/base/stray.yaml").write_text("kind: Stray\n")
    again = nifty(project, "compile")
    assert again.stderr.splitlines() == [
        "removed: out/base/stray.yaml (the spec does not produce it)",
        f"compiled spec/system.yaml into out/: 1 file written, {total - 1} unchanged, 1 removed",
    ]
    shutil.rmtree(project / ".nifty-cache", ignore_errors=True)
    quiet = nifty(project, "compile")
    assert quiet.stderr == f"compiled spec/system.yaml into out/: nothing changed ({total} files)\n"


def test_nifty_finds_its_project_from_a_folder_below_it(project: Path) -> None:
    (project / ".git").mkdir()  # the repository's top, where the search stops
    assert nifty(project, "compile").returncode == 0
    below = project / "monitoring" / "alerts"
    result = nifty(below, "compile", "--check")
    assert (result.returncode, result.stderr) == (0, "out/ is up to date\n")
    assert nifty(below, "validate").stderr == "spec/system.yaml is valid\n"
    # A path given on the command line is the user's own: no search.
    assert nifty(below, "validate", "--spec", "spec/system.yaml").returncode == 1


def test_a_mistyped_spec_gets_a_did_you_mean(project: Path) -> None:
    result = nifty(project, "validate", "--spec", "spec/sytem.yaml")
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("did you mean spec/system.yaml? [N008]")


def test_the_readme_offline_check_of_a_render_passes(project: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (command,) = [line for line in readme.splitlines() if line.startswith("nifty render prod > ")]
    env = {**os.environ, "PATH": f"{Path(tool('nifty')).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-ec", command], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # A broken render fails it: the check can fail.
    broken = (project / "prod.yaml").read_text().replace("containerPort:", "containerPortt:", 1)
    (project / "prod.yaml").write_text(broken)
    check = command.split("&& ", 1)[1]
    failed = subprocess.run(
        ["bash", "-c", check], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert failed.returncode != 0


def _key_paths(value: object, here: str = "") -> list[str]:
    """Every key with its place, in the order the text gives them."""
    if isinstance(value, dict):
        return [
            p for key, item in value.items() for p in [f"{here}.{key}", *_key_paths(item, f"{here}.{key}")]
        ]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _key_paths(item, f"{here}[{index}]")]
    return []


def test_render_prints_kubectls_objects_in_kubectls_key_order(project: Path) -> None:
    assert nifty(project, "compile").returncode == 0
    rendered = nifty(project, "render", "prod")
    built = subprocess.run(
        [tool("kubectl"), "kustomize", "out/overlays/prod"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    ours = objects(rendered.stdout)
    theirs = objects(built.stdout)
    assert ours == theirs
    assert [_key_paths(d) for d in ours] == [_key_paths(d) for d in theirs]
