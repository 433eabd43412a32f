"""The market's clock in Alertmanager's terms: named time intervals and the market-data route.

Alertmanager can say "these times on these weekdays" and "these dates", but not "except these
dates", so the route is active in the sessions (regular and special) and muted on the holidays.
A holiday that has a special session (Muhurat trading on Diwali) is muted only outside it."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from itertools import groupby
from typing import Any

from compiler.plan.market import runs
from compiler.plan.model import MarketHours, MarketRoute
from compiler.render.alerts import CLOCK_LABEL, MARKET_CLOCK

SESSIONS = "market-sessions"
SPECIAL_SESSIONS = "market-special-sessions"
HOLIDAYS = "market-holidays"
DAY_START = "00:00"
DAY_END = "24:00"
# Alertmanager counts weekdays from Sunday (0); ISO from Monday (1) to Sunday (7).
WEEKDAY_NAMES = tuple(name.lower() for name in (calendar.day_name[6], *calendar.day_name[:6]))


def weekday_ranges(iso_weekdays: Iterable[int]) -> list[str]:
    """ISO weekdays as Alertmanager's ranges, e.g. 1..5 -> ['monday:friday']."""
    ranges = runs(day % 7 for day in iso_weekdays)
    return [
        WEEKDAY_NAMES[lo] if lo == hi else f"{WEEKDAY_NAMES[lo]}:{WEEKDAY_NAMES[hi]}" for lo, hi in ranges
    ]


def day_ranges(days: Iterable[int]) -> list[str]:
    """Days of a month as Alertmanager's ranges, e.g. 3 4 5 9 -> ['3:5', '9']."""
    return [str(lo) if lo == hi else f"{lo}:{hi}" for lo, hi in runs(days)]


def _times(sessions: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"start_time": start, "end_time": end} for start, end in sorted(sessions)]


def complement(sessions: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parts of a day outside the sessions (times as "HH:MM", which sort as they read)."""
    gaps: list[tuple[str, str]] = []
    cursor = DAY_START
    for start, end in sorted(sessions):
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < DAY_END:
        gaps.append((cursor, DAY_END))
    return gaps


def _on(day: date, location: str, **fields: Any) -> dict[str, Any]:
    return {
        **fields,
        "days_of_month": [str(day.day)],
        "months": [str(day.month)],
        "years": [str(day.year)],
        "location": location,
    }


def time_intervals(hours: MarketHours) -> list[dict[str, Any]]:
    """The named intervals of the market clock: sessions, special sessions, holidays."""
    where = hours.location
    named = [
        {
            "name": SESSIONS,
            "time_intervals": [
                {
                    "times": _times(hours.sessions),
                    "weekdays": weekday_ranges(hours.weekdays),
                    "location": where,
                }
            ],
        }
    ]
    special = dict(hours.special)
    if special:
        named.append(
            {
                "name": SPECIAL_SESSIONS,
                "time_intervals": [
                    _on(day, where, times=_times(sessions)) for day, sessions in sorted(special.items())
                ],
            }
        )
    holidays = _holiday_intervals(hours)
    if holidays:
        named.append({"name": HOLIDAYS, "time_intervals": holidays})
    return named


def _holiday_intervals(hours: MarketHours) -> list[dict[str, Any]]:
    """Whole holidays by month, and the hours outside its special session on a holiday that has one."""
    where = hours.location
    special = dict(hours.special)
    holidays: list[dict[str, Any]] = []
    whole = sorted(day for day in set(hours.holidays) if day not in special)
    for (year, month), days in groupby(whole, key=lambda day: (day.year, day.month)):
        holidays.append(
            {
                "days_of_month": day_ranges(day.day for day in days),
                "months": [str(month)],
                "years": [str(year)],
                "location": where,
            }
        )
    for day in sorted(set(hours.holidays) & set(special)):
        gaps = complement(special[day])
        if gaps:
            holidays.append(_on(day, where, times=_times(gaps)))
    return holidays


def market_route(market: MarketRoute) -> dict[str, Any]:
    """The route that takes every market-data alert and notifies only while the market trades."""
    active = [SESSIONS]
    if market.hours.special:
        active.append(SPECIAL_SESSIONS)
    route: dict[str, Any] = {
        "receiver": market.receiver,
        "matchers": [f'{CLOCK_LABEL}="{MARKET_CLOCK}"'],
        "active_time_intervals": active,
    }
    if _holiday_intervals(market.hours):
        route["mute_time_intervals"] = [HOLIDAYS]
    return route
