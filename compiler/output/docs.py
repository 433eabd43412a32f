"""out/README.md: layers and data flow, autoscaling, capacity and the market clock, per environment."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from compiler.output.clock_docs import market_clock_section
from compiler.output.diagrams import data_flow, observability
from compiler.plan.model import EnvPlan, Plan
from compiler.render.types import Manifest
from compiler.spec.quantities import cpu_millis, format_cpu, format_memory, memory_bytes

DOC_FILE = "README.md"
WORKLOAD_KINDS = ("Deployment", "StatefulSet")


@dataclass(frozen=True)
class Capacity:
    """Pods and the CPU (millicores) and memory (bytes) they request, at minimum and maximum scale."""

    pods_min: int
    pods_max: int
    cpu_min: int
    cpu_max: int
    memory_min: int
    memory_max: int
    # Persistent volumes (bytes): StatefulSets do not autoscale, so one figure.
    volumes: int = 0


def document(plan: Plan, header: str, capacities: Mapping[str, Capacity]) -> str:
    """The whole out/README.md, from the plan and each environment's capacity."""
    envs = (plan.base, *plan.environments)
    sections = [
        f"<!-- {header} -->",
        f"# {plan.base.system}",
        "",
        f"Compiled by nifty from `{plan.source}`; `nifty render ENV` prints any environment in full "
        "and `nifty diff` tells what a change of the spec does to each one.",
        "",
        "## Environments",
        "",
        *_environment_table(plan),
        "",
        "## Layers and data flow",
        "",
        "Layers run top to bottom in their order. An arrow points from the component that opens a"
        " connection to the one it connects to; a line without an arrowhead joins a component to"
        " one in an earlier layer that it connects to (storage, mostly). Thick arrows and orange"
        " boxes are the hot path; each dashed flag is an address block outside the cluster that"
        " only the component drawn next to it may reach. Pod counts are the base's.",
        "",
        "```mermaid",
        *data_flow(plan.base),
        "```",
        "",
        "## Observability",
        "",
        "Arrows follow the data: Prometheus scrapes the components that serve metrics and the"
        " stack itself; every component sends OTLP to the collector; kube-state-metrics reports"
        " the pods of the rest; alerts go through Alertmanager to its receivers.",
        "",
        "```mermaid",
        *observability(plan.base),
        "```",
        "",
        "## Autoscaling",
        "",
        "HorizontalPodAutoscalers on CPU utilisation of the requests;"
        " the workloads they scale set no replicas.",
        *(line for env in envs for line in _autoscaling_section(env)),
        "",
        "## Capacity",
        "",
        "CPU and memory requested by every pod of an environment, at minimum scale (HPA minimums)"
        " and at maximum scale (HPA maximums); fixed replica counts count at both; and the"
        " persistent volumes its StatefulSets claim.",
        "",
        "| environment | pods (min) | CPU cores (min) | memory (min)"
        " | pods (max) | CPU cores (max) | memory (max) | volumes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(_capacity_row(env.name, capacities[env.name]) for env in envs),
        *market_clock_section(plan),
    ]
    return "\n".join(sections) + "\n"


def _environment_table(plan: Plan) -> Iterator[str]:
    apps = {app.environment: app for app in plan.applications}
    yield "| environment | namespace | tag of own images | folder | Argo CD sync |"
    yield "| --- | --- | --- | --- | --- |"
    for env in (plan.base, *plan.environments):
        tags = ", ".join(sorted({w.tag for w in env.workloads if w.own_image})) or "—"
        folder = "out/base" if env is plan.base else f"out/overlays/{env.name}"
        app = apps.get(env.name)
        if app is None:
            sync = "—"
        elif app.automated:
            extras = [word for word, on in (("prune", app.prune), ("self-heal", app.self_heal)) if on]
            sync = "automated" + (f" ({', '.join(extras)})" if extras else "")
        else:
            sync = "manual"
        yield f"| {env.name} | {env.namespace} | {tags} | `{folder}` | {sync} |"


def _autoscaling_section(env: EnvPlan) -> Iterator[str]:
    yield ""
    yield f"### {env.name}"
    yield ""
    scaled = [(group, w) for group in env.groups for w in group.workloads if w.scaling]
    if not scaled:
        yield "No component autoscales."
        return
    yield "| service | layer | min pods | max pods | scale trigger |"
    yield "| --- | --- | ---: | ---: | --- |"
    for group, workload in scaled:
        assert workload.scaling is not None
        layer = f"{group.number} ({group.name})" if group.number else group.name
        scaling = workload.scaling
        yield (
            f"| **{workload.name}** | {layer} | {scaling.min_replicas} | {scaling.max_replicas} "
            f"| CPU > {scaling.cpu_utilization}% |"
        )


def capacity(objects: Iterable[Manifest]) -> Capacity:
    """What the workloads of one build request, with bounds taken from its HPAs and ScaledObjects."""
    objects = list(objects)
    bounds = {
        (h["spec"]["scaleTargetRef"]["kind"], h["spec"]["scaleTargetRef"]["name"]): (
            h["spec"].get("minReplicas", 1),
            h["spec"]["maxReplicas"],
        )
        for h in objects
        if h["kind"] == "HorizontalPodAutoscaler"
    }
    bounds.update(
        {
            (s["spec"]["scaleTargetRef"]["kind"], s["spec"]["scaleTargetRef"]["name"]): (
                s["spec"]["minReplicaCount"],
                s["spec"]["maxReplicaCount"],
            )
            for s in objects
            if s["kind"] == "ScaledObject"
        }
    )
    totals = [0, 0, 0, 0, 0, 0, 0]
    for workload in (o for o in objects if o["kind"] in WORKLOAD_KINDS):
        fixed = workload["spec"].get("replicas", 1)
        low, high = bounds.get((workload["kind"], workload["metadata"]["name"]), (fixed, fixed))
        cpu, memory = pod_requests(workload["spec"]["template"]["spec"])
        claims = sum(
            memory_bytes(str(claim["spec"]["resources"]["requests"]["storage"]))
            for claim in workload["spec"].get("volumeClaimTemplates", [])
        )
        values = (low, high, cpu * low, cpu * high, memory * low, memory * high, claims * fixed)
        for index, value in enumerate(values):
            totals[index] += value
    return Capacity(*totals)


def pod_requests(pod: Manifest) -> tuple[int, int]:
    """A pod's effective CPU (millicores) and memory (bytes) requests, init containers included."""

    def requested(container: Manifest) -> tuple[int, int]:
        requests = container.get("resources", {}).get("requests", {})
        return cpu_millis(str(requests.get("cpu", "0"))), memory_bytes(str(requests.get("memory", "0Ki")))

    running = [requested(c) for c in pod.get("containers", [])]
    starting = [requested(c) for c in pod.get("initContainers", [])]
    # The scheduler reserves the larger of the running containers' sum and the largest init container.
    cpu = max([sum(c for c, _ in running), *(c for c, _ in starting)])
    memory = max([sum(m for _, m in running), *(m for _, m in starting)])
    return cpu, memory


def _capacity_row(name: str, found: Capacity) -> str:
    return (
        f"| {name} | {found.pods_min} | {format_cpu(found.cpu_min)} | {format_memory(found.memory_min)} "
        f"| {found.pods_max} | {format_cpu(found.cpu_max)} | {format_memory(found.memory_max)} "
        f"| {format_memory(found.volumes) if found.volumes else '—'} |"
    )
