"""Config files of the observability stack, generated into ConfigMaps by the kustomization."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.emit import dump
from compiler.model import EnvPlan
from compiler.render.types import ConfigSource
from compiler.stack import COLLECTOR_METRICS_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT, PROMETHEUS_PORT

ALERTS_DIR = "alerts/"
DASHBOARDS_DIR = "dashboards/"


def render(env: EnvPlan) -> Iterator[ConfigSource]:
    """The ConfigMap sources that the observability workloads mount."""
    yield ConfigSource("prometheus-config", (("prometheus.yml", dump(prometheus_config(env))),))
    yield ConfigSource("prometheus-rules", _monitoring_files(env, ALERTS_DIR))
    yield ConfigSource("grafana-datasources", (("datasources.yaml", dump(_datasources())),))
    yield ConfigSource("grafana-dashboard-providers", (("providers.yaml", dump(_providers())),))
    yield ConfigSource("grafana-dashboards", _monitoring_files(env, DASHBOARDS_DIR))
    yield ConfigSource("otel-collector-config", (("config.yaml", dump(collector_config(env))),))


def _monitoring_files(env: EnvPlan, folder: str) -> tuple[tuple[str, str], ...]:
    """Hand-authored files of one monitoring/ folder, keyed by file name."""
    return tuple(
        (f.path.removeprefix(folder), f.content) for f in env.monitoring if f.path.startswith(folder)
    )


def prometheus_config(env: EnvPlan) -> dict[str, Any]:
    """Prometheus: discover the system's pods in its own namespace and label them by layer."""
    pod_label = "__meta_kubernetes_pod_label_app_kubernetes_io_"
    return {
        "global": {
            "scrape_interval": "15s",
            "evaluation_interval": "15s",
            "external_labels": {"system": env.system, "environment": env.name},
        },
        "rule_files": ["/etc/prometheus-rules/*.yaml"],
        "scrape_configs": [
            {
                "job_name": "prometheus",
                "static_configs": [{"targets": [f"localhost:{PROMETHEUS_PORT}"]}],
            },
            {
                "job_name": "pods",
                "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"own_namespace": True}}],
                "relabel_configs": [
                    {
                        "source_labels": [f"{pod_label}part_of"],
                        "regex": env.system,
                        "action": "keep",
                    },
                    {
                        "source_labels": ["__meta_kubernetes_pod_container_port_name"],
                        "regex": "main|metrics",
                        "action": "keep",
                    },
                    {"source_labels": [f"{pod_label}component"], "target_label": "layer"},
                    {"source_labels": [f"{pod_label}name"], "target_label": "component"},
                    {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
                    {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
                    {"target_label": "environment", "replacement": env.name},
                ],
            },
        ],
    }


def collector_config(env: EnvPlan) -> dict[str, Any]:
    """OpenTelemetry Collector: OTLP in, memory_limiter then batch, Prometheus metrics out."""
    return {
        "extensions": {"health_check": {"endpoint": "0.0.0.0:13133"}},
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"0.0.0.0:{OTLP_GRPC_PORT}"},
                    "http": {"endpoint": f"0.0.0.0:{OTLP_HTTP_PORT}"},
                }
            }
        },
        "processors": {
            "memory_limiter": {
                "check_interval": "1s",
                "limit_percentage": 80,
                "spike_limit_percentage": 20,
            },
            "batch": {"timeout": "5s", "send_batch_size": 8192},
        },
        "exporters": {
            "prometheus": {
                "endpoint": f"0.0.0.0:{COLLECTOR_METRICS_PORT}",
                "const_labels": {"environment": env.name},
            },
            "debug": {"verbosity": "basic"},
        },
        "service": {
            "extensions": ["health_check"],
            "pipelines": {
                "metrics": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "batch"],
                    "exporters": ["prometheus"],
                },
                "traces": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "batch"],
                    "exporters": ["debug"],
                },
            },
        },
    }


def _datasources() -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "uid": "prometheus",
                "type": "prometheus",
                "access": "proxy",
                "url": f"http://prometheus:{PROMETHEUS_PORT}",
                "isDefault": True,
                "editable": False,
            }
        ],
    }


def _providers() -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "nifty",
                "type": "file",
                "disableDeletion": True,
                "allowUiUpdates": False,
                "options": {
                    "path": "/var/lib/grafana/dashboards",
                    "foldersFromFilesStructure": False,
                },
            }
        ],
    }
