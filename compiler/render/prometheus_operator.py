"""What the cluster's Prometheus Operator and Grafana take: ServiceMonitors, PrometheusRules, dashboards.

The ServiceMonitors scrape the same targets as the tree's own Prometheus: each metrics port of a
workload's discovery Service, with the same job, layer, component and environment labels, so that
the same rules and dashboards hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from compiler.plan.model import EnvPlan, PrometheusOperatorPlan, ScrapeTarget
from compiler.plan.stack import STACK_FILE
from compiler.render.configs import dashboard_texts, rule_files
from compiler.render.labels import metadata, selector, system_labels, workload_labels
from compiler.render.types import Placed
from compiler.syntax.read import load_all

API_VERSION = "monitoring.coreos.com/v1"
# Dashboards for Grafana's sidecar; not the tree's grafana-dashboard-* ConfigMaps, which the overlay drops.
SIDECAR_DASHBOARD_PREFIX = "dashboard-"


def render(env: EnvPlan) -> Iterator[Placed]:
    """ServiceMonitors, PrometheusRules and dashboard ConfigMaps, where the cluster runs the operator."""
    operator = env.prometheus_operator
    if operator is None:
        return
    yield from service_monitors(env, operator)
    for name, text in rule_files(env):
        yield Placed(STACK_FILE, prometheus_rule(env, operator, name, text))
    for name, text in dashboard_texts(env).items():
        yield Placed(STACK_FILE, dashboard_configmap(env, operator, name, text))


def service_monitors(env: EnvPlan, operator: PrometheusOperatorPlan) -> Iterator[Placed]:
    """One ServiceMonitor per scraped workload: an endpoint per metrics port of its discovery Service."""
    by_workload: dict[str, list[ScrapeTarget]] = {}
    for target in env.observability.targets:
        by_workload.setdefault(target.workload, []).append(target)
    for file, workload in env.placements():
        targets = by_workload.get(workload.name)
        if not targets:
            continue
        labels = {**workload_labels(env, workload), **dict(operator.labels)}
        yield Placed(
            file,
            {
                "apiVersion": API_VERSION,
                "kind": "ServiceMonitor",
                "metadata": metadata(env, workload.name, labels),
                "spec": {
                    "selector": {"matchLabels": selector(env, workload.name)},
                    "endpoints": [_endpoint(env, target) for target in targets],
                },
            },
        )


def _endpoint(env: EnvPlan, target: ScrapeTarget) -> dict[str, Any]:
    # The discovery Service's port (discovery.py); the workload's own Service has no port of that name.
    endpoint: dict[str, Any] = {
        "port": f"metrics-{target.port}",
        "path": target.path,
        "interval": env.observability.scrape_interval,
    }
    if target.honor_labels:
        endpoint["honorLabels"] = True
    labels = (
        ("job", target.job),
        ("layer", target.layer_name),
        ("component", target.workload),
        ("environment", env.name),
    )
    endpoint["relabelings"] = [
        {"action": "replace", "targetLabel": name, "replacement": value} for name, value in labels
    ]
    return endpoint


def rule_name(file: str) -> str:
    """The PrometheusRule of a rule file: its name without .yaml, as a DNS name."""
    stem = re.sub(r"[^a-z0-9-]+", "-", PurePosixPath(file).stem.lower()).strip("-")
    return f"rules-{stem}"


def prometheus_rule(env: EnvPlan, operator: PrometheusOperatorPlan, file: str, text: str) -> dict[str, Any]:
    """A rule file's groups as a PrometheusRule, exactly as the file has them."""
    (document,) = load_all(text)
    return {
        "apiVersion": API_VERSION,
        "kind": "PrometheusRule",
        "metadata": metadata(env, rule_name(file), {**system_labels(env), **dict(operator.labels)}),
        "spec": {"groups": document["groups"]},
    }


def dashboard_configmap(
    env: EnvPlan, operator: PrometheusOperatorPlan, name: str, text: str
) -> dict[str, Any]:
    """One dashboard as a ConfigMap that Grafana's sidecar loads by its labels."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(
            env,
            f"{SIDECAR_DASHBOARD_PREFIX}{name}",
            {**system_labels(env), **dict(operator.dashboard_labels)},
        ),
        "data": {f"{name}.json": text},
    }
