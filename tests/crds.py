"""Objects of other projects' CRDs, checked against those projects' own schemas.

kubernetes-validate knows only the Kubernetes API's own kinds (it warns and passes on any other),
so the builds hand it those and check KEDA's ScaledObjects here, with the models that the
`cloudcoil-models-keda` package generates from KEDA's CRDs. The models ignore unknown fields, so a
check also round-trips the object: a field the schema does not know would vanish from the dump.
"""

from __future__ import annotations

from typing import Any

# API groups whose objects kubernetes-validate cannot check; each has a validator below.
CRD_GROUPS = ("keda.sh",)


def group(obj: dict[str, Any]) -> str:
    """The API group of an object ("" for the core group)."""
    api_version = str(obj.get("apiVersion", ""))
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def is_crd_object(obj: dict[str, Any]) -> bool:
    """Whether obj belongs to a CRD that the schema validator cannot check."""
    return group(obj) in CRD_GROUPS


def _pruned(value: Any) -> Any:
    """value without None fields and empty containers, as a model dump with exclude_none leaves it."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def validate_keda(obj: dict[str, Any]) -> None:
    """Raise AssertionError unless obj is a ScaledObject that KEDA's schema accepts, every field known."""
    from cloudcoil.models.keda.v1alpha1 import ScaledObject
    from pydantic import ValidationError

    if obj.get("apiVersion") != "keda.sh/v1alpha1" or obj.get("kind") != "ScaledObject":
        raise AssertionError(
            f"not a keda.sh/v1alpha1 ScaledObject: {obj.get('apiVersion')} {obj.get('kind')}"
        )
    try:
        model = ScaledObject.model_validate(obj)
    except ValidationError as exc:
        raise AssertionError(f"ScaledObject {obj['metadata'].get('name')} is invalid:\n{exc}") from exc
    dumped = model.model_dump(by_alias=True, exclude_none=True, mode="json")
    if dumped != _pruned(obj):
        raise AssertionError(
            f"ScaledObject {obj['metadata'].get('name')} has fields KEDA's schema does not know:\n"
            f"{obj}\n!=\n{dumped}"
        )


def validate_crd_object(obj: dict[str, Any]) -> None:
    """Check one object of CRD_GROUPS against its project's schema."""
    if group(obj) == "keda.sh":
        validate_keda(obj)
        return
    raise AssertionError(f"no schema for {obj.get('apiVersion')} {obj.get('kind')}")


def autoscalers(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The HPAs a cluster ends up with: those of the build, and the one KEDA makes of each ScaledObject.

    KEDA names its HPA by `advanced.horizontalPodAutoscalerConfig.name`, sets the ScaledObject's
    bounds and behaviour, and turns the `cpu` trigger into a Resource metric.
    """
    found = [o for o in objects if o["kind"] == "HorizontalPodAutoscaler"]
    for scaled in (o for o in objects if o["kind"] == "ScaledObject"):
        spec = scaled["spec"]
        config = spec.get("advanced", {}).get("horizontalPodAutoscalerConfig", {})
        metrics = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": int(t["metadata"]["value"])},
                },
            }
            for t in spec["triggers"]
            if t["type"] == "cpu"
        ]
        found.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": {
                    **scaled["metadata"],
                    "name": config.get("name", f"keda-hpa-{scaled['metadata']['name']}"),
                },
                "spec": {
                    "scaleTargetRef": spec["scaleTargetRef"],
                    "minReplicas": spec.get("minReplicaCount", 0),
                    "maxReplicas": spec.get("maxReplicaCount", 100),
                    "metrics": metrics,
                    **({"behavior": config["behavior"]} if "behavior" in config else {}),
                },
            }
        )
    return found
