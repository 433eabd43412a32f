"""The README's test command is CI's; the example CI workflow of docs/ci.md runs it and posts a nifty
diff that works as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT, edit


def _test_command() -> str:
    """The one command of the README's block that runs the tests."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\nRun the tests", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    (command,) = block.splitlines()
    return command


def test_ci_runs_exactly_the_readme_test_command() -> None:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines if line and not line.startswith("#") and line != "set -euo pipefail"]
    assert commands[-1] == _test_command()
    assert [c for c in commands if not c.startswith("cd ")] == [_test_command()]


def test_the_test_command_installs_nothing_into_the_system_python() -> None:
    command = _test_command()
    assert command.startswith("python3 -m venv .venv && ")
    # After the venv exists every program runs from it: no bare pip, python or nox.
    for step in command.split(" && ")[1:]:
        assert step.startswith(".venv/bin/"), step


def _workflow() -> dict[str, Any]:
    readme = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    (block,) = [b for b in blocks if b.startswith("# .github/workflows/")]
    loaded: dict[str, Any] = yaml.safe_load(block)
    return loaded


def _steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _workflow()["jobs"]["check"]["steps"]
    return steps


def _diff_script() -> str:
    (step,) = [s for s in _steps() if "nifty diff" in s.get("run", "")]
    script: str = step["run"]
    return script


def test_workflow_runs_nox_on_pull_requests() -> None:
    workflow = _workflow()
    # YAML 1.1 (PyYAML) reads the key `on` as true; GitHub reads it as the string.
    triggers = {str(key): value for key, value in workflow.items()}
    assert triggers.get("on", triggers.get("True")) == "pull_request"
    assert workflow["permissions"]["pull-requests"] == "write"
    assert any(s.get("run") == _test_command() for s in _steps())
    assert "--format markdown" in _diff_script()
    assert any("--body-file nifty-diff.md" in s.get("run", "") for s in _steps())


def _run_diff_step(repo: Path) -> subprocess.CompletedProcess[str]:
    """The workflow's diff step as bash runs it (-e), the target branch being HEAD, nifty installed."""
    lines = [line for line in _diff_script().splitlines() if "pip install" not in line]
    script = "\n".join(lines).replace("origin/${{ github.base_ref }}", "HEAD")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    command = ["bash", "-e", "-c", script]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)


def test_diff_step_succeeds_with_and_without_changes(repo: Path) -> None:
    result = _run_diff_step(repo)
    assert result.returncode == 0, result.stderr
    assert "No changes" in (repo / "nifty-diff.md").read_text(encoding="utf-8")
    edit(
        repo / "spec" / "system.yaml",
        "autoscaling: {min: 2, max: 5, cpu: 70}",
        "autoscaling: {min: 3, max: 5, cpu: 70}",
    )
    result = _run_diff_step(repo)
    assert result.returncode == 0, result.stderr
    assert "| HorizontalPodAutoscaler `api` | `spec.minReplicas` | `2` | `3` |" in (
        repo / "nifty-diff.md"
    ).read_text(encoding="utf-8")


def test_diff_step_fails_on_a_spec_that_does_not_compile(repo: Path) -> None:
    # nifty diff exits 1 for changes and 2 for an error; the step lets only 1 through.
    edit(
        repo / "spec" / "system.yaml",
        "autoscaling: {min: 2, max: 5, cpu: 70}",
        "autoscaling: {min: 9, max: 5, cpu: 70}",
    )
    result = _run_diff_step(repo)
    assert result.returncode != 0
    assert "autoscaling min (9) is above max (5)" in result.stderr


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings (outside code blocks)."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    headings = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_the_readme_is_read_in_five_minutes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 300
    contents = readme.split("## Contents", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"\(#([\w-]+)\)", contents)
    assert set(listed) == _anchors(ROOT / "README.md") - {"nifty", "contents"}


def test_every_link_between_the_pages_leads_somewhere() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in _anchors(linked)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []
