"""Build one environment the way `kubectl kustomize out/overlays/<env>` does, without Kustomize."""

from __future__ import annotations

from compiler.kustomize.transformers import generated_configmaps, legacy_order, rewrite_config_references
from compiler.plan.model import EnvPlan
from compiler.render import render
from compiler.render.types import Manifest, Rendered


def build_environment(env: EnvPlan) -> list[Manifest]:
    """Every object of env with generated ConfigMaps named by their content hash, in Kustomize's order."""
    return built(render(env), env.namespace)


def built(rendered: Rendered, namespace: str) -> list[Manifest]:
    """What `kubectl kustomize` prints for a render: hashed ConfigMaps, references to them, its order."""
    configmaps, names = generated_configmaps(rendered.configs, namespace)
    objects = [rewrite_config_references(p.manifest, names) for p in rendered.placed]
    return legacy_order([*objects, *configmaps])
