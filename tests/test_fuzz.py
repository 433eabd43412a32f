"""Fuzzing: random YAML and random damage to the shipped spec never crash the compiler or touch out/."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compiler.cli import app
from compiler.diagnostics import SpecError
from compiler.output.stamp import CACHE_DIR
from compiler.pipeline import compile_spec
from compiler.syntax.scalars import ambiguity, resolve, resolve_yaml11
from tests.conftest import MONITORING, SPEC

SHIPPED = SPEC.read_text(encoding="utf-8")
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["on", "yes", "0755", "12:30", "1e3", "~", "<<", "2024-01-01", "-", "*a", "&a"]),
)
KEYS = st.one_of(
    st.sampled_from(["system", "layers", "components", "name", "number", "autoscaling", "min", "max"]),
    st.text(max_size=10),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=25,
)
# Pieces of YAML syntax, to build documents no serializer would write.
TOKENS = st.sampled_from(
    [
        " ",
        "  ",
        "\n",
        "\t",
        ":",
        ": ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "#",
        "&a ",
        "*a",
        "!!str ",
        "!x ",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "? ",
        "|\n",
        ">-\n",
        "'",
        '"',
        "\\",
        "\x00",
        "\ufeff",
        "é",
        "on",
        "system",
        "layers:",
        "name: x",
        "0755",
        "<<: ",
    ]
)


def _outcome(spec_text: bytes) -> None:
    """Compile spec_text; anything but success or SpecError fails the test."""
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "system.yaml"
        spec.write_bytes(spec_text)
        try:
            compile_spec(spec, MONITORING)
        except SpecError as error:
            assert error.diagnostics
            assert all(d.message and d.path for d in error.diagnostics)


@FUZZ
@given(TREES, st.booleans())
def test_random_yaml_documents(tree: Any, flow: bool) -> None:
    _outcome(yaml.safe_dump(tree, default_flow_style=flow, allow_unicode=True).encode())


@FUZZ
@given(st.lists(TOKENS, max_size=40))
def test_random_yaml_syntax(tokens: list[str]) -> None:
    _outcome("".join(tokens).encode())


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    """The shipped spec with a few random lines deleted, duplicated, shifted, rewritten or cut."""
    lines = SHIPPED.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "indent", "value", "token", "truncate"]))
        line = lines[index]
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "indent":
            shift = draw(st.integers(-3, 3))
            lines[index] = line[-shift:] if shift < 0 else " " * shift + line
        elif kind == "value" and ": " in line:
            key = line.split(": ", 1)[0]
            lines[index] = f"{key}: {draw(SCALARS.map(str))}\n"
        elif kind == "token":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(TOKENS) + line[at:]
        elif kind == "truncate":
            lines = [*lines[:index], line[: draw(st.integers(0, len(line)))]]
        if not lines:
            break
    return "".join(lines).encode()


@FUZZ
@given(mutations())
def test_mutations_of_the_shipped_spec(spec_text: bytes) -> None:
    _outcome(spec_text)


@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    """A folder with a compiled out/ that failing compiles must leave alone."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        result = CliRunner().invoke(
            app, ["compile", "--spec", str(SPEC), "--out", str(root / "out"), "--monitoring", str(MONITORING)]
        )
        assert result.exit_code == 0, result.stderr
        yield root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations())
def test_failed_compiles_never_change_out(workspace: Path, spec_text: bytes) -> None:
    spec = workspace / "mutated.yaml"
    spec.write_bytes(spec_text)
    out = workspace / "out"
    before = _snapshot(out)
    result = CliRunner().invoke(
        app, ["compile", "--spec", str(spec), "--out", str(out), "--monitoring", str(MONITORING)]
    )
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith(str(spec)), result.stderr
        assert _snapshot(out) == before
    else:
        # A harmless mutation compiled: put the shipped tree back for the next example.
        CliRunner().invoke(
            app, ["compile", "--spec", str(SPEC), "--out", str(out), "--monitoring", str(MONITORING)]
        )
    # Nothing but the spec, out/ and the record of the last compile: no staging folder is left behind.
    assert sorted(p.name for p in workspace.iterdir()) == [CACHE_DIR, "mutated.yaml", "out"]


@settings(max_examples=500, deadline=None)
@given(st.text("0123456789.:-_+eExXoObBinfaNul~TtrsYyZ ", max_size=12))
def test_scalar_resolution_never_raises(text: str) -> None:
    modern, legacy = resolve(text), resolve_yaml11(text)
    reason = ambiguity(text)
    assert (reason is None) == (type(modern) is type(legacy) and repr(modern) == repr(legacy))


@pytest.mark.parametrize("text", ["0x_", "0b_", "-0x__", "._"])
def test_number_patterns_without_digits_are_ambiguous(text: str) -> None:
    # PyYAML or ruamel fail on these instead of reading a string.
    assert ambiguity(text) is not None
