"""What the author changed, in the spec's terms: per deployed environment, per shared section."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from compiler.review.objdiff import MISSING, diff_values
from compiler.spec.inheritance import overridden

# Sections that hold components or environments; every other top-level key is shared as a whole.
PER_ENVIRONMENT = ("layers", "environments")
DASH = "\u2013"  # an en dash between the start and the end of a session


@dataclass(frozen=True)
class SpecChange:
    """One change of the spec: where it applies, to what, which field, and its old and new value.

    `where` names the deployed environments it reaches, or the shared section (`market`,
    `defaults`, `layers`) that holds it. With an empty field, an old value of MISSING means
    the subject was added and a new value of MISSING that it was removed.
    """

    where: tuple[str, ...]
    subject: str
    field: str
    old: Any
    new: Any


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[SpecChange, ...]:
    """The changes from one spec's data to another's: components per environment first, then shared parts."""
    per_env: dict[tuple[str, str, str, str], list[str]] = {}
    values: dict[tuple[str, str, str, str], tuple[Any, Any]] = {}
    # By name, as the object changes list them, so that both sections name environments alike.
    envs = sorted({*_environments(new), *_environments(old)})
    for env in envs:
        for subject, field, before, after in _view_changes(_view(old, env), _view(new, env)):
            key = (subject, field, _canonical(before), _canonical(after))
            per_env.setdefault(key, []).append(env)
            values[key] = (before, after)
    changes = [SpecChange(tuple(where), key[0], key[1], *values[key]) for key, where in per_env.items()]
    changes.extend(_layer_changes(old, new))
    for section in dict.fromkeys([*new, *old]):
        if section in PER_ENVIRONMENT:
            continue
        if section == "market" and isinstance(old.get(section), dict) and isinstance(new.get(section), dict):
            changes.extend(_market_changes(old[section], new[section]))
            continue
        for change in diff_values(old.get(section, MISSING), new.get(section, MISSING)):
            changes.append(SpecChange((section,), "", change.path, change.old, change.new))
    return tuple(changes)


def _canonical(value: Any) -> str:
    return "\0absent" if value is MISSING else repr(value)


def _environments(data: Mapping[str, Any]) -> list[str]:
    """The deployed environments; without any, the base itself is what runs."""
    envs = data.get("environments")
    return list(envs) if isinstance(envs, dict) and envs else ["base"]


def _view(data: Mapping[str, Any], env: str) -> dict[str, Any]:
    """One environment as its components see it: each component with the environment's overrides."""
    envs = data.get("environments")
    settings = envs.get(env) if isinstance(envs, dict) else None
    if env != "base" and not isinstance(settings, dict):
        return {}
    settings = settings or {}
    overrides = settings.get("components") or {}
    view: dict[str, Any] = {"": {k: v for k, v in settings.items() if k != "components"}}
    for layer in _list(data.get("layers")):
        for component in _list(layer.get("components")):
            name = str(component.get("name"))
            merged = {"layer": layer.get("number"), **{k: v for k, v in component.items() if k != "name"}}
            override = overrides.get(name)
            if isinstance(override, dict):
                merged = overridden(merged, override)
            view[f"component {name}"] = merged
    return view


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _view_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[str, str, Any, Any]]:
    if not old and not new:
        return
    if not old or not new:
        yield "environment", "", MISSING if not old else True, MISSING if not new else True
        return
    for subject in dict.fromkeys([*new, *old]):
        before, after = old.get(subject, MISSING), new.get(subject, MISSING)
        if before is MISSING or after is MISSING:
            yield subject, "", before, after
            continue
        for change in diff_values(before, after):
            yield subject, change.path, change.old, change.new


def _layer_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[SpecChange]:
    """A layer's own fields (not its components): shared by every environment."""

    def layers(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        return {
            f"layer {layer.get('name')}": {k: v for k, v in layer.items() if k not in ("name", "components")}
            for layer in _list(data.get("layers"))
        }

    before, after = layers(old), layers(new)
    for subject in dict.fromkeys([*after, *before]):
        if subject not in before or subject not in after:
            yield SpecChange(
                ("layers",), subject, "", before.get(subject, MISSING), after.get(subject, MISSING)
            )
            continue
        for change in diff_values(before[subject], after[subject]):
            yield SpecChange(("layers",), subject, change.path, change.old, change.new)


def _nothing(item: Mapping[str, Any]) -> str:
    return ""


def _name(item: Mapping[str, Any]) -> str:
    return str(item.get("name"))


def _hours(item: Mapping[str, Any]) -> str:
    return f"{item.get('start')}{DASH}{item.get('end')}"


def _closed(item: Mapping[str, Any]) -> str:
    closed = item.get("closed")
    return f"(closed: {', '.join(str(c) for c in closed)})" if isinstance(closed, list) else ""


def _dated(item: Mapping[str, Any]) -> str:
    return f"{item.get('date')} {item.get('name')}"


def _changed_hours(item: Mapping[str, Any]) -> str:
    return f"{item.get('session')} from {item.get('from')} until {item.get('until')}"


def _market_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[SpecChange]:
    """The calendar in its own words: sessions by name, holidays by date, special sessions by date
    and name, session changes by session and dates."""
    where = ("market",)
    listed = ("sessions", "holidays", "special_sessions", "session_changes")
    for key in dict.fromkeys([*new, *old]):
        if key in listed:
            continue
        for change in diff_values(old.get(key, MISSING), new.get(key, MISSING)):
            yield SpecChange(where, "", _join(key, change.path), change.old, change.new)
    describe = Callable[[Mapping[str, Any]], str]
    kinds: tuple[tuple[str, str, describe, describe, describe], ...] = (
        ("sessions", "session", _name, _nothing, _hours),
        ("session_changes", "session change", _changed_hours, _nothing, _hours),
        ("holidays", "holiday", lambda item: str(item.get("date")), _name, _closed),
        ("special_sessions", "special session", _dated, _nothing, _hours),
    )
    for key, word, identity, label, hours in kinds:
        before = {identity(item): item for item in _list(old.get(key))}
        after = {identity(item): item for item in _list(new.get(key))}
        # Sessions keep the day's order; dated entries go by date.
        idents = [*after, *(i for i in before if i not in after)]
        for ident in idents if key == "sessions" else sorted({*before, *after}):
            a, b = before.get(ident), after.get(ident)
            if a is None and b is not None:
                yield SpecChange(where, _words(word, ident, label(b), hours(b)), "", MISSING, True)
            elif b is None and a is not None:
                yield SpecChange(where, _words(word, ident, label(a), hours(a)), "", True, MISSING)
            elif a is not None and b is not None and a != b:
                if label(a) == label(b):
                    # A holiday without closed sessions shuts the whole day.
                    whole = "all day" if key == "holidays" else ""
                    yield SpecChange(
                        where, _words(word, ident, label(a)), "", hours(a) or whole, hours(b) or whole
                    )
                else:
                    old_text, new_text = _words(label(a), hours(a)), _words(label(b), hours(b))
                    yield SpecChange(where, _words(word, ident), "", old_text, new_text)


def _words(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _join(key: str, path: str) -> str:
    if not path:
        return key
    return f"{key}{path}" if path.startswith("[") else f"{key}.{path}"
