"""Redis with Sentinel that the redis-operator runs: its RedisReplication's settings for one environment."""

from __future__ import annotations

from compiler.plan.model import RedisPlan
from compiler.spec.ports import quorum
from compiler.spec.resolved import Resolved


def plan_redis(resolved: Resolved, clients: tuple[str, ...]) -> RedisPlan:
    """A Redis component as its RedisReplication runs in one environment."""
    redis, component, layer = resolved.redis, resolved.component, resolved.layer
    assert redis is not None, "only a Redis component has a Redis plan"
    return RedisPlan(
        name=component.name,
        layer=layer.number,
        layer_name=layer.name,
        description=component.description or "",
        hot_path=resolved.hot_path,
        image=f"{redis.image}:{redis.tag}",
        sentinel_image=f"{redis.sentinel_image}:{redis.tag}",
        exporter_image=f"{redis.exporter_image}:{redis.exporter_tag}",
        replicas=redis.replicas,
        sentinels=redis.sentinels,
        # The embedded Sentinels monitor with quorum size/2+1, whatever spec.sentinel.quorum says.
        quorum=quorum(redis.sentinels),
        size=redis.storage.size,
        storage_class=redis.storage.storage_class,
        secret=redis.secret,
        key=redis.key,
        operator_namespace=redis.operator_namespace,
        down_after_milliseconds=redis.down_after_milliseconds,
        failover_timeout_milliseconds=redis.failover_timeout_milliseconds,
        sizing=resolved.sizing,
        clients=clients,
    )
