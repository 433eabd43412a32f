"""Shared fixtures: the shipped spec, compiled once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.model import Plan
from compiler.pipeline import compile_spec, load_plan

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "system.yaml"
MONITORING = ROOT / "monitoring"


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
