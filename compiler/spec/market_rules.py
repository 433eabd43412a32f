"""Rules over the market calendar: a real time zone, ordered sessions, real and unique dates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.market import WEEKDAYS, Market
from compiler.spec.market import clock_minutes as minutes
from compiler.spec.model import Spec
from compiler.spec.positions import at_value


def check_market(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """Every problem of the spec's market calendar, positioned in doc."""
    market = spec.market
    if market is None:
        return
    loc: Loc = ("market",)
    if not _known_zone(market.timezone):
        yield at_value(
            doc,
            (*loc, "timezone"),
            f"'{market.timezone}' is not a time zone of the IANA database (e.g. Asia/Kolkata)",
        )
    seen_days: set[str] = set()
    for index, day in enumerate(market.weekdays):
        if day in seen_days:
            yield at_value(doc, (*loc, "weekdays", index), f"'{day}' is listed twice")
        seen_days.add(day)
    yield from _sessions(doc, market)
    yield from _dates(doc, market)


def _known_zone(name: str) -> bool:
    """Whether name is a zone of the IANA database that this Python reads."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _sessions(doc: Document, market: Market) -> Iterator[Diagnostic]:
    names: set[str] = set()
    previous_end: tuple[int, str] | None = None
    for index, session in enumerate(market.sessions):
        loc: Loc = ("market", "sessions", index)
        if session.name in names:
            yield at_value(doc, (*loc, "name"), f"session '{session.name}' is listed twice")
        names.add(session.name)
        start, end = minutes(session.start), minutes(session.end)
        if end <= start:
            yield at_value(
                doc,
                (*loc, "end"),
                f"session '{session.name}' ends at {session.end}, not after {session.start}",
            )
            continue
        if previous_end is not None and start < previous_end[0]:
            yield at_value(
                doc,
                (*loc, "start"),
                f"session '{session.name}' starts at {session.start}, before '{previous_end[1]}' ends; "
                "list the sessions in order, without overlaps",
            )
        previous_end = (end, session.name)
    for index, special in enumerate(market.special_sessions):
        if minutes(special.end) <= minutes(special.start):
            yield at_value(
                doc,
                ("market", "special_sessions", index, "end"),
                f"'{special.name}' ends at {special.end}, not after {special.start}",
            )


def _dates(doc: Document, market: Market) -> Iterator[Diagnostic]:
    holidays: dict[dt.date, str] = {}
    for index, holiday in enumerate(market.holidays):
        where: Loc = ("market", "holidays", index, "date")
        day = _date(holiday.date)
        problem = _date_problem(holiday.date, day, market.year)
        if problem is None and day is not None:
            if day in holidays:
                problem = f"{holiday.date} is already the holiday '{holidays[day]}'"
            elif WEEKDAYS[day.weekday()] not in market.weekdays:
                problem = f"{holiday.date} is a {day:%A}, not a trading weekday; leave it out"
            holidays.setdefault(day, holiday.name)
        if problem:
            yield at_value(doc, where, problem)
    specials: set[dt.date] = set()
    for index, special in enumerate(market.special_sessions):
        where = ("market", "special_sessions", index, "date")
        day = _date(special.date)
        problem = _date_problem(special.date, day, market.year)
        if problem is None and day is not None:
            if day in specials:
                problem = f"{special.date} already has a special session"
            elif day in holidays:
                problem = (
                    f"{special.date} is the holiday '{holidays[day]}'; a special session cannot be on it"
                )
            specials.add(day)
        if problem:
            yield at_value(doc, where, problem)


def _date(text: str) -> dt.date | None:
    """The date a YYYY-MM-DD text names, or None when there is no such day."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _date_problem(text: str, day: dt.date | None, year: int) -> str | None:
    """What is wrong with a calendar date, or None."""
    if day is None:
        return f"'{text}' is not a day of the calendar (check the month and the day)"
    if day.year != year:
        return f"{text} is not in the calendar's year {year}"
    return None
