"""Plan Alertmanager: its workload in the stack and the receivers and routes of its config."""

from __future__ import annotations

from compiler.plan.market import Calendar, DatedHours, Span, clock_text, subtract
from compiler.plan.model import (
    AlertingPlan,
    ConfigMount,
    DatedTimes,
    External,
    Flow,
    MarketHours,
    MarketRoute,
    ReceiverPlan,
    RoutePlan,
    SecretEnv,
    Volume,
    WebhookPlan,
)
from compiler.spec.model import Alertmanager, Spec
from compiler.spec.ports import MAIN, component_ports

ALERTMANAGER = "alertmanager"
ALERTMANAGER_PORT = 9093
ALERTMANAGER_CONFIG = "alertmanager-config"
CONFIG_DIR = "/etc/alertmanager"
CONFIG_FILE = "alertmanager.yml"
STORAGE_PATH = "/alertmanager"
# Outside the config folder: a Secret mounted inside a read-only ConfigMap volume needs a mount point there.
PAGER_DIR = "/run/secrets/alertmanager"


def pager_file(receiver: str) -> str:
    """Where a pager receiver's URL is mounted from its Secret."""
    return f"{PAGER_DIR}/{receiver}"


def _clocks(spans: tuple[Span, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((clock_text(start), clock_text(end)) for start, end in spans)


def market_hours(calendar: Calendar) -> MarketHours:
    """The calendar in the terms of Alertmanager's time intervals: the regular week on every date,
    with what the dated hours add to it and take from it (time intervals have years: this is exact)."""
    regular = tuple(w.span for w in calendar.sessions)
    extra: list[DatedTimes] = []
    closed: list[DatedTimes] = []
    for dated in calendar.dated_hours():
        usual = regular if dated.on_trading_weekdays else ()
        added, removed = subtract(dated.windows, usual), subtract(usual, dated.windows)
        if added:
            extra.append(_dated(dated, added))
        if removed:
            closed.append(_dated(dated, removed))
    return MarketHours(
        location=calendar.timezone,
        sessions=_clocks(regular),
        weekdays=tuple(day + 1 for day in calendar.weekdays),
        extra=tuple(extra),
        closed=tuple(closed),
    )


def _dated(dated: DatedHours, spans: tuple[Span, ...]) -> DatedTimes:
    return DatedTimes(dated.first, dated.last, dated.on_trading_weekdays, _clocks(spans))


def alerting_plan(spec: Spec, calendar: Calendar | None) -> AlertingPlan | None:
    """Receivers and routes of Alertmanager's config, or None when the spec has no Alertmanager."""
    manager = spec.observability.alertmanager
    if manager is None:
        return None
    ports = component_ports(spec)
    receivers = tuple(
        ReceiverPlan(
            r.name,
            WebhookPlan(r.webhook.component, ports[r.webhook.component][MAIN], r.webhook.path)
            if r.webhook
            else None,
            pager_file(r.name) if r.pager else None,
            (r.pager.secret, r.pager.key) if r.pager else None,
        )
        for r in manager.receivers
    )
    routes = tuple(RoutePlan(r.receiver, r.severity, tuple(r.layers)) for r in manager.routes)
    market = None
    if manager.market_receiver is not None and calendar is not None:
        closed_receiver = manager.market_closed_receiver or manager.default
        market = MarketRoute(manager.market_receiver, closed_receiver, market_hours(calendar))
    return AlertingPlan(
        receivers=receivers,
        default=manager.default,
        routes=routes,
        group_wait=manager.group_wait,
        group_interval=manager.group_interval,
        repeat_interval=manager.repeat_interval,
        market=market,
        calendar_receiver=(manager.calendar_receiver or manager.default) if calendar is not None else None,
    )


def alertmanager_args() -> tuple[str, ...]:
    """Alertmanager's command line: one replica, so no cluster gossip."""
    return (
        f"--config.file={CONFIG_DIR}/{CONFIG_FILE}",
        f"--storage.path={STORAGE_PATH}",
        f"--web.listen-address=:{ALERTMANAGER_PORT}",
        "--cluster.listen-address=",
    )


def alertmanager_mounts() -> tuple[ConfigMount, ...]:
    """The generated config, mounted read-only."""
    return (ConfigMount(ALERTMANAGER_CONFIG, CONFIG_DIR),)


def alertmanager_volume(manager: Alertmanager) -> Volume:
    """The volume of silences and the notification log, kept across restarts."""
    return Volume(manager.storage, STORAGE_PATH, None)


def alertmanager_secrets(manager: Alertmanager) -> tuple[SecretEnv, ...]:
    """Each pager's URL as a read-only file; the config names the file, never the URL."""
    return tuple(
        SecretEnv(r.pager.secret, r.pager.key, None, pager_file(r.name)) for r in manager.receivers if r.pager
    )


def alertmanager_flows(spec: Spec, manager: Alertmanager) -> tuple[Flow, ...]:
    """The components Alertmanager posts webhooks to, on their ports."""
    ports = component_ports(spec)
    targets = sorted({r.webhook.component for r in manager.receivers if r.webhook})
    return tuple(Flow(target, ports[target][MAIN]) for target in targets)


def alertmanager_external(manager: Alertmanager) -> tuple[External, ...]:
    """The address blocks of the pagers, once each."""
    found: dict[tuple[str, int], list[str]] = {}
    for receiver in manager.receivers:
        if receiver.pager:
            found.setdefault((receiver.pager.cidr, receiver.pager.port), []).append(receiver.name)
    return tuple(
        External(cidr, port, f"pager of {', '.join(names)}") for (cidr, port), names in sorted(found.items())
    )
