"""Print an object-level diff for a terminal (text) or a pull-request comment (markdown)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import Any

from compiler.review.objdiff import MISSING, FieldChange, ObjectChange, TreeDiff

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


def _subject(change: ObjectChange) -> str:
    return f"{change.kind} {change.name}"


def _where(change: ObjectChange) -> str:
    return f" (namespace {change.namespace})" if change.namespace else ""


def summary(diff: TreeDiff, against: str) -> str:
    """One line: how much changes."""
    if diff.empty:
        return f"no changes against {against}"
    envs = sorted({c.environment for c in diff.objects})
    parts = []
    if diff.objects:
        parts.append(f"{len(diff.objects)} objects change in {', '.join(envs)}")
    if diff.files:
        parts.append(f"{len(diff.files)} files change")
    return f"{'; '.join(parts)} against {against}"


def report_text(diff: TreeDiff, out: str) -> str:
    """Lines like `prod: HorizontalPodAutoscaler indicator-engine spec.maxReplicas 20 → 24`."""
    return "".join(line + "\n" for line in _text_lines(diff, out))


def _text_lines(diff: TreeDiff, out: str) -> Iterator[str]:
    for change in diff.objects:
        head = f"{change.environment}: "
        if change.change != "changed":
            yield f"{head}{change.change} {_subject(change)}{_where(change)}"
            continue
        for field in change.fields:
            if is_text_change(field):
                yield f"{head}{_subject(change)} {field.path} changed:"
                yield from (f"    {line}" for line in line_diff(field))
            else:
                values = f"{show_value(field.old)} {ARROW} {show_value(field.new)}"
                yield f"{head}{_subject(change)} {field.path} {values}"
    for path in diff.files:
        yield f"file {out}/{path} changes"


def _cell(text: str) -> str:
    """A markdown table cell holding text as code."""
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def report_markdown(diff: TreeDiff, against: str, out: str) -> str:
    """A pull-request comment: a table per environment, config file changes in collapsed diffs."""
    headline = summary(diff, against)
    lines = [f"### nifty diff against `{against}`", "", headline[:1].upper() + headline[1:] + ".", ""]
    for environment in dict.fromkeys(c.environment for c in diff.objects):
        changes = [c for c in diff.objects if c.environment == environment]
        lines += [f"#### {environment}", "", "| object | field | old | new |", "| --- | --- | --- | --- |"]
        details: list[str] = []
        for change in changes:
            subject = f"{change.kind} {_cell(change.name)}"
            if change.change != "changed":
                lines.append(f"| {subject} | *{change.change}*{_where(change)} | | |")
                continue
            for field in change.fields:
                if is_text_change(field):
                    lines.append(f"| {subject} | {_cell(field.path)} | *see below* | *see below* |")
                    title = f"{environment}: {change.kind} {change.name} {field.path}"
                    details += [
                        f"<details><summary>{title}</summary>",
                        "",
                        "```diff",
                        *line_diff(field),
                        "```",
                        "</details>",
                        "",
                    ]
                else:
                    old, new = _cell(show_value(field.old)), _cell(show_value(field.new))
                    lines.append(f"| {subject} | {_cell(field.path)} | {old} | {new} |")
        lines += ["", *details]
    if diff.files:
        lines += ["Files that change:", "", *(f"- `{out}/{path}`" for path in diff.files), ""]
    return _fit("\n".join(lines).rstrip("\n") + "\n")


def _fit(comment: str) -> str:
    """The comment cut at a line boundary when it is too long for a pull-request comment."""
    if len(comment) <= MAX_COMMENT:
        return comment
    kept = comment[:MAX_COMMENT].rsplit("\n", 1)[0]
    if kept.count("```") % 2:
        kept += "\n```"
    return f"{kept}\n\n*The report is cut here; run `nifty diff` for all of it.*\n"
