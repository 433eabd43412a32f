"""Name a place of the spec in the user's terms and find its line and column."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from compiler.diagnostics import Diagnostic, clip
from compiler.registry import BY_CODE
from compiler.spec.document import Document, Loc


def describe(data: dict[str, Any], loc: Loc, *, field: bool = True) -> str:
    """Say where loc is, e.g. "layer 4 'analysis', component 'indicator-engine', autoscaling.min".

    Without field, name only the layer, component or environment that owns loc.
    """
    parts: list[str] = []
    rest: list[str | int] = list(loc)
    if rest[:1] == ["layers"] and len(rest) >= 2 and isinstance(rest[1], int):
        layer = _item(data.get("layers"), rest[1])
        parts.append(f"layer {_label(layer, 'number', rest[1] + 1)} {_quoted(layer, 'name')}".rstrip())
        rest = rest[2:]
        if rest[:1] == ["components"] and len(rest) >= 2 and isinstance(rest[1], int):
            component = _item(layer.get("components") if isinstance(layer, dict) else None, rest[1])
            parts.append(f"component {_quoted(component, 'name') or f'#{rest[1] + 1}'}")
            rest = rest[2:]
    elif rest[:1] == ["profiles"] and len(rest) >= 2:
        parts.append(f"profile '{clip(str(rest[1]))}'")
        rest = rest[2:]
    elif rest[:1] == ["environments"] and len(rest) >= 2:
        parts.append(f"environment '{clip(str(rest[1]))}'")
        rest = rest[2:]
        if rest[:1] == ["components"] and len(rest) >= 2:
            parts.append(f"component '{clip(str(rest[1]))}'")
            rest = rest[2:]
    if rest and field:
        parts.append(_dotted(rest))
    return ", ".join(parts)


def _dotted(loc: list[str | int]) -> str:
    """Join a location as a.b[2].c."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{clip(part)}" if text else clip(part))
    return text


def _item(seq: Any, index: int) -> Any:
    """Item of a list, or None."""
    return seq[index] if isinstance(seq, list) and 0 <= index < len(seq) else None


def _label(node: Any, key: str, fallback: int) -> str:
    """A scalar field of a mapping as text, or the fallback."""
    value = node.get(key) if isinstance(node, dict) else None
    return clip(str(value)) if isinstance(value, int | str) and not isinstance(value, bool) else str(fallback)


def _quoted(node: Any, key: str) -> str:
    """A string field of a mapping in quotes, or nothing."""
    value = node.get(key) if isinstance(node, dict) else None
    return f"'{clip(value)}'" if isinstance(value, str) else ""


def at_value(doc: Document, loc: Loc, message: str, *, code: str, field: bool = True) -> Diagnostic:
    """A diagnostic of check code at the value of loc, prefixed with where it is (the field if field)."""
    inherited = _inherited(doc, loc, message, field, key=False)
    found = inherited or Diagnostic(*doc.at(loc, key=False), _prefixed(doc, loc, message, field))
    return _coded(doc, loc, found, code)


def at_key(doc: Document, loc: Loc, message: str, *, code: str, field: bool = True) -> Diagnostic:
    """A diagnostic of check code at the key of loc, prefixed with where it is (the field if field)."""
    inherited = _inherited(doc, loc, message, field, key=True)
    found = inherited or Diagnostic(
        *doc.at(loc, key=True), _prefixed(doc, loc, message, field) + _mixed(doc, loc)
    )
    return _coded(doc, loc, found, code)


def _coded(doc: Document, loc: Loc, found: Diagnostic, code: str) -> Diagnostic:
    """found with its registered code and the component it speaks of."""
    if code not in BY_CODE:
        raise ValueError(f"{code} is not a registered check")
    return replace(found, code=code, component=component_at(doc.data, loc))


def component_at(data: dict[str, Any], loc: Loc) -> str:
    """The name of the component that loc lies in, under its layer or an environment; else nothing."""
    if loc[:1] == ("environments",) and loc[2:3] == ("components",) and len(loc) >= 4:
        return str(loc[3])
    if loc[:1] == ("layers",) and loc[2:3] == ("components",) and len(loc) >= 4:
        layer = _item(data.get("layers"), loc[1]) if isinstance(loc[1], int) else None
        components = layer.get("components") if isinstance(layer, dict) else None
        component = _item(components, loc[3]) if isinstance(loc[3], int) else None
        name = component.get("name") if isinstance(component, dict) else None
        return name if isinstance(name, str) else ""
    return ""


def _mixed(doc: Document, loc: Loc) -> str:
    """Where the parts of a value that a component took from profiles stand, e.g. a limit."""
    if not doc.origins:
        return ""
    parts = sorted(
        (
            (found, taken[len(loc) :])
            for taken, found in doc.origins.items()
            if len(taken) > len(loc) and taken[: len(loc)] == loc
        ),
        key=str,
    )
    return "".join(
        f"; {_dotted(list(rest))} from {describe(doc.data, found, field=False)}"
        f" ({_line_of(doc, found, doc.at(loc, key=True)[0])})"
        for found, rest in parts
    )


def _prefixed(doc: Document, loc: Loc, message: str, field: bool) -> str:
    """Prefix a message with the place it speaks of."""
    where = describe(doc.data, loc, field=field)
    return f"{where}: {message}" if where else message


def _inherited(doc: Document, loc: Loc, message: str, field: bool, *, key: bool) -> Diagnostic | None:
    """A diagnostic about a value a component took from a profile: at the profile, naming the component."""
    found = doc.origin(loc)
    if found is None:
        return None
    taken, source = found
    path, line, column = doc.at(source, key=key)
    user = describe(doc.data, taken[:4], field=False)
    where = describe(doc.data, source, field=field)
    at = _line_of(doc, (*taken[:4], "profile"), path)
    return Diagnostic(path, line, column, f"{where} (used by {user}, {at}): {message}")


def _line_of(doc: Document, loc: Loc, shown: str) -> str:
    """'line N' of loc's key, naming its file when it is not the file shown."""
    path, line, _ = doc.at(loc, key=True)
    return f"line {line}" if path == shown else f"{path}:{line}"


def at_key_in(doc: Document, loc: Loc, message: str, *, code: str) -> Diagnostic:
    """A diagnostic at the key of loc, prefixed with the place that holds that key."""
    return _coded(doc, loc, Diagnostic(*doc.at(loc, key=True), _prefixed(doc, loc[:-1], message, True)), code)
