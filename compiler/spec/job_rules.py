"""Rules over scheduled jobs: what a CronJob can be, when it runs, and that nothing calls it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from functools import lru_cache

from compiler.diagnostics import Diagnostic
from compiler.spec.cron import longest_gap, parse_cron
from compiler.spec.document import Document, Loc
from compiler.spec.kind_rules import SERVING, clock_text, market_run_in_session, settings_not_taken
from compiler.spec.model import Component, Schedule, Spec
from compiler.spec.names import job_run_suffix
from compiler.spec.places import placed_components
from compiler.spec.ports import connection
from compiler.spec.positions import at_key, at_value

# What only a long-running service has: a scheduled job's pods run to completion, so nothing
# serves, probes, scales or routes to them.
SERVICE_ONLY = (
    *SERVING,
    "ingress",
    "metrics",
    "objectives",
)
# A CronJob's name leaves room for the Job controller's suffix of 11 characters.
MAX_CRONJOB_NAME = 52
# The years whose time changes a schedule in a zone with daylight saving is checked against.
DST_YEARS = range(2020, 2041)


def check_jobs(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """Every problem of the scheduled jobs of spec, positioned in doc."""
    jobs: dict[str, Loc] = {}
    for loc, component in placed_components(spec):
        if component.schedule is not None:
            jobs.setdefault(component.name, loc)
            reason = "is a scheduled job: its pods run to completion and have no"
            yield from settings_not_taken(doc, loc, component, SERVICE_ONLY, reason, code="N206")
            yield from _schedule(doc, spec, (*loc, "schedule"), component.schedule)
            yield from _name(doc, spec, loc, component)
    yield from _callers(doc, spec, jobs)
    yield from _overrides(doc, spec, jobs)


def _schedule(doc: Document, spec: Spec, loc: Loc, schedule: Schedule) -> Iterator[Diagnostic]:
    if (schedule.cron is None) == (schedule.market is None):
        yield at_key(doc, loc, "a schedule sets either cron or market, one of them", code="N207")
        return
    if schedule.market is not None:
        if spec.market is None:
            yield at_key(
                doc,
                (*loc, "market"),
                "a schedule on the market's days needs the top-level market",
                code="N207",
            )
        else:
            yield from market_run_in_session(doc, (*loc, "market"), spec.market, schedule.market, code="N207")
        if schedule.timezone is not None:
            yield at_key(
                doc,
                (*loc, "timezone"),
                "a schedule on the market's days runs in the market's zone; it takes no timezone",
                code="N207",
            )
        return
    assert schedule.cron is not None
    try:
        parse_cron(schedule.cron)
    except ValueError as error:
        yield at_value(doc, (*loc, "cron"), f"{error}", code="N207")
        return
    if longest_gap(schedule.cron) is None:
        yield at_value(doc, (*loc, "cron"), f"'{schedule.cron}' names no day that exists", code="N207")
        return
    zone = schedule.timezone or (spec.market.timezone if spec.market else "Etc/UTC")
    if schedule.timezone is not None and not _known_zone(zone):
        yield at_value(doc, (*loc, "timezone"), f"'{zone}' is not a known time zone", code="N207")
        return
    if _known_zone(zone):
        shifted = _shifted_minutes(schedule.cron, zone)
        if shifted:
            where = (*loc, "timezone") if schedule.timezone is not None else (*loc, "cron")
            yield at_value(
                doc,
                where,
                f"'{schedule.cron}' runs at {shifted}, which {zone} skips or repeats when its clocks"
                " change; pick a time outside the change",
                code="N207",
            )


@lru_cache(maxsize=64)
def _known_zone(zone: str) -> bool:
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=64)
def _shifted_minutes(cron_text: str, zone: str) -> str | None:
    """The first run of cron that a change of the zone's clocks skips or repeats, as HH:MM, or None."""
    tz = zoneinfo.ZoneInfo(zone)
    cron = parse_cron(cron_text)
    week = dt.timedelta(days=7)
    day = dt.date(DST_YEARS.start, 1, 1)
    last = dt.date(DST_YEARS.stop, 1, 1)
    # The offset week by week: only a week in which it changes is read day by day.
    before = _offset(tz, day)
    while day < last:
        after = _offset(tz, day + week)
        if after != before:
            for at in (day + dt.timedelta(days=n) for n in range(8)):
                if not cron.runs_on(at):
                    continue
                for minute in cron.day_minutes:
                    wall = dt.datetime(at.year, at.month, at.day, minute // 60, minute % 60, tzinfo=tz)
                    if wall.utcoffset() != wall.replace(fold=1).utcoffset():
                        return clock_text(minute)
        before = after
        day += week
    return None


def _offset(tz: zoneinfo.ZoneInfo, day: dt.date) -> dt.timedelta | None:
    """The zone's offset from UTC at noon of day."""
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz).utcoffset()


def _name(doc: Document, spec: Spec, loc: Loc, component: Component) -> Iterator[Diagnostic]:
    dated = component.schedule is not None and component.schedule.market is not None and spec.market
    longest = component.name + (job_run_suffix(dt.date(2000, 12, 31)) if dated else "")
    if len(longest) > MAX_CRONJOB_NAME:
        extra = " with the date of a special session" if dated else ""
        yield at_value(
            doc,
            (*loc, "name"),
            f"a CronJob's name{extra} ('{longest}') has at most {MAX_CRONJOB_NAME} characters",
            field=False,
            code="N209",
        )


def _callers(doc: Document, spec: Spec, jobs: dict[str, Loc]) -> Iterator[Diagnostic]:
    """Nothing connects to a scheduled job: it has no Service and is gone between runs."""
    for loc, component in placed_components(spec):
        for index, entry in enumerate(component.talks_to):
            target, _ = connection(entry)
            if target in jobs:
                yield at_value(
                    doc,
                    (*loc, "talks_to", index),
                    f"'{target}' is a scheduled job; nothing can connect to it",
                    code="N208",
                )
    manager = spec.observability.alertmanager
    for index, receiver in enumerate(manager.receivers if manager else ()):
        if receiver.webhook is not None and receiver.webhook.component in jobs:
            yield at_value(
                doc,
                ("observability", "alertmanager", "receivers", index, "webhook", "component"),
                f"'{receiver.webhook.component}' is a scheduled job; it cannot receive alerts",
                code="N208",
            )


def _overrides(doc: Document, spec: Spec, jobs: dict[str, Loc]) -> Iterator[Diagnostic]:
    """An environment suspends only scheduled jobs, and gives them no replica count."""
    for env_name, env in spec.environments.items():
        for name, override in env.components.items():
            where: Loc = ("environments", env_name, "components", name)
            if override.suspend is not None and name not in jobs:
                yield at_key(doc, (*where, "suspend"), f"'{name}' is not a scheduled job", code="N310")
            if override.replicas is not None and name in jobs:
                yield at_key(
                    doc, (*where, "replicas"), f"'{name}' is a scheduled job; it has no replicas", code="N310"
                )
