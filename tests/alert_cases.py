"""promtool unit tests for every generated alert, built from the plan: one case fires, one does not.

The cases are derived from what each alert is meant to watch (the plan's bounds, targets and
objectives), not from the rule's expression, so a wrong expression fails its case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from compiler.plan.market import Calendar
from compiler.plan.model import DatabasePlan, EnvPlan, ObjectivePlan, RedisPlan, ScrapeTarget, Workload
from compiler.render.alerts import (
    CALENDAR_ALERT,
    CALENDAR_ALERT_DAYS,
    CALENDAR_COMPONENT,
    CALENDAR_LAYER,
    at_maximum_name,
    backup_overdue_name,
    crash_loop_name,
    failover_name,
    job_failed_name,
    job_overdue_name,
    not_ready_name,
    objective_name,
    redis_failover_name,
    redis_memory_filling_name,
    redis_memory_full_name,
    redis_replication_name,
    redis_volume_filling_name,
    replication_lag_name,
    sentinel_quorum_name,
    storage_filling_name,
    storage_full_name,
    target_down_name,
)
from compiler.spec.quantities import memory_bytes

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
    # Minutes after the Unix epoch where the case starts: in a session, for alerts gated on one.
    offset: int = 0


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


def _job_failed(workload: Workload) -> Iterator[Case]:
    """A run that failed after the last success fires; one that a later success followed does not.

    Each case has a namespace of its own, so that its series do not meet another case's."""
    job = workload.job
    assert job is not None
    fired = {"severity": job.severity, "component": workload.name, "layer": workload.layer_name}
    cronjob = workload.name + job.runs[-1].suffix
    name = job_failed_name(workload.name)

    def run(namespace: str, started: int, failed: bool, owner: str = cronjob) -> list[Series]:
        job_name = f"{owner}-{started}"
        labels = {"namespace": namespace, "job_name": job_name, "job": "kube-state-metrics"}
        owned = {"__name__": "kube_job_owner", **labels, "owner_kind": "CronJob", "owner_name": owner}
        return [
            (owned, "1xN"),
            ({"__name__": "kube_job_status_start_time", **labels}, f"{started}xN"),
            # kube-state-metrics gives each condition a series: 1 for the one that holds.
            ({"__name__": "kube_job_failed", **labels, "condition": "true"}, f"{int(failed)}xN"),
            ({"__name__": "kube_job_failed", **labels, "condition": "false"}, f"{int(not failed)}xN"),
        ]

    def success(namespace: str, at: int, owner: str = cronjob) -> Series:
        labels = {"namespace": namespace, "cronjob": owner, "job": "kube-state-metrics"}
        return ({"__name__": "kube_cronjob_status_last_successful_time", **labels}, f"{at}xN")

    firing = [*run(f"{name}-a", 2000, True), success(f"{name}-a", 1000)]
    # A failure and never a success.
    firing += run(f"{name}-b", 2000, True)
    quiet = [*run(f"{name}-a", 1000, True), success(f"{name}-a", 2000)]
    # A run that succeeded; and a failed run of another CronJob of the namespace.
    quiet += [*run(f"{name}-b", 2000, False), *run(f"{name}-b", 3000, True, f"not-{workload.name}")]
    yield from _pair(
        name,
        firing,
        quiet,
        [
            {"namespace": f"{name}-a", "owner_name": cronjob, **fired},
            {"namespace": f"{name}-b", "owner_name": cronjob, **fired},
        ],
        "1m",
    )


def _job_overdue(workload: Workload) -> Iterator[Case]:
    """A last success (or creation, with none) older than allowed fires; a minute younger does not."""
    job = workload.job
    assert job is not None
    name = job_overdue_name(workload.name)
    fired = {"severity": job.severity, "component": workload.name, "layer": workload.layer_name}
    hold = 5
    # Checked at wait + 10 minutes after the epoch (see _eval_minute): the age then is what counts.
    checked = (hold + 10) * 60
    limit = job.overdue_seconds

    def cronjob(namespace: str, metric: str, age: int, suspended: bool = False) -> list[Series]:
        labels = {"namespace": namespace, "cronjob": workload.name, "job": "kube-state-metrics"}
        found = [({"__name__": metric, **labels}, f"{checked - age}xN")]
        if metric == "kube_cronjob_created":
            found.append(({"__name__": "kube_cronjob_created", **labels, "cronjob": "other"}, "0xN"))
        found.append(({"__name__": "kube_cronjob_spec_suspend", **labels}, f"{int(suspended)}xN"))
        return found

    success, created = "kube_cronjob_status_last_successful_time", "kube_cronjob_created"
    # Old enough a whole hold before it is checked, so that it has been pending that long.
    firing = cronjob(f"{name}-a", success, limit + 60 * (hold + 1))
    firing += cronjob(f"{name}-b", created, limit + 60 * (hold + 1))
    quiet = cronjob(f"{name}-a", success, limit - 60)
    quiet += cronjob(f"{name}-b", created, limit - 60)
    # Too old, but suspended in the cluster: nobody expects it to run.
    quiet += cronjob(f"{name}-c", success, limit + 60 * (hold + 1), suspended=True)
    yield from _pair(
        name,
        firing,
        quiet,
        [
            {"namespace": f"{name}-a", "cronjob": workload.name, **fired},
            {"namespace": f"{name}-b", "cronjob": workload.name, **fired},
        ],
        f"{hold}m",
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


def _database(database: DatabasePlan) -> Iterator[Case]:
    """A standby 60s behind fires, one 10s behind does not; a role that changed fires, one kept does not."""
    instance = {"job": database.name, "pod": f"{database.name}-2"}
    lag = {"__name__": "cnpg_pg_replication_lag", **instance}
    other = {**lag, "job": f"not-{database.name}"}
    yield from _pair(
        replication_lag_name(database.name),
        [(lag, "60xN")],
        [({**lag, "pod": f"{database.name}-3"}, "10xN"), (other, "60xN")],
        [_fired(lag, database.name, database.layer_name, "warning")],
        "5m",
    )
    # The first standby is promoted five minutes in: in recovery (1), then not (0).
    role = {"__name__": "cnpg_pg_replication_in_recovery", **instance}
    yield from _pair(
        failover_name(database.name),
        [(role, "1x5 0xN")],
        [
            ({**role, "pod": f"{database.name}-3"}, "1xN"),
            ({**role, "job": f"not-{database.name}"}, "1x5 0xN"),
        ],
        [_fired(role, database.name, database.layer_name, "warning")],
        "1m",
    )
    yield from _storage(database)
    if database.backup is None:
        return
    # The value is the Unix time of the last backup: long before the epoch fires, at the epoch does not.
    last = {"__name__": "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp", **instance}
    overdue = database.backup.overdue_seconds
    yield from _pair(
        backup_overdue_name(database.name),
        [(last, f"-{overdue}xN")],
        [
            ({**last, "pod": f"{database.name}-3"}, "0xN"),
            ({**last, "job": f"not-{database.name}"}, f"-{overdue}xN"),
        ],
        [_fired({}, database.name, database.layer_name, "warning")],
        "5m",
    )


def _two_shares(
    alerts: tuple[str, str],
    holds: tuple[str, str],
    shares: tuple[float, float],
    series: Callable[[str, float], list[Series]],
    fired: Callable[[str, str], dict[str, str]],
) -> Iterator[Case]:
    """A warning and a page past two shares of one measure, each instance a hundredth off a share.

    Past the page's share is past the warning's too, so the firing cases share their instances: just
    over the warning's, just under the page's and just over it; the warning fires for all three, the
    page for the last alone. The quiet cases have one just under the warning's share."""
    (warning, page), (low, high) = alerts, shares
    instances = {"10.0.9.1:9000": low + 0.01, "10.0.9.2:9000": high - 0.01, "10.0.9.3:9000": high + 0.01}
    found = [line for instance, fraction in instances.items() for line in series(instance, fraction)]
    quiet = series("10.0.9.4:9000", low - 0.01)
    yield Case(warning, tuple(found), tuple(fired(i, "warning") for i in instances), minutes(holds[0]))
    yield Case(page, tuple(found), (fired("10.0.9.3:9000", "critical"),), minutes(holds[1]))
    yield Case(warning, tuple(quiet), (), minutes(holds[0]))
    yield Case(page, tuple(quiet), (), minutes(holds[1]))


def _storage(database: DatabasePlan) -> Iterator[Case]:
    """Databases and WAL past 80% and 90% of the volume fire the warning and the page."""
    capacity = memory_bytes(database.size)

    def filled(instance: str, fraction: float) -> list[Series]:
        # Two databases and the WAL, a third of the bytes each; another job's volume is full.
        third = f"{round(capacity * fraction / 3)}xN"
        size = {"__name__": "cnpg_pg_database_size_bytes", "job": database.name, "instance": instance}
        wal = {
            "__name__": "cnpg_collector_pg_wal",
            "job": database.name,
            "instance": instance,
            "value": "size",
        }
        other = {**size, "job": f"not-{database.name}", "datname": "app"}
        return [
            ({**size, "datname": "app"}, third),
            ({**size, "datname": "postgres"}, third),
            (wal, third),
            (other, f"{capacity}xN"),
        ]

    def fired(instance: str, severity: str) -> dict[str, str]:
        # The sum by instance keeps no job.
        return _fired({"instance": instance}, database.name, database.layer_name, severity)

    names = (storage_filling_name(database.name), storage_full_name(database.name))
    yield from _two_shares(names, ("15m", "15m"), (0.8, 0.9), filled, fired)


def _redis_memory(redis: RedisPlan) -> Iterator[Case]:
    """A Redis pod's memory past 80% and 90% of its limit, its append-only file past 40% of its volume."""
    limit = memory_bytes(redis.sizing.memory_limit)

    def pod(instance: str) -> dict[str, str]:
        return {"__name__": "redis_memory_used_bytes", "job": redis.name, "instance": instance}

    def used(instance: str, fraction: float) -> list[Series]:
        other = {**pod(instance), "job": f"not-{redis.name}"}
        return [(pod(instance), f"{round(limit * fraction)}xN"), (other, f"{limit}xN")]

    def fired(instance: str, severity: str) -> dict[str, str]:
        return _fired(pod(instance), redis.name, redis.layer_name, severity)

    names = (redis_memory_filling_name(redis.name), redis_memory_full_name(redis.name))
    yield from _two_shares(names, ("15m", "5m"), (0.8, 0.9), used, fired)
    volume = memory_bytes(redis.size)
    aof = {"__name__": "redis_aof_current_size_bytes", "job": redis.name, "instance": "10.0.1.2:9121"}
    yield from _pair(
        redis_volume_filling_name(redis.name),
        [(aof, f"{round(volume * 0.41)}xN")],
        [(aof, f"{round(volume * 0.39)}xN"), ({**aof, "job": f"not-{redis.name}"}, f"{volume}xN")],
        [_fired(aof, redis.name, redis.layer_name, "warning")],
        "15m",
    )


# When a replica of the Redis alert cases loses its link: the minute after the short master's case
# is checked (its hold and ten minutes), when the master counts them all again.
UNLINKED_AT = 16


def _redis(env: EnvPlan, redis: RedisPlan) -> Iterator[Case]:
    """Replicas short or unlinked fire, all linked do not; a replica promoted fires, a master kept does not;
    ready Sentinels below the quorum fire, at the quorum do not."""
    layer = redis.layer_name
    master = {"job": redis.name, "instance": "10.0.0.1:9121"}
    replica = {"job": redis.name, "instance": "10.0.0.2:9121"}
    if redis.replicas > 1:
        linked = {"__name__": "redis_connected_slaves", **master}
        link = {"__name__": "redis_master_link_up", **replica}
        others = {"job": f"not-{redis.name}"}
        fired = _fired({"job": redis.name}, redis.name, layer, "warning")
        # The firing cases share a test group, so each branch fires in its own time: the master short
        # of a replica until its case is checked; then, from UNLINKED_AT, a replica whose link is down
        # while the master counts them all. The quiet cases have them all linked, and another job's
        # replica unlinked.
        fewer, all_linked = f"{redis.replicas - 2}", f"{redis.replicas - 1}"
        late = {**link, "instance": "10.0.0.3:9121"}
        yield from _pair(
            redis_replication_name(redis.name),
            [(linked, f"{fewer}x15 {all_linked}xN"), (link, "1xN"), (late, f"1x{UNLINKED_AT} 0xN")],
            [(linked, f"{all_linked}xN"), (link, "1xN"), ({**link, **others}, "0xN")],
            [fired],
            "5m",
        )
        yield from _pair(
            redis_replication_name(redis.name),
            [(linked, f"{fewer}x15 {all_linked}xN"), (link, "1xN"), (late, f"1x{UNLINKED_AT} 0xN")],
            [(linked, f"{all_linked}xN"), (link, "1xN"), ({**late, **others}, f"1x{UNLINKED_AT} 0xN")],
            [fired],
            "5m",
            UNLINKED_AT,
        )
    # The replica is promoted five minutes in: role slave until then, master after.
    info = {"__name__": "redis_instance_info", **replica}
    slave, promoted = {**info, "role": "slave"}, {**info, "role": "master"}
    yield from _pair(
        redis_failover_name(redis.name),
        [(slave, "1x5 _xN"), (promoted, "_x5 1xN")],
        [({**info, **master, "role": "master"}, "1xN"), ({**slave, "instance": "10.0.0.3:9121"}, "1xN")],
        [_fired(master | {"instance": replica["instance"]}, redis.name, layer, "warning")],
        "1m",
    )
    ready = {
        "__name__": "kube_pod_container_status_ready",
        "namespace": env.namespace,
        "container": "sentinel",
    }
    pods = [{**ready, "pod": f"{redis.name}-s-{index}"} for index in range(redis.sentinels)]
    short = redis.quorum - 1
    yield from _pair(
        sentinel_quorum_name(redis.name),
        [(pod, "1xN" if index < short else "0xN") for index, pod in enumerate(pods)],
        [(pod, "1xN" if index < redis.quorum else "0xN") for index, pod in enumerate(pods)]
        + [({**ready, "pod": f"not-{redis.name}-s-0", "namespace": env.namespace}, "0xN")],
        [_fired({"namespace": env.namespace}, redis.name, layer, "critical")],
        "2m",
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


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def open_minute(calendar: Calendar, after: int, length: int) -> int:
    """The first minute from after (since the epoch) that starts length minutes of open market.

    1970 lies outside every calendar, so its weekdays run the regular sessions."""
    minute = after
    while not all(calendar.is_open(EPOCH + dt.timedelta(minutes=m)) for m in range(minute, minute + length)):
        minute += 1
    return minute


def _in_session(env: EnvPlan, found: list[Case]) -> list[Case]:
    """The objectives' cases moved into a session, where the market phase lets their alerts fire."""
    calendar = env.observability.market
    if calendar is None:
        return found
    # Open from the case's start until a step after it is checked.
    return [
        replace(c, offset=open_minute(calendar, 0, c.wait_minutes + 10 + 2 * SESSION_STEP + 2)) for c in found
    ]


def cases(env: EnvPlan) -> list[Case]:
    """A firing and a quiet case for every alert the plan generates."""
    found: list[Case] = []
    for workload in env.workloads:
        if workload.scaling is not None:
            found += _autoscaler(workload)
    for workload in env.workloads:
        found += _pods(workload) if workload.serves else [*_job_failed(workload), *_job_overdue(workload)]
    hot = {w.name for w in env.workloads if w.hot_path}
    for target in env.observability.targets:
        found += _target(target, target.workload in hot)
    for database in env.databases:
        found += _database(database)
    for redis in env.redis:
        found += _redis(env, redis)
        found += _redis_memory(redis)
    for objective in env.observability.objectives:
        found += _in_session(env, list(_objective(objective)))
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


# promtool evaluates every rule at every step from the epoch; the cases placed in a session, hours
# after it, take steps of this many minutes to get there (their alerts fire within two steps).
SESSION_STEP = 5


def _eval_minute(case: Case, step: int) -> int:
    """When a case is checked: its wait and ten minutes after its start, and a step more, on a step."""
    if step == 1:
        return case.offset + case.wait_minutes + 10
    return -(-(case.offset + case.wait_minutes + 10) // step) * step + step


def split_by_session(found: list[Case]) -> tuple[list[Case], list[Case]]:
    """The cases that start at the epoch, and those placed in a session."""
    return [c for c in found if c.offset == 0], [c for c in found if c.offset > 0]


def session_test_file(
    rules_files: list[str], found: list[Case], annotations: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """The promtool test file of the cases placed in a session, in steps of SESSION_STEP minutes."""
    groups = [[c for c in found if c.expected], [c for c in found if not c.expected]]
    return {
        "rule_files": rules_files,
        "evaluation_interval": f"{SESSION_STEP}m",
        "tests": [_group(group, annotations, SESSION_STEP) for group in groups if group],
    }


def _group(found: list[Case], annotations: dict[str, dict[str, str]], step: int = 1) -> dict[str, Any]:
    samples = str(max(_eval_minute(c, step) for c in found) + 10)
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
                "eval_time": f"{_eval_minute(case, step)}m",
                "alertname": case.alert,
                "exp_alerts": [
                    {"exp_labels": labels, "exp_annotations": annotations[case.alert]}
                    for labels in case.expected
                ],
            }
            for case in found
        ],
    }


def across_the_open(env: EnvPlan, annotations: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    """A test group per staleness objective: a night without ticks, ticks from the open on, then a feed
    that goes stale in the session. No page at the open; a page once the feed really is stale."""
    calendar = env.observability.market
    stale = [o for o in env.observability.objectives if o.kind == "staleness"]
    if calendar is None or not stale:
        return None
    opens = open_minute(calendar, 0, 1)
    tests = []
    for objective in stale:
        hold = minutes(objective.hold)
        # The feed stops twenty minutes into a session long enough to see the alert fire in it.
        stops = open_minute(calendar, opens, 20 + hold + 5) + 20
        gauge = {"__name__": objective.metric, "component": objective.workload}
        night = f"-3600x{opens - 1}"
        ticking = f"{opens * 60}+60x{stops - opens}"
        silent = f"{stops * 60}x{hold + 10}"
        fired = {
            "severity": objective.severity,
            "component": objective.workload,
            "layer": objective.layer_name,
        }
        name = objective_name(objective)
        checks = [
            (opens - 1, []),
            (opens + 1, []),
            (stops - 1, []),
            (stops + hold + 3, [{**fired, **MARKET}]),
        ]
        tests.append(
            {
                "interval": "1m",
                "input_series": [{"series": selector(gauge), "values": f"{night} {ticking} {silent}"}],
                "alert_rule_test": [
                    {
                        "eval_time": f"{at}m",
                        "alertname": name,
                        "exp_alerts": [
                            {"exp_labels": labels, "exp_annotations": annotations[name]}
                            for labels in expected
                        ],
                    }
                    for at, expected in checks
                ],
            }
        )
    return {"evaluation_interval": "1m", "tests": tests}


# promtool evaluates every rule at every step from the epoch: a long step reaches decades in a few hundred.
CALENDAR_STEP_DAYS = 200


def calendar_ending(env: EnvPlan, annotations: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    """A test of the calendar's expiry alert: quiet at the last step before it starts, firing two after.

    Rules are evaluated every CALENDAR_STEP_DAYS from the epoch, since the instants are decades
    after it; the alert is pending at the first step after its start and firing at the next."""
    calendar = env.observability.market
    if calendar is None:
        return None
    start = calendar.last_day - dt.timedelta(days=CALENDAR_ALERT_DAYS)
    local = dt.datetime(start.year, start.month, start.day, tzinfo=calendar.zone)
    seconds = int((local - EPOCH).total_seconds())
    step = CALENDAR_STEP_DAYS * 86400
    before = (seconds - 1) // step * CALENDAR_STEP_DAYS
    labels = {
        "severity": "warning",
        "component": CALENDAR_COMPONENT,
        "layer": CALENDAR_LAYER,
        "clock": "calendar",
    }
    return {
        "evaluation_interval": f"{CALENDAR_STEP_DAYS}d",
        "tests": [
            {
                "interval": f"{CALENDAR_STEP_DAYS}d",
                "alert_rule_test": [
                    {"eval_time": f"{before}d", "alertname": CALENDAR_ALERT, "exp_alerts": []},
                    {
                        "eval_time": f"{before + 2 * CALENDAR_STEP_DAYS}d",
                        "alertname": CALENDAR_ALERT,
                        "exp_alerts": [
                            {"exp_labels": labels, "exp_annotations": annotations[CALENDAR_ALERT]}
                        ],
                    },
                ],
            }
        ],
    }
