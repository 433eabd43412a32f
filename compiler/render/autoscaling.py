"""HorizontalPodAutoscalers (autoscaling/v2) with fast scale-up and damped scale-down."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, Scaling, Workload
from compiler.render.labels import workload_metadata
from compiler.render.types import Placed


def render(env: EnvPlan) -> Iterator[Placed]:
    """An HPA for every autoscaled workload, next to it."""
    for file, workload in env.placements():
        if workload.scaling is not None:
            yield Placed(file, hpa(env, workload, workload.scaling))


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
            "behavior": {
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
            },
        },
    }
