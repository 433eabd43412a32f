"""Gateway API: where an environment names a Gateway, its public hosts are HTTPRoutes, not Ingresses."""

from __future__ import annotations

from typing import Any

from compiler.kustomize.environment import build_environment
from compiler.plan.model import Plan
from compiler.spec.load import read_spec
from tests.conftest import SPEC


def _public() -> dict[str, dict[str, Any]]:
    data = read_spec(SPEC).data
    return {
        c["name"]: c["ingress"] for layer in data["layers"] for c in layer["components"] if "ingress" in c
    }


def _gateways() -> dict[str, dict[str, Any]]:
    return {n: e["gateway"] for n, e in read_spec(SPEC).data["environments"].items() if "gateway" in e}


def _built(plan: Plan, name: str) -> list[dict[str, Any]]:
    (env,) = [e for e in plan.environments if e.name == name]
    return build_environment(env)


def test_the_seed_routes_prod_through_a_gateway_and_dev_through_ingresses() -> None:
    assert set(_gateways()) == {"prod"}


def test_an_environment_with_a_gateway_has_routes_and_no_ingress(shipped_plan: Plan) -> None:
    public = _public()
    for name, gateway in _gateways().items():
        built = _built(shipped_plan, name)
        assert not [o for o in built if o["kind"] == "Ingress"], name
        routes = {o["metadata"]["name"]: o["spec"] for o in built if o["kind"] == "HTTPRoute"}
        assert set(routes) == set(public)
        for component, spec in routes.items():
            (parent,) = spec["parentRefs"]
            assert (parent["namespace"], parent["name"], parent["sectionName"]) == (
                gateway["namespace"],
                gateway["name"],
                gateway["section"],
            )
            (rule,) = spec["rules"]
            assert rule["matches"] == [
                {"path": {"type": "PathPrefix", "value": public[component].get("path", "/")}}
            ]
            (backend,) = rule["backendRefs"]
            assert backend["name"] == component and backend["kind"] == "Service"
            timeout = gateway.get("timeouts", {}).get(component)
            assert rule.get("timeouts") == ({"request": timeout} if timeout else None), component


def test_the_websocket_timeout_is_a_route_timeout_in_prod() -> None:
    assert _gateways()["prod"]["timeouts"]["api"] == "1h"


def test_network_policies_admit_the_gateways_namespace(shipped_plan: Plan) -> None:
    controller = read_spec(SPEC).data["defaults"]["ingress"]["namespace"]
    for name, gateway in _gateways().items():
        built = _built(shipped_plan, name)
        policies = {o["metadata"]["name"]: o for o in built if o["kind"] == "NetworkPolicy"}
        for component in _public():
            namespaces = {
                peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                for rule in policies[component]["spec"]["ingress"]
                for peer in rule["from"]
                if "namespaceSelector" in peer
            }
            assert namespaces == {gateway["namespace"]}, (name, component, namespaces)
            assert controller not in namespaces


def test_environments_without_a_gateway_keep_their_ingresses(shipped_plan: Plan) -> None:
    for env in shipped_plan.environments:
        if env.name in _gateways():
            continue
        built = build_environment(env)
        assert {o["metadata"]["name"] for o in built if o["kind"] == "Ingress"} == set(_public())
        assert not [o for o in built if o["kind"] == "HTTPRoute"]


def test_the_gateway_may_read_exactly_the_tls_secrets_of_its_hosts(shipped_plan: Plan) -> None:
    public = _public()
    for name, gateway in _gateways().items():
        built = _built(shipped_plan, name)
        (grant,) = [o for o in built if o["kind"] == "ReferenceGrant"]
        assert grant["spec"]["from"] == [
            {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": gateway["namespace"]}
        ]
        secrets = {ingress["tls_secret"] for ingress in public.values()}
        assert {(to["kind"], to["name"]) for to in grant["spec"]["to"]} == {("Secret", s) for s in secrets}


def test_environments_without_a_gateway_grant_nothing(shipped_plan: Plan) -> None:
    for env in shipped_plan.environments:
        if env.name not in _gateways():
            assert not [o for o in _built(shipped_plan, env.name) if o["kind"] == "ReferenceGrant"]
