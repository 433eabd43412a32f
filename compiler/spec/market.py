"""Input models of the market calendar: the exchange's clock that scaling, paging and freezes follow."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# 24-hour local time; quoted in YAML, where 09:15 unquoted is a base-60 number to YAML 1.1.
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ZONE = r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$"
SESSION_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

Clock = Annotated[str, StringConstraints(pattern=CLOCK)]
Day = Annotated[str, StringConstraints(pattern=DATE)]
SessionName = Annotated[str, StringConstraints(pattern=SESSION_NAME, max_length=63)]
Year = Annotated[int, Field(ge=2000, le=2100)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def clock_minutes(clock: str) -> int:
    """Minutes since midnight of an HH:MM time."""
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


class _Model(BaseModel):
    """Strict, closed and immutable, as every input model of the spec."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)


class Session(_Model):
    """A session of every trading day, in the calendar's local time; end exclusive."""

    name: SessionName = Field(description="Session name, e.g. normal")
    start: Clock = Field(description='Local start time, quoted: "09:15"')
    end: Clock = Field(description='Local end time (exclusive), quoted: "15:30"')


class Holiday(_Model):
    """A trading weekday on which the market stays shut: all day, or only in the sessions it names."""

    date: Day = Field(description='The date, quoted: "2026-01-26"')
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="What closes the market, e.g. Republic Day"
    )
    closed: list[SessionName] | None = Field(
        None,
        description="Only these sessions are shut (a partial-day holiday); left out, the whole day is",
    )


class SpecialSession(_Model):
    """A dated session outside the regular hours, e.g. Muhurat trading; on any date, holidays included."""

    date: Day = Field(description='The date, quoted: "2026-11-08"')
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="What the session is, e.g. Muhurat trading"
    )
    start: Clock = Field(description='Local start time, quoted: "18:00"')
    end: Clock = Field(description='Local end time (exclusive), quoted: "19:00"')


class SessionChange(_Model):
    """New hours of one regular session on the trading days from one date until another, both included."""

    session: SessionName = Field(description="The regular session that changes, e.g. evening")
    starting: Day = Field(alias="from", description='First day of the new hours, quoted: "2026-03-09"')
    until: Day = Field(description='Last day of the new hours, quoted: "2026-11-01"')
    start: Clock | None = Field(None, description="The session's start on those days; left out, unchanged")
    end: Clock | None = Field(None, description="The session's end on those days; left out, unchanged")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, description="Why the hours change, e.g. US daylight saving time"
    )


class Market(_Model):
    """The exchange's calendar over whole years: regular sessions and weekdays, with dated exceptions."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="The exchange, for people, e.g. NSE"
    )
    timezone: Annotated[str, StringConstraints(pattern=ZONE, max_length=100)] = Field(
        description="IANA time zone of the times, e.g. Asia/Kolkata"
    )
    years: Annotated[list[Year], Field(min_length=1)] = Field(
        description=(
            "The years whose holidays are listed, in order and without gaps; outside them every "
            "trading weekday counts as a trading day with the regular sessions"
        )
    )
    weekdays: Annotated[list[Weekday], Field(min_length=1)] = Field(
        ["mon", "tue", "wed", "thu", "fri"], description="Trading weekdays: mon, tue, ... sun"
    )
    sessions: Annotated[list[Session], Field(min_length=1)] = Field(
        description="Regular sessions of every trading day, in order"
    )
    session_changes: list[SessionChange] = Field(
        [], description="Regular sessions with other hours between two dates, e.g. a close that follows DST"
    )
    holidays: list[Holiday] = Field(
        [], description="Trading weekdays on which the market is shut, all day or in some sessions"
    )
    special_sessions: list[SpecialSession] = Field(
        [], description="Dated sessions outside the regular hours, e.g. Muhurat trading; holidays included"
    )
    reviewed_differences: list[Day] = Field(
        [],
        description=(
            "Dates, quoted, on which the spec knowingly differs from the maintained exchange calendar "
            "the tests compare it with, e.g. a holiday announced at short notice"
        ),
    )
