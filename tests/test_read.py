"""The fast YAML reader of builds reads what a YAML 1.2 parser reads."""

from __future__ import annotations

import math
import string
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from compiler.syntax import scalars
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


def _by_the_patterns(text: str) -> Any:
    """The core schema's reading of a plain scalar by its patterns alone, without resolve's fast path."""
    if len(text) > scalars.MAX_TYPED_LENGTH:
        return text
    if scalars._NULL_12.match(text):
        return None
    if text in scalars._BOOL_12:
        return scalars._BOOL_12[text]
    if scalars._INT_12.match(text):
        return int(text)
    if scalars._OCT_12.match(text):
        return int(text[2:], 8)
    if scalars._HEX_12.match(text):
        return int(text[2:], 16)
    if scalars._FLOAT_12.match(text) and any(ch.isdigit() for ch in text):
        return float(text)
    if scalars._INF_12.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if scalars._NAN_12.match(text):
        return math.nan
    return text


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=string.ascii_letters + string.digits + "~.+-_:/ ", max_size=8)
    | st.sampled_from(
        ["null", "Null", "NULL", "true", "FALSE", ".inf", "-.Inf", ".NaN", "0o17", "0x1F", "1e3"]
    )
)
def test_the_fast_path_of_resolve_reads_as_the_patterns(text: str) -> None:
    assert repr(scalars.resolve(text)) == repr(_by_the_patterns(text))
