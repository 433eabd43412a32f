"""Compare two out/ trees as the cluster sees them: per environment, object by object, field by field."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from compiler.kustomize.build import build_folder, environments, folder_of
from compiler.kustomize.transformers import configmap_hash
from compiler.output.write import changed_files
from compiler.render.types import Manifest
from compiler.review.access import AccessChange, access_changes, without_rules


class _Missing:
    """The value of a field that is absent on one side."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BUILT_FOLDERS = ("base/", "overlays/", "argocd/")
POLICY = "NetworkPolicy"
# HPA metrics that name the resource they measure: `metrics[cpu]`, not `metrics[0]`.
METRIC_SOURCES = frozenset({"Resource", "ContainerResource"})


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs; old or new is MISSING when the field is absent there."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ObjectChange:
    """An object of one environment that appears, disappears or changes."""

    environment: str
    kind: str
    name: str
    namespace: str
    change: Literal["added", "removed", "changed"]
    fields: tuple[FieldChange, ...] = ()
    access: tuple[AccessChange, ...] = ()  # a NetworkPolicy's grants, which its fields do not show


@dataclass(frozen=True)
class TreeDiff:
    """What changes between two out/ trees: objects, and files that no object explains."""

    objects: tuple[ObjectChange, ...]
    files: tuple[str, ...]
    environments: tuple[str, ...] = ()  # every built folder of either tree: base, overlays, argocd

    @property
    def empty(self) -> bool:
        """True when the trees are the same."""
        return not self.objects and not self.files


def stable_name(manifest: Manifest) -> str:
    """The object's name, without the content hash Kustomize appends to a generated ConfigMap."""
    name = str(manifest.get("metadata", {}).get("name", ""))
    if manifest.get("kind") == "ConfigMap":
        suffix = f"-{configmap_hash(manifest.get('data') or {})}"
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _key(manifest: Manifest) -> tuple[str, str, str]:
    return (
        str(manifest.get("kind")),
        str(manifest.get("metadata", {}).get("namespace", "")),
        stable_name(manifest),
    )


def diff_objects(environment: str, old: Sequence[Manifest], new: Sequence[Manifest]) -> list[ObjectChange]:
    """Objects added, changed (with their fields) and removed, in the order of the builds.

    A generated ConfigMap's new hash suffix is implied by its data change and not listed.
    """
    before = {_key(m): m for m in old}
    after = {_key(m): m for m in new}
    changes: list[ObjectChange] = []
    for key, manifest in after.items():
        kind, namespace, name = key
        if key not in before:
            access = access_changes({}, manifest) if kind == POLICY else ()
            changes.append(ObjectChange(environment, kind, name, namespace, "added", access=access))
        elif _identical(before[key], manifest):
            continue
        elif kind == POLICY:
            # Who may reach whom reads in words; the rest of the policy as fields.
            fields = tuple(diff_values(without_rules(before[key]), without_rules(manifest)))
            access = access_changes(before[key], manifest)
            if fields or access:
                changes.append(ObjectChange(environment, kind, name, namespace, "changed", fields, access))
        else:
            fields = tuple(
                f
                for f in diff_values(before[key], manifest)
                if not (kind == "ConfigMap" and f.path == "metadata.name")
            )
            if fields:
                changes.append(ObjectChange(environment, kind, name, namespace, "changed", fields))
    for key, manifest in before.items():
        if key not in after:
            access = access_changes(manifest, {}) if key[0] == POLICY else ()
            changes.append(ObjectChange(environment, key[0], key[2], key[1], "removed", access=access))
    return changes


def _identical(old: Any, new: Any) -> bool:
    """Equal values of equal types, checked in C: most objects of two builds are unchanged.

    `==` alone takes 1 for 1.0 and for True; their reprs tell them apart.
    """
    return bool(old == new) and repr(old) == repr(new)


def diff_values(old: Any, new: Any, path: str = "") -> Iterator[FieldChange]:
    """Every leaf that differs; lists of named items are matched by name, other lists by position.

    An item is named by its `name`, or without one by its `type` when other items of the list have
    names (KEDA's unnamed cpu trigger beside its named cron triggers), as long as the names of each
    list are distinct.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            where = _join(path, key)
            if key not in new:
                yield FieldChange(where, old[key], MISSING)
            elif key not in old:
                yield FieldChange(where, MISSING, new[key])
            else:
                yield from diff_values(old[key], new[key], where)
    elif isinstance(old, list) and isinstance(new, list) and _named(old, new):
        yield from _diff_named(old, new, path)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from diff_values(a, b, f"{path}[{index}]")
    elif type(old) is not type(new) or old != new:
        yield FieldChange(path, old, new)


def _identity(item: Any, by_type: bool) -> str | None:
    """What names a list item: its `name`; an HPA metric's resource (`cpu`); else (by_type) its `type`.

    None for an item that has none of them.
    """
    if not isinstance(item, dict):
        return None
    name = item.get("name")
    if isinstance(name, str):
        return name
    kind = item.get("type")
    source = item.get(kind[:1].lower() + kind[1:]) if isinstance(kind, str) and kind else None
    if kind in METRIC_SOURCES and isinstance(source, dict) and isinstance(source.get("name"), str):
        return str(source["name"])
    return kind if by_type and isinstance(kind, str) else None


def _by_type(old: list[Any], new: list[Any]) -> bool:
    """True when some item of either list has a name, so that its unnamed ones go by their type."""
    return any(isinstance(item, dict) and isinstance(item.get("name"), str) for item in (*old, *new))


def _named(old: list[Any], new: list[Any]) -> bool:
    """True when every item of both lists has an identity, distinct within its list (containers…)."""
    by_type = _by_type(old, new)
    for items in (old, new):
        names = [_identity(item, by_type) for item in items]
        if None in names or len(set(names)) != len(names):
            return False
    return True


def _diff_named(old: list[dict[str, Any]], new: list[dict[str, Any]], path: str) -> Iterator[FieldChange]:
    by_type = _by_type(old, new)
    before = {str(_identity(item, by_type)): item for item in old}
    after = {str(_identity(item, by_type)): item for item in new}
    found = False
    for name in [*before, *(n for n in after if n not in before)]:
        where = f"{path}[{name}]"
        if name not in after:
            found = True
            yield FieldChange(where, before[name], MISSING)
        elif name not in before:
            found = True
            yield FieldChange(where, MISSING, after[name])
        else:
            for change in diff_values(before[name], after[name], where):
                found = True
                yield change
    if not found and list(before) != list(after):
        # Same items in another order: still a change of the manifest.
        yield FieldChange(f"{path} (order)", list(before), list(after))


def _join(path: str, key: Any) -> str:
    text = str(key)
    if PLAIN_KEY.match(text):
        return f"{path}.{text}" if path else text
    return f'{path}["{text}"]'


def diff_trees(
    old: Mapping[str, str], new: Mapping[str, str], new_builds: Mapping[str, list[Manifest]] | None = None
) -> TreeDiff:
    """Build every environment of both trees and compare them; list changed files no build holds.

    new_builds holds builds of new that the compile made from its renders (the same objects as a
    build of its text); the other folders are built from the text.
    """
    given = new_builds or {}
    names = environments(new)
    names += [name for name in environments(old) if name not in names]
    objects: list[ObjectChange] = []
    # Every overlay builds on the base: each tree builds it once.
    built_old: dict[str, Any] = {}
    built_new: dict[str, Any] = {}
    for name in names:
        before = build_folder(old, folder_of(name), built_old) if name in environments(old) else []
        if name in given:
            after = given[name]
        else:
            after = build_folder(new, folder_of(name), built_new) if name in environments(new) else []
        objects.extend(diff_objects(name, before, after))
    files = changed_files(old, new)
    # Files of the builds are explained by their objects; name them only when no object changes.
    outside = [f for f in files if not f.startswith(BUILT_FOLDERS)] if objects else files
    return TreeDiff(tuple(objects), tuple(outside), tuple(names))
