"""What an environment may change: volumes, external blocks, Secret names, TLS, variables, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.diagnostics import SpecError
from compiler.kustomize.environment import build_environment
from compiler.plan.resolve import plan
from compiler.spec.load import parse_spec
from compiler.spec.validate import validate

BASE = (Path(__file__).parent / "invalid" / "base.yaml").read_text(encoding="utf-8")
DEV = "      feed-handler: {replicas: 1}\n"


def _built(dev: str, base: str = BASE) -> dict[tuple[str, str], dict[str, Any]]:
    """The dev environment's objects by (kind, name), with dev's component lines replaced."""
    assert base.count(DEV) == 1
    spec = validate(parse_spec(base.replace(DEV, dev).encode(), "spec/system.yaml"))
    env = next(e for e in plan(spec, (), "spec/system.yaml").environments if e.name == "dev")
    return {(m["kind"], m["metadata"]["name"]): m for m in build_environment(env)}


def _container(objects: dict[tuple[str, str], dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    container: dict[str, Any] = objects[(kind, name)]["spec"]["template"]["spec"]["containers"][0]
    return container


def test_an_environment_changes_the_size_and_class_of_a_volume() -> None:
    objects = _built(DEV + "      redis: {storage: {size: 1Gi, storage_class: standard}}\n")
    claim = objects[("StatefulSet", "redis")]["spec"]["volumeClaimTemplates"][0]["spec"]
    assert claim["resources"]["requests"]["storage"] == "1Gi"
    assert claim["storageClassName"] == "standard"
    # Only the size is stated: the class stays the base's (none).
    claim = _built(DEV + "      redis: {storage: {size: 2Gi}}\n")[("StatefulSet", "redis")]["spec"]
    assert claim["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "2Gi"
    assert "storageClassName" not in claim["volumeClaimTemplates"][0]["spec"]


def test_an_environment_renames_a_secret_and_sets_variables() -> None:
    dev = (
        "      feed-handler:\n"
        "        replicas: 1\n"
        "        secrets: {broker-api: broker-api-sandbox}\n"
        "        env: {LOG_LEVEL: debug}\n"
    )
    container = _container(_built(dev), "Deployment", "feed-handler")
    refs = [
        v["valueFrom"]["secretKeyRef"] for v in container["env"] if "secretKeyRef" in v.get("valueFrom", {})
    ]
    assert [(r["name"], r["key"]) for r in refs] == [("broker-api-sandbox", "api-key")]
    assert {"name": "LOG_LEVEL", "value": "debug"} in container["env"]
    base = _container(_built(DEV), "Deployment", "feed-handler")
    assert "LOG_LEVEL" not in {v["name"] for v in base["env"]}


def test_an_environment_replaces_the_external_blocks() -> None:
    external = "        external: [{cidr: 10.20.0.0/16, port: 9443, description: broker sandbox}]\n"
    policy = _built("      feed-handler:\n        replicas: 1\n" + external)[
        ("NetworkPolicy", "feed-handler")
    ]
    blocks = [
        (peer["ipBlock"]["cidr"], rule["ports"][0]["port"])
        for rule in policy["spec"]["egress"]
        for peer in rule.get("to", [])
        if "ipBlock" in peer
    ]
    assert blocks == [("10.20.0.0/16", 9443)]


def test_an_environment_changes_the_tls_secret() -> None:
    base = BASE.replace(
        "        talks_to: [redis]\n\nobservability",
        "        talks_to: [redis]\n"
        "        ingress: {host: api.nifty50.example.com, tls_secret: api-tls}\n\nobservability",
    )
    dev = "      indicator-engine:\n        autoscaling: {min: 1, max: 4}\n        tls_secret: api-dev-tls\n"
    objects = _built(
        DEV + dev, base.replace("      indicator-engine:\n        autoscaling: {min: 1, max: 4}\n", "")
    )
    assert objects[("Ingress", "indicator-engine")]["spec"]["tls"][0]["secretName"] == "api-dev-tls"


def test_an_unknown_key_under_an_environment_lists_what_it_may_change() -> None:
    with pytest.raises(SpecError) as caught:
        _built("      redis: {storage: {size: 1Gi}, volume: 1Gi}\n")
    (only,) = caught.value.diagnostics
    assert "an environment may change in a component: autoscaling," in only.message
    assert "did you mean" not in only.message
