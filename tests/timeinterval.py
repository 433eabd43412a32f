"""Alertmanager's time intervals, evaluated at a chosen instant the way Alertmanager does.

amtool routes alerts without a clock, so the tests evaluate a config's `time_intervals` here.
This follows `ContainsTime` of Alertmanager's timeinterval package: the instant is moved into
`location`; each field that is present must hold; `times` compare whole minutes of the day with
the end excluded; `weekdays` count Sunday as 0; `days_of_month` may count back from the month's
end (-1 is its last day) and are clamped to the month; `months` and `years` are inclusive ranges.
A named interval holds when any of its entries does; a route is active when one of its
`active_time_intervals` holds (or it has none) and none of its `mute_time_intervals` does."""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# calendar.day_name starts on Monday; Alertmanager, like Go, counts Sunday as 0.
WEEKDAYS = {name.lower(): (index + 1) % 7 for index, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}


# Read at every minute of whole years by the clocks' tests: each "HH:MM" is worked out once.
@functools.cache
def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _range(text: str, member: Callable[[str], int]) -> tuple[int, int]:
    """'a:b' or 'a' as an inclusive range."""
    parts = text.split(":")
    return (member(parts[0]), member(parts[-1]))


def _weekday(text: str) -> int:
    return WEEKDAYS[text.lower()]


def _month(text: str) -> int:
    return MONTHS[text.lower()] if text.lower() in MONTHS else int(text)


def _in_days_of_month(ranges: list[str], instant: datetime) -> bool:
    days = calendar.monthrange(instant.year, instant.month)[1]
    for text in ranges:
        begin, end = _range(text, int)
        begin = days + begin + 1 if begin < 0 else begin
        end = days + end + 1 if end < 0 else end
        if begin > days:
            continue
        begin, end = max(min(begin, days), -days), max(min(end, days), -days)
        if begin <= instant.day <= end:
            return True
    return False


def contains(interval: dict[str, Any], instant: datetime) -> bool:
    """Whether one time interval entry holds at an aware instant."""
    if "location" in interval:
        instant = instant.astimezone(ZoneInfo(interval["location"]))
    minute = instant.hour * 60 + instant.minute
    if "times" in interval and not any(
        _minutes(t["start_time"]) <= minute < _minutes(t["end_time"]) for t in interval["times"]
    ):
        return False
    if "days_of_month" in interval and not _in_days_of_month(interval["days_of_month"], instant):
        return False
    if "months" in interval and not any(
        lo <= instant.month <= hi for lo, hi in (_range(m, _month) for m in interval["months"])
    ):
        return False
    weekday = instant.isoweekday() % 7
    if "weekdays" in interval and not any(
        lo <= weekday <= hi for lo, hi in (_range(w, _weekday) for w in interval["weekdays"])
    ):
        return False
    return "years" not in interval or any(
        lo <= instant.year <= hi for lo, hi in (_range(str(y), int) for y in interval["years"])
    )


def named(config: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The config's time intervals by name."""
    return {entry["name"]: entry["time_intervals"] for entry in config.get("time_intervals", [])}


def holds(config: dict[str, Any], name: str, instant: datetime) -> bool:
    """Whether the named interval holds at instant: any of its entries does."""
    return any(contains(entry, instant) for entry in named(config)[name])


def route_active(config: dict[str, Any], route: dict[str, Any], instant: datetime) -> bool:
    """Whether a route notifies at instant: inside an active interval, if any, and no mute interval."""
    active = route.get("active_time_intervals", [])
    if active and not any(holds(config, name, instant) for name in active):
        return False
    return not any(holds(config, name, instant) for name in route.get("mute_time_intervals", []))
