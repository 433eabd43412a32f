"""NetworkPolicies: deny by default, then allow exactly the declared data flow, DNS, scraping and OTLP."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from compiler.plan.model import EnvPlan, Workload
from compiler.plan.stack import OTLP_GRPC_PORT, OTLP_HTTP_PORT
from compiler.render.labels import metadata, selector, system_labels, workload_labels
from compiler.render.platform import PLATFORM_FILE
from compiler.render.types import Placed
from compiler.spec.names import pooler_name

SCRAPER = "prometheus"
COLLECTOR = "otel-collector"
OTLP_PORTS = (OTLP_GRPC_PORT, OTLP_HTTP_PORT)
DNS_PORT = 53
# The API server is not a pod that a selector can name; its Service answers on 443, its hosts on 6443.
API_SERVER_PORTS = (443, 6443)
NAMESPACE_LABEL = "kubernetes.io/metadata.name"
BOTH = ["Ingress", "Egress"]


@dataclass(frozen=True)
class Flows:
    """Who connects to each workload, and on which ports Prometheus scrapes it; indexed once per render."""

    clients: dict[str, dict[int, list[str]]]
    scraped: dict[str, list[int]]


def index_flows(env: EnvPlan) -> Flows:
    """The flows of env by target workload, so that each policy is built without scanning them all."""
    clients: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for client in env.workloads:
        for flow in client.flows:
            clients[flow.target][flow.port].append(client.name)
    scraped: dict[str, list[int]] = defaultdict(list)
    for target in env.observability.targets:
        scraped[target.workload].append(target.port)
    return Flows(clients, scraped)


def render(env: EnvPlan) -> Iterator[Placed]:
    """Default deny and DNS for the namespace, then one allow policy per workload next to it."""
    yield Placed(PLATFORM_FILE, _policy(env, "default-deny", system_labels(env), {}, [], []))
    yield Placed(PLATFORM_FILE, _allow_dns(env))
    flows = index_flows(env)
    for file, workload in env.placements():
        yield Placed(file, allow_policy(env, workload, flows))


def _policy(
    env: EnvPlan,
    name: str,
    labels: dict[str, str],
    pods: dict[str, Any],
    ingress: list[dict[str, Any]],
    egress: list[dict[str, Any]],
) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": pods, "policyTypes": BOTH}
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(env, name, labels),
        "spec": spec,
    }


def _allow_dns(env: EnvPlan) -> dict[str, Any]:
    """Every pod may resolve names through the cluster DNS."""
    dns = {
        "namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: "kube-system"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
    }
    ports = [{"protocol": protocol, "port": DNS_PORT} for protocol in ("UDP", "TCP")]
    return _policy(env, "allow-dns", system_labels(env), {}, [], [{"to": [dns], "ports": ports}])


def _ports(ports: list[int] | tuple[int, ...]) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": port} for port in sorted(set(ports))]


def pods_of(env: EnvPlan, name: str) -> dict[str, Any]:
    """A NetworkPolicy peer: the pods of one workload (or one operator-run store) of the system."""
    return {"podSelector": {"matchLabels": selector(env, name)}}


def in_namespace(name: str) -> dict[str, Any]:
    """A NetworkPolicy peer: every pod of a namespace."""
    return {"namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: name}}}


def scraper(env: EnvPlan) -> dict[str, Any]:
    """Who scrapes metrics: the tree's Prometheus, or the namespace of the cluster's Prometheus Operator."""
    operator = env.prometheus_operator
    return pods_of(env, SCRAPER) if operator is None else in_namespace(operator.namespace)


def webhooks(env: EnvPlan) -> list[tuple[str, int]]:
    """The component and port of each webhook receiver of the alerts."""
    alerting = env.observability.alerting
    if alerting is None:
        return []
    return [(r.webhook.component, r.webhook.port) for r in alerting.receivers if r.webhook is not None]


def scrape_ports(env: EnvPlan, workload: Workload) -> list[int]:
    """The ports Prometheus scrapes on a workload: those of its scrape jobs (none if not scraped)."""
    return index_flows(env).scraped.get(workload.name, [])


def _traces_backend(env: EnvPlan) -> list[dict[str, Any]]:
    """The collector's egress to the traces backend: its namespace when it names a Service, else anywhere."""
    traces = env.observability.traces
    if traces is None:
        return []
    host, _, port = traces.endpoint.rpartition(":")
    parts = host.split(".")
    rule: dict[str, Any] = {"ports": _ports([int(port)])}
    if len(parts) >= 3 and parts[2] == "svc":
        rule["to"] = [{"namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: parts[1]}}}]
    return [rule]


def allow_policy(env: EnvPlan, workload: Workload, flows: Flows) -> dict[str, Any]:
    """The traffic one workload's pods may receive and send, derived from the plan."""
    return _policy(
        env,
        workload.name,
        workload_labels(env, workload),
        {"matchLabels": selector(env, workload.name)},
        _ingress(env, workload, flows),
        _egress(env, workload, flows),
    )


def _ingress(env: EnvPlan, workload: Workload, flows: Flows) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for port, clients in sorted(flows.clients.get(workload.name, {}).items()):
        rules.append({"from": [pods_of(env, c) for c in sorted(clients)], "ports": _ports([port])})
    if workload.clustered:
        rules.append({"from": [pods_of(env, workload.name)], "ports": _ports(workload.peer_ports)})
    scraped = flows.scraped.get(workload.name)
    operator = env.prometheus_operator
    if scraped:
        rules.append({"from": [scraper(env)], "ports": _ports(scraped)})
    if operator is not None:
        # The cluster's Alertmanager posts to the webhook receivers that the tree's own would.
        hooks = [port for component, port in webhooks(env) if component == workload.name]
        if hooks:
            rules.append({"from": [in_namespace(operator.namespace)], "ports": _ports(hooks)})
    if workload.name == COLLECTOR:
        everyone = {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": env.system}}}
        rules.append({"from": [everyone], "ports": _ports(OTLP_PORTS)})
    if workload.route is not None:
        controller = {"matchLabels": {NAMESPACE_LABEL: workload.route.controller_namespace}}
        rules.append({"from": [{"namespaceSelector": controller}], "ports": _ports([workload.port])})
    return rules


def _egress(env: EnvPlan, workload: Workload, flows: Flows) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {"to": [pods_of(env, flow.target)], "ports": _ports([flow.port])} for flow in workload.flows
    ]
    if workload.clustered:
        rules.append({"to": [pods_of(env, workload.name)], "ports": _ports(workload.peer_ports)})
    if workload.name != COLLECTOR:
        rules.append({"to": [pods_of(env, COLLECTOR)], "ports": _ports(OTLP_PORTS)})
    if workload.name == SCRAPER:
        rules += [
            {"to": [pods_of(env, target.name)], "ports": _ports(flows.scraped[target.name])}
            for target in env.workloads
            if flows.scraped.get(target.name)
        ]
        # The pods an operator runs: each database's instances and PgBouncer pods.
        operated = [
            name
            for database in env.databases
            for name in (database.name, *((pooler_name(database.name),) if database.pooler else ()))
        ]
        rules += [
            {"to": [pods_of(env, name)], "ports": _ports(flows.scraped[name])}
            for name in operated
            if flows.scraped.get(name)
        ]
        rules += [
            {"to": [pods_of(env, redis.name)], "ports": _ports(flows.scraped[redis.name])}
            for redis in env.redis
            if flows.scraped.get(redis.name)
        ]
    if workload.name == COLLECTOR:
        rules += _traces_backend(env)
    if workload.uses_api:
        rules.append({"ports": _ports(API_SERVER_PORTS)})
    rules += [
        {
            "to": [{"ipBlock": {"cidr": external.cidr}}],
            "ports": [{"protocol": external.protocol, "port": external.port}],
        }
        for external in workload.external
    ]
    return rules
