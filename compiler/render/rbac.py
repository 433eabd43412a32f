"""Least-privilege RBAC: Prometheus may discover and scrape pods of its own namespace."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.model import EnvPlan
from compiler.render.labels import metadata, workload_labels
from compiler.render.types import Placed


def render(env: EnvPlan) -> Iterator[Placed]:
    """A Role and RoleBinding for every workload that uses the API."""
    for group in env.groups:
        for workload in group.workloads:
            if not workload.uses_api:
                continue
            labels = workload_labels(env, workload)
            yield Placed(
                group.file,
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "Role",
                    "metadata": metadata(env, workload.name, labels),
                    "rules": [
                        {
                            "apiGroups": [""],
                            "resources": ["pods", "services", "endpoints"],
                            "verbs": ["get", "list", "watch"],
                        },
                        {
                            "apiGroups": ["discovery.k8s.io"],
                            "resources": ["endpointslices"],
                            "verbs": ["get", "list", "watch"],
                        },
                    ],
                },
            )
            yield Placed(
                group.file,
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "RoleBinding",
                    "metadata": metadata(env, workload.name, labels),
                    "roleRef": {
                        "apiGroup": "rbac.authorization.k8s.io",
                        "kind": "Role",
                        "name": workload.name,
                    },
                    "subjects": [
                        {
                            "kind": "ServiceAccount",
                            "name": workload.name,
                            "namespace": env.namespace,
                        }
                    ],
                },
            )
