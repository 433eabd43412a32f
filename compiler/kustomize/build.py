"""Build a kustomization of an in-memory out/ tree as `kubectl kustomize` does, without Kustomize.

Only the features nifty emits are understood (resources, namespace, images, configMapGenerator,
JSON 6902 patches and `$patch: delete`); anything else is refused rather than guessed, so that a
diff never rests on a wrong build. Transformers run in Kustomize's order: patches, namespace, images.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yaml import YAMLError

from compiler.kustomize.jsonpatch import PatchError, apply_patch
from compiler.kustomize.transformers import (
    generated_configmaps,
    legacy_order,
    rewrite_config_references,
    set_images,
    set_namespace,
)
from compiler.render.types import ConfigSource, Manifest
from compiler.syntax.read import load_all

KUSTOMIZATION = "kustomization.yaml"
KNOWN_FIELDS = frozenset(
    {"apiVersion", "kind", "namespace", "resources", "images", "configMapGenerator", "patches"}
)


class TreeBuildError(Exception):
    """The tree holds something this build does not understand, or something broken."""


@dataclass
class _Build:
    """Objects and generated ConfigMaps (by plain name, not yet hashed) of one kustomization."""

    objects: list[Manifest] = field(default_factory=list)
    configs: dict[str, dict[str, str]] = field(default_factory=dict)
    namespace: str | None = None


def environments(tree: Mapping[str, str]) -> list[str]:
    """The buildable folders of an out/ tree: base, each overlay, and argocd when present."""
    names = ["base"] if f"base/{KUSTOMIZATION}" in tree else []
    names += sorted(
        {
            path.split("/")[1]
            for path in tree
            if path.startswith("overlays/") and path.endswith(f"/{KUSTOMIZATION}") and path.count("/") == 2
        }
    )
    if f"argocd/{KUSTOMIZATION}" in tree:
        names.append("argocd")
    return names


def folder_of(env: str) -> str:
    """The folder of out/ that builds env."""
    return env if env in ("base", "argocd") else f"overlays/{env}"


def build_folder(
    tree: Mapping[str, str], folder: str, built_folders: dict[str, _Build] | None = None
) -> list[Manifest]:
    """Every object `kubectl kustomize out/<folder>` prints, in its order.

    built_folders keeps the builds of folders across calls on one tree, so that the base that every
    overlay names is built once: a build is never changed once made.
    """
    built = _build(tree, folder.strip("/"), (), {} if built_folders is None else built_folders)
    sources = [ConfigSource(name, tuple(sorted(data.items()))) for name, data in built.configs.items()]
    configmaps, names = generated_configmaps(sources, built.namespace or "")
    if built.namespace is None:
        for configmap in configmaps:
            del configmap["metadata"]["namespace"]
    objects = [rewrite_config_references(o, names) for o in built.objects]
    return legacy_order([*objects, *configmaps])


def _build(tree: Mapping[str, str], folder: str, seen: tuple[str, ...], built: dict[str, _Build]) -> _Build:
    if folder in seen:
        raise TreeBuildError(f"{folder}: kustomization cycle through {' -> '.join(seen)}")
    if folder not in built:
        built[folder] = _build_once(tree, folder, seen, built)
    return built[folder]


def _build_once(
    tree: Mapping[str, str], folder: str, seen: tuple[str, ...], built: dict[str, _Build]
) -> _Build:
    kustomization = _load_one(tree, f"{folder}/{KUSTOMIZATION}")
    unknown = sorted(set(kustomization) - KNOWN_FIELDS)
    if unknown:
        raise TreeBuildError(f"{folder}/{KUSTOMIZATION}: unsupported fields {', '.join(unknown)}")
    result = _Build()
    for resource in kustomization.get("resources", []):
        path = posixpath.normpath(posixpath.join(folder, resource))
        if f"{path}/{KUSTOMIZATION}" in tree:
            inner = _build(tree, path, (*seen, folder), built)
            result.objects.extend(inner.objects)
            result.configs.update(inner.configs)
            result.namespace = inner.namespace
        else:
            result.objects.extend(_load_all(tree, path))
    for generator in kustomization.get("configMapGenerator", []):
        _generate(tree, folder, generator, result.configs)
    for patch in kustomization.get("patches", []):
        result.objects = _patch(tree, folder, patch, result.objects)
        _delete_generated(tree, folder, patch, result.configs)
    namespace = kustomization.get("namespace")
    if namespace:
        result.objects = [set_namespace(o, result.namespace, namespace) for o in result.objects]
        result.namespace = namespace
    # Kustomize applies the first entry that names an image.
    images: dict[str, dict[str, str]] = {}
    for image in kustomization.get("images", []):
        images.setdefault(image["name"], image)
    result.objects = [set_images(o, images) for o in result.objects]
    return result


def _generate(
    tree: Mapping[str, str], folder: str, generator: dict[str, Any], configs: dict[str, dict[str, str]]
) -> None:
    """Add, replace or merge one generated ConfigMap's data, as its behavior says."""
    name = generator["name"]
    data: dict[str, str] = {}
    for entry in generator.get("files", []):
        key, _, source = entry.partition("=") if "=" in entry else (posixpath.basename(entry), "", entry)
        data[key] = _read(tree, posixpath.normpath(posixpath.join(folder, source)))
    for literal in generator.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    behavior = generator.get("behavior", "create")
    if behavior == "create":
        if name in configs:
            raise TreeBuildError(f"{folder}: ConfigMap {name} is generated twice")
        configs[name] = data
    elif name not in configs:
        raise TreeBuildError(f"{folder}: ConfigMap {name} has behavior {behavior} but no base to change")
    elif behavior == "replace":
        configs[name] = data
    elif behavior == "merge":
        configs[name] = {**configs[name], **data}
    else:
        raise TreeBuildError(f"{folder}: unknown configMapGenerator behavior {behavior}")


def _patch(
    tree: Mapping[str, str], folder: str, patch: dict[str, Any], objects: list[Manifest]
) -> list[Manifest]:
    """Objects with one `patches:` entry applied to its targets."""
    target = patch.get("target", {})
    if set(target) - {"kind", "name"}:
        raise TreeBuildError(f"{folder}: unsupported patch target {sorted(target)}")
    body = (
        _load_one(tree, posixpath.normpath(posixpath.join(folder, patch["path"])))
        if "path" in patch
        else None
    )
    if body is None:
        body = _parse(patch.get("patch", ""), f"{folder}: inline patch")[0]
    if isinstance(body, dict) and body.get("$patch") == "delete":
        return [o for o in objects if not _matches(o, target)]
    if not isinstance(body, list):
        raise TreeBuildError(f"{folder}: only JSON 6902 patches and $patch: delete are supported")
    try:
        return [apply_patch(o, body) if _matches(o, target) else o for o in objects]
    except PatchError as exc:
        raise TreeBuildError(f"{folder}: patch {patch.get('path', 'inline')}: {exc}") from None


def _delete_generated(
    tree: Mapping[str, str], folder: str, patch: dict[str, Any], configs: dict[str, dict[str, str]]
) -> None:
    """A `$patch: delete` of a ConfigMap also deletes a generated one of that (unhashed) name."""
    target = patch.get("target", {})
    if target.get("kind") != "ConfigMap" or target.get("name") not in configs or "path" in patch:
        return
    body = _parse(patch.get("patch", ""), f"{folder}: inline patch")[0]
    if isinstance(body, dict) and body.get("$patch") == "delete":
        del configs[target["name"]]


def _matches(manifest: Manifest, target: dict[str, Any]) -> bool:
    meta = manifest.get("metadata", {})
    return all(
        expected == (manifest.get("kind") if key == "kind" else meta.get("name"))
        for key, expected in target.items()
    )


def _read(tree: Mapping[str, str], path: str) -> str:
    if path not in tree:
        raise TreeBuildError(f"{path}: not found in the tree")
    return tree[path]


def _load_one(tree: Mapping[str, str], path: str) -> Any:
    documents = _parse(_read(tree, path), path)
    if len(documents) != 1:
        raise TreeBuildError(f"{path}: expected one YAML document, found {len(documents)}")
    return documents[0]


def _load_all(tree: Mapping[str, str], path: str) -> list[Manifest]:
    documents = _parse(_read(tree, path), path)
    if not all(isinstance(d, dict) and "kind" in d for d in documents):
        raise TreeBuildError(f"{path}: every document must be a Kubernetes object")
    return documents


def _parse(text: str, where: str) -> list[Any]:
    """The documents of text, shared with every other read of the same text.

    Nothing changes a parsed document: the transformers and patches copy what they change.
    """
    return list(_parse_once(text, where))


@functools.lru_cache(maxsize=256)
def _parse_once(text: str, where: str) -> tuple[Any, ...]:
    """Parsed documents by text: every overlay reads the base's files again, and parsing is slow."""
    try:
        return tuple(load_all(text))
    except YAMLError as exc:
        raise TreeBuildError(f"{where}: malformed YAML: {exc}") from None
