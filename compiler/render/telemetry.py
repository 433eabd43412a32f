"""The OpenTelemetry environment every workload container gets: where to export, and who it is."""

from __future__ import annotations

from typing import Any

from compiler.plan.model import EnvPlan, Workload
from compiler.plan.stack import OTLP_GRPC_PORT
from compiler.spec.names import ENVIRONMENT_VAR

COLLECTOR = "otel-collector"
# The environment's name reaches every container from one generated ConfigMap, so that an overlay
# replaces that ConfigMap instead of patching every workload.
ENVIRONMENT_CONFIG = "nifty-environment"
ENVIRONMENT_KEY = "environment"
# Every pod resolves the collector's Service by its short name inside its own namespace.
ENDPOINT = f"http://{COLLECTOR}:{OTLP_GRPC_PORT}"


def resource_attributes(env: EnvPlan, workload: Workload) -> str:
    """OTEL_RESOURCE_ATTRIBUTES: the same layer, component and environment labels Prometheus adds."""
    pairs = (
        ("service.namespace", env.system),
        ("layer", workload.layer_name),
        ("component", workload.name),
        # Kubernetes expands $(VAR) from a variable defined earlier in the same container.
        ("environment", f"$({ENVIRONMENT_VAR})"),
    )
    return ",".join(f"{key}={value}" for key, value in pairs)


def telemetry_env(env: EnvPlan, workload: Workload) -> list[dict[str, Any]]:
    """The OTEL_* variables of a workload's container."""
    return [
        {"name": "OTEL_SERVICE_NAME", "value": workload.name},
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": ENDPOINT},
        {"name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": "grpc"},
        {
            "name": ENVIRONMENT_VAR,
            "valueFrom": {"configMapKeyRef": {"name": ENVIRONMENT_CONFIG, "key": ENVIRONMENT_KEY}},
        },
        {"name": "OTEL_RESOURCE_ATTRIBUTES", "value": resource_attributes(env, workload)},
    ]
