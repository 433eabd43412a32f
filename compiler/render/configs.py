"""Config files of the observability stack, generated into ConfigMaps by the kustomization."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from compiler.plan.alerting import ALERTMANAGER_CONFIG, CONFIG_FILE
from compiler.plan.model import EnvPlan, ScrapeTarget
from compiler.plan.stack import (
    COLLECTOR_HEALTH_PORT,
    COLLECTOR_METRICS_PORT,
    COLLECTOR_TELEMETRY_PORT,
    DASHBOARDS_DIR,
    DASHBOARDS_PATH,
    OTLP_GRPC_PORT,
    OTLP_HTTP_PORT,
    PROMETHEUS_PORT,
    dashboard_config,
    file_dashboard,
    layer_dashboard,
)
from compiler.render.alertmanager import alertmanager_config, prometheus_alerting
from compiler.render.alerts import rule_groups
from compiler.render.dashboards import layer_dashboard_json
from compiler.render.discovery import discovery_host
from compiler.render.telemetry import ENVIRONMENT_CONFIG, ENVIRONMENT_KEY
from compiler.render.types import ConfigSource
from compiler.spec.names import GENERATED_RULES
from compiler.syntax.emit import dump

ALERTS_DIR = "alerts/"
RULES_PATH = "/etc/prometheus-rules"
DNS_REFRESH = "30s"


def render(env: EnvPlan) -> Iterator[ConfigSource]:
    """The ConfigMap sources that the observability workloads mount."""
    yield ConfigSource("otel-collector-config", (("config.yaml", dump(collector_config(env))),))
    yield ConfigSource(ENVIRONMENT_CONFIG, (), ((ENVIRONMENT_KEY, env.name),))
    if env.prometheus_operator is not None:
        # The cluster's Prometheus, Alertmanager and Grafana take objects instead (prometheus_operator.py).
        return
    yield ConfigSource("prometheus-config", (("prometheus.yml", dump(prometheus_config(env))),))
    yield ConfigSource("prometheus-rules", rule_files(env))
    yield ConfigSource("grafana-datasources", (("datasources.yaml", dump(_datasources())),))
    yield ConfigSource("grafana-dashboard-providers", (("providers.yaml", dump(_providers())),))
    yield from dashboards(env)
    alerting = env.observability.alerting
    if alerting is not None:
        yield ConfigSource(ALERTMANAGER_CONFIG, ((CONFIG_FILE, dump(alertmanager_config(env, alerting))),))


def rule_files(env: EnvPlan) -> tuple[tuple[str, str], ...]:
    """The hand-authored rule files of monitoring/alerts/ and the generated one, by file name."""
    authored = tuple(
        (f.path.removeprefix(ALERTS_DIR), f.content) for f in env.monitoring if f.path.startswith(ALERTS_DIR)
    )
    return tuple(sorted((*authored, (GENERATED_RULES, dump(rule_groups(env))))))


def dashboards(env: EnvPlan) -> Iterator[ConfigSource]:
    """One ConfigMap per dashboard, since client-side apply fails above 256 KiB of annotations."""
    for name, text in dashboard_texts(env).items():
        yield ConfigSource(dashboard_config(name), ((f"{name}.json", text),))


def dashboard_texts(env: EnvPlan) -> dict[str, str]:
    """Every dashboard's JSON by name, in the order Grafana lists them."""
    texts = {
        layer_dashboard(layer.number): json.dumps(layer_dashboard_json(env, layer), indent=2) + "\n"
        for layer in env.layers
    }
    texts.update(
        {
            file_dashboard(f.path): f.content
            for f in env.monitoring
            if f.path.startswith(DASHBOARDS_DIR) and f.path.endswith(".json")
        }
    )
    return {name: texts[name] for name in env.observability.dashboards}


def prometheus_config(env: EnvPlan) -> dict[str, Any]:
    """Prometheus: one job per metrics endpoint, found through DNS and labelled from the spec."""
    obs = env.observability
    config: dict[str, Any] = {
        "global": {
            "scrape_interval": obs.scrape_interval,
            "evaluation_interval": obs.evaluation_interval,
            "external_labels": {"system": env.system, "environment": env.name},
        },
        "rule_files": [f"{RULES_PATH}/*.yaml"],
    }
    if obs.alerting is not None:
        config["alerting"] = prometheus_alerting(env)
    config["scrape_configs"] = [_scrape_job(env, target) for target in obs.targets]
    return config


def _scrape_job(env: EnvPlan, target: ScrapeTarget) -> dict[str, Any]:
    job: dict[str, Any] = {"job_name": target.job, "metrics_path": target.path}
    if target.honor_labels:
        job["honor_labels"] = True
    job["dns_sd_configs"] = [
        {
            "names": [discovery_host(env, target.workload)],
            "type": "A",
            "port": target.port,
            "refresh_interval": DNS_REFRESH,
        }
    ]
    labels = (("layer", target.layer_name), ("component", target.workload), ("environment", env.name))
    job["relabel_configs"] = [{"target_label": name, "replacement": value} for name, value in labels]
    return job


def collector_config(env: EnvPlan) -> dict[str, Any]:
    """OpenTelemetry Collector: OTLP in, memory_limiter then batch, Prometheus and the traces backend out."""
    exporters: dict[str, Any] = {
        "prometheus": {
            "endpoint": f"0.0.0.0:{COLLECTOR_METRICS_PORT}",
            # The workloads' layer, component and environment become labels, as on a direct scrape.
            "resource_to_telemetry_conversion": {"enabled": True},
        },
    }
    processors = ["memory_limiter", "batch"]
    pipelines: dict[str, Any] = {
        "metrics": {"receivers": ["otlp"], "processors": processors, "exporters": ["prometheus"]},
    }
    traces = env.observability.traces
    if traces is not None:
        exporters["otlp/traces"] = {"endpoint": traces.endpoint, "tls": {"insecure": traces.insecure}}
        pipelines["traces"] = {"receivers": ["otlp"], "processors": processors, "exporters": ["otlp/traces"]}
    return {
        "extensions": {"health_check": {"endpoint": f"0.0.0.0:{COLLECTOR_HEALTH_PORT}"}},
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
        "exporters": exporters,
        "service": {
            "extensions": ["health_check"],
            "telemetry": {"metrics": {"address": f"0.0.0.0:{COLLECTOR_TELEMETRY_PORT}"}},
            "pipelines": pipelines,
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
                # Grafana walks the folder, so each dashboard's ConfigMap mounts in its own subfolder.
                "options": {"path": DASHBOARDS_PATH, "foldersFromFilesStructure": False},
            }
        ],
    }
