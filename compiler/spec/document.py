"""A loaded spec: plain data plus the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.diagnostics import Diagnostic

Pos = tuple[int, int]
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Positions:
    """Where each key and value of the tree stands in the file (1-based line and column)."""

    keys: dict[Loc, Pos] = field(default_factory=dict)
    values: dict[Loc, Pos] = field(default_factory=dict)
    # The source text of each plain scalar, so that messages can quote what the user wrote.
    texts: dict[Loc, str] = field(default_factory=dict)
    # The file of each place that an included file holds (a spec in several files); others are the spec's.
    sources: dict[Loc, str] = field(default_factory=dict)

    def of_value(self, loc: Loc) -> Pos:
        """Position of the value at loc, or of its nearest ancestor that has one."""
        return self._nearest(loc, prefer_key=False)[1]

    def of_key(self, loc: Loc) -> Pos:
        """Position of the key at loc, or of its nearest ancestor that has one."""
        return self._nearest(loc, prefer_key=True)[1]

    def file_of(self, loc: Loc, default: str, *, key: bool = False) -> str:
        """The file that holds the place of_key (key) or of_value reports for loc."""
        found = self._nearest(loc, prefer_key=key)[0]
        return self.sources.get(found, default) if self.sources and found is not None else default

    def _nearest(self, loc: Loc, *, prefer_key: bool) -> tuple[Loc | None, Pos]:
        first, second = (self.keys, self.values) if prefer_key else (self.values, self.keys)
        for end in range(len(loc), -1, -1):
            prefix = loc[:end]
            if prefix in first:
                return prefix, first[prefix]
            if prefix in second:
                return prefix, second[prefix]
        return None, (1, 1)


@dataclass(frozen=True)
class Document:
    """A loaded spec: its display path, plain data and positions."""

    path: str
    data: dict[str, Any]
    positions: Positions
    # Problems that left the tree whole (ambiguous scalars, anchors, duplicate keys): reported
    # together with the model's own, which are dropped below the refused locations.
    problems: tuple[Diagnostic, ...] = ()
    refused: frozenset[Loc] = frozenset()
    # The files the spec includes (absolute paths, in the order read), besides the spec itself.
    included: tuple[str, ...] = ()
    # Values a component takes from a profile: the component's location -> the profile's.
    origins: dict[Loc, Loc] = field(default_factory=dict)

    def origin(self, loc: Loc) -> tuple[Loc, Loc] | None:
        """The component's location that came from a profile at or above loc, and the profile's."""
        if not self.origins:
            return None
        for end in range(len(loc), 0, -1):
            found = self.origins.get(loc[:end])
            if found is not None:
                return loc[:end], (*found, *loc[end:])
        return None

    def at(self, loc: Loc, *, key: bool) -> tuple[str, int, int]:
        """The file, line and column of loc's key (key) or value."""
        line, column = self.positions.of_key(loc) if key else self.positions.of_value(loc)
        return self.positions.file_of(loc, self.path, key=key), line, column

    def is_refused(self, loc: Loc) -> bool:
        """Whether loc lies at or below a value the loader already refused."""
        return any(loc[:end] in self.refused for end in range(len(loc) + 1))
