"""Explain a diff for a terminal (text) or a pull-request comment (markdown): spec first, then objects."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from compiler.kinds import POD_TEMPLATES
from compiler.review.objdiff import MISSING, FieldChange, ObjectChange, TreeDiff
from compiler.review.specdiff import SpecChange

MAX_VALUE = 120
# GitHub refuses comments over 65536 characters; keep room for the note that says where it stops.
MAX_COMMENT = 60000
ARROW = "→"


def show_value(value: Any) -> str:
    """A field value on one line: scalars as YAML reads them, structures as compact JSON."""
    if value is MISSING:
        return "(absent)"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        plain = value and value.strip() == value and not _looks_typed(value) and "\n" not in value
        text = value if plain else json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _looks_typed(value: str) -> bool:
    """Strings a reader would take for a number, boolean or null are shown quoted."""
    try:
        json.loads(value)
    except ValueError:
        return value.lower() in {"yes", "no", "on", "off", "y", "n", "~"}
    return True


def is_text_change(change: FieldChange) -> bool:
    """True for multi-line strings (config files in ConfigMaps), shown as a line diff."""
    return any(isinstance(v, str) and "\n" in v for v in (change.old, change.new))


def line_diff(change: FieldChange) -> list[str]:
    """The lines of a multi-line string change, unified with one line of context, without headers."""
    old = change.old if isinstance(change.old, str) else ""
    new = change.new if isinstance(change.new, str) else ""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), n=1, lineterm="")
    return [line for line in lines if not line.startswith(("---", "+++"))]


WORKLOADS = frozenset(POD_TEMPLATES)
# A field that names a generated ConfigMap: its hash suffix moves with the content, so the pods roll.
CONFIG_REFERENCE = re.compile(r"(?:^|\.)(?:configMap|configMapRef|configMapKeyRef)\.name$")
HASHED = re.compile(r"^(.+)-[a-z0-9]{10}$")
SHARED_BASE = "base (shared)"


@dataclass(frozen=True)
class Entry:
    """One line of the report: where, what (kind and name), which field, and old → new or a note."""

    where: str
    kind: str
    name: str = ""
    field: str = ""
    old: Any = MISSING
    new: Any = MISSING
    note: str = ""
    lines: tuple[str, ...] = ()
    words: bool = False  # field is a sentence (a NetworkPolicy's grant), not a path

    def text(self) -> str:
        """`prod: HorizontalPodAutoscaler indicator-engine spec.maxReplicas 20 → 24`.

        A grant reads `prod: NetworkPolicy redis: ingress from risk-gateway on 6379/TCP added`.
        """
        if self.words:
            return f"{self.where}: {self.kind} {self.name}: {self.field} {self.note}"
        what = " ".join(part for part in (self.kind, self.name, self.field) if part)
        change = self.note or f"{show_value(self.old)} {ARROW} {show_value(self.new)}"
        return f"{self.where}: {what} {change}"


@dataclass(frozen=True)
class Report:
    """What `nifty diff` says: the spec's changes, then the objects, configs and rolls, then files."""

    against: str
    spec: str
    spec_note: str
    changes: tuple[Entry, ...]
    objects: tuple[Entry, ...]
    configs: tuple[Entry, ...]
    rolls: tuple[Entry, ...]
    files: tuple[str, ...]
    object_count: int
    environments: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True when nothing changes."""
        return not (self.changes or self.object_count or self.files)


def explain(
    diff: TreeDiff,
    against: str,
    spec: str = "spec/system.yaml",
    spec_changes: tuple[SpecChange, ...] | str = (),
) -> Report:
    """Group a tree diff for people: each change once, with the deployed environments it reaches.

    An object of the base that some environment changes too is shown as that environment's; the
    base appears, as the shared layer, only with what no deployed environment takes over.
    """
    deployed = [env for env in diff.environments if env != "base"]
    touched = {(c.environment, c.kind, c.name) for c in diff.objects}
    sections: dict[str, dict[tuple[Any, ...], tuple[Entry, list[str]]]] = {
        "objects": {},
        "configs": {},
        "rolls": {},
    }
    counted: set[tuple[str, str]] = set()
    affected: list[str] = []
    for change in diff.objects:
        where = change.environment
        if where == "base":
            if deployed and any((env, change.kind, change.name) in touched for env in deployed):
                continue
            where = SHARED_BASE if deployed else "base"
        counted.add((change.kind, change.name))
        affected.append(where)
        configs = {
            c.name for c in diff.objects if c.environment == change.environment and c.kind == "ConfigMap"
        }
        for section, entry in _entries(change, configs):
            key = (
                entry.kind,
                entry.name,
                entry.field,
                _canon(entry.old),
                _canon(entry.new),
                entry.note,
                _unplaced(entry.lines),
            )
            kept, wheres = sections[section].setdefault(key, (entry, []))
            if kept.lines != entry.lines:
                # The same change at other lines of another environment's file: one hunk, unplaced.
                sections[section][key] = (replace(kept, lines=_unplaced(kept.lines)), wheres)
            if where not in wheres:
                wheres.append(where)
    grouped = {
        name: tuple(replace(entry, where=", ".join(wheres)) for entry, wheres in found.values())
        for name, found in sections.items()
    }
    spec_note = spec_changes if isinstance(spec_changes, str) else ""
    changes = () if isinstance(spec_changes, str) else tuple(_spec_entry(c) for c in spec_changes)
    return Report(
        against,
        spec,
        spec_note,
        changes,
        grouped["objects"],
        grouped["configs"],
        grouped["rolls"],
        diff.files,
        len(counted),
        tuple(dict.fromkeys(affected)),
    )


HUNK = re.compile(r"^@@ -[0-9,]+ \+[0-9,]+ @@")


def _unplaced(lines: tuple[str, ...]) -> tuple[str, ...]:
    """A line diff without the line numbers of its hunks, which differ between environments' files."""
    return tuple(HUNK.sub("@@", line) for line in lines)


def _canon(value: Any) -> str:
    return "\0absent" if value is MISSING else json.dumps(value, sort_keys=True, default=str)


def _spec_entry(change: SpecChange) -> Entry:
    where = ", ".join(change.where)
    if not change.field and change.old is MISSING:
        return Entry(where, change.subject, note="added")
    if not change.field and change.new is MISSING:
        return Entry(where, change.subject, note="removed")
    return Entry(where, change.subject, field=change.field, old=change.old, new=change.new)


def _entries(change: ObjectChange, configs: set[str]) -> Iterator[tuple[str, Entry]]:
    """The lines of one object's change, each with its section; a workload's config rolls apart."""
    section = "configs" if change.kind == "ConfigMap" else "objects"
    where = change.environment
    if change.change != "changed":
        yield section, Entry(where, change.kind, change.name, note=change.change)
        yield from _access_entries(change)
        return
    rolled: list[str] = []
    for field in change.fields:
        if change.kind in WORKLOADS and CONFIG_REFERENCE.search(field.path) and isinstance(field.new, str):
            rolled.append(_config_of(field.new, configs))
        elif is_text_change(field):
            yield (
                section,
                Entry(
                    where,
                    change.kind,
                    change.name,
                    field.path,
                    note="changed:",
                    lines=tuple(line_diff(field)),
                ),
            )
        else:
            yield section, Entry(where, change.kind, change.name, field.path, field.old, field.new)
    yield from _access_entries(change)
    if rolled:
        names = ", ".join(dict.fromkeys(rolled))
        yield "rolls", Entry(where, change.kind, change.name, note=f"restarts: {names} changed")


def _access_entries(change: ObjectChange) -> Iterator[tuple[str, Entry]]:
    """A NetworkPolicy's grants that come or go, one line per peer and port."""
    for access in change.access:
        entry = Entry(
            change.environment, change.kind, change.name, access.grant.text(), note=access.change, words=True
        )
        yield "objects", entry


def _config_of(reference: str, configs: set[str]) -> str:
    """The generated ConfigMap a hashed name belongs to."""
    for name in sorted(configs, key=len, reverse=True):
        if reference.startswith(f"{name}-"):
            return name
    match = HASHED.match(reference)
    return match[1] if match else reference


def _count(number: int, noun: str, verb: str) -> str:
    """`1 object changes`, `3 objects change`."""
    return f"{number} {noun} {verb}s" if number == 1 else f"{number} {noun}s {verb}"


def _names(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def summary(report: Report) -> str:
    """One line: how much changes, and where."""
    if report.empty:
        return f"no changes against {report.against}"
    parts = []
    if report.changes:
        count = len(report.changes)
        parts.append(f"{count} change{'' if count == 1 else 's'} to the spec")
    if report.object_count:
        places = tuple("the shared base" if e == SHARED_BASE else e for e in report.environments)
        parts.append(f"{_count(report.object_count, 'object', 'change')} in {_names(places)}")
    if report.files:
        many = len(report.files) != 1
        parts.append(
            f"{len(report.files)} file{'s' if many else ''} outside the builds change{'' if many else 's'}"
        )
    return f"{'; '.join(parts)} against {report.against}"


def report_text(report: Report, out: str) -> str:
    """The spec's changes first, then the objects, generated configs and rolls, then other files."""
    return "".join(line + "\n" for line in _text_lines(report, out))


def _text_lines(report: Report, out: str) -> Iterator[str]:
    if report.spec_note:
        yield f"{report.spec}: {report.spec_note}"
    elif report.changes:
        yield f"{report.spec}:"
        yield from (f"  {entry.text()}" for entry in report.changes)
    for title, entries in _sections(report):
        yield f"{title}:"
        for entry in entries:
            yield f"  {entry.text()}"
            yield from (f"      {line}" for line in entry.lines)
    if report.files:
        yield "files outside the builds:"
        yield from (f"  {out}/{path}" for path in report.files)


def _sections(report: Report) -> list[tuple[str, tuple[Entry, ...]]]:
    titled = [("objects", report.objects), ("generated configs", report.configs)]
    titled.append(("workloads that roll", report.rolls))
    return [(title, entries) for title, entries in titled if entries]


def _cell(text: str) -> str:
    """A markdown table cell holding text as code."""
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def _plain(text: str) -> str:
    return text.replace("|", "\\|")


def _row(entry: Entry) -> str:
    subject = f"{_plain(entry.kind)} {_cell(entry.name)}" if entry.name else _plain(entry.kind)
    field = _plain(entry.field) if entry.words else _cell(entry.field) if entry.field else ""
    if entry.lines:
        old, new = "*see below*", "*see below*"
    elif entry.note:
        old, new = "", f"*{_plain(entry.note)}*"
    else:
        old, new = _cell(show_value(entry.old)), _cell(show_value(entry.new))
    return f"| {_plain(entry.where)} | {subject} | {field} | {old} | {new} |"


HEADER = ["| where | what | field | old | new |", "| --- | --- | --- | --- | --- |"]


def report_markdown(report: Report, out: str) -> str:
    """A pull-request comment: the same sections as the text, as tables; config diffs collapsed."""
    headline = summary(report)
    lines = [f"### nifty diff against `{report.against}`", "", headline[:1].upper() + headline[1:] + ".", ""]
    if report.spec_note:
        lines += [f"#### Spec `{report.spec}`", "", _plain(report.spec_note), ""]
    elif report.changes:
        lines += [f"#### Spec `{report.spec}`", "", *HEADER, *(_row(e) for e in report.changes), ""]
    for title, entries in _sections(report):
        lines += [f"#### {title[:1].upper()}{title[1:]}", ""]
        if entries is report.rolls:
            lines += [f"- {_plain(e.where)}: {e.kind} {_cell(e.name)} {_plain(e.note)}" for e in entries]
            lines.append("")
            continue
        lines += [*HEADER, *(_row(e) for e in entries), ""]
        for entry in entries:
            if entry.lines:
                title_text = f"{entry.where}: {entry.kind} {entry.name} {entry.field}"
                lines += [
                    f"<details><summary>{title_text}</summary>",
                    "",
                    "```diff",
                    *entry.lines,
                    "```",
                    "</details>",
                    "",
                ]
    if report.files:
        lines += ["#### Files outside the builds", "", *(f"- `{out}/{path}`" for path in report.files), ""]
    return _fit("\n".join(lines).rstrip("\n") + "\n")


def _fit(comment: str) -> str:
    """The comment cut at a line boundary when it is too long for a pull-request comment."""
    if len(comment) <= MAX_COMMENT:
        return comment
    kept = comment[:MAX_COMMENT].rsplit("\n", 1)[0]
    if kept.count("```") % 2:
        kept += "\n```"
    return f"{kept}\n\n*The report is cut here; run `nifty diff` for all of it.*\n"


def report_json(report: Report, out: str) -> str:
    """The report as data: the same sections, each entry with its environments, field, old and new.

    A value absent on one side is left out of its entry; `changed` is what the exit code says.
    """
    data = {
        "against": report.against,
        "changed": not report.empty,
        "summary": summary(report),
        "spec": {"path": report.spec, "note": report.spec_note or None},
        "spec_changes": [_entry_data(e, subject=True) for e in report.changes],
        "objects": [_entry_data(e) for e in report.objects],
        "configs": [_entry_data(e) for e in report.configs],
        "rolls": [_entry_data(e) for e in report.rolls],
        "files": [f"{out}/{path}" for path in report.files],
    }
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _entry_data(entry: Entry, *, subject: bool = False) -> dict[str, Any]:
    """An entry as data; a spec change names its subject (`component api`) where objects have a kind."""
    data: dict[str, Any] = {"where": entry.where.split(", ")}
    if entry.kind:
        data["subject" if subject else "kind"] = entry.kind
    if entry.name:
        data["name"] = entry.name
    if entry.words:
        data["access"] = entry.field
    elif entry.field:
        data["field"] = entry.field
    if entry.old is not MISSING:
        data["old"] = entry.old
    if entry.new is not MISSING:
        data["new"] = entry.new
    if entry.note:
        data["note"] = entry.note.rstrip(":")
    if entry.lines:
        data["lines"] = list(entry.lines)
    return data


def report_stat(report: Report, out: str) -> str:
    """The report in brief, as `git diff --stat`: what changes, one line per object, without values."""
    lines: list[str] = []
    if report.spec_note:
        lines.append(f"{report.spec}: {report.spec_note}")
    elif report.changes:
        count = len(report.changes)
        lines.append(f"{report.spec}: {count} change{'' if count == 1 else 's'}")
    shown: dict[tuple[str, str, str], list[str]] = {}
    for entry in (*report.objects, *report.configs):
        notes = shown.setdefault((entry.where, entry.kind, entry.name), [])
        notes.append("access" if entry.words else entry.note if not entry.field else "field")
    for entry in report.rolls:
        shown.setdefault((entry.where, entry.kind, entry.name), []).append("restarts")
    for (where, kind, name), notes in shown.items():
        lines.append(f"  {where}: {kind} {name}: {_tally(notes)}")
    lines += [f"  {out}/{path}" for path in report.files]
    return "".join(line + "\n" for line in lines)


def _tally(notes: list[str]) -> str:
    """`added`, `2 fields`, `1 field, 3 grants`, `restarts`."""
    words = {"field": ("field", "fields"), "access": ("grant", "grants")}
    parts: list[str] = []
    for note in dict.fromkeys(notes):
        count = notes.count(note)
        if note in words:
            parts.append(f"{count} {words[note][count != 1]}")
        else:
            parts.append(note)
    return ", ".join(parts)
