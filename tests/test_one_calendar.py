"""One calendar, three clocks: KEDA's floor, Alertmanager's paging and Argo CD's freeze agree with it.

Each generated config is evaluated with its program's own semantics (tests/cronexpr.py for robfig
cron as KEDA and Argo CD read it, tests/timeinterval.py for Alertmanager) at random instants of the
calendar's year, and must say exactly what the spec's calendar says at that instant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiler.kustomize.environment import build_environment
from compiler.plan.market import Calendar
from compiler.plan.model import Plan
from compiler.spec.load import read_spec
from tests.conftest import SPEC
from tests.cronexpr import argo_window_active, keda_cron_active
from tests.timeinterval import route_active

YEAR_SECONDS = 365 * 24 * 3600


def _calendar(plan: Plan) -> Calendar:
    assert plan.market is not None
    return plan.market


@pytest.fixture(scope="module")
def clocks(shipped_plan: Plan, shipped_tree: dict[str, str]) -> dict[str, Any]:
    """The production configs the three programs read, and the calendar."""
    (prod,) = [e for e in shipped_plan.environments if e.name == "prod"]
    scaled = [o for o in build_environment(prod) if o["kind"] == "ScaledObject"]
    alertmanager = yaml.safe_load(shipped_tree["overlays/prod/config/alertmanager-config/alertmanager.yml"])
    (route,) = [r for r in alertmanager["route"]["routes"] if "active_time_intervals" in r]
    project = yaml.safe_load(shipped_tree["argocd/project.yaml"].split("\n", 1)[1])
    windows = [w for w in project["spec"]["syncWindows"] if "nifty50-prod" in w["applications"]]
    leads = {
        c["name"]: c["prescale"]["lead_minutes"]
        for layer in read_spec(SPEC).data["layers"]
        for c in layer["components"]
        if "prescale" in c
    }
    assert scaled and windows
    return {
        "calendar": _calendar(shipped_plan),
        "scaled": scaled,
        "leads": leads,
        "alertmanager": alertmanager,
        "route": route,
        "windows": windows,
    }


def _instant(calendar: Calendar, second: int) -> dt.datetime:
    start = dt.datetime(calendar.year, 1, 1, tzinfo=calendar.zone)
    return start + dt.timedelta(seconds=second)


def _edges(calendar: Calendar) -> list[int]:
    """Minutes of a day where something starts or ends, and their neighbours."""
    found = {0, 24 * 60 - 1}
    for day in (calendar.trading_days()[0], *(s.day for s in calendar.specials)):
        for start, end in (*calendar.spans(day, 15), *calendar.spans(day)):
            found |= {start - 1, start, end - 1, end}
    for window in calendar.sessions:
        found |= {window.start - 1, window.start, window.end - 1, window.end}
    return sorted(m for m in found if 0 <= m < 24 * 60)


def _freeze_starts(calendar: Calendar, instant: dt.datetime) -> bool:
    """Whether instant is exactly the first instant of a frozen span (Argo CD's window opens after it)."""
    day, minute = calendar.local(instant)
    return any(start == minute for start, _ in calendar.spans(day))


def _check(clocks: dict[str, Any], instant: dt.datetime) -> None:
    calendar: Calendar = clocks["calendar"]
    for obj in clocks["scaled"]:
        lead = clocks["leads"][obj["metadata"]["name"]]
        crons = [t["metadata"] for t in obj["spec"]["triggers"] if t["type"] == "cron"]
        floor = any(keda_cron_active(meta, instant) for meta in crons)
        assert floor is calendar.is_busy(instant, lead), (obj["metadata"]["name"], instant.isoformat())
    pages = route_active(clocks["alertmanager"], clocks["route"], instant)
    assert pages is calendar.is_open(instant), instant.isoformat()
    frozen = any(argo_window_active(window, instant) for window in clocks["windows"])
    assert frozen is (calendar.is_busy(instant) and not _freeze_starts(calendar, instant)), (
        instant.isoformat()
    )


@settings(max_examples=300, deadline=None)
@given(second=st.integers(0, YEAR_SECONDS - 1))
@example(second=0)
def test_the_three_clocks_agree_at_any_second(clocks: dict[str, Any], second: int) -> None:
    _check(clocks, _instant(clocks["calendar"], second))


@settings(max_examples=300, deadline=None)
@given(day=st.integers(0, 364), index=st.integers(0, 1000), offset=st.sampled_from([0, 1, 59]))
def test_the_three_clocks_agree_at_the_edges(
    clocks: dict[str, Any], day: int, index: int, offset: int
) -> None:
    calendar: Calendar = clocks["calendar"]
    edges = _edges(calendar)
    minute = edges[index % len(edges)]
    _check(clocks, _instant(calendar, day * 86400 + minute * 60 + offset))


def test_every_day_of_the_special_sessions_and_holidays_agrees(clocks: dict[str, Any]) -> None:
    calendar: Calendar = clocks["calendar"]
    days = [*(h.day for h in calendar.holidays), *(s.day for s in calendar.specials)]
    for day in days:
        first = dt.datetime(day.year, day.month, day.day, tzinfo=calendar.zone)
        for minute in range(0, 24 * 60, 15):
            _check(clocks, first + dt.timedelta(minutes=minute, seconds=30))


def test_the_evaluators_can_disagree(clocks: dict[str, Any]) -> None:
    """A window that starts a minute late is caught: the property above is not vacuous."""
    calendar: Calendar = clocks["calendar"]
    day = calendar.trading_days()[0]
    opens = dt.datetime(day.year, day.month, day.day, tzinfo=calendar.zone) + dt.timedelta(
        minutes=calendar.opens, seconds=30
    )
    window = dict(clocks["windows"][0])
    minute, hour, *rest = window["schedule"].split()
    window["schedule"] = " ".join([str(int(minute) + 1), hour, *rest])
    assert argo_window_active(clocks["windows"][0], opens)
    assert not argo_window_active(window, opens)
    meta = dict(next(t for t in clocks["scaled"][0]["spec"]["triggers"] if t["type"] == "cron")["metadata"])
    assert keda_cron_active(meta, opens)
    late = meta["start"].split()
    meta["start"] = " ".join(["1", str(calendar.opens // 60), *late[2:]])  # a minute past the open
    assert not keda_cron_active(meta, opens)


def test_a_calendar_that_differs_from_the_configs_is_caught(clocks: dict[str, Any]) -> None:
    """Drop a holiday from the calendar only: at 10:00 that day every clock disagrees with it."""
    calendar: Calendar = clocks["calendar"]
    holiday = calendar.holidays[0].day
    edited = dataclasses.replace(calendar, holidays=calendar.holidays[1:])
    instant = dt.datetime(holiday.year, holiday.month, holiday.day, 10, 0, 30, tzinfo=calendar.zone)
    _check(clocks, instant)
    with pytest.raises(AssertionError):
        _check({**clocks, "calendar": edited}, instant)
