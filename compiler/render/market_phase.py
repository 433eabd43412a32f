"""The market phase as Prometheus recording rules, computed from the calendar in PromQL.

`nifty:market_open` is 1 while a session runs and 0 otherwise, with the calendar's years and
dates (PromQL's clock functions have them, unlike cron). The market-data objectives are gated on
it, so a feed that was silent all night does not page at the open: their `for` starts counting
when the market opens. The local time is UTC shifted by the zone's offset, which therefore must
not change (the rules refuse a market alert in a zone with daylight saving time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from compiler.plan.market import Calendar, DatedHours, Span, runs

LOCAL_MINUTE = "nifty:market_local_minute"
LOCAL_DATE = "nifty:market_local_date"
LOCAL_WEEKDAY = "nifty:market_local_weekday"
MARKET_OPEN = "nifty:market_open"
PHASE_GROUP = "nifty-market-phase"


def _weekdays(calendar: Calendar) -> str:
    # day_of_week() counts from Sunday (0), date.weekday() from Monday (0).
    terms = [
        f"({LOCAL_WEEKDAY} == bool {lo})"
        if lo == hi
        else f"({LOCAL_WEEKDAY} >= bool {lo}) * ({LOCAL_WEEKDAY} <= bool {hi})"
        for lo, hi in runs((day + 1) % 7 for day in calendar.weekdays)
    ]
    return _sum(terms)


def _windows(spans: Iterable[Span]) -> str:
    return _sum([f"({LOCAL_MINUTE} >= bool {start}) * ({LOCAL_MINUTE} < bool {end})" for start, end in spans])


def _key(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _dates(dated: DatedHours) -> str:
    if dated.first == dated.last:
        return f"({LOCAL_DATE} == bool {_key(dated.first)})"
    return f"({LOCAL_DATE} >= bool {_key(dated.first)}) * ({LOCAL_DATE} <= bool {_key(dated.last)})"


def _sum(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " + ".join(terms) + ")"


def open_expression(calendar: Calendar) -> str:
    """1 while a session runs, else 0: the regular week off the dated days, plus the dated days' hours."""
    weekdays = _weekdays(calendar)
    regular = f"{weekdays} * {_windows(w.span for w in calendar.sessions)}"
    dated = calendar.dated_hours()
    excluded = [_dates(d) for d in dated if d.on_trading_weekdays]
    if excluded:
        regular = f"{regular} * (1 - {_sum(excluded)})"
    added = [
        f"{_dates(d)} * {weekdays} * {_windows(d.windows)}"
        if d.on_trading_weekdays
        else f"{_dates(d)} * {_windows(d.windows)}"
        for d in dated
        if d.windows
    ]
    return f"clamp({' + '.join([regular, *added])}, 0, 1)"


def phase_group(calendar: Calendar) -> dict[str, Any]:
    """The recording rules: local minute, date and weekday, then whether the market is open.

    Rules of a group run in order at one evaluation time, so each reads the ones before it."""
    local = f"vector(time() + {calendar.utc_offset_minutes * 60})"
    return {
        "name": PHASE_GROUP,
        "rules": [
            {"record": LOCAL_MINUTE, "expr": f"hour({local}) * 60 + minute({local})"},
            {
                "record": LOCAL_DATE,
                "expr": f"year({local}) * 10000 + month({local}) * 100 + day_of_month({local})",
            },
            {"record": LOCAL_WEEKDAY, "expr": f"day_of_week({local})"},
            {"record": MARKET_OPEN, "expr": open_expression(calendar)},
        ],
    }


def gated(expr: str) -> str:
    """An alert expression that holds only while the market is open, or when its phase is unknown."""
    return f"({expr}) unless on() ({MARKET_OPEN} == 0)"


def expiry_start(calendar: Calendar, days_before: int) -> int:
    """Unix seconds of local midnight days_before the calendar's last listed day."""
    day = calendar.last_day - dt.timedelta(days=days_before)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=calendar.zone).timestamp())
