"""Alertmanager's config, compiled from the plan: receivers, routes by severity and layer, inhibitions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.alerting import ALERTMANAGER, ALERTMANAGER_PORT
from compiler.plan.model import AlertingPlan, EnvPlan, ReceiverPlan, RoutePlan
from compiler.render.alerts import (
    crash_loop_name,
    not_ready_name,
    objective_name,
    target_down_name,
)
from compiler.render.market_clock import calendar_route, market_routes, time_intervals

GROUP_BY = ("alertname", "component")
RESOLVE_TIMEOUT = "5m"


def alertmanager_target(env: EnvPlan) -> str:
    """host:port where Prometheus sends its alerts."""
    return f"{ALERTMANAGER}.{env.namespace}.svc:{ALERTMANAGER_PORT}"


def prometheus_alerting(env: EnvPlan) -> dict[str, Any]:
    """The `alerting:` block of Prometheus' config."""
    return {"alertmanagers": [{"static_configs": [{"targets": [alertmanager_target(env)]}]}]}


def alertmanager_config(env: EnvPlan, alerting: AlertingPlan) -> dict[str, Any]:
    """The whole alertmanager.yml of env."""
    route: dict[str, Any] = {
        "receiver": alerting.default,
        "group_by": list(GROUP_BY),
        "group_wait": alerting.group_wait,
        "group_interval": alerting.group_interval,
        "repeat_interval": alerting.repeat_interval,
    }
    routes = [_route(r) for r in alerting.routes]
    if alerting.market is not None:
        # Before the spec's routes: the market-data alerts stop in theirs, in the session or not.
        routes[:0] = market_routes(alerting.market)
    if alerting.calendar_receiver is not None:
        routes.insert(0, calendar_route(alerting.calendar_receiver))
    if routes:
        route["routes"] = routes
    config: dict[str, Any] = {
        "global": {"resolve_timeout": RESOLVE_TIMEOUT},
        "route": route,
        "receivers": [_receiver(env, r) for r in alerting.receivers],
    }
    inhibitions = list(inhibit_rules(env))
    if inhibitions:
        config["inhibit_rules"] = inhibitions
    if alerting.market is not None:
        config["time_intervals"] = time_intervals(alerting.market.hours)
    return config


def matchers(route: RoutePlan) -> list[str]:
    """Alertmanager matchers of a spec route: its severity, then its layers."""
    found = []
    if route.severity is not None:
        found.append(f'severity="{route.severity}"')
    if len(route.layers) == 1:
        found.append(f'layer="{route.layers[0]}"')
    elif route.layers:
        found.append(f'layer=~"{"|".join(route.layers)}"')
    return found


def _route(route: RoutePlan) -> dict[str, Any]:
    return {"receiver": route.receiver, "matchers": matchers(route)}


def webhook_url(env: EnvPlan, receiver: ReceiverPlan) -> str:
    """The URL of a webhook receiver: the component's Service in env's namespace."""
    assert receiver.webhook is not None
    hook = receiver.webhook
    return f"http://{hook.component}.{env.namespace}.svc:{hook.port}{hook.path}"


def _receiver(env: EnvPlan, receiver: ReceiverPlan) -> dict[str, Any]:
    if receiver.webhook is not None:
        return {
            "name": receiver.name,
            "webhook_configs": [{"url": webhook_url(env, receiver), "send_resolved": True}],
        }
    # Slack's incoming-webhook format is the one whose URL Alertmanager reads from a file (api_url_file).
    return {
        "name": receiver.name,
        "slack_configs": [{"api_url_file": receiver.pager_file, "send_resolved": True}],
    }


def inhibit_rules(env: EnvPlan) -> Iterator[dict[str, Any]]:
    """Where one alert explains another of the same component, the other stays quiet.

    A crash-looping container explains its pod not being ready; a target that cannot be scraped
    explains its component's objectives (stale data, a latency that cannot be measured)."""
    # Every workload's two pod alerts share a suffix; equal component keeps each to its own workload.
    yield {
        "source_matchers": [f'alertname=~".+{crash_loop_name("")}"'],
        "target_matchers": [f'alertname=~".+{not_ready_name("")}"'],
        "equal": ["component"],
    }
    for target in env.observability.targets:
        explained = tuple(
            objective_name(o) for o in env.observability.objectives if o.workload == target.workload
        )
        if explained:
            yield _inhibit(target_down_name(target.job), explained)


def _inhibit(source: str, targets: tuple[str, ...]) -> dict[str, Any]:
    target = f'alertname="{targets[0]}"' if len(targets) == 1 else f'alertname=~"{"|".join(targets)}"'
    return {
        "source_matchers": [f'alertname="{source}"'],
        "target_matchers": [target],
        "equal": ["component"],
    }
