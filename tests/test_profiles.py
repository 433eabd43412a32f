"""Profiles: shared component settings picked up by name, overridden by the component."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.diagnostics import SpecError
from compiler.kustomize.environment import build_environment
from compiler.plan.model import Workload
from compiler.plan.resolve import plan
from compiler.spec.load import parse_spec
from compiler.spec.validate import validate

BASE = (Path(__file__).parent / "invalid" / "base.yaml").read_text(encoding="utf-8")
PROFILES = """profiles:
  store:
    probe: tcp
    metrics: {scrape: false}
    resources: {cpu: 500m, memory: 1Gi, memory_limit: 2Gi}
    env: {TZ: UTC, LOG_FORMAT: json}
    secrets:
      - {secret: backup-creds, key: key, env: BACKUP_KEY}
    exceptions:
      - {check: CKV_K8S_35, reason: the image reads its password only from a variable}
  pinned:
    resources: {cpu: "2", memory: 1Gi}
    replicas: 3

layers:
"""


def _workloads(text: str) -> dict[str, Workload]:
    spec = validate(parse_spec(text.encode(), "spec/system.yaml"))
    resolved = plan(spec, (), "spec/system.yaml")
    return {w.name: w for layer in resolved.base.layers for w in layer.workloads}


def _with(component: str, lines: str) -> str:
    """The base spec with profiles, and lines added to one component after its name."""
    anchor = f"      - name: {component}\n"
    assert BASE.count(anchor) == 1
    return BASE.replace("layers:\n", PROFILES, 1).replace(anchor, anchor + lines)


def test_a_component_picks_up_a_profile_and_overrides_it() -> None:
    redis = _workloads(_with("redis", "        profile: store\n        env: {TZ: Asia/Kolkata}\n"))["redis"]
    assert redis.probe == "tcp"
    # Field by field: the profile's request and limit, the component's nothing (it sets none).
    assert (redis.sizing.cpu, redis.sizing.memory, redis.sizing.memory_limit) == ("500m", "1Gi", "2Gi")
    assert dict(redis.env) == {"TZ": "Asia/Kolkata", "LOG_FORMAT": "json"}
    assert [s.secret for s in redis.secrets] == ["backup-creds"]
    assert "CKV_K8S_35" in {skip.check for skip in redis.skips}


def test_a_later_profile_wins_and_the_component_wins_over_both() -> None:
    lines = "        profile: [store, pinned]\n"
    workload = _workloads(_with("indicator-engine", lines))["indicator-engine"]
    # The component's own resources win field by field; its autoscaling keeps pinned's replicas out.
    assert (workload.sizing.cpu, workload.sizing.memory, workload.sizing.memory_limit) == (
        "500m",
        "512Mi",
        "2Gi",
    )
    assert workload.scaling is not None and workload.replicas is None
    redis = _workloads(_with("redis", "        profile: [store, pinned]\n"))["redis"]
    assert (redis.sizing.cpu, redis.sizing.memory) == ("2", "1Gi")


def test_a_profile_changes_the_rendered_objects() -> None:
    text = _with("redis", "        profile: store\n")
    spec = validate(parse_spec(text.encode(), "spec/system.yaml"))
    objects: dict[tuple[str, str], dict[str, Any]] = {
        (m["kind"], m["metadata"]["name"]): m for m in build_environment(plan(spec, (), "s").base)
    }
    container = objects[("StatefulSet", "redis")]["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["memory"] == "2Gi"
    assert {"name": "LOG_FORMAT", "value": "json"} in container["env"]


def _problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(SpecError) as caught:
        validate(parse_spec(text.encode(), "spec/system.yaml"))
    return [(d.line, d.message) for d in caught.value.diagnostics]


def _line(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


def test_a_rule_broken_by_a_profile_points_at_the_profile_and_names_the_component() -> None:
    # The component's own resources mixed with the profile's limit: at the component, naming the profile.
    text = _with("feed-handler", "        profile: store\n")
    ((line, message),) = _problems(text)
    assert line == _line(text, 'resources: {cpu: "1", memory: 512Mi}')
    assert message.endswith(f"; memory_limit from profile 'store' (line {_line(text, 'memory_limit: 2Gi')})")
    # A value wholly from the profile: at the profile, naming the component and its line.
    scaled = "autoscaling: {min: 2, max: 3, cpu: 70}"
    text = _with("redis", "        profile: pinned\n").replace("replicas: 3", scaled)
    problems = _problems(text)
    assert (_line(text, scaled), "profile 'pinned'") in {
        (line, message.split(" (used by")[0]) for line, message in problems
    }
    assert any(f"component 'redis', line {_line(text, 'profile: pinned')})" in m for _, m in problems)


def test_a_merge_key_says_to_use_a_profile() -> None:
    text = BASE.replace("        resources: {cpu: 500m, memory: 512Mi}\n", "        <<: {cpu: 1}\n", 1)
    with pytest.raises(SpecError) as caught:
        validate(parse_spec(text.encode(), "spec/system.yaml"))
    assert any("`profile: <name>`" in d.message for d in caught.value.diagnostics)


def test_a_later_profile_replaces_the_scaling_an_earlier_one_chose() -> None:
    text = _with("redis", "        profile: [pinned, store]\n").replace(
        "  store:\n    probe: tcp\n", "  store:\n    probe: tcp\n    autoscaling: {min: 1, max: 2, cpu: 80}\n"
    )
    text = text.replace("      - name: redis\n", "      - name: cache\n", 1).replace(
        "        storage: {size: 5Gi, path: /data}\n", ""
    )
    text = text.replace("talks_to: [redis]", "talks_to: [cache]")
    cache = _workloads(text)["cache"]
    assert cache.replicas is None and cache.scaling is not None and cache.scaling.max_replicas == 2
