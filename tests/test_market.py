"""The market calendar: the shipped NSE 2026 year and the evaluator the other parts build on."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from compiler.plan.market import (
    Calendar,
    Holiday,
    SessionChange,
    SpecialSession,
    Window,
    cron_spans,
    extra_days,
)
from compiler.plan.model import Plan

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


@pytest.fixture(scope="module")
def nse(shipped_plan: Plan) -> Calendar:
    """The shipped calendar."""
    assert shipped_plan.market is not None
    return shipped_plan.market


def test_the_shipped_year_has_its_trading_days(nse: Calendar) -> None:
    # 2026 has 261 weekdays; NSE closes on 16 of them.
    assert (nse.timezone, nse.years, len(nse.holidays)) == ("Asia/Kolkata", (2026,), 16)
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
        ("2026-11-08 14:00", True),  # Muhurat trading on a Sunday
        ("2026-11-08 13:40", False),  # between its pre-open and its trading
        ("2026-11-08 10:00", False),  # only the special sessions run that Sunday
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
    assert nse.spans(dt.date(2026, 11, 8), lead=15) == ((13 * 60 + 15, 14 * 60 + 45),)
    at = dt.datetime(2026, 1, 27, 15, 35, tzinfo=IST)
    assert nse.is_busy(at) and not nse.is_open(at)
    assert nse.is_busy(dt.datetime(2026, 1, 27, 8, 50, tzinfo=IST), lead=15)
    assert not nse.is_busy(dt.datetime(2026, 1, 27, 8, 40, tzinfo=IST), lead=15)


def test_a_naive_instant_is_refused(nse: Calendar) -> None:
    with pytest.raises(ValueError, match="time zone"):
        nse.is_open(dt.datetime(2026, 1, 27, 10, 0))


# --- a calendar with dated exceptions, and beyond its years ---------------------------------------

MCX = Calendar(
    name="MCX",
    timezone="Asia/Kolkata",
    years=(2026, 2027),
    weekdays=(0, 1, 2, 3, 4),
    sessions=(Window("morning", 9 * 60, 17 * 60), Window("evening", 17 * 60, 23 * 60 + 55)),
    holidays=(
        Holiday(dt.date(2026, 1, 26), "Republic Day"),
        Holiday(dt.date(2026, 3, 3), "Holi", frozenset({"morning"})),
        Holiday(dt.date(2026, 4, 3), "Good Friday"),
    ),
    specials=(SpecialSession(dt.date(2026, 1, 26), Window("evening special", 18 * 60, 19 * 60)),),
    changes=(SessionChange("evening", dt.date(2026, 3, 9), dt.date(2026, 11, 1), 17 * 60, 23 * 60 + 30),),
)


@pytest.mark.parametrize(
    ("local", "is_open"),
    [
        ("2026-03-02 23:45", True),  # before US daylight saving: the evening closes at 23:55
        ("2026-03-10 23:45", False),  # during it: 23:30
        ("2026-03-10 23:29", True),
        ("2026-11-02 23:45", True),  # after it again
        ("2026-03-03 10:00", False),  # Holi shuts the morning session only
        ("2026-03-03 17:30", True),
        ("2026-04-03 17:30", False),  # Good Friday shuts both
        ("2026-01-26 10:00", False),  # Republic Day, with an evening special session on it
        ("2026-01-26 18:30", True),
        ("2026-01-26 19:00", False),
        ("2028-01-26 10:00", True),  # beyond the calendar: every weekday trades its regular sessions
        ("2028-03-08 23:45", True),
        ("2028-01-29 10:00", False),  # a Saturday stays closed
    ],
)
def test_exceptions_and_the_years_beyond(local: str, is_open: bool) -> None:
    instant = dt.datetime.fromisoformat(local).replace(tzinfo=IST)
    assert MCX.is_open(instant) is is_open


def test_dated_hours_list_each_exception_once_in_runs() -> None:
    dated = MCX.dated_hours()
    firsts = [(d.first.isoformat(), d.last.isoformat(), d.on_trading_weekdays, d.windows) for d in dated]
    evening_dst = ((9 * 60, 17 * 60), (17 * 60, 23 * 60 + 30))
    assert firsts[0] == ("2026-01-26", "2026-01-26", True, ((18 * 60, 19 * 60),))
    assert firsts[1] == ("2026-03-03", "2026-03-03", True, ((17 * 60, 23 * 60 + 55),))
    # The change of the evening's close spans weekends: Good Friday cuts it in two runs.
    assert firsts[2] == ("2026-03-09", "2026-04-02", True, evening_dst)
    assert firsts[3] == ("2026-04-03", "2026-04-03", True, ())
    assert firsts[4] == ("2026-04-06", "2026-10-30", True, evening_dst)
    assert len(dated) == 5
    # Every listed day agrees with the calendar, and every other day runs the regular week.
    listed = {d.first + dt.timedelta(days=n): d for d in dated for n in range((d.last - d.first).days + 1)}
    for day in MCX.days():
        windows = tuple(w.span for w in MCX.windows(day))
        if day in listed and (MCX.is_trading_weekday(day) or not listed[day].on_trading_weekdays):
            assert windows == listed[day].windows, day
        elif MCX.is_trading_weekday(day):
            assert windows == tuple(w.span for w in MCX.sessions), day
        else:
            assert windows == (), day


def test_a_lead_across_midnight_reaches_into_the_evening_before() -> None:
    early = dataclasses.replace(
        MCX, sessions=(Window("morning", 30, 17 * 60),), changes=(), holidays=(), specials=()
    )
    monday = dt.date(2026, 6, 1)
    assert early.spans(monday, lead=60) == ((-30, 17 * 60),)
    sunday_night = dt.datetime(2026, 5, 31, 23, 45, tzinfo=IST)
    assert early.is_busy(sunday_night, lead=60)
    assert not early.is_busy(sunday_night, lead=10)
    friday_night = dt.datetime(2026, 6, 5, 23, 45, tzinfo=IST)
    assert not early.is_busy(friday_night, lead=60)  # no trading on Saturday
    (weekdays,) = cron_spans(early, 60)
    assert (weekdays.start, weekdays.end, weekdays.minutes) == ("30 23 * * 0-4", "0 17 * * 1-5", 17 * 60 + 30)


def test_yearless_schedules_cover_every_weekday_and_each_uncovered_special() -> None:
    spans = cron_spans(MCX, 15)
    # Republic Day is a weekday, and its evening special lies inside the weekday span: no schedule of its own.
    assert [s.name for s in spans] == ["trading-days"]
    assert (spans[0].start, spans[0].end) == ("45 8 * * 1-5", "55 23 * * 1-5")
    # Good Friday is the one weekday of 2026 with no session at all; 2028 is beyond the calendar.
    assert extra_days(MCX, 2026, 15) == (dt.date(2026, 4, 3),)
    assert extra_days(MCX, 2028, 15) == ()
    sunday = dataclasses.replace(
        MCX, specials=(SpecialSession(dt.date(2026, 11, 8), Window("muhurat", 18 * 60, 19 * 60)),)
    )
    dated = cron_spans(sunday, 15)[1]
    assert (dated.name, dated.start, dated.end) == ("special-2026-11-08", "45 17 8 11 *", "0 19 8 11 *")
    # Its date repeats every year: in 2031 it is a Saturday, closed, with a floor.
    assert dt.date(2031, 11, 8) in extra_days(sunday, 2031, 15)
