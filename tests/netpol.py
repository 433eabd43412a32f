"""A NetworkPolicy evaluator for tests: which connections between a build's pods the policies admit."""

from __future__ import annotations

from typing import Any

from compiler.plan.model import EnvPlan
from compiler.render.network import COLLECTOR, OTLP_PORTS, SCRAPER, index_flows, scrape_ports
from compiler.spec.names import REDIS_SENTINEL_PORT, pooler_name, sentinel_name
from compiler.spec.ports import REDIS_PORT


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    """Whether labels carry every key and value of selector."""
    return all(labels.get(k) == v for k, v in selector.items())


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels only) selects labels."""
    return matches(selector.get("matchLabels", {}), labels) and not selector.get("matchExpressions")


def _peer_allows(peer: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a policy peer admits a pod of the system's own namespace with these labels."""
    if "ipBlock" in peer or "namespaceSelector" in peer:
        return False
    return selects(peer["podSelector"], labels)


def _rule_allows(rule: dict[str, Any], side: str, labels: dict[str, str], port: int) -> bool:
    ports = rule.get("ports")
    if ports is not None and not any(p["port"] == port and p.get("protocol", "TCP") == "TCP" for p in ports):
        return False
    peers = rule.get(side)
    return peers is None or any(_peer_allows(peer, labels) for peer in peers)


def _allowed(
    policies: list[dict[str, Any]], source: dict[str, str], target: dict[str, str], port: int
) -> bool:
    """NetworkPolicy semantics: the source's egress and the target's ingress must both admit it."""
    out = [p["spec"] for p in policies if selects(p["spec"]["podSelector"], source)]
    into = [p["spec"] for p in policies if selects(p["spec"]["podSelector"], target)]
    egress = any(_rule_allows(r, "to", target, port) for s in out for r in s.get("egress", []))
    ingress = any(_rule_allows(r, "from", source, port) for s in into for r in s.get("ingress", []))
    return egress and ingress


def expected_flows(env: EnvPlan) -> set[tuple[str, str, int]]:
    """Declared data flow, scraping and OTLP export: everything that must pass, nothing more."""
    redis = {r.name for r in env.redis}
    # A Redis's clients reach its Redis pods on 6379 and its Sentinels (<name>-s) on 26379.
    expected = {
        (
            w.name,
            sentinel_name(f.target) if f.target in redis and f.port == REDIS_SENTINEL_PORT else f.target,
            f.port,
        )
        for w in env.workloads
        for f in w.flows
    }
    # The replicas of a cluster talk to each other on its peer ports, and on nothing else.
    expected |= {(w.name, w.name, port) for w in env.workloads for port in w.peer_ports}
    for target in env.workloads:
        # Prometheus scrapes itself too.
        expected |= {(SCRAPER, target.name, port) for port in scrape_ports(env, target)}
        if target.name != COLLECTOR:
            expected |= {(target.name, COLLECTOR, port) for port in OTLP_PORTS}
    scraped = index_flows(env).scraped
    for database in env.databases:
        # Its instances replicate from each other; Prometheus scrapes them; they send no OTLP.
        expected.add((database.name, database.name, database.port))
        expected |= {(SCRAPER, database.name, port) for port in scraped.get(database.name, [])}
        if database.pooler is not None:
            pooler = pooler_name(database.name)
            expected.add((pooler, database.name, database.port))
            expected |= {(SCRAPER, pooler, port) for port in scraped.get(pooler, [])}
    for name in redis:
        # Replicas from the master, Sentinels to the Redis pods and each other, a master's preStop hook
        # to the Sentinels; Prometheus scrapes the Redis pods' exporter.
        sentinels = sentinel_name(name)
        expected |= {(name, name, REDIS_PORT), (sentinels, name, REDIS_PORT)}
        expected |= {(name, sentinels, REDIS_SENTINEL_PORT), (sentinels, sentinels, REDIS_SENTINEL_PORT)}
        expected |= {(SCRAPER, name, port) for port in scraped.get(name, [])}
    return expected


def allowed_flows(docs: list[dict[str, Any]], ports: set[int]) -> set[tuple[str, str, int]]:
    """(source, target, port) for every pair of workloads (one with itself too) the policies let connect.

    A CloudNativePG Cluster's instances carry the labels of its inheritedMetadata, a Pooler's pods those
    of its template; a RedisReplication's Redis pods and Sentinels (<name>-s) its labels and the
    redis-operator's own (app, redis_setup_type, role)."""
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    pods = {
        d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"]
        for d in docs
        if d["kind"] in ("Deployment", "StatefulSet")
    }
    pods |= {
        d["metadata"]["name"]: d["spec"]["inheritedMetadata"]["labels"]
        for d in docs
        if d["kind"] == "Cluster"
    }
    for redis in (d for d in docs if d["kind"] == "RedisReplication"):
        name, labels = redis["metadata"]["name"], redis["metadata"]["labels"]
        pods[name] = {"app": name, "redis_setup_type": "replication", "role": "replication", **labels}
        sentinels = sentinel_name(name)
        pods[sentinels] = {"app": sentinels, "redis_setup_type": "sentinel", "role": "sentinel", **labels}
    # A Pooler's PgBouncer pods, by the name their labels give them (the Pooler is named <it>-rw).
    for pooler in (d for d in docs if d["kind"] == "Pooler"):
        labels = pooler["spec"]["template"]["metadata"]["labels"]
        pods[labels["app.kubernetes.io/name"]] = labels
    return {
        (source, target, port)
        for source in pods
        for target in pods
        for port in ports
        if _allowed(policies, pods[source], pods[target], port)
    }


def plan_ports(env: EnvPlan) -> set[int]:
    """Every port any workload or database of env listens on."""
    ports = {port for w in env.workloads for port in (w.port, *(p.port for p in w.extra_ports))}
    scraped = index_flows(env).scraped
    ports |= {port for d in env.databases for port in (d.port, *scraped.get(d.name, []))}
    ports |= {port for d in env.databases for port in scraped.get(pooler_name(d.name), [])}
    return ports | {
        port for r in env.redis for port in (REDIS_PORT, REDIS_SENTINEL_PORT, *scraped.get(r.name, []))
    }
