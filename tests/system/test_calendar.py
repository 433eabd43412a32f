"""The spec's market calendar against a maintained exchange calendar: it informs, it does not block.

Exchanges announce holidays at short notice, so the spec may know a closure before the maintained
calendar (`exchange-calendars`, in the test extra only; the compiler never imports it) does: such a
holiday is a warning that names it. A closure the maintained calendar has and the spec lacks is an
error: the system would scale, page and unfreeze on a day the market is shut. A date the spec lists
under `market.reviewed_differences` has been looked at, and is neither.

Self-contained on purpose: how the spec's calendar is read stands in `_closures` alone.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from compiler.spec.include import read_system
from compiler.spec.market import WEEKDAYS, Market
from compiler.spec.validate import validate
from tests.tools import system_name, systems

# The maintained calendar of each exchange a spec may name: BSE's XBOM closes on NSE's days.
MAINTAINED = {"NSE": "XBOM", "BSE": "XBOM"}
SYSTEMS = [folder for folder in systems() if validate(read_system(folder / "spec" / "system.yaml")).market]


class CalendarDifference(UserWarning):
    """The spec closes on a day the maintained calendar trades: announced since, or a mistake."""


@dataclass(frozen=True)
class Closures:
    """What a calendar says about its year: the trading weekdays it shuts, its sessions on other days."""

    first: dt.date
    last: dt.date
    weekdays: frozenset[int]
    holidays: frozenset[dt.date]
    specials: frozenset[dt.date]
    reviewed: frozenset[dt.date]


def _closures(market: Market) -> Closures:
    """The spec's calendar, read from its market block."""
    return Closures(
        first=dt.date(min(market.years), 1, 1),
        last=dt.date(max(market.years), 12, 31),
        weekdays=frozenset(WEEKDAYS.index(day) for day in market.weekdays),
        # A holiday that shuts some sessions only is a trading day all the same.
        holidays=frozenset(dt.date.fromisoformat(h.date) for h in market.holidays if h.closed is None),
        specials=frozenset(dt.date.fromisoformat(s.date) for s in market.special_sessions),
        reviewed=frozenset(dt.date.fromisoformat(day) for day in market.reviewed_differences),
    )


def differences(ours: Closures, sessions: set[dt.date]) -> tuple[list[dt.date], list[dt.date]]:
    """Against the maintained calendar's sessions: the days only the spec closes (to warn about),
    and the days only the maintained calendar closes or trades outside the week (errors); reviewed
    dates are in neither."""
    days = [ours.first + dt.timedelta(days=n) for n in range((ours.last - ours.first).days + 1)]
    theirs = {day for day in days if day.weekday() in ours.weekdays and day not in sessions}
    weekend = {day for day in sessions if day.weekday() not in ours.weekdays}
    only_ours = sorted((ours.holidays - theirs) - ours.reviewed)
    only_theirs = sorted(((theirs - ours.holidays) | (weekend - ours.specials)) - ours.reviewed)
    return only_ours, only_theirs


def _shown(days: list[dt.date]) -> str:
    return ", ".join(day.isoformat() for day in days)


@pytest.mark.parametrize("folder", SYSTEMS, ids=[system_name(f) for f in SYSTEMS])
def test_the_holidays_agree_with_a_maintained_exchange_calendar(folder: Path) -> None:
    import exchange_calendars  # type: ignore[import-untyped]

    market = validate(read_system(folder / "spec" / "system.yaml")).market
    assert market is not None
    if market.name not in MAINTAINED:
        pytest.skip(f"no maintained calendar is known for {market.name}")
    ours = _closures(market)
    maintained = exchange_calendars.get_calendar(
        MAINTAINED[market.name], start=ours.first.isoformat(), end=ours.last.isoformat()
    )
    sessions = {d.date() for d in maintained.sessions_in_range(ours.first.isoformat(), ours.last.isoformat())}
    only_ours, only_theirs = differences(ours, sessions)
    if only_ours:
        warnings.warn(
            CalendarDifference(
                f"{system_name(folder)}: only the spec closes on {_shown(only_ours)}; "
                f"{MAINTAINED[market.name]} of exchange-calendars trades then. Check the exchange's "
                "circular, and list the dates under market.reviewed_differences once confirmed"
            ),
            stacklevel=1,
        )
    assert not only_theirs, (
        f"{MAINTAINED[market.name]} of exchange-calendars closes on {_shown(only_theirs)} (or trades "
        "outside the spec's weekdays then) and the spec does not: add the holidays or special sessions, "
        "or list the dates under market.reviewed_differences"
    )


def _january(holidays: set[dt.date], reviewed: set[dt.date] | None = None) -> Closures:
    """A calendar of January 2026 on weekdays."""
    first, last = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    return Closures(
        first, last, frozenset(range(5)), frozenset(holidays), frozenset(), frozenset(reviewed or ())
    )


def test_differences_warn_on_the_spec_and_fail_on_the_maintained_calendar() -> None:
    january = {dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(31)}
    weekdays = {day for day in january if day.weekday() < 5}
    republic, announced = dt.date(2026, 1, 26), dt.date(2026, 1, 15)
    sessions = weekdays - {republic}
    assert differences(_january({republic}), sessions) == ([], [])
    assert differences(_january({republic, announced}), sessions) == ([announced], [])
    assert differences(_january(set()), sessions) == ([], [republic])
    assert differences(_january(set(), {republic}), sessions) == ([], [])
    assert differences(_january({republic}), sessions | {dt.date(2026, 1, 4)}) == ([], [dt.date(2026, 1, 4)])
