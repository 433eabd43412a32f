"""Databases that CloudNativePG runs: their Cluster's settings and their backups' schedules in UTC."""

from __future__ import annotations

import datetime as dt

from compiler.plan.jobs import market_runs
from compiler.plan.market import DAY_MINUTES, Calendar, number_list
from compiler.plan.model import BackupPlan, DatabasePlan, JobRun, PoolerPlan
from compiler.spec.cron import longest_gap
from compiler.spec.model import DatabaseBackup, MarketTime
from compiler.spec.ports import POSTGRES_PORT
from compiler.spec.resolved import Resolved

# A leap year, so that a special session's date of 29 February has a day after it.
LEAP_YEAR = 2000
# How long a base backup may take to start and to finish before the last one counts as too old.
BACKUP_SECONDS = 3 * 3600


def plan_database(
    resolved: Resolved, clients: tuple[str, ...], pooled: tuple[str, ...], calendar: Calendar | None
) -> DatabasePlan:
    """A database component as its Cluster runs in one environment; pooled: its clients through PgBouncer."""
    database, component, layer = resolved.database, resolved.component, resolved.layer
    assert database is not None, "only a database component has a database plan"
    backup, pooler = database.backup, database.pooler
    return DatabasePlan(
        name=component.name,
        layer=layer.number,
        layer_name=layer.name,
        description=component.description or "",
        image=f"{database.image}:{database.tag}",
        edition=database.timescaledb,
        instances=database.instances,
        synchronous=database.synchronous,
        size=database.storage.size,
        storage_class=database.storage.storage_class,
        database=database.name,
        owner=database.owner,
        credentials=database.secret,
        operator_namespace=database.operator_namespace,
        sizing=resolved.sizing,
        port=POSTGRES_PORT,
        clients=clients,
        backup=_backup(backup, calendar) if backup is not None else None,
        pooler=PoolerPlan(pooler.instances, pooler.mode, pooled) if pooler is not None else None,
    )


def _backup(backup: DatabaseBackup, calendar: Calendar | None) -> BackupPlan:
    assert calendar is not None, "the rules ask for a market"
    runs = backup_runs(calendar, backup.market)
    gap = longest_gap(runs[0].schedule.partition(" ")[2])
    assert gap is not None, "a trading weekday comes every week"
    return BackupPlan(
        destination=backup.destination,
        endpoint=backup.endpoint,
        secret=backup.secret,
        retention=backup.retention,
        cidr=backup.cidr,
        runs=runs,
        overdue_seconds=gap * 60 + BACKUP_SECONDS,
    )


def backup_runs(calendar: Calendar, when: MarketTime) -> tuple[JobRun, ...]:
    """The scheduled jobs' runs on the market's days, each as a six-field schedule (seconds first) in UTC.

    CloudNativePG reads a ScheduledBackup's schedule with robfig/cron and its seconds field, in the
    operator's zone, which is UTC; the rules admit backups only in a market zone with a fixed offset.
    """
    offset = calendar.utc_offset_minutes
    local = market_runs(calendar, when)
    return tuple(JobRun(run.suffix, f"0 {in_utc(run.schedule, offset)}", run.reason) for run in local)


def in_utc(schedule: str, offset: int) -> str:
    """A schedule of market_runs (weekdays, or one date) moved from a zone offset minutes ahead of UTC."""
    minute, hour, day, month, weekdays = schedule.split()
    at = int(hour) * 60 + int(minute) - offset
    shift, at = divmod(at, DAY_MINUTES)
    time = f"{at % 60} {at // 60}"
    if weekdays != "*":
        return f"{time} * * {number_list(sorted((d + shift) % 7 for d in _numbers(weekdays)))}"
    moved = dt.date(LEAP_YEAR, int(month), int(day)) + dt.timedelta(days=shift)
    return f"{time} {moved.day} {moved.month} *"


def _numbers(text: str) -> list[int]:
    """The numbers of a cron list of numbers and ranges, e.g. 1-3,5."""
    found: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        found += range(int(low), int(high or low) + 1)
    return found
