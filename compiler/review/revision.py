"""Read the out/ tree as a git revision holds it: the input side of `nifty diff`."""

from __future__ import annotations

import subprocess
from pathlib import Path

UNREADABLE = "\0 unreadable"


class RevisionError(Exception):
    """git cannot give the tree: not a repository, or an unknown revision."""


def _run_git(top: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(top), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None


def _git(top: Path, *args: str, stdin: bytes | None = None) -> bytes:
    result = _run_git(top, *args, stdin=stdin)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(message[-1].removeprefix("fatal: ") if message else f"git {args[0]} failed")
    return result.stdout


def _locate(path: Path, revision: str) -> tuple[Path, str]:
    """The repository's top folder and path's place in it; the revision checked to exist (one git call)."""
    if revision.startswith("-"):
        raise RevisionError(f"'{revision}' is not a revision")
    target = path.resolve()
    anchor = next(p for p in (target, *target.parents) if p.is_dir())
    found = _run_git(anchor, "rev-parse", "--show-toplevel", "--verify", "--quiet", f"{revision}^{{commit}}")
    lines = found.stdout.decode().splitlines()
    if found.returncode != 0 and not lines:
        # git's own "fatal: not a git repository (or any of the parent directories): .git".
        raise RevisionError(
            f"{display(path)} is not inside a git repository; nifty diff compares with out/ as a"
            " revision holds it (run it in the repository, or use `nifty compile --diff`)"
        )
    top = Path(lines[0]).resolve()
    if found.returncode != 0:
        raise RevisionError(f"unknown revision '{revision}'")
    try:
        prefix = target.relative_to(top).as_posix()
    except ValueError:
        raise RevisionError(f"{path} is not inside the git repository {top}") from None
    return top, prefix


def display(path: Path) -> str:
    """A path as the user wrote it, with a slash after a folder."""
    return f"{path.as_posix()}/" if path.is_dir() else path.as_posix()


def read_revision(out: Path, revision: str) -> dict[str, str]:
    """Every file below out/ at revision, keyed by POSIX path relative to out/ (empty if out/ was absent)."""
    top, prefix = _locate(out, revision)
    listing = _git(top, "ls-tree", "-r", "-z", "--full-tree", revision, "--", prefix)
    blobs: list[tuple[str, str]] = []
    for entry in filter(None, listing.split(b"\0")):
        meta, _, path = entry.decode("utf-8").partition("\t")
        _mode, kind, oid = meta.split()
        if kind == "blob" and _mode != "120000":
            blobs.append((path.removeprefix(f"{prefix}/"), oid))
    contents = _cat(top, [oid for _, oid in blobs])
    return dict(sorted((path, contents[oid]) for path, oid in blobs))


def read_file_at(path: Path, revision: str) -> bytes | None:
    """One file's bytes at revision (the spec, say); None when the revision has no such file."""
    top, prefix = _locate(path, revision)
    output = _git(top, "cat-file", "--batch", stdin=f"{revision}:{prefix}\n".encode())
    header, _, rest = output.partition(b"\n")
    fields = header.split()
    if len(fields) != 3 or fields[1] != b"blob":
        return None
    return rest[: int(fields[2])]


def _cat(top: Path, oids: list[str]) -> dict[str, str]:
    """The contents of blobs by id, read in one `git cat-file --batch`."""
    if not oids:
        return {}
    output = _git(top, "cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in oids).encode())
    contents: dict[str, str] = {}
    position = 0
    for oid in oids:
        header_end = output.index(b"\n", position)
        size = int(output[position:header_end].split()[2])
        body = output[header_end + 1 : header_end + 1 + size]
        position = header_end + 1 + size + 1
        try:
            contents[oid] = body.decode("utf-8")
        except UnicodeDecodeError:
            contents[oid] = UNREADABLE
    return contents
