"""The Alertmanager routes as the Prometheus Operator's AlertmanagerConfig (monitoring.coreos.com/v1alpha1).

The same receivers, routes, inhibitions and market clock as the tree's alertmanager.yml. Its time
intervals have no location (prometheus-operator#5512), so the market's local times become UTC; the
rules admit only market zones with a fixed offset, where that is exact."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from compiler.plan.model import AlertingPlan, EnvPlan, PrometheusOperatorPlan, ReceiverPlan
from compiler.plan.stack import STACK_FILE
from compiler.render.alertmanager import alertmanager_config, webhook_url
from compiler.render.labels import metadata, system_labels
from compiler.render.market_clock import utc_time_intervals
from compiler.render.types import Placed

API_VERSION = "monitoring.coreos.com/v1alpha1"
MATCHER = re.compile(r'^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"(.*)"$')
# Alertmanager's route keys and the CRD's.
ROUTE_KEYS = {
    "receiver": "receiver",
    "group_by": "groupBy",
    "group_wait": "groupWait",
    "group_interval": "groupInterval",
    "repeat_interval": "repeatInterval",
    "active_time_intervals": "activeTimeIntervals",
    "mute_time_intervals": "muteTimeIntervals",
    "continue": "continue",
}


def render(env: EnvPlan) -> Iterator[Placed]:
    """The AlertmanagerConfig, where the cluster's operator runs Alertmanager and the spec routes alerts."""
    operator = env.prometheus_operator
    alerting = env.observability.alerting
    if operator is None or alerting is None:
        return
    yield Placed(STACK_FILE, manifest(env, operator, alerting))


def manifest(env: EnvPlan, operator: PrometheusOperatorPlan, alerting: AlertingPlan) -> dict[str, Any]:
    """The AlertmanagerConfig of env: alertmanager.yml's routes in the CRD's fields, its clock in UTC."""
    config = alertmanager_config(env, alerting)
    spec: dict[str, Any] = {
        "route": route(config["route"]),
        "receivers": [receiver(env, r) for r in alerting.receivers],
    }
    if "inhibit_rules" in config:
        spec["inhibitRules"] = [
            {
                "sourceMatch": [matcher(m) for m in rule["source_matchers"]],
                "targetMatch": [matcher(m) for m in rule["target_matchers"]],
                "equal": rule["equal"],
            }
            for rule in config["inhibit_rules"]
        ]
    market = alerting.market
    calendar = env.observability.market
    if market is not None:
        offset = calendar.utc_offset_minutes if calendar is not None else 0
        spec["muteTimeIntervals"] = [
            {"name": named["name"], "timeIntervals": [interval(e) for e in named["time_intervals"]]}
            for named in utc_time_intervals(market.hours, offset)
        ]
    return {
        "apiVersion": API_VERSION,
        "kind": "AlertmanagerConfig",
        "metadata": metadata(env, env.system, {**system_labels(env), **dict(operator.labels)}),
        "spec": spec,
    }


def matcher(text: str) -> dict[str, str]:
    """An Alertmanager matcher such as layer=~"a|b" as the CRD's name, value and matchType (= by default)."""
    found = MATCHER.match(text)
    if found is None:
        raise ValueError(f"not a matcher: {text!r}")
    name, kind, value = found.groups()
    # "=" is the default; written out, a bare `=` is YAML 1.1's value key, which PyYAML-based
    # readers of `kubectl kustomize` output (checkov among them) cannot load.
    return (
        {"name": name, "value": value} if kind == "=" else {"name": name, "value": value, "matchType": kind}
    )


def route(config: dict[str, Any]) -> dict[str, Any]:
    """A route of alertmanager.yml with its subroutes, in the CRD's fields."""
    found: dict[str, Any] = {ROUTE_KEYS[key]: value for key, value in config.items() if key in ROUTE_KEYS}
    if "matchers" in config:
        found["matchers"] = [matcher(m) for m in config["matchers"]]
    if "routes" in config:
        found["routes"] = [route(r) for r in config["routes"]]
    return found


def receiver(env: EnvPlan, plan: ReceiverPlan) -> dict[str, Any]:
    """A receiver: the webhook's URL, or the pager's URL read from its Secret."""
    if plan.webhook is not None:
        return {"name": plan.name, "webhookConfigs": [{"url": webhook_url(env, plan), "sendResolved": True}]}
    assert plan.pager_secret is not None
    secret, key = plan.pager_secret
    return {
        "name": plan.name,
        "slackConfigs": [{"apiURL": {"name": secret, "key": key}, "sendResolved": True}],
    }


def interval(entry: dict[str, Any]) -> dict[str, Any]:
    """A time interval of alertmanager.yml (without location) in the CRD's fields."""
    found: dict[str, Any] = {
        "times": [{"startTime": t["start_time"], "endTime": t["end_time"]} for t in entry["times"]]
    }
    if "weekdays" in entry:
        found["weekdays"] = entry["weekdays"]
    if "days_of_month" in entry:
        found["daysOfMonth"] = [_day_range(text) for text in entry["days_of_month"]]
    for key in ("months", "years"):
        if key in entry:
            found[key] = entry[key]
    return found


def _day_range(text: str) -> dict[str, int]:
    low, _, high = text.partition(":")
    return {"start": int(low), "end": int(high or low)}
