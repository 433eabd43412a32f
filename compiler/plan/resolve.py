"""Spec -> Plan: resolve defaults, names and environments into frozen data; pure."""

from __future__ import annotations

from compiler.plan.delivery import plan_applications
from compiler.plan.market import plan_calendar
from compiler.plan.model import (
    EnvPlan,
    External,
    Flow,
    LayerPlan,
    Plan,
    Route,
    Scaling,
    SecretEnv,
    Volume,
    Workload,
)
from compiler.plan.stack import observability_plan, stack_plan
from compiler.spec.merge import (
    merged_bounds,
    merged_env,
    merged_external,
    merged_secrets,
    merged_sizing,
    merged_skips,
    merged_volume,
)
from compiler.spec.model import Component, ComponentOverride, Environment, Layer, Spec
from compiler.spec.names import MonitoringFile

BASE = "base"


def plan(spec: Spec, monitoring: tuple[MonitoringFile, ...], source: str) -> Plan:
    """Resolve spec for the base and for every environment (sorted by name)."""
    ports = {c.name: c.port or spec.defaults.port for layer in spec.layers for c in layer.components}
    base = _env_plan(spec, BASE, None, ports, monitoring)
    envs = tuple(
        _env_plan(spec, name, spec.environments[name], ports, monitoring)
        for name in sorted(spec.environments)
    )
    return Plan(
        source=source,
        base=base,
        environments=envs,
        applications=plan_applications(spec, envs),
        market=plan_calendar(spec.market),
    )


def _env_plan(
    spec: Spec,
    name: str,
    env: Environment | None,
    ports: dict[str, int],
    monitoring: tuple[MonitoringFile, ...],
) -> EnvPlan:
    layers = tuple(
        _layer_plan(spec, layer, env, ports) for layer in sorted(spec.layers, key=lambda layer: layer.number)
    )
    namespace = env.namespace if env else spec.system.namespace
    return EnvPlan(
        name=name,
        system=spec.system.name,
        namespace=namespace,
        layers=layers,
        stack=stack_plan(spec, namespace, monitoring),
        observability=observability_plan(spec, monitoring),
        monitoring=monitoring,
    )


def _layer_plan(spec: Spec, layer: Layer, env: Environment | None, ports: dict[str, int]) -> LayerPlan:
    workloads = tuple(
        _workload(spec, layer, component, env.components.get(component.name) if env else None, env, ports)
        for component in layer.components
    )
    return LayerPlan(
        f"layer-{layer.number}.yaml",
        layer.number,
        layer.name,
        layer.description or "",
        layer.hot_path,
        workloads,
    )


def _workload(
    spec: Spec,
    layer: Layer,
    component: Component,
    override: ComponentOverride | None,
    env: Environment | None,
    ports: dict[str, int],
) -> Workload:
    own_image = component.image is None
    system_tag = (env.tag if env and env.tag else None) or spec.system.tag
    tag = (override.tag if override and override.tag else None) or component.tag or system_tag
    replicas = component.replicas
    if override and override.replicas is not None:
        replicas = override.replicas
    scaling = None
    if component.autoscaling is not None:
        bounds = merged_bounds(component.autoscaling, override)
        behaviour = spec.defaults.autoscaling
        scaling = Scaling(
            bounds.min,
            bounds.max,
            bounds.cpu,
            behaviour.scale_up_window,
            behaviour.scale_down_window,
        )
    elif replicas is None:
        replicas = 1
    sizing = merged_sizing(spec.defaults.resources, component, override)
    storage = component.storage
    volume = None
    if storage is not None:
        size, storage_class = merged_volume(storage, override)
        volume = Volume(size, storage.path, storage_class)
    return Workload(
        name=component.name,
        layer=layer.number,
        layer_name=layer.name,
        description=component.description or "",
        kind="StatefulSet" if storage else "Deployment",
        image=f"{spec.system.registry}/{component.name}" if own_image else component.image or "",
        tag=tag,
        digest=component.digest,
        port=ports[component.name],
        probe=component.probe,
        health=component.health or spec.defaults.health,
        replicas=replicas,
        scaling=scaling,
        sizing=sizing,
        hot_path=layer.hot_path,
        secrets=tuple(SecretEnv(s.secret, s.key, s.env, s.file) for s in merged_secrets(component, override)),
        volume=volume,
        flows=tuple(Flow(target, ports[target]) for target in component.talks_to),
        writable=tuple(component.writable),
        args=tuple(component.args),
        own_image=own_image,
        env=tuple(sorted(merged_env(component, override).items())),
        startup_seconds=component.startup_seconds,
        route=_route(spec, component, override),
        external=tuple(External(e.cidr, e.port) for e in merged_external(component, override)),
        skips=merged_skips(spec.defaults.exceptions, component.exceptions, component.digest),
        dedicated_cores=component.dedicated_cores,
    )


def _route(spec: Spec, component: Component, override: ComponentOverride | None) -> Route | None:
    """The component's public entry point, with the environment's host."""
    ingress = component.ingress
    if ingress is None:
        return None
    host = override.host if override and override.host else ingress.host
    tls = override.tls_secret if override and override.tls_secret else ingress.tls_secret
    controller = spec.defaults.ingress
    return Route(host, ingress.path, tls, controller.class_name, controller.namespace)
