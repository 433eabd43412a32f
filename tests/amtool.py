"""amtool (Debian's prometheus-alertmanager package) over the compiled Alertmanager configs.

`python -m tests.amtool` checks every environment's config and routes every generated alert through
it; nox calls it. The receiver each alert must reach is worked out here from the plan's routes,
in the spec's terms, not read back from the rendered config."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.kustomize.environment import build_environment
from compiler.plan.model import AlertingPlan, EnvPlan, Plan
from compiler.render.alertmanager import alertmanager_config
from compiler.render.alerts import CALENDAR_CLOCK, alerts, objective_name, target_down_name
from compiler.syntax.emit import dump
from tests.tools import at_once, once_per_run, system_name, systems, tool


def amtool(*args: str) -> str:
    """Run amtool; raise with its output when it fails."""
    result = subprocess.run([tool("amtool"), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"amtool {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


@dataclass(frozen=True)
class RouteCase:
    """The labels of one alert as Alertmanager receives it, and the receiver it must reach."""

    labels: tuple[tuple[str, str], ...]
    receiver: str


def market_data(env: EnvPlan) -> set[str]:
    """The alerts on market data: every objective, and every target of the hot path down."""
    hot = {w.name for w in env.workloads if w.hot_path}
    names = {objective_name(o) for o in env.observability.objectives}
    return names | {target_down_name(t.job) for t in env.observability.targets if t.workload in hot}


def expected_receiver(alerting: AlertingPlan, labels: dict[str, str], market: bool = False) -> str:
    """The spec's meaning: the calendar's warning to its receiver; market data to the market's
    receiver and the closed market's (amtool routes without a clock, so every route that may notify
    is listed, the closed market's twice where the calendar closes some regular hours); then the
    first route whose severity and layers hold, else the default."""
    if alerting.calendar_receiver is not None and labels.get("clock") == CALENDAR_CLOCK:
        return alerting.calendar_receiver
    if alerting.market is not None and market:
        closed = [alerting.market.closed_receiver] * (2 if alerting.market.hours.closed else 1)
        return ",".join([alerting.market.receiver, *closed])
    for route in alerting.routes:
        if route.severity not in (None, labels.get("severity")):
            continue
        if route.layers and labels.get("layer") not in route.layers:
            continue
        return route.receiver
    return alerting.default


def route_cases(env: EnvPlan) -> Iterator[RouteCase]:
    """One case per generated alert of env, with Prometheus' external labels."""
    alerting = env.observability.alerting
    assert alerting is not None
    market = market_data(env)
    for alert in alerts(env):
        labels = {
            "alertname": alert.name,
            "system": env.system,
            "environment": env.name,
            **alert.rule()["labels"],
        }
        receiver = expected_receiver(alerting, labels, alert.name in market)
        yield RouteCase(tuple(sorted(labels.items())), receiver)


def write_config(env: EnvPlan, folder: Path) -> Path:
    """Write env's alertmanager.yml into folder (where the cluster's Prometheus Operator runs
    Alertmanager, what its AlertmanagerConfig amounts to); return its path."""
    alerting = env.observability.alerting
    assert alerting is not None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "alertmanager.yml"
    if env.prometheus_operator is None:
        config = alertmanager_config(env, alerting)
    else:
        (found,) = [o for o in build_environment(env) if o["kind"] == "AlertmanagerConfig"]
        config = from_alertmanager_config(found["spec"])
    path.write_text(dump(config), encoding="utf-8")
    return path


# The CRD's route keys and Alertmanager's.
ROUTE_KEYS = {
    "receiver": "receiver",
    "groupBy": "group_by",
    "groupWait": "group_wait",
    "groupInterval": "group_interval",
    "repeatInterval": "repeat_interval",
    "activeTimeIntervals": "active_time_intervals",
    "muteTimeIntervals": "mute_time_intervals",
    "continue": "continue",
}
# A pager's URL is in its Secret, which the operator reads; amtool needs some URL.
PAGER_URL = "https://pager.invalid/hook"


def _matchers(matchers: list[dict[str, str]]) -> list[str]:
    return [f'{m["name"]}{m.get("matchType", "=")}"{m["value"]}"' for m in matchers]


def _route(route: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {ROUTE_KEYS[k]: v for k, v in route.items() if k in ROUTE_KEYS}
    if "matchers" in route:
        found["matchers"] = _matchers(route["matchers"])
    if "routes" in route:
        found["routes"] = [_route(r) for r in route["routes"]]
    return found


def interval_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One time interval of an AlertmanagerConfig in alertmanager.yml's form."""
    found: dict[str, Any] = {
        "times": [{"start_time": t["startTime"], "end_time": t["endTime"]} for t in entry["times"]]
    }
    if "weekdays" in entry:
        found["weekdays"] = entry["weekdays"]
    if "daysOfMonth" in entry:
        found["days_of_month"] = [f"{d['start']}:{d['end']}" for d in entry["daysOfMonth"]]
    found |= {key: entry[key] for key in ("months", "years") if key in entry}
    return found


def from_alertmanager_config(spec: dict[str, Any]) -> dict[str, Any]:
    """The alertmanager.yml an AlertmanagerConfig's spec amounts to, without the operator's
    namespace matcher: its routes, receivers, inhibitions and time intervals (in UTC)."""
    receivers = []
    for receiver in spec["receivers"]:
        entry: dict[str, Any] = {"name": receiver["name"]}
        if "webhookConfigs" in receiver:
            entry["webhook_configs"] = [
                {"url": w["url"], "send_resolved": w["sendResolved"]} for w in receiver["webhookConfigs"]
            ]
        if "slackConfigs" in receiver:
            entry["slack_configs"] = [
                {"api_url": PAGER_URL, "send_resolved": c["sendResolved"]} for c in receiver["slackConfigs"]
            ]
        receivers.append(entry)
    config: dict[str, Any] = {"route": _route(spec["route"]), "receivers": receivers}
    if "inhibitRules" in spec:
        config["inhibit_rules"] = [
            {
                "source_matchers": _matchers(r["sourceMatch"]),
                "target_matchers": _matchers(r["targetMatch"]),
                "equal": r["equal"],
            }
            for r in spec["inhibitRules"]
        ]
    if "muteTimeIntervals" in spec:
        config["time_intervals"] = [
            {"name": n["name"], "time_intervals": [interval_entry(e) for e in n["timeIntervals"]]}
            for n in spec["muteTimeIntervals"]
        ]
    return config


def check_env(env: EnvPlan, folder: Path) -> int:
    """check-config, then every generated alert routed to its receiver; the number of routes tested."""
    config = write_config(env, folder)
    cases = list(route_cases(env))

    def check() -> str:
        report = amtool("check-config", str(config))
        at_once(
            lambda case: amtool(
                "config",
                "routes",
                "test",
                f"--config.file={config}",
                f"--verify.receivers={case.receiver}",
                *(f"{name}={value}" for name, value in case.labels),
            ),
            cases,
        )
        return report

    # The config's bytes and every case: all that amtool reads and is asked.
    digest = hashlib.sha256(config.read_bytes() + repr(cases).encode()).hexdigest()
    once_per_run(f"amtool-{digest}", check)
    return len(cases)


def check_plan(plan: Plan, workdir: Path) -> dict[str, int]:
    """Every amtool check for every environment that has an Alertmanager."""
    return {
        env.name: check_env(env, workdir / env.name)
        for env in (plan.base, *plan.environments)
        if env.observability.alerting is not None
    }


def main() -> int:
    """Check the Alertmanager configs and routes of the shipped spec and of every example that has one."""
    from compiler.pipeline import load_plan

    routed: dict[str, int] = {}
    for folder in systems():
        plan = load_plan(folder / "spec" / "system.yaml", folder / "monitoring")
        with tempfile.TemporaryDirectory() as workdir:
            try:
                found = check_plan(plan, Path(workdir))
            except AssertionError as failure:
                print(f"{system_name(folder)}: {failure}", file=sys.stderr)
                return 1
        routed.update({f"{system_name(folder)} {env}": count for env, count in found.items()})
    if not any(name.startswith(". ") for name in routed):
        print("the shipped spec has no Alertmanager", file=sys.stderr)
        return 1
    for env, count in routed.items():
        print(f"{env}: amtool check-config passes; {count} alerts reach their receivers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
