"""The shipped spec compiles to the seed's tree, and the real tools accept it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.kustomize.environment import build_environment
from compiler.plan.model import Plan
from tests.tools import build_all, objects

LAYER_FILES = [f"base/layer-{n}.yaml" for n in range(1, 8)]


def test_flat_base_has_one_file_per_layer(shipped_tree: dict[str, str]) -> None:
    base = {path for path in shipped_tree if path.startswith("base/") and path.count("/") == 1}
    assert set(LAYER_FILES) <= base
    assert {"base/observability.yaml", "base/kustomization.yaml"} <= base


@pytest.mark.parametrize(
    ("file", "name", "low", "high", "cpu"),
    [
        ("base/layer-2.yaml", "tick-processor", 2, 10, 70),
        ("base/layer-4.yaml", "indicator-engine", 5, 20, 60),
        ("base/layer-7.yaml", "api", 2, 5, 70),
    ],
)
def test_seed_autoscaling_table(
    shipped_tree: dict[str, str], file: str, name: str, low: int, high: int, cpu: int
) -> None:
    hpas = [o for o in objects(shipped_tree[file]) if o["kind"] == "HorizontalPodAutoscaler"]
    assert [h["metadata"]["name"] for h in hpas] == [name]
    spec = hpas[0]["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (low, high)
    assert spec["metrics"][0]["resource"]["target"]["averageUtilization"] == cpu


def test_storage_layer_holds_statefulsets(shipped_tree: dict[str, str]) -> None:
    docs = objects(shipped_tree["base/layer-3.yaml"])
    sets = {o["metadata"]["name"]: o for o in docs if o["kind"] == "StatefulSet"}
    assert set(sets) == {"redis", "timescaledb"}
    headless = {
        o["metadata"]["name"] for o in docs if o["kind"] == "Service" and o["spec"].get("clusterIP") == "None"
    }
    for name, statefulset in sets.items():
        assert statefulset["spec"]["serviceName"] in headless
        assert statefulset["spec"]["volumeClaimTemplates"], name


def test_observability_file_holds_the_stack(shipped_tree: dict[str, str]) -> None:
    names = {
        o["metadata"]["name"]
        for o in objects(shipped_tree["base/observability.yaml"])
        if o["kind"] in {"Deployment", "StatefulSet"}
    }
    assert names == {"prometheus", "grafana", "otel-collector", "kube-state-metrics", "alertmanager"}


def test_kustomization_mounts_monitoring_from_inside_out(shipped_tree: dict[str, str]) -> None:
    kustomization = objects(shipped_tree["base/kustomization.yaml"])[0]
    files = [f.split("=", 1)[1] for g in kustomization["configMapGenerator"] for f in g.get("files", [])]
    assert any("market-overview.json" in f for f in files)
    assert all(not f.startswith(("/", "..")) and f"base/{f}" in shipped_tree for f in files)


def _hpa_targets_present(docs: list[dict[str, Any]]) -> None:
    workloads = {
        (o["kind"], o["metadata"]["name"]): o for o in docs if o["kind"] in {"Deployment", "StatefulSet"}
    }
    for hpa in (o for o in docs if o["kind"] == "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        target = workloads[(ref["kind"], ref["name"])]
        assert "replicas" not in target["spec"], f"{ref['name']} sets replicas under an HPA"
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


@pytest.fixture(scope="module")
def built(shipped_out: Path) -> dict[str, str]:
    """Every environment built with kubectl and validated strictly, once for the tests below."""
    return build_all(shipped_out)


@pytest.mark.tools
def test_every_build_passes_kubectl_and_strict_validation(built: dict[str, str]) -> None:
    assert set(built) == {"base", "dev", "prod"}
    for text in built.values():
        _hpa_targets_present(objects(text))


@pytest.mark.tools
def test_render_equals_kubectl_kustomize(built: dict[str, str], shipped_plan: Plan) -> None:
    for env in (shipped_plan.base, *shipped_plan.environments):
        assert build_environment(env) == objects(built[env.name]), env.name


def test_hpa_managed_workloads_never_set_replicas(shipped_plan: Plan) -> None:
    for env in (shipped_plan.base, *shipped_plan.environments):
        _hpa_targets_present(build_environment(env))
