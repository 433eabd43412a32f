"""Pre-scaling: where an environment has KEDA, a floor becomes a ScaledObject in place of the HPA."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from compiler.kustomize.environment import build_environment
from compiler.plan.model import Plan
from compiler.spec.load import read_spec
from tests.conftest import SPEC
from tests.crds import validate_keda
from tests.tools import by_kind, environment, kustomize, objects

CRON_FIELDS = {"timezone", "start", "end", "desiredReplicas"}


def _spec_components() -> dict[str, dict[str, Any]]:
    data = read_spec(SPEC).data
    return {c["name"]: c for layer in data["layers"] for c in layer["components"]}


def _keda_envs() -> set[str]:
    return {name for name, env in read_spec(SPEC).data["environments"].items() if env.get("keda")}


def test_the_shipped_spec_prescales_in_production() -> None:
    prescaled = {name for name, c in _spec_components().items() if "prescale" in c}
    assert prescaled, "the shipped spec should pre-scale the hot path"
    assert _keda_envs() == {"prod"}


def test_keda_environments_get_one_scaled_object_and_no_hpa(shipped_plan: Plan) -> None:
    components = _spec_components()
    prescaled = {name for name, c in components.items() if "prescale" in c}
    data = read_spec(SPEC).data
    for env in shipped_plan.environments:
        built = build_environment(env)
        scaled, hpas = by_kind(built, "ScaledObject"), by_kind(built, "HorizontalPodAutoscaler")
        autoscaled = {w.name for w in env.workloads if w.scaling is not None}
        if env.name not in _keda_envs():
            assert not scaled
            assert set(hpas) == autoscaled
            continue
        assert set(scaled) == prescaled
        assert set(hpas) == autoscaled - prescaled
        overrides = data["environments"][env.name].get("components", {})
        for name, obj in scaled.items():
            validate_keda(obj)
            spec, bounds = obj["spec"], {**components[name]["autoscaling"]}
            bounds.update(overrides.get(name, {}).get("autoscaling", {}))
            assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (bounds["min"], bounds["max"])
            assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
            assert spec["advanced"]["horizontalPodAutoscalerConfig"]["name"] == name
            cpu, *crons = spec["triggers"]
            assert cpu == {
                "type": "cpu",
                "metricType": "Utilization",
                "metadata": {"value": str(bounds["cpu"])},
            }
            floor = {**components[name]["prescale"], **overrides.get(name, {}).get("prescale", {})}
            assert crons
            for trigger in crons:
                meta = trigger["metadata"]
                assert trigger["type"] == "cron"
                assert set(meta) == CRON_FIELDS
                assert all(isinstance(value, str) for value in meta.values())
                assert meta["desiredReplicas"] == str(floor["floor"])
                assert meta["timezone"] == data["market"]["timezone"]
                # Start and end restrict the same days (kedacore/keda#4677).
                assert meta["start"].split()[2:] == meta["end"].split()[2:]
            assert len({t["name"] for t in crons}) == len(crons)


def test_the_scaled_object_keeps_the_hpa_behaviour(shipped_plan: Plan) -> None:
    base_hpas = by_kind(build_environment(shipped_plan.base), "HorizontalPodAutoscaler")
    for name in _keda_envs():
        for so_name, obj in by_kind(
            build_environment(environment(shipped_plan, name)), "ScaledObject"
        ).items():
            behavior = obj["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
            assert behavior == base_hpas[so_name]["spec"]["behavior"]


def test_the_base_keeps_the_hpas(shipped_plan: Plan) -> None:
    built = build_environment(shipped_plan.base)
    assert not by_kind(built, "ScaledObject")
    autoscaled = {w.name for w in shipped_plan.base.workloads if w.scaling is not None}
    assert set(by_kind(built, "HorizontalPodAutoscaler")) == autoscaled


def _scaled_object(plan: Plan) -> dict[str, Any]:
    (name,) = sorted(_keda_envs())
    return next(iter(by_kind(build_environment(environment(plan, name)), "ScaledObject").values()))


@pytest.mark.parametrize(
    "change",
    [
        lambda o: o["spec"]["triggers"][1]["metadata"].update(desiredReplicas=6),
        lambda o: o["spec"].update(minReplicas=2),
        lambda o: o["spec"]["triggers"][0].update(metricTyp="Utilization"),
        lambda o: o["spec"]["advanced"]["horizontalPodAutoscalerConfig"].update(behaviour={}),
        lambda o: o["spec"].pop("triggers"),
    ],
    ids=["integer-metadata", "hpa-field", "misspelt-trigger-field", "misspelt-behavior", "no-triggers"],
)
def test_the_keda_schema_refuses_a_broken_scaled_object(shipped_plan: Plan, change: Any) -> None:
    broken = copy.deepcopy(_scaled_object(shipped_plan))
    validate_keda(broken)
    change(broken)
    with pytest.raises(AssertionError):
        validate_keda(broken)


@pytest.mark.tools
def test_kubectl_builds_scaled_objects_without_hpas(shipped_out: Path, shipped_plan: Plan) -> None:
    for name in _keda_envs():
        built = objects(kustomize(shipped_out / "overlays" / name, shipped_out))
        scaled = by_kind(built, "ScaledObject")
        assert scaled
        assert not set(scaled) & set(by_kind(built, "HorizontalPodAutoscaler"))
        for obj in scaled.values():
            validate_keda(obj)
        assert scaled == by_kind(build_environment(environment(shipped_plan, name)), "ScaledObject")


def test_an_environment_may_change_the_floor_and_the_lead(tmp_path: Path) -> None:
    import yaml

    from compiler.pipeline import compile_spec
    from tests.conftest import MONITORING

    data = read_spec(SPEC).data
    (name,) = sorted(_keda_envs())
    components = data["environments"][name].setdefault("components", {})
    components.setdefault("tick-processor", {})["prescale"] = {"floor": 8, "lead_minutes": 30}
    spec = tmp_path / "system.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    tree = compile_spec(spec, MONITORING)
    added = objects(tree[f"overlays/{name}/resources.yaml"])
    (scaled,) = [
        o for o in added if o["kind"] == "ScaledObject" and o["metadata"]["name"] == "tick-processor"
    ]
    validate_keda(scaled)
    crons = [t["metadata"] for t in scaled["spec"]["triggers"] if t["type"] == "cron"]
    assert {meta["desiredReplicas"] for meta in crons} == {"8"}
    # 30 minutes before the 09:00 open, and before the 13:30 Muhurat pre-open.
    assert {tuple(meta["start"].split()[:2]) for meta in crons} == {("30", "8"), ("0", "13")}
