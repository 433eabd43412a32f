"""Ingresses for the public entry points, with TLS from the Secret the spec names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, Route, Workload
from compiler.render.labels import workload_metadata
from compiler.render.types import Placed


def render(env: EnvPlan) -> Iterator[Placed]:
    """An Ingress for every workload the spec makes public, unless a Gateway routes them (routes.py)."""
    if env.gateway is not None:
        return
    for file, workload in env.placements():
        if workload.route is not None:
            yield Placed(file, ingress(env, workload, workload.route))


def ingress(env: EnvPlan, workload: Workload, route: Route) -> dict[str, Any]:
    """HTTPS only: one host and path to the workload's Service, its certificate from a Secret."""
    backend = {"service": {"name": workload.name, "port": {"name": "main"}}}
    meta = workload_metadata(env, workload)
    if route.annotations:
        meta["annotations"] = dict(route.annotations)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta,
        "spec": {
            "ingressClassName": route.class_name,
            "tls": [{"hosts": [route.host], "secretName": route.tls_secret}],
            "rules": [
                {
                    "host": route.host,
                    "http": {"paths": [{"path": route.path, "pathType": "Prefix", "backend": backend}]},
                }
            ],
        },
    }
