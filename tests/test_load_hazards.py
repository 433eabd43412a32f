"""Absurd and hostile input: refused with one clear message, quickly, never with a traceback."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import compiler.pipeline
from compiler.cli import app
from compiler.diagnostics import SpecError
from compiler.run import REPORT
from compiler.spec.load import MAX_BYTES, MAX_DEPTH, MAX_NODES, parse_spec
from compiler.spec.validate import validate
from tests.conftest import SPEC

# "A couple of seconds" for the user; parsing itself must stay well inside that.
PARSE_SECONDS = 2.0


def _laughs(levels: int) -> bytes:
    """A billion-laughs document: each level holds nine aliases of the one before."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return ("\n".join(lines) + "\n").encode()


def _shipped_with(extra: str) -> bytes:
    """The shipped spec with text appended."""
    return SPEC.read_bytes() + extra.encode()


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "deep flow lists": (lambda: b"a: " + b"[" * 100_000 + b"]" * 100_000, "nesting is deeper than"),
    "deep flow lists, unclosed": (lambda: b"a: " + b"[" * 120_000, "nesting is deeper than"),
    "deep flow mappings": (lambda: b"a: " + b"{a: " * 50_000 + b"1" + b"}" * 50_000, "nesting is deeper"),
    "deep block nesting": (
        lambda: "".join(" " * i + f"k{i}:\n" for i in range(300)).encode(),
        "nesting is deeper than",
    ),
    "file over the size cap": (lambda: _shipped_with("# padding\n" * (MAX_BYTES // 10 + 1)), "larger than"),
    "alias bomb": (lambda: _laughs(12), "aliases are not allowed"),
    # The cap counts parser events: a value in a list is one, a key and its value are two.
    "many values": (lambda: b"a: [" + b"1," * (2 * MAX_NODES + 1) + b"1]\n", f"more than {MAX_NODES} values"),
    "many keys": (lambda: "".join(f"k{i}: v\n" for i in range(MAX_NODES + 1)).encode(), "values"),
    "one huge scalar": (lambda: b"system: " + b"x" * (MAX_BYTES - 100) + b"\n", "missing required key"),
    "random bytes": (lambda: random.Random(3).randbytes(200_000), "not valid UTF-8"),
    "NUL bytes": (lambda: b"\0" * 1000, "control character U+0000"),
    "many documents": (lambda: b"---\n" * 50_000, "only one YAML document"),
    "many anchors": (lambda: b"".join(b"k%d: &a%d 1\n" % (i, i) for i in range(15_000)), "anchors"),
    # Scalars that looked like numbers or timestamps to the patterns and conversions.
    "200000-digit number": (
        lambda: b"system: {name: x}\nlayers:\n  - number: " + b"9" * 200_000 + b"\n",
        "expected a whole number",
    ),
    "timestamp and spaces": (lambda: b"a: 2024-01-01" + b" " * 100_000 + b"x\n", "unknown key 'a'"),
    "base-60 overflow": (lambda: b"a: 1" + b":30" * 50_000 + b"\n", "unknown key 'a'"),
    "long anchor": (lambda: b"a: &" + b"x" * 200_000 + b" 1\n", "anchors are not allowed"),
    "long key": (lambda: b"system:\n  " + b"k" * 200_000 + b": 1\n", "a key may be at most 1024"),
    "long quoted key": (lambda: b'system: {"' + b"k" * 1000 + b'": 1}\n', "unknown key 'kkkk"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_refused_quickly(name: str) -> None:
    make, fragment = HOSTILE[name]
    raw = make()
    # CPU time: the parser's own cost, which tests running beside it on the cores do not inflate.
    started = time.process_time()
    with pytest.raises(SpecError) as caught:
        validate(parse_spec(raw, "spec/system.yaml"))
    elapsed = time.process_time() - started
    assert elapsed < PARSE_SECONDS, f"{name} took {elapsed:.2f}s"
    messages = [d.message for d in caught.value.diagnostics]
    assert any(fragment in m for m in messages), [m[:200] for m in messages]
    assert len(messages) <= 101
    # A message quotes what it must, never a whole pasted file.
    assert max(len(m) for m in messages) < 500


def test_nesting_at_the_cap_is_fine_and_one_more_is_not() -> None:
    at_cap = b"a: " + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)
    with pytest.raises(SpecError) as caught:
        validate(parse_spec(at_cap, "s.yaml"))
    assert not any("nesting" in d.message for d in caught.value.diagnostics)
    over = b"a: " + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    with pytest.raises(SpecError) as caught:
        parse_spec(over, "s.yaml")
    assert [(d.line, d.column, d.message) for d in caught.value.diagnostics] == [
        (1, 4 + MAX_DEPTH - 1, f"nesting is deeper than {MAX_DEPTH} levels")
    ]


@pytest.mark.parametrize("name", ["deep flow lists", "alias bomb", "file over the size cap", "random bytes"])
def test_the_command_answers_quickly_with_exit_1(name: str, tmp_path: Path) -> None:
    spec = tmp_path / "system.yaml"
    spec.write_bytes(HOSTILE[name][0]())
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "validate", "--spec", str(spec)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"{spec}")
    assert "Traceback" not in result.stderr
    # Interpreter start-up included; generous for a loaded 2-core machine.
    assert elapsed < 5, f"{name} took {elapsed:.2f}s"


def _validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *args])
    return result.exit_code, result.stderr


def test_missing_spec_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    looked = tmp_path.resolve() / "spec" / "nope.yaml"
    assert _validate("--spec", "spec/nope.yaml") == (
        1,
        f"spec/nope.yaml: error: spec file not found (looked for {looked});"
        " pass --spec PATH, or run nifty from the repository root [N008]\n",
    )
    assert _validate("--spec", str(looked)) == (
        1,
        f"spec/nope.yaml: error: spec file not found (looked for {looked}); pass --spec PATH [N008]\n",
    )


def test_directory_as_spec_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec").mkdir()
    assert _validate("--spec", "spec") == (1, "spec: error: is a directory, expected a YAML file [N008]\n")


def test_fifo_as_spec_does_not_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.yaml")
    assert _validate("--spec", "pipe.yaml") == (
        1,
        "pipe.yaml: error: is not a regular file, expected a YAML file [N008]\n",
    )


def test_symlink_loop_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert _validate("--spec", "a.yaml") == (
        1,
        "a.yaml: error: cannot read the spec: Too many levels of symbolic links [N008]\n",
    )


def test_unreadable_spec_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "system.yaml"
    spec.write_bytes(SPEC.read_bytes())

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    assert _validate("--spec", "system.yaml") == (
        1,
        "system.yaml: error: cannot read the spec: Permission denied [N008]\n",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_spec_by_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "system.yaml"
    spec.write_bytes(SPEC.read_bytes())
    spec.chmod(0)
    assert _validate("--spec", "system.yaml") == (
        1,
        "system.yaml: error: cannot read the spec: Permission denied [N008]\n",
    )


def _crash(*_: object) -> dict[str, str]:
    raise RuntimeError("a bug")


def test_internal_error_is_reported_without_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(compiler.pipeline, "compile_with_sources", _crash)
    # An out/ with no record of a compile, so that the compiler really runs.
    out = str(tmp_path / "out")
    result = CliRunner().invoke(app, ["compile", "--spec", str(SPEC), "--out", out, "--check"])
    assert result.exit_code == 3
    assert result.stderr == f"error: {REPORT}\n"


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(compiler.pipeline, "compile_with_sources", _crash)
    # An out/ with no record of a compile, so that the compiler really runs.
    out = str(tmp_path / "out")
    result = CliRunner().invoke(app, ["compile", "--spec", str(SPEC), "--out", out, "--check", "--debug"])
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert "RuntimeError: a bug" in result.stderr
    assert result.stderr.endswith(f"error: {REPORT}\n")
