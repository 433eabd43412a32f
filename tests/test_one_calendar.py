"""One calendar, three clocks: KEDA's floor, Alertmanager's paging and Argo CD's freeze follow it, in
every year: inside the calendar's years, after its last listed day and across year ends.

Each generated config is evaluated with its program's own semantics (tests/cronexpr.py for robfig
cron as KEDA and Argo CD read it, tests/timeinterval.py for Alertmanager) at instants from
2026-01-01 to 2028-12-31. Paging must say exactly what the calendar says (time intervals have
years); the floors and the freezes, whose cron has no year, must hold at every busy instant of
the calendar (after its years: every trading weekday's regular sessions) and may hold on a
closed day, a cost out/README.md states per year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiler.kustomize.environment import build_environment
from compiler.pipeline import compile_spec, load_plan
from compiler.plan.market import Calendar
from compiler.plan.model import Plan
from tests.conftest import ROOT
from tests.cronexpr import argo_window_active, keda_cron_active
from tests.timeinterval import route_active

FIRST = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
LAST = dt.datetime(2029, 1, 1, tzinfo=dt.UTC)
SPAN_SECONDS = int((LAST - FIRST).total_seconds())
COMMODITY = ROOT / "tests" / "fixtures" / "commodity"


def _clocks(plan: Plan, tree: dict[str, str], env_name: str) -> dict[str, Any]:
    """The configs the three programs read for one environment, and the calendar."""
    assert plan.market is not None
    (env,) = [e for e in plan.environments if e.name == env_name]
    scaled = [o for o in build_environment(env) if o["kind"] == "ScaledObject"]
    alertmanager = yaml.safe_load(tree[f"overlays/{env_name}/config/alertmanager-config/alertmanager.yml"])
    routes = [r for r in alertmanager["route"]["routes"] if r.get("matchers") == ['clock="market"']]
    project = yaml.safe_load(tree["argocd/project.yaml"].split("\n", 1)[1])
    (app,) = [a for a in plan.applications if a.environment == env_name]
    windows = [w for w in project["spec"]["syncWindows"] if app.name in w["applications"]]
    leads = {w.name: w.scaling.floor.lead_minutes for w in env.workloads if w.scaling and w.scaling.floor}
    assert scaled and windows and routes
    return {
        "calendar": plan.market,
        "scaled": scaled,
        "leads": leads,
        "alertmanager": alertmanager,
        "routes": routes,
        "windows": windows,
        "freeze_lead": app.lead_minutes,
    }


@pytest.fixture(scope="module", params=["shipped", "commodity"])
def clocks(
    request: pytest.FixtureRequest, shipped_plan: Plan, shipped_tree: dict[str, str]
) -> dict[str, Any]:
    """Production's configs of the shipped system, and of the commodity desk's example."""
    if request.param == "shipped":
        return _clocks(shipped_plan, shipped_tree, "prod")
    spec, monitoring = COMMODITY / "spec" / "system.yaml", COMMODITY / "monitoring"
    return _clocks(load_plan(spec, monitoring), compile_spec(spec, monitoring), "prod")


def _notified(clocks: dict[str, Any], instant: dt.datetime) -> list[str]:
    """The receivers the market-data routes notify at instant (each matches; continue goes on)."""
    config = clocks["alertmanager"]
    found = []
    for route in clocks["routes"]:
        if route_active(config, route, instant):
            found.append(route["receiver"])
        if not route.get("continue"):
            break
    return found


def _argo_opens_at(calendar: Calendar, instant: dt.datetime, lead: int) -> bool:
    """Whether instant is exactly the first instant of a frozen span (Argo CD's window opens after it)."""
    day, minute = calendar.local(instant)
    starts = [start for start, _ in calendar.spans(day, lead)]
    starts += [start + 24 * 60 for start, _ in calendar.spans(day + dt.timedelta(days=1), lead) if start < 0]
    return minute in starts


def _check(clocks: dict[str, Any], instant: dt.datetime) -> None:
    calendar: Calendar = clocks["calendar"]
    for obj in clocks["scaled"]:
        lead = clocks["leads"][obj["metadata"]["name"]]
        crons = [t["metadata"] for t in obj["spec"]["triggers"] if t["type"] == "cron"]
        floor = any(keda_cron_active(meta, instant) for meta in crons)
        if calendar.is_busy(instant, lead):
            assert floor, ("no floor", obj["metadata"]["name"], instant.isoformat())
    receivers = _notified(clocks, instant)
    market = clocks["routes"][0]["receiver"]
    assert (receivers == [market]) is calendar.is_open(instant), (receivers, instant.isoformat())
    # Exactly one receiver at any instant: the pager in session, the desk's channel otherwise.
    assert len(receivers) == 1, (receivers, instant.isoformat())
    lead = clocks["freeze_lead"]
    if calendar.is_busy(instant, lead) and not _argo_opens_at(calendar, instant, lead):
        assert any(argo_window_active(window, instant) for window in clocks["windows"]), (
            "no freeze",
            instant.isoformat(),
        )


@settings(max_examples=250, deadline=None)
@given(second=st.integers(0, SPAN_SECONDS - 1))
@example(second=0)
@example(second=SPAN_SECONDS - 1)
def test_the_three_clocks_follow_the_calendar_at_any_second(clocks: dict[str, Any], second: int) -> None:
    _check(clocks, FIRST + dt.timedelta(seconds=second))


def _edges(calendar: Calendar, lead: int) -> list[int]:
    """Minutes of a day where something starts or ends, and their neighbours."""
    found = {0, 24 * 60 - 1}
    days = [calendar.first_day + dt.timedelta(days=n) for n in range(7)]
    days += [
        *calendar.special_days(),
        *(h.day for h in calendar.holidays),
        *(c.first for c in calendar.changes),
    ]
    for day in days:
        for start, end in (*calendar.spans(day, lead), *calendar.spans(day)):
            found |= {start - 1, start, end - 1, end}
        for window in calendar.windows(day):
            found |= {window.start - 1, window.start, window.end - 1, window.end}
    return sorted(m % (24 * 60) for m in found)


@settings(max_examples=250, deadline=None)
@given(day=st.integers(0, 3 * 366), index=st.integers(0, 1000), offset=st.sampled_from([0, 1, 59]))
def test_the_three_clocks_follow_the_calendar_at_the_edges(
    clocks: dict[str, Any], day: int, index: int, offset: int
) -> None:
    calendar: Calendar = clocks["calendar"]
    edges = _edges(calendar, max([clocks["freeze_lead"], *clocks["leads"].values()]))
    minute = edges[index % len(edges)]
    local = dt.datetime(2026, 1, 1, tzinfo=calendar.zone) + dt.timedelta(days=day)
    _check(clocks, local + dt.timedelta(minutes=minute, seconds=offset))


def test_every_exceptional_day_and_the_year_ends_agree(clocks: dict[str, Any]) -> None:
    calendar: Calendar = clocks["calendar"]
    # Every fifth minute and every minute where something starts or ends, and the minutes beside it.
    days = {h.day: 5 for h in calendar.holidays} | dict.fromkeys(calendar.special_days(), 5)
    days |= {c.first: 5 for c in calendar.changes} | {c.last: 5 for c in calendar.changes}
    # Across the year ends, in and beyond the calendar: every quarter of an hour and every edge.
    for year in (2027, 2028):
        days |= {dt.date(year, 1, 1) + dt.timedelta(days=n): 15 for n in range(-2, 3)}
    edges = _edges(calendar, max([clocks["freeze_lead"], *clocks["leads"].values()]))
    for day, step in sorted(days.items()):
        first = dt.datetime(day.year, day.month, day.day, tzinfo=calendar.zone)
        for minute in sorted({*range(0, 24 * 60, step), *edges}):
            _check(clocks, first + dt.timedelta(minutes=minute, seconds=30))


def test_the_floor_is_not_held_around_the_clock(clocks: dict[str, Any]) -> None:
    """The floors do hold back: at 03:00 on a Sunday no trigger is active, so the check above can fail."""
    calendar: Calendar = clocks["calendar"]
    sunday = dt.datetime(2027, 3, 7, 3, 0, tzinfo=calendar.zone)
    for obj in clocks["scaled"]:
        crons = [t["metadata"] for t in obj["spec"]["triggers"] if t["type"] == "cron"]
        assert not any(keda_cron_active(meta, sunday) for meta in crons)
    assert not any(argo_window_active(window, sunday) for window in clocks["windows"])


def test_the_evaluators_can_disagree(clocks: dict[str, Any]) -> None:
    """A window that starts a minute late is caught: the property above is not vacuous."""
    calendar: Calendar = clocks["calendar"]
    day = calendar.trading_days()[0]
    lead = clocks["freeze_lead"]
    start = calendar.spans(day, lead)[0][0]
    opens = dt.datetime(day.year, day.month, day.day, tzinfo=calendar.zone) + dt.timedelta(
        minutes=start, seconds=30
    )
    window = dict(clocks["windows"][0])
    minute, hour, *rest = window["schedule"].split()
    window["schedule"] = " ".join([str(int(minute) + 1), hour, *rest])
    assert argo_window_active(clocks["windows"][0], opens)
    assert not argo_window_active(window, opens)
    (floor_start,) = [
        t["metadata"] for t in clocks["scaled"][0]["spec"]["triggers"] if t.get("name") == "trading-days"
    ]
    meta = dict(floor_start)
    lead = clocks["leads"][clocks["scaled"][0]["metadata"]["name"]]
    begins = dt.datetime(day.year, day.month, day.day, tzinfo=calendar.zone) + dt.timedelta(
        minutes=calendar.spans(day, lead)[0][0], seconds=30
    )
    assert keda_cron_active(meta, begins)
    minute, hour, *rest = meta["start"].split()
    meta["start"] = " ".join([str(int(minute) + 1), hour, *rest])  # a minute late
    assert not keda_cron_active(meta, begins)


def test_a_calendar_that_differs_from_the_configs_is_caught(clocks: dict[str, Any]) -> None:
    """Drop a holiday from the calendar only: at noon that day paging disagrees with it."""
    calendar: Calendar = clocks["calendar"]
    whole = [h for h in calendar.holidays if h.whole_day]
    edited = dataclasses.replace(calendar, holidays=tuple(h for h in calendar.holidays if h is not whole[0]))
    day = whole[0].day
    instant = dt.datetime(day.year, day.month, day.day, 12, 0, 30, tzinfo=calendar.zone)
    _check(clocks, instant)
    with pytest.raises(AssertionError):
        _check({**clocks, "calendar": edited}, instant)


def test_a_special_session_on_a_weekday_holiday_is_followed(tmp_path: Path) -> None:
    """NSE held Muhurat trading on weekday holidays (2024, 2025): such a spec compiles, all three follow."""
    spec = (COMMODITY / "spec" / "system.yaml").read_text(encoding="utf-8")
    spec = spec.replace(
        '- {date: "2026-11-08", name: Muhurat trading, start: "18:00", end: "19:00"}',
        '- {date: "2026-12-25", name: Muhurat trading, start: "18:00", end: "19:00"}',
    )
    (tmp_path / "spec").mkdir()
    path = tmp_path / "spec" / "system.yaml"
    path.write_text(spec, encoding="utf-8")
    plan = load_plan(path, tmp_path / "monitoring")
    clocks = _clocks(plan, compile_spec(path, tmp_path / "monitoring"), "prod")
    christmas = dt.datetime(2026, 12, 25, tzinfo=clocks["calendar"].zone)
    assert clocks["calendar"].is_open(christmas + dt.timedelta(hours=18, minutes=30))
    for minute in range(0, 24 * 60):
        _check(clocks, christmas + dt.timedelta(minutes=minute, seconds=30))


def test_a_lead_across_midnight_starts_the_floor_and_the_freeze_the_evening_before(tmp_path: Path) -> None:
    """A morning session from 00:30 with a 60-minute lead: the floor and the freeze start at 23:30 the
    evening before each trading day (Sunday to Thursday), never clipped to midnight."""
    spec = (COMMODITY / "spec" / "system.yaml").read_text(encoding="utf-8")
    spec = spec.replace(
        '{name: morning, start: "09:00", end: "17:00"}', '{name: morning, start: "00:30", end: "17:00"}'
    )
    spec = spec.replace(
        '{name: evening, start: "17:00", end: "23:55"}', '{name: evening, start: "17:00", end: "20:00"}'
    )
    spec = spec.replace('end: "23:30"', 'end: "19:30"')
    spec = spec.replace("prescale: {floor: 4, lead_minutes: 30}", "prescale: {floor: 4, lead_minutes: 60}")
    (tmp_path / "spec").mkdir()
    path = tmp_path / "spec" / "system.yaml"
    path.write_text(spec, encoding="utf-8")
    plan = load_plan(path, tmp_path / "monitoring")
    clocks = _clocks(plan, compile_spec(path, tmp_path / "monitoring"), "prod")
    calendar: Calendar = clocks["calendar"]
    sunday = dt.datetime(2026, 6, 7, tzinfo=calendar.zone)
    assert calendar.is_busy(sunday + dt.timedelta(hours=23, minutes=45), 60)
    for minute in range(0, 3 * 24 * 60, 5):  # Sunday to Tuesday
        _check(clocks, sunday + dt.timedelta(minutes=minute, seconds=30))
    friday_night = dt.datetime(2026, 6, 5, 23, 45, tzinfo=calendar.zone)
    (scaled,) = clocks["scaled"]
    crons = [t["metadata"] for t in scaled["spec"]["triggers"] if t["type"] == "cron"]
    assert not any(keda_cron_active(meta, friday_night) for meta in crons)  # no trading on Saturday
