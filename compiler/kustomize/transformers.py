"""What Kustomize does to our objects: generated ConfigMap names, namespaces, images, order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from compiler.kinds import CLUSTER_SCOPED, POD_TEMPLATES
from compiler.kustomize.jsonpatch import plain_copy
from compiler.render.types import ConfigSource, Manifest

# Kustomize's legacy output order (sortOptions: legacy, its default).
_ORDER_FIRST = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
_ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def configmap_hash(data: Mapping[str, str]) -> str:
    """The suffix Kustomize appends to a generated ConfigMap's name (it hashes with an empty name)."""
    # Kustomize hashes an empty name, and an empty string where there is no data.
    content: dict[str, str] | str = dict(data) or ""
    encoded = json.dumps(
        {"data": content, "kind": "ConfigMap", "name": ""},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    # Go's encoding/json escapes these; Kustomize hashes Go's bytes.
    for char, escape in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        encoded = encoded.replace(char, escape)
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def generated_configmaps(
    sources: Iterable[ConfigSource], namespace: str
) -> tuple[list[Manifest], dict[str, str]]:
    """ConfigMaps as Kustomize generates them, and the map from plain to hashed names."""
    manifests: list[Manifest] = []
    names: dict[str, str] = {}
    for source in sources:
        data = dict(sorted((*source.files, *source.literals)))
        hashed = f"{source.name}-{configmap_hash(data)}"
        names[source.name] = hashed
        manifest: Manifest = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": hashed, "namespace": namespace},
        }
        if data:
            manifest["data"] = data
        manifests.append(manifest)
    return manifests, names


# Where each kind keeps its pod template (the table of kinds, as Kustomize's field specs say).
POD_TEMPLATE = ("spec", "template")


def _template_path(manifest: Manifest) -> tuple[str, ...]:
    return POD_TEMPLATES.get(manifest.get("kind", "")) or POD_TEMPLATE


def _template(manifest: Manifest) -> dict[str, Any] | None:
    """The pod template of a workload of any kind, or None; a template of labels only (a CloudNativePG
    Pooler's, whose containers its operator writes) has no pod for the transformers."""
    node: Any = manifest
    for key in _template_path(manifest):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) and isinstance(node.get("spec"), dict) else None


def _with_template(manifest: Manifest, template: dict[str, Any]) -> Manifest:
    """manifest with its pod template replaced; only the mappings on the way are copied."""
    path = _template_path(manifest)

    def placed(node: dict[str, Any], depth: int) -> dict[str, Any]:
        if depth == len(path):
            return template
        return {**node, path[depth]: placed(node[path[depth]], depth + 1)}

    return placed(manifest, 0)


def rewrite_config_references(manifest: Manifest, names: Mapping[str, str]) -> Manifest:
    """A copy of manifest whose pod volumes and container variables name the hashed ConfigMaps."""
    if _template(manifest) is None:
        return manifest
    result: Manifest = plain_copy(manifest)
    template = _template(result)
    assert template is not None  # a copy of the template found above
    pod = template["spec"]
    references = [volume.get("configMap") for volume in pod.get("volumes", [])]
    for container in (*pod.get("initContainers", []), *pod.get("containers", [])):
        references += [var.get("valueFrom", {}).get("configMapKeyRef") for var in container.get("env", [])]
        references += [source.get("configMapRef") for source in container.get("envFrom", [])]
    for config in references:
        if config and config["name"] in names:
            config["name"] = names[config["name"]]
    return result


def set_namespace(manifest: Manifest, old: str | None, namespace: str) -> Manifest:
    """The namespace transformer: namespaced objects, the Namespace itself and ServiceAccount subjects.

    Only what changes is copied; the rest is shared with manifest, which nothing modifies.
    """
    result = dict(manifest)
    kind = result["kind"]
    if kind == "Namespace":
        result["metadata"] = {**manifest["metadata"], "name": namespace}
    elif kind not in CLUSTER_SCOPED:
        result["metadata"] = {**manifest.get("metadata", {}), "namespace": namespace}
    if "subjects" in manifest:
        result["subjects"] = [
            {**subject, "namespace": namespace}
            if subject.get("kind") == "ServiceAccount" and subject.get("namespace") in (old, None)
            else subject
            for subject in manifest["subjects"]
        ]
    return result


def set_images(manifest: Manifest, images: Mapping[str, Mapping[str, str]]) -> Manifest:
    """The images transformer, entries keyed by image name, over a pod template's containers.

    Only what changes is copied; the rest is shared with manifest, which nothing modifies.
    """
    template = _template(manifest)
    if not template or not images:
        return manifest
    pod = dict(template["spec"])
    for field in ("initContainers", "containers"):
        if field in pod:
            pod[field] = [_retag(container, images) for container in pod[field]]
    return _with_template(manifest, {**template, "spec": pod})


def _retag(container: dict[str, Any], images: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """A container whose image an images entry names, with that entry's name, tag or digest."""
    name, tag, digest = split_image(container["image"])
    image = images.get(name)
    if image is None:
        return container
    name = image.get("newName", name)
    if "digest" in image:
        reference = f"{name}@{image['digest']}"
    elif "newTag" in image:
        reference = f"{name}:{image['newTag']}"
    else:
        reference = name + (f"@{digest}" if digest else f":{tag}" if tag else "")
    return {**container, "image": reference}


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of an image reference; a registry port is part of the name."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :], digest or None
    return name, None, digest or None


def identity(manifest: Manifest) -> tuple[str, str, str]:
    """(kind, namespace, name): how Kustomize tells objects apart."""
    meta = manifest.get("metadata", {})
    return (manifest["kind"], meta.get("namespace", ""), meta["name"])


def _rank(kind: str) -> int:
    if kind in _ORDER_FIRST:
        return _ORDER_FIRST.index(kind)
    if kind in _ORDER_LAST:
        return len(_ORDER_FIRST) + 1 + _ORDER_LAST.index(kind)
    return len(_ORDER_FIRST)


def legacy_order(manifests: Iterable[Manifest]) -> list[Manifest]:
    """Manifests in the order `kubectl kustomize` prints them."""
    return sorted(manifests, key=lambda m: (_rank(m["kind"]), m["apiVersion"], m["kind"], *identity(m)[1:]))
