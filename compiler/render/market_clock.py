"""The market's clock in Alertmanager's terms: named time intervals and the market-data routes.

Alertmanager can say "these times on these weekdays" and "these dates", but not "except these
dates". So the regular week holds on every date, the dated hours of the calendar add times to it
(special sessions, longer sessions) and mute the times they take away (holidays, shorter sessions).
Time intervals carry years, so this is exact inside the calendar's years, and after them the
regular week goes on by itself."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from compiler.plan.market import runs
from compiler.plan.model import DatedTimes, MarketHours, MarketRoute
from compiler.render.alerts import CALENDAR_CLOCK, CLOCK_LABEL, MARKET_CLOCK

SESSIONS = "market-sessions"
EXTRA_HOURS = "market-extra-hours"
CLOSURES = "market-closures"
# Alertmanager counts weekdays from Sunday (0); ISO from Monday (1) to Sunday (7).
WEEKDAY_NAMES = tuple(name.lower() for name in (calendar.day_name[6], *calendar.day_name[:6]))


def weekday_ranges(iso_weekdays: Iterable[int]) -> list[str]:
    """ISO weekdays as Alertmanager's ranges, e.g. 1..5 -> ['monday:friday']."""
    ranges = runs(day % 7 for day in iso_weekdays)
    return [
        WEEKDAY_NAMES[lo] if lo == hi else f"{WEEKDAY_NAMES[lo]}:{WEEKDAY_NAMES[hi]}" for lo, hi in ranges
    ]


def _times(sessions: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"start_time": start, "end_time": end} for start, end in sorted(sessions)]


def _months(first: dt.date, last: dt.date) -> Iterator[tuple[int, int, int, int]]:
    """(year, month, first day, last day) of each month a date range touches, clipped to the range."""
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        days = calendar.monthrange(year, month)[1]
        low = first.day if (year, month) == (first.year, first.month) else 1
        high = last.day if (year, month) == (last.year, last.month) else days
        yield year, month, low, high
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _dated_intervals(
    dated: DatedTimes, weekdays: Iterable[int], location: str | None
) -> Iterator[dict[str, Any]]:
    for year, month, low, high in _months(dated.first, dated.last):
        entry: dict[str, Any] = {"times": _times(dated.times)}
        if dated.on_weekdays:
            entry["weekdays"] = weekday_ranges(weekdays)
        entry |= {
            "days_of_month": [str(low) if low == high else f"{low}:{high}"],
            "months": [str(month)],
            "years": [str(year)],
        }
        if location is not None:
            entry["location"] = location
        yield entry


def time_intervals(hours: MarketHours) -> list[dict[str, Any]]:
    """The named intervals of the market clock: the regular week, the dated extra hours and closures."""
    named = [
        {
            "name": SESSIONS,
            "time_intervals": [
                {
                    "times": _times(hours.sessions),
                    "weekdays": weekday_ranges(hours.weekdays),
                    "location": hours.location,
                }
            ],
        }
    ]
    for name, dated in ((EXTRA_HOURS, hours.extra), (CLOSURES, hours.closed)):
        if dated:
            entries = [entry for d in dated for entry in _dated_intervals(d, hours.weekdays, hours.location)]
            named.append({"name": name, "time_intervals": entries})
    return named


def utc_time_intervals(hours: MarketHours, offset: int) -> list[dict[str, Any]]:
    """The same named intervals in UTC, for a zone offset minutes ahead of UTC that never changes.

    Each local time range moves by the offset and splits where it crosses midnight UTC; the part on
    the day before (or after) keeps its weekdays and dates moved by that day, across months and years.
    """

    def pieces(times: Iterable[tuple[str, str]]) -> dict[int, list[tuple[str, str]]]:
        found: dict[int, list[tuple[str, str]]] = {}
        for start, end in times:
            low, high = _minute(start) - offset, _minute(end) - offset
            for day in (-1, 0, 1):
                lo, hi = max(low, day * DAY), min(high, (day + 1) * DAY)
                if lo < hi:
                    found.setdefault(day, []).append((_clock(lo - day * DAY), _clock(hi - day * DAY)))
        return found

    def moved(day: int) -> tuple[int, ...]:
        return tuple(sorted((weekday - 1 + day) % 7 + 1 for weekday in hours.weekdays))

    regular = [
        {"times": _times(times), "weekdays": weekday_ranges(moved(day))}
        for day, times in sorted(pieces(hours.sessions).items())
    ]
    named = [{"name": SESSIONS, "time_intervals": regular}]
    for name, dated in ((EXTRA_HOURS, hours.extra), (CLOSURES, hours.closed)):
        entries = [
            entry
            for d in dated
            for day, times in sorted(pieces(d.times).items())
            for entry in _dated_intervals(
                DatedTimes(
                    d.first + dt.timedelta(days=day),
                    d.last + dt.timedelta(days=day),
                    d.on_weekdays,
                    tuple(times),
                ),
                moved(day),
                None,
            )
        ]
        if entries:
            named.append({"name": name, "time_intervals": entries})
    return named


DAY = 24 * 60


def _minute(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _open(hours: MarketHours) -> list[str]:
    return [SESSIONS, EXTRA_HOURS] if hours.extra else [SESSIONS]


def market_routes(market: MarketRoute) -> list[dict[str, Any]]:
    """The routes of the market-data alerts: to the market's receiver while the market trades, and
    to the closed-market receiver (one that does not page) at every other time, never to no one.

    Each matches every market-data alert and lets it go on to the next, so that exactly one of
    them notifies at any instant; the last one stops it."""
    hours = market.hours
    matchers = [f'{CLOCK_LABEL}="{MARKET_CLOCK}"']
    trading: dict[str, Any] = {
        "receiver": market.receiver,
        "matchers": matchers,
        "active_time_intervals": _open(hours),
    }
    if hours.closed:
        trading["mute_time_intervals"] = [CLOSURES]
    trading["continue"] = True
    closed: dict[str, Any] = {
        "receiver": market.closed_receiver,
        "matchers": matchers,
        "mute_time_intervals": _open(hours),
    }
    routes = [trading, closed]
    if hours.closed:
        closed["continue"] = True
        routes.append(
            {"receiver": market.closed_receiver, "matchers": matchers, "active_time_intervals": [CLOSURES]}
        )
    return routes


def calendar_route(receiver: str) -> dict[str, Any]:
    """The route of the warning that the calendar runs out: to the platform team, never the desk's pager."""
    return {"receiver": receiver, "matchers": [f'{CLOCK_LABEL}="{CALENDAR_CLOCK}"']}
