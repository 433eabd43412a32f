"""Gateway API HTTPRoutes: each public host on the environment's Gateway, in place of an Ingress."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, GatewayPlan, Route, Workload
from compiler.render.labels import workload_metadata
from compiler.render.types import Placed


def render(env: EnvPlan) -> Iterator[Placed]:
    """An HTTPRoute for every workload the spec makes public, where the environment names a Gateway."""
    if env.gateway is None:
        return
    timeouts = dict(env.gateway.timeouts)
    for file, workload in env.placements():
        if workload.route is not None:
            yield Placed(
                file, http_route(env, env.gateway, workload, workload.route, timeouts.get(workload.name))
            )


def http_route(
    env: EnvPlan, gateway: GatewayPlan, workload: Workload, route: Route, timeout: str | None
) -> dict[str, Any]:
    """The host and path prefix to the workload's Service, with the fields the API server defaults."""
    rule: dict[str, Any] = {
        "matches": [{"path": {"type": "PathPrefix", "value": route.path}}],
        "backendRefs": [
            {"group": "", "kind": "Service", "name": workload.name, "port": workload.port, "weight": 1}
        ],
    }
    if timeout is not None:
        # Streams such as WebSockets stay open: the whole request may last this long.
        rule["timeouts"] = {"request": timeout}
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": workload_metadata(env, workload),
        "spec": {
            "parentRefs": [
                {
                    "group": "gateway.networking.k8s.io",
                    "kind": "Gateway",
                    "namespace": gateway.namespace,
                    "name": gateway.name,
                    "sectionName": gateway.section,
                }
            ],
            "hostnames": [route.host],
            "rules": [rule],
        },
    }
