"""A spec in several files: `include:` lists files whose sections join the including file's.

The `layers` of every file append in order (the including file's, then each included file's,
depth first); `environments`, `profiles` and an environment's `components` merge by name, and an
environment's keys by key; any other value may be set in one file only. Every key and value
keeps the file, line and column it was written at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from compiler.diagnostics import Diagnostic, SpecError, clip
from compiler.spec.document import Document, Loc, Positions
from compiler.spec.load import read_spec
from compiler.spec.positions import describe

INCLUDE = "include"
# Enough for one file per layer and per team, well short of a runaway.
MAX_FILES = 200


def read_system(path: Path, display: str | None = None) -> Document:
    """Read the spec at path with every file it includes, as one Document."""
    root = read_spec(path, display)
    if INCLUDE not in root.data:
        return root
    joined = _Joined(path.resolve().parent, root.path)
    joined.add(root, path.resolve(), ())
    if joined.problems:
        raise SpecError([*joined.problems, *(p for doc in joined.docs for p in doc.problems)])
    return Document(
        root.path,
        joined.data,
        joined.positions,
        tuple(p for doc in joined.docs for p in doc.problems),
        frozenset(joined.refused),
        included=tuple(str(source) for source in joined.files[1:]),
    )


@dataclass
class _Joined:
    """The tree of every file read so far, with positions named by file."""

    folder: Path
    shown: str
    data: dict[str, Any] = field(default_factory=dict)
    positions: Positions = field(default_factory=Positions)
    refused: set[Loc] = field(default_factory=set)
    problems: list[Diagnostic] = field(default_factory=list)
    docs: list[Document] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def add(self, doc: Document, path: Path, chain: tuple[Path, ...]) -> None:
        """Merge doc (read from path, included along chain) and then the files it includes."""
        self.docs.append(doc)
        self.files.append(path)
        includes = doc.data.get(INCLUDE)
        offset = len(self.data.get("layers") or []) if isinstance(self.data.get("layers"), list) else 0
        moved = _Mover(offset, doc.path)
        for key, value in doc.data.items():
            if key != INCLUDE:
                self._merge(self.data, key, value, doc, (key,), moved)
        self.refused.update(moved.loc(loc) for loc in doc.refused)
        for target, entry in self._targets(doc, path.parent, includes):
            here = (*chain, path)
            if target == path:
                self._problem(doc, entry, "a file cannot include itself")
            elif target in here:
                cycle = " -> ".join(self.shown_as(p) for p in (*here[here.index(target) :], target))
                self._problem(doc, entry, f"includes a file that includes it again ({cycle})")
            elif target in self.files:
                self._problem(doc, entry, f"'{self.shown_as(target)}' is already included; include it once")
            elif len(self.files) >= MAX_FILES:
                self._problem(doc, entry, f"the spec has more than {MAX_FILES} files")
            else:
                try:
                    included = read_spec(target, self.shown_as(target))
                except SpecError as error:
                    self.problems.extend(error.diagnostics)
                    continue
                self.add(included, target, here)

    def shown_as(self, path: Path) -> str:
        """A file of the spec as messages name it: beside the spec as the spec is shown."""
        return (PurePosixPath(self.shown).parent / path.relative_to(self.folder).as_posix()).as_posix()

    def _targets(self, doc: Document, base: Path, includes: Any) -> list[tuple[Path, Loc]]:
        """The files doc includes, relative to it, each checked to lie in the spec's folder."""
        if includes is None:
            return []
        if not isinstance(includes, list):
            self._problem(doc, (INCLUDE,), "must be a list of spec files, e.g. [layers/storage.yaml]")
            return []
        found = []
        for index, item in enumerate(includes):
            entry: Loc = (INCLUDE, index)
            if not isinstance(item, str) or not item.endswith((".yaml", ".yml")):
                self._problem(doc, entry, "an include is a relative path to a .yaml file")
                continue
            if PurePosixPath(item).is_absolute() or "\\" in item:
                self._problem(doc, entry, f"'{clip(item)}' must be relative to the including file")
                continue
            target = (base / item).resolve()
            if not target.is_relative_to(self.folder):
                self._problem(
                    doc, entry, f"'{clip(item)}' lies outside the spec's folder; include files below it"
                )
                continue
            if not target.is_file():
                self._problem(doc, entry, f"cannot include '{clip(item)}': no such file")
                continue
            found.append((target, entry))
        return found

    def _merge(
        self, into: dict[str, Any], key: str, value: Any, doc: Document, loc: Loc, moved: _Mover
    ) -> None:
        """Put doc's key and value at loc, merging mappings and appending layers."""
        target = moved.loc(loc)
        if key not in into:
            into[key] = value
            moved.copy(doc.positions, loc, self.positions)
            return
        current = into[key]
        if isinstance(current, dict) and isinstance(value, dict) and _mergeable(loc):
            for child, item in value.items():
                self._merge(current, child, item, doc, (*loc, child), moved)
            return
        if loc == ("layers",) and isinstance(current, list) and isinstance(value, list):
            current.extend(value)
            moved.copy(doc.positions, loc, self.positions, keep_top=True)
            return
        line, column = doc.positions.of_key(loc)
        first_line = self.positions.of_key(target)[0]
        first = self.positions.sources.get(target, self.shown)
        dotted = ".".join(str(part) for part in loc)
        self.problems.append(
            Diagnostic(
                doc.path,
                line,
                column,
                f"'{clip(dotted)}' is already set in {first} (line {first_line}); set it in one file",
                code="N002",
            )
        )

    def _problem(self, doc: Document, loc: Loc, message: str) -> None:
        line, column = doc.positions.of_value(loc)
        self.problems.append(
            Diagnostic(doc.path, line, column, f"{describe(doc.data, loc)}: {message}", code="N002")
        )


def _mergeable(loc: Loc) -> bool:
    """Mappings that several files may add to: environments and profiles, an environment's components."""
    return loc in {("environments",), ("profiles",)} or (
        loc[:1] == ("environments",) and (len(loc) == 2 or (len(loc) == 3 and loc[2] == "components"))
    )


@dataclass(frozen=True)
class _Mover:
    """Moves the locations of one file into the joined tree: its layers come after the others'."""

    offset: int
    path: str

    def loc(self, loc: Loc) -> Loc:
        if self.offset and len(loc) >= 2 and loc[0] == "layers" and isinstance(loc[1], int):
            return ("layers", loc[1] + self.offset, *loc[2:])
        return loc

    def copy(self, source: Positions, below: Loc, into: Positions, *, keep_top: bool = False) -> None:
        """Copy the positions of below and everything under it, recording the file they stand in."""
        size = len(below)

        def inside(loc: Loc) -> bool:
            return loc[:size] == below and not (keep_top and len(loc) == size)

        into.keys.update((self.loc(loc), pos) for loc, pos in source.keys.items() if inside(loc))
        into.values.update((self.loc(loc), pos) for loc, pos in source.values.items() if inside(loc))
        into.texts.update((self.loc(loc), text) for loc, text in source.texts.items() if inside(loc))
        for table in (source.keys, source.values):
            into.sources.update((self.loc(loc), self.path) for loc in table if inside(loc))
