"""Plan the observability stack (Prometheus, Grafana, OpenTelemetry Collector, kube-state-metrics,
Alertmanager when the spec has one)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import PurePosixPath

from compiler.plan.alerting import (
    ALERTMANAGER,
    ALERTMANAGER_PORT,
    alerting_plan,
    alertmanager_args,
    alertmanager_external,
    alertmanager_flows,
    alertmanager_mounts,
    alertmanager_secrets,
    alertmanager_volume,
)
from compiler.plan.market import Calendar
from compiler.plan.model import (
    ApiRule,
    ConfigMount,
    External,
    Flow,
    LayerPlan,
    NamedPort,
    ObjectivePlan,
    ObservabilityPlan,
    ScrapeTarget,
    Scratch,
    SecretEnv,
    TracesPlan,
    Volume,
    Workload,
)
from compiler.spec.merge import merged_sizing, merged_skips
from compiler.spec.model import Component, ObservedTool, Spec
from compiler.spec.names import DASHBOARD_CONFIG_PREFIX, MonitoringFile, pooler_name
from compiler.spec.ports import PGBOUNCER_METRICS_PORT, POSTGRES_METRICS_PORT, REDIS_EXPORTER_PORT
from compiler.spec.quantities import memory_bytes

STACK_FILE = "observability.yaml"
STACK_LAYER = "observability"
PROMETHEUS_PORT = 9090
GRAFANA_PORT = 3000
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
COLLECTOR_METRICS_PORT = 8889
COLLECTOR_TELEMETRY_PORT = 8888
COLLECTOR_HEALTH_PORT = 13133
KSM_PORT = 8080
KSM_TELEMETRY_PORT = 8081
METRICS_PATH = "/metrics"
DASHBOARDS_PATH = "/var/lib/grafana/dashboards"
DASHBOARDS_DIR = "dashboards/"
# The stack's workloads that a cluster's Prometheus Operator replaces (with its Prometheus,
# Alertmanager and Grafana); the collector and kube-state-metrics stay.
OWN_MONITORING = ("prometheus", ALERTMANAGER, "grafana")
# Prometheus deletes the oldest blocks beyond this share of its volume, before the disk fills.
RETENTION_SHARE = 0.8
# What kube-state-metrics watches: the objects the generated alerts and dashboards read.
KSM_RESOURCES = ("deployments", "horizontalpodautoscalers", "pods", "statefulsets")
KSM_BATCH_RESOURCES = ("cronjobs", "jobs")


def layer_dashboard(number: int) -> str:
    """The name of a layer's generated dashboard."""
    return f"layer-{number}"


def file_dashboard(path: str) -> str:
    """The name of a hand-authored dashboard: its file name without .json."""
    return PurePosixPath(path).stem


def dashboard_config(name: str) -> str:
    """The ConfigMap (and pod volume) that holds one dashboard."""
    return f"{DASHBOARD_CONFIG_PREFIX}{name}"


def dashboard_names(spec: Spec, monitoring: tuple[MonitoringFile, ...]) -> tuple[str, ...]:
    """Every dashboard Grafana loads: one per layer, then the hand-authored ones, by name."""
    generated = [layer_dashboard(layer.number) for layer in sorted(spec.layers, key=lambda x: x.number)]
    authored = sorted(
        file_dashboard(f.path)
        for f in monitoring
        if f.path.startswith(DASHBOARDS_DIR) and f.path.endswith(".json")
    )
    return (*generated, *authored)


def stack_plan(spec: Spec, namespace: str, monitoring: tuple[MonitoringFile, ...]) -> LayerPlan:
    """The observability tools as one group of workloads, emitted into observability.yaml."""
    obs = spec.observability
    prometheus = _tool(
        spec,
        "prometheus",
        obs.prometheus,
        "Scrapes the system's pods and evaluates alert rules",
        port=PROMETHEUS_PORT,
        health="/-/ready",
        liveness="/-/healthy",
        args=(
            "--config.file=/etc/prometheus/prometheus.yml",
            "--storage.tsdb.path=/prometheus",
            f"--storage.tsdb.retention.time={obs.prometheus.retention}",
            f"--storage.tsdb.retention.size={retention_size(obs.prometheus.storage)}",
        ),
        mounts=(
            ConfigMount("prometheus-config", "/etc/prometheus"),
            ConfigMount("prometheus-rules", "/etc/prometheus-rules"),
        ),
        volume=Volume(obs.prometheus.storage, "/prometheus", None),
        flows=(Flow(ALERTMANAGER, ALERTMANAGER_PORT),) if obs.alertmanager else (),
    )
    dashboards = tuple(
        ConfigMount(dashboard_config(name), f"{DASHBOARDS_PATH}/{name}")
        for name in dashboard_names(spec, monitoring)
    )
    grafana = _tool(
        spec,
        "grafana",
        obs.grafana,
        "Dashboards over Prometheus",
        port=GRAFANA_PORT,
        health="/api/health",
        mounts=(
            ConfigMount("grafana-datasources", "/etc/grafana/provisioning/datasources"),
            ConfigMount("grafana-dashboard-providers", "/etc/grafana/provisioning/dashboards"),
            *dashboards,
        ),
        writable=("/tmp", "/var/lib/grafana/data"),
        flows=(Flow("prometheus", PROMETHEUS_PORT),),
    )
    collector = _tool(
        spec,
        "otel-collector",
        obs.otel_collector,
        "Receives OTLP telemetry from every workload",
        port=OTLP_GRPC_PORT,
        health="/",
        probe_port=COLLECTOR_HEALTH_PORT,
        args=("--config=/etc/otelcol/config.yaml",),
        extra_ports=(
            NamedPort("otlp-http", OTLP_HTTP_PORT),
            NamedPort("metrics", COLLECTOR_METRICS_PORT),
            NamedPort("telemetry", COLLECTOR_TELEMETRY_PORT),
        ),
        mounts=(ConfigMount("otel-collector-config", "/etc/otelcol"),),
    )
    # Prometheus finds pods through DNS, so only kube-state-metrics reads the API, and only here:
    # the batch kinds too where the system has scheduled jobs, whose alerts read their runs.
    batch = any(c.schedule is not None for layer in spec.layers for c in layer.components)
    resources = tuple(sorted((*KSM_RESOURCES, *(KSM_BATCH_RESOURCES if batch else ()))))
    state = _tool(
        spec,
        "kube-state-metrics",
        obs.kube_state_metrics,
        "Exports the state of the namespace's pods, workloads and autoscalers",
        port=KSM_PORT,
        health="/healthz",
        liveness="/livez",
        args=(
            f"--namespaces={namespace}",
            f"--resources={','.join(resources)}",
            f"--port={KSM_PORT}",
            f"--telemetry-port={KSM_TELEMETRY_PORT}",
        ),
        uses_api=True,
        api_rules=(
            ApiRule("", ("pods",)),
            ApiRule("apps", ("deployments", "statefulsets")),
            ApiRule("autoscaling", ("horizontalpodautoscalers",)),
            *((ApiRule("batch", KSM_BATCH_RESOURCES),) if batch else ()),
        ),
    )
    tools = [prometheus, grafana, collector, state]
    manager = obs.alertmanager
    if manager is not None:
        tools.append(
            _tool(
                spec,
                ALERTMANAGER,
                manager,
                "Routes Prometheus' alerts to the receivers, by severity, layer and the market clock",
                port=ALERTMANAGER_PORT,
                health="/-/ready",
                liveness="/-/healthy",
                args=alertmanager_args(),
                mounts=alertmanager_mounts(),
                volume=alertmanager_volume(manager),
                flows=alertmanager_flows(spec, manager),
                secrets=alertmanager_secrets(manager),
                external=alertmanager_external(manager),
            )
        )
    return LayerPlan(
        STACK_FILE,
        0,
        STACK_LAYER,
        "Prometheus, Grafana, the OpenTelemetry Collector and kube-state-metrics",
        False,
        tuple(tools),
    )


def retention_size(storage: str) -> str:
    """The size-based retention of Prometheus: a share of its volume, in MiB (Prometheus' MB)."""
    return f"{int(memory_bytes(storage) * RETENTION_SHARE) // 2**20}MB"


def observability_plan(
    spec: Spec, monitoring: tuple[MonitoringFile, ...], calendar: Calendar | None
) -> ObservabilityPlan:
    """What the Prometheus, Grafana, collector and Alertmanager configs need, from the spec."""
    obs = spec.observability
    traces = obs.otel_collector.traces
    return ObservabilityPlan(
        retention=obs.prometheus.retention,
        retention_size=retention_size(obs.prometheus.storage),
        scrape_interval=obs.prometheus.scrape_interval,
        evaluation_interval=obs.prometheus.evaluation_interval,
        runbooks=obs.runbooks.rstrip("/"),
        targets=scrape_targets(spec),
        objectives=objectives(spec),
        dashboards=dashboard_names(spec, monitoring),
        traces=TracesPlan(traces.endpoint, traces.insecure) if traces else None,
        alerting=alerting_plan(spec, calendar),
        market=calendar,
    )


def _metrics_port(spec: Spec, component: Component) -> int:
    """The port Prometheus scrapes a component on: its operator's exporter's, else the one it states."""
    if component.database:
        return POSTGRES_METRICS_PORT
    if component.redis:
        return REDIS_EXPORTER_PORT
    return component.metrics.port or component.port or spec.defaults.port


def scrape_targets(spec: Spec) -> tuple[ScrapeTarget, ...]:
    """Every metrics endpoint: the components that serve one, then the stack's own."""
    found = [
        ScrapeTarget(
            c.name,
            c.name,
            layer.name,
            _metrics_port(spec, c),
            c.metrics.path,
        )
        for layer in sorted(spec.layers, key=lambda x: x.number)
        for c in layer.components
        # A scheduled job's pods are gone between runs: kube-state-metrics tells of its runs instead.
        if c.metrics.scrape and c.schedule is None
    ]
    # A database's PgBouncer pods have their own exporter.
    found += [
        ScrapeTarget(
            pooler_name(c.name), pooler_name(c.name), layer.name, PGBOUNCER_METRICS_PORT, c.metrics.path
        )
        for layer in sorted(spec.layers, key=lambda x: x.number)
        for c in layer.components
        if c.database is not None and c.database.pooler is not None and c.metrics.scrape
    ]
    stack: tuple[tuple[str, str, int, bool], ...] = (
        ("prometheus", "prometheus", PROMETHEUS_PORT, False),
        ("grafana", "grafana", GRAFANA_PORT, False),
        ("otel-collector", "otel-collector", COLLECTOR_TELEMETRY_PORT, False),
        # The workloads' OTLP metrics keep the layer and component of the workload that sent them.
        ("otel-collector-exported", "otel-collector", COLLECTOR_METRICS_PORT, True),
        ("kube-state-metrics", "kube-state-metrics", KSM_PORT, False),
    )
    if spec.observability.alertmanager is not None:
        stack += ((ALERTMANAGER, ALERTMANAGER, ALERTMANAGER_PORT, False),)
    found += [
        ScrapeTarget(job, name, STACK_LAYER, port, METRICS_PATH, honor) for job, name, port, honor in stack
    ]
    return tuple(found)


def objectives(spec: Spec) -> tuple[ObjectivePlan, ...]:
    """The declared objectives of every component, in spec order."""
    return tuple(
        ObjectivePlan(
            workload=c.name,
            layer_name=layer.name,
            name=o.name,
            kind=o.kind,
            metric=o.metric,
            threshold=o.threshold,
            seconds=threshold_seconds(o.threshold),
            quantile=o.quantile,
            hold=o.hold,
            severity=o.severity,
            summary=o.summary or _objective_summary(c.name, o.kind, o.threshold, o.quantile),
        )
        for layer in sorted(spec.layers, key=lambda x: x.number)
        for c in layer.components
        for o in c.objectives
    )


# Seconds per unit of a threshold.
THRESHOLD_UNITS = {"us": Decimal("0.000001"), "ms": Decimal("0.001"), "s": Decimal(1), "m": Decimal(60)}


def threshold_seconds(threshold: str) -> float:
    """A threshold such as 500us, 0.5ms, 250ms, 5s or 2m in seconds (in decimal, then rounded once)."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(us|ms|s|m)", threshold)
    if match is None:
        raise ValueError(f"not a threshold: {threshold!r}")
    return float(Decimal(match.group(1)) * THRESHOLD_UNITS[match.group(2)])


def _objective_summary(component: str, kind: str, threshold: str, quantile: float) -> str:
    if kind == "latency":
        return f"p{quantile * 100:g} latency of {component} is above {threshold}"
    return f"{component} has seen no fresh data for more than {threshold}"


def _tool(
    spec: Spec,
    name: str,
    tool: ObservedTool,
    description: str,
    *,
    port: int,
    health: str,
    liveness: str | None = None,
    probe_port: int | None = None,
    args: tuple[str, ...] = (),
    mounts: tuple[ConfigMount, ...] = (),
    extra_ports: tuple[NamedPort, ...] = (),
    volume: Volume | None = None,
    writable: tuple[str, ...] = ("/tmp",),
    flows: tuple[Flow, ...] = (),
    uses_api: bool = False,
    api_rules: tuple[ApiRule, ...] = (),
    secrets: tuple[SecretEnv, ...] = (),
    external: tuple[External, ...] = (),
) -> Workload:
    sizing = merged_sizing(spec.defaults.resources, None, None, tool.resources)
    return Workload(
        name=name,
        layer=0,
        layer_name=STACK_LAYER,
        description=description,
        kind="StatefulSet" if volume else "Deployment",
        image=tool.image,
        tag=tool.tag,
        digest=tool.digest,
        port=port,
        probe="http",
        health=health,
        replicas=1,
        scaling=None,
        sizing=sizing,
        hot_path=False,
        secrets=secrets,
        volume=volume,
        flows=flows,
        writable=tuple(Scratch(path) for path in writable),
        args=args,
        extra_ports=extra_ports,
        mounts=mounts,
        uses_api=uses_api,
        api_rules=api_rules,
        own_image=False,
        probe_port=probe_port,
        liveness=liveness,
        skips=merged_skips(spec.defaults.exceptions, tool.exceptions, tool.digest),
        external=external,
    )
