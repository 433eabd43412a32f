"""The redis-operator: a RedisReplication with its embedded Sentinels per Redis, and their traffic."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, RedisPlan
from compiler.render.labels import metadata, selector
from compiler.render.network import in_namespace, pods_of, scraper
from compiler.render.operated import metrics_service, operated_labels, pod_monitor, tcp_ports
from compiler.render.platform import priority_class
from compiler.render.types import Placed
from compiler.render.workloads import container_security, pod_security
from compiler.spec.names import REDIS_SENTINEL_PORT, sentinel_name
from compiler.spec.ports import REDIS_EXPORTER_PORT, REDIS_PORT

REDIS_GROUP = "redis.redis.opstreelabs.in"
REDIS_OPERATOR = f"{REDIS_GROUP}/v1beta2"
# The label the operator sets on a RedisReplication's pods: replication on the Redis pods, sentinel
# on the Sentinels; both also carry the RedisReplication's own labels, so nifty's selector too.
ROLE_LABEL = "role"
REDIS_ROLE, SENTINEL_ROLE = "replication", "sentinel"
# The name of the exporter's container port, as the operator names it.
EXPORTER_PORT_NAME = "redis-exporter"
# The user and group of the operator's images (their `redis` user), which own /data and /etc/redis:
# the images write their generated redis.conf and sentinel.conf there when they start.
RUN_AS = 1000
# What a Sentinel and the exporter sidecar take: small and fixed, as neither holds data.
SENTINEL_RESOURCES = {
    "limits": {"cpu": "200m", "ephemeral-storage": "256Mi", "memory": "128Mi"},
    "requests": {"cpu": "50m", "ephemeral-storage": "64Mi", "memory": "64Mi"},
}
EXPORTER_RESOURCES = {
    "limits": {"cpu": "100m", "memory": "64Mi"},
    "requests": {"cpu": "25m", "memory": "32Mi"},
}
# The Redis container writes its generated configuration (and logs) outside its volume.
REDIS_SCRATCH = {"limits": "256Mi", "requests": "64Mi"}


def render(env: EnvPlan) -> Iterator[Placed]:
    """Each Redis's RedisReplication, its two NetworkPolicies, its Sentinels' budget and its scraping."""
    scraped = {t.workload: t for t in env.observability.targets}
    for file, redis in env.redis_placements():
        target = scraped.get(redis.name)
        yield Placed(file, redis_replication(env, redis, target is not None))
        yield Placed(file, redis_policy(env, redis, target is not None))
        yield Placed(file, sentinel_policy(env, redis))
        if redis.sentinels > 1:
            yield Placed(file, sentinel_budget(env, redis))
        if target is not None:
            labels, pods, operator = redis_labels(env, redis), redis_pods(env, redis), env.prometheus_operator
            yield Placed(file, metrics_service(env, redis.name, labels, pods, target))
            if operator is not None:
                yield Placed(
                    file, pod_monitor(env, redis.name, labels, pods, EXPORTER_PORT_NAME, target, operator)
                )


def redis_labels(env: EnvPlan, redis: RedisPlan) -> dict[str, str]:
    """The labels of a Redis's objects, which its operator passes on to its pods."""
    return operated_labels(env, redis.name, redis.layer, redis.layer_name)


def redis_pods(env: EnvPlan, redis: RedisPlan) -> dict[str, str]:
    """The labels that select a Redis's Redis pods: nifty's, and the operator's role."""
    return {**selector(env, redis.name), ROLE_LABEL: REDIS_ROLE}


def sentinel_pods(env: EnvPlan, redis: RedisPlan) -> dict[str, str]:
    """The labels that select a Redis's Sentinel pods."""
    return {**selector(env, redis.name), ROLE_LABEL: SENTINEL_ROLE}


def _spread(pods: dict[str, str]) -> dict[str, Any]:
    """No two of these pods on one node: a lost node takes at most one Redis and one Sentinel."""
    return {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": pods}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }


def _pod_security() -> dict[str, Any]:
    # The volume's root is the images' user's already after the first start: skip walking it again.
    # Keys in order, as the rest of the RedisReplication is written.
    context = {**pod_security(RUN_AS), "fsGroupChangePolicy": "OnRootMismatch"}
    return {key: context[key] for key in sorted(context)}


def _container_security(*, read_only: bool) -> dict[str, Any]:
    context = container_security(read_only=read_only)
    return {key: context[key] for key in sorted(context)}


def redis_replication(env: EnvPlan, redis: RedisPlan, scraped: bool) -> dict[str, Any]:
    """The RedisReplication: Redis pods and Sentinels each spread over nodes, the exporter beside Redis."""
    claim: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": redis.size}},
    }
    if redis.storage_class is not None:
        claim["storageClassName"] = redis.storage_class
    sizing = redis.sizing
    priority = priority_class(env.system, redis.hot_path)
    spec: dict[str, Any] = {
        "affinity": _spread(redis_pods(env, redis)),
        "clusterSize": redis.replicas,
        "kubernetesConfig": {
            "image": redis.image,
            "imagePullPolicy": "IfNotPresent",
            "redisSecret": {"key": redis.key, "name": redis.secret},
            "resources": {
                "limits": {
                    "cpu": sizing.cpu_limit,
                    "ephemeral-storage": REDIS_SCRATCH["limits"],
                    "memory": sizing.memory_limit,
                },
                "requests": {
                    "cpu": sizing.cpu,
                    "ephemeral-storage": REDIS_SCRATCH["requests"],
                    "memory": sizing.memory,
                },
            },
        },
        "podSecurityContext": _pod_security(),
        "priorityClassName": priority,
        "redisExporter": {
            "enabled": scraped,
            "image": redis.exporter_image,
            "imagePullPolicy": "IfNotPresent",
            "resources": EXPORTER_RESOURCES,
            "securityContext": _container_security(read_only=True),
        },
        "securityContext": _container_security(read_only=False),
        "sentinel": {
            "affinity": _spread(sentinel_pods(env, redis)),
            "downAfterMilliseconds": str(redis.down_after_milliseconds),
            "failoverTimeout": str(redis.failover_timeout_milliseconds),
            "image": redis.sentinel_image,
            "imagePullPolicy": "IfNotPresent",
            "parallelSyncs": "1",
            "podSecurityContext": _pod_security(),
            "priorityClassName": priority,
            # The operator monitors with a majority whatever this says; stated so that a reader agrees.
            "quorum": str(redis.quorum),
            "resources": SENTINEL_RESOURCES,
            "securityContext": _container_security(read_only=False),
            "size": redis.sentinels,
        },
        "storage": {"volumeClaimTemplate": {"spec": claim}},
    }
    if redis.replicas > 1:
        # The operator makes (and removes) the Redis pods' budget itself: one pod may go at a time.
        spec["pdb"] = {"enabled": True, "maxUnavailable": 1}
    manifest: dict[str, Any] = {
        "apiVersion": REDIS_OPERATOR,
        "kind": "RedisReplication",
        "metadata": metadata(env, redis.name, redis_labels(env, redis)),
        "spec": spec,
    }
    if redis.description:
        manifest["metadata"]["annotations"] = {"nifty.io/description": redis.description}
    return manifest


def sentinel_budget(env: EnvPlan, redis: RedisPlan) -> dict[str, Any]:
    """The Sentinels' budget, which the operator does not make: one at a time, so a majority stays."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(env, sentinel_name(redis.name), redis_labels(env, redis)),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": sentinel_pods(env, redis)}},
    }


def _pods(labels: dict[str, str]) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": labels}}


def _clients(env: EnvPlan, redis: RedisPlan) -> list[dict[str, Any]]:
    return [pods_of(env, client) for client in sorted(redis.clients)]


def _operator(redis: RedisPlan) -> dict[str, Any]:
    return in_namespace(redis.operator_namespace)


def _policy(
    env: EnvPlan,
    name: str,
    redis: RedisPlan,
    pods: dict[str, str],
    ingress: list[dict[str, Any]],
    egress: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(env, name, redis_labels(env, redis)),
        "spec": {
            "egress": egress,
            "ingress": [rule for rule in ingress if rule["from"]],
            "podSelector": {"matchLabels": pods},
            "policyTypes": ["Ingress", "Egress"],
        },
    }


def redis_policy(env: EnvPlan, redis: RedisPlan, scraped: bool) -> dict[str, Any]:
    """The Redis pods' traffic: clients, the operator, Sentinels and replicas in; replication and the
    Sentinels out (a master's preStop hook asks them to fail over); the exporter scraped."""
    own, sentinels = _pods(redis_pods(env, redis)), _pods(sentinel_pods(env, redis))
    ingress: list[dict[str, Any]] = [
        {"from": [*_clients(env, redis), _operator(redis), own, sentinels], "ports": tcp_ports(REDIS_PORT)}
    ]
    if scraped:
        ingress.append({"from": [scraper(env)], "ports": tcp_ports(REDIS_EXPORTER_PORT)})
    egress = [
        {"to": [own], "ports": tcp_ports(REDIS_PORT)},
        {"to": [sentinels], "ports": tcp_ports(REDIS_SENTINEL_PORT)},
    ]
    return _policy(env, redis.name, redis, redis_pods(env, redis), ingress, egress)


def sentinel_policy(env: EnvPlan, redis: RedisPlan) -> dict[str, Any]:
    """The Sentinels' traffic: clients asking for the master, the operator, each other and the Redis pods
    in; out to the Redis pods they watch and to each other."""
    own, watched = _pods(sentinel_pods(env, redis)), _pods(redis_pods(env, redis))
    ingress = [
        {
            "from": [*_clients(env, redis), _operator(redis), own, watched],
            "ports": tcp_ports(REDIS_SENTINEL_PORT),
        }
    ]
    egress = [
        {"to": [watched], "ports": tcp_ports(REDIS_PORT)},
        {"to": [own], "ports": tcp_ports(REDIS_SENTINEL_PORT)},
    ]
    return _policy(env, sentinel_name(redis.name), redis, sentinel_pods(env, redis), ingress, egress)
