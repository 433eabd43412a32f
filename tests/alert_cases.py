"""promtool unit tests for every generated alert, built from the plan: one case fires, one does not.

The cases are derived from what each alert is meant to watch (the plan's bounds, targets and
objectives), not from the rule's expression, so a wrong expression fails its case."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from compiler.plan.model import EnvPlan, ObjectivePlan, ScrapeTarget, Workload
from compiler.render.alerts import (
    at_maximum_name,
    crash_loop_name,
    not_ready_name,
    objective_name,
    target_down_name,
)

Series = tuple[dict[str, str], str]
# Every objective and every target of the hot path is market data.
MARKET = {"clock": "market"}


@dataclass(frozen=True)
class Case:
    """Series for one alert (N in values: the sample count) and the alerts expected; none when quiet."""

    alert: str
    series: tuple[Series, ...]
    expected: tuple[dict[str, str], ...]
    wait_minutes: int


def minutes(duration: str) -> int:
    """A Prometheus duration of whole minutes or hours, in minutes."""
    value, unit = int(duration[:-1]), duration[-1]
    return value * {"s": 0, "m": 1, "h": 60}[unit] + (1 if unit == "s" else 0)


def selector(labels: dict[str, str]) -> str:
    """A series in promtool's notation."""
    name = labels["__name__"]
    rest = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}}"


def _fired(labels: dict[str, str], workload: str, layer: str, severity: str) -> dict[str, str]:
    """The labels of the alert that labels' series raises: its own, then the rule's."""
    kept = {k: v for k, v in labels.items() if k != "__name__"}
    return {**kept, "severity": severity, "component": workload, "layer": layer}


def _pair(
    alert: str,
    firing: list[Series],
    quiet: list[Series],
    fired: list[dict[str, str]],
    hold: str,
    extra: int = 0,
) -> Iterator[Case]:
    yield Case(alert, tuple(firing), tuple(fired), minutes(hold) + extra)
    yield Case(alert, tuple(quiet), (), minutes(hold) + extra)


def _severity(workload: Workload) -> str:
    return "critical" if workload.hot_path else "warning"


def _autoscaler(workload: Workload) -> Iterator[Case]:
    assert workload.scaling is not None
    top = workload.scaling.max_replicas
    metric = "kube_horizontalpodautoscaler_status_current_replicas"
    at = {"__name__": metric, "horizontalpodautoscaler": workload.name, "job": "kube-state-metrics"}
    other = {**at, "horizontalpodautoscaler": f"not-{workload.name}"}
    yield from _pair(
        at_maximum_name(workload.name),
        [(at, f"{top}xN")],
        # One replica short of the maximum, while another autoscaler sits far above it.
        [(at, f"{top - 1}xN"), (other, f"{top + 5}xN")],
        [_fired(at, workload.name, workload.layer_name, "warning")],
        "15m",
    )


def _pods(workload: Workload) -> Iterator[Case]:
    pod = {"container": workload.name, "pod": f"{workload.name}-0", "job": "kube-state-metrics"}
    ready = {"__name__": "kube_pod_container_status_ready", **pod}
    stranger = {**ready, "container": f"not-{workload.name}", "pod": "stranger-0"}
    severity = _severity(workload)
    yield from _pair(
        not_ready_name(workload.name),
        [(ready, "0xN")],
        [(ready, "1xN"), (stranger, "0xN")],
        [_fired(ready, workload.name, workload.layer_name, severity)],
        "10m",
    )
    waiting = {"__name__": "kube_pod_container_status_waiting_reason", **pod, "reason": "CrashLoopBackOff"}
    creating = {**waiting, "reason": "ContainerCreating"}
    yield from _pair(
        crash_loop_name(workload.name),
        [(waiting, "1xN")],
        [(waiting, "0xN"), (creating, "1xN")],
        [_fired(waiting, workload.name, workload.layer_name, severity)],
        "10m",
    )


def _target(target: ScrapeTarget, hot_path: bool) -> Iterator[Case]:
    up = {"__name__": "up", "job": target.job, "instance": f"10.0.0.1:{target.port}"}
    other = {**up, "job": f"not-{target.job}"}
    fired = _fired(up, target.workload, target.layer_name, "warning")
    yield from _pair(
        target_down_name(target.job),
        [(up, "0xN")],
        [(up, "1xN"), (other, "0xN")],
        # The hot path's targets are market data: they page only while the market trades.
        [{**fired, **MARKET} if hot_path else fired],
        "5m",
    )


def _objective(objective: ObjectivePlan) -> Iterator[Case]:
    name = objective_name(objective)
    own = {"component": objective.workload}
    if objective.kind == "latency":
        low, high = objective.seconds / 2, objective.seconds * 2
        bucket = f"{objective.metric}_bucket"
        buckets = [{"__name__": bucket, **own, "le": le} for le in (f"{low:g}", f"{high:g}", "+Inf")]
        # Every observation between the threshold and twice it, versus every one below half of it.
        slow = [(buckets[0], "0xN"), (buckets[1], "0+10xN"), (buckets[2], "0+10xN")]
        fast = [(b, "0+10xN") for b in buckets]
        yield from _pair(
            name,
            slow,
            fast,
            [{"severity": objective.severity, **own, "layer": objective.layer_name, **MARKET}],
            objective.hold,
        )
        return
    gauge = {"__name__": objective.metric, **own}
    yield from _pair(
        name,
        [(gauge, "0xN")],
        # The last tick's timestamp keeps up with the clock (one sample per minute).
        [(gauge, "0+60xN")],
        [{"severity": objective.severity, **own, "layer": objective.layer_name, **MARKET}],
        objective.hold,
        # The gauge must first grow older than the threshold before the alert is pending.
        int(objective.seconds // 60) + 1,
    )


def cases(env: EnvPlan) -> list[Case]:
    """A firing and a quiet case for every alert the plan generates."""
    found: list[Case] = []
    for workload in env.workloads:
        if workload.scaling is not None:
            found += _autoscaler(workload)
    for workload in env.workloads:
        found += _pods(workload)
    hot = {w.name for w in env.workloads if w.hot_path}
    for target in env.observability.targets:
        found += _target(target, target.workload in hot)
    for objective in env.observability.objectives:
        found += _objective(objective)
    return found


def test_file(
    rules_files: list[str], found: list[Case], annotations: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """A promtool test file: the firing cases in one test group, the quiet ones in another.

    Every series selects one alert's subject only, so the cases of different alerts can share a
    group; that keeps promtool from evaluating every rule once per case."""
    groups = [[c for c in found if c.expected], [c for c in found if not c.expected]]
    return {
        "rule_files": rules_files,
        "evaluation_interval": "1m",
        "tests": [_group(group, annotations) for group in groups if group],
    }


def _group(found: list[Case], annotations: dict[str, dict[str, str]]) -> dict[str, Any]:
    samples = str(max(c.wait_minutes for c in found) + 20)
    series: dict[str, str] = {}
    for case in found:
        for labels, values in case.series:
            name = selector(labels)
            if series.setdefault(name, values) != values:
                raise ValueError(f"two cases give {name} different values")
    return {
        "interval": "1m",
        "input_series": [{"series": name, "values": v.replace("N", samples)} for name, v in series.items()],
        "alert_rule_test": [
            {
                "eval_time": f"{case.wait_minutes + 10}m",
                "alertname": case.alert,
                "exp_alerts": [
                    {"exp_labels": labels, "exp_annotations": annotations[case.alert]}
                    for labels in case.expected
                ],
            }
            for case in found
        ],
    }
