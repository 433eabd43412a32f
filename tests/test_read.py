"""The fast YAML reader of builds reads what a YAML 1.2 parser reads."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.syntax.read import load_all
from tests.conftest import ROOT

TREES = [
    ROOT / "out",
    *sorted((ROOT / "examples").glob("*/out")),
    *sorted((ROOT / "tests/golden").glob("*/out")),
]
FILES = [path for tree in TREES for path in sorted(tree.rglob("*.yaml"))]


def _yaml12(text: str) -> list[Any]:
    return [d for d in YAML(typ="safe", pure=True).load_all(StringIO(text)) if d is not None]


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_every_compiled_file_reads_as_a_yaml_1_2_parser_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_all(text) == _yaml12(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: on\nb: 0o17\nc: '1'\nd: 1.5\ne: ~\nf: 12:30\nh: !!str 5\ni: 1e3\nk:\nl: ''\n",
        "---\n---\n- x\n- [1, {a: b}]\n- {}\n",
        "- &a {x: 1}\n- *a\n",  # anchors and aliases take the complete loader
        "x: !!int '5'\n",  # so does a tag other than !!str
        "",
        "5",
    ],
)
def test_edge_cases_read_as_yaml_1_2(text: str) -> None:
    # (ruamel also reads an unquoted date as a date, beyond the core schema; nifty quotes dates.)
    assert load_all(text) == _yaml12(text)
