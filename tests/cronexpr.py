"""Five-field cron schedules as robfig/cron v3 reads them, and the two programs that use them here.

KEDA's cron scaler and Argo CD's sync windows both parse their schedules with robfig/cron; this
evaluator follows its semantics: `*`, numbers, `a-b`, `/step` and lists; Next is the first matching
minute strictly after an instant; and when both day-of-month and day-of-week are restricted (neither
starts with `*`) a day matches if either does, otherwise both must.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
SEARCH_DAYS = 5 * 366


@dataclass(frozen=True)
class Schedule:
    """The sets each field matches, and whether the day fields were `*`."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 is Sunday, as in cron
    any_day: bool
    any_weekday: bool

    def day_matches(self, day: dt.date) -> bool:
        """robfig's dayMatches: AND when either day field is `*`, OR when both are restricted."""
        in_days = day.day in self.days
        in_weekdays = day.isoweekday() % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return in_days and in_weekdays
        return in_days or in_weekdays

    def next_after(self, wall: dt.datetime) -> dt.datetime:
        """The first matching minute strictly after a naive wall-clock time."""
        first = wall.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        day = first.date()
        hours, minutes = sorted(self.hours), sorted(self.minutes)
        # On the first day only the times from first's hour and minute on can come; later days, all.
        earliest = (first.hour, first.minute)
        end = day + dt.timedelta(days=SEARCH_DAYS)
        while day < end:
            if day.month not in self.months:
                # No day of this month can match: on to the first of the next.
                day = (day.replace(day=1) + dt.timedelta(days=31)).replace(day=1)
                earliest = (0, 0)
                continue
            if self.day_matches(day):
                for hour in hours:
                    if hour < earliest[0]:
                        continue
                    for minute in minutes:
                        if (hour, minute) >= earliest:
                            return dt.datetime(day.year, day.month, day.day, hour, minute)
            day += dt.timedelta(days=1)
            earliest = (0, 0)
        raise ValueError(f"no time matches {self} after {wall}")


def _field(text: str, low: int, high: int) -> frozenset[int]:
    found: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            lo, hi = low, high
        elif "-" in span:
            lo, hi = (int(n) for n in span.split("-"))
        else:
            lo = int(span)
            hi = high if step_text else lo
        if not (low <= lo <= hi <= high) or step < 1:
            raise ValueError(f"'{part}' is out of range {low}-{high}")
        found.update(range(lo, hi + 1, step))
    return frozenset(found)


# The clocks' tests read the same few schedules at hundreds of thousands of instants.
@functools.cache
def parse(text: str) -> Schedule:
    """A five-field schedule: minute hour day-of-month month day-of-week."""
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"'{text}' does not have five fields")
    sets = [_field(f, lo, hi) for f, (lo, hi) in zip(fields, BOUNDS, strict=True)]
    weekdays = frozenset(d % 7 for d in sets[4])
    return Schedule(
        sets[0], sets[1], sets[2], sets[3], weekdays, fields[2].startswith("*"), fields[4].startswith("*")
    )


def _wall(instant: dt.datetime, zone: str) -> dt.datetime:
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def keda_cron_active(metadata: dict[str, str], instant: dt.datetime) -> bool:
    """Whether KEDA's cron scaler is active at instant.

    As GetMetricsAndActivity in pkg/scalers/cron_scaler.go of kedacore/keda (read at commit
    8b4f083c, 2026-08-20) decides: it takes the next start and the next end after now; when the
    next start comes first the window is ahead (inactive), otherwise it runs until the next end.
    """
    wall = _wall(instant, metadata["timezone"])
    start = parse(metadata["start"]).next_after(wall)
    end = parse(metadata["end"]).next_after(wall)
    return not (start < end)


def argo_window_active(window: dict[str, str], instant: dt.datetime) -> bool:
    """Whether an Argo CD sync window is active at instant (SyncWindow.active of argoproj/argo-cd).

    Argo CD shifts UTC by the zone's offset and asks for the next schedule after now minus the
    duration: the window is active if that comes before now, an open interval after each start.
    """
    wall = _wall(instant, window.get("timeZone", "UTC"))
    minutes = _go_minutes(window["duration"])
    following = parse(window["schedule"]).next_after(wall - dt.timedelta(minutes=minutes))
    return following < wall


def _go_minutes(text: str) -> int:
    """Whole minutes of a Go duration made of hours and minutes, e.g. 1h15m -> 75."""
    hours, _, rest = text.partition("h") if "h" in text else ("0", "", text)
    return int(hours) * 60 + (int(rest.removesuffix("m")) if rest else 0)


def external_secrets_window_active(window: dict[str, str], instant: dt.datetime) -> bool:
    """Whether an ExternalSecret's sync window holds at instant (isWithinSyncWindow of external-secrets).

    As pkg/controllers/externalsecret/externalsecret_controller.go of external-secrets/external-secrets
    (read at its v2.9.0 release) decides, in UTC: the schedule's next firing after now minus the
    duration and a second is the window's start, and the window holds from it to start + duration,
    both ends included.
    """
    wall = _wall(instant, "UTC")
    duration = dt.timedelta(minutes=_go_minutes(window["duration"].removesuffix("0s")))
    start = parse(window["schedule"]).next_after(wall - duration - dt.timedelta(seconds=1))
    return start <= wall <= start + duration


def external_secrets_spans(
    window: dict[str, str], first: dt.datetime, last: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every span [start, end] (UTC, naive) in which the window holds between first and last."""
    schedule = parse(window["schedule"])
    duration = dt.timedelta(minutes=_go_minutes(window["duration"].removesuffix("0s")))
    found = []
    start = schedule.next_after(_wall(first, "UTC") - duration - dt.timedelta(minutes=1))
    while start <= _wall(last, "UTC"):
        found.append((start, start + duration))
        start = schedule.next_after(start)
    return found
