"""Properties over generated valid specs: bounds, thresholds, determinism, targets, render = kustomize."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from compiler.kustomize.environment import build_environment
from compiler.pipeline import compile_spec, load_plan
from compiler.plan.model import Plan
from compiler.spec.quantities import cpu_millis, memory_bytes
from compiler.syntax.emit import dump
from tests.strategies import expected_bounds, specs
from tests.tools import kustomize, objects

PURE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WITH_TOOLS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _written(spec: dict[str, Any], folder: Path) -> Path:
    """Write spec into folder as system.yaml; its path."""
    path = folder / "system.yaml"
    path.write_text(dump(spec), encoding="utf-8")
    return path


def _plan(spec: dict[str, Any], folder: Path) -> Plan:
    """Write spec into folder and plan it the way the CLI does (each test reads what it checks only)."""
    return load_plan(_written(spec, folder), folder / "monitoring")


def _tree(spec: dict[str, Any], folder: Path) -> dict[str, str]:
    """Write spec into folder and compile it the way the CLI does."""
    return compile_spec(_written(spec, folder), folder / "monitoring")


def _write(tree: dict[str, str], out: Path) -> None:
    for relative, text in tree.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _hpas(docs: list[dict[str, Any]]) -> dict[str, tuple[int, int, int]]:
    return {
        h["metadata"]["name"]: (
            h["spec"]["minReplicas"],
            h["spec"]["maxReplicas"],
            h["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        )
        for h in docs
        if h["kind"] == "HorizontalPodAutoscaler"
    }


@PURE
@given(specs())
def test_thresholds_survive_and_hpas_are_sound(spec: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        plan = _plan(spec, Path(folder))
    for env in (plan.base, *plan.environments):
        docs = build_environment(env)
        hpas = _hpas(docs)
        assert hpas == expected_bounds(spec, None if env.name == "base" else env.name)
        assert all(low <= high for low, high, _ in hpas.values())
        workloads = {(d["kind"], d["metadata"]["name"]): d for d in docs}
        for workload in (d for d in docs if d["kind"] in ("Deployment", "StatefulSet")):
            for container in workload["spec"]["template"]["spec"]["containers"]:
                requests, limits = container["resources"]["requests"], container["resources"]["limits"]
                assert cpu_millis(limits["cpu"]) >= cpu_millis(requests["cpu"])
                assert memory_bytes(limits["memory"]) >= memory_bytes(requests["memory"])
        for hpa in (d for d in docs if d["kind"] == "HorizontalPodAutoscaler"):
            ref = hpa["spec"]["scaleTargetRef"]
            assert "replicas" not in workloads[(ref["kind"], ref["name"])]["spec"]


@PURE
@given(specs())
def test_compiling_twice_gives_identical_bytes(spec: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        assert _tree(spec, Path(one)) == _tree(spec, Path(two))


@WITH_TOOLS
@given(specs())
def test_overlays_build_with_kubectl_to_the_planned_objects(spec: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        plan, tree = _plan(spec, Path(folder)), _tree(spec, Path(folder))
        out = Path(folder) / "out"
        _write(tree, out)
        for env in plan.environments:
            built = objects(kustomize(out / "overlays" / env.name))
            assert _hpas(built) == expected_bounds(spec, env.name)
            assert built == build_environment(env)
