"""Labels and selectors derived from names; selectors use only stable labels."""

from __future__ import annotations

from typing import Any

from compiler.plan.model import EnvPlan, Workload

MANAGED_BY = "nifty"


def selector(env: EnvPlan, name: str) -> dict[str, str]:
    """The stable labels that select one workload's pods."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": env.system}


def workload_labels(env: EnvPlan, workload: Workload) -> dict[str, str]:
    """All labels of a workload's objects and pods."""
    return {
        **selector(env, workload.name),
        "app.kubernetes.io/component": workload.layer_name,
        "app.kubernetes.io/part-of": env.system,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "nifty.io/layer": str(workload.layer),
    }


def system_labels(env: EnvPlan) -> dict[str, str]:
    """Labels of objects that belong to the system as a whole."""
    return {"app.kubernetes.io/part-of": env.system, "app.kubernetes.io/managed-by": MANAGED_BY}


def metadata(env: EnvPlan, name: str, labels: dict[str, str], *, namespaced: bool = True) -> dict[str, Any]:
    """Object metadata with the environment's namespace."""
    meta: dict[str, Any] = {"name": name}
    if namespaced:
        meta["namespace"] = env.namespace
    meta["labels"] = labels
    return meta


def workload_metadata(env: EnvPlan, workload: Workload) -> dict[str, Any]:
    """Metadata of an object named after its workload and labelled like it."""
    return metadata(env, workload.name, workload_labels(env, workload))
