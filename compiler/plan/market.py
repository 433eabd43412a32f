"""The resolved market calendar and its pure evaluators: is the market open at an instant?

A calendar lists whole years. Inside them it is exact: regular sessions on the trading weekdays,
changed by dated session changes, shut by holidays (all day or some sessions), and opened by
special sessions on any date. Outside them it fails safe: every trading weekday counts as a
trading day with the regular sessions, so nothing that follows the clock lapses when a year ends
before the next year's holidays are written down.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby

from compiler.spec.market import WEEKDAYS, Market, clock_minutes

DAY_MINUTES = 24 * 60
ONE_DAY = dt.timedelta(days=1)

Span = tuple[int, int]


def clock_text(minute: int) -> str:
    """HH:MM of minutes since midnight; a time before midnight (negative) reads as the evening before."""
    if minute < 0:
        minute += DAY_MINUTES
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

    @property
    def span(self) -> Span:
        """(start, end) in minutes."""
        return (self.start, self.end)


@dataclass(frozen=True)
class Holiday:
    """A trading weekday on which the market is shut: all day (closed is None) or in the named sessions."""

    day: dt.date
    name: str
    closed: frozenset[str] | None = None

    @property
    def whole_day(self) -> bool:
        """Whether every session is shut."""
        return self.closed is None


@dataclass(frozen=True)
class SpecialSession:
    """A dated session outside the regular hours."""

    day: dt.date
    window: Window


@dataclass(frozen=True)
class SessionChange:
    """Other hours of one regular session on the days from first to last, both included."""

    session: str
    first: dt.date
    last: dt.date
    start: int
    end: int
    reason: str | None = None


@dataclass(frozen=True)
class DatedHours:
    """Days from first to last whose hours differ from the regular week, all with the same windows.

    With on_trading_weekdays the windows hold on the trading weekdays of the range (its other days
    are closed both ways); without it the range is one day that is not a trading weekday."""

    first: dt.date
    last: dt.date
    on_trading_weekdays: bool
    windows: tuple[Span, ...]


@dataclass(frozen=True)
class Calendar:
    """An exchange's clock over whole years, in its local time zone."""

    name: str
    timezone: str
    years: tuple[int, ...]
    weekdays: tuple[int, ...]  # 0 is Monday, as date.weekday()
    sessions: tuple[Window, ...]
    holidays: tuple[Holiday, ...]
    specials: tuple[SpecialSession, ...]
    changes: tuple[SessionChange, ...] = ()

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The calendar's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    @cached_property
    def utc_offset_minutes(self) -> int:
        """The zone's offset from UTC on the calendar's first day, in minutes.

        The consumers that read the clock in UTC (PromQL, External Secrets, an AlertmanagerConfig)
        use it as the offset of every day: the rules admit them only in zones where it never changes.
        """
        offset = dt.datetime(self.years[0], 1, 1, tzinfo=self.zone).utcoffset()
        assert offset is not None
        return int(offset.total_seconds()) // 60

    @property
    def first_day(self) -> dt.date:
        """The first day the calendar lists."""
        return dt.date(self.years[0], 1, 1)

    @property
    def last_day(self) -> dt.date:
        """The last day the calendar lists; after it every trading weekday is taken as a trading day."""
        return dt.date(self.years[-1], 12, 31)

    def covers(self, day: dt.date) -> bool:
        """Whether day is in the calendar's years, where its holidays and exceptions are known."""
        return self.first_day <= day <= self.last_day

    @cached_property
    def _holidays(self) -> dict[dt.date, Holiday]:
        return {h.day: h for h in self.holidays}

    @cached_property
    def _specials(self) -> dict[dt.date, tuple[Window, ...]]:
        found: dict[dt.date, list[Window]] = {}
        for special in self.specials:
            found.setdefault(special.day, []).append(special.window)
        return {day: tuple(windows) for day, windows in found.items()}

    @property
    def opens(self) -> int:
        """Start of the first regular session, in minutes since midnight."""
        return self.sessions[0].start

    @property
    def closes(self) -> int:
        """End of the last regular session, in minutes since midnight."""
        return self.sessions[-1].end

    def is_trading_weekday(self, day: dt.date) -> bool:
        """Whether day falls on a trading weekday, holiday or not."""
        return day.weekday() in self.weekdays

    def regular_sessions(self, day: dt.date) -> tuple[Window, ...]:
        """The regular sessions as they run on day: changed, partly or wholly shut by a holiday."""
        if not self.is_trading_weekday(day):
            return ()
        if not self.covers(day):
            return self.sessions
        holiday = self._holidays.get(day)
        if holiday is not None and holiday.closed is None:
            return ()
        closed = holiday.closed if holiday is not None and holiday.closed is not None else frozenset()
        running = []
        for window in self.sessions:
            if window.name in closed:
                continue
            change = self._change(window.name, day)
            running.append(Window(window.name, change.start, change.end) if change else window)
        return tuple(running)

    def _change(self, session: str, day: dt.date) -> SessionChange | None:
        return next((c for c in self.changes if c.session == session and c.first <= day <= c.last), None)

    def is_trading_day(self, day: dt.date) -> bool:
        """Whether a regular session runs on day."""
        return bool(self.regular_sessions(day))

    def days(self) -> Iterator[dt.date]:
        """Every day of the calendar's years, in order."""
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += ONE_DAY

    def trading_days(self, year: int | None = None) -> tuple[dt.date, ...]:
        """Every trading day of the calendar (or of one of its years), in order."""
        return tuple(
            day for day in self.days() if (year is None or day.year == year) and self.is_trading_day(day)
        )

    # A day's windows and busy spans depend on the day alone, and clocks are read minute by minute:
    # each day's are worked out once, when first asked for.
    @cached_property
    def _windows_of(self) -> dict[dt.date, tuple[Window, ...]]:
        return {}

    @cached_property
    def _spans_of(self) -> dict[tuple[dt.date, int], tuple[Span, ...]]:
        return {}

    def windows(self, day: dt.date) -> tuple[Window, ...]:
        """The sessions that run on day, special sessions included, by start."""
        found = self._windows_of.get(day)
        if found is None:
            special = self._specials.get(day, ()) if self.covers(day) else ()
            found = tuple(sorted((*self.regular_sessions(day), *special), key=lambda w: (w.start, w.end)))
            self._windows_of[day] = found
        return found

    def spans(self, day: dt.date, lead: int = 0) -> tuple[Span, ...]:
        """The busy spans of day: from lead minutes before its first regular session to its last close.

        The regular sessions make one span (their gaps included), and so do the day's special
        sessions. A start before 0 reaches into the evening before.
        """
        known = self._spans_of.get((day, lead))
        if known is not None:
            return known
        found: list[Span] = []
        regular = self.regular_sessions(day)
        if regular:
            found.append((regular[0].start - lead, regular[-1].end))
        special = self.special_span(day)
        if special is not None:
            found.append((special[0] - lead, special[1]))
        spans = self._spans_of[(day, lead)] = tuple(sorted(found))
        return spans

    def special_days(self) -> tuple[dt.date, ...]:
        """The dates with special sessions, in order."""
        return tuple(sorted(self._specials))

    def special_span(self, day: dt.date) -> Span | None:
        """From the first special session of day to the end of its last, if it has any."""
        windows = self._specials.get(day, ()) if self.covers(day) else ()
        if not windows:
            return None
        return (min(w.start for w in windows), max(w.end for w in windows))

    def local(self, instant: dt.datetime) -> tuple[dt.date, float]:
        """The local date of an aware instant and its minutes since local midnight."""
        if instant.tzinfo is None:
            raise ValueError("an instant needs a time zone")
        at = instant.astimezone(self.zone)
        return at.date(), at.hour * 60 + at.minute + (at.second + at.microsecond / 1e6) / 60

    def is_open(self, instant: dt.datetime) -> bool:
        """Whether a session (regular or special) runs at the aware instant."""
        day, minute = self.local(instant)
        return any(w.start <= minute < w.end for w in self.windows(day))

    def is_busy(self, instant: dt.datetime, lead: int = 0) -> bool:
        """Whether instant falls in a busy span with its lead, the next day's lead included."""
        day, minute = self.local(instant)
        if any(start <= minute < end for start, end in self.spans(day, lead)):
            return True
        return any(start + DAY_MINUTES <= minute for start, _ in self.spans(day + ONE_DAY, lead) if start < 0)

    def dated_hours(self) -> tuple[DatedHours, ...]:
        """The days of the calendar whose hours differ from the regular week, in runs of equal hours.

        A run of trading weekdays spans the closed days between them (weekends), so that a change of
        hours over months is a handful of ranges rather than a list of days."""
        found: list[DatedHours] = []
        run: DatedHours | None = None
        for day in self.days():
            actual = tuple(w.span for w in self.windows(day))
            trading = self.is_trading_weekday(day)
            regular = tuple(w.span for w in self.sessions) if trading else ()
            if actual == regular:
                if trading and run is not None:
                    found.append(run)
                    run = None
                continue
            if not trading:
                if run is not None:
                    found.append(run)
                    run = None
                found.append(DatedHours(day, day, False, actual))
            elif run is not None and run.windows == actual:
                run = DatedHours(run.first, day, True, actual)
            else:
                if run is not None:
                    found.append(run)
                run = DatedHours(day, day, True, actual)
        if run is not None:
            found.append(run)
        return tuple(found)


def plan_calendar(market: Market | None) -> Calendar | None:
    """Resolve the spec's calendar into frozen data, holidays and special sessions sorted by date."""
    if market is None:
        return None
    sessions = tuple(
        Window(s.name, clock_minutes(s.start), clock_minutes(s.end))
        for s in sorted(market.sessions, key=lambda s: s.start)
    )
    regular = {w.name: w for w in sessions}
    return Calendar(
        name=market.name,
        timezone=market.timezone,
        years=tuple(sorted(set(market.years))),
        weekdays=tuple(sorted(WEEKDAYS.index(day) for day in set(market.weekdays))),
        sessions=sessions,
        holidays=tuple(
            sorted(
                (
                    Holiday(
                        dt.date.fromisoformat(h.date),
                        h.name,
                        None if h.closed is None else frozenset(h.closed),
                    )
                    for h in market.holidays
                ),
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
                key=lambda s: (s.day, s.window.start),
            )
        ),
        changes=tuple(
            SessionChange(
                c.session,
                dt.date.fromisoformat(c.starting),
                dt.date.fromisoformat(c.until),
                clock_minutes(c.start) if c.start else regular[c.session].start,
                clock_minutes(c.end) if c.end else regular[c.session].end,
                c.reason,
            )
            for c in market.session_changes
            if c.session in regular
        ),
    )


def runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted distinct numbers as inclusive runs of consecutive ones: 1 2 3 5 -> (1, 3) (5, 5)."""
    ordered = sorted(set(numbers))
    found: list[tuple[int, int]] = []
    for _, run in groupby(enumerate(ordered), key=lambda pair: pair[1] - pair[0]):
        members = [number for _, number in run]
        found.append((members[0], members[-1]))
    return found


def number_list(numbers: Iterable[int]) -> str:
    """Numbers in cron's syntax, runs as ranges: 1 2 3 5 -> 1-3,5."""
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in runs(numbers))


def subtract(spans: Iterable[Span], taken: Iterable[Span]) -> tuple[Span, ...]:
    """The parts of spans outside every span of taken."""
    left = sorted(spans)
    for cut_start, cut_end in sorted(taken):
        kept: list[Span] = []
        for start, end in left:
            if cut_end <= start or end <= cut_start:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end < end:
                kept.append((cut_end, end))
        left = kept
    return tuple(left)


@dataclass(frozen=True)
class CronSpan:
    """A busy span as schedules without a year: it starts at start, ends at end, lasting minutes."""

    name: str
    start: str
    end: str
    minutes: int


def weekday_span(calendar: Calendar, lead: int) -> Span:
    """The span that covers every trading day's regular sessions, whatever their changes, with the lead."""
    starts = [calendar.opens, *(c.start for c in calendar.changes)]
    ends = [calendar.closes, *(c.end for c in calendar.changes)]
    return (min(starts) - lead, max(ends))


def uncovered_special_days(calendar: Calendar, lead: int = 0) -> tuple[dt.date, ...]:
    """The dates whose special sessions the trading days' span does not hold."""
    start, end = weekday_span(calendar, lead)
    found = []
    for day in calendar.special_days():
        first, last = calendar.special_span(day) or (start, end)
        if not (calendar.is_trading_weekday(day) and start <= first - lead and last <= end):
            found.append(day)
    return tuple(found)


def cron_spans(calendar: Calendar, lead: int = 0) -> tuple[CronSpan, ...]:
    """Schedules that hold the busy spans in every year, the calendar's and the ones after it.

    Cron has no year: a list of dates would repeat one year's days in the next. So the regular
    span holds on every trading weekday (a holiday gets it too, a cost the README states), and the
    special sessions of a date that it does not cover get a schedule of their own, every year.
    A lead that crosses midnight starts the evening before, on the previous weekday or date.
    """
    start, end = weekday_span(calendar, lead)
    # Cron counts weekdays from Sunday (0); date.weekday() from Monday (0).
    days = [(day + 1) % 7 for day in calendar.weekdays]
    starts = [(day - 1) % 7 for day in days] if start < 0 else days
    found = [
        CronSpan(
            "trading-days",
            f"{start % 60} {(start % DAY_MINUTES) // 60} * * {number_list(starts)}",
            f"{end % 60} {end // 60} * * {number_list(days)}",
            end - start,
        )
    ]
    for day in uncovered_special_days(calendar, lead):
        span = calendar.special_span(day)
        assert span is not None
        begin, finish = span[0] - lead, span[1]
        opening = day - ONE_DAY if begin < 0 else day
        found.append(
            CronSpan(
                f"special-{day.isoformat()}",
                f"{begin % 60} {(begin % DAY_MINUTES) // 60} {opening.day} {opening.month} *",
                f"{finish % 60} {finish // 60} {day.day} {day.month} *",
                finish - begin,
            )
        )
    return tuple(found)


def extra_days(calendar: Calendar, year: int, lead: int = 0) -> tuple[dt.date, ...]:
    """The days of year on which the yearless schedules hold although the market does not trade.

    In the calendar's years: weekday holidays, and the dates of special sessions of any year that
    fall on a closed day. After them: only those dates, as every trading weekday is a trading day.
    """
    dated = {(day.month, day.day) for day in uncovered_special_days(calendar, lead)}
    found = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        if not calendar.windows(day) and (calendar.is_trading_weekday(day) or (day.month, day.day) in dated):
            found.append(day)
        day += ONE_DAY
    return tuple(found)
