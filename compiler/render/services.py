"""One Service per workload; headless for StatefulSets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, Workload
from compiler.render.labels import selector, workload_metadata
from compiler.render.types import Placed


def render(env: EnvPlan) -> Iterator[Placed]:
    """A Service selecting exactly one workload's pods."""
    for file, workload in env.placements():
        yield Placed(file, service(env, workload))


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
