"""out/README.md's market clock: floors, paging and freezes per environment, and a day's timeline."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.plan.market import Calendar, clock_text
from compiler.plan.model import Application, EnvPlan, Plan, Project
from compiler.render.alerts import alerts

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def market_clock_section(plan: Plan) -> list[str]:
    """The section: the calendar, then per environment what follows it, with a Mermaid gantt of a day."""
    calendar = plan.market
    if calendar is None:
        return []
    apps = {app.environment: app for app in plan.applications}
    lines = ["", "## Market clock"]
    for paragraph in _calendar_lines(calendar):
        lines.extend(("", paragraph))
    for env in (plan.base, *plan.environments):
        lines.extend(_environment(env, calendar, apps.get(env.name), plan.project))
    return lines


def _span(start: int, end: int) -> str:
    return f"{clock_text(start)}-{clock_text(end)}"


def _calendar_lines(calendar: Calendar) -> Iterator[str]:
    sessions = ", ".join(f"{w.name} {_span(w.start, w.end)}" for w in calendar.sessions)
    days = ", ".join(WEEKDAY_NAMES[d] for d in calendar.weekdays)
    yield (
        f"{calendar.name}'s calendar for {calendar.year}, local time of `{calendar.timezone}` "
        f"(end times excluded): {sessions}; on {days}, {len(calendar.trading_days())} trading days, "
        f"closed on {len(calendar.holidays)} holidays."
    )
    for special in calendar.specials:
        window = special.window
        yield (
            f"Special session: {special.day.isoformat()} ({WEEKDAY_NAMES[special.day.weekday()]}), "
            f"{window.name}, {_span(window.start, window.end)}."
        )
    yield (
        "Cron schedules have no year, so the floors and the freeze list each month's trading days: "
        f"they hold for {calendar.year} only, until the calendar is edited."
    )


def _environment(
    env: EnvPlan, calendar: Calendar, app: Application | None, project: Project | None
) -> Iterator[str]:
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
            yield (
                f"| **{workload.name}** | {scaling.floor.replicas} pods "
                f"| {clock_text(max(0, calendar.opens - lead))} ({lead} min before the open) "
                f"| {clock_text(calendar.closes)} "
                f"| {scaling.min_replicas} to {scaling.max_replicas} pods "
                f"at CPU > {scaling.cpu_utilization}% |"
            )
        leads = sorted({w.scaling.floor.lead_minutes for w in floors if w.scaling and w.scaling.floor})
        specials = "".join(
            f"; on {s.day.isoformat()} from {clock_text(max(0, s.window.start - lead))} "
            f"to {clock_text(s.window.end)}"
            for s in calendar.specials
            for lead in leads
        )
        yield ""
        yield (
            f"Floors hold on trading days (KEDA `cron` triggers of a ScaledObject, in place of the HPA)"
            f"{specials}."
        )
    else:
        yield (
            "No floors here: the HPAs alone scale "
            "(a floor needs `prescale` and an environment with `keda: true`)."
        )
    yield ""
    yield from _paging(env)
    yield ""
    frozen = app is not None and app.frozen and project is not None and bool(project.windows)
    if app is None:
        yield "Deploys: no Argo CD Application syncs this tree by itself."
    elif frozen:
        yield (
            f"Deploys: automated syncs of `{app.name}` are denied from {clock_text(calendar.opens)} "
            f"to {clock_text(calendar.closes)} on trading days"
            + "".join(
                f" and {_span(s.window.start, s.window.end)} on {s.day.isoformat()}"
                for s in calendar.specials
            )
            + " (Argo CD sync windows of the AppProject); a person can still sync by hand."
        )
    else:
        yield f"Deploys: `{app.name}` is never frozen."
    yield ""
    yield from _gantt(env, calendar, frozen)


def _paging(env: EnvPlan) -> Iterator[str]:
    alerting = env.observability.alerting
    market = [a.name for a in alerts(env) if a.market]
    if alerting is None or alerting.market is None:
        yield "Paging: market-data alerts follow the ordinary routes at any hour (no `market_receiver`)."
        return
    names = ", ".join(f"`{name}`" for name in market)
    yield (
        f"Paging: the market-data alerts ({names}) go to `{alerting.market.receiver}` only in the sessions "
        "of trading days and in the special sessions; on holidays and outside the sessions they stay quiet."
    )


def _gantt(env: EnvPlan, calendar: Calendar, frozen: bool) -> Iterator[str]:
    yield "```mermaid"
    yield "gantt"
    yield f"    title {env.name}, a trading day ({calendar.timezone})"
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
            start = clock_text(max(0, calendar.opens - floor.lead_minutes))
            yield f"    {workload.name} at least {floor.replicas} : {start}, {clock_text(calendar.closes)}"
    alerting = env.observability.alerting
    if alerting is not None and alerting.market is not None:
        yield "    section Paging"
        for window in calendar.sessions:
            yield f"    market alerts page : {window.start_clock}, {window.end_clock}"
    if frozen:
        yield "    section Deploys"
        yield f"    automated syncs denied : {clock_text(calendar.opens)}, {clock_text(calendar.closes)}"
    yield "```"
