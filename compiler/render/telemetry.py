"""The OpenTelemetry environment every workload container gets: where to export, and who it is."""

from __future__ import annotations

from typing import Any

from compiler.model import EnvPlan, Workload
from compiler.stack import OTLP_GRPC_PORT

COLLECTOR = "otel-collector"
# Every pod resolves the collector's Service by its short name inside its own namespace.
ENDPOINT = f"http://{COLLECTOR}:{OTLP_GRPC_PORT}"


def resource_attributes(env: EnvPlan, workload: Workload) -> str:
    """OTEL_RESOURCE_ATTRIBUTES: the same layer, component and environment labels Prometheus adds."""
    pairs = (
        ("service.namespace", env.system),
        ("layer", workload.layer_name),
        ("component", workload.name),
        ("environment", env.name),
    )
    return ",".join(f"{key}={value}" for key, value in pairs)


def telemetry_env(env: EnvPlan, workload: Workload) -> list[dict[str, Any]]:
    """The OTEL_* variables of a workload's container."""
    return [
        {"name": "OTEL_SERVICE_NAME", "value": workload.name},
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": ENDPOINT},
        {"name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": "grpc"},
        {"name": "OTEL_RESOURCE_ATTRIBUTES", "value": resource_attributes(env, workload)},
    ]
