"""The one table of what a profile and an environment may set in a component, and how it is laid on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Merge(StrEnum):
    """How a value set above a component's own is laid on it."""

    # The value replaces the one below it whole.
    WHOLE = "whole"
    # A mapping of settings, field by field: those set replace, the others stay.
    FIELDS = "fields"
    # A mapping by name: the names set replace or add, the others stay.
    KEYS = "keys"
    # {a Secret's name in the base: its name here}: each reference keeps its key, variable and file.
    RENAME = "rename"
    # {a writable path: its size here}: the paths stay, their sizes change.
    SIZES = "sizes"
    # A list whose items the component lacks are added after its own (profiles only).
    APPEND = "append"


@dataclass(frozen=True)
class Inherited:
    """One field a profile or an environment may set: its key there, its path in the component."""

    key: str
    path: tuple[str, ...]
    profile: Merge | None
    environment: Merge | None


# Every field that a component takes from above: under `profiles.<name>` (profile) and under
# `environments.<env>.components.<name>` (environment). A test holds the input models to it.
INHERITED = (
    Inherited("port", ("port",), Merge.WHOLE, None),
    Inherited("probe", ("probe",), Merge.WHOLE, None),
    Inherited("health", ("health",), Merge.WHOLE, None),
    Inherited("startup_seconds", ("startup_seconds",), Merge.WHOLE, None),
    Inherited("dedicated_cores", ("dedicated_cores",), Merge.WHOLE, None),
    Inherited("metrics", ("metrics",), Merge.WHOLE, None),
    Inherited("replicas", ("replicas",), Merge.WHOLE, Merge.WHOLE),
    Inherited("autoscaling", ("autoscaling",), Merge.WHOLE, Merge.FIELDS),
    Inherited("prescale", ("prescale",), None, Merge.FIELDS),
    Inherited("resources", ("resources",), Merge.FIELDS, Merge.FIELDS),
    Inherited("tag", ("tag",), None, Merge.WHOLE),
    Inherited("storage", ("storage",), None, Merge.FIELDS),
    Inherited("external", ("external",), Merge.WHOLE, Merge.WHOLE),
    Inherited("secrets", ("secrets",), Merge.APPEND, Merge.RENAME),
    Inherited("env", ("env",), Merge.KEYS, Merge.KEYS),
    Inherited("writable", ("writable",), Merge.WHOLE, Merge.SIZES),
    Inherited("exceptions", ("exceptions",), Merge.APPEND, None),
    Inherited("host", ("ingress", "host"), None, Merge.WHOLE),
    Inherited("tls_secret", ("ingress", "tls_secret"), None, Merge.WHOLE),
    Inherited("ingress_annotations", ("ingress", "annotations"), None, Merge.KEYS),
    Inherited("suspend", ("schedule", "suspend"), None, Merge.WHOLE),
    Inherited("database", ("database",), None, Merge.FIELDS),
    Inherited("redis", ("redis",), None, Merge.FIELDS),
)

BY_OVERRIDE = {row.key: row for row in INHERITED if row.environment is not None}
BY_PROFILE = {row.key: row for row in INHERITED if row.profile is not None}
# The replica count and the autoscaler are one choice: a component that makes it takes neither.
SCALING = ("replicas", "autoscaling")
# Taken whole from the last profile that sets them, unless the component sets them itself.
WHOLE = tuple(row.key for row in INHERITED if row.profile is Merge.WHOLE and row.key not in SCALING)


def component_path(override_key: str) -> tuple[str, ...]:
    """Where an environment's override key stands in the component itself, e.g. host -> ingress.host."""
    row = BY_OVERRIDE.get(override_key)
    return row.path if row is not None else (override_key,)


def overridden(component: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A component's data as an environment's override data changes it, following INHERITED.

    For data that need not be valid (a spec at an old revision): what does not fit is laid on whole.
    """
    merged = dict(component)
    for key, value in override.items():
        row = BY_OVERRIDE.get(key)
        *parents, last = row.path if row is not None else (key,)
        target = merged
        for part in parents:
            # A copy: the same mapping of the spec's data serves every environment.
            child = dict(target[part]) if isinstance(target.get(part), dict) else {}
            target[part] = child
            target = child
        current = target.get(last)
        how = row.environment if row is not None else Merge.WHOLE
        target[last] = _laid(how, current, value)
    return merged


def _laid(how: Merge | None, current: Any, value: Any) -> Any:
    """value laid on current as `how` says."""
    if how in (Merge.FIELDS, Merge.KEYS) and isinstance(current, dict) and isinstance(value, dict):
        return {**current, **value}
    if how is Merge.RENAME and isinstance(current, list) and isinstance(value, dict):
        return [
            {**item, "secret": value[item["secret"]]}
            if isinstance(item, dict) and item.get("secret") in value
            else item
            for item in current
        ]
    if how is Merge.SIZES and isinstance(current, list) and isinstance(value, dict):
        sizes = {str(path).rstrip("/"): size for path, size in value.items()}
        return [_sized(item, sizes) for item in current]
    return value


def _sized(item: Any, sizes: Mapping[str, Any]) -> Any:
    """A writable entry with the size an environment gives its path."""
    path = item.get("path") if isinstance(item, dict) else item
    if not isinstance(path, str) or path.rstrip("/") not in sizes:
        return item
    return {**(item if isinstance(item, dict) else {"path": path}), "size": sizes[path.rstrip("/")]}
