"""One Service per workload, headless for StatefulSets; a peer Service per cluster."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, Workload
from compiler.render.labels import metadata, selector, workload_labels, workload_metadata
from compiler.render.types import Placed
from compiler.spec.names import peer_service_name
from compiler.spec.ports import MAIN


def render(env: EnvPlan) -> Iterator[Placed]:
    """A Service selecting exactly one workload's pods, and the peer Service of a cluster."""
    for file, workload in env.placements():
        if not workload.serves:
            continue
        yield Placed(file, service(env, workload))
        if workload.clustered:
            yield Placed(file, peer_service(env, workload))


def peer_service(env: EnvPlan, workload: Workload) -> dict[str, Any]:
    """Stable names <pod>.<name>-peers for the replicas; not-ready pods are listed so a cluster can form."""
    names = {workload.port: MAIN, **{p.port: p.name for p in workload.extra_ports}}
    ports = [
        {"name": names[port], "port": port, "targetPort": names[port], "protocol": "TCP"}
        for port in workload.peer_ports
    ]
    return headless_service(env, workload, peer_service_name(workload.name), ports)


def headless_service(
    env: EnvPlan, workload: Workload, name: str, ports: list[dict[str, Any]]
) -> dict[str, Any]:
    """A headless Service over one workload's pods that lists them before they are ready, too."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(env, name, workload_labels(env, workload)),
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": selector(env, workload.name),
            "ports": ports,
        },
    }


def service(env: EnvPlan, workload: Workload) -> dict[str, Any]:
    """The workload's Service, named after it."""
    ports = [{"name": "main", "port": workload.port, "targetPort": "main", "protocol": "TCP"}]
    ports += [
        {"name": p.name, "port": p.port, "targetPort": p.name, "protocol": "TCP"}
        for p in workload.extra_ports
    ]
    spec: dict[str, Any] = {"selector": selector(env, workload.name), "ports": ports}
    if workload.kind == "StatefulSet":
        spec = {"clusterIP": "None", "publishNotReadyAddresses": False, **spec}
    else:
        spec = {"type": "ClusterIP", **spec}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": workload_metadata(env, workload),
        "spec": spec,
    }
