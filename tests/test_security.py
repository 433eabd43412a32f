"""Every environment, built with the real kubectl, is hardened the way the checkers expect."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.plan.model import EnvPlan, Plan, Workload
from compiler.render.workloads import holds_for
from compiler.spec.leaks import looks_like_credential
from compiler.spec.quantities import cpu_millis, memory_bytes
from tests.crds import autoscalers
from tests.netpol import allowed_flows, expected_flows, matches, plan_ports, selects
from tests.secret_filters import SECRET_REFERENCE
from tests.tools import environment_folders, kustomize, objects, scalars

pytestmark = pytest.mark.tools

WORKLOAD_KINDS = ("Deployment", "StatefulSet")
# Pod Security Standards "restricted": the only volume types it admits.
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim"}
RESTRICTED_VOLUMES |= {"projected", "secret"}
HOST_FIELDS = ("hostNetwork", "hostPID", "hostIPC")
MIN_ID = 10000


@pytest.fixture(scope="module")
def built(shipped_out: Path, shipped_plan: Plan) -> dict[str, tuple[EnvPlan, list[dict[str, Any]]]]:
    """Each environment's plan and the objects `kubectl kustomize` builds for it."""
    plans = {env.name: env for env in (shipped_plan.base, *shipped_plan.environments)}
    return {
        folder.name: (plans[folder.name], objects(kustomize(folder, shipped_out)))
        for folder in environment_folders(shipped_out)
    }


def _each(
    built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]],
) -> Iterator[tuple[EnvPlan, list[dict[str, Any]]]]:
    assert set(built) == {"base", "dev", "prod"}
    yield from built.values()


def _workloads(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] in WORKLOAD_KINDS}


def _of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _pod(workload: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = workload["spec"]["template"]["spec"]
    return pod


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def test_every_pod_is_admitted_under_restricted(
    built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]],
) -> None:
    for env, docs in _each(built):
        namespace = _of_kind(docs, "Namespace")[env.namespace]
        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        for name, workload in _workloads(docs).items():
            pod = _pod(workload)
            context = pod["securityContext"]
            assert context["runAsNonRoot"] is True, name
            assert context["runAsUser"] >= MIN_ID and context["runAsGroup"] >= MIN_ID, name
            assert context["seccompProfile"]["type"] == "RuntimeDefault", name
            assert not any(pod.get(field) for field in HOST_FIELDS), name
            for volume in pod.get("volumes", []):
                kinds = set(volume) - {"name"}
                assert kinds <= RESTRICTED_VOLUMES, (name, volume)
                if "emptyDir" in volume:
                    assert volume["emptyDir"]["sizeLimit"], (name, volume)
            if workload["spec"].get("volumeClaimTemplates"):
                assert context["fsGroup"] >= MIN_ID, name
            for container in _containers(pod):
                security = container["securityContext"]
                assert security["allowPrivilegeEscalation"] is False, name
                assert security["readOnlyRootFilesystem"] is True, name
                assert security.get("privileged", False) is False, name
                assert security["capabilities"] == {"drop": ["ALL"]}, name
                assert not any(p.get("hostPort") for p in container.get("ports", [])), name


def _plan_of(env: EnvPlan, name: str) -> Workload:
    return next(w for w in env.workloads if w.name == name)


def test_resources_and_guaranteed_hot_path(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    hot = 0
    for env, docs in _each(built):
        for name, workload in _workloads(docs).items():
            pod, planned = _pod(workload), _plan_of(env, name)
            for container in _containers(pod):
                resources = container["resources"]
                assert set(resources["requests"]) >= {"cpu", "memory"}, name
                assert set(resources["limits"]) >= {"cpu", "memory"}, name
                scratch = sum(
                    memory_bytes(v["emptyDir"]["sizeLimit"]) for v in pod["volumes"] if "emptyDir" in v
                )
                assert memory_bytes(resources["requests"]["ephemeral-storage"]) >= scratch, name
                assert memory_bytes(resources["limits"]["ephemeral-storage"]) > scratch, name
                guaranteed = all(
                    resources["requests"][k] == resources["limits"][k] for k in ("cpu", "memory")
                )
                if planned.hot_path:
                    hot += 1
                    assert guaranteed, f"{env.name}/{name} is on the hot path without Guaranteed QoS"
                    assert pod["priorityClassName"] == f"{env.system}-hot-path", name
                if planned.dedicated_cores:
                    assert guaranteed and cpu_millis(str(resources["limits"]["cpu"])) % 1000 == 0, name
    assert hot, "the shipped spec has a hot path"


def test_hot_path_ranks_above_everything(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    for env, docs in _each(built):
        classes = {name: c["value"] for name, c in _of_kind(docs, "PriorityClass").items()}
        for name, workload in _workloads(docs).items():
            assert _pod(workload)["priorityClassName"] in classes, name
        hot = f"{env.system}-hot-path"
        assert set(classes) == {hot, f"{env.system}-standard"}
        assert classes[hot] > max(v for k, v in classes.items() if k != hot)


def test_probes_from_the_spec(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    started = 0
    for env, docs in _each(built):
        for name, workload in _workloads(docs).items():
            planned = _plan_of(env, name)
            container = _pod(workload)["containers"][0]
            ready, live = container["readinessProbe"], container["livenessProbe"]
            assert ready != live, name
            for probe in (ready, live):
                action = probe.get("httpGet") or probe["tcpSocket"]
                assert action["port"] == (planned.probe_port or planned.port), name
                if "httpGet" in probe:
                    assert probe["httpGet"]["path"] in {planned.health, planned.liveness}, name
            startup = container.get("startupProbe")
            assert (startup is not None) == bool(planned.startup_seconds), name
            if startup and planned.startup_seconds:
                started += 1
                allowed = startup["periodSeconds"] * startup["failureThreshold"]
                assert planned.startup_seconds <= allowed < planned.startup_seconds + startup["periodSeconds"]
    assert started, "the shipped spec has a slow starter"


def test_own_identity_and_least_privilege(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    for env, docs in _each(built):
        accounts = _of_kind(docs, "ServiceAccount")
        bindings = _of_kind(docs, "RoleBinding")
        assert not _of_kind(docs, "ClusterRoleBinding"), "no cluster-wide grants"
        for name, workload in _workloads(docs).items():
            pod = _pod(workload)
            assert pod["serviceAccountName"] == name and name in accounts, name
            needs_api = _plan_of(env, name).uses_api
            assert pod["automountServiceAccountToken"] is needs_api, name
            assert accounts[name]["automountServiceAccountToken"] is needs_api, name
            assert (name in bindings) == needs_api, name


def test_multi_replica_workloads_spread_and_can_drain(
    built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]],
) -> None:
    budgets_seen = 0
    for env, docs in _each(built):
        budgets = _of_kind(docs, "PodDisruptionBudget")
        hpas = {h["metadata"]["name"]: h for h in autoscalers(docs)}
        for name, workload in _workloads(docs).items():
            pod = _pod(workload)
            least = hpas[name]["spec"]["minReplicas"] if name in hpas else workload["spec"]["replicas"]
            most = hpas[name]["spec"]["maxReplicas"] if name in hpas else least
            labels = workload["spec"]["template"]["metadata"]["labels"]
            if most >= 2:
                spread = pod["topologySpreadConstraints"][0]
                assert spread["topologyKey"] == "kubernetes.io/hostname", name
                assert matches(spread["labelSelector"]["matchLabels"], labels), name
            if least >= 2:
                budgets_seen += 1
                budget = budgets[name]["spec"]
                assert 0 < budget["minAvailable"] < least, f"{env.name}/{name} could block a drain"
                assert matches(budget["selector"]["matchLabels"], labels), name
            else:
                assert name not in budgets, f"{env.name}/{name} runs one pod; a budget would block drains"
    assert budgets_seen


def test_network_allows_exactly_the_declared_flow(
    built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]],
) -> None:
    for env, docs in _each(built):
        policies = list(_of_kind(docs, "NetworkPolicy").values())
        deny = [p for p in policies if p["spec"]["podSelector"] == {}]
        assert any(
            set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} and not p["spec"].get("ingress")
            for p in deny
        ), "the namespace denies by default"
        pods = {name: w["spec"]["template"]["metadata"]["labels"] for name, w in _workloads(docs).items()}
        for name, labels in pods.items():
            assert any(selects(p["spec"]["podSelector"], labels) for p in policies if p not in deny), name
        assert allowed_flows(docs, plan_ports(env)) == expected_flows(env), env.name


def test_dns_and_outside_traffic_are_named(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    for env, docs in _each(built):
        policies = _of_kind(docs, "NetworkPolicy")
        dns = [
            r
            for p in policies.values()
            if p["spec"]["podSelector"] == {}
            for r in p["spec"].get("egress", [])
        ]
        assert {(p["protocol"], p["port"]) for r in dns for p in r["ports"]} == {("UDP", 53), ("TCP", 53)}
        for workload in env.workloads:
            blocks = {
                (peer["ipBlock"]["cidr"], port["port"])
                for rule in policies[workload.name]["spec"].get("egress", [])
                for peer in rule.get("to", [])
                if "ipBlock" in peer
                for port in rule["ports"]
            }
            assert blocks == {(e.cidr, e.port) for e in workload.external}, workload.name


def test_only_declared_entry_points_are_public(
    built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]],
) -> None:
    for env, docs in _each(built):
        ingresses = _of_kind(docs, "Ingress")
        routed = {w.name: w.route for w in env.workloads if w.route}
        services = _of_kind(docs, "Service")
        if env.gateway is not None:
            # The Gateway's HTTPRoutes are the entry points; its listeners hold the certificates.
            routes = _of_kind(docs, "HTTPRoute")
            assert not ingresses and set(routes) == set(routed) == {"api", "dashboard"}
            for name, http_route in routes.items():
                route = routed[name]
                assert route is not None and http_route["spec"]["hostnames"] == [route.host], name
                for rule in http_route["spec"]["rules"]:
                    for backend in rule["backendRefs"]:
                        assert services[backend["name"]]["spec"]["type"] == "ClusterIP", name
        else:
            assert set(ingresses) == set(routed) == {"api", "dashboard"}
        for name, ingress in ingresses.items():
            spec, route = ingress["spec"], routed[name]
            assert route is not None
            hosts = {rule["host"] for rule in spec["rules"]}
            assert hosts == {route.host} and {h for t in spec["tls"] for h in t["hosts"]} >= hosts, name
            assert [t["secretName"] for t in spec["tls"]] == [route.tls_secret], name
            backend = spec["rules"][0]["http"]["paths"][0]["backend"]["service"]
            assert backend["name"] in services and services[backend["name"]]["spec"]["type"] == "ClusterIP"
        for policy in _of_kind(docs, "NetworkPolicy").values():
            from_outside = [
                peer
                for rule in policy["spec"].get("ingress", [])
                for peer in rule.get("from", [])
                if "namespaceSelector" in peer or "ipBlock" in peer
            ]
            assert bool(from_outside) == (policy["metadata"]["name"] in routed), policy["metadata"]["name"]


def test_no_secret_value_is_built(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    for env, docs in _each(built):
        assert not _of_kind(docs, "Secret"), "Secrets are created outside the repository"
        named = {s.secret for w in env.workloads for s in w.secrets}
        named |= {w.route.tls_secret for w in env.workloads if w.route}
        for name, workload in _workloads(docs).items():
            pod = _pod(workload)
            for container in _containers(pod):
                for variable in container.get("env", []):
                    ref = variable.get("valueFrom", {}).get("secretKeyRef")
                    assert ref is None or ref["name"] in named, name
            for volume in pod.get("volumes", []):
                for source in volume.get("projected", {}).get("sources", []):
                    assert "secret" not in source or source["secret"]["name"] in named, name
        assert not [s for doc in docs for s in scalars(doc) if looks_like_credential(s)]


def test_no_secret_value_in_the_tree(shipped_tree: dict[str, str]) -> None:
    for path, text in shipped_tree.items():
        # A Secret's or a Secret key's name (an ExternalSecret's `secretKey: token`) holds no value.
        lines = [SECRET_REFERENCE.sub(" ", line) for line in text.splitlines()]
        assert not [line for line in lines if looks_like_credential(line)], path


def test_a_value_beside_a_secret_name_is_still_found() -> None:
    line = "  - secretKey: token  # password: hunter2hunter2"
    assert looks_like_credential(SECRET_REFERENCE.sub(" ", line))


def test_images_are_tagged_never_latest(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    for env, docs in _each(built):
        for name, workload in _workloads(docs).items():
            for container in _containers(_pod(workload)):
                image = container["image"]
                _, _, tag = image.rpartition(":")
                assert "@sha256:" in image or (tag and tag != "latest" and "/" not in tag), image
                assert container["imagePullPolicy"] == "Always", name
            planned = _plan_of(env, name)
            if planned.own_image and not planned.digest and env.name == "dev":
                assert image.endswith(f":{planned.tag}"), image


def test_exceptions_are_stated_with_reasons(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    for env, docs in _each(built):
        for name, workload in _workloads(docs).items():
            annotations = workload["metadata"].get("annotations", {})
            stated = sorted(v for k, v in annotations.items() if k.startswith("checkov.io/skip"))
            planned = _plan_of(env, name)
            wanted = [s for s in planned.skips if holds_for(s.check, planned) is None]
            assert stated == sorted(f"{s.check}={s.reason}" for s in wanted), name
            assert all(v.count("=") == 1 for v in stated), name
            if planned.digest:
                assert not any(v.startswith("CKV_K8S_43=") for v in stated), name
            if not planned.uses_api:
                assert not any(v.startswith("CKV_K8S_38=") for v in stated), name


def test_hpa_behaviour_is_fast_up_damped_down(built: dict[str, tuple[EnvPlan, list[dict[str, Any]]]]) -> None:
    for _, docs in _each(built):
        for name, hpa in ((h["metadata"]["name"], h) for h in autoscalers(docs)):
            behaviour = hpa["spec"]["behavior"]
            up, down = behaviour["scaleUp"], behaviour["scaleDown"]
            assert 0 <= up["stabilizationWindowSeconds"] <= down["stabilizationWindowSeconds"] <= 3600, name
