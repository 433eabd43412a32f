"""Paging follows the market clock: the real Alertmanager now, and the evaluator at chosen instants.

amtool cannot evaluate time and a Go program's clock cannot be moved, so the time intervals are
tested twice. (a) The real Alertmanager runs on loopback under market hours built around the
current instant (open now, closed now, a holiday today, a special session on a holiday today);
a market-data alert and a control alert are posted through its API, and a local webhook records
what arrives. (b) tests/timeinterval.py evaluates the same configs at the same instant and must
agree with (a); it then answers for chosen instants of the shipped calendar."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from compiler.plan.market import subtract
from compiler.plan.model import AlertingPlan, DatedTimes, EnvPlan, MarketHours, MarketRoute, Plan
from compiler.render.alertmanager import alertmanager_config
from compiler.render.alerts import alerts
from compiler.render.market_clock import CLOSURES, EXTRA_HOURS, SESSIONS, weekday_ranges
from tests.alertmanager_run import alertmanager, post_alerts, server, webhook
from tests.timeinterval import contains, route_active

ZONE = "Asia/Kolkata"
EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)
MARKET_ALERT = "FeedHandlerTargetDown"
EXPLAINED_ALERT = "FeedHandlerFeedStaleness"
CONTROL_ALERT = "FeedHandlerPodsNotReady"
DESK_ALERT = "IndicatorEnginePodsNotReady"
# After the control alert arrives, how long a market alert flushed at the same moment may lag.
LAG_SECONDS = 2.0
ARRIVAL_SECONDS = 15.0

needs_alertmanager = pytest.mark.skipif(server() is None, reason="Debian's prometheus-alertmanager")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_around(now: datetime, scenario: str) -> MarketHours:
    """Market hours in which now (in the market's zone) is in a session or not, as scenario says."""
    local = now.astimezone(ZoneInfo(ZONE))
    minute = local.hour * 60 + local.minute
    around = (_hhmm(max(0, minute - 60)), _hhmm(min(24 * 60, minute + 60)))
    # A session well away from now: before it in the afternoon, after it in the morning.
    shift = -120 if minute >= 120 else 60
    away = (_hhmm(minute + shift), _hhmm(minute + shift + 60))
    today = local.date()
    if scenario == "open":
        return MarketHours(ZONE, (around,), EVERY_DAY, (), ())
    if scenario == "closed":
        return MarketHours(ZONE, (away,), EVERY_DAY, (), ())
    if scenario == "holiday":
        closed = DatedTimes(today, today + timedelta(days=1), True, (around,))
        return MarketHours(ZONE, (around,), EVERY_DAY, (), (closed,))
    # Muhurat trading: a special session on a day that is no trading weekday.
    weekdays = tuple(day for day in EVERY_DAY if day != local.isoweekday())
    return MarketHours(ZONE, (around,), weekdays, (DatedTimes(today, today, False, (around,)),), ())


SCENARIOS = {"open": True, "closed": False, "holiday": False, "special-session": True}


def _with_market(env: EnvPlan, hours: MarketHours) -> AlertingPlan:
    alerting = env.observability.alerting
    assert alerting is not None
    receiver = alerting.market.receiver if alerting.market else "on-call"
    return dataclasses.replace(alerting, market=MarketRoute(receiver, "trading-desk", hours))


def _loopback(config: dict[str, Any], base: str, workdir: Path) -> dict[str, Any]:
    """The compiled config with its receivers pointed at the local webhook and short waits.

    The routes, matchers, inhibitions and time intervals stay exactly as compiled."""
    url_file = workdir / "pager-url"
    url_file.write_text(f"{base}/pager", encoding="utf-8")
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            hook["url"] = f"{base}/{receiver['name']}"
        for slack in receiver.get("slack_configs", []):
            assert set(slack) == {"api_url_file", "send_resolved"}
            slack["api_url_file"] = str(url_file)
            slack["title"] = "{{ .CommonLabels.alertname }}"
    config["route"]["group_wait"] = "1s"
    config["route"]["group_interval"] = "1s"
    return config


def _labels(env: EnvPlan, name: str) -> dict[str, str]:
    (alert,) = [a for a in alerts(env) if a.name == name]
    return {"alertname": name, "system": env.system, "environment": env.name, **alert.labels()}


@pytest.fixture(scope="module")
def prod(shipped_plan: Plan) -> EnvPlan:
    """The production plan, whose Alertmanager routes the market-data alerts."""
    (env,) = [e for e in shipped_plan.environments if e.name == "prod"]
    return env


def _market_route(config: dict[str, Any]) -> dict[str, Any]:
    """The route that pages the market-data alerts while the market trades: the first of theirs."""
    routes: list[dict[str, Any]] = config["route"]["routes"]
    return next(r for r in routes if "active_time_intervals" in r)


@pytest.mark.tools
@needs_alertmanager
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_real_alertmanager_pages_market_alerts_only_in_session(
    scenario: str, prod: EnvPlan, tmp_path: Path
) -> None:
    now = datetime.now(ZoneInfo(ZONE))
    # Too close to midnight, "today" may be over before Alertmanager looks at it.
    if now.hour == 23 and now.minute >= 58:
        pytest.skip("the market day rolls over during the test")
    compiled = alertmanager_config(prod, _with_market(prod, hours_around(now, scenario)))
    assert _market_route(compiled)["receiver"] == "on-call"
    with webhook() as (base, inbox):
        config = _loopback(compiled, base, tmp_path)
        with alertmanager(config, tmp_path / "run") as url:
            names = (MARKET_ALERT, EXPLAINED_ALERT, CONTROL_ALERT, DESK_ALERT)
            post_alerts(url, [_labels(prod, name) for name in names])
            # The control alert pages at any hour, so it proves the pager path works.
            assert inbox.wait_for(lambda got: any(CONTROL_ALERT in str(b) for _, b in got), ARRIVAL_SECONDS)
            assert inbox.wait_for(lambda got: any(p == "/trading-desk" for p, _ in got), ARRIVAL_SECONDS)
            if not SCENARIOS[scenario]:
                # Outside the session the market alert reaches the desk's channel, not no one.
                inbox.wait_for(lambda got: MARKET_ALERT in inbox.names("/trading-desk"), ARRIVAL_SECONDS)
                inbox.wait_for(lambda got: False, LAG_SECONDS)
            else:
                inbox.wait_for(lambda got: MARKET_ALERT in inbox.names("/pager"), ARRIVAL_SECONDS)
    paged = inbox.names("/pager")
    assert (MARKET_ALERT in paged) is SCENARIOS[scenario], (scenario, inbox.received)
    assert (MARKET_ALERT in inbox.names("/trading-desk")) is not SCENARIOS[scenario], inbox.received
    # The target being down explains the stale feed: that alert is inhibited, in session or not.
    assert EXPLAINED_ALERT not in paged
    assert DESK_ALERT in inbox.names("/trading-desk")
    assert CONTROL_ALERT in paged
    # (b) agrees with (a) at this instant.
    assert route_active(compiled, _market_route(compiled), now) is SCENARIOS[scenario]


# --- the evaluator at chosen instants -------------------------------------------------------------


def _ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(ZONE))


def _nse_config(prod: EnvPlan) -> dict[str, Any]:
    """Production's compiled config: the shipped calendar's sessions, holidays and Muhurat trading."""
    alerting = prod.observability.alerting
    assert alerting is not None
    return alertmanager_config(prod, alerting)


@pytest.mark.parametrize(
    ("instant", "pages"),
    [
        ("2026-12-01T09:14:59", False),  # a Tuesday, between pre-open and the normal market
        ("2026-12-01T09:15:00", True),
        ("2026-12-01T15:29:59", True),
        ("2026-12-01T15:30:00", False),  # end times are excluded
        ("2026-12-01T15:45:00", True),  # closing session
        ("2026-12-01T09:05:00", True),  # pre-open order entry
        ("2026-12-05T10:00:00", False),  # Saturday
        ("2026-12-25T10:00:00", False),  # Christmas, a Friday
        ("2026-01-26T10:00:00", False),  # Republic Day, a Monday
        ("2026-11-08T14:00:00", True),  # Muhurat trading on a Sunday
        ("2026-11-08T13:40:00", False),  # between its pre-open and its trading
        ("2026-11-08T10:00:00", False),
        ("2026-11-10T10:00:00", False),  # a holiday without a special session
        ("2026-11-09T14:00:00", True),  # the Monday after: regular hours only
        ("2027-01-26T10:00:00", True),  # beyond the calendar: a weekday trades, whatever 2027 holds
        ("2027-11-08T14:00:00", True),  # a Monday, not Muhurat
        ("2027-01-30T10:00:00", False),  # a Saturday
    ],
)
def test_the_evaluator_follows_the_calendar_at_chosen_instants(
    instant: str, pages: bool, prod: EnvPlan
) -> None:
    config = _nse_config(prod)
    assert route_active(config, _market_route(config), _ist(instant)) is pages


def test_the_evaluator_reads_instants_in_the_interval_location(prod: EnvPlan) -> None:
    config = _nse_config(prod)
    route = _market_route(config)
    # 03:45 UTC is 09:15 in India (UTC+05:30): the same instant, whatever zone it is written in.
    assert route_active(config, route, datetime.fromisoformat("2026-12-01T03:45:00+00:00"))
    assert not route_active(config, route, datetime.fromisoformat("2026-12-01T03:44:00+00:00"))


def test_days_of_month_count_back_from_the_end_and_are_clamped() -> None:
    last = {"days_of_month": ["-1"]}
    assert contains(last, _ist("2026-02-28T12:00:00"))
    assert not contains(last, _ist("2026-02-27T12:00:00"))
    late = {"days_of_month": ["29:31"]}
    assert not contains(late, _ist("2026-02-28T12:00:00"))
    assert contains(late, _ist("2026-03-30T12:00:00"))
    assert contains({"weekdays": ["sunday"]}, _ist("2026-11-08T12:00:00"))
    assert contains({"months": ["november:december"], "years": ["2026"]}, _ist("2026-11-08T00:00:00"))
    assert not contains({"years": ["2025:2025"]}, _ist("2026-11-08T00:00:00"))


def test_the_intervals_name_the_calendar(prod: EnvPlan) -> None:
    config = _nse_config(prod)
    named = {i["name"]: i["time_intervals"] for i in config["time_intervals"]}
    assert set(named) == {SESSIONS, EXTRA_HOURS, CLOSURES}
    (regular,) = named[SESSIONS]
    assert regular["weekdays"] == ["monday:friday"]
    assert all(entry["location"] == ZONE for entries in named.values() for entry in entries)
    # Sixteen weekday holidays, one entry each; Muhurat's two windows on one Sunday.
    assert len(named[CLOSURES]) == 16
    (muhurat,) = named[EXTRA_HOURS]
    assert (muhurat["days_of_month"], muhurat["months"], muhurat["years"]) == (["8"], ["11"], ["2026"])
    route = _market_route(config)
    assert route["active_time_intervals"] == [SESSIONS, EXTRA_HOURS]
    assert route["mute_time_intervals"] == [CLOSURES]
    # The market routes come before the spec's: the market-data alerts never fall through to them.
    routes = config["route"]["routes"]
    market = [r for r in routes if r.get("matchers") == ['clock="market"']]
    assert routes[1 : 1 + len(market)] == market and routes[1] is route
    assert [r["receiver"] for r in market] == ["on-call", "trading-desk", "trading-desk"]


def test_weekdays_and_gaps() -> None:
    assert weekday_ranges([1, 2, 3, 4, 5]) == ["monday:friday"]
    assert weekday_ranges([6, 7]) == ["sunday", "saturday"]
    assert weekday_ranges([7, 1, 2]) == ["sunday:tuesday"]
    assert subtract([(0, 1440)], [(1080, 1155)]) == ((0, 1080), (1155, 1440))
    assert subtract([(555, 930)], [(0, 1440)]) == ()
    assert subtract([(555, 930)], [(555, 900)]) == ((900, 930),)


def _minutes(day: date) -> Iterator[datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(ZONE))
    for minute in range(0, 24 * 60, 5):
        yield start + timedelta(minutes=minute)


def test_a_whole_week_minute_by_minute_matches_the_sessions(prod: EnvPlan) -> None:
    config = _nse_config(prod)
    route = _market_route(config)
    sessions = (("09:00", "09:08"), ("09:15", "15:30"), ("15:40", "16:00"))
    for offset in range(7):
        day = date(2026, 11, 30) + timedelta(days=offset)
        for instant in _minutes(day):
            clock = instant.strftime("%H:%M")
            trading = day.isoweekday() <= 5 and any(start <= clock < end for start, end in sessions)
            assert route_active(config, route, instant) is trading, instant
