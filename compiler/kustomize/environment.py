"""Build one environment the way `kubectl kustomize out/overlays/<env>` does, without Kustomize."""

from __future__ import annotations

from compiler.kustomize.transformers import generated_configmaps, legacy_order, rewrite_config_references
from compiler.plan.model import EnvPlan
from compiler.render import render
from compiler.render.types import Manifest


def build_environment(env: EnvPlan) -> list[Manifest]:
    """Every object of env with generated ConfigMaps named by their content hash, in Kustomize's order."""
    rendered = render(env)
    configmaps, names = generated_configmaps(rendered.configs, env.namespace)
    objects = [rewrite_config_references(p.manifest, names) for p in rendered.placed]
    return legacy_order([*objects, *configmaps])
