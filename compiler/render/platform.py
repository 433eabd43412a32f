"""The namespace and the cluster-wide objects the system needs."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.plan.model import EnvPlan
from compiler.render.labels import metadata, system_labels
from compiler.render.types import Placed

PLATFORM_FILE = "platform.yaml"


def render(env: EnvPlan) -> Iterator[Placed]:
    """The Namespace, labelled for the restricted Pod Security Standard."""
    labels = {
        **system_labels(env),
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
    yield Placed(
        PLATFORM_FILE,
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": metadata(env, env.namespace, labels, namespaced=False),
        },
    )
    yield from priority_classes(env)


# PriorityClasses are cluster-scoped: each carries the system's name, so that two systems sharing
# a cluster (and their Argo CD Applications) never own the same object.
HOT_PATH, STANDARD = "hot-path", "standard"
PRIORITIES = (
    (HOT_PATH, 100000, "Market-data hot path: ingestion, processing, signal"),
    (STANDARD, 10000, "Storage, analysis, presentation and observability"),
)


def priority_class(system: str, hot_path: bool) -> str:
    """The name of the system's PriorityClass for the hot path or for the rest."""
    return f"{system}-{HOT_PATH if hot_path else STANDARD}"


def priority_classes(env: EnvPlan) -> Iterator[Placed]:
    """PriorityClasses that rank the hot path above everything else."""
    for suffix, value, description in PRIORITIES:
        name = f"{env.system}-{suffix}"
        yield Placed(
            PLATFORM_FILE,
            {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": metadata(env, name, system_labels(env), namespaced=False),
                "value": value,
                "globalDefault": False,
                "preemptionPolicy": "PreemptLowerPriority",
                "description": description,
            },
        )
