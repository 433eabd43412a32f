"""Nothing lost: failed, concurrent and interrupted compiles leave out/ old or new, never a mix."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import compiler.output.write
from compiler.cli import app
from compiler.diagnostics import SpecError
from compiler.output.write import write_tree
from compiler.pipeline import compile_spec
from tests.conftest import MONITORING, SPEC


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below root by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def as_bytes(tree: dict[str, str]) -> dict[str, bytes]:
    """A compiled tree as the bytes write_tree puts on disk."""
    return {path: text.encode() for path, text in sorted(tree.items())}


def leftovers(parent: Path) -> list[str]:
    """Staging or retired trees next to out/."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".out."))


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped spec and a variant whose tree differs."""
    folder = tmp_path_factory.mktemp("specs")
    old = folder / "old.yaml"
    old.write_bytes(SPEC.read_bytes())
    new = folder / "new.yaml"
    new.write_text(SPEC.read_text(encoding="utf-8").replace('tag: "2.4.1"', 'tag: "2.4.2"', 1))
    return old, new


@pytest.fixture(scope="module")
def trees(specs: tuple[Path, Path]) -> tuple[dict[str, str], dict[str, str]]:
    """The trees of the two specs."""
    old, new = (compile_spec(spec, MONITORING) for spec in specs)
    assert old != new
    return old, new


@pytest.fixture
def out(tmp_path: Path, trees: tuple[dict[str, str], dict[str, str]]) -> Path:
    """A workspace whose out/ holds the old tree plus a stale file to prune."""
    root = tmp_path / "work" / "out"
    write_tree(root, trees[0])
    (root / "stale.yaml").write_text("kind: Stale\n", encoding="utf-8")
    return root


def test_write_replaces_the_tree_exactly(out: Path, trees: tuple[dict[str, str], dict[str, str]]) -> None:
    out.chmod(0o750)
    write_tree(out, trees[1])
    assert snapshot(out) == as_bytes(trees[1])
    assert out.stat().st_mode & 0o777 == 0o750
    assert leftovers(out.parent) == []


def test_failed_compile_leaves_out_byte_for_byte(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.read_text(encoding="utf-8").replace("min: 5, max: 20", "min: 25, max: 20"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["compile", "--spec", str(bad), "--out", str(out), "--monitoring", str(MONITORING)]
    )
    assert result.exit_code == 1
    assert "autoscaling min (25) is above max (20)" in result.stderr
    assert snapshot(out) == before
    assert leftovers(out.parent) == []


def test_failed_write_leaves_out_and_says_why(
    out: Path, trees: tuple[dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    real = Path.write_bytes
    changed = sum(1 for path, text in trees[1].items() if trees[0].get(path) != text)
    calls = iter(range(1000))

    def full_disk(self: Path, data: bytes) -> int:
        # The disk fills up on the last changed file (unchanged ones are linked, not written).
        if next(calls) == changed - 1:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(SpecError) as caught:
        write_tree(out, trees[1])
    assert [d.message for d in caught.value.diagnostics] == ["cannot write: No space left on device"]
    assert snapshot(out) == before
    assert leftovers(out.parent) == []


def test_out_that_is_a_file_is_refused(tmp_path: Path, trees: tuple[dict[str, str], dict[str, str]]) -> None:
    target = tmp_path / "out"
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        write_tree(target, trees[0])
    assert "is not a directory" in caught.value.diagnostics[0].message
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_swap_without_renameat2_falls_back(
    out: Path, trees: tuple[dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compiler.output.write, "exchange", lambda _a, _b: False)
    write_tree(out, trees[1])
    assert snapshot(out) == as_bytes(trees[1])
    assert leftovers(out.parent) == []


def test_leftovers_of_a_killed_compile_are_repaired(
    out: Path, trees: tuple[dict[str, str], dict[str, str]]
) -> None:
    # Killed between the two renames of the fallback swap: out/ retired, the new tree staged.
    retired = out.parent / ".out.old-killed"
    out.rename(retired)
    (out.parent / ".out.new-killed").mkdir()
    (out.parent / ".out.new-killed" / "half.yaml").write_text("kind: Half\n", encoding="utf-8")
    write_tree(out, trees[1])
    assert snapshot(out) == as_bytes(trees[1])
    assert leftovers(out.parent) == []


@pytest.fixture
def sigint_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt as after Ctrl-C, also where the run started in the background.

    A process started in the background ignores SIGINT from its start, and Python keeps that.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _signal_self_on(monkeypatch: pytest.MonkeyPatch, name: str, signum: int) -> None:
    """Deliver signum to this process when compiler.output.write calls name."""
    real = getattr(compiler.output.write, name)

    def interrupted(*args: object) -> object:
        os.kill(os.getpid(), signum)
        return real(*args)

    monkeypatch.setattr(compiler.output.write, name, interrupted)


@pytest.mark.usefixtures("sigint_raises")
def test_interrupt_while_staging_keeps_the_old_tree(
    out: Path, trees: tuple[dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    _signal_self_on(monkeypatch, "_directory_mode", signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, trees[1])
    assert snapshot(out) == before
    assert leftovers(out.parent) == []


@pytest.mark.usefixtures("sigint_raises")
def test_interrupt_during_the_swap_finishes_it(
    out: Path, trees: tuple[dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _signal_self_on(monkeypatch, "exchange", signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, trees[1])
    assert snapshot(out) == as_bytes(trees[1])
    assert leftovers(out.parent) == []


def _sigint_by_default() -> None:
    """In a child before exec: SIGINT back to its default, whatever the parent ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _compile(spec: Path, out: Path) -> subprocess.Popen[bytes]:
    """`nifty compile` in a child process."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "compiler",
            "compile",
            "--spec",
            str(spec),
            "--out",
            str(out),
            "--monitoring",
            str(MONITORING),
        ],
        # A child of a run started in the background would ignore SIGINT too; this test starts no thread.
        preexec_fn=_sigint_by_default,  # noqa: PLW1509
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_parallel_compiles_end_with_one_complete_tree(
    out: Path, specs: tuple[Path, Path], trees: tuple[dict[str, str], dict[str, str]]
) -> None:
    children = [_compile(specs[i % 2], out) for i in range(4)]
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
    assert snapshot(out) in (as_bytes(trees[0]), as_bytes(trees[1]))
    assert leftovers(out.parent) == []


def _signal_when_staging(child: subprocess.Popen[bytes], parent: Path, signum: int) -> None:
    """Send signum the moment the child starts writing its staging tree (or when it ends)."""
    while child.poll() is None:
        if any(p.name.startswith(".out.new-") for p in parent.iterdir()):
            child.send_signal(signum)
            return
        time.sleep(0.0005)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_compiles_leave_old_or_new(
    signum: int,
    specs: tuple[Path, Path],
    trees: tuple[dict[str, str], dict[str, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        for _ in range(3):
            write_tree(out, trees[0])
            child = _compile(specs[1], out)
            _signal_when_staging(child, out.parent, signum)
            child.communicate(timeout=60)
            assert child.returncode != 0
            assert snapshot(out) in (as_bytes(trees[0]), as_bytes(trees[1])), "a mix of old and new"
            assert leftovers(out.parent) == []


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("spec", "holds spec/system.yaml"),
        (".", "holds spec/system.yaml"),
        ("..", "holds spec/system.yaml"),
        ("monitoring", "holds monitoring"),
        ("notes", "is not empty and holds no file generated by nifty"),
        ("/", "is the root of the file system"),
    ],
)
def test_compile_refuses_to_replace_what_is_not_an_output(
    target: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "spec").mkdir(parents=True)
    (project / "spec" / "system.yaml").write_bytes(SPEC.read_bytes())
    shutil.copytree(MONITORING, project / "monitoring")
    (project / "notes").mkdir()
    (project / "notes" / "todo.txt").write_text("keep me\n", encoding="utf-8")
    monkeypatch.chdir(project)
    before = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    result = CliRunner().invoke(app, ["compile", "--out", target])
    assert result.exit_code == 1
    assert result.stderr == f"{target}: error: {why}; refusing to replace it with the output [N008]\n"
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")} == before


def test_unreadable_out_is_one_line_for_check(
    out: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(compiler.output.write, "locked", refuse)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["compile", "--check", "--spec", str(SPEC), "--out", str(out), "--monitoring", str(MONITORING)]
    )
    assert (result.exit_code, result.stderr) == (1, f"{out}: error: cannot read: Permission denied [N008]\n")


def test_unchanged_files_are_linked_and_changed_ones_written_anew(
    out: Path, trees: tuple[dict[str, str], dict[str, str]]
) -> None:
    old, new = trees
    inodes = {path: (out / path).stat().st_ino for path in old}
    write_tree(out, new)
    assert snapshot(out) == as_bytes(new)
    for path, text in new.items():
        same = old.get(path) == text
        assert ((out / path).stat().st_ino == inodes.get(path)) is same, path
