"""A cluster's size per environment: odd and 3 or more, or 1 where the environment needs no quorum."""

from __future__ import annotations

from pathlib import Path

from compiler.kustomize.environment import build_environment
from compiler.plan.resolve import plan
from compiler.spec.load import parse_spec
from compiler.spec.validate import validate

CASE = Path(__file__).parent / "invalid" / "cases" / "N401-rule-environment-peer-replicas.yaml"
NO_QUORUM = ("    namespace: nifty50-dev\n", "    namespace: nifty50-dev\n    quorum: false\n")


def test_an_environment_without_quorum_runs_a_single_member_and_no_budget() -> None:
    text = CASE.read_text(encoding="utf-8").replace(*NO_QUORUM)
    spec = validate(parse_spec(text.encode(), "spec/system.yaml"))
    compiled = plan(spec, (), "spec/system.yaml")
    dev = next(env for env in compiled.environments if env.name == "dev")
    objects = {(m["kind"], m["metadata"]["name"]): m for m in build_environment(dev)}
    assert objects[("StatefulSet", "redis")]["spec"]["replicas"] == 1
    assert ("PodDisruptionBudget", "redis") not in objects
    base = {(m["kind"], m["metadata"]["name"]): m for m in build_environment(compiled.base)}
    assert base[("StatefulSet", "redis")]["spec"]["replicas"] == 3
    assert base[("PodDisruptionBudget", "redis")]["spec"]["minAvailable"] == 2
