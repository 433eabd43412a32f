"""Load the spec: bytes to a plain YAML tree plus the position of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from compiler.diagnostics import Diagnostic, SpecError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32

Pos = tuple[int, int]
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Positions:
    """Where each key and value of the tree stands in the file (1-based line and column)."""

    keys: dict[Loc, Pos] = field(default_factory=dict)
    values: dict[Loc, Pos] = field(default_factory=dict)

    def of_value(self, loc: Loc) -> Pos:
        """Position of the value at loc, or of its nearest ancestor that has one."""
        return self._nearest(loc, prefer_key=False)

    def of_key(self, loc: Loc) -> Pos:
        """Position of the key at loc, or of its nearest ancestor that has one."""
        return self._nearest(loc, prefer_key=True)

    def _nearest(self, loc: Loc, *, prefer_key: bool) -> Pos:
        first, second = (self.keys, self.values) if prefer_key else (self.values, self.keys)
        for end in range(len(loc), -1, -1):
            prefix = loc[:end]
            if prefix in first:
                return first[prefix]
            if prefix in second:
                return second[prefix]
        return (1, 1)


@dataclass(frozen=True)
class Document:
    """A loaded spec: its display path, plain data and positions."""

    path: str
    data: dict[str, Any]
    positions: Positions


def read_spec(path: Path, display: str | None = None) -> Document:
    """Read and parse the spec file at path."""
    shown = display or str(path)
    if not path.exists():
        raise SpecError([Diagnostic(shown, 0, 0, "spec file not found")])
    if path.is_dir():
        raise SpecError([Diagnostic(shown, 0, 0, "is a directory, expected a YAML file")])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Diagnostic(shown, 0, 0, f"cannot read: {exc.strerror}")]) from None
    return parse_spec(raw, shown)


def parse_spec(raw: bytes, path: str) -> Document:
    """Parse spec bytes into a Document, refusing YAML hazards with positioned diagnostics."""
    if len(raw) > MAX_BYTES:
        raise SpecError([Diagnostic(path, 0, 0, f"file is {len(raw)} bytes; the limit is {MAX_BYTES}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position_of_offset(raw, exc.start)
        raise SpecError([Diagnostic(path, line, column, "file is not valid UTF-8")]) from None
    text = text.removeprefix("\ufeff")
    _refuse_text_hazards(text, path)
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "malformed YAML"
        if "duplicate key" in str(exc):
            problem = _duplicate_key_message(str(exc))
        raise SpecError([Diagnostic(path, line, column, problem)]) from None
    except YAMLError as exc:
        raise SpecError([Diagnostic(path, 1, 1, f"malformed YAML: {exc}")]) from None
    except RecursionError:
        raise SpecError([Diagnostic(path, 1, 1, f"nesting is deeper than {MAX_DEPTH} levels")]) from None
    if tree is None:
        raise SpecError(
            [Diagnostic(path, 1, 1, "the spec is empty; expected a mapping with 'system' and 'layers'")]
        )
    if not isinstance(tree, CommentedMap):
        raise SpecError(
            [Diagnostic(path, 1, 1, f"the spec must be a mapping at the top level, found {_kind(tree)}")]
        )
    positions = Positions()
    problems: list[Diagnostic] = []
    data = _plain(tree, (), positions, problems, path)
    if problems:
        raise SpecError(problems)
    assert isinstance(data, dict)
    return Document(path, data, positions)


def _refuse_text_hazards(text: str, path: str) -> None:
    """Refuse what the parser would accept silently: tab indentation and the %YAML directive."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            problems.append(
                Diagnostic(path, number, indent.index("\t") + 1, "tab in indentation; indent with spaces")
            )
        if line.startswith("%YAML"):
            problems.append(
                Diagnostic(path, number, 1, "a %YAML directive is not allowed; the spec is YAML 1.2")
            )
    if problems:
        raise SpecError(problems)


def _plain(node: Any, loc: Loc, positions: Positions, problems: list[Diagnostic], path: str) -> Any:
    """Convert a ruamel node to plain Python, recording positions and refusing anchors."""
    if len(loc) > MAX_DEPTH:
        line, column = positions.of_value(loc)
        problems.append(Diagnostic(path, line, column, f"nesting is deeper than {MAX_DEPTH} levels"))
        return None
    anchor = getattr(node, "anchor", None)
    if anchor is not None and getattr(anchor, "value", None):
        line, column = positions.of_value(loc)
        problems.append(
            Diagnostic(path, line, column, f"anchors and aliases are not allowed (found '&{anchor.value}')")
        )
    if isinstance(node, CommentedMap):
        result: dict[str, Any] = {}
        for key in node:
            key_line, key_col = node.lc.key(key)
            value_line, value_col = node.lc.value(key)
            child = (*loc, str(key))
            positions.keys[child] = (key_line + 1, key_col + 1)
            positions.values[child] = (value_line + 1, value_col + 1)
            if not isinstance(key, str):
                problems.append(
                    Diagnostic(
                        path,
                        key_line + 1,
                        key_col + 1,
                        f"keys must be strings, found {_kind(key)} {key!r}",
                    )
                )
            result[str(key)] = _plain(node[key], child, positions, problems, path)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, item in enumerate(node):
            item_line, item_col = node.lc.item(index)
            child = (*loc, index)
            positions.values[child] = (item_line + 1, item_col + 1)
            items.append(_plain(item, child, positions, problems, path))
        return items
    return _scalar(node)


def _scalar(node: Any) -> Any:
    """Strip ruamel's scalar subclasses so that strict validation sees plain types."""
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return bool(node) if type(node).__name__ == "ScalarBoolean" else int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return str(node)


def _kind(value: Any) -> str:
    """Name a YAML value's kind the way a spec author would."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else "a scalar"


def _duplicate_key_message(text: str) -> str:
    """Turn ruamel's duplicate-key report into one line."""
    for line in text.splitlines():
        if "found duplicate key" in line:
            return line.strip().rstrip(".") + " (each key may appear once in a mapping)"
    return "duplicate key"


def _position_of_offset(raw: bytes, offset: int) -> Pos:
    """1-based line and column of a byte offset."""
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column
