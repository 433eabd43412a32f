"""Renderers: one module per Kubernetes concern, each EnvPlan -> placed manifests."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from compiler.plan.model import EnvPlan
from compiler.render import (
    alertmanager_config,
    autoscaling,
    certificates,
    configs,
    databases,
    discovery,
    disruption,
    external_secrets,
    ingress,
    network,
    platform,
    prometheus_operator,
    rbac,
    redis,
    routes,
    services,
    workloads,
)
from compiler.render.types import ConfigSource, Placed, Rendered

Renderer = Callable[[EnvPlan], Iterable[Placed | ConfigSource]]

# Order matters only for readability of the emitted files; objects are sorted per file anyway.
RENDERERS: tuple[Renderer, ...] = (
    platform.render,
    workloads.render,
    databases.render,
    redis.render,
    services.render,
    discovery.render,
    autoscaling.render,
    disruption.render,
    network.render,
    ingress.render,
    routes.render,
    rbac.render,
    configs.render,
    certificates.render,
    external_secrets.render,
    prometheus_operator.render,
    alertmanager_config.render,
)


def render(env: EnvPlan) -> Rendered:
    """Run every renderer over env and collect its manifests and config sources."""
    placed: list[Placed] = []
    sources: list[ConfigSource] = []
    for renderer in RENDERERS:
        for item in renderer(env):
            if isinstance(item, Placed):
                placed.append(item)
            else:
                sources.append(item)
    return Rendered(tuple(placed), tuple(sorted(sources, key=lambda s: s.name)))
