"""Shared fixtures: the shipped spec, compiled once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.pipeline import compile_spec, load_plan
from compiler.plan.model import Plan

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "system.yaml"
MONITORING = ROOT / "monitoring"
# Compiles warn when a market calendar is near its end; the tests fix the day (and pass it on to the
# commands they run) so that what they read does not change with the date they run on.
FIXED_TODAY = "2026-06-01"
os.environ["NIFTY_TODAY"] = FIXED_TODAY


def pytest_addoption(parser: pytest.Parser) -> None:
    """--update-golden rewrites the expected trees of tests/golden/."""
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*/out")


@pytest.fixture(scope="session")
def shipped_plan() -> Plan:
    """The plan of the shipped spec."""
    return load_plan(SPEC, MONITORING)


@pytest.fixture(scope="session")
def shipped_tree() -> dict[str, str]:
    """The out/ tree of the shipped spec, in memory."""
    return compile_spec(SPEC, MONITORING)


@pytest.fixture(scope="session")
def shipped_out(tmp_path_factory: pytest.TempPathFactory, shipped_tree: dict[str, str]) -> Path:
    """The shipped spec's tree written to a temporary out/."""
    out = tmp_path_factory.mktemp("shipped") / "out"
    for relative, text in shipped_tree.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return out


def git(repo: Path, *args: str) -> str:
    """Run git in repo with a fixed identity; raise on failure."""
    command = ["git", "-c", "user.name=nifty", "-c", "user.email=nifty@example.invalid", *args]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, check=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    """Replace old (which must occur) by new in a text file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the project's spec, monitoring files and committed out/."""
    for folder in ("spec", "monitoring", "out"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "start")
    return tmp_path
