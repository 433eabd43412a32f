"""Scheduled jobs: CronJobs read as the CronJob controller reads them, against the market's calendar.

The commodity desk's fixture (tests/fixtures/commodity) has a loader that runs half an hour after
the close of every trading day, whose evening session ends near midnight and moves with the US's
clocks, and a weekly report on plain cron, suspended in dev. Schedules are read with the robfig/cron
evaluator of tests/cronexpr.py, written apart from the compiler's parser.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.kinds import BY_KIND, KINDS
from compiler.kustomize.environment import build_environment
from compiler.output.write import write_tree
from compiler.pipeline import compile_spec, load_plan
from compiler.plan.jobs import market_runs, plan_job
from compiler.plan.market import Calendar
from compiler.plan.model import EnvPlan, Plan
from compiler.spec.cron import longest_gap, parse_cron
from compiler.spec.model import MarketTime, Schedule
from tests import cronexpr
from tests.conftest import ROOT
from tests.promtool import check_plan
from tests.tools import build_all, by_kind, environment

COMMODITY = ROOT / "tests" / "fixtures" / "commodity"
SPEC = COMMODITY / "spec" / "system.yaml"
MONITORING = COMMODITY / "monitoring"
# From before the calendar's first day, over its year end, to a year past its last day.
FIRST, LAST = dt.date(2025, 12, 20), dt.date(2028, 1, 10)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SPEC, MONITORING)


# --- the parser, against the independent evaluator -------------------------------------------

FIELDS = (
    st.sampled_from(["*", "0", "5", "30", "*/15", "0-29/10", "7,23,41", "59"]),
    st.sampled_from(["*", "0", "9-15", "*/6", "2,14", "23", "3/4"]),
    st.sampled_from(["*", "1", "15", "29", "30", "31", "1-7", "*/10", "13,28"]),
    st.sampled_from(["*", "2", "1-6", "*/3", "2,4,12", "12"]),
    st.sampled_from(["*", "0", "1-5", "6", "*/2", "0,6", "3-4"]),
)


@settings(max_examples=120, deadline=None)
@given(st.tuples(*FIELDS), st.dates(dt.date(2023, 1, 1), dt.date(2031, 12, 31)))
def test_the_parser_reads_a_schedule_as_robfig_does(fields: tuple[str, ...], day: dt.date) -> None:
    text = " ".join(fields)
    ours, theirs = parse_cron(text), cronexpr.parse(text)
    assert ours.runs_on(day) == (day.month in theirs.months and theirs.day_matches(day))
    assert set(ours.day_minutes) == {h * 60 + m for h in theirs.hours for m in theirs.minutes}


def test_names_descriptors_and_question_marks_read_as_numbers() -> None:
    assert parse_cron("0 6 * JAN-mar MON-fri") == parse_cron("0 6 * 1-3 1-5")
    assert parse_cron("@daily") == parse_cron("0 0 * * *")
    assert parse_cron("0 0 ? * 1") == parse_cron("0 0 * * 1")
    # A list with a star part is unrestricted, as robfig's star bit says: 1 and Monday, not 1 or Monday.
    assert parse_cron("0 0 1,* * 1").any_day


@pytest.mark.parametrize(
    "text", ["0 0 * * 7", "60 * * * *", "0 0 * *", "@every 1h", "0 0 * * */0", "0 0 0 * *", "x 0 * * *"]
)
def test_what_the_api_server_refuses_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_cron(text)


def _brute_gap(text: str) -> int | None:
    """The longest wait between runs over 2000-2104, day by day with the evaluator."""
    cron = cronexpr.parse(text)
    minutes = sorted(h * 60 + m for h in cron.hours for m in cron.minutes)
    runs: list[int] = []
    day, last = dt.date(2000, 1, 1), dt.date(2104, 12, 31)
    while day <= last:
        if day.month in cron.months and cron.day_matches(day):
            base = (day - dt.date(2000, 1, 1)).days * 1440
            runs += [base + minutes[0], base + minutes[-1]] if len(minutes) > 1 else [base + minutes[0]]
        day += dt.timedelta(days=1)
    inner = max((b - a for a, b in itertools.pairwise(minutes)), default=0)
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    return max([inner, *gaps]) if runs else None


@pytest.mark.parametrize(
    "text",
    [
        "30 16 * * 1-5",
        "25 0 * * 2-6",
        "0 6 * * 1",
        "0 0 31 * *",
        "0 0 29 2 *",
        "*/20 9-15 * * 1-5",
        "0 0 30 2 *",
    ],
)
def test_the_longest_gap_is_the_longest_wait_between_runs(text: str) -> None:
    assert longest_gap(text) == _brute_gap(text)


# --- the market's days ------------------------------------------------------------------------


def _runs(schedules: list[str], zone: str) -> list[dt.datetime]:
    """Every run of the schedules from FIRST to LAST, as aware instants in zone, in order."""
    found = []
    for text in schedules:
        cron = cronexpr.parse(text)
        wall = dt.datetime.combine(FIRST, dt.time())
        while (wall := cron.next_after(wall)).date() <= LAST:
            found.append(wall.replace(tzinfo=ZoneInfo(zone)))
    return sorted(found)


def _session_days(calendar: Calendar) -> list[dt.date]:
    """The days with a session, trading days and special sessions, in and after the calendar's years."""
    days, day = [], FIRST + dt.timedelta(days=7)
    # A week inside the runs read on either side, so that the runs around each day are there.
    while day <= LAST - dt.timedelta(days=7):
        if calendar.windows(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _instant(calendar: Calendar, day: dt.date, minute: int) -> dt.datetime:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=calendar.zone)
    return midnight + dt.timedelta(minutes=minute)


CASES: list[tuple[str, Literal["open", "close"], int]] = [
    ("commodity", "close", 30),
    ("commodity", "open", -45),
    ("seed", "close", 45),
    ("seed", "open", -30),
]


@pytest.fixture(scope="module")
def calendars(plan: Plan) -> dict[str, Calendar]:
    seed = load_plan(ROOT / "tests" / "fixtures" / "seed" / "spec" / "system.yaml", MONITORING).market
    assert plan.market is not None and seed is not None
    return {"commodity": plan.market, "seed": seed}


@pytest.fixture(params=CASES, ids=[f"{s}-{a}{m:+d}" for s, a, m in CASES])
def market_job(
    request: pytest.FixtureRequest, calendars: dict[str, Calendar]
) -> tuple[Calendar, str, int, list[dt.datetime]]:
    """A calendar, a job's event and minutes, and every run of its CronJobs from FIRST to LAST."""
    system, at, minutes = request.param
    calendar = calendars[system]
    when = MarketTime(at=at, minutes=minutes)
    return (
        calendar,
        at,
        minutes,
        _runs([run.schedule for run in market_runs(calendar, when)], calendar.timezone),
    )


def test_a_job_on_the_market_days_runs_after_every_session_day_and_never_in_a_session(
    market_job: tuple[Calendar, str, int, list[dt.datetime]],
) -> None:
    calendar, at, minutes, runs = market_job
    assert not [run for run in runs if calendar.is_open(run)]
    # A special session whose run would fall in a regular session's hours (in another year) has none.
    hours = [(w.start, w.end) for w in calendar.sessions] + [(c.start, c.end) for c in calendar.changes]
    bare = set()
    for d in calendar.special_days():
        first, last = calendar.special_span(d) or (0, 0)
        run = ((last if at == "close" else first) + minutes) % 1440
        if any(start <= run < end for start, end in hours):
            bare.add(d)
    for day in _session_days(calendar):
        if day in bare and not calendar.is_trading_day(day):
            continue
        windows = calendar.windows(day)
        if at == "close":
            # The first run after the day's last close: at least the minutes later, before it opens again.
            close = _instant(calendar, day, windows[-1].end)
            after = next(run for run in runs if run > close)
            reopen = next(
                _instant(calendar, d, calendar.windows(d)[0].start)
                for d in (day + dt.timedelta(days=n) for n in range(1, 30))
                if calendar.windows(d)
            )
            assert close + dt.timedelta(minutes=minutes) <= after < reopen, (day, after)
        else:
            # The last run before the day's first open: at least the minutes before it, after the last close.
            opens = _instant(calendar, day, windows[0].start)
            before = max(run for run in runs if run < opens)
            closed = max(
                _instant(calendar, d, calendar.windows(d)[-1].end)
                for d in (day - dt.timedelta(days=n) for n in range(1, 30))
                if calendar.windows(d)
            )
            assert closed <= before <= opens + dt.timedelta(minutes=minutes), (day, before)


def test_a_job_runs_on_no_day_without_a_session_but_weekday_holidays_and_special_dates(
    market_job: tuple[Calendar, str, int, list[dt.datetime]],
) -> None:
    """Cron has no year: the cost is a run on a weekday holiday, and on a special session's date each year."""
    calendar, _, minutes, runs = market_job
    specials = {(d.month, d.day) for d in calendar.special_days()}
    for run in runs:
        # The day of the open or close that the run keeps its minutes from.
        day = (run.astimezone(calendar.zone) - dt.timedelta(minutes=minutes)).date()
        assert (
            calendar.windows(day) or calendar.is_trading_weekday(day) or (day.month, day.day) in specials
        ), (
            run,
            day,
        )


def test_the_overdue_alert_waits_for_the_longest_gap_between_runs(calendars: dict[str, Calendar]) -> None:
    calendar = calendars["commodity"]
    schedule = Schedule(market=MarketTime(at="close", minutes=30), deadline_seconds=1800)
    job = plan_job(schedule, calendar, suspended=False)
    runs = _runs([job.runs[0].schedule], calendar.timezone)
    longest = max(b - a for a, b in itertools.pairwise(runs))
    assert job.overdue_seconds == longest.total_seconds() + 1800 + schedule.start_within_seconds


# --- the objects ------------------------------------------------------------------------------


def test_a_job_is_a_cron_job_per_run_with_no_service_probes_or_budget(plan: Plan) -> None:
    env = environment(plan, "prod")
    built = build_environment(env)
    jobs = by_kind(built, "CronJob")
    loader = next(w for w in env.workloads if w.name == "refdata-loader")
    assert loader.job is not None
    assert sorted(jobs) == sorted(
        ["weekly-report", *(f"refdata-loader{run.suffix}" for run in loader.job.runs)]
    )
    # The Muhurat session's run (19:30) would fall in the evening session in years it is a weekday.
    assert len(loader.job.runs) == 1
    for name, job in jobs.items():
        spec = job["spec"]
        assert spec["timeZone"] == "Asia/Kolkata"
        pod = spec["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        for container in pod["containers"]:
            assert not {"ports", "readinessProbe", "livenessProbe", "startupProbe"} & set(container)
        owner = job["metadata"]["labels"]["app.kubernetes.io/name"]
        for kind in ("Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ScaledObject"):
            assert owner not in by_kind(built, kind), (kind, name)
        policy = by_kind(built, "NetworkPolicy")[owner]["spec"]
        assert "ingress" not in policy, name
    assert jobs["weekly-report"]["spec"]["concurrencyPolicy"] == "Replace"
    assert jobs["weekly-report"]["spec"]["successfulJobsHistoryLimit"] == 1


def test_a_special_session_outside_the_regular_hours_gets_a_dated_run(calendars: dict[str, Calendar]) -> None:
    runs = market_runs(calendars["seed"], MarketTime(at="close", minutes=45))
    # The seed's Muhurat session on Sunday 2026-11-08 ends at 14:45: its run, 15:30, is between sessions.
    assert [(run.suffix, run.schedule) for run in runs[1:]] == [("-1108", "30 15 8 11 *")]


def test_an_environment_suspends_a_job(plan: Plan) -> None:
    dev = by_kind(build_environment(environment(plan, "dev")), "CronJob")
    prod = by_kind(build_environment(environment(plan, "prod")), "CronJob")
    assert dev["weekly-report"]["spec"]["suspend"] is True
    assert prod["weekly-report"]["spec"]["suspend"] is False


def test_kube_state_metrics_watches_the_jobs_it_alerts_on(plan: Plan) -> None:
    built = build_environment(environment(plan, "prod"))
    state = by_kind(built, "Deployment")["kube-state-metrics"]
    args = state["spec"]["template"]["spec"]["containers"][0]["args"]
    watched = next(a for a in args if a.startswith("--resources=")).removeprefix("--resources=").split(",")
    assert {"cronjobs", "jobs"} <= set(watched)
    role = by_kind(built, "Role")["kube-state-metrics"]
    granted = {(g, r) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    assert {("batch", "cronjobs"), ("batch", "jobs")} <= granted


def test_every_object_is_of_a_kind_in_the_table(plan: Plan) -> None:
    for env in (plan.base, *plan.environments):
        for obj in build_environment(env):
            kind = BY_KIND.get(obj["kind"])
            assert kind is not None, obj["kind"]
            assert obj["apiVersion"] == kind.api_version, obj["kind"]
            assert ("namespace" in obj["metadata"]) == kind.namespaced, obj["kind"]
    assert len({k.kind for k in KINDS}) == len(KINDS)


@pytest.mark.tools
def test_the_fixture_builds_with_kubectl_and_validates_strictly(tmp_path: Path) -> None:
    write_tree(tmp_path / "out", compile_spec(SPEC, MONITORING))
    built = build_all(tmp_path / "out")
    assert set(built) == {"base", "dev", "prod"}


@pytest.mark.tools
def test_the_jobs_alerts_pass_promtool(plan: Plan, tmp_path: Path) -> None:
    untested = check_plan(plan, tmp_path, MONITORING / "tests")
    assert untested == {name: [] for name in untested}
    names = {a["alert"] for env in (plan.base,) for a in _rules(env)}
    assert {"RefdataLoaderJobFailed", "RefdataLoaderJobOverdue", "WeeklyReportJobOverdue"} <= names


def _rules(env: EnvPlan) -> list[dict[str, Any]]:
    from compiler.render.alerts import rule_groups

    return [rule for group in rule_groups(env)["groups"] for rule in group["rules"] if "alert" in rule]
