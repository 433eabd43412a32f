"""HorizontalPodAutoscalers (autoscaling/v2) with fast scale-up and damped scale-down, or KEDA's
ScaledObjects where a floor of replicas follows the market clock.

KEDA's admission webhook refuses a ScaledObject whose workload has another HPA, so a workload gets
one or the other; KEDA makes the HPA itself, named after the workload as ours are, with the same
behaviour, so kube-state-metrics' alerts and the dashboards see no difference."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, Prescaling, Scaling, Workload
from compiler.render.labels import workload_metadata
from compiler.render.types import Placed


def render(env: EnvPlan) -> Iterator[Placed]:
    """An HPA (or a ScaledObject, where it has a floor) for every autoscaled workload, next to it."""
    for file, workload in env.placements():
        if workload.scaling is None:
            continue
        if workload.scaling.floor is None:
            yield Placed(file, hpa(env, workload, workload.scaling))
        else:
            yield Placed(file, scaled_object(env, workload, workload.scaling, workload.scaling.floor))


def hpa(env: EnvPlan, workload: Workload, scaling: Scaling) -> dict[str, Any]:
    """The HPA of one workload."""
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": workload_metadata(env, workload),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": workload.kind,
                "name": workload.name,
            },
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": scaling.cpu_utilization,
                        },
                    },
                }
            ],
            "behavior": behavior(scaling),
        },
    }


def behavior(scaling: Scaling) -> dict[str, Any]:
    """Fast scale-up, damped scale-down: the HPA's behaviour, in KEDA's HPA as in ours."""
    return {
        "scaleUp": {
            "stabilizationWindowSeconds": scaling.scale_up_window,
            "selectPolicy": "Max",
            "policies": [
                {"type": "Percent", "value": 100, "periodSeconds": 15},
                {"type": "Pods", "value": 4, "periodSeconds": 15},
            ],
        },
        "scaleDown": {
            "stabilizationWindowSeconds": scaling.scale_down_window,
            "selectPolicy": "Min",
            "policies": [{"type": "Percent", "value": 20, "periodSeconds": 60}],
        },
    }


def scaled_object(env: EnvPlan, workload: Workload, scaling: Scaling, floor: Prescaling) -> dict[str, Any]:
    """The ScaledObject of one workload: the CPU target, and a cron floor per window of the calendar.

    Every trigger metadata value is a string to KEDA; a window ends on its start's days, or on the
    next ones where its lead starts it the evening before, and KEDA takes the highest of the
    triggers' replica counts.
    """
    crons = [
        {
            "type": "cron",
            "name": window.name,
            "metadata": {
                "timezone": floor.timezone,
                "start": window.start,
                "end": window.end,
                "desiredReplicas": str(floor.replicas),
            },
        }
        for window in floor.windows
    ]
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": workload_metadata(env, workload),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": workload.kind, "name": workload.name},
            "minReplicaCount": scaling.min_replicas,
            "maxReplicaCount": scaling.max_replicas,
            "advanced": {
                "horizontalPodAutoscalerConfig": {"name": workload.name, "behavior": behavior(scaling)}
            },
            "triggers": [
                {
                    "type": "cpu",
                    "metricType": "Utilization",
                    "metadata": {"value": str(scaling.cpu_utilization)},
                },
                *crons,
            ],
        },
    }
