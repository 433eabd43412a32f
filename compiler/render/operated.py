"""What nifty writes around the pods an operator runs (a database's, a Redis's): their labels, the
ports of their NetworkPolicies, the headless Service through which the tree's Prometheus finds
them, and the PodMonitor through which the cluster's Prometheus Operator does."""

from __future__ import annotations

from typing import Any

from compiler.plan.model import EnvPlan, PrometheusOperatorPlan, ScrapeTarget
from compiler.render.labels import MANAGED_BY, metadata, selector
from compiler.spec.names import discovery_service_name

MONITORING = "monitoring.coreos.com/v1"


def operated_labels(env: EnvPlan, name: str, layer: int, layer_name: str) -> dict[str, str]:
    """The labels of a store's objects, which its operator passes on to its pods."""
    return {
        **selector(env, name),
        "app.kubernetes.io/component": layer_name,
        "app.kubernetes.io/part-of": env.system,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "nifty.io/layer": str(layer),
    }


def tcp_ports(*ports: int) -> list[dict[str, Any]]:
    """A NetworkPolicy rule's ports, each TCP, in order (keys sorted, as the operators' objects are)."""
    return [{"port": port, "protocol": "TCP"} for port in sorted(set(ports))]


def metrics_service(
    env: EnvPlan, name: str, labels: dict[str, str], pods: dict[str, str], target: ScrapeTarget
) -> dict[str, Any]:
    """The headless Service through which the tree's Prometheus finds the pods' metrics port; not-ready
    pods stay listed, so that a failing pod shows as a target down."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(env, discovery_service_name(name), labels),
        "spec": {
            "clusterIP": "None",
            "ports": [
                {
                    "name": f"metrics-{target.port}",
                    "port": target.port,
                    "protocol": "TCP",
                    "targetPort": target.port,
                }
            ],
            "publishNotReadyAddresses": True,
            "selector": pods,
        },
    }


def pod_monitor(
    env: EnvPlan,
    name: str,
    labels: dict[str, str],
    pods: dict[str, str],
    port: str,
    target: ScrapeTarget,
    operator: PrometheusOperatorPlan,
) -> dict[str, Any]:
    """The cluster's Prometheus scrapes the pods' metrics port, named port, with the tree's labels."""
    relabel = (
        ("job", target.job),
        ("layer", target.layer_name),
        ("component", target.workload),
        ("environment", env.name),
    )
    return {
        "apiVersion": MONITORING,
        "kind": "PodMonitor",
        "metadata": metadata(env, name, {**labels, **dict(operator.labels)}),
        "spec": {
            "podMetricsEndpoints": [
                {
                    "interval": env.observability.scrape_interval,
                    "path": target.path,
                    "port": port,
                    "relabelings": [
                        {"action": "replace", "replacement": value, "targetLabel": key}
                        for key, value in relabel
                    ],
                }
            ],
            "selector": {"matchLabels": pods},
        },
    }
