"""Shared fixtures: the seed system (tests/fixtures/seed), compiled once per session.

The compiler's tests run on fixtures kept in tests/, never on the working spec/system.yaml, which
is the user's to edit: the checks of the user's system live in tests/system/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.output.write import write_tree
from compiler.pipeline import compile_spec, load_plan
from compiler.plan.model import Plan

ROOT = Path(__file__).resolve().parent.parent
# The system nifty shipped with, frozen: its spec and hand-written monitoring files.
SEED = ROOT / "tests" / "fixtures" / "seed"
SPEC = SEED / "spec" / "system.yaml"
MONITORING = SEED / "monitoring"
# Compiles warn when a market calendar is near its end; the tests fix the day (and pass it on to the
# commands they run) so that what they read does not change with the date they run on.
FIXED_TODAY = "2026-06-01"
os.environ["NIFTY_TODAY"] = FIXED_TODAY


def pytest_addoption(parser: pytest.Parser) -> None:
    """--update-golden rewrites the expected trees of tests/golden/."""
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*/out")


@pytest.fixture(scope="session")
def shipped_plan() -> Plan:
    """The plan of the seed spec, read from its folder as `nifty` reads a spec from the project's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(SEED)
        return load_plan(Path("spec/system.yaml"), Path("monitoring"))


@pytest.fixture(scope="session")
def shipped_tree() -> dict[str, str]:
    """The out/ tree of the seed spec, in memory, as `nifty compile` writes it in the seed's folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(SEED)
        return compile_spec(Path("spec/system.yaml"), Path("monitoring"))


@pytest.fixture(scope="session")
def shipped_out(tmp_path_factory: pytest.TempPathFactory, shipped_tree: dict[str, str]) -> Path:
    """The seed spec's tree written to a temporary out/."""
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


def seed_project(target: Path) -> Path:
    """The seed's spec and monitoring files in target, and the out/ that `nifty compile` writes there."""
    for folder in ("spec", "monitoring"):
        shutil.copytree(SEED / folder, target / folder)
    # From the project's folder, as `nifty compile` runs: headers name the spec relative to it.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(target)
        write_tree(Path("out"), compile_spec(Path("spec/system.yaml"), Path("monitoring")))
    return target


@pytest.fixture(scope="session")
def seed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed project compiled once: spec/, monitoring/ and its out/."""
    return seed_project(tmp_path_factory.mktemp("seed"))


@pytest.fixture
def project(tmp_path: Path, seed_folder: Path) -> Path:
    """A copy of the seed project: its spec, monitoring files and compiled out/."""
    for folder in ("spec", "monitoring", "out"):
        shutil.copytree(seed_folder / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture
def repo(project: Path) -> Path:
    """A git repository holding the seed's spec, monitoring files and committed out/."""
    tmp_path = project
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "start")
    return tmp_path
