"""The Redis part of out/README.md: its topology per environment, its RPO and RTO, and how it fails."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.plan.model import Plan, RedisPlan
from compiler.render.argocd_health import PATCH_FILE
from compiler.spec.names import (
    SENTINEL_SERVICE_SUFFIX,
    redis_password_file,
    redis_password_variable,
    redis_variables,
)


def redis_section(plan: Plan) -> Iterator[str]:
    """The section, when the system has Redis with Sentinel."""
    if not plan.base.redis:
        return
    yield ""
    yield "## Redis"
    yield ""
    yield (
        "Each Redis is a redis-operator RedisReplication with its embedded Sentinels: the operator runs"
        " the Redis pods (StatefulSet `<name>`: one master, the others replicas) and the Sentinels"
        " (StatefulSet `<name>-s`), no two Redis pods and no two Sentinels on one node. When a majority of"
        " the Sentinels (the quorum, which the operator always sets to a majority) finds the master"
        " silent for down-after-milliseconds, one of them promotes a replica. A client asks any Sentinel"
        f" (`<name>{SENTINEL_SERVICE_SUFFIX}`, port 26379) for master group `mymaster` and connects there"
        " with the password; it asks again when the connection drops."
    )
    for redis in plan.base.redis:
        names = [*redis_variables(redis.name, redis.sentinels), redis_password_variable(redis.name)]
        mounted = redis_password_file(redis.name, redis.key)
        yield ""
        yield (
            f"**{redis.name}** (image `{redis.image}`, Sentinels `{redis.sentinel_image}`, exporter"
            f" `{redis.exporter_image}`): clients {', '.join(redis.clients) or 'none'}; variables"
            f" {', '.join(f'`{name}`' for name in names)} (the path of the password, Secret"
            f" `{redis.secret}`'s key `{redis.key}` mounted at `{mounted}`)."
        )
    yield ""
    yield "| Redis | environment | Redis pods | Sentinels (quorum) | volume each | RPO | RTO |"
    yield "| --- | --- | ---: | ---: | --- | --- | --- |"
    for env in (plan.base, *plan.environments):
        for redis in env.redis:
            cells = (
                redis.name,
                env.name,
                str(redis.replicas),
                f"{redis.sentinels} ({redis.quorum})",
                redis.size + (f" ({redis.storage_class})" if redis.storage_class else ""),
                _rpo(redis),
                _rto(redis),
            )
            yield f"| {' | '.join(cells)} |"
    yield from _failures(plan)


def _rpo(redis: RedisPlan) -> str:
    """What a loss can take: replication is asynchronous, and the volume keeps an AOF synced each second."""
    if redis.replicas > 1:
        return (
            "a failover: the writes the master acknowledged and had not yet sent to the promoted replica"
            " (replication is asynchronous); a restart: the last second (AOF)"
        )
    return "a restart on its volume: the last second of writes (AOF); a lost volume: everything"


def _rto(redis: RedisPlan) -> str:
    """How long a lost master stops writes: Sentinel's timings as emitted, or the pod's restart."""
    down = redis.down_after_milliseconds / 1000
    timeout = redis.failover_timeout_milliseconds / 1000
    if redis.replicas > 1:
        return (
            f"{down:g} s before the Sentinels agree the master is down (down-after), then the election and"
            f" promotion, within {timeout:g} s (failover-timeout) for one attempt"
        )
    return "the pod's restart on its volume; a lost node: until the volume is attached elsewhere"


def _failures(plan: Plan) -> Iterator[str]:
    yield ""
    yield "How it fails:"
    yield ""
    yield (
        "- Fewer nodes than pods: the required anti-affinity leaves the extra Redis pods or Sentinels"
        " Pending, and after a lost node its pods wait for a node of their own. The operator"
        " reconfigures replication and the Sentinels only once both StatefulSets are ready, so until"
        " then it changes nothing: the Sentinels still fail over by themselves, but a replaced pod"
        " joins as a replica only when every pod runs again."
    )
    yield (
        "- The operator's open failover issues, reported against v0.19 to v0.21 with a separate"
        " RedisSentinel: a replication left with no master after a failover (OT-CONTAINER-KIT/redis-operator"
        " #1403), Sentinels that keep a lost master's or pod's old address (#1217, #1635), and no"
        " failover when the master's node stays down after a power loss (#1474). Test a failover"
        " (delete the master's pod, then drain its node) before trusting one."
    )
    if plan.applications:
        yield (
            "- Argo CD has no health check of its own for a RedisReplication, so it would call one"
            f" healthy as soon as it exists: `argocd/{PATCH_FILE}` adds one to `argocd-cm` (apply it"
            " where Argo CD runs). It reads what the operator last wrote: Progressing until the"
            " operator has reconciled both StatefulSets, Degraded when it found no master, else Healthy"
            " with the master's pod; while a StatefulSet is not ready the operator writes nothing, so a"
            " lost master may still show."
        )
    yield (
        "- Alerts: replicas not linked to the master, a replica promoted (a failover), fewer ready"
        " Sentinels than the quorum (no failover could happen), a pod's data past 80% and 90% of its"
        " memory limit (Redis sets no maxmemory here: at the limit the kernel kills it and a failover"
        " follows), and its append-only file past 40% of its volume. The Redis pods and Sentinels run as"
        " the images' user 1000 with a writable root file system: the images write their generated"
        " `redis.conf` and `sentinel.conf` under `/etc/redis` when they start."
    )
