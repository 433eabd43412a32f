"""Plan the observability stack (Prometheus, Grafana, OpenTelemetry Collector) as workloads."""

from __future__ import annotations

from compiler.merge import merged_sizing, merged_skips
from compiler.model import ConfigMount, Flow, LayerPlan, NamedPort, Volume, Workload
from compiler.spec import ObservedTool, Spec

STACK_FILE = "observability.yaml"
PROMETHEUS_PORT = 9090
GRAFANA_PORT = 3000
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
COLLECTOR_METRICS_PORT = 8889
COLLECTOR_HEALTH_PORT = 13133


def stack_plan(spec: Spec) -> LayerPlan:
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
        ),
        mounts=(
            ConfigMount("prometheus-config", "/etc/prometheus"),
            ConfigMount("prometheus-rules", "/etc/prometheus-rules"),
        ),
        volume=Volume(obs.prometheus.storage, "/prometheus", None),
        uses_api=True,
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
            ConfigMount("grafana-dashboards", "/var/lib/grafana/dashboards"),
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
        ),
        mounts=(ConfigMount("otel-collector-config", "/etc/otelcol"),),
    )
    return LayerPlan(
        STACK_FILE,
        0,
        "observability",
        "Prometheus, Grafana and the OpenTelemetry Collector",
        False,
        (prometheus, grafana, collector),
    )


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
) -> Workload:
    sizing = merged_sizing(spec.defaults.resources, None, None, tool.resources)
    return Workload(
        name=name,
        layer=0,
        layer_name="observability",
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
        secrets=(),
        volume=volume,
        flows=flows,
        writable=writable,
        args=args,
        extra_ports=extra_ports,
        mounts=mounts,
        uses_api=uses_api,
        own_image=False,
        probe_port=probe_port,
        liveness=liveness,
        skips=merged_skips(spec.defaults.exceptions, tool.exceptions, tool.digest),
    )
