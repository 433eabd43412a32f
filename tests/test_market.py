"""The market calendar: the shipped NSE 2026 year and the evaluator the other parts build on."""

from __future__ import annotations

import datetime as dt

import pytest

from compiler.plan.market import Calendar
from compiler.plan.model import Plan

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


@pytest.fixture(scope="module")
def nse(shipped_plan: Plan) -> Calendar:
    """The shipped calendar."""
    assert shipped_plan.market is not None
    return shipped_plan.market


def test_the_shipped_year_has_its_trading_days(nse: Calendar) -> None:
    # 2026 has 261 weekdays; NSE closes on 16 of them.
    assert (nse.timezone, nse.year, len(nse.holidays)) == ("Asia/Kolkata", 2026, 16)
    assert len(nse.trading_days()) == 245
    assert [(w.name, w.start_clock, w.end_clock) for w in nse.sessions] == [
        ("pre-open", "09:00", "09:08"),
        ("normal", "09:15", "15:30"),
        ("closing", "15:40", "16:00"),
    ]


@pytest.mark.parametrize(
    ("local", "is_open"),
    [
        ("2026-01-27 08:59", False),  # a Tuesday, before pre-open
        ("2026-01-27 09:00", True),  # pre-open starts
        ("2026-01-27 09:08", False),  # the pre-open order book is matched, no session
        ("2026-01-27 09:15", True),
        ("2026-01-27 15:29", True),
        ("2026-01-27 15:30", False),  # the closing price is computed until 15:40
        ("2026-01-27 15:40", True),
        ("2026-01-27 16:00", False),  # end exclusive
        ("2026-01-26 10:00", False),  # Republic Day
        ("2026-01-31 10:00", False),  # a Saturday
        ("2026-11-08 18:30", True),  # Muhurat trading on a Sunday
        ("2026-11-08 10:00", False),  # only the special session runs that Sunday
        ("2026-11-10 10:00", False),  # Diwali-Balipratipada
    ],
)
def test_is_open_follows_sessions_holidays_and_special_sessions(
    nse: Calendar, local: str, is_open: bool
) -> None:
    instant = dt.datetime.fromisoformat(local).replace(tzinfo=IST)
    assert nse.is_open(instant) is is_open
    # The same instant in UTC gives the same answer: the calendar reads local time.
    assert nse.is_open(instant.astimezone(dt.UTC)) is is_open


def test_busy_spans_cover_the_gaps_and_the_lead(nse: Calendar) -> None:
    tuesday = dt.date(2026, 1, 27)
    assert nse.spans(tuesday) == ((9 * 60, 16 * 60),)
    assert nse.spans(tuesday, lead=15) == ((8 * 60 + 45, 16 * 60),)
    assert nse.spans(dt.date(2026, 1, 26), lead=15) == ()
    assert nse.spans(dt.date(2026, 11, 8), lead=15) == ((17 * 60 + 45, 19 * 60 + 15),)
    at = dt.datetime(2026, 1, 27, 15, 35, tzinfo=IST)
    assert nse.is_busy(at) and not nse.is_open(at)
    assert nse.is_busy(dt.datetime(2026, 1, 27, 8, 50, tzinfo=IST), lead=15)
    assert not nse.is_busy(dt.datetime(2026, 1, 27, 8, 40, tzinfo=IST), lead=15)


def test_a_naive_instant_is_refused(nse: Calendar) -> None:
    with pytest.raises(ValueError, match="time zone"):
        nse.is_open(dt.datetime(2026, 1, 27, 10, 0))
