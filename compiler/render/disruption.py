"""PodDisruptionBudgets: multi-replica workloads keep serving while a node drains."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, Workload
from compiler.render.labels import selector, workload_metadata
from compiler.render.types import Placed
from compiler.spec.ports import quorum


def render(env: EnvPlan) -> Iterator[Placed]:
    """A PDB for every workload that always runs two or more pods."""
    for file, workload in env.placements():
        if workload.least_replicas >= 2:
            yield Placed(file, budget(env, workload))


def budget(env: EnvPlan, workload: Workload) -> dict[str, Any]:
    """One pod below the fewest it runs, so a drain can always evict one; a cluster keeps a majority."""
    least = workload.least_replicas
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": workload_metadata(env, workload),
        "spec": {
            "minAvailable": quorum(least) if workload.clustered else least - 1,
            "selector": {"matchLabels": selector(env, workload.name)},
            # A pod that is not ready serves nobody; evicting it must not block a drain.
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }
