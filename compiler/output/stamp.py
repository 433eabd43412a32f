"""A local record of the last compile: content hashes of every input and output.

`nifty compile` and `nifty compile --check` on an unchanged tree answer from it without loading the
compiler: they hash the compiler's own sources, the versions of the libraries that shape the output,
the spec, the monitoring folder and every file of out/, and compare them with the record. Anything
that differs (a hand edit in out/, an extra or missing file, a changed input, compiler or library)
sends the command down the full compile, which stays the arbiter.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

CACHE_DIR = ".nifty-cache"
FORMAT = 1
# Files whose bytes change with the versions of the libraries that shape the output: the schema
# (pydantic), the reading of YAML (PyYAML) and the precise report of a syntax error (ruamel).
DEPENDENCY_FILES = (("pydantic", "version.py"), ("yaml", "__init__.py"), ("ruamel.yaml", "__init__.py"))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files_below(folder: Path) -> list[Path]:
    """Every regular file below folder, sorted; empty when folder is missing."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        found.extend(Path(root) / name for name in sorted(files))
    return found


# The whole compiler package: this module lives one folder below it.
PACKAGE = Path(__file__).resolve().parent.parent


def code_fingerprint(package: Path = PACKAGE) -> str:
    """One hash over the compiler's sources, the interpreter and the libraries that shape the output."""
    hasher = hashlib.sha256()
    hasher.update(f"{FORMAT}\0{sys.version}\0".encode())
    for path in _files_below(package):
        if path.suffix == ".py":
            hasher.update(f"{path.relative_to(package).as_posix()}\0".encode())
            hasher.update(_digest(path.read_bytes()).encode())
    for module, name in DEPENDENCY_FILES:
        found = importlib.util.find_spec(module)
        origin = Path(found.origin) if found and found.origin else None
        hasher.update(f"\0{module}\0".encode())
        if origin is not None:
            hasher.update(_digest((origin.parent / name).read_bytes()).encode())
    return hasher.hexdigest()


def inputs_fingerprint(
    spec: Path,
    monitoring: Path,
    source: str,
    package: Path = PACKAGE,
    code: str | None = None,
    included: tuple[str, ...] = (),
) -> str:
    """One hash over the compiler (code_fingerprint, unless given), the spec and its includes, monitoring/.

    The included files are those the last compile read: the spec and they decide which files are
    included, so while none of them changes, neither does the list.
    """
    hasher = hashlib.sha256()
    hasher.update(f"{code or code_fingerprint(package)}\0{source}\0".encode())
    hasher.update(b"\0spec\0" + _digest(spec.read_bytes()).encode())
    for name in included:
        hasher.update(f"\0include\0{name}\0".encode() + _digest(Path(name).read_bytes()).encode())
    for path in _files_below(monitoring):
        hasher.update(f"\0{path.relative_to(monitoring).as_posix()}\0".encode())
        hasher.update(_digest(path.read_bytes()).encode())
    return hasher.hexdigest()


def fingerprint_or_none(
    spec: Path, monitoring: Path, source: str, code: str, included: tuple[str, ...] = ()
) -> str | None:
    """The inputs' fingerprint, or None when they cannot be read (the full compile then reports why)."""
    try:
        return inputs_fingerprint(spec, monitoring, source, code=code, included=included)
    except OSError:
        return None


def tree_hashes(tree: Mapping[str, str]) -> dict[str, str]:
    """The content hash of every file of an in-memory tree."""
    return {path: _digest(text.encode("utf-8")) for path, text in sorted(tree.items())}


def disk_hashes(out: Path) -> dict[str, str]:
    """The content hash of every file below out/, keyed like the in-memory tree."""
    return {path.relative_to(out).as_posix(): _digest(path.read_bytes()) for path in _files_below(out)}


def cache_file(out: Path) -> Path:
    """Where the record of out/ lives: beside it, in a folder git ignores."""
    return out.parent / CACHE_DIR / f"{out.name}.json"


def record(
    out: Path,
    fingerprint: str,
    tree: Mapping[str, str],
    included: tuple[str, ...] = (),
    calendar_end: str | None = None,
) -> None:
    """Remember that out/ holds tree for these inputs; a failure to record is harmless."""
    saved = {
        "inputs": fingerprint,
        "included": list(included),
        "outputs": tree_hashes(tree),
        "calendar_end": calendar_end,
    }
    _write_quietly(cache_file(out), json.dumps(saved))


def recorded_calendar_end(out: Path) -> str | None:
    """The market calendar's last listed day at the recorded compile, as YYYY-MM-DD, if it had one."""
    try:
        saved = json.loads(cache_file(out).read_text(encoding="utf-8"))
        end = saved.get("calendar_end")
        return end if isinstance(end, str) else None
    except (OSError, ValueError, AttributeError):
        return None


def _write_quietly(target: Path, text: str) -> None:
    """Replace target with text in one step; the cache is an aid, so a failure is ignored."""
    try:
        target.parent.mkdir(exist_ok=True)
        staging = target.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(text, encoding="utf-8")
        staging.replace(target)
    except OSError:
        pass


def recorded_included(out: Path) -> tuple[str, ...]:
    """The files the spec included at the recorded compile; none when there is no usable record."""
    try:
        saved = json.loads(cache_file(out).read_text(encoding="utf-8"))
        included = saved.get("included", [])
        return tuple(str(path) for path in included) if isinstance(included, list) else ()
    except (OSError, ValueError, AttributeError):
        return ()


def is_current(out: Path, fingerprint: str) -> bool:
    """Whether out/ is exactly what the recorded compile of these inputs wrote."""
    try:
        saved = json.loads(cache_file(out).read_text(encoding="utf-8"))
        return bool(saved["inputs"] == fingerprint and saved["outputs"] == disk_hashes(out))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def schema_cache_file(out: Path) -> Path:
    """Where the JSON Schema of the last compiler that wrote out/ is kept."""
    return out.parent / CACHE_DIR / f"{out.name}.schema.json"


def cached_schema(out: Path, code: str) -> str | None:
    """The schema text this very compiler generated before, or None.

    The schema follows from the compiler alone (its input models and pydantic), not from the spec, so
    after an edit of the spec the compile reuses it instead of generating it again.
    """
    try:
        saved = json.loads(schema_cache_file(out).read_text(encoding="utf-8"))
        return saved["text"] if saved["code"] == code and isinstance(saved["text"], str) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def keep_schema(out: Path, code: str, text: str) -> None:
    """Keep the schema text for the next compile by the same compiler; a failure is harmless."""
    _write_quietly(schema_cache_file(out), json.dumps({"code": code, "text": text}))
