"""No file the repository ships to a cluster or a reader holds a credential-shaped value."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.spec.credentials import credential_kind
from compiler.spec.leaks import looks_like_credential
from tests.tools import ROOT, objects, scalars, system_name, systems

# What a system ships: its spec, hand-written monitoring files and compiled tree. tests/ holds fake
# credentials on purpose and is not shipped.
SHIPPED_FOLDERS = ("spec", "monitoring", "out")
SYSTEMS = systems()


def _texts(path: Path) -> list[str]:
    """The strings of a file: every scalar of YAML and JSON (whose keys name fields), else every line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml", ".json"):
        return [s for doc in objects(text) for s in scalars(doc)]
    return text.splitlines()


def _leaks(path: Path) -> list[str]:
    return [t for t in _texts(path) if credential_kind(t) or looks_like_credential(t)]


@pytest.mark.parametrize("folder", SYSTEMS, ids=[system_name(f) for f in SYSTEMS])
def test_the_shipped_files_hold_no_credential(folder: Path) -> None:
    files = [p for name in SHIPPED_FOLDERS for p in sorted((folder / name).rglob("*")) if p.is_file()]
    # The record of the last compile (git ignores it) holds hashes, not values.
    scanned = [p for p in files if ".nifty-cache" not in p.parts]
    assert scanned, f"{system_name(folder)} ships no file"
    assert {p.relative_to(folder).as_posix(): _leaks(p) for p in scanned if _leaks(p)} == {}


def test_the_documentation_holds_no_credential() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert {p.relative_to(ROOT).as_posix(): _leaks(p) for p in pages if _leaks(p)} == {}
