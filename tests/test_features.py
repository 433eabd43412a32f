"""The language's features for systems beyond the shipped one, compiled and built with the real tools."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.pipeline import compile_spec, load_plan
from compiler.plan.model import EnvPlan, Plan
from tests.netpol import allowed_flows, expected_flows, plan_ports
from tests.tools import build_all, objects

pytestmark = pytest.mark.tools

SPEC = Path(__file__).parent / "features" / "system.yaml"
Built = dict[str, tuple[EnvPlan, list[dict[str, Any]]]]


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The plan of the features spec."""
    return load_plan(SPEC, tmp_path_factory.mktemp("monitoring"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Built:
    """Each environment built by `kubectl kustomize` and accepted by `kubernetes-validate --strict`."""
    folder = tmp_path_factory.mktemp("features")
    out = folder / "out"
    for relative, text in compile_spec(SPEC, folder / "monitoring").items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    envs = {env.name: env for env in (plan.base, *plan.environments)}
    return {name: (envs[name], objects(text)) for name, text in build_all(out).items()}


def _named(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _majority(replicas: int) -> int:
    """The fewest of replicas that are more than half of them."""
    return next(m for m in range(1, replicas + 1) if 2 * m > replicas)


def test_a_cluster_gets_stable_names_from_its_peer_service(
    built: Built,
) -> None:
    for _, docs in built.values():
        services = _named(docs, "Service")
        for name, peers in (("bus", {"rpc": 33145, "admin": 9644}), ("store", {"main": 5432})):
            statefulset = _named(docs, "StatefulSet")[name]["spec"]
            peer = services[statefulset["serviceName"]]["spec"]
            assert statefulset["serviceName"] != name
            assert statefulset["podManagementPolicy"] == "Parallel"
            assert peer["clusterIP"] == "None" and peer["publishNotReadyAddresses"] is True
            assert {p["name"]: p["port"] for p in peer["ports"]} == peers
            assert peer["selector"] == statefulset["selector"]["matchLabels"]
        container = _named(docs, "StatefulSet")["bus"]["spec"]["template"]["spec"]["containers"][0]
        assert {p["name"]: p["containerPort"] for p in container["ports"]} == {
            "main": 9092,
            "rpc": 33145,
            "admin": 9644,
        }


def test_a_cluster_keeps_a_majority_through_a_drain(
    built: Built,
) -> None:
    sizes = set()
    for _, docs in built.values():
        budgets = _named(docs, "PodDisruptionBudget")
        for name in ("bus", "store"):
            replicas = _named(docs, "StatefulSet")[name]["spec"]["replicas"]
            sizes.add(replicas)
            assert budgets[name]["spec"]["minAvailable"] == _majority(replicas), name
            assert _majority(replicas) < replicas, f"{name} could never be drained"
    assert sizes == {3, 5}


def test_peers_talk_on_their_peer_ports_only_and_clients_on_the_named_port(
    built: Built,
) -> None:
    for env, docs in built.values():
        allowed = allowed_flows(docs, plan_ports(env))
        assert allowed == expected_flows(env), env.name
        assert {(s, p) for s, t, p in allowed if t == "bus"} >= {
            ("bus", 33145),
            ("bus", 9644),
            ("broker-gateway", 9092),
            ("broker-gateway", 9644),
            ("chain-builder", 9092),
            ("chain-builder", 33145),
        }
        assert ("bus", "bus", 9092) not in allowed
        assert ("broker-gateway", "bus", 33145) not in allowed
        assert ("store", "store", 5432) in allowed
        # Prometheus scrapes itself; no other workload reaches its own pods.
        assert {s for s, t, _ in allowed if s == t} == {"bus", "store", "prometheus"}


def _container(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    container: dict[str, Any] = _named(docs, kind)[name]["spec"]["template"]["spec"]["containers"][0]
    return container


def test_variables_take_values_from_the_pod_before_the_plain_ones_expand_them(built: Built) -> None:
    for _, docs in built.values():
        container = _container(docs, "StatefulSet", "bus")
        env = [(v["name"], v.get("value"), v.get("valueFrom")) for v in container["env"]]
        sources = {name: source for name, _, source in env if source}
        assert sources["POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
        assert sources["POD_NAMESPACE"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
        assert sources["POD_IP"] == {"fieldRef": {"fieldPath": "status.podIP"}}
        assert sources["NODE"] == {"fieldRef": {"fieldPath": "spec.nodeName"}}
        assert sources["MEMORY_MB"] == {
            "resourceFieldRef": {"containerName": "bus", "resource": "limits.memory", "divisor": "1Mi"}
        }
        assert sources["CORES"] == {"resourceFieldRef": {"containerName": "bus", "resource": "limits.cpu"}}
        order = [name for name, _, _ in env]
        # Kubernetes expands $(VAR) only from variables listed before the one that refers to them.
        defined: set[str] = set()
        for name, value, _ in env:
            for reference in re.findall(r"\$\(([A-Z_]+)\)", value or ""):
                assert reference in defined, f"{name} expands {reference} before it is set"
            defined.add(name)
        for arg in container["args"]:
            assert set(re.findall(r"\$\(([A-Z_]+)\)", arg)) <= set(order), arg
        assert "--advertise-rpc-addr=$(ADVERTISED_RPC)" in container["args"]


def test_one_host_routes_distinct_paths_to_their_components(built: Built) -> None:
    hosts = set()
    for env, docs in built.values():
        ingresses = _named(docs, "Ingress")
        services = _named(docs, "Service")
        assert set(ingresses) == {"api", "ws-gateway"}
        routes = {}
        for name, ingress in ingresses.items():
            (rule,) = ingress["spec"]["rules"]
            (path,) = rule["http"]["paths"]
            assert path["backend"]["service"]["name"] == name and name in services
            assert ingress["spec"]["tls"] == [{"hosts": [rule["host"]], "secretName": "options-tls"}]
            routes[name] = (rule["host"], path["path"])
        assert routes["api"][0] == routes["ws-gateway"][0], env.name
        assert (routes["api"][1], routes["ws-gateway"][1]) == ("/", "/ws")
        hosts.add(routes["api"][0])
    assert hosts == {"options.example.com", "options.trading.example.com"}


def test_ingress_settings_merge_defaults_component_and_environment(built: Built) -> None:
    body, read, send = (
        f"nginx.ingress.kubernetes.io/{k}"
        for k in ("proxy-body-size", "proxy-read-timeout", "proxy-send-timeout")
    )
    for env, docs in built.values():
        ingresses = _named(docs, "Ingress")
        api, ws = (ingresses[n]["metadata"].get("annotations", {}) for n in ("api", "ws-gateway"))
        assert api == {body: "1m"}, env.name
        if env.name == "prod":
            assert ws == {body: "4m", read: "86400", send: "3600"}
        else:
            assert ws == {body: "1m", read: "3600", send: "3600"}, env.name


def test_scratch_volumes_have_their_own_sizes_and_count_in_ephemeral_storage(built: Built) -> None:
    expected = {
        # name: ({path: size}, request, limit); the limit leaves 256Mi for the container's logs.
        "bus": ({"/tmp": "256Mi"}, "256Mi", "512Mi"),
        "store": ({"/tmp": "64Mi", "/var/run/postgresql": "512Ki"}, "66048Ki", "328192Ki"),
        "api": ({"/tmp": "64Mi"}, "64Mi", "320Mi"),
    }
    for _, docs in built.values():
        workloads = {**_named(docs, "StatefulSet"), **_named(docs, "Deployment")}
        for name, (sizes, request, limit) in expected.items():
            pod = workloads[name]["spec"]["template"]["spec"]
            volumes = {v["name"]: v for v in pod["volumes"]}
            mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
            assert {path: volumes[mounts[path]]["emptyDir"]["sizeLimit"] for path in sizes} == sizes
            resources = pod["containers"][0]["resources"]
            assert resources["requests"]["ephemeral-storage"] == request, name
            assert resources["limits"]["ephemeral-storage"] == limit, name


def test_egress_leaves_by_each_connections_own_protocol(built: Built) -> None:
    spec = yaml.safe_load((Path(__file__).parent / "features" / "system.yaml").read_text(encoding="utf-8"))
    (gateway,) = [c for layer in spec["layers"] for c in layer["components"] if c["name"] == "broker-gateway"]
    wanted = {(e["cidr"], e.get("protocol", "tcp").upper(), e["port"]) for e in gateway["external"]}
    assert {protocol for _, protocol, _ in wanted} == {"UDP", "SCTP", "TCP"}
    for name, (_, docs) in built.items():
        policy = _named(docs, "NetworkPolicy")["broker-gateway"]
        granted = {
            (peer["ipBlock"]["cidr"], port["protocol"], port["port"])
            for rule in policy["spec"]["egress"]
            for peer in rule.get("to", [])
            if "ipBlock" in peer
            for port in rule["ports"]
        }
        assert granted == wanted, name


def test_the_readme_draws_a_connection_with_its_protocol(tmp_path: Path) -> None:
    readme = compile_spec(SPEC, tmp_path / "monitoring")["README.md"]
    assert '-->|"30001/UDP"|' in readme and '-->|"36412/SCTP"|' in readme and '-->|"9443"|' in readme
