"""What an environment may change: volumes, external blocks, Secret names, TLS, variables, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.diagnostics import SpecError
from compiler.kustomize.environment import build_environment
from compiler.plan.resolve import plan
from compiler.spec.load import parse_spec
from compiler.spec.merge import merged_sizing
from compiler.spec.model import Component, ComponentOverride, Resources
from compiler.spec.quantities import cpu_millis, memory_bytes
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


def test_a_limit_the_base_wrote_follows_a_changed_request() -> None:
    base = BASE.replace(
        "        resources: {cpu: 500m, memory: 512Mi}\n        autoscaling:",
        "        resources: {cpu: 500m, memory: 512Mi, cpu_limit: '1', memory_limit: 768Mi}\n"
        "        autoscaling:",
    )
    dev = DEV + "      indicator-engine:\n"
    dev += "        autoscaling: {min: 1, max: 4}\n        resources: {cpu: 1500m, memory: 1Gi}\n"
    base = base.replace("      indicator-engine:\n        autoscaling: {min: 1, max: 4}\n", "")
    resources = _container(_built(dev, base), "Deployment", "indicator-engine")["resources"]
    assert resources["requests"] == {"cpu": "1500m", "memory": "1Gi", "ephemeral-storage": "64Mi"}
    assert (resources["limits"]["cpu"], resources["limits"]["memory"]) == ("3", "1536Mi")
    # A limit the environment states wins over the followed one.
    stated = dev.replace("memory: 1Gi}", "memory: 1Gi, cpu_limit: '2'}")
    resources = _container(_built(stated, base), "Deployment", "indicator-engine")["resources"]
    assert (resources["limits"]["cpu"], resources["limits"]["memory"]) == ("2", "1536Mi")


MILLIS = st.integers(1, 8000)


@given(request=MILLIS, ratio=st.integers(100, 400), changed=MILLIS, memory=st.integers(1, 4096))
def test_a_followed_limit_keeps_the_ratio(request: int, ratio: int, changed: int, memory: int) -> None:
    limit = request * ratio // 100
    base = Resources(cpu=f"{request}m", cpu_limit=f"{limit}m", memory=f"{memory}Mi")
    sizing = merged_sizing(
        Resources(cpu="100m", memory="128Mi"),
        Component(name="a", resources=base),
        ComponentOverride(resources=Resources(cpu=f"{changed}m", memory=f"{memory * 2}Mi")),
    )
    assert sizing.cpu == f"{changed}m" or cpu_millis(sizing.cpu) == changed
    followed = cpu_millis(sizing.cpu_limit)
    # Never below the base's ratio, and at most one millicore above it (rounded up).
    assert followed * request >= changed * limit
    assert (followed - 1) * request < changed * limit
    assert memory_bytes(sizing.memory_limit) == memory_bytes(sizing.memory)


def test_storage_under_an_environment_lists_what_an_environment_may_set() -> None:
    text = BASE.replace(
        "    namespace: nifty50-dev\n", "    namespace: nifty50-dev\n    storage: {size: 1Gi}\n"
    )
    with pytest.raises(SpecError) as caught:
        validate(parse_spec(text.encode(), "spec/system.yaml"))
    (only,) = caught.value.diagnostics
    assert only.message == (
        "environment 'dev': unknown key 'storage';"
        " an environment may set: cert_manager, components, delivery, external_secrets, gateway, keda,"
        " namespace, prometheus_operator, quorum, tag"
    )


def test_an_environment_changes_the_size_of_a_scratch_path() -> None:
    def scratch(objects: dict[tuple[str, str], dict[str, Any]]) -> tuple[list[str], dict[str, str]]:
        pod = objects[("Deployment", "feed-handler")]["spec"]["template"]["spec"]
        sizes = [v["emptyDir"]["sizeLimit"] for v in pod["volumes"] if "emptyDir" in v]
        return sizes, pod["containers"][0]["resources"]["requests"]

    base_sizes, base_requests = scratch(_built(DEV))
    sizes, requests = scratch(_built("      feed-handler: {replicas: 1, writable: {/tmp: 1Gi}}\n"))
    assert (base_sizes, sizes) == (["64Mi"], ["1Gi"])
    grown = memory_bytes(requests["ephemeral-storage"]) - memory_bytes(base_requests["ephemeral-storage"])
    assert grown == memory_bytes("1Gi") - memory_bytes("64Mi")


def test_an_environment_cannot_size_a_path_the_base_does_not_write() -> None:
    with pytest.raises(SpecError) as caught:
        _built("      feed-handler: {replicas: 1, writable: {/data: 1Gi}}\n")
    (problem,) = caught.value.diagnostics
    assert problem.message == (
        "environment 'dev', component 'feed-handler', writable./data: "
        "'feed-handler' has no writable path '/data'; its paths: /tmp"
    )


SHARED_HOST_CASE = Path(__file__).parent / "invalid" / "cases" / "N912-delivery-host-shared-cluster.yaml"


@pytest.mark.parametrize(
    ("prod", "clash"),
    [
        ("  prod:\n    namespace: nifty50-prod\n", True),
        # prod's Application targets another cluster, whose ingress controller is its own.
        ("  prod:\n    namespace: nifty50-prod\n    delivery: {cluster: https://prod.example:6443}\n", False),
        # prod names its own host.
        (
            "  prod:\n    namespace: nifty50-prod\n    components:\n"
            "      indicator-engine: {host: charts.prod.nifty50.example}\n",
            False,
        ),
    ],
)
def test_environments_on_one_cluster_claim_distinct_hosts(prod: str, clash: bool) -> None:
    text = SHARED_HOST_CASE.read_text(encoding="utf-8")
    assert "  prod:\n    namespace: nifty50-prod\n" in text
    spec = text.replace("  prod:\n    namespace: nifty50-prod\n", prod)
    try:
        validate(parse_spec(spec.encode(), "spec/system.yaml"))
    except SpecError as error:
        messages = [d.message for d in error.diagnostics]
        assert clash and len(messages) == 1 and "claimed by environments 'dev' and 'prod'" in messages[0]
    else:
        assert not clash
