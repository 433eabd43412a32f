"""The resolved market calendar and its pure evaluators: is the market open at an instant?"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby

from compiler.spec.market import WEEKDAYS, Market, clock_minutes

DAY_MINUTES = 24 * 60


def clock_text(minute: int) -> str:
    """HH:MM of minutes since midnight."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class Window:
    """A named span of local time on one day, [start, end) in minutes since midnight."""

    name: str
    start: int
    end: int

    @property
    def start_clock(self) -> str:
        """Start as HH:MM."""
        return clock_text(self.start)

    @property
    def end_clock(self) -> str:
        """End as HH:MM."""
        return clock_text(self.end)


@dataclass(frozen=True)
class Holiday:
    """A trading weekday on which the market is shut."""

    day: dt.date
    name: str


@dataclass(frozen=True)
class SpecialSession:
    """A dated session outside the ordinary week."""

    day: dt.date
    window: Window


@dataclass(frozen=True)
class Calendar:
    """One year of an exchange's clock, in its local time zone."""

    name: str
    timezone: str
    year: int
    weekdays: tuple[int, ...]  # 0 is Monday, as date.weekday()
    sessions: tuple[Window, ...]
    holidays: tuple[Holiday, ...]
    specials: tuple[SpecialSession, ...]

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The calendar's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    @cached_property
    def holiday_days(self) -> frozenset[dt.date]:
        """The dates of the holidays."""
        return frozenset(h.day for h in self.holidays)

    @property
    def opens(self) -> int:
        """Start of the first session of a trading day, in minutes since midnight."""
        return self.sessions[0].start

    @property
    def closes(self) -> int:
        """End of the last session of a trading day, in minutes since midnight."""
        return self.sessions[-1].end

    def is_trading_day(self, day: dt.date) -> bool:
        """Whether the ordinary sessions run on day."""
        return day.weekday() in self.weekdays and day not in self.holiday_days

    def trading_days(self) -> tuple[dt.date, ...]:
        """Every trading day of the calendar's year, in order."""
        first = dt.date(self.year, 1, 1)
        days = (first + dt.timedelta(days=n) for n in range((dt.date(self.year + 1, 1, 1) - first).days))
        return tuple(day for day in days if self.is_trading_day(day))

    def windows(self, day: dt.date) -> tuple[Window, ...]:
        """The sessions that run on day, special sessions included, by start."""
        ordinary = self.sessions if self.is_trading_day(day) else ()
        special = tuple(s.window for s in self.specials if s.day == day)
        return tuple(sorted((*ordinary, *special), key=lambda w: (w.start, w.end)))

    def spans(self, day: dt.date, lead: int = 0) -> tuple[tuple[int, int], ...]:
        """The busy spans of day: from lead minutes before the first open to the last close.

        A trading day is one span (the gaps between its sessions included); each special session
        is its own span. Minutes are clipped to the day: a lead never reaches into the day before.
        """
        found: list[tuple[int, int]] = []
        if self.is_trading_day(day):
            found.append((max(0, self.opens - lead), self.closes))
        found += [(max(0, s.window.start - lead), s.window.end) for s in self.specials if s.day == day]
        return tuple(sorted(found))

    def local(self, instant: dt.datetime) -> tuple[dt.date, float]:
        """The local date of an aware instant and its minutes since local midnight."""
        if instant.tzinfo is None:
            raise ValueError("an instant needs a time zone")
        at = instant.astimezone(self.zone)
        return at.date(), at.hour * 60 + at.minute + (at.second + at.microsecond / 1e6) / 60

    def is_open(self, instant: dt.datetime) -> bool:
        """Whether a session (ordinary or special) runs at the aware instant."""
        day, minute = self.local(instant)
        return any(w.start <= minute < w.end for w in self.windows(day))

    def is_busy(self, instant: dt.datetime, lead: int = 0) -> bool:
        """Whether instant falls in a busy span (the trading day, or a special session) with its lead."""
        day, minute = self.local(instant)
        return any(start <= minute < end for start, end in self.spans(day, lead))


def plan_calendar(market: Market | None) -> Calendar | None:
    """Resolve the spec's calendar into frozen data, holidays and special sessions sorted by date."""
    if market is None:
        return None
    return Calendar(
        name=market.name,
        timezone=market.timezone,
        year=market.year,
        weekdays=tuple(sorted(WEEKDAYS.index(day) for day in set(market.weekdays))),
        sessions=tuple(
            Window(s.name, clock_minutes(s.start), clock_minutes(s.end))
            for s in sorted(market.sessions, key=lambda s: s.start)
        ),
        holidays=tuple(
            sorted(
                (Holiday(dt.date.fromisoformat(h.date), h.name) for h in market.holidays),
                key=lambda h: h.day,
            )
        ),
        specials=tuple(
            sorted(
                (
                    SpecialSession(
                        dt.date.fromisoformat(s.date),
                        Window(s.name, clock_minutes(s.start), clock_minutes(s.end)),
                    )
                    for s in market.special_sessions
                ),
                key=lambda s: s.day,
            )
        ),
    )


@dataclass(frozen=True)
class DaySpan:
    """Busy local minutes [start, end) on the days of one month, or on one dated day."""

    name: str
    month: int
    days: tuple[int, ...]
    start: int
    end: int


def runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted distinct numbers as inclusive runs of consecutive ones: 1 2 3 5 -> (1, 3) (5, 5)."""
    ordered = sorted(set(numbers))
    found: list[tuple[int, int]] = []
    for _, run in groupby(enumerate(ordered), key=lambda pair: pair[1] - pair[0]):
        members = [number for _, number in run]
        found.append((members[0], members[-1]))
    return found


def day_list(days: tuple[int, ...]) -> str:
    """Days of a month in cron's syntax, runs as ranges: 1 2 3 5 -> 1-3,5."""
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in runs(days))


def day_spans(calendar: Calendar, lead: int = 0) -> tuple[DaySpan, ...]:
    """Busy spans for schedules without a year: one per month of trading days, one per special session.

    Cron ORs day-of-month with day-of-week when both are restricted and cannot skip a holiday, so
    each month lists its trading days by day of month with any weekday; the lists hold for the
    calendar's year only (the next year repeats its dates until the calendar is edited).
    """
    spans: list[DaySpan] = []
    days = calendar.trading_days()
    start, end = max(0, calendar.opens - lead), calendar.closes
    for month in range(1, 13):
        listed = tuple(day.day for day in days if day.month == month)
        if listed:
            spans.append(DaySpan(f"trading-{calendar.year}-{month:02d}", month, listed, start, end))
    for special in calendar.specials:
        window = special.window
        spans.append(
            DaySpan(
                f"special-{special.day.isoformat()}",
                special.day.month,
                (special.day.day,),
                max(0, window.start - lead),
                window.end,
            )
        )
    return tuple(spans)


def cron(minute: int, span: DaySpan) -> str:
    """A five-field cron schedule at minute (since midnight) on span's days, any weekday."""
    return f"{minute % 60} {minute // 60} {day_list(span.days)} {span.month} *"
