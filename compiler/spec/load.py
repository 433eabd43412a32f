"""Load the spec: bytes to a plain YAML tree plus the position of every key and value.

The tree is composed from the parser's event stream rather than by a library's composer, so that
aliases are never expanded (no alias bombs), nesting is capped before it can recurse, and every
plain scalar is resolved by the YAML 1.2 core schema and checked against its YAML 1.1 reading.
Events come from libyaml (through PyYAML's C parser), about fifteen times faster than a pure-Python
parser; when it finds a syntax error in a spec of ordinary size, ruamel's pure parser (imported
only then, to keep start-up light) reads the text again and its more precise report is the one shown.
"""

from __future__ import annotations

import difflib
import itertools
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as pyyaml
from yaml import events as fast
from yaml.error import Mark, MarkedYAMLError, YAMLError

from compiler.diagnostics import Diagnostic, SpecError, clip
from compiler.spec.document import Document, Loc, Pos, Positions
from compiler.spec.positions import describe
from compiler.syntax.scalars import ambiguity, resolve

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "Loc",
    "Pos",
    "Positions",
    "parse_spec",
    "read_spec",
]

# The shipped spec is a few KiB and 4,000 components take about 700 KiB; libyaml reads 4 MiB in
# well under a second.
MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
# 4,000 components hold about 40,000 values; the cap bounds composing time for any input.
MAX_NODES = 50_000
# Up to this size a syntax error is reported again by the pure-Python parser (about 1 s per 256 KiB).
PRECISE_REPORT_BYTES = 256 * 1024
MAX_PROBLEMS = 100
# YAML 1.1's merge key copies a mapping in; a profile does that with positions and overrides.
MERGE_KEY = (
    "merge keys ('<<') are not allowed; put the shared settings under `profiles:`"
    " and pick them up with `profile: <name>`"
)
# Characters YAML forbids in a stream (c-printable), reported before the parser sees them.
# A byte-order mark is allowed only at the start of the file (removed before this check).
_NON_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


# libyaml's events; the pure parser's are translated into them (see _pure_events).
Event = fast.Event
ScalarEvent = fast.ScalarEvent
AliasEvent = fast.AliasEvent
CollectionStartEvent = fast.CollectionStartEvent
DocumentStartEvent = fast.DocumentStartEvent
MappingStartEvent = fast.MappingStartEvent
CollectionEndEvent = fast.MappingEndEvent | fast.SequenceEndEvent


class _StopError(Exception):
    """A fatal problem was found; composing stops at once."""


def read_spec(path: Path, display: str | None = None) -> Document:
    """Read and parse the spec file at path."""
    shown = display or str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SpecError([Diagnostic(shown, 0, 0, _not_found(path), code="N008")]) from None
    except OSError as exc:
        raise SpecError(
            [Diagnostic(shown, 0, 0, f"cannot read the spec: {exc.strerror}", code="N008")]
        ) from None
    if stat.S_ISDIR(mode):
        raise SpecError([Diagnostic(shown, 0, 0, "is a directory, expected a YAML file", code="N008")])
    if not stat.S_ISREG(mode):
        # A FIFO or a device would block or never end.
        raise SpecError([Diagnostic(shown, 0, 0, "is not a regular file, expected a YAML file", code="N008")])
    try:
        with path.open("rb") as handle:
            # Read one byte past the cap: enough to refuse a huge file without reading it all.
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecError(
            [Diagnostic(shown, 0, 0, f"cannot read the spec: {exc.strerror}", code="N008")]
        ) from None
    return parse_spec(raw, shown)


def _not_found(path: Path) -> str:
    """Where nifty looked, and how to point it elsewhere."""
    where = (
        "pass --spec PATH"
        if path.is_absolute()
        else "pass --spec PATH, or run nifty from the repository root"
    )
    near = _near_miss(path)
    if near is not None:
        return f"spec file not found (looked for {path.absolute()}); did you mean {near}?"
    return f"spec file not found (looked for {path.absolute()}); {where}"


def _near_miss(path: Path) -> str | None:
    """A YAML file beside path whose name is close to it (`sytem.yaml` for `system.yaml`), as written."""
    try:
        names = sorted(p.name for p in path.parent.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    except OSError:
        return None
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.75)
    return (path.parent / close[0]).as_posix() if close else None


def parse_spec(raw: bytes, path: str) -> Document:
    """Parse spec bytes into a Document, refusing YAML hazards with positioned diagnostics."""
    if len(raw) > MAX_BYTES:
        raise SpecError(
            [
                Diagnostic(
                    path,
                    0,
                    0,
                    f"the spec is larger than {MAX_BYTES // 1024} KiB; is this the right file?",
                    code="N001",
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position_of_offset(raw, exc.start)
        raise SpecError(
            [
                Diagnostic(
                    path,
                    line,
                    column,
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save as UTF-8",
                    code="N001",
                )
            ]
        ) from None
    text = text.removeprefix("\ufeff")
    _refuse_text_hazards(text, path)
    composer = _Composer(path)
    tree = composer.compose(_events(text))
    if composer.fatal:
        raise SpecError(composer.problems)
    if tree is None:
        raise SpecError(
            [
                Diagnostic(
                    path,
                    1,
                    1,
                    "the spec is empty; expected a mapping with 'system' and 'layers'",
                    code="N001",
                )
            ]
        )
    if not isinstance(tree, dict):
        raise SpecError(
            [
                *composer.problems,
                Diagnostic(
                    path,
                    1,
                    1,
                    f"the spec must be a mapping at the top level, found {_kind(tree)}",
                    code="N001",
                ),
            ]
        )
    return Document(path, tree, composer.positions, tuple(composer.problems), frozenset(composer.refused))


def _events(text: str) -> Iterator[Event]:
    """The parser's events for text; lazy, so that a refusal stops the parser too."""
    delivered = 0
    try:
        for event in pyyaml.parse(text, Loader=pyyaml.CSafeLoader):
            delivered += 1
            yield event
        return
    except MarkedYAMLError:
        if len(text) > PRECISE_REPORT_BYTES:
            raise
    # The pure parser's events match up to the error, where it raises its own, more precise report.
    yield from itertools.islice(_pure_events(text), delivered, None)


def _pure_events(text: str) -> Iterator[Event]:
    """ruamel's pure parser's events and errors, as libyaml's; imported only to report an error."""
    from ruamel.yaml import YAML
    from ruamel.yaml import error as pure

    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            yield _libyaml_event(event)
    except pure.MarkedYAMLError as exc:
        context, problem = _libyaml_mark(exc.context_mark), _libyaml_mark(exc.problem_mark)
        raise MarkedYAMLError(exc.context, context, exc.problem, problem) from None
    except pure.YAMLError as exc:
        raise YAMLError(str(exc)) from None


def _libyaml_event(event: Any) -> Event:
    """The libyaml event a pure-parser event stands for, with what the composer reads of it."""
    kind: type[Event] = getattr(fast, type(event).__name__)
    translated = kind.__new__(kind)
    for name in ("anchor", "tag", "value", "style"):
        setattr(translated, name, getattr(event, name, None))
    translated.start_mark = translated.end_mark = _libyaml_mark(event.start_mark)
    return translated


def _libyaml_mark(mark: Any) -> Mark | None:
    """A pure-parser mark as libyaml's; only the line and column are read."""
    return None if mark is None else Mark("", 0, mark.line, mark.column, None, 0)


def _refuse_text_hazards(text: str, path: str) -> None:
    """Refuse what the parser would accept silently or report badly: tabs, directives, control bytes."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            problems.append(
                Diagnostic(
                    path,
                    number,
                    indent.index("\t") + 1,
                    "tab in indentation; indent with spaces",
                    code="N001",
                )
            )
        if line.startswith("%YAML"):
            problems.append(
                Diagnostic(
                    path,
                    number,
                    1,
                    "a %YAML directive is not allowed; the spec is read as YAML 1.2",
                    code="N001",
                )
            )
        elif line.startswith("%TAG"):
            problems.append(Diagnostic(path, number, 1, "a %TAG directive is not allowed", code="N001"))
        for match in itertools.islice(_NON_PRINTABLE.finditer(line), MAX_PROBLEMS):
            problems.append(
                Diagnostic(
                    path,
                    number,
                    match.start() + 1,
                    f"{_character(match.group())} is not allowed; remove it",
                    code="N001",
                )
            )
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise SpecError(problems[:MAX_PROBLEMS])


@dataclass
class _Frame:
    """A mapping or sequence being composed."""

    loc: Loc
    value: dict[str, Any] | list[Any]
    key: str | None = None
    key_pos: Pos = (0, 0)
    skip: bool = False


@dataclass
class _Composer:
    """Builds plain data from parser events, recording positions and collecting problems."""

    path: str
    positions: Positions = field(default_factory=Positions)
    problems: list[Diagnostic] = field(default_factory=list)
    root: Any = None
    stack: list[_Frame] = field(default_factory=list)
    placed: list[tuple[tuple[Loc, bool], Pos, str, bool]] = field(default_factory=list)
    refused: set[Loc] = field(default_factory=set)
    fatal: bool = False

    def compose(self, events: Iterable[Event]) -> Any:
        """The first document's data, or None when problems stop composing."""
        documents = 0
        try:
            for count, event in enumerate(events):
                if count > 2 * MAX_NODES:
                    self._fatal(
                        _pos(event), f"the spec has more than {MAX_NODES} values; is this the right file?"
                    )
                if isinstance(event, DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        self._fatal(_pos(event), "only one YAML document is allowed; remove the '---'")
                else:
                    self._event(event)
                if len(self.problems) + len(self.placed) >= MAX_PROBLEMS:
                    self.fatal = True
                    break
        except _StopError:
            pass
        except MarkedYAMLError as exc:
            self.fatal = True
            self._problem(
                _mark(exc.problem_mark or exc.context_mark), f"malformed YAML: {_parser_message(exc)}"
            )
        except YAMLError as exc:
            self.fatal = True
            self._problem((1, 1), f"malformed YAML: {_one_line(str(exc))}")
        self._report_placed()
        return self.root

    def _event(self, event: Event) -> None:
        """Apply one event to the tree under construction."""
        if isinstance(event, ScalarEvent):
            self._refuse_anchor_and_tag(event)
            self._add(self._scalar(event), _pos(event), is_scalar=True)
        elif isinstance(event, AliasEvent):
            message = f"aliases are not allowed (found '*{clip(event.anchor or '')}'); write the value out"
            self._place(self._next_loc(), _pos(event), message, refuse=True)
            self._add(None, _pos(event), is_scalar=True)
        elif isinstance(event, CollectionStartEvent):
            self._refuse_anchor_and_tag(event)
            if len(self.stack) >= MAX_DEPTH:
                self._fatal(_pos(event), f"nesting is deeper than {MAX_DEPTH} levels")
            value: dict[str, Any] | list[Any] = {} if isinstance(event, MappingStartEvent) else []
            loc = self._add(value, _pos(event), is_scalar=False)
            self.stack.append(_Frame(loc, value))
        elif isinstance(event, CollectionEndEvent):
            self.stack.pop()

    def _scalar(self, event: ScalarEvent) -> Any:
        """A scalar's value: plain ones by the YAML 1.2 core schema, quoted and block ones as text."""
        # libyaml reports the plain style as '', the pure parser as None.
        if event.style or event.tag is not None:
            return event.value
        value = resolve(event.value)
        loc, is_key = self._next_loc(event.value)
        if not is_key and not isinstance(value, str):
            self.positions.texts[loc] = event.value
        reason = MERGE_KEY if is_key and event.value == "<<" else ambiguity(event.value)
        if reason is not None:
            self._place((loc, is_key), _pos(event), reason, refuse=True)
        return value

    def _next_loc(self, key: str = "") -> tuple[Loc, bool]:
        """The location the next node takes, and whether it is a key (named key if so)."""
        if not self.stack:
            return (), False
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return (*frame.loc, len(frame.value)), False
        if frame.key is None and not frame.skip:
            return (*frame.loc, key), True
        return (*frame.loc, frame.key or ""), False

    def _add(self, value: Any, pos: Pos, *, is_scalar: bool) -> Loc:
        """Place a node in its parent (as a key or a value) and return its location."""
        if not self.stack:
            self.root = value
            self.positions.values[()] = pos
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            loc = (*frame.loc, len(frame.value))
            frame.value.append(value)
            self.positions.values[loc] = pos
            return loc
        if frame.key is None and not frame.skip:
            return self._add_key(frame, value, pos, is_scalar=is_scalar)
        loc = (*frame.loc, frame.key or "")
        if not frame.skip and frame.key is not None:
            frame.value[frame.key] = value
            self.positions.values[loc] = pos
        frame.key, frame.skip = None, False
        return loc

    def _add_key(self, frame: _Frame, key: Any, pos: Pos, *, is_scalar: bool) -> Loc:
        """Record a mapping key; refuse keys that are not strings and keys given twice."""
        assert isinstance(frame.value, dict)
        frame.skip = True
        if not is_scalar:
            self._problem(pos, "a key must be a plain string, not a list or mapping")
            self.fatal = True
        elif not isinstance(key, str):
            message = f'a key must be a string, found {_kind(key)}; quote it: "{clip(_shown(key))}"'
            self._place(((*frame.loc, ""), True), pos, message, refuse=False)
        elif key in frame.value:
            first = self.positions.keys[(*frame.loc, key)]
            message = f"duplicate key '{clip(key)}' (first at line {first[0]}); each key may appear once"
            self._place(((*frame.loc, key), True), pos, message, refuse=False)
        else:
            frame.key, frame.skip = key, False
            self.positions.keys[(*frame.loc, key)] = pos
            frame.value[key] = None
        # A refused key's value is composed into a detached place and dropped.
        return (*frame.loc, "")

    def _refuse_anchor_and_tag(self, event: ScalarEvent | CollectionStartEvent) -> None:
        """Anchors enable alias bombs and tags change types; a spec needs neither."""
        place = self._next_loc(event.value if isinstance(event, ScalarEvent) else "")
        if event.anchor:
            message = (
                f"anchors are not allowed (found '&{clip(event.anchor)}'); write the value out,"
                " or share a component's settings through a profile"
            )
            self._place(place, _pos(event), message, refuse=False)
        if event.tag is None:
            return
        tag = event.tag
        if tag.startswith("tag:yaml.org,2002:"):
            tag = "!!" + tag.rsplit(":", 1)[-1]
        message = f"tags are not allowed (found '{clip(tag)}'); write the plain value"
        self._place(place, _pos(event), message, refuse=True)

    def _place(self, place: tuple[Loc, bool], pos: Pos, message: str, *, refuse: bool) -> None:
        """Record a problem at a place of the tree, to be named once the tree is complete."""
        self.placed.append((place, pos, message, refuse))

    def _report_placed(self) -> None:
        """Placed problems, named by where they stand (layer names need the composed tree)."""
        data = self.root if isinstance(self.root, dict) else {}
        for (loc, is_key), pos, message, refuse in self.placed:
            where = describe(data, loc[:-1] if is_key else loc)
            self._problem(pos, f"{where}: {message}" if where else message, loc if refuse else None)

    def _problem(self, pos: Pos, message: str, refused: Loc | None = None) -> None:
        """Record a problem that leaves the tree whole; validation skips what lies below refused."""
        self.problems.append(Diagnostic(self.path, pos[0], pos[1], message, code="N001"))
        if refused is not None:
            self.refused.add(refused)

    def _fatal(self, pos: Pos, message: str) -> None:
        """Record a problem after which the tree cannot be trusted, and stop composing."""
        self.fatal = True
        self._problem(pos, message)
        raise _StopError


def _character(char: str) -> str:
    """Name a character a spec may not hold."""
    kind = "byte-order mark" if char == "\ufeff" else "control character"
    return f"{kind} U+{ord(char):04X}"


def _pos(event: Event) -> Pos:
    """1-based line and column of an event."""
    return _mark(event.start_mark)


def _mark(mark: Any) -> Pos:
    """1-based line and column of a parser mark."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


# The parser's wording, in the words of someone editing the spec (checked in this order).
_PARSER_PROBLEMS = (
    (
        "expected <block end>, but found '<block mapping start>'",
        "this line is indented differently from the lines above it",
    ),
    ("expected <block end>", "unexpected content; check the indentation of this line"),
    ("mapping values are not allowed", "a ':' is not allowed here; quote a value that contains ': '"),
    ("could not find expected ':'", "expected 'key: value'; is a ':' missing?"),
    ("expected ',' or ']'", "expected ',' or ']'; is the closing ']' missing?"),
    ("expected ',' or '}'", "expected ',' or '}'; is the closing '}' missing?"),
    ("cannot start any token", "this character cannot start a value; quote the value"),
    ("found unexpected end of stream", "the file ends inside a quoted value; is a closing quote missing?"),
)
_MAX_KEY = 1024
_PARSER_CONTEXTS = (
    ("block collection", "the block"),
    ("block mapping", "the mapping"),
    ("flow sequence", "the [...] list"),
    ("flow mapping", "the {...} mapping"),
    ("quoted scalar", "the quoted value"),
    ("simple key", "the key"),
)


def _parser_message(exc: MarkedYAMLError) -> str:
    """The parser's problem in plain words, and the construct it was reading when that is elsewhere."""
    problem = _one_line(exc.problem or exc.context)
    mark = exc.problem_mark
    if "mapping values" in problem and mark is not None and mark.column > _MAX_KEY:
        # YAML ends a plain key after 1024 characters, and the ':' then seems out of place.
        return f"a key may be at most {_MAX_KEY} characters long"
    message = next((plain for jargon, plain in _PARSER_PROBLEMS if jargon in problem), problem)
    if exc.problem and exc.context and exc.context_mark is not None and exc.problem_mark is not None:
        line, column = _mark(exc.context_mark)
        where = next((plain for jargon, plain in _PARSER_CONTEXTS if jargon in exc.context), "the value")
        if (line, column) != _mark(exc.problem_mark):
            message += f" (in {where} that starts at line {line}, column {column})"
    return message


def _one_line(text: str | None) -> str:
    """A parser message on one line."""
    return " ".join((text or "unexpected content").split())


def _shown(value: Any) -> str:
    """A scalar as it was probably written."""
    if isinstance(value, bool):
        return str(value).lower()
    return "null" if value is None else str(value)


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
    if value is None:
        return "null"
    return "a string" if isinstance(value, str) else "a scalar"


def _position_of_offset(raw: bytes, offset: int) -> Pos:
    """1-based line and column (in characters) of a byte offset."""
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return before.count(b"\n") + 1, column
