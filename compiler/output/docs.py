"""out/README.md: layers and data flow, autoscaling, capacity and the market clock, per environment."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from compiler.kinds import POD_TEMPLATES, SCHEDULED, pod_template
from compiler.output.clock_docs import market_clock_section
from compiler.output.database_docs import database_section
from compiler.output.diagrams import data_flow, observability
from compiler.output.platform_docs import platform_section
from compiler.output.redis_docs import redis_section
from compiler.plan.model import EnvPlan, Plan
from compiler.render.durations import go_duration
from compiler.render.types import Manifest
from compiler.spec.quantities import cpu_millis, format_cpu, format_memory, memory_bytes

DOC_FILE = "README.md"
WORKLOAD_KINDS = tuple(POD_TEMPLATES)


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
    # In trading hours, with KEDA's pre-scaling floors held; None where nothing is pre-scaled.
    pods_market: int | None = None
    cpu_market: int | None = None
    memory_market: int | None = None


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
        *platform_section(plan),
        "",
        "## Layers and data flow",
        "",
        "Layers run top to bottom in their order. An arrow points from the component that opens a"
        " connection to the one it connects to; a line marked ▲ points up from a component to one in"
        " an earlier layer that it connects to (storage, mostly: Mermaid draws no arrowhead against"
        " the layout). Thick arrows and orange"
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
        "Autoscalers on CPU utilisation of the requests: a HorizontalPodAutoscaler, or, for a"
        " pre-scaled component where the cluster runs KEDA, a KEDA ScaledObject (KEDA makes and"
        " drives the HPA) that also holds the pre-scaling floor in trading hours; the workloads"
        " they scale set no replicas.",
        *(line for env in envs for line in _autoscaling_section(env)),
        *_jobs_section(plan),
        *database_section(plan),
        *redis_section(plan),
        "",
        "## Capacity",
        "",
        *_capacity_section(
            [(env.name, capacities[env.name]) for env in envs],
            any(w.job is not None for w in plan.base.workloads),
        ),
        *market_clock_section(plan),
    ]
    return "\n".join(sections) + "\n"


def _environment_table(plan: Plan) -> Iterator[str]:
    apps = {app.environment: app for app in plan.applications}
    yield "| environment | namespace | tag of own images | hosts | folder | Argo CD sync |"
    yield "| --- | --- | --- | --- | --- | --- |"
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
        routes = [w.route for w in env.workloads if w.route is not None]
        hosts = ", ".join(dict.fromkeys(f"{r.host}{r.path if r.path != '/' else ''}" for r in routes)) or "—"
        yield f"| {env.name} | {env.namespace} | {tags} | {hosts} | `{folder}` | {sync} |"


def _jobs_section(plan: Plan) -> Iterator[str]:
    """The scheduled jobs: their CronJobs' schedules, limits and alerts, and where they are suspended."""
    jobs = [w for w in plan.base.workloads if w.job is not None]
    if not jobs:
        return
    suspended = {
        w.name: [
            env.name
            for env in plan.environments
            for e in env.workloads
            if e.name == w.name and e.job and e.job.suspended
        ]
        for w in jobs
    }
    yield ""
    yield "## Scheduled jobs"
    yield ""
    yield (
        "Each is a CronJob (one more for each special session it follows on its own date): its pods run"
        " to completion, with no Service, probes or autoscaler. Cron has no year, so a job on the"
        " market's days runs on every trading weekday, holidays included, and a special session's"
        " date gets its run every year; a special session whose run would fall in the hours of a"
        " regular session gets none. It alerts when its latest run failed, and when it has not"
        " succeeded for longer than its longest wait between runs allows."
    )
    yield ""
    yield "| job | schedule (CronJob) | time zone | when | at most | overdue after | suspended in |"
    yield "| --- | --- | --- | --- | ---: | ---: | --- |"
    for workload in jobs:
        job = workload.job
        assert job is not None
        for index, run in enumerate(job.runs):
            name = f"**{workload.name}**" if index == 0 else f"{workload.name}{run.suffix}"
            first = index == 0
            limits = go_duration(job.deadline_seconds) if first else ""
            overdue = go_duration(job.overdue_seconds) if first else ""
            where = (", ".join(suspended[workload.name]) or "—") if first else ""
            cells = (name, f"`{run.schedule}`", job.timezone, run.reason, limits, overdue, where)
            yield f"| {' | '.join(cells)} |"


def _autoscaling_section(env: EnvPlan) -> Iterator[str]:
    yield ""
    yield f"### {env.name}"
    yield ""
    scaled = [(group, w) for group in env.groups for w in group.workloads if w.scaling]
    if not scaled:
        yield "No component autoscales."
        return
    yield "| service | layer | min pods | max pods | scale trigger | scaled by |"
    yield "| --- | --- | ---: | ---: | --- | --- |"
    for group, workload in scaled:
        assert workload.scaling is not None
        layer = f"{group.number} ({group.name})" if group.number else group.name
        scaling = workload.scaling
        floor = scaling.floor
        scaler = (
            "HorizontalPodAutoscaler"
            if floor is None
            else f"KEDA ScaledObject: at least {floor.replicas} pods from {floor.lead_minutes} min"
            " before the open to the close"
        )
        yield (
            f"| **{workload.name}** | {layer} | {scaling.min_replicas} | {scaling.max_replicas} "
            f"| CPU > {scaling.cpu_utilization}% | {scaler} |"
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
    floors: dict[tuple[str, str], int] = {}
    for scaled in (o for o in objects if o["kind"] == "ScaledObject"):
        target = (scaled["spec"]["scaleTargetRef"]["kind"], scaled["spec"]["scaleTargetRef"]["name"])
        bounds[target] = (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"])
        # A cron trigger holds its desiredReplicas from start to end: the pre-scaling floor.
        held = [
            int(trigger["metadata"]["desiredReplicas"])
            for trigger in scaled["spec"].get("triggers", [])
            if trigger.get("type") == "cron"
        ]
        if held:
            floors[target] = max(held)
    totals = [0, 0, 0, 0, 0, 0, 0]
    market = [0, 0, 0]
    for workload in (o for o in objects if o["kind"] in WORKLOAD_KINDS):
        fixed = workload["spec"].get("replicas", 1)
        target = (workload["kind"], workload["metadata"]["name"])
        low, high = (0, 1) if workload["kind"] in SCHEDULED else bounds.get(target, (fixed, fixed))
        template = pod_template(workload)
        assert template is not None
        cpu, memory = pod_requests(template["spec"])
        claims = sum(
            memory_bytes(str(claim["spec"]["resources"]["requests"]["storage"]))
            for claim in workload["spec"].get("volumeClaimTemplates", [])
        )
        values = (low, high, cpu * low, cpu * high, memory * low, memory * high, claims * fixed)
        for index, value in enumerate(values):
            totals[index] += value
        trading = min(max(low, floors.get(target, low)), high)
        for index, value in enumerate((trading, cpu * trading, memory * trading)):
            market[index] += value
    for cluster in (o for o in objects if o["kind"] == "Cluster"):
        # A CloudNativePG Cluster runs a pod and claims a volume per instance; it does not autoscale.
        spec = cluster["spec"]
        count = spec["instances"]
        cpu, memory = pod_requests({"containers": [{"resources": spec.get("resources", {})}]})
        claims = memory_bytes(str(spec["storage"]["size"])) * count
        values = (count, count, cpu * count, cpu * count, memory * count, memory * count, claims)
        for index, value in enumerate(values):
            totals[index] += value
        for index, value in enumerate((count, cpu * count, memory * count)):
            market[index] += value
    if not floors:
        return Capacity(*totals)
    return Capacity(*totals, *market)


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


def _capacity_section(rows: list[tuple[str, Capacity]], jobs: bool = False) -> Iterator[str]:
    """The capacity table; with columns for trading hours when some environment pre-scales."""
    counted = " A scheduled job counts one pod at maximum scale, none at the others." if jobs else ""
    trading = any(found.pods_market is not None for _, found in rows)
    if trading:
        yield (
            "CPU and memory requested by every pod of an environment, at minimum scale (autoscaling"
            " minimums, which hold outside trading hours), in trading hours where KEDA pre-scales"
            " (each pre-scaled component at least at its floor, from its lead before the open to the"
            " close of trading days; — where nothing is pre-scaled) and at maximum scale (autoscaling"
            " maximums); fixed replica counts count at all three; and the persistent volumes its"
            " StatefulSets claim." + counted
        )
    else:
        yield (
            "CPU and memory requested by every pod of an environment, at minimum scale (HPA minimums)"
            " and at maximum scale (HPA maximums); fixed replica counts count at both; and the"
            " persistent volumes its StatefulSets claim." + counted
        )
    yield ""
    middle = " | pods (trading) | CPU cores (trading) | memory (trading)" if trading else ""
    yield (
        f"| environment | pods (min) | CPU cores (min) | memory (min){middle}"
        " | pods (max) | CPU cores (max) | memory (max) | volumes |"
    )
    yield "| --- " + "| ---: " * (10 if trading else 7) + "|"
    for name, found in rows:
        yield _capacity_row(name, found, trading)


def _capacity_row(name: str, found: Capacity, trading: bool) -> str:
    market = (found.pods_market, found.cpu_market, found.memory_market)
    if not trading:
        held = ""
    elif market[0] is None or market[1] is None or market[2] is None:
        held = "| — | — | — "
    else:
        held = f"| {market[0]} | {format_cpu(market[1])} | {format_memory(market[2])} "
    return (
        f"| {name} | {found.pods_min} | {format_cpu(found.cpu_min)} | {format_memory(found.memory_min)} "
        f"{held}| {found.pods_max} | {format_cpu(found.cpu_max)} | {format_memory(found.memory_max)} "
        f"| {format_memory(found.volumes) if found.volumes else '—'} |"
    )
