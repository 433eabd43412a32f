"""Redis with Sentinel that the redis-operator runs: the RedisReplication, its clients, its traffic,
its dashboard row and Argo CD's health check of it.

The platform fixture (tests/fixtures/platform/, a copy of the platform example) runs its Redis as a
RedisReplication: one Redis pod and one Sentinel in dev, three of each across nodes in prod.
"""

from __future__ import annotations

from typing import Any

import pytest

from compiler.kustomize.environment import build_environment
from compiler.pipeline import load_plan
from compiler.plan.model import Plan, RedisPlan
from compiler.render.argocd_health import HEALTH_KEY, PATCH_FILE, REDIS_REPLICATION_HEALTH, health_patch
from compiler.spec.load import read_spec
from tests.conftest import ROOT
from tests.crds import REDIS_REPLICATION, check_redis_replication, validate_crd_objects
from tests.netpol import allowed_flows, expected_flows, plan_ports
from tests.tools import binary_bytes, by_kind, environment, objects, operated_alert_exprs

PLATFORM = ROOT / "tests" / "fixtures" / "platform"
SPEC = PLATFORM / "spec" / "system.yaml"
MONITORING = PLATFORM / "monitoring"
GROUP = "redis.redis.opstreelabs.in"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SPEC, MONITORING)


def _written() -> dict[str, Any]:
    """The fixture's Redis as written, with the component's name and prod's and dev's changes to it."""
    data = read_spec(SPEC).data
    component = next(c for layer in data["layers"] for c in layer["components"] if "redis" in c)
    changes = {
        env: data["environments"][env]["components"][component["name"]]["redis"] for env in ("dev", "prod")
    }
    return {**component["redis"], "component": component["name"], **changes}


def _redis(plan: Plan, env: str) -> RedisPlan:
    name = _written()["component"]
    return next(r for r in environment(plan, env).redis if r.name == name)


# --- the RedisReplication and its clients ------------------------------------------------------


def test_prod_runs_three_redis_pods_and_three_sentinels_across_nodes(plan: Plan) -> None:
    written = _written()
    name = written["component"]
    spec = by_kind(build_environment(environment(plan, "prod")), "RedisReplication")[name]["spec"]
    assert spec["clusterSize"] == written["prod"]["replicas"] >= 3
    assert spec["sentinel"]["size"] == written["prod"]["sentinels"] >= 3
    # The operator monitors with a majority; nifty states the same number.
    assert spec["sentinel"]["quorum"] == str(written["prod"]["sentinels"] // 2 + 1)
    for part, role in ((spec, "replication"), (spec["sentinel"], "sentinel")):
        (term,) = part["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term["topologyKey"] == "kubernetes.io/hostname"
        assert term["labelSelector"]["matchLabels"]["role"] == role
        assert term["labelSelector"]["matchLabels"]["app.kubernetes.io/name"] == name
    assert spec["kubernetesConfig"]["image"] == f"quay.io/opstree/redis:{written['tag']}"
    assert spec["kubernetesConfig"]["redisSecret"] == {"key": "password", "name": written["secret"]}
    assert (
        spec["storage"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"]
        == (written["storage"]["size"])
    )
    # The operator makes the Redis pods' budget; nifty makes the Sentinels' (below).
    assert spec["pdb"] == {"enabled": True, "maxUnavailable": 1}
    assert spec["redisExporter"]["enabled"] is True


def test_dev_keeps_one_redis_pod_and_one_sentinel(plan: Plan) -> None:
    written = _written()
    built = build_environment(environment(plan, "dev"))
    spec = by_kind(built, "RedisReplication")[written["component"]]["spec"]
    assert spec["clusterSize"] == 1 and spec["sentinel"]["size"] == 1
    assert spec["sentinel"]["quorum"] == "1"
    assert "pdb" not in spec
    assert f"{written['component']}-s" not in by_kind(built, "PodDisruptionBudget")
    claim = spec["storage"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == written["dev"]["storage"]["size"]


def test_the_sentinels_have_a_budget_that_keeps_their_majority(plan: Plan) -> None:
    name = _written()["component"]
    budget = by_kind(build_environment(environment(plan, "prod")), "PodDisruptionBudget")[f"{name}-s"]["spec"]
    assert budget["maxUnavailable"] == 1
    assert budget["selector"]["matchLabels"]["role"] == "sentinel"


def test_the_pods_meet_the_restricted_profile_where_the_images_allow(plan: Plan) -> None:
    spec = by_kind(build_environment(environment(plan, "prod")), "RedisReplication")[_written()["component"]]
    spec = spec["spec"]
    for pod in (spec["podSecurityContext"], spec["sentinel"]["podSecurityContext"]):
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in (spec["securityContext"], spec["sentinel"]["securityContext"]):
        assert container["allowPrivilegeEscalation"] is False
        assert container["capabilities"] == {"drop": ["ALL"]}
    assert spec["redisExporter"]["securityContext"]["readOnlyRootFilesystem"] is True
    for resources in (spec["kubernetesConfig"]["resources"], spec["sentinel"]["resources"]):
        assert {"cpu", "memory"} <= resources["requests"].keys() <= resources["limits"].keys()


def test_the_redis_is_no_workload_of_its_own(plan: Plan) -> None:
    name = _written()["component"]
    built = build_environment(environment(plan, "prod"))
    for kind in ("Deployment", "StatefulSet", "HorizontalPodAutoscaler", "Service"):
        assert name not in by_kind(built, kind), kind


def test_every_client_finds_the_master_through_the_sentinels(plan: Plan) -> None:
    written = _written()
    name = written["component"]
    prefix = name.upper().replace("-", "_")
    for env_name, sentinels in (("dev", 1), ("prod", written["prod"]["sentinels"])):
        env = environment(plan, env_name)
        redis = _redis(plan, env_name)
        assert redis.clients
        for workload in env.workloads:
            variables = dict(workload.env)
            if workload.name not in redis.clients:
                assert f"{prefix}_SENTINEL_HOSTS" not in variables, workload.name
                continue
            hosts = variables[f"{prefix}_SENTINEL_HOSTS"].split(",")
            assert hosts == [f"{name}-s-{i}.{name}-s-hl" for i in range(sentinels)]
            assert variables[f"{prefix}_SENTINEL_PORT"] == "26379"
            assert variables[f"{prefix}_MASTER_NAME"] == "mymaster"
            password = [s for s in workload.secrets if s.env == f"{prefix}_PASSWORD_FILE"]
            assert [(s.secret, s.key, s.file) for s in password] == [
                (written["secret"], "password", f"/run/secrets/{name}/password")
            ]


# --- traffic -----------------------------------------------------------------------------------


def test_the_base_admits_exactly_the_declared_flow_to_and_from_redis_and_its_sentinels(plan: Plan) -> None:
    """The NetworkPolicy evaluator of tests/netpol.py over every pod, the Redis pods and Sentinels too."""
    docs = build_environment(plan.base)
    allowed = allowed_flows(docs, plan_ports(plan.base))
    assert allowed == expected_flows(plan.base)
    name = _written()["component"]
    sentinels = f"{name}-s"
    redis = _redis(plan, "dev")
    assert {(c, name, 6379) for c in redis.clients} | {
        (c, sentinels, 26379) for c in redis.clients
    } <= allowed
    assert {(name, name, 6379), (sentinels, name, 6379), (sentinels, sentinels, 26379)} <= allowed
    assert ("prometheus", name, 9121) in allowed
    assert not {("prometheus", sentinels, 9121), ("dashboard", name, 6379), (name, name, 26379)} & allowed


def test_the_operators_namespace_reaches_redis_and_the_sentinels(plan: Plan) -> None:
    name = _written()["component"]
    policies = by_kind(build_environment(environment(plan, "prod")), "NetworkPolicy")
    operator = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ot-operators"}}}
    for policy, port in ((policies[name], 6379), (policies[f"{name}-s"], 26379)):
        assert any(
            operator in rule["from"] and {"port": port, "protocol": "TCP"} in rule["ports"]
            for rule in policy["spec"]["ingress"]
        )


def test_the_prometheus_operator_scrapes_the_redis_pods_exporter(plan: Plan) -> None:
    name = _written()["component"]
    monitor = by_kind(build_environment(environment(plan, "prod")), "PodMonitor")[name]["spec"]
    assert monitor["selector"]["matchLabels"]["role"] == "replication"
    assert [e["port"] for e in monitor["podMetricsEndpoints"]] == ["redis-exporter"]


def test_the_layers_dashboard_shows_the_redis_roles_sentinels_and_replication(plan: Plan) -> None:
    from compiler.render.dashboards import layer_dashboard_json

    env = environment(plan, "prod")
    layer = next(layer for layer in env.layers if layer.redis)
    redis = layer.redis[0]
    panels = layer_dashboard_json(env, layer)["panels"]
    assert redis.name in [p["title"] for p in panels if p["type"] == "row"]
    exprs = {p["title"]: [t["expr"] for t in p["targets"]] for p in panels if p["type"] == "timeseries"}
    assert f"vector({redis.quorum})" in exprs[f"{redis.name}: Sentinels"]
    assert f"vector({redis.replicas})" in exprs[f"{redis.name}: Redis pods"]


# --- the schema --------------------------------------------------------------------------------


def test_every_redis_replication_is_valid_by_the_operators_schema(plan: Plan) -> None:
    for env in (plan.base, *plan.environments):
        built = [o for o in build_environment(env) if o["kind"] in {"RedisReplication", "PodMonitor"}]
        assert "RedisReplication" in {o["kind"] for o in built}
        validate_crd_objects(built)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("spec", "clusterSize"), "3", "is not of type 'integer'"),
        (("spec", "sentinel", "quorum"), 2, "is not of type 'string'"),
        (("spec", "sentinel", "replicas"), 3, "Additional properties are not allowed"),
        (("spec", "kubernetesConfig", "resources", "limits", "cpu"), "lots", "does not match"),
        (("spec", "redisExporter", "enabled"), "yes", "is not of type 'boolean'"),
    ],
)
def test_a_value_the_operators_schema_refuses_is_reported(
    plan: Plan, path: tuple[str, ...], value: Any, message: str
) -> None:
    obj = by_kind(build_environment(environment(plan, "prod")), "RedisReplication")[_written()["component"]]
    check_redis_replication(obj)
    where = obj
    for key in path[:-1]:
        where = where[key]
    where[path[-1]] = value
    with pytest.raises(AssertionError, match=message):
        check_redis_replication(obj)


def test_the_schema_requires_what_the_crd_requires() -> None:
    spec = REDIS_REPLICATION["properties"]["spec"]
    assert spec["required"] == ["clusterSize", "kubernetesConfig"]
    assert spec["properties"]["sentinel"]["required"] == ["image", "size"]
    assert spec["properties"]["kubernetesConfig"]["required"] == ["image"]


# --- Argo CD's health check --------------------------------------------------------------------


def _health(obj: dict[str, Any]) -> tuple[str, str]:
    """Argo CD's verdict on obj: the Lua run as Argo CD runs it, with obj as a global."""
    lupa = pytest.importorskip("lupa")
    lua = lupa.LuaRuntime(unpack_returned_tuples=True)
    lua.globals().obj = lua.table_from(obj, recursive=True)
    result = lua.execute(REDIS_REPLICATION_HEALTH)
    return str(result["status"]), str(result["message"])


def _replication(status: dict[str, Any] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"spec": {"clusterSize": 3, "sentinel": {"size": 3}}}
    if status is not None:
        obj["status"] = status
    return obj


SENTINELS = {"host": "redis-s-hl.ns.svc.cluster.local", "port": 26379, "masterName": "mymaster"}


@pytest.mark.parametrize(
    ("status", "verdict", "said"),
    [
        (None, "Progressing", "not all ready"),
        ({}, "Progressing", "not all ready"),
        ({"connectionInfo": SENTINELS}, "Degraded", "no Redis master"),
        ({"connectionInfo": SENTINELS, "masterNode": ""}, "Degraded", "no Redis master"),
        (
            {"connectionInfo": {"host": "redis-master", "port": 6379}, "masterNode": "redis-0"},
            "Progressing",
            "",
        ),
        ({"connectionInfo": SENTINELS, "masterNode": "redis-1"}, "Healthy", "redis-1"),
    ],
)
def test_argo_cds_health_check_reads_the_operators_status(
    status: dict[str, Any] | None, verdict: str, said: str
) -> None:
    found, message = _health(_replication(status))
    assert found == verdict
    assert said in message


def test_the_health_check_is_shipped_for_argo_cd_where_a_redis_is_delivered(plan: Plan) -> None:
    from compiler.output.tree import build_tree

    tree = build_tree(plan)
    text = tree[f"argocd/{PATCH_FILE}"]
    (patch,) = objects(text)
    key = HEALTH_KEY.format(group=GROUP, kind="RedisReplication")
    assert patch == {"data": {key: REDIS_REPLICATION_HEALTH}}
    assert "kubectl -n argocd patch configmap argocd-cm --type merge" in text
    assert PATCH_FILE not in tree["argocd/kustomization.yaml"]
    assert health_patch(set()) is None


# --- out/README.md -----------------------------------------------------------------------------


def test_the_readme_gives_each_environments_topology_rpo_and_rto(plan: Plan) -> None:
    from compiler.output.tree import build_tree

    text = build_tree(plan)["README.md"]
    section = text[text.index("## Redis") :]
    section = section[: section.index("\n## ", 1)]
    prod = _redis(plan, "prod")
    row = next(line for line in section.splitlines() if line.startswith(f"| {prod.name} | prod |"))
    assert f"| {prod.replicas} | {prod.sentinels} ({prod.quorum}) |" in row
    # Asynchronous replication: acknowledged writes not yet replicated are lost on failover.
    assert "asynchronous" in row
    assert f"{prod.down_after_milliseconds / 1000:g} s" in row
    assert f"{prod.failover_timeout_milliseconds / 1000:g} s (failover-timeout)" in row
    dev = next(line for line in section.splitlines() if line.startswith(f"| {prod.name} | dev |"))
    assert "| 1 | 1 (1) |" in dev and "asynchronous" not in dev
    assert "Pending" in section and "#1403" in section and "argocd-cm-patch.yaml" in section
    assert "redis-operator" in text[text.index("## Platform") :]


# --- memory and volume -------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_memory_and_volume_alerts_follow_each_environments_own_limits(plan: Plan, env: str) -> None:
    built = build_environment(environment(plan, env))
    # The fixture's prod and dev hand their rules to the cluster's Prometheus Operator.
    exprs = operated_alert_exprs(built)
    for redis in by_kind(built, "RedisReplication").values():
        limit = binary_bytes(redis["spec"]["kubernetesConfig"]["resources"]["limits"]["memory"])
        volume = binary_bytes(
            redis["spec"]["storage"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"]
        )
        camel = "".join(part.title() for part in redis["metadata"]["name"].split("-"))
        for alert, metric, capacity, share in (
            (f"{camel}MemoryFilling", "redis_memory_used_bytes", limit, 0.8),
            (f"{camel}MemoryFull", "redis_memory_used_bytes", limit, 0.9),
            (f"{camel}VolumeFilling", "redis_aof_current_size_bytes", volume, 0.4),
        ):
            used, threshold = exprs[alert].rsplit(" > ", 1)
            assert used.startswith(metric), alert
            assert int(threshold) == round(capacity * share), (env, alert)
