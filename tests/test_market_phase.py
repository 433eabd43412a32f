"""The market phase in PromQL says what the calendar says, evaluated by Prometheus' own engine.

`nifty:market_open` gates the objectives' alerts; its expression is evaluated with promtool
(`promql_expr_test`) at instants from 2026 to 2028, inside the calendar's years and beyond them,
at the edges of sessions and on every exceptional day, and must equal Calendar.is_open there."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
from pathlib import Path

import pytest

from compiler.pipeline import load_plan
from compiler.plan.market import Calendar
from compiler.plan.model import Plan
from compiler.render.market_phase import (
    LOCAL_DATE,
    LOCAL_MINUTE,
    LOCAL_WEEKDAY,
    expiry_start,
    open_expression,
    phase_group,
)
from compiler.syntax.emit import dump
from tests.conftest import ROOT
from tests.tools import tool

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
COMMODITY = ROOT / "tests" / "fixtures" / "commodity"


def inline(calendar: Calendar) -> str:
    """The open expression with the recorded local minute, date and weekday written out."""
    recorded = {rule["record"]: rule["expr"] for rule in phase_group(calendar)["rules"]}
    expression = open_expression(calendar)
    for name in (LOCAL_MINUTE, LOCAL_DATE, LOCAL_WEEKDAY):
        expression = expression.replace(name, f"({recorded[name]})")
    return expression


def instants(calendar: Calendar, count: int) -> list[dt.datetime]:
    """Every session edge of each exceptional day and of a few ordinary ones, and random instants."""
    chosen = random.Random(20261206)
    days = {h.day for h in calendar.holidays} | set(calendar.special_days())
    days |= {c.first for c in calendar.changes} | {c.last + dt.timedelta(days=1) for c in calendar.changes}
    days |= {dt.date(2027, 1, 4), dt.date(2028, 3, 3), calendar.last_day, dt.date(2027, 1, 1)}
    found = []
    for day in sorted(days):
        local = dt.datetime(day.year, day.month, day.day, tzinfo=calendar.zone)
        edges = {m for w in (*calendar.windows(day), *calendar.sessions) for m in (w.start, w.end)}
        for minute in sorted(edges | {12 * 60}):
            found += [local + dt.timedelta(minutes=minute - 1), local + dt.timedelta(minutes=minute)]
    first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    span = int((dt.datetime(2029, 1, 1, tzinfo=dt.UTC) - first).total_seconds()) // 60
    found += [first + dt.timedelta(minutes=chosen.randrange(span)) for _ in range(count)]
    return found


def promtool_says(expression: str, calendar: Calendar, at: list[dt.datetime], folder: Path) -> None:
    """Run one promtool test file: expression equals calendar.is_open at every instant; raise if not."""
    (folder / "none.yaml").write_text("groups: []\n", encoding="utf-8")
    tests = [
        {
            "expr": expression,
            "eval_time": f"{int((instant - EPOCH).total_seconds())}s",
            "exp_samples": [{"labels": "{}", "value": 1 if calendar.is_open(instant) else 0}],
        }
        for instant in at
    ]
    document = {
        "rule_files": ["none.yaml"],
        # promtool steps from the epoch to the last instant; there is no rule to evaluate at each step.
        "evaluation_interval": "3650d",
        "tests": [{"interval": "3650d", "promql_expr_test": tests}],
    }
    (folder / "phase-tests.yaml").write_text(dump(document), encoding="utf-8")
    result = subprocess.run(
        [tool("promtool"), "test", "rules", "phase-tests.yaml"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.fixture(scope="module", params=["shipped", "commodity"])
def calendar(request: pytest.FixtureRequest, shipped_plan: Plan) -> Calendar:
    """The shipped calendar, and the commodity desk's with its changes and partial holidays."""
    plan = shipped_plan
    if request.param == "commodity":
        plan = load_plan(COMMODITY / "spec" / "system.yaml", COMMODITY / "monitoring")
    assert plan.market is not None
    return plan.market


@pytest.mark.tools
def test_the_market_phase_in_promql_is_the_calendar(calendar: Calendar, tmp_path: Path) -> None:
    promtool_says(inline(calendar), calendar, instants(calendar, 150), tmp_path)


@pytest.mark.tools
def test_a_wrong_phase_is_caught(calendar: Calendar, tmp_path: Path) -> None:
    """Drop the holidays from the calendar the test expects: promtool then disagrees on a holiday."""
    holiday = next(h.day for h in calendar.holidays if h.whole_day)
    noon = dt.datetime(holiday.year, holiday.month, holiday.day, 12, tzinfo=calendar.zone)
    wrong = Calendar(
        calendar.name,
        calendar.timezone,
        calendar.years,
        calendar.weekdays,
        calendar.sessions,
        (),
        calendar.specials,
        calendar.changes,
    )
    assert wrong.is_open(noon) and not calendar.is_open(noon)
    with pytest.raises(AssertionError):
        promtool_says(inline(calendar), wrong, [noon], tmp_path)


def test_the_calendar_alert_starts_at_local_midnight_thirty_days_before_the_end(calendar: Calendar) -> None:
    start = calendar.last_day - dt.timedelta(days=30)
    midnight = dt.datetime(start.year, start.month, start.day, tzinfo=calendar.zone)
    assert expiry_start(calendar, 30) == int(midnight.timestamp())
    assert midnight.astimezone(dt.UTC).hour == 18  # 00:00 in India is 18:30 UTC the day before
