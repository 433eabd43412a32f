"""Derive an overlay as the difference between an environment's render and the base render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.kustomize.transformers import identity, set_images, set_namespace
from compiler.plan.model import EnvPlan
from compiler.render.types import ConfigSource, Manifest, Rendered


@dataclass(frozen=True)
class ImageChange:
    """An `images:` entry: every container of this image gets the new tag."""

    name: str
    new_tag: str


@dataclass(frozen=True)
class Patch:
    """A JSON 6902 patch of one base object."""

    kind: str
    name: str
    operations: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Overlay:
    """What an environment changes relative to the base."""

    namespace: str
    images: tuple[ImageChange, ...]
    patches: tuple[Patch, ...]
    added: tuple[Manifest, ...]
    removed: tuple[Manifest, ...]
    configs: tuple[ConfigSource, ...]
    # Generated ConfigMaps of the base that the environment does without.
    removed_configs: tuple[str, ...] = ()


def derive_overlay(base_plan: EnvPlan, base: Rendered, env_plan: EnvPlan, env: Rendered) -> Overlay:
    """The kustomization changes that turn the base build into env's build."""
    images = _image_changes(base_plan, env_plan)
    entries = {change.name: {"name": change.name, "newTag": change.new_tag} for change in images}
    transformed = {
        identity(m): m
        for m in (
            set_images(set_namespace(p.manifest, base_plan.namespace, env_plan.namespace), entries)
            for p in base.placed
        )
    }
    wanted = {identity(p.manifest): p.manifest for p in env.placed}
    patches = []
    for key in sorted(set(transformed) & set(wanted)):
        # Most objects are unchanged; for JSON-like data equal reprs mean equal values and types.
        if repr(transformed[key]) == repr(wanted[key]):
            continue
        operations = tuple(json_patch(transformed[key], wanted[key]))
        if operations:
            patches.append(Patch(key[0], key[2], operations))
    base_configs = {c.name: c for c in base.configs}
    return Overlay(
        namespace=env_plan.namespace,
        images=images,
        patches=tuple(patches),
        added=tuple(wanted[k] for k in sorted(set(wanted) - set(transformed))),
        removed=tuple(transformed[k] for k in sorted(set(transformed) - set(wanted))),
        configs=tuple(c for c in env.configs if base_configs.get(c.name) != c),
        removed_configs=tuple(sorted(set(base_configs) - {c.name for c in env.configs})),
    )


def _image_changes(base_plan: EnvPlan, env_plan: EnvPlan) -> tuple[ImageChange, ...]:
    """Tags an environment changes, one entry per image."""
    base_tags = {w.image: w.tag for w in base_plan.workloads if not w.digest}
    changes = {
        w.image: w.tag
        for w in env_plan.workloads
        if not w.digest and base_tags.get(w.image) not in (None, w.tag)
    }
    return tuple(ImageChange(name, tag) for name, tag in sorted(changes.items()))


def _escape(key: str | int) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def json_patch(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """RFC 6902 operations that turn old into new; lists of equal length are patched item by item."""
    if isinstance(old, dict) and isinstance(new, dict):
        operations: list[dict[str, Any]] = []
        for key in old:
            if key not in new:
                operations.append({"op": "remove", "path": f"{path}/{_escape(key)}"})
        for key, value in new.items():
            where = f"{path}/{_escape(key)}"
            if key not in old:
                operations.append({"op": "add", "path": where, "value": value})
            else:
                operations.extend(json_patch(old[key], value, where))
        return operations
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            op
            for index, (a, b) in enumerate(zip(old, new, strict=True))
            for op in json_patch(a, b, f"{path}/{index}")
        ]
    if old == new and type(old) is type(new):
        return []
    return [{"op": "replace", "path": path, "value": new}]
