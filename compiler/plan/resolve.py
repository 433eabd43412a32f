"""Spec -> Plan: resolve defaults, names and environments into frozen data; pure."""

from __future__ import annotations

from compiler.plan.delivery import plan_applications, plan_project
from compiler.plan.market import Calendar, cron_spans, plan_calendar
from compiler.plan.model import (
    CronWindow,
    EnvPlan,
    External,
    Flow,
    LayerPlan,
    NamedPort,
    ObservabilityPlan,
    Plan,
    PodValue,
    Prescaling,
    Route,
    Scaling,
    Scratch,
    SecretEnv,
    Volume,
    Workload,
)
from compiler.plan.operators import with_operators
from compiler.plan.stack import observability_plan, stack_plan
from compiler.spec.merge import (
    merged_annotations,
    merged_bounds,
    merged_env,
    merged_external,
    merged_floor,
    merged_secrets,
    merged_sizing,
    merged_skips,
    merged_volume,
)
from compiler.spec.model import Component, ComponentOverride, Connection, Environment, Layer, Spec
from compiler.spec.names import MonitoringFile
from compiler.spec.ports import MAIN, component_ports, connection

BASE = "base"


def plan(spec: Spec, monitoring: tuple[MonitoringFile, ...], source: str) -> Plan:
    """Resolve spec for the base and for every environment (sorted by name)."""
    ports = component_ports(spec)
    calendar = plan_calendar(spec.market)
    # The observability configs follow from the spec alone: one plan serves every environment.
    observability = observability_plan(spec, monitoring, calendar)
    base = _env_plan(spec, BASE, None, ports, monitoring, calendar, observability)
    envs = tuple(
        with_operators(
            _env_plan(spec, name, spec.environments[name], ports, monitoring, calendar, observability),
            spec.environments[name],
            calendar,
        )
        for name in sorted(spec.environments)
    )
    applications = plan_applications(spec, envs)
    return Plan(
        source=source,
        base=base,
        environments=envs,
        applications=applications,
        market=calendar,
        project=plan_project(spec, applications, calendar),
    )


def _env_plan(
    spec: Spec,
    name: str,
    env: Environment | None,
    ports: dict[str, dict[str, int]],
    monitoring: tuple[MonitoringFile, ...],
    calendar: Calendar | None,
    observability: ObservabilityPlan,
) -> EnvPlan:
    layers = tuple(
        _layer_plan(spec, layer, env, ports, calendar)
        for layer in sorted(spec.layers, key=lambda layer: layer.number)
    )
    namespace = env.namespace if env else spec.system.namespace
    return EnvPlan(
        name=name,
        system=spec.system.name,
        namespace=namespace,
        layers=layers,
        stack=stack_plan(spec, namespace, monitoring),
        observability=observability,
        monitoring=monitoring,
    )


def _layer_plan(
    spec: Spec,
    layer: Layer,
    env: Environment | None,
    ports: dict[str, dict[str, int]],
    calendar: Calendar | None,
) -> LayerPlan:
    workloads = tuple(
        _workload(
            spec,
            layer,
            component,
            env.components.get(component.name) if env else None,
            env,
            ports,
            calendar if env is not None and env.keda else None,
        )
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
    ports: dict[str, dict[str, int]],
    keda_calendar: Calendar | None,
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
            _prescaling(component, override, keda_calendar),
        )
    elif replicas is None:
        replicas = 1
    sizing = merged_sizing(spec.defaults.resources, component, override)
    storage = component.storage
    volume = None
    if storage is not None:
        size, storage_class = merged_volume(storage, override)
        volume = Volume(size, storage.path, storage_class)
    variables = merged_env(component, override)
    return Workload(
        name=component.name,
        layer=layer.number,
        layer_name=layer.name,
        description=component.description or "",
        kind="StatefulSet" if storage or component.peer_ports else "Deployment",
        image=f"{spec.system.registry}/{component.name}" if own_image else component.image or "",
        tag=tag,
        digest=component.digest,
        port=ports[component.name][MAIN],
        probe=component.probe,
        health=component.health or spec.defaults.health,
        replicas=replicas,
        scaling=scaling,
        sizing=sizing,
        hot_path=layer.hot_path,
        secrets=tuple(SecretEnv(s.secret, s.key, s.env, s.file) for s in merged_secrets(component, override)),
        volume=volume,
        flows=tuple(_flow(entry, ports) for entry in component.talks_to),
        writable=_scratches(component, override),
        args=tuple(component.args),
        own_image=own_image,
        env=tuple(sorted((k, v) for k, v in variables.items() if isinstance(v, str))),
        pod_env=tuple(
            PodValue(k, v.from_pod, v.divisor) for k, v in sorted(variables.items()) if not isinstance(v, str)
        ),
        startup_seconds=component.startup_seconds,
        route=_route(spec, component, override),
        external=tuple(
            External(e.cidr, e.port, e.description, e.protocol.upper())
            for e in merged_external(component, override)
        ),
        skips=merged_skips(spec.defaults.exceptions, component.exceptions, component.digest),
        dedicated_cores=component.dedicated_cores,
        extra_ports=tuple(NamedPort(p.name, p.port) for p in component.ports),
        peer_ports=tuple(sorted({ports[component.name][name] for name in component.peer_ports})),
    )


def _prescaling(
    component: Component, override: ComponentOverride | None, calendar: Calendar | None
) -> Prescaling | None:
    """The floor as KEDA cron windows, where the environment has KEDA (calendar) and the component a floor."""
    floor = merged_floor(component, override)
    if floor is None or calendar is None:
        return None
    windows = tuple(
        CronWindow(span.name, span.start, span.end) for span in cron_spans(calendar, floor.lead_minutes)
    )
    return Prescaling(floor.replicas, floor.lead_minutes, calendar.timezone, windows)


def _scratches(component: Component, override: ComponentOverride | None) -> tuple[Scratch, ...]:
    """The writable paths with their sizes: the environment's, else the spec's, else 64Mi."""
    sizes = {path.rstrip("/"): size for path, size in (override.writable if override else {}).items()}
    scratches = []
    for entry in component.writable:
        path, size = (entry, None) if isinstance(entry, str) else (entry.path, entry.size)
        size = sizes.get(path.rstrip("/"), size)
        scratches.append(Scratch(path) if size is None else Scratch(path, size))
    return tuple(scratches)


def _flow(entry: str | Connection, ports: dict[str, dict[str, int]]) -> Flow:
    """A talks_to entry as the port it connects to."""
    target, port = connection(entry)
    return Flow(target, ports[target][port or MAIN])


def _route(spec: Spec, component: Component, override: ComponentOverride | None) -> Route | None:
    """The component's public entry point, with the environment's host."""
    ingress = component.ingress
    if ingress is None:
        return None
    host = override.host if override and override.host else ingress.host
    tls = override.tls_secret if override and override.tls_secret else ingress.tls_secret
    controller = spec.defaults.ingress
    return Route(
        host,
        ingress.path,
        tls,
        controller.class_name,
        controller.namespace,
        merged_annotations(controller.annotations, ingress.annotations, override),
    )
