"""Golden trees: each tests/golden/<case>/spec.yaml compiles to exactly tests/golden/<case>/out/.

After an intended change of the output, review it and run `pytest tests/test_golden.py --update-golden`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.output.write import read_tree, unified_diff, write_tree
from compiler.pipeline import compile_spec

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.yaml").exists())


@pytest.mark.parametrize("case", CASES)
def test_golden_tree(case: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = GOLDEN / case
    # Headers name the spec relative to the working directory; compile from the case folder.
    monkeypatch.chdir(folder)
    tree = compile_spec(Path("spec.yaml"), Path("monitoring"))
    expected = folder / "out"
    if request.config.getoption("--update-golden"):
        write_tree(expected, tree)
    current = read_tree(expected)
    assert current == tree, (
        f"golden tree of '{case}' differs; review and run pytest --update-golden:\n"
        + unified_diff(current, tree, os.path.relpath(expected))
    )
