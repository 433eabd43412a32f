"""Least-privilege RBAC: a workload that reads the API may read what its plan names, in its namespace."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.plan.model import EnvPlan
from compiler.render.labels import metadata, workload_labels
from compiler.render.types import Placed


def render(env: EnvPlan) -> Iterator[Placed]:
    """A Role and RoleBinding for every workload that uses the API."""
    for file, workload in env.placements():
        if not workload.uses_api:
            continue
        labels = workload_labels(env, workload)
        yield Placed(
            file,
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": metadata(env, workload.name, labels),
                "rules": [
                    {
                        "apiGroups": [rule.group],
                        "resources": list(rule.resources),
                        "verbs": list(rule.verbs),
                    }
                    for rule in workload.api_rules
                ],
            },
        )
        yield Placed(
            file,
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
