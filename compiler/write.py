"""Write, check or diff the out/ tree; writing is atomic and serialised."""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path


def read_tree(root: Path) -> dict[str, str]:
    """Every file below root as text, keyed by POSIX relative path; undecodable files as a marker."""
    tree: dict[str, str] = {}
    if not root.is_dir():
        return tree
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


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on directory so that concurrent compiles take turns."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_tree(root: Path, tree: Mapping[str, str]) -> None:
    """Replace root with exactly tree: build it aside, then swap it in."""
    parent = root.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    with locked(parent):
        staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=parent))
        try:
            for relative, text in tree.items():
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            _swap(staging, root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, root: Path) -> None:
    """Move staging to root, keeping the old tree until the new one is in place."""
    if not root.exists():
        staging.rename(root)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=staging.parent))
    retired.rmdir()
    root.rename(retired)
    try:
        staging.rename(root)
    except OSError:
        retired.rename(root)
        raise
    shutil.rmtree(retired, ignore_errors=True)
