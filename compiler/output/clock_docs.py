"""out/README.md's market clock: the calendar, what follows it and when per environment, a day's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from compiler.plan.market import Calendar, clock_text, cron_spans, extra_days, runs, weekday_span
from compiler.plan.model import AlertingPlan, Application, EnvPlan, Plan
from compiler.render.alerts import CALENDAR_ALERT, CALENDAR_ALERT_DAYS, alerts
from compiler.render.market_phase import MARKET_OPEN

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def market_clock_section(plan: Plan) -> list[str]:
    """The section: the calendar, paging, then per environment its floors and freeze, and a day's gantt."""
    calendar = plan.market
    if calendar is None:
        return []
    apps = {app.environment: app for app in plan.applications}
    lines = ["", "## Market clock"]
    for paragraph in _calendar_lines(calendar):
        lines.extend(("", paragraph))
    lines.extend(("", *_holiday_table(calendar)))
    lines.extend(("", *_yearless_cost(calendar, plan)))
    alerting = plan.base.observability.alerting
    lines.extend(("", *_paging(plan.base, calendar, alerting)))
    for env in plan.environments:
        lines.extend(_environment(env, calendar, apps.get(env.name)))
    return lines


def _span(start: int, end: int) -> str:
    return f"{clock_text(start)}-{clock_text(end)}"


def _day(day: dt.date) -> str:
    return f"{day.isoformat()} ({WEEKDAY_NAMES[day.weekday()][:3]})"


def _weekdays(calendar: Calendar) -> str:
    """The trading weekdays in words, runs as ranges: Monday to Friday."""
    return ", ".join(
        WEEKDAY_NAMES[lo] if lo == hi else f"{WEEKDAY_NAMES[lo]} to {WEEKDAY_NAMES[hi]}"
        for lo, hi in runs(calendar.weekdays)
    )


def _calendar_lines(calendar: Calendar) -> Iterator[str]:
    sessions = ", ".join(f"{w.name} {_span(w.start, w.end)}" for w in calendar.sessions)
    years = ", ".join(f"{year}: {len(calendar.trading_days(year))} trading days" for year in calendar.years)
    yield (
        f"{calendar.name}'s calendar, local time of `{calendar.timezone}` (end times excluded): "
        f"regular sessions {sessions}, {_weekdays(calendar)}. It lists {years}. "
        f"Its last listed day is {calendar.last_day.isoformat()}: after it, every trading weekday "
        "counts as a trading day with the regular sessions in everything below, until the next year is "
        f"added. `nifty compile` warns from 60 days before that day; the alert `{CALENDAR_ALERT}` fires "
        f"from {CALENDAR_ALERT_DAYS} days before."
    )
    for change in calendar.changes:
        reason = f" ({change.reason})" if change.reason else ""
        yield (
            f"Session change: from {change.first.isoformat()} until {change.last.isoformat()}, "
            f"{change.session} runs {_span(change.start, change.end)}{reason}."
        )
    for special in calendar.specials:
        window = special.window
        yield f"Special session: {_day(special.day)}, {window.name}, {_span(window.start, window.end)}."


def _holiday_table(calendar: Calendar) -> Iterator[str]:
    if not calendar.holidays:
        yield "No holidays are listed."
        return
    yield "| date | holiday | closed |"
    yield "| --- | --- | --- |"
    for holiday in calendar.holidays:
        closed = "all day" if holiday.closed is None else ", ".join(sorted(holiday.closed))
        yield f"| {_day(holiday.day)} | {holiday.name} | {closed} |"


def _yearless_cost(calendar: Calendar, plan: Plan) -> Iterator[str]:
    """What the schedules without a year hold on days the market is closed, per year."""
    leads = sorted(
        {
            w.scaling.floor.lead_minutes
            for env in plan.environments
            for w in env.workloads
            if w.scaling and w.scaling.floor
        }
        | {app.lead_minutes for app in plan.applications if app.frozen}
    ) or [0]
    lead = leads[-1]
    start, end = weekday_span(calendar, lead)
    yield (
        "KEDA's cron triggers and Argo CD's sync windows have no year, so the floors and the freezes "
        f"hold {_weekdays(calendar)} from the lead to {clock_text(end)} (the latest close, session "
        "changes included), and around the special sessions of a date outside that span, on that date "
        "every year. They never miss a trading day; the cost is a floor or a freeze on days the market "
        "is closed:"
    )
    yield ""
    for year in (*calendar.years, calendar.years[-1] + 1):
        days = extra_days(calendar, year, lead)
        listed = ", ".join(day.isoformat() for day in days)
        beyond = "" if year in calendar.years else " (beyond the calendar: weekdays count as trading days)"
        count = f"{len(days)} closed day{'s' if len(days) != 1 else ''} with a floor or a freeze"
        yield f"- {year}{beyond}: {count}{': ' + listed if days else ''}."
    named = ", ".join(f"`{span.name}`" for span in cron_spans(calendar, lead))
    yield ""
    yield (
        f"The schedules ({named}) start {clock_text(start)} with the longest lead; a lead that reaches "
        "past midnight starts the evening before. Pre-scaling stays on cron rather than on a Prometheus "
        "query of the market phase: KEDA's `fallback`, which would hold the floor while Prometheus is "
        "unreachable, does not work beside a CPU trigger, and the floor must not depend on the stack it "
        "protects."
    )


def _paging(env: EnvPlan, calendar: Calendar, alerting: AlertingPlan | None) -> Iterator[str]:
    market = [a.name for a in alerts(env) if a.market]
    if alerting is None or alerting.market is None:
        yield "Paging: market-data alerts follow the ordinary routes at any hour (no `market_receiver`)."
        return
    names = ", ".join(f"`{name}`" for name in market)
    yield (
        f"Paging, in every environment: the market-data alerts ({names}) go to `{alerting.market.receiver}` "
        "while a session runs (regular, changed or special, exactly: Alertmanager's time intervals have "
        f"years), and to `{alerting.market.closed_receiver}` at every other time, holidays and weekends "
        f"included. The objectives' alerts are also gated on `{MARKET_OPEN}`, a recording rule that "
        "computes the calendar in PromQL: their hold starts when the market opens, so a feed silent "
        "all night does not page at the open."
    )
    if alerting.calendar_receiver is not None:
        yield ""
        yield (
            f"Calendar: `{CALENDAR_ALERT}` goes to `{alerting.calendar_receiver}` from "
            f"{(calendar.last_day - dt.timedelta(days=CALENDAR_ALERT_DAYS)).isoformat()} on."
        )


def _environment(env: EnvPlan, calendar: Calendar, app: Application | None) -> Iterator[str]:
    yield ""
    yield f"### Market clock in {env.name}"
    yield ""
    floors = [w for w in env.workloads if w.scaling is not None and w.scaling.floor is not None]
    if floors:
        yield "| component | floor | from | until | otherwise |"
        yield "| --- | ---: | --- | --- | --- |"
        for workload in floors:
            scaling = workload.scaling
            assert scaling is not None and scaling.floor is not None
            lead = scaling.floor.lead_minutes
            start, end = weekday_span(calendar, lead)
            yield (
                f"| **{workload.name}** | {scaling.floor.replicas} pods "
                f"| {clock_text(start)} ({lead} min before the open) "
                f"| {clock_text(end)} "
                f"| {scaling.min_replicas} to {scaling.max_replicas} pods "
                f"at CPU > {scaling.cpu_utilization}% |"
            )
        yield ""
        yield (
            "Floors hold on every trading weekday and on the special sessions' dates "
            "(KEDA `cron` triggers of a ScaledObject, which makes the HPA in place of ours)."
        )
    else:
        yield (
            "No floors here: the HPAs alone scale "
            "(a floor needs `prescale` and an environment with `keda: true`)."
        )
    yield ""
    frozen = app is not None and app.frozen
    if app is None:
        yield "Deploys: no Argo CD Application syncs this tree by itself."
    elif frozen:
        assert app is not None
        start, end = weekday_span(calendar, app.lead_minutes)
        yield (
            f"Deploys: `{app.name}` syncs every new commit automatically, except from {clock_text(start)} "
            f"to {clock_text(end)}, {_weekdays(calendar)}, and around the special sessions, "
            "where Argo CD's deny windows hold automated syncs back until the window ends; a person "
            "can still sync by hand (`manualSync: true`)."
        )
    elif app.automated:
        yield f"Deploys: `{app.name}` syncs every new commit automatically, at any hour (no freeze)."
    else:
        yield f"Deploys: `{app.name}` syncs when a person presses Sync, at any hour."
    yield ""
    yield from _gantt(env, calendar, app.lead_minutes if frozen and app is not None else None)


def _gantt(env: EnvPlan, calendar: Calendar, freeze_lead: int | None) -> Iterator[str]:
    yield "```mermaid"
    yield "gantt"
    yield f"    title {env.name}, a regular trading day ({calendar.timezone})"
    yield "    dateFormat HH:mm"
    yield "    axisFormat %H:%M"
    # The day drawn is any trading day: a marker at the moment of rendering would mislead.
    yield "    todayMarker off"
    yield "    section Market"
    for window in calendar.sessions:
        yield f"    {window.name} : {window.start_clock}, {window.end_clock}"
    floors = [w for w in env.workloads if w.scaling is not None and w.scaling.floor is not None]
    if floors:
        yield "    section Floors"
        for workload in floors:
            assert workload.scaling is not None and workload.scaling.floor is not None
            floor = workload.scaling.floor
            start, end = weekday_span(calendar, floor.lead_minutes)
            shown = f"{clock_text(max(0, start))}, {clock_text(end)}"
            yield f"    {workload.name} at least {floor.replicas} : {shown}"
    alerting = env.observability.alerting
    if alerting is not None and alerting.market is not None:
        yield "    section Paging"
        for window in calendar.sessions:
            yield f"    market alerts page : {window.start_clock}, {window.end_clock}"
    if freeze_lead is not None:
        start, end = weekday_span(calendar, freeze_lead)
        yield "    section Deploys"
        yield f"    automated syncs denied : {clock_text(max(0, start))}, {clock_text(end)}"
    yield "```"
