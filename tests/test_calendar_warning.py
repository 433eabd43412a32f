"""`nifty compile` warns when the market calendar's last listed day is 60 days away or less."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.tools import tool

COMMODITY = ROOT / "tests" / "fixtures" / "commodity"


def _compile(folder: Path, today: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIFTY_TODAY": today}
    return subprocess.run(
        [tool("nifty"), "compile", *args], cwd=folder, capture_output=True, text=True, check=False, env=env
    )


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A copy of the commodity desk's spec (tests/fixtures/commodity), whose calendar lists 2026 only."""
    shutil.copytree(COMMODITY / "spec", tmp_path / "spec")
    return tmp_path


@pytest.mark.parametrize(
    ("today", "said"),
    [
        ("2026-10-31", None),  # 61 days before 2026-12-31: quiet
        ("2026-11-01", "(in 60 days)"),
        ("2026-12-31", "(today)"),
        ("2027-01-05", "(5 days ago)"),
    ],
)
def test_a_compile_warns_near_the_end_of_the_calendar(desk: Path, today: str, said: str | None) -> None:
    for attempt in ("compile", "unchanged, from the record"):
        result = _compile(desk, today)
        assert result.returncode == 0, (attempt, result.stderr)
        warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
        if said is None:
            assert warned == [], attempt
        else:
            (line,) = warned
            assert "lists days until 2026-12-31" in line and said in line, (attempt, line)
    assert _compile(desk, today, "--check").returncode == 0
