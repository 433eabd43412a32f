"""Alert rules generated from the plan: autoscalers at their maximum, unready and crashing pods,
scrape targets down, databases' replication lag, failovers and volumes filling up, Redis's
replication, failovers and Sentinel quorum, and the objectives the spec declares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from compiler.plan.market import Calendar
from compiler.plan.model import DatabasePlan, EnvPlan, ObjectivePlan, RedisPlan, ScrapeTarget, Workload
from compiler.render.durations import go_duration
from compiler.render.market_phase import expiry_start, gated, phase_group
from compiler.spec.names import sentinel_name
from compiler.spec.quantities import memory_bytes

AT_MAXIMUM_FOR = "15m"
NOT_READY_FOR = "10m"
CRASH_LOOP_FOR = "10m"
TARGET_DOWN_FOR = "5m"
RATE_WINDOW = "5m"
# The label of the market-data alerts, which page only while the market trades.
CLOCK_LABEL = "clock"
MARKET_CLOCK = "market"
# The label of the warning that the market calendar runs out, for the platform team.
CALENDAR_CLOCK = "calendar"
CALENDAR_ALERT = "MarketCalendarEnding"
CALENDAR_COMPONENT = "market-calendar"
CALENDAR_LAYER = "observability"
# The alert fires this many days before the calendar's last listed day; the compile warns earlier.
CALENDAR_ALERT_DAYS = 30
CALENDAR_ALERT_FOR = "1m"
JOB_FAILED_FOR = "1m"
JOB_OVERDUE_FOR = "5m"
# A standby further behind its primary than this, for this long, is lagging (CloudNativePG's metric).
REPLICATION_LAG_SECONDS = 30
REPLICATION_LAG_FOR = "5m"
# An instance that changed role (promoted, or back as a standby) within this window: a failover.
FAILOVER_WINDOW = "10m"
FAILOVER_FOR = "1m"
BACKUP_OVERDUE_FOR = "5m"
# Shares of an instance's volume that its databases and WAL fill: a warning, then a page.
STORAGE_FILLING_SHARE = 0.8
STORAGE_FULL_SHARE = 0.9
STORAGE_FOR = "15m"
# A Redis near its memory limit pages sooner: the kernel kills it at the limit.
REDIS_MEMORY_FULL_FOR = "5m"
# The share of a Redis pod's volume its append-only file may fill: a rewrite writes a second copy
# beside it, and the RDB snapshot, about the dataset's size, lies there too.
REDIS_AOF_SHARE = 0.4
# Redis replicas that are not all linked to their master this long: a resync takes less.
REDIS_REPLICATION_FOR = "5m"
# Fewer ready Sentinels than their quorum this long: no failover could happen now.
SENTINEL_QUORUM_FOR = "2m"


@dataclass(frozen=True)
class Alert:
    """One generated alert: its rule and what it watches."""

    group: str
    name: str
    component: str
    layer: str
    expr: str
    hold: str
    severity: str
    summary: str
    runbook: str
    market: bool = False
    clock: str | None = None

    def labels(self) -> dict[str, str]:
        """The labels the rule gives its alerts."""
        labels = {"severity": self.severity, "component": self.component, "layer": self.layer}
        if self.market:
            labels[CLOCK_LABEL] = MARKET_CLOCK
        elif self.clock is not None:
            labels[CLOCK_LABEL] = self.clock
        return labels

    def rule(self) -> dict[str, Any]:
        """The Prometheus alerting rule."""
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.hold,
            "labels": self.labels(),
            "annotations": {"summary": self.summary, "runbook_url": self.runbook},
        }


def camel(name: str) -> str:
    """tick-processor -> TickProcessor, the prefix of a component's alert names."""
    return "".join(part.capitalize() for part in name.split("-"))


def at_maximum_name(workload: str) -> str:
    """The alert on an autoscaler held at its maximum."""
    return f"{camel(workload)}AutoscalerAtMaximum"


def not_ready_name(workload: str) -> str:
    """The alert on pods that are not ready."""
    return f"{camel(workload)}PodsNotReady"


def crash_loop_name(workload: str) -> str:
    """The alert on a crash looping container."""
    return f"{camel(workload)}CrashLooping"


def target_down_name(job: str) -> str:
    """The alert on a scrape target that is down."""
    return f"{camel(job)}TargetDown"


def job_failed_name(workload: str) -> str:
    """The alert on a scheduled job whose latest run failed."""
    return f"{camel(workload)}JobFailed"


def job_overdue_name(workload: str) -> str:
    """The alert on a scheduled job with no success for longer than its schedule allows."""
    return f"{camel(workload)}JobOverdue"


def replication_lag_name(database: str) -> str:
    """The alert on a database standby that lags behind its primary."""
    return f"{camel(database)}ReplicationLag"


def redis_replication_name(redis: str) -> str:
    """The alert on a Redis whose replicas are not all linked to the master."""
    return f"{camel(redis)}ReplicationBroken"


def redis_failover_name(redis: str) -> str:
    """The alert on a Redis replica that Sentinel promoted to master."""
    return f"{camel(redis)}MasterChanged"


def redis_memory_filling_name(redis: str) -> str:
    """The alert on a Redis pod whose dataset fills its memory limit."""
    return f"{camel(redis)}MemoryFilling"


def redis_memory_full_name(redis: str) -> str:
    """The alert on a Redis pod whose dataset nearly reaches its memory limit."""
    return f"{camel(redis)}MemoryFull"


def redis_volume_filling_name(redis: str) -> str:
    """The alert on a Redis pod whose append-only file fills its volume."""
    return f"{camel(redis)}VolumeFilling"


def sentinel_quorum_name(redis: str) -> str:
    """The alert on a Redis whose ready Sentinels are fewer than their quorum."""
    return f"{camel(redis)}SentinelQuorumLost"


def failover_name(database: str) -> str:
    """The alert on a database instance that changed role: a failover or switchover."""
    return f"{camel(database)}Failover"


def storage_filling_name(database: str) -> str:
    """The alert that a database's volumes fill up."""
    return f"{camel(database)}StorageFilling"


def storage_full_name(database: str) -> str:
    """The alert that a database's volumes are nearly full."""
    return f"{camel(database)}StorageFull"


def backup_overdue_name(database: str) -> str:
    """The alert on a database whose last base backup is older than its schedule allows."""
    return f"{camel(database)}BackupOverdue"


def objective_name(objective: ObjectivePlan) -> str:
    """The alert on a declared objective."""
    return f"{camel(objective.workload)}{camel(objective.name)}"


def alerts(env: EnvPlan) -> tuple[Alert, ...]:
    """Every generated alert of env, grouped and in plan order.

    The market-data alerts carry clock=market: the objectives (feed staleness, tick-to-signal
    latency) and the hot path's targets down, which matter only while the market trades."""
    hot = {w.name for w in env.workloads if w.hot_path}
    calendar = env.observability.market
    return (
        *(_at_maximum(env, w) for w in env.workloads if w.scaling is not None),
        *(a for w in env.workloads if w.serves for a in _pod_health(env, w)),
        *(a for w in env.workloads for a in _job_runs(env, w)),
        *(_target_down(env, t, t.workload in hot) for t in env.observability.targets),
        *(a for d in env.databases for a in _database(env, d)),
        *(a for r in env.redis for a in (*_redis(env, r), *_redis_memory(env, r))),
        *(_objective(env, o, calendar is not None) for o in env.observability.objectives),
        *((_calendar_ending(env, calendar),) if calendar is not None else ()),
    )


def rule_groups(env: EnvPlan) -> dict[str, Any]:
    """The generated rule file: the market phase, then one group of alerts per concern, in a fixed order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for alert in alerts(env):
        groups.setdefault(alert.group, []).append(alert.rule())
    found = [{"name": name, "rules": rules} for name, rules in groups.items()]
    calendar = env.observability.market
    return {"groups": [phase_group(calendar), *found] if calendar is not None else found}


def _runbook(env: EnvPlan, component: str, name: str) -> str:
    return f"{env.observability.runbooks}/{component}/{name}"


def _at_maximum(env: EnvPlan, workload: Workload) -> Alert:
    assert workload.scaling is not None
    top = workload.scaling.max_replicas
    return Alert(
        "nifty-autoscaling",
        at_maximum_name(workload.name),
        workload.name,
        workload.layer_name,
        f'kube_horizontalpodautoscaler_status_current_replicas{{horizontalpodautoscaler="{workload.name}"}}'
        f" >= {top}",
        AT_MAXIMUM_FOR,
        "warning",
        f"{workload.name} has run at its autoscaling maximum of {top} replicas for {AT_MAXIMUM_FOR}",
        _runbook(env, workload.name, "autoscaler-at-maximum"),
    )


def _severity(workload: Workload) -> str:
    """The hot path pages; the rest can wait for working hours."""
    return "critical" if workload.hot_path else "warning"


def _pod_health(env: EnvPlan, workload: Workload) -> Iterator[Alert]:
    # The container is named after its workload, so the container label selects one workload's pods.
    container = f'container="{workload.name}"'
    yield Alert(
        "nifty-workloads",
        not_ready_name(workload.name),
        workload.name,
        workload.layer_name,
        f"kube_pod_container_status_ready{{{container}}} == 0",
        NOT_READY_FOR,
        _severity(workload),
        f"A pod of {workload.name} has not been ready for {NOT_READY_FOR}",
        _runbook(env, workload.name, "pods-not-ready"),
    )
    yield Alert(
        "nifty-workloads",
        crash_loop_name(workload.name),
        workload.name,
        workload.layer_name,
        f"max_over_time(kube_pod_container_status_waiting_reason{{{container},"
        f'reason="CrashLoopBackOff"}}[{RATE_WINDOW}]) >= 1',
        CRASH_LOOP_FOR,
        _severity(workload),
        f"A container of {workload.name} is crash looping",
        _runbook(env, workload.name, "crash-looping"),
    )


def _job_runs(env: EnvPlan, workload: Workload) -> Iterator[Alert]:
    """A scheduled job's own alerts, from kube-state-metrics: its latest run failed, or none succeeded lately.

    A run has failed when a Job of its CronJobs failed after their last success (or with none yet).
    A success is overdue when the regular CronJob's last one (or its creation) is older than its
    longest wait between runs allows; a CronJob suspended in the cluster is not overdue."""
    job = workload.job
    if job is None:
        return
    cronjobs = "|".join(workload.name + run.suffix for run in job.runs)
    owned = f'kube_job_owner{{owner_kind="CronJob",owner_name=~"{cronjobs}"}}'
    failed = (
        "max by (namespace, owner_name) (kube_job_status_start_time"
        f" * on (namespace, job_name) group_left (owner_name) {owned}"
        ' and on (namespace, job_name) kube_job_failed{condition="true"} == 1)'
    )
    succeeded = (
        "max by (namespace, owner_name) (label_replace(kube_cronjob_status_last_successful_time"
        f'{{cronjob=~"{cronjobs}"}}, "owner_name", "$1", "cronjob", "(.+)"))'
    )
    yield Alert(
        "nifty-jobs",
        job_failed_name(workload.name),
        workload.name,
        workload.layer_name,
        f"({failed} > {succeeded}) or ({failed} unless {succeeded})",
        JOB_FAILED_FOR,
        job.severity,
        f"The latest run of the scheduled job {workload.name} failed",
        _runbook(env, workload.name, "job-failed"),
    )
    regular = f'{{cronjob="{workload.name}"}}'
    overdue = job.overdue_seconds
    success = f"kube_cronjob_status_last_successful_time{regular}"
    yield Alert(
        "nifty-jobs",
        job_overdue_name(workload.name),
        workload.name,
        workload.layer_name,
        f"(time() - max by (namespace, cronjob) ({success}) > {overdue}"
        f" or (time() - max by (namespace, cronjob) (kube_cronjob_created{regular}) > {overdue}"
        f" unless on (namespace, cronjob) {success}))"
        f" unless on (namespace, cronjob) kube_cronjob_spec_suspend{regular} == 1",
        JOB_OVERDUE_FOR,
        job.severity,
        f"The scheduled job {workload.name} has not succeeded for {go_duration(overdue)}, longer than its"
        f" schedule allows ({job.runs[0].reason})",
        _runbook(env, workload.name, "job-overdue"),
    )


def _database(env: EnvPlan, database: DatabasePlan) -> Iterator[Alert]:
    """A standby lagging behind, and an instance that changed role, from CloudNativePG's metrics."""
    selector = f'{{job="{database.name}"}}'
    yield Alert(
        "nifty-databases",
        replication_lag_name(database.name),
        database.name,
        database.layer_name,
        f"cnpg_pg_replication_lag{selector} > {REPLICATION_LAG_SECONDS}",
        REPLICATION_LAG_FOR,
        "warning",
        f"A standby of {database.name} is more than {REPLICATION_LAG_SECONDS}s behind its primary",
        _runbook(env, database.name, "replication-lag"),
    )
    yield Alert(
        "nifty-databases",
        failover_name(database.name),
        database.name,
        database.layer_name,
        f"changes(cnpg_pg_replication_in_recovery{selector}[{FAILOVER_WINDOW}]) > 0",
        FAILOVER_FOR,
        "warning",
        f"An instance of {database.name} changed role in the last {FAILOVER_WINDOW}: a failover",
        _runbook(env, database.name, "failover"),
    )
    yield from _storage(env, database)
    backup = database.backup
    if backup is None:
        return
    # The plugin's metric; max over the instances, since each reports the Cluster's last backup.
    last = f"max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{selector})"
    yield Alert(
        "nifty-databases",
        backup_overdue_name(database.name),
        database.name,
        database.layer_name,
        f"time() - {last} > {backup.overdue_seconds}",
        BACKUP_OVERDUE_FOR,
        "warning",
        f"The last base backup of {database.name} is older than {go_duration(backup.overdue_seconds)},"
        " the longest wait between its scheduled backups and a backup's time",
        _runbook(env, database.name, "backup-overdue"),
    )


def storage_used(database: DatabasePlan) -> str:
    """Bytes on each instance's volume: its databases and its WAL, as CloudNativePG reports them.

    The kubelet's volume statistics would be exact, but the tree's Prometheus may only read its own
    namespace; the databases and WAL are most of the volume, so this is a floor of what is used."""
    selector = f'job="{database.name}"'
    return (
        f"sum by (instance) (cnpg_pg_database_size_bytes{{{selector}}})"
        f' + on (instance) cnpg_collector_pg_wal{{{selector}, value="size"}}'
    )


def _storage(env: EnvPlan, database: DatabasePlan) -> Iterator[Alert]:
    """An instance's volume filling (a warning), then nearly full (a page: writes stop when it is)."""
    capacity = memory_bytes(database.size)
    for name, share, severity, runbook in (
        (storage_filling_name, STORAGE_FILLING_SHARE, "warning", "storage-filling"),
        (storage_full_name, STORAGE_FULL_SHARE, "critical", "storage-full"),
    ):
        yield Alert(
            "nifty-databases",
            name(database.name),
            database.name,
            database.layer_name,
            past_share(storage_used(database), capacity, share),
            STORAGE_FOR,
            severity,
            f"The databases and WAL of an instance of {database.name} fill more than {share:.0%} of its"
            f" {database.size} volume; PostgreSQL stops when it is full",
            _runbook(env, database.name, runbook),
        )


def past_share(used: str, capacity: int, share: float) -> str:
    """The expression of a measure in bytes past a share of a capacity known when compiling."""
    return f"{used} > {round(capacity * share)}"


def _redis_memory(env: EnvPlan, redis: RedisPlan) -> Iterator[Alert]:
    """A Redis pod's dataset against its memory limit, and its append-only file against its volume."""
    limit = redis.sizing.memory_limit
    used = f'redis_memory_used_bytes{{job="{redis.name}"}}'
    killed = "; at the limit the kernel kills it, and a failover loses the writes not yet replicated"
    for name, share, hold, severity, runbook, consequence in (
        (redis_memory_filling_name, STORAGE_FILLING_SHARE, STORAGE_FOR, "warning", "memory-filling", ""),
        (
            redis_memory_full_name,
            STORAGE_FULL_SHARE,
            REDIS_MEMORY_FULL_FOR,
            "critical",
            "memory-full",
            killed,
        ),
    ):
        yield Alert(
            "nifty-redis",
            name(redis.name),
            redis.name,
            redis.layer_name,
            past_share(used, memory_bytes(limit), share),
            hold,
            severity,
            f"A Redis pod of {redis.name} holds more than {share:.0%} of its {limit} memory limit"
            f"{consequence}",
            _runbook(env, redis.name, runbook),
        )
    aof = f'redis_aof_current_size_bytes{{job="{redis.name}"}}'
    yield Alert(
        "nifty-redis",
        redis_volume_filling_name(redis.name),
        redis.name,
        redis.layer_name,
        past_share(aof, memory_bytes(redis.size), REDIS_AOF_SHARE),
        STORAGE_FOR,
        "warning",
        f"The append-only file of a Redis pod of {redis.name} fills more than {REDIS_AOF_SHARE:.0%} of its"
        f" {redis.size} volume, which must also hold its rewrite and the RDB snapshot",
        _runbook(env, redis.name, "volume-filling"),
    )


def _redis(env: EnvPlan, redis: RedisPlan) -> Iterator[Alert]:
    """redis_exporter's view of replication and of the master's role; kube-state-metrics' of the Sentinels."""
    job = f'job="{redis.name}"'
    if redis.replicas > 1:
        # The master counts its linked replicas; each replica says whether its link to the master is up.
        yield Alert(
            "nifty-redis",
            redis_replication_name(redis.name),
            redis.name,
            redis.layer_name,
            f"max by (job) (redis_connected_slaves{{{job}}}) < {redis.replicas - 1}"
            f" or min by (job) (redis_master_link_up{{{job}}}) == 0",
            REDIS_REPLICATION_FOR,
            "warning",
            f"Fewer than {redis.replicas - 1} replicas of {redis.name} replicate from its master",
            _runbook(env, redis.name, "replication-broken"),
        )
    # A Redis pod that was a replica within the window and is the master now: Sentinel promoted it.
    yield Alert(
        "nifty-redis",
        redis_failover_name(redis.name),
        redis.name,
        redis.layer_name,
        f'max by (job, instance) (redis_instance_info{{{job},role="master"}}) and on (job, instance) max by'
        f' (job, instance) (max_over_time(redis_instance_info{{{job},role="slave"}}[{FAILOVER_WINDOW}]))',
        FAILOVER_FOR,
        "warning",
        f"A replica of {redis.name} became its master in the last {FAILOVER_WINDOW}: a failover",
        _runbook(env, redis.name, "master-changed"),
    )
    sentinels = (
        f'kube_pod_container_status_ready{{namespace="{env.namespace}",container="sentinel",'
        f'pod=~"{sentinel_name(redis.name)}-[0-9]+"}}'
    )
    yield Alert(
        "nifty-redis",
        sentinel_quorum_name(redis.name),
        redis.name,
        redis.layer_name,
        f"sum by (namespace) ({sentinels}) < {redis.quorum}",
        SENTINEL_QUORUM_FOR,
        "critical",
        f"Fewer than {redis.quorum} Sentinels of {redis.name} are ready: a lost master would not be replaced",
        _runbook(env, redis.name, "sentinel-quorum-lost"),
    )


def _target_down(env: EnvPlan, target: ScrapeTarget, market: bool) -> Alert:
    return Alert(
        "nifty-targets",
        target_down_name(target.job),
        target.workload,
        target.layer_name,
        f'up{{job="{target.job}"}} == 0',
        TARGET_DOWN_FOR,
        "warning",
        f"Prometheus cannot scrape {target.job} on port {target.port}",
        _runbook(env, target.workload, "target-down"),
        market,
    )


def _objective(env: EnvPlan, objective: ObjectivePlan, in_session: bool) -> Alert:
    selector = f'{{component="{objective.workload}"}}'
    if objective.kind == "latency":
        expr = (
            f"histogram_quantile({objective.quantile:g}, sum by (le) "
            f"(rate({objective.metric}_bucket{selector}[{RATE_WINDOW}]))) > {objective.seconds:g}"
        )
    else:
        expr = f"time() - max({objective.metric}{selector}) > {objective.seconds:g}"
    if in_session:
        # A feed silent all night must not page at the open: the hold starts when the market opens.
        expr = gated(expr)
    return Alert(
        "nifty-objectives",
        objective_name(objective),
        objective.workload,
        objective.layer_name,
        expr,
        objective.hold,
        objective.severity,
        objective.summary,
        _runbook(env, objective.workload, objective.name),
        market=True,
    )


def _calendar_ending(env: EnvPlan, calendar: Calendar) -> Alert:
    """The warning that the calendar's last listed day is near: after it, every weekday trades."""
    last = calendar.last_day.isoformat()
    return Alert(
        "nifty-market-calendar",
        CALENDAR_ALERT,
        CALENDAR_COMPONENT,
        CALENDAR_LAYER,
        f"vector(time()) >= {expiry_start(calendar, CALENDAR_ALERT_DAYS)}",
        CALENDAR_ALERT_FOR,
        "warning",
        f"The {calendar.name} calendar lists days until {last} only: add the next year's holidays "
        "to the spec; after that day every trading weekday counts as a trading day",
        _runbook(env, CALENDAR_COMPONENT, "calendar-ending"),
        clock=CALENDAR_CLOCK,
    )
