"""The Mermaid pictures of out/README.md: the data flow through the layers, and how it is observed."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from compiler.plan.model import DatabasePlan, EnvPlan, External, LayerPlan, RedisPlan, Workload
from compiler.spec.names import pooler_name

# Colours that read on GitHub's light and dark themes alike.
CLASSES = (
    "    classDef hot fill:#ffe3cc,stroke:#d9480f,stroke-width:2px,color:#000",
    "    classDef endpoint fill:#f1f3f5,stroke:#495057,stroke-dasharray:4 3,color:#000",
)
# Tighter than Mermaid's defaults, so that the picture keeps its size in GitHub's column.
SPACING = '%%{init: {"flowchart": {"nodeSpacing": 30, "rankSpacing": 40}}}%%'
PROMETHEUS, COLLECTOR, KSM, GRAFANA, ALERTMANAGER = (
    "prometheus",
    "otel-collector",
    "kube-state-metrics",
    "grafana",
    "alertmanager",
)


def node(name: str) -> str:
    """A Mermaid node id: component names may hold hyphens, which Mermaid reads as edges."""
    return name.replace("-", "_")


def endpoint(workload: Workload, index: int, external: External) -> tuple[str, str]:
    """The node of one external block of a workload, and its definition (a flag: an endpoint)."""
    name = f"{node(workload.name)}_out_{index}"
    what = external.description or "outside the cluster"
    return name, f'{name}>"{what}<br/>{external.cidr} port {external_port(external)}"]:::endpoint'


def external_port(external: External) -> str:
    """An external connection's port, with its protocol where it is not TCP: `443`, `9300/UDP`."""
    return str(external.port) if external.protocol == "TCP" else f"{external.port}/{external.protocol}"


# The mark of a call to a component in an earlier layer, drawn above the caller.
UP = "▲"


def data_flow(env: EnvPlan) -> list[str]:
    """The layers top to bottom in their order, an edge per declared connection.

    Dagre ranks every edge downwards, so an edge to an earlier layer (a component writing to
    storage above it) is written from the earlier side as a line marked with an upward arrow (Mermaid
    draws no arrowhead against an edge's direction, issue 6402 of mermaid-js); invisible
    links hold each layer under the one before. Each external block is an endpoint node in its
    component's layer, reached from that component only.
    """
    layers = [group for group in env.layers if group.workloads or group.databases or group.redis]
    place = {w.name: index for index, group in enumerate(layers) for w in group.workloads}
    place.update({d.name: index for index, group in enumerate(layers) for d in group.databases})
    place.update({r.name: index for index, group in enumerate(layers) for r in group.redis})
    place.update(
        {
            pooler_name(d.name): index
            for index, group in enumerate(layers)
            for d in group.databases
            if d.pooler
        }
    )
    hot = {w.name for group in layers for w in group.workloads if w.hot_path}
    lines = [SPACING, "flowchart TB", *CLASSES]
    edges: list[str] = []
    for group in layers:
        title = f"Layer {group.number}: {group.name}" + (" · hot path" if group.hot_path else "")
        lines.append(f'    subgraph {node(group.file.removesuffix(".yaml"))}["{title}"]')
        for workload in group.workloads:
            marker = ":::hot" if workload.name in hot else ""
            lines.append(f'        {node(workload.name)}["{_label(workload)}"]{marker}')
            for index, external in enumerate(workload.external, start=1):
                name, definition = endpoint(workload, index, external)
                lines.append(f"        {definition}")
                edges.append(f'    {node(workload.name)} -->|"{external_port(external)}"| {name}')
        for database in group.databases:
            lines.append(f'        {node(database.name)}[("{database_label(database)}")]')
            if database.pooler is not None:
                pods = f"{database.pooler.instances} pod{'s' if database.pooler.instances > 1 else ''}"
                pooler = pooler_name(database.name)
                lines.append(f'        {node(pooler)}["{pooler}-rw<br/>{pods} · PgBouncer"]')
                edges.append(f"    {node(pooler)} --> {node(database.name)}")
        for redis in group.redis:
            lines.append(f'        {node(redis.name)}[("{redis_label(redis)}")]')
        lines.append("    end")
    routed = [w for w in env.workloads if w.route is not None and w.name in place]
    if routed:
        lines.append('    ingress(["Ingress controller"])')
    for workload in routed:
        assert workload.route is not None
        edges.append(f'    ingress -->|"{workload.route.host}{workload.route.path}"| {node(workload.name)}')
    for workload in (w for group in layers for w in group.workloads):
        # One edge per component talked to, whichever of its ports.
        for called in dict.fromkeys(f.target for f in workload.flows if f.target in place):
            source, target = node(workload.name), node(called)
            if place[called] < place[workload.name]:
                # Mermaid has no arrowhead against the edge's direction; the label points up instead.
                edges.append(f'    {target} ---|"{UP}"| {source}')
            else:
                arrow = "==>" if workload.name in hot and called in hot else "-->"
                edges.append(f"    {source} {arrow} {target}")
    edges.extend(_stacking(layers))
    return lines + edges


def _stacking(layers: list[LayerPlan]) -> Iterator[str]:
    """Invisible links from the last boxes of each layer to the first boxes of the next."""
    for upper, lower in pairwise(layers):
        inside = {w.name for w in upper.workloads}
        leaves = [node(w.name) for w in upper.workloads if not any(f.target in inside for f in w.flows)]
        leaves += [f"{node(w.name)}_out_{i}" for w in upper.workloads for i in range(1, len(w.external) + 1)]
        leaves += [node(d.name) for d in upper.databases]
        leaves += [node(r.name) for r in upper.redis]
        inside = {w.name for w in lower.workloads} | {d.name for d in lower.databases}
        inside |= {r.name for r in lower.redis}
        called = {f.target for w in lower.workloads for f in w.flows if f.target in inside}
        roots = [node(w.name) for w in lower.workloads if w.name not in called]
        roots += [node(d.name) for d in lower.databases if d.name not in called]
        roots += [node(pooler_name(d.name)) for d in lower.databases if d.pooler]
        roots += [node(r.name) for r in lower.redis if r.name not in called]
        if leaves and roots:
            # One line links every leaf to every root (`&`): a line per pair grows with the square
            # of a layer's size.
            yield f"    {' & '.join(leaves)} ~~~ {' & '.join(roots)}"


def database_label(database: DatabasePlan) -> str:
    """A database's box: its instances and how many of them confirm each commit."""
    count = f"{database.instances} instance{'s' if database.instances > 1 else ''}"
    sync = f" · {database.synchronous} sync" if database.synchronous else ""
    return f"{database.name}<br/>{count}{sync} · CloudNativePG"


def redis_label(redis: RedisPlan) -> str:
    """A Redis's box: its Redis pods and its Sentinels."""
    pods = f"{redis.replicas} Redis pod{'s' if redis.replicas > 1 else ''}"
    sentinels = f"{redis.sentinels} Sentinel{'s' if redis.sentinels > 1 else ''}"
    return f"{redis.name}<br/>{pods} · {sentinels} · redis-operator"


def _label(workload: Workload) -> str:
    if workload.job is not None:
        schedule = workload.job.runs[0].schedule
        return f"{workload.name}<br/>CronJob · {schedule}{' · suspended' if workload.job.suspended else ''}"
    if workload.scaling:
        pods = f"{workload.scaling.min_replicas}-{workload.scaling.max_replicas} pods"
    else:
        count = workload.replicas or 1
        pods = f"{count} pod{'s' if count > 1 else ''}"
    kind = " · StatefulSet" if workload.kind == "StatefulSet" else ""
    return f"{workload.name}<br/>{pods}{kind}"


def observability(env: EnvPlan) -> list[str]:
    """Who is scraped, who sends telemetry, where alerts go; arrows follow the data."""
    stack = {w.name: w for w in env.stack.workloads}
    components = [
        name
        for group in env.layers
        for name in (
            *(w.name for w in group.workloads),
            *(d.name for d in group.databases),
            *(r.name for r in group.redis),
        )
    ]
    scraped = {t.workload for t in env.observability.targets}
    lines = [SPACING, "flowchart TB", *CLASSES]
    watched = [name for name in components if name in scraped]
    silent = [name for name in components if name not in scraped]
    edges: list[str] = []
    lines.append(f'    every["every component ({len(components)})"]')
    if watched:
        lines.append(f'    scraped["{_names("serve /metrics", watched)}"]')
        edges.append(f'    scraped -.->|"scraped"| {node(PROMETHEUS)}')
    if silent:
        lines.append(f'    silent["{_names("no metrics endpoint", silent)}"]')
    lines.append('    subgraph stack["Observability stack"]')
    lines.extend(f'        {node(w.name)}["{w.name}"]' for w in env.stack.workloads)
    lines.append("    end")
    if COLLECTOR in stack:
        edges.append(f'    every -->|"OTLP"| {node(COLLECTOR)}')
        edges.append(f'    {node(COLLECTOR)} -.->|"scraped"| {node(PROMETHEUS)}')
        if env.observability.traces:
            lines.append(f'    traces>"traces backend<br/>{env.observability.traces.endpoint}"]:::endpoint')
            edges.append(f'    {node(COLLECTOR)} -->|"traces"| traces')
    if KSM in stack:
        if silent:
            edges.append(f'    silent -.->|"pod state"| {node(KSM)}')
        edges.append(f'    {node(KSM)} -.->|"scraped"| {node(PROMETHEUS)}')
    for workload in env.stack.workloads:
        for flow in workload.flows:
            if workload.name == GRAFANA:
                edges.append(f'    {node(flow.target)} -->|"queried"| {node(workload.name)}')
                continue
            verb = "alerts" if workload.name == PROMETHEUS else "webhook"
            edges.append(f'    {node(workload.name)} -->|"{verb}"| {node(flow.target)}')
            if flow.target not in stack:
                lines.append(f'    {node(flow.target)}["{flow.target}"]')
        for index, external in enumerate(workload.external, start=1):
            name, definition = endpoint(workload, index, external)
            lines.append(f"    {definition}")
            edges.append(f'    {node(workload.name)} -->|"{external_port(external)}"| {name}')
    return lines + edges


def _names(title: str, names: list[str]) -> str:
    """A title over names, two to a line, so that the box stays narrow."""
    rows = [", ".join(names[i : i + 2]) for i in range(0, len(names), 2)]
    return "<br/>".join([f"<b>{title}</b>", *rows])
