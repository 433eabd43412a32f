"""Write, check or diff the out/ tree; writing is atomic, serialised and survives interruption."""

from __future__ import annotations

import difflib
import itertools
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from compiler.diagnostics import Diagnostic, SpecError
from compiler.output.atomic import DeferredSignals, StopSignalError, exchange, locked


def read_tree(root: Path) -> dict[str, str]:
    """Every file below root as text, keyed by POSIX relative path; undecodable files as a marker."""
    tree: dict[str, str] = {}
    if not root.is_dir():
        return tree
    try:
        with locked(root.absolute().parent, shared=True):
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    try:
                        tree[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
                    except (UnicodeDecodeError, OSError):
                        tree[path.relative_to(root).as_posix()] = "\0 unreadable"
    except OSError as exc:
        raise SpecError(
            [Diagnostic(root.as_posix(), 0, 0, f"cannot read: {exc.strerror or exc}", code="N008")]
        ) from None
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


@dataclass
class Written:
    """What a write did: files written anew, files kept as they were, files removed (sorted)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def write_tree(root: Path, tree: Mapping[str, str], keep: Sequence[Path] = ()) -> Written:
    """Replace root with exactly tree: build it aside, then swap it in under a lock.

    A failure or a stop signal before the swap leaves the old tree; after it, the new one.
    root must not hold any path of keep (the spec, the working directory).
    """
    done = Written()
    shown = root.as_posix()
    root = Path(os.path.abspath(root))
    _refuse_unsafe_target(root, shown, keep)
    parent = root.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with DeferredSignals() as signals, locked(parent):
            _recover(parent, root.name)
            staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=parent))
            try:
                os.chmod(staging, _directory_mode(root))
                made: set[Path] = set()
                for relative, text in tree.items():
                    signals.check()
                    target = staging / relative
                    if target.parent not in made:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        made.add(target.parent)
                    kept = _place(root / relative, target, text.encode("utf-8"))
                    (done.unchanged if kept else done.written).append(relative)
                signals.check()
                _swap(staging, parent / root.name)
                # staging now holds the old tree: what it has and the new one lacks is gone.
                done.removed = sorted(
                    relative
                    for path in staging.rglob("*")
                    if path.is_file() and (relative := path.relative_to(staging).as_posix()) not in tree
                )
            finally:
                # After the swap, staging holds the old tree.
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise SpecError(
            [Diagnostic(shown, 0, 0, f"cannot write: {exc.strerror or exc}", code="N008")]
        ) from None
    except StopSignalError:
        # The signal is acted on when DeferredSignals exits; reaching here means it was ignored.
        return done
    done.written.sort()
    done.unchanged.sort()
    return done


def _place(current: Path, target: Path, data: bytes) -> bool:
    """Write data at target, or link the current file there when it already holds exactly data (True).

    Creating a file costs far more than linking one, and a compile usually changes few files; the
    old tree is removed after the swap, so the link never lets an edit reach a kept file.
    """
    try:
        if current.stat().st_size == len(data) and current.read_bytes() == data:
            os.link(current, target)
            return True
    except OSError:
        pass
    target.write_bytes(data)
    return False


# Every file nifty writes carries this in its first line.
MARKER = b"Generated by nifty"


def _refuse_unsafe_target(root: Path, shown: str, keep: Sequence[Path]) -> None:
    """Refuse to replace what is not an output tree: a file, the spec's folder, a project."""

    def refuse(why: str) -> NoReturn:
        raise SpecError(
            [Diagnostic(shown, 0, 0, f"{why}; refusing to replace it with the output", code="N008")]
        )

    if root.parent == root:
        refuse("is the root of the file system")
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        refuse("exists and is not a directory")
    for path in keep:
        inside = Path(os.path.abspath(path))
        if inside == root or root in inside.parents:
            refuse(f"holds {path.as_posix()}")
    if root.is_dir() and any(root.iterdir()) and not _generated(root):
        refuse("is not empty and holds no file generated by nifty")


def _generated(root: Path) -> bool:
    """Whether a folder holds a file nifty wrote, directly or one level down."""
    for path in itertools.islice(itertools.chain(root.iterdir(), root.glob("*/*")), 500):
        try:
            if path.is_file() and MARKER in path.open("rb").read(300):
                return True
        except OSError:
            continue
    return False


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
