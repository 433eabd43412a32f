"""Spec -> Plan: resolve defaults, names and environments into frozen data; pure."""

from __future__ import annotations

from compiler.plan.database import plan_database
from compiler.plan.delivery import plan_applications, plan_project
from compiler.plan.jobs import plan_job
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
from compiler.plan.redis import plan_redis
from compiler.plan.stack import observability_plan, stack_plan
from compiler.spec.merge import Floor
from compiler.spec.model import Component, Connection, Layer, Redis, Spec
from compiler.spec.names import (
    POOLER_PORT,
    MonitoringFile,
    database_variables,
    pooler_name,
    redis_password_file,
    redis_password_variable,
    redis_variables,
)
from compiler.spec.ports import MAIN, component_ports, connection
from compiler.spec.resolved import Resolved, View, environment_view

BASE = "base"


def plan(spec: Spec, monitoring: tuple[MonitoringFile, ...], source: str) -> Plan:
    """Resolve spec for the base and for every environment (sorted by name)."""
    ports = component_ports(spec)
    calendar = plan_calendar(spec.market)
    # The observability configs follow from the spec alone: one plan serves every environment.
    observability = observability_plan(spec, monitoring, calendar)
    base = _env_plan(spec, environment_view(spec, None), ports, monitoring, calendar, observability)
    envs = tuple(
        with_operators(
            _env_plan(spec, environment_view(spec, name), ports, monitoring, calendar, observability),
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
    view: View,
    ports: dict[str, dict[str, int]],
    monitoring: tuple[MonitoringFile, ...],
    calendar: Calendar | None,
    observability: ObservabilityPlan,
) -> EnvPlan:
    layers = tuple(
        _layer_plan(spec, layer, view, ports, calendar)
        for layer in sorted(spec.layers, key=lambda layer: layer.number)
    )
    env = view.environment
    namespace = env.namespace if env else spec.system.namespace
    return EnvPlan(
        name=view.name or BASE,
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
    view: View,
    ports: dict[str, dict[str, int]],
    calendar: Calendar | None,
) -> LayerPlan:
    resolved = {entry.name: entry for entry in view.components}
    env = view.environment
    databases = _databases(spec)
    redis = {entry.name: entry.redis for entry in view.components if entry.redis is not None}
    workloads = tuple(
        _workload(
            spec,
            resolved[component.name],
            ports,
            calendar if env is not None and env.keda else None,
            calendar,
            databases,
            redis,
        )
        for component in layer.components
        if component.database is None and component.redis is None
    )
    return LayerPlan(
        f"layer-{layer.number}.yaml",
        layer.number,
        layer.name,
        layer.description or "",
        layer.hot_path,
        workloads,
        tuple(
            plan_database(
                resolved[component.name],
                _clients(spec, component.name, pooled=False),
                _clients(spec, component.name, pooled=True),
                calendar,
            )
            for component in layer.components
            if component.database is not None
        ),
        tuple(
            plan_redis(resolved[component.name], _clients(spec, component.name))
            for component in layer.components
            if component.redis is not None
        ),
    )


def _databases(spec: Spec) -> frozenset[str]:
    """The names of the components that are databases."""
    return frozenset(c.name for layer in spec.layers for c in layer.components if c.database is not None)


def _clients(spec: Spec, target: str, *, pooled: bool = False) -> tuple[str, ...]:
    """The components that connect to target through a database's pooler (pooled) or straight, in order."""
    return tuple(
        c.name
        for layer in spec.layers
        for c in layer.components
        if any(
            connection(entry)[0] == target and (connection(entry)[1] == POOLER_PORT) == pooled
            for entry in c.talks_to
        )
    )


def _redis_targets(component: Component, redis: dict[str, Redis]) -> list[str]:
    """The Redis a component talks to, each once, in its order."""
    return list(dict.fromkeys(t for t, _ in map(connection, component.talks_to) if t in redis))


def _redis_env(component: Component, redis: dict[str, Redis]) -> dict[str, str]:
    """The variables that find each Redis's master through its Sentinels, for a client of it."""
    found: dict[str, str] = {}
    for target in _redis_targets(component, redis):
        found.update(redis_variables(target, redis[target].sentinels))
    return found


def _redis_secrets(component: Component, redis: dict[str, Redis]) -> tuple[SecretEnv, ...]:
    """The password of each Redis a component talks to: its Secret's key as a file, whose path a variable
    holds (a file, not a variable: a variable's value shows in the pod's description and crash dumps)."""
    return tuple(
        SecretEnv(
            redis[t].secret, redis[t].key, redis_password_variable(t), redis_password_file(t, redis[t].key)
        )
        for t in _redis_targets(component, redis)
    )


def _database_env(component: Component, databases: frozenset[str]) -> dict[str, str]:
    """The connection variables of the databases a component talks to, straight or through a pooler."""
    ports: dict[str, set[str | None]] = {}
    for entry in component.talks_to:
        target, port = connection(entry)
        if target in databases:
            ports.setdefault(target, set()).add(port)
    found: dict[str, str] = {}
    for target, used in ports.items():
        direct = bool(used - {POOLER_PORT})
        found.update(database_variables(target, direct=direct, pooled=POOLER_PORT in used))
    return found


def _workload(
    spec: Spec,
    resolved: Resolved,
    ports: dict[str, dict[str, int]],
    keda_calendar: Calendar | None,
    calendar: Calendar | None,
    databases: frozenset[str],
    redis: dict[str, Redis],
) -> Workload:
    component, layer = resolved.component, resolved.layer
    schedule = component.schedule
    own_image = component.image is None
    replicas = resolved.replicas
    scaling = None
    if resolved.bounds is not None:
        bounds = resolved.bounds
        behaviour = spec.defaults.autoscaling
        scaling = Scaling(
            bounds.min,
            bounds.max,
            bounds.cpu,
            behaviour.scale_up_window,
            behaviour.scale_down_window,
            _prescaling(resolved.floor, keda_calendar),
        )
    elif replicas is None and schedule is None:
        replicas = 1
    storage = component.storage
    volume = None
    if storage is not None and resolved.volume is not None:
        size, storage_class = resolved.volume
        volume = Volume(size, storage.path, storage_class)
    variables = {**resolved.env, **_database_env(component, databases), **_redis_env(component, redis)}
    return Workload(
        name=component.name,
        layer=layer.number,
        layer_name=layer.name,
        description=component.description or "",
        kind="CronJob" if schedule else "StatefulSet" if storage or component.peer_ports else "Deployment",
        image=f"{spec.system.registry}/{component.name}" if own_image else component.image or "",
        tag=resolved.tag,
        digest=component.digest,
        port=ports[component.name][MAIN],
        probe=component.probe,
        health=component.health or spec.defaults.health,
        replicas=replicas,
        scaling=scaling,
        sizing=resolved.sizing,
        hot_path=resolved.hot_path,
        secrets=tuple(SecretEnv(s.secret, s.key, s.env, s.file) for s in resolved.secrets)
        + _redis_secrets(component, redis),
        volume=volume,
        flows=tuple(flow for entry in component.talks_to for flow in _flows(entry, ports, databases, redis)),
        writable=tuple(
            Scratch(path) if size is None else Scratch(path, size) for path, size in resolved.scratches
        ),
        args=tuple(component.args),
        own_image=own_image,
        env=tuple(sorted((k, v) for k, v in variables.items() if isinstance(v, str))),
        pod_env=tuple(
            PodValue(k, v.from_pod, v.divisor) for k, v in sorted(variables.items()) if not isinstance(v, str)
        ),
        startup_seconds=component.startup_seconds,
        route=_route(spec, resolved),
        external=tuple(
            External(e.cidr, e.port, e.description, e.protocol.upper()) for e in resolved.external
        ),
        skips=resolved.skips,
        dedicated_cores=component.dedicated_cores,
        extra_ports=tuple(NamedPort(p.name, p.port) for p in component.ports),
        peer_ports=tuple(sorted({ports[component.name][name] for name in component.peer_ports})),
        job=plan_job(schedule, calendar, resolved.suspended) if schedule is not None else None,
    )


def _prescaling(floor: Floor | None, calendar: Calendar | None) -> Prescaling | None:
    """The floor as KEDA cron windows, where the environment has KEDA (calendar) and the component a floor."""
    if floor is None or calendar is None:
        return None
    windows = tuple(
        CronWindow(span.name, span.start, span.end) for span in cron_spans(calendar, floor.lead_minutes)
    )
    return Prescaling(floor.replicas, floor.lead_minutes, calendar.timezone, windows)


def _flows(
    entry: str | Connection,
    ports: dict[str, dict[str, int]],
    databases: frozenset[str],
    redis: dict[str, Redis],
) -> tuple[Flow, ...]:
    """A talks_to entry as the ports it connects to: a database's pooler port to its PgBouncer pods, and a
    Redis's Sentinels (which name the master) as well as its Redis pods, whichever port it names."""
    target, port = connection(entry)
    if port == POOLER_PORT and target in databases:
        return (Flow(pooler_name(target), ports[target][port]),)
    if target in redis:
        return tuple(Flow(target, number) for number in ports[target].values())
    return (Flow(target, ports[target][port or MAIN]),)


def _route(spec: Spec, resolved: Resolved) -> Route | None:
    """The component's public entry point, as the environment sees it."""
    route = resolved.route
    if route is None:
        return None
    controller = spec.defaults.ingress
    return Route(
        route.host,
        route.path,
        route.tls_secret,
        controller.class_name,
        controller.namespace,
        route.annotations,
    )
