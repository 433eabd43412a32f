"""The cluster's Prometheus Operator: its objects replace the tree's Prometheus, Alertmanager and Grafana,
scrape the same targets, carry the same rules, and route the market alerts by the calendar in UTC.

The fixture (tests/fixtures/platform/) is a copy of the platform example, whose environments use
the Gateway API, cert-manager, External Secrets and the Prometheus Operator."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from compiler.kustomize.environment import build_environment
from compiler.pipeline import load_plan
from compiler.plan.market import Calendar
from compiler.plan.model import EnvPlan, Plan
from compiler.plan.stack import OWN_MONITORING
from compiler.render.configs import prometheus_config, rule_files
from compiler.spec.load import read_spec
from compiler.spec.ports import POSTGRES_METRICS_PORT, REDIS_EXPORTER_PORT
from compiler.syntax.read import load_all
from tests.amtool import PAGER_URL, interval_entry
from tests.amtool import check_plan as amtool_check_plan
from tests.conftest import ROOT
from tests.promtool import check_plan, promtool, write_env
from tests.timeinterval import contains

PLATFORM = ROOT / "tests" / "fixtures" / "platform"
SPEC = PLATFORM / "spec" / "system.yaml"
MONITORING = PLATFORM / "monitoring"
MINUTE = dt.timedelta(minutes=1)
# The alerts of the fixture's monitoring/alerts/.
HAND_WRITTEN = {"PrometheusConfigReloadFailed", "OtelCollectorDroppingData"}
DAY_MINUTES = 24 * 60


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The platform fixture's plan."""
    return load_plan(SPEC, MONITORING)


def _operated(plan: Plan) -> list[EnvPlan]:
    envs = [env for env in plan.environments if env.prometheus_operator is not None]
    assert envs, "the fixture names the Prometheus Operator in no environment"
    return envs


def _kinds(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def test_every_environment_of_the_fixture_targets_the_platform() -> None:
    environments: dict[str, dict[str, Any]] = read_spec(SPEC).data["environments"]
    for name, env in environments.items():
        for part in ("gateway", "cert_manager", "external_secrets", "prometheus_operator"):
            assert part in env, (name, part)


def test_the_trees_own_prometheus_alertmanager_and_grafana_are_not_built(plan: Plan) -> None:
    base = {o["metadata"]["name"] for o in build_environment(plan.base)}
    assert set(OWN_MONITORING) <= base
    for env in _operated(plan):
        objects = build_environment(env)
        names = {(o["kind"], o["metadata"]["name"]) for o in objects}
        for own in OWN_MONITORING:
            assert not any(name == own for _, name in names), (env.name, own)
        # Nor what only they read: their configs, and the dashboards mounted into Grafana.
        configmaps = [name for kind, name in names if kind == "ConfigMap"]
        for gone in ("prometheus-config", "prometheus-rules", "grafana-", "alertmanager-config"):
            assert not any(name.startswith(gone) for name in configmaps), (env.name, gone)
        # Nothing is left pointing at a workload that is gone.
        text = repr([o for o in objects if o["kind"] == "NetworkPolicy"])
        assert "'app.kubernetes.io/name': 'prometheus'" not in text, env.name


def test_the_overlay_builds_the_same_with_kubectls_rules(plan: Plan) -> None:
    """The overlay drops the base's generated ConfigMaps by a delete patch; nifty's build honours it."""
    from compiler.kustomize.build import build_folder
    from compiler.output.tree import build_tree

    tree = build_tree(plan)
    for env in _operated(plan):
        built = build_folder(tree, f"overlays/{env.name}")
        assert sorted((o["kind"], o["metadata"]["name"]) for o in built) == sorted(
            (o["kind"], o["metadata"]["name"]) for o in build_environment(env)
        )


def _jobs(env: EnvPlan) -> set[tuple[str, int, str]]:
    """(job, port, path) of each scrape job of the tree's own Prometheus."""
    return {
        (job["job_name"], job["dns_sd_configs"][0]["port"], job["metrics_path"])
        for job in prometheus_config(env)["scrape_configs"]
    }


OPERATOR_METRICS_PORTS = {"metrics": POSTGRES_METRICS_PORT, "redis-exporter": REDIS_EXPORTER_PORT}


def test_the_service_monitors_scrape_what_the_trees_prometheus_scrapes(plan: Plan) -> None:
    own = {(j, p, path) for j, p, path in _jobs(plan.base) if j not in OWN_MONITORING}
    for env in _operated(plan):
        objects = build_environment(env)
        services = {o["metadata"]["name"]: o for o in _kinds(objects, "Service")}
        found = set()
        for monitor in _kinds(objects, "ServiceMonitor"):
            labels = monitor["metadata"]["labels"]
            for key, value in env.prometheus_operator.labels:  # type: ignore[union-attr]
                assert labels[key] == value
            selector = monitor["spec"]["selector"]["matchLabels"]
            for endpoint in monitor["spec"]["endpoints"]:
                # Exactly one Service has the endpoint's port: the workload's discovery Service.
                matched = [
                    s
                    for s in services.values()
                    if selector.items() <= s["metadata"]["labels"].items()
                    and any(p.get("name") == endpoint["port"] for p in s["spec"]["ports"])
                ]
                assert len(matched) == 1, (monitor["metadata"]["name"], endpoint["port"])
                (port,) = [p["port"] for p in matched[0]["spec"]["ports"] if p["name"] == endpoint["port"]]
                relabelled = {r["targetLabel"]: r["replacement"] for r in endpoint["relabelings"]}
                assert relabelled["environment"] == env.name
                found.add((relabelled["job"], port, endpoint["path"]))
        for monitor in _kinds(objects, "PodMonitor"):
            for key, value in env.prometheus_operator.labels:  # type: ignore[union-attr]
                assert monitor["metadata"]["labels"][key] == value
            # The operators name their pods' metrics ports: CloudNativePG's "metrics", 9187 on a
            # Cluster's instances and 9127 on a Pooler's PgBouncer pods; the redis-operator's exporter
            # sidecar's "redis-exporter", 9121.
            pooled = "cnpg.io/poolerName" in monitor["spec"]["selector"]["matchLabels"]
            for endpoint in monitor["spec"]["podMetricsEndpoints"]:
                port = 9127 if pooled else OPERATOR_METRICS_PORTS[endpoint["port"]]
                relabelled = {r["targetLabel"]: r["replacement"] for r in endpoint["relabelings"]}
                assert relabelled["environment"] == env.name
                found.add((relabelled["job"], port, endpoint["path"]))
        assert found == own, env.name


def test_the_prometheus_rules_carry_the_rule_files(plan: Plan) -> None:
    for env in _operated(plan):
        rules = _kinds(build_environment(env), "PrometheusRule")
        carried = sorted(str(r["spec"]["groups"]) for r in rules)
        assert carried == sorted(str(load_all(text)[0]["groups"]) for _, text in rule_files(env))
        names = {
            rule["alert"]
            for r in rules
            for g in r["spec"]["groups"]
            for rule in g["rules"]
            if "alert" in rule
        }
        # The hand-written rules and the generated ones, the market phase among them.
        assert names >= HAND_WRITTEN, env.name
        records = {rule.get("record") for r in rules for g in r["spec"]["groups"] for rule in g["rules"]}
        assert "nifty:market_open" in records, env.name


def test_dashboards_are_config_maps_for_grafanas_sidecar(plan: Plan) -> None:
    environments: dict[str, dict[str, Any]] = read_spec(SPEC).data["environments"]
    for env in _operated(plan):
        wanted = environments[env.name]["prometheus_operator"].get(
            "dashboard_labels", {"grafana_dashboard": "1"}
        )
        maps = [
            o for o in _kinds(build_environment(env), "ConfigMap") if "dashboard" in o["metadata"]["name"]
        ]
        assert len(maps) == len(env.observability.dashboards), env.name
        for configmap in maps:
            assert wanted.items() <= configmap["metadata"]["labels"].items(), configmap["metadata"]["name"]
            (key,) = configmap["data"]
            assert key.endswith(".json")


# --- the AlertmanagerConfig's market clock, minute by minute ----------------------------------------


def _alertmanager_form(spec: dict[str, Any]) -> dict[str, Any]:
    """The AlertmanagerConfig's intervals in alertmanager.yml's form, for tests/timeinterval.py."""
    return {
        n["name"]: [interval_entry(i) for i in n["timeIntervals"]] for n in spec.get("muteTimeIntervals", [])
    }


def _minutes_by_day(named: dict[str, list[dict[str, Any]]], day: dt.date) -> dict[str, set[int]]:
    """The UTC minutes of day in which each named interval holds (Alertmanager's evaluation per entry)."""
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    found: dict[str, set[int]] = {}
    for name, entries in named.items():
        minutes: set[int] = set()
        for entry in entries:
            # Whether the entry's days hold today (contains() without its times); then its times,
            # which compare whole minutes of the day, the end excluded.
            if contains({k: v for k, v in entry.items() if k != "times"}, noon):
                for t in entry["times"]:
                    first, last = (int(x[:2]) * 60 + int(x[3:]) for x in (t["start_time"], t["end_time"]))
                    minutes.update(range(first, last))
        found[name] = minutes
    return found


def _market_routes(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in spec["route"]["routes"]
        if any(m["name"] == "clock" and m["value"] == "market" for m in r["matchers"])
    ]


def _notified(routes: list[dict[str, Any]], held: dict[str, set[int]]) -> list[list[str]]:
    """The receivers notified in each minute of a day: the routes tried in order, as Alertmanager does.

    A route is active in the minutes one of its active intervals holds (every minute when it names
    none), less those any of its mute intervals holds; the first active route ends the walk unless it
    continues.
    """
    every = set(range(DAY_MINUTES))
    active = []
    for route in routes:
        names = route.get("activeTimeIntervals", [])
        minutes = set().union(*(held.get(n, set()) for n in names)) if names else every
        active.append(
            minutes - set().union(*(held.get(n, set()) for n in route.get("muteTimeIntervals", [])))
        )
    notified = []
    for minute in range(DAY_MINUTES):
        receivers = []
        for route, minutes in zip(routes, active, strict=True):
            if minute in minutes:
                receivers.append(route["receiver"])
                if not route.get("continue", False):
                    break
        notified.append(receivers)
    return notified


def check_market_clock(env: EnvPlan, calendar: Calendar) -> None:
    """Every minute of the calendar's years: the market receiver is notified exactly while it is open,
    the closed-market receiver exactly while it is not."""
    (config,) = _kinds(build_environment(env), "AlertmanagerConfig")
    spec = config["spec"]
    named = _alertmanager_form(spec)
    routes = _market_routes(spec)
    alerting = env.observability.alerting
    assert alerting is not None and alerting.market is not None
    market, closed = alerting.market.receiver, alerting.market.closed_receiver
    first = dt.datetime(calendar.years[0], 1, 1, tzinfo=calendar.zone).astimezone(dt.UTC)
    last = dt.datetime(calendar.years[-1] + 1, 1, 1, tzinfo=calendar.zone).astimezone(dt.UTC)
    day = first.date()
    walked: dict[frozenset[tuple[str, frozenset[int]]], list[list[str]]] = {}
    while day <= last.date():
        held = _minutes_by_day(named, day)
        # Most days hold the same minutes (every regular weekday, every weekend): walk the routes once.
        key = frozenset((name, frozenset(minutes)) for name, minutes in held.items())
        notified = walked[key] if key in walked else walked.setdefault(key, _notified(routes, held))
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        for minute in range(DAY_MINUTES):
            instant = midnight + minute * MINUTE
            if not first <= instant < last:
                continue
            expected = [market] if calendar.is_open(instant) else [closed]
            assert notified[minute] == expected, (env.name, instant.isoformat(), notified[minute])
        day += dt.timedelta(days=1)


def test_the_alertmanager_config_follows_the_calendar_minute_by_minute(plan: Plan) -> None:
    assert plan.market is not None
    check_market_clock(_operated(plan)[0], plan.market)


# Zones with a fixed offset that split sessions across midnight UTC: ahead (+14) and behind (-11),
# with holidays on the first and last days of the year so that dates move across years too.
SHIFTED = {
    "Pacific/Kiritimati": '    - {date: "2026-01-01", name: New Year}\n',
    "Pacific/Pago_Pago": '    - {date: "2026-12-31", name: Year end}\n',
}


@pytest.mark.parametrize("zone", sorted(SHIFTED))
def test_the_clock_moves_across_midnight_months_and_years(tmp_path: Path, zone: str) -> None:
    text = SPEC.read_text(encoding="utf-8").replace("timezone: Asia/Kolkata", f"timezone: {zone}")
    text = re.sub(r"\n  holidays: [^\n]*\n", "\n  holidays:\n" + SHIFTED[zone], text)
    assert SHIFTED[zone] in text
    spec = tmp_path / "spec" / "system.yaml"
    spec.parent.mkdir()
    spec.write_text(text, encoding="utf-8")
    shifted = load_plan(spec, MONITORING)
    assert shifted.market is not None and shifted.market.timezone == zone
    env = _operated(shifted)[0]
    (config,) = _kinds(build_environment(env), "AlertmanagerConfig")
    times = [t for n in config["spec"]["muteTimeIntervals"] for i in n["timeIntervals"] for t in i["times"]]
    # Some session does cross midnight UTC here, so the check below sees split ranges.
    assert any(t["endTime"] == "24:00" or t["startTime"] == "00:00" for t in times), zone
    # The holiday at the year's edge is partly in the year next to the calendar's.
    years = {
        y for n in config["spec"]["muteTimeIntervals"] for i in n["timeIntervals"] for y in i.get("years", [])
    }
    assert years - {"2026"}, zone
    check_market_clock(env, shifted.market)


@pytest.mark.tools
def test_the_prometheus_rules_pass_promtool_and_every_alerts_tests(plan: Plan, tmp_path: Path) -> None:
    untested = check_plan(plan, tmp_path, MONITORING / "tests")
    assert untested == {name: [] for name in untested}
    for env in _operated(plan):
        # promtool read the PrometheusRules' groups, not the tree's rule files; no Prometheus config.
        written = sorted(p.name for p in (tmp_path / env.name).glob("rules-*.yaml"))
        assert written == sorted(
            f"{r['metadata']['name']}.yaml" for r in _kinds(build_environment(env), "PrometheusRule")
        )
        assert not (tmp_path / env.name / "prometheus.yml").exists()


@pytest.mark.tools
def test_promtool_sees_a_broken_prometheus_rule(plan: Plan, tmp_path: Path) -> None:
    env = _operated(plan)[0]
    _, rules, tests = write_env(env, tmp_path)
    generated = next(p for p in rules if p.name == "rules-generated.yaml")
    text = generated.read_text(encoding="utf-8")
    # The autoscaler's alert one replica late: its generated test must catch it.
    at = text.index("alert: TickProcessorAutoscalerAtMaximum")
    cut = text.index(">= ", at)
    generated.write_text(text[:cut] + "> " + text[cut + 3 :], encoding="utf-8")
    with pytest.raises(AssertionError, match="TickProcessorAutoscalerAtMaximum"):
        promtool("test", "rules", str(tests), cwd=tmp_path)


@pytest.mark.tools
def test_amtool_checks_and_routes_what_the_alertmanager_config_amounts_to(plan: Plan, tmp_path: Path) -> None:
    routed = amtool_check_plan(plan, tmp_path)
    for env in _operated(plan):
        assert routed[env.name] > 0
        config = (tmp_path / env.name / "alertmanager.yml").read_text(encoding="utf-8")
        # Read back from the AlertmanagerConfig: its clock in UTC, no location.
        assert PAGER_URL in config and "location" not in config, env.name
