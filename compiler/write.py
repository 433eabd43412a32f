"""Write, check or diff the out/ tree; writing is atomic, serialised and survives interruption."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from compiler.atomic import DeferredSignals, StopSignalError, exchange, locked
from compiler.diagnostics import Diagnostic, SpecError


def read_tree(root: Path) -> dict[str, str]:
    """Every file below root as text, keyed by POSIX relative path; undecodable files as a marker."""
    tree: dict[str, str] = {}
    if not root.is_dir():
        return tree
    with locked(root.absolute().parent, shared=True):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                try:
                    tree[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
                except (UnicodeDecodeError, OSError):
                    tree[path.relative_to(root).as_posix()] = "\0 unreadable"
    return tree


def changed_files(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """Paths that differ, appear or disappear between two trees, sorted."""
    return sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))


def unified_diff(old: Mapping[str, str], new: Mapping[str, str], prefix: str) -> str:
    """A git-style unified diff between two trees."""
    chunks: list[str] = []
    for path in changed_files(old, new):
        before = old.get(path)
        after = new.get(path)
        chunks.extend(
            difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                (after or "").splitlines(keepends=True),
                fromfile=f"a/{prefix}/{path}" if before is not None else "/dev/null",
                tofile=f"b/{prefix}/{path}" if after is not None else "/dev/null",
            )
        )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks
    )


def write_tree(root: Path, tree: Mapping[str, str]) -> None:
    """Replace root with exactly tree: build it aside, then swap it in under a lock.

    A failure or a stop signal before the swap leaves the old tree; after it, the new one.
    """
    shown = root.as_posix()
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise SpecError([Diagnostic(shown, 0, 0, "exists and is not a directory; refusing to replace it")])
    parent = root.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with DeferredSignals() as signals, locked(parent):
            _recover(parent, root.name)
            staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=parent))
            try:
                os.chmod(staging, _directory_mode(root))
                for relative, text in tree.items():
                    signals.check()
                    target = staging / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
                signals.check()
                _swap(staging, parent / root.name)
            finally:
                # After the swap, staging holds the old tree.
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise SpecError([Diagnostic(shown, 0, 0, f"cannot write: {exc.strerror or exc}")]) from None
    except StopSignalError:
        # The signal is acted on when DeferredSignals exits; reaching here means it was ignored.
        return


def _swap(staging: Path, root: Path) -> None:
    """Put staging in root's place in one step where the kernel allows it."""
    if not root.exists():
        staging.rename(root)
    elif not exchange(staging, root):
        _swap_by_renames(staging, root)


def _swap_by_renames(staging: Path, root: Path) -> None:
    """Fallback swap: retire root, move staging in; _recover() repairs a kill between the two."""
    retired = staging.with_name(staging.name.replace(".new-", ".old-", 1))
    root.rename(retired)
    try:
        staging.rename(root)
    except BaseException:
        retired.rename(root)
        raise
    retired.rename(staging)


def _recover(parent: Path, name: str) -> None:
    """Clear what a killed compile left behind; bring back a retired tree if root went missing."""
    root = parent / name
    for leftover in sorted(parent.glob(f".{name}.old-*")):
        if not root.exists():
            leftover.rename(root)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in parent.glob(f".{name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _directory_mode(root: Path) -> int:
    """Keep root's permissions (mkdtemp makes 0700 directories)."""
    try:
        return root.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o777 & ~umask
