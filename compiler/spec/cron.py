"""Five-field cron schedules as a Kubernetes CronJob reads them (robfig/cron v3's standard parser).

The schedule is parsed as the API server validates it: minute, hour, day of month, month and day of
week; `*` or `?`, numbers, month and weekday names, `a-b`, `/step` and lists; `@hourly`, `@daily`
(`@midnight`), `@weekly`, `@monthly` and `@yearly` (`@annually`). When both day fields are
restricted, a day matches if either does (robfig's dayMatches), otherwise both must.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
FIELD_NAMES = ("minute", "hour", "day of month", "month", "day of week")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
DAY_MINUTES = 24 * 60
ONE_DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
# The days over which a schedule's runs are read: long enough for a 29 February schedule to meet
# a century that skips its leap day (2100), fixed so that the output does not depend on today.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2104, 12, 31)


@dataclass(frozen=True)
class Cron:
    """The sets each field matches (weekday 0 is Sunday) and whether a day field is unrestricted."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    def runs_on(self, day: dt.date) -> bool:
        """Whether the schedule fires on day (robfig's dayMatches with the month)."""
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = day.isoweekday() % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return in_days and in_weekdays
        return in_days or in_weekdays

    @property
    def day_minutes(self) -> tuple[int, ...]:
        """The minutes since midnight at which it fires on a day it runs, in order."""
        return tuple(sorted(h * 60 + m for h in self.hours for m in self.minutes))


def _number(text: str, index: int) -> int:
    """A field's value: a number, or a month's or weekday's name where the field takes names."""
    lowered = text.lower()
    if index == 3 and lowered in MONTHS:
        return MONTHS.index(lowered) + 1
    if index == 4 and lowered in WEEKDAYS:
        return WEEKDAYS.index(lowered)
    if not text.isdigit():
        raise ValueError(f"'{text}' is not a number")
    return int(text)


def _field(text: str, index: int) -> frozenset[int]:
    low, high = BOUNDS[index]
    found: set[int] = set()
    for part in text.split(","):
        span, slash, step_text = part.partition("/")
        if slash and not step_text.isdigit():
            raise ValueError(f"'{part}' has no whole step after '/'")
        step = int(step_text) if slash else 1
        if span in ("*", "?"):
            first, last = low, high
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = _number(start, index), _number(end, index)
        else:
            # robfig reads "a/n" as from a to the field's top.
            first = _number(span, index)
            last = high if slash else first
        if step < 1:
            raise ValueError(f"'{part}' has a step of 0")
        if not low <= first <= last <= high:
            raise ValueError(f"'{part}' is outside {low}-{high}")
        found.update(range(first, last + 1, step))
    return frozenset(found)


@lru_cache(maxsize=256)
def parse_cron(text: str) -> Cron:
    """A schedule as the CronJob controller reads it; ValueError naming the field that is wrong."""
    expanded = DESCRIPTORS.get(text.strip().lower(), text)
    if expanded.startswith("@"):
        raise ValueError(f"'{text}' is not a descriptor a CronJob takes ({', '.join(DESCRIPTORS)})")
    fields = expanded.split()
    if len(fields) != 5:
        raise ValueError(f"'{text}' has {len(fields)} fields; a CronJob takes five: {' '.join(FIELD_NAMES)}")
    sets = []
    for index, field in enumerate(fields):
        try:
            sets.append(_field(field, index))
        except ValueError as error:
            raise ValueError(f"{FIELD_NAMES[index]} {error}") from None
    minutes, hours, days, months, weekdays = sets
    return Cron(minutes, hours, days, months, weekdays, _unrestricted(fields[2]), _unrestricted(fields[4]))


def _unrestricted(field: str) -> bool:
    """robfig's star bit: some part of the field is `*` or `?` (with a step or not)."""
    return any(part.partition("/")[0] in ("*", "?") for part in field.split(","))


@lru_cache(maxsize=256)
def longest_gap(text: str) -> int | None:
    """The most minutes between two runs in a row, on the wall clock; None if it never runs."""
    cron = parse_cron(text)
    minutes = cron.day_minutes
    # Within a day the runs are the same on every day it runs; between days, the last run of one to
    # the first of the next.
    gap = max((b - a for a, b in pairwise(minutes)), default=0)
    previous: dt.date | None = None
    day = FIRST_DAY
    # With every day of the month in every month, the weekday alone decides: three weeks tell it all.
    weekly = cron.days == frozenset(range(1, 32)) and cron.months == frozenset(range(1, 13))
    last = FIRST_DAY + 3 * WEEK if weekly else LAST_DAY
    while day <= last:
        if cron.runs_on(day):
            if previous is not None:
                gap = max(gap, (day - previous).days * DAY_MINUTES - minutes[-1] + minutes[0])
            previous = day
        day += ONE_DAY
    return None if previous is None else gap
