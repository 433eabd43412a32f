"""Headless discovery Services: Prometheus finds each workload's pods through their DNS A records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, ScrapeTarget, Workload
from compiler.render.services import headless_service
from compiler.render.types import Placed
from compiler.spec.names import discovery_service_name


def discovery_host(env: EnvPlan, workload: str) -> str:
    """The DNS name whose A records are the workload's pod IPs."""
    return f"{discovery_service_name(workload)}.{env.namespace}.svc"


def render(env: EnvPlan) -> Iterator[Placed]:
    """One headless Service per scraped workload, selecting only that workload's pods."""
    by_workload: dict[str, list[ScrapeTarget]] = {}
    for target in env.observability.targets:
        by_workload.setdefault(target.workload, []).append(target)
    for file, workload in env.placements():
        targets = by_workload.get(workload.name)
        if targets:
            yield Placed(file, discovery_service(env, workload, targets))


def discovery_service(env: EnvPlan, workload: Workload, targets: list[ScrapeTarget]) -> dict[str, Any]:
    """The discovery Service; not-ready pods stay listed so that a failing pod shows as a target down."""
    ports = sorted({t.port for t in targets})
    return headless_service(
        env,
        workload,
        discovery_service_name(workload.name),
        [{"name": f"metrics-{port}", "port": port, "targetPort": port, "protocol": "TCP"} for port in ports],
    )
