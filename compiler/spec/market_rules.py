"""Rules over the market calendar: a real time zone, whole years, ordered sessions, real and unique
dates, and exceptions that each change something without contradicting another."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.market import WEEKDAYS, Market
from compiler.spec.market import clock_minutes as minutes
from compiler.spec.model import Spec
from compiler.spec.positions import at_key, at_value

ROOT: Loc = ("market",)
# The last year a calendar's zone is checked for daylight saving time, as the model's years end.
LAST_YEAR = 2100


def check_market(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """Every problem of the spec's market calendar, positioned in doc."""
    market = spec.market
    if market is None:
        return
    if not known_zone(market.timezone):
        yield at_value(
            doc,
            (*ROOT, "timezone"),
            f"'{market.timezone}' is not a time zone of the IANA database (e.g. Asia/Kolkata)",
            code="N901",
        )
    elif _has_objectives(spec) and shifts_offset(market.timezone, market.years[0]):
        yield at_value(
            doc,
            (*ROOT, "timezone"),
            f"'{market.timezone}' changes its offset from UTC (daylight saving time), which the market "
            "phase that gates the objectives' alerts cannot follow (PromQL knows UTC only); "
            "use a zone with a fixed offset (e.g. Etc/GMT-2), writing the sessions in it",
            code="N901",
        )
    yield from _years(doc, market)
    seen_days: set[str] = set()
    for index, day in enumerate(market.weekdays):
        if day in seen_days:
            yield at_value(doc, (*ROOT, "weekdays", index), f"'{day}' is listed twice", code="N902")
        seen_days.add(day)
    yield from _sessions(doc, market)
    yield from _changes(doc, market)
    yield from _holidays(doc, market)
    yield from _specials(doc, market)
    for index, text in enumerate(market.reviewed_differences):
        _, problem = _in_years(text, market)
        if problem:
            yield at_value(doc, (*ROOT, "reviewed_differences", index), problem, code="N907")


def _has_objectives(spec: Spec) -> bool:
    return any(c.objectives for layer in spec.layers for c in layer.components)


def shifts_offset(name: str, first_year: int) -> bool:
    """Whether the zone's offset from UTC differs between any two half-years from first_year on."""
    zone = zoneinfo.ZoneInfo(name)
    offsets = {
        dt.datetime(year, month, 1, tzinfo=zone).utcoffset()
        for year in range(first_year, LAST_YEAR + 1)
        for month in (1, 7)
    }
    return len(offsets) > 1


def known_zone(name: str) -> bool:
    """Whether name is a zone of the IANA database that this Python reads."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _years(doc: Document, market: Market) -> Iterator[Diagnostic]:
    for index, year in enumerate(market.years[1:], start=1):
        before = market.years[index - 1]
        if year != before + 1:
            yield at_value(
                doc,
                (*ROOT, "years", index),
                f"{year} does not follow {before}: list the years in order, without gaps or repeats "
                "(each year's holidays must be known)",
                code="N902",
            )


def _sessions(doc: Document, market: Market) -> Iterator[Diagnostic]:
    names: set[str] = set()
    previous_end: tuple[int, str] | None = None
    for index, session in enumerate(market.sessions):
        loc: Loc = (*ROOT, "sessions", index)
        if session.name in names:
            yield at_value(doc, (*loc, "name"), f"session '{session.name}' is listed twice", code="N903")
        names.add(session.name)
        start, end = minutes(session.start), minutes(session.end)
        if end <= start:
            yield at_value(
                doc,
                (*loc, "end"),
                f"session '{session.name}' ends at {session.end}, not after {session.start}",
                code="N903",
            )
            continue
        if previous_end is not None and start < previous_end[0]:
            yield at_value(
                doc,
                (*loc, "start"),
                f"session '{session.name}' starts at {session.start}, before '{previous_end[1]}' ends; "
                "list the sessions in order, without overlaps",
                code="N903",
            )
        previous_end = (end, session.name)
    for index, special in enumerate(market.special_sessions):
        if minutes(special.end) <= minutes(special.start):
            yield at_value(
                doc,
                (*ROOT, "special_sessions", index, "end"),
                f"'{special.name}' ends at {special.end}, not after {special.start}",
                code="N906",
            )


def _in_years(text: str, market: Market) -> tuple[dt.date | None, str | None]:
    """The date a YYYY-MM-DD text names and what is wrong with it as a date of the calendar."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None, f"'{text}' is not a day of the calendar (check the month and the day)"
    if day.year not in market.years:
        listed = ", ".join(str(y) for y in market.years)
        return day, f"{text} is not in the calendar's years ({listed}); add its year to 'years' first"
    return day, None


def _changes(doc: Document, market: Market) -> Iterator[Diagnostic]:
    """Each session change names a session, covers real dates and trading days, and changes its hours."""
    regular = {s.name: (minutes(s.start), minutes(s.end)) for s in market.sessions}
    order = [s.name for s in sorted(market.sessions, key=lambda s: s.start)]
    taken: dict[str, list[tuple[dt.date, dt.date, int]]] = {}
    for index, change in enumerate(market.session_changes):
        loc: Loc = (*ROOT, "session_changes", index)
        if change.session not in regular:
            known = ", ".join(f"'{name}'" for name in order)
            yield at_value(
                doc,
                (*loc, "session"),
                f"'{change.session}' is not a session (sessions: {known})",
                code="N904",
            )
            continue
        first, problem = _in_years(change.starting, market)
        if problem:
            yield at_value(doc, (*loc, "from"), problem, code="N904")
        last, problem = _in_years(change.until, market)
        if problem:
            yield at_value(doc, (*loc, "until"), problem, code="N904")
        if first is None or last is None:
            continue
        if last < first:
            yield at_value(doc, (*loc, "until"), f"{change.until} is before {change.starting}", code="N904")
            continue
        if change.start is None and change.end is None:
            yield at_key(
                doc,
                loc,
                "a session change sets 'start', 'end' or both; this one changes nothing",
                code="N904",
            )
            continue
        usual = regular[change.session]
        start = minutes(change.start) if change.start else usual[0]
        end = minutes(change.end) if change.end else usual[1]
        if (start, end) == usual:
            yield at_key(
                doc,
                loc,
                f"session '{change.session}' runs {_clock(start)}-{_clock(end)} already; "
                "this change changes nothing",
                code="N904",
            )
            continue
        if end <= start:
            yield at_key(
                doc,
                loc,
                f"session '{change.session}' would run {_clock(start)}-{_clock(end)}: "
                "its end is not after its start",
                code="N904",
            )
            continue
        position = order.index(change.session)
        neighbours = [order[i] for i in (position - 1, position + 1) if 0 <= i < len(order)]
        for name in neighbours:
            low, high = regular[name]
            if start < high and low < end:
                yield at_key(
                    doc,
                    loc,
                    f"session '{change.session}' would run {_clock(start)}-{_clock(end)}, into '{name}' "
                    f"({_clock(low)}-{_clock(high)}); sessions keep their order without overlaps",
                    code="N904",
                )
        for other_first, other_last, other in taken.get(change.session, []):
            if first <= other_last and other_first <= last:
                yield at_key(
                    doc,
                    loc,
                    f"overlaps session_changes[{other}] of session '{change.session}' "
                    f"({other_first.isoformat()} to {other_last.isoformat()}); one change per day",
                    code="N904",
                )
        taken.setdefault(change.session, []).append((first, last, index))
        trading = {WEEKDAYS.index(d) for d in market.weekdays}
        span = (last - first).days + 1
        if not any((first + dt.timedelta(days=n)).weekday() in trading for n in range(min(span, 7))):
            yield at_key(
                doc, loc, "no trading weekday falls in these dates; this change changes nothing", code="N904"
            )


def _holidays(doc: Document, market: Market) -> Iterator[Diagnostic]:
    """Each holiday is real, in the years, on a trading weekday, once, and closes real sessions."""
    seen: dict[dt.date, str] = {}
    names = {s.name for s in market.sessions}
    for index, holiday in enumerate(market.holidays):
        loc: Loc = (*ROOT, "holidays", index)
        day, problem = _in_years(holiday.date, market)
        if problem is None and day is not None:
            if day in seen:
                problem = f"{holiday.date} is already the holiday '{seen[day]}'"
            elif WEEKDAYS[day.weekday()] not in market.weekdays:
                problem = f"{holiday.date} is a {day:%A}, not a trading weekday; leave it out"
            seen.setdefault(day, holiday.name)
        if problem:
            yield at_value(doc, (*loc, "date"), problem, code="N905")
        if holiday.closed is None:
            continue
        if not holiday.closed:
            yield at_value(
                doc,
                (*loc, "closed"),
                "closes no session; leave 'closed' out to shut the whole day",
                code="N905",
            )
        if set(holiday.closed) >= names:
            yield at_value(
                doc,
                (*loc, "closed"),
                "closes every session; leave 'closed' out to shut the whole day",
                code="N905",
            )
        listed: set[str] = set()
        for ci, name in enumerate(holiday.closed):
            if name not in names:
                known = ", ".join(f"'{n}'" for n in sorted(names))
                yield at_value(
                    doc, (*loc, "closed", ci), f"'{name}' is not a session (sessions: {known})", code="N905"
                )
            elif name in listed:
                yield at_value(doc, (*loc, "closed", ci), f"'{name}' is listed twice", code="N905")
            listed.add(name)


def _running(market: Market, day: dt.date) -> list[tuple[int, int, str]]:
    """The regular sessions that run on day, as the calendar's dated changes and holidays leave them."""
    if WEEKDAYS[day.weekday()] not in market.weekdays:
        return []
    holiday = next((h for h in market.holidays if h.date == day.isoformat()), None)
    if holiday is not None and holiday.closed is None:
        return []
    closed = set(holiday.closed or ()) if holiday is not None else set()
    running = []
    for session in market.sessions:
        if session.name in closed:
            continue
        start, end = minutes(session.start), minutes(session.end)
        for change in market.session_changes:
            if change.session == session.name and change.starting <= day.isoformat() <= change.until:
                start = minutes(change.start) if change.start else start
                end = minutes(change.end) if change.end else end
        running.append((start, end, session.name))
    return running


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _specials(doc: Document, market: Market) -> Iterator[Diagnostic]:
    """A special session is on a real date of the calendar and overlaps no session that runs that day."""
    seen: dict[dt.date, list[tuple[int, int, str]]] = {}
    for index, special in enumerate(market.special_sessions):
        loc: Loc = (*ROOT, "special_sessions", index)
        day, problem = _in_years(special.date, market)
        if problem:
            yield at_value(doc, (*loc, "date"), problem, code="N906")
        if day is None or problem:
            continue
        start, end = minutes(special.start), minutes(special.end)
        if end <= start:
            continue  # said above
        for other_start, other_end, name in _running(market, day):
            if start < other_end and other_start < end:
                yield at_key(
                    doc,
                    loc,
                    f"overlaps the session '{name}' ({_clock(other_start)}-{_clock(other_end)}) that runs "
                    f"on {special.date}; a special session adds hours outside the sessions of its day",
                    code="N906",
                )
        for other_start, other_end, other in seen.get(day, []):
            if start < other_end and other_start < end:
                yield at_key(
                    doc, loc, f"overlaps the special session '{other}' on {special.date}", code="N906"
                )
        seen.setdefault(day, []).append((start, end, special.name))
