"""Gateway API HTTPRoutes: each public host on the environment's Gateway, in place of an Ingress."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, GatewayPlan, Route, Workload
from compiler.render.labels import metadata, system_labels, workload_metadata
from compiler.render.platform import PLATFORM_FILE
from compiler.render.types import Placed

# The ReferenceGrant that lets the environment's Gateway read its hosts' TLS Secrets.
GATEWAY_GRANT = "gateway-tls"


def render(env: EnvPlan) -> Iterator[Placed]:
    """An HTTPRoute for every workload the spec makes public, where the environment names a Gateway."""
    if env.gateway is None:
        return
    timeouts = dict(env.gateway.timeouts)
    secrets: set[str] = set()
    for file, workload in env.placements():
        if workload.route is not None:
            secrets.add(workload.route.tls_secret)
            yield Placed(
                file, http_route(env, env.gateway, workload, workload.route, timeouts.get(workload.name))
            )
    if secrets:
        yield Placed(PLATFORM_FILE, reference_grant(env, env.gateway, sorted(secrets)))


def reference_grant(env: EnvPlan, gateway: GatewayPlan, secrets: list[str]) -> dict[str, Any]:
    """Leave for the Gateway, in its own namespace, to read the hosts' TLS Secrets in this one.

    A Gateway's listener may name a Secret of another namespace only where that namespace grants it
    (Gateway API's ReferenceGrant); the Secrets are named one by one, so it reads no other.
    """
    return {
        "apiVersion": "gateway.networking.k8s.io/v1beta1",
        "kind": "ReferenceGrant",
        "metadata": metadata(env, GATEWAY_GRANT, system_labels(env)),
        "spec": {
            "from": [
                {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": gateway.namespace}
            ],
            "to": [{"group": "", "kind": "Secret", "name": secret} for secret in secrets],
        },
    }


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
