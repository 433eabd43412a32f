"""Scheduled jobs: their CronJobs' schedules, from cron or the market's days, and when one is overdue."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import Literal

from compiler.plan.market import DAY_MINUTES, Calendar, number_list, weekday_span
from compiler.plan.model import JobPlan, JobRun
from compiler.spec.cron import longest_gap
from compiler.spec.model import MarketTime, Schedule
from compiler.spec.names import job_run_suffix

UTC_ZONE = "Etc/UTC"
CONCURRENCY: dict[str, Literal["Forbid", "Replace", "Allow"]] = {
    "forbid": "Forbid",
    "replace": "Replace",
    "allow": "Allow",
}


def plan_job(schedule: Schedule, calendar: Calendar | None, suspended: bool) -> JobPlan:
    """A schedule as CronJobs: its cron in its zone, or the market's days in the market's zone."""
    if schedule.market is not None:
        assert calendar is not None, "the rules ask for a market"
        runs = market_runs(calendar, schedule.market)
        zone = calendar.timezone
    else:
        assert schedule.cron is not None, "the rules ask for cron or market"
        zone = schedule.timezone or (calendar.timezone if calendar else UTC_ZONE)
        runs = (JobRun("", schedule.cron, f"on '{schedule.cron}' in {zone}"),)
    gap = longest_gap(runs[0].schedule)
    assert gap is not None, "the rules ask for a schedule that runs"
    overdue = (
        gap * 60 + schedule.start_within_seconds + schedule.deadline_seconds + clock_change_seconds(zone)
    )
    return JobPlan(
        runs=runs,
        timezone=zone,
        concurrency=CONCURRENCY[schedule.concurrency],
        deadline_seconds=schedule.deadline_seconds,
        start_within_seconds=schedule.start_within_seconds,
        retries=schedule.retries,
        keep_succeeded=schedule.keep_succeeded,
        keep_failed=schedule.keep_failed,
        severity=schedule.severity,
        suspended=suspended,
        overdue_seconds=overdue,
    )


def market_runs(calendar: Calendar, when: MarketTime) -> tuple[JobRun, ...]:
    """Schedules that run minutes from the open or the close of every trading day, in any year.

    Cron has no year, so the regular run holds on every trading weekday, holidays included: it
    follows the earliest open or the latest close of the week, session changes included, so a
    run before the open or after the close stays so on every day. A special session's date whose
    own open or close moves the run gets a schedule of its own, every year, as pre-scaling does,
    unless that time falls in the hours of a regular session: in another year the date may be a
    trading day, and a job must not run in a session.
    """
    start, end = weekday_span(calendar, 0)
    regular = (start if when.at == "open" else end) + when.minutes
    shift = regular // DAY_MINUTES
    # Cron counts weekdays from Sunday (0); date.weekday() from Monday (0).
    days = [(day + 1 + shift) % 7 for day in calendar.weekdays]
    side = "before" if when.minutes < 0 else "after"
    found = [
        JobRun(
            "",
            f"{regular % 60} {(regular % DAY_MINUTES) // 60} * * {number_list(days)}",
            f"{abs(when.minutes)} minutes {side} the {when.at} of every trading weekday",
        )
    ]
    for day in calendar.special_days():
        span = calendar.special_span(day)
        assert span is not None
        minute = (span[0] if when.at == "open" else span[1]) + when.minutes
        if (calendar.is_trading_weekday(day) and minute == regular) or in_regular_hours(calendar, minute):
            continue
        runs_on = day + dt.timedelta(days=minute // DAY_MINUTES)
        found.append(
            JobRun(
                job_run_suffix(day),
                f"{minute % 60} {(minute % DAY_MINUTES) // 60} {runs_on.day} {runs_on.month} *",
                f"{abs(when.minutes)} minutes {side} the {when.at} of the special session of {day}",
            )
        )
    return tuple(found)


def in_regular_hours(calendar: Calendar, minute: int) -> bool:
    """Whether a time of day (minutes, any day) falls in the hours of a regular session, changed or not."""
    time = minute % DAY_MINUTES
    hours = [(w.start, w.end) for w in calendar.sessions] + [(c.start, c.end) for c in calendar.changes]
    return any(start <= time < end for start, end in hours)


@lru_cache(maxsize=64)
def clock_change_seconds(zone: str) -> int:
    """How far the zone's clocks move between winter and summer: what a day between runs may gain."""
    tz = zoneinfo.ZoneInfo(zone)
    offsets = [dt.datetime(2026, month, 1, tzinfo=tz).utcoffset() or dt.timedelta() for month in (1, 7)]
    return abs(int((offsets[0] - offsets[1]).total_seconds()))
