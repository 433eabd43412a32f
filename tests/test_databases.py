"""Databases that CloudNativePG runs: the Cluster, its clients, its traffic, and backups after the close.

The platform fixture (tests/fixtures/platform/, a copy of the platform example) runs TimescaleDB as
a Cluster: one instance in dev, three with a synchronous standby in prod, backups to S3 after the
NSE's close. Backup schedules are read with the robfig/cron evaluator of tests/cronexpr.py (which
CloudNativePG uses with a seconds field first), in UTC, the operator's zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from compiler.kustomize.environment import build_environment
from compiler.pipeline import load_plan
from compiler.plan.database import backup_runs, in_utc
from compiler.plan.market import Calendar, plan_calendar
from compiler.plan.model import Plan
from compiler.spec.load import read_spec
from compiler.spec.market import Market
from compiler.spec.model import MarketTime
from tests import cronexpr
from tests.conftest import ROOT
from tests.crds import validate_crd_objects
from tests.netpol import allowed_flows, expected_flows, plan_ports
from tests.tools import binary_bytes, by_kind, environment, operated_alert_exprs

PLATFORM = ROOT / "tests" / "fixtures" / "platform"
SPEC = PLATFORM / "spec" / "system.yaml"
MONITORING = PLATFORM / "monitoring"
# From before the calendar's first day, over its year end, to a year past its last day.
FIRST, LAST = dt.date(2025, 12, 20), dt.date(2028, 1, 10)
UTC = ZoneInfo("Etc/UTC")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SPEC, MONITORING)


def _database_spec() -> dict[str, Any]:
    """The fixture's database as written, and prod's changes to it."""
    data = read_spec(SPEC).data
    component = next(c for layer in data["layers"] for c in layer["components"] if "database" in c)
    return {**component["database"], "component": component["name"], "prod": data["environments"]["prod"]}


# --- the Cluster and its clients ---------------------------------------------------------------


def test_prod_runs_the_database_highly_available_with_synchronous_replication(plan: Plan) -> None:
    written = _database_spec()
    prod = written["prod"]["components"][written["component"]]["database"]
    cluster = by_kind(build_environment(environment(plan, "prod")), "Cluster")[written["component"]]
    spec = cluster["spec"]
    assert spec["instances"] == prod["instances"] >= 3
    assert spec["postgresql"]["synchronous"] == {
        "dataDurability": "required",
        "method": "any",
        "number": prod["synchronous"],
    }
    assert spec["affinity"]["podAntiAffinityType"] == "required"
    assert spec["affinity"]["topologyKey"] == "kubernetes.io/hostname"
    assert spec["postgresql"]["shared_preload_libraries"] == ["timescaledb"]
    assert spec["imageName"] == f"{written['image']}:{written['tag']}"
    assert spec["bootstrap"]["initdb"]["secret"] == {"name": written["secret"]}
    assert spec["storage"]["size"] == prod["storage"]["size"]
    # The operator's pods carry the labels that the NetworkPolicies select them by.
    assert spec["inheritedMetadata"]["labels"]["app.kubernetes.io/name"] == written["component"]


def test_dev_keeps_one_instance_without_synchronous_standbys(plan: Plan) -> None:
    written = _database_spec()
    spec = by_kind(build_environment(environment(plan, "dev")), "Cluster")[written["component"]]["spec"]
    assert spec["instances"] == 1
    assert "synchronous" not in spec["postgresql"]


def test_the_database_is_no_workload_of_its_own(plan: Plan) -> None:
    name = _database_spec()["component"]
    built = build_environment(environment(plan, "prod"))
    for kind in ("Deployment", "StatefulSet", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        assert name not in by_kind(built, kind), kind
    # CloudNativePG makes <name>-rw and -ro itself; nifty makes only the discovery Service.
    assert name not in by_kind(built, "Service")


def test_every_client_points_at_the_primarys_service(plan: Plan) -> None:
    name = _database_spec()["component"]
    prefix = name.upper().replace("-", "_")
    env = environment(plan, "prod")
    database = next(d for d in env.databases if d.name == name)
    assert database.clients and database.pooler is not None and database.pooler.clients
    for workload in env.workloads:
        variables = dict(workload.env)
        if workload.name in database.pooler.clients:
            # Through PgBouncer, which it alone may reach: no reader's host.
            assert variables[f"{prefix}_HOST"] == f"{name}-pooler-rw"
            assert f"{prefix}_RO_HOST" not in variables
            assert variables[f"{prefix}_PORT"] == "5432"
        elif workload.name in database.clients:
            assert variables[f"{prefix}_HOST"] == f"{name}-rw"
            assert variables[f"{prefix}_RO_HOST"] == f"{name}-ro"
            assert variables[f"{prefix}_PORT"] == "5432"
        else:
            assert f"{prefix}_HOST" not in variables, workload.name


def test_a_pooler_puts_pgbouncer_in_front_of_the_primary_for_the_clients_that_ask(plan: Plan) -> None:
    written = _database_spec()
    name = written["component"]
    built = build_environment(environment(plan, "prod"))
    pooler = by_kind(built, "Pooler")[f"{name}-pooler-rw"]["spec"]
    assert pooler["cluster"] == {"name": name}
    assert pooler["type"] == "rw"
    assert pooler["instances"] == written["pooler"]["instances"]
    assert pooler["pgbouncer"] == {"poolMode": written["pooler"]["mode"]}
    labels = pooler["template"]["metadata"]["labels"]
    policy = by_kind(built, "NetworkPolicy")[f"{name}-pooler"]["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= labels.items()
    # The scrape of PgBouncer's exporter, on the port CloudNativePG names metrics.
    assert any({"port": 9127, "protocol": "TCP"} in rule["ports"] for rule in policy["ingress"])


def test_an_environment_sets_its_own_number_of_pgbouncer_pods(plan: Plan) -> None:
    written = _database_spec()
    name = written["component"]
    dev = read_spec(SPEC).data["environments"]["dev"]["components"][name]["database"]["pooler"]
    built = build_environment(environment(plan, "dev"))
    assert dev["instances"] != written["pooler"]["instances"]
    assert by_kind(built, "Pooler")[f"{name}-pooler-rw"]["spec"]["instances"] == dev["instances"]


# --- traffic -----------------------------------------------------------------------------------


def _admits(rules: list[dict[str, Any]], peer: dict[str, Any], port: int) -> bool:
    return any(
        peer in rule.get("from", rule.get("to", [peer]))
        and {"port": port, "protocol": "TCP"} in rule["ports"]
        for rule in rules
    )


def test_the_network_policy_admits_the_operator_replication_clients_and_metrics(plan: Plan) -> None:
    written = _database_spec()
    name = written["component"]
    env = environment(plan, "prod")
    built = build_environment(env)
    policy = by_kind(built, "NetworkPolicy")[name]["spec"]
    own = {"podSelector": {"matchLabels": policy["podSelector"]["matchLabels"]}}
    operator = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}}}
    assert _admits(policy["ingress"], operator, 8000)
    assert _admits(policy["ingress"], own, 5432)
    assert _admits(policy["egress"], own, 5432)
    database = next(d for d in env.databases if d.name == name)
    for client in database.clients:
        peer = {
            "podSelector": {
                "matchLabels": {**own["podSelector"]["matchLabels"], "app.kubernetes.io/name": client}
            }
        }
        assert _admits(policy["ingress"], peer, 5432), client
        # ...and the client's own policy lets it out to the instances.
        assert _admits(by_kind(built, "NetworkPolicy")[client]["spec"]["egress"], own, 5432), client
    assert env.prometheus_operator is not None
    scraper = {
        "namespaceSelector": {
            "matchLabels": {"kubernetes.io/metadata.name": env.prometheus_operator.namespace}
        }
    }
    assert _admits(policy["ingress"], scraper, 9187)
    # The instance manager reads its Cluster from the API server; the backups reach the object store.
    assert any(
        rule["ports"] == [{"port": 443, "protocol": "TCP"}, {"port": 6443, "protocol": "TCP"}]
        for rule in policy["egress"]
    )
    assert any("ipBlock" in peer for rule in policy["egress"] for peer in rule.get("to", []))


def test_the_base_admits_exactly_the_declared_flow_to_and_from_the_instances(plan: Plan) -> None:
    """The NetworkPolicy evaluator of tests/netpol.py over every pod, the database's instances included."""
    docs = build_environment(plan.base)
    allowed = allowed_flows(docs, plan_ports(plan.base))
    assert allowed == expected_flows(plan.base)
    name = _database_spec()["component"]
    database = next(d for d in plan.base.databases if d.name == name)
    assert {(client, name, 5432) for client in database.clients} <= allowed
    assert (name, name, 5432) in allowed
    assert ("prometheus", name, 9187) in allowed
    assert not {(source, name, 5432) for source in ("dashboard", "bot", "feed-handler")} & allowed
    assert database.pooler is not None
    pooler = f"{name}-pooler"
    assert {(client, pooler, 5432) for client in database.pooler.clients} <= allowed
    assert (pooler, name, 5432) in allowed
    # A client through the pooler reaches the instances only through it.
    assert not {(client, name, 5432) for client in database.pooler.clients} & allowed


def test_the_prometheus_operator_scrapes_the_instances_through_a_pod_monitor(plan: Plan) -> None:
    name = _database_spec()["component"]
    monitor = by_kind(build_environment(environment(plan, "prod")), "PodMonitor")[name]["spec"]
    assert monitor["selector"] == {"matchLabels": {"cnpg.io/cluster": name}}
    assert [e["port"] for e in monitor["podMetricsEndpoints"]] == ["metrics"]


def test_the_layers_dashboard_shows_the_databases_lag_and_backups(plan: Plan) -> None:
    from compiler.render.dashboards import layer_dashboard_json

    env = environment(plan, "prod")
    layer = next(layer for layer in env.layers if layer.databases)
    database = layer.databases[0]
    panels = layer_dashboard_json(env, layer)["panels"]
    assert database.name in [p["title"] for p in panels if p["type"] == "row"]
    exprs = {p["title"]: [t["expr"] for t in p["targets"]] for p in panels if p["type"] == "timeseries"}
    assert exprs[f"{database.name}: replication lag"] == [f'cnpg_pg_replication_lag{{job="{database.name}"}}']
    assert database.backup is not None
    assert f"vector({database.backup.overdue_seconds})" in exprs[f"{database.name}: last backup"]
    assert f"vector({database.instances})" in exprs[f"{database.name}: instances"]
    assert f"vector({200 * 2**30})" in exprs[f"{database.name}: volume"]
    assert 'job="timescaledb-pooler"' in exprs[f"{database.name}: pooler clients"][1]


def test_every_database_object_is_valid_by_its_projects_schema(plan: Plan) -> None:
    for env in (plan.base, *plan.environments):
        built = build_environment(env)
        objects = [
            o for o in built if o["kind"] in {"Cluster", "ScheduledBackup", "ObjectStore", "PodMonitor"}
        ]
        assert {"Cluster", "ScheduledBackup", "ObjectStore"} <= {o["kind"] for o in objects}
        validate_crd_objects(objects)


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_the_storage_alerts_watch_each_environments_own_volume(plan: Plan, name: str) -> None:
    built = build_environment(environment(plan, name))
    # The fixture's prod and dev hand their rules to the cluster's Prometheus Operator.
    exprs = operated_alert_exprs(built)
    for cluster in by_kind(built, "Cluster").values():
        capacity = binary_bytes(cluster["spec"]["storage"]["size"])
        camel = "".join(part.title() for part in cluster["metadata"]["name"].split("-"))
        for alert, share in ((f"{camel}StorageFilling", 0.8), (f"{camel}StorageFull", 0.9)):
            used, threshold = exprs[alert].rsplit(" > ", 1)
            assert int(threshold) == round(capacity * share), (name, alert)
            assert "cnpg_pg_database_size_bytes" in used and 'value="size"' in used


# --- backups -----------------------------------------------------------------------------------


def test_backups_go_through_the_plugin_with_the_environments_retention(plan: Plan) -> None:
    written = _database_spec()
    name = written["component"]
    built = build_environment(environment(plan, "prod"))
    store = by_kind(built, "ObjectStore")[f"{name}-backup"]["spec"]
    assert store["configuration"]["destinationPath"] == written["backup"]["destination"]
    assert store["retentionPolicy"] == written["prod"]["components"][name]["database"]["retention"]
    cluster = by_kind(built, "Cluster")[name]["spec"]
    assert cluster["plugins"] == [
        {
            "isWALArchiver": True,
            "name": "barman-cloud.cloudnative-pg.io",
            "parameters": {"barmanObjectName": f"{name}-backup"},
        }
    ]
    backups = by_kind(built, "ScheduledBackup")
    assert backups
    for backup in backups.values():
        assert backup["spec"]["method"] == "plugin"
        assert backup["spec"]["cluster"] == {"name": name}
        assert len(backup["spec"]["schedule"].split()) == 6


def _zoned(plan: Plan, zone: str) -> Calendar:
    """The fixture's calendar moved to another zone with a fixed offset."""
    market = read_spec(SPEC).data["market"]
    calendar = plan_calendar(Market.model_validate({**market, "timezone": zone}, strict=False))
    assert calendar is not None
    return calendar


def _utc_runs(schedules: list[str]) -> list[dt.datetime]:
    """Every run of six-field schedules (seconds first) in UTC, from FIRST to LAST."""
    found = []
    for text in schedules:
        seconds, _, rest = text.partition(" ")
        assert seconds == "0", text
        cron = cronexpr.parse(rest)
        wall = dt.datetime.combine(FIRST, dt.time())
        while (wall := cron.next_after(wall)).date() <= LAST:
            found.append(wall.replace(tzinfo=UTC))
    return sorted(found)


def _instant(calendar: Calendar, day: dt.date, minute: int) -> dt.datetime:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=calendar.zone)
    return midnight + dt.timedelta(minutes=minute)


# NSE's zone, and two with fixed offsets on either side of it: behind UTC a run moves to the next day.
CASES = [("Asia/Kolkata", 30), ("Asia/Kolkata", 450), ("America/Bogota", 240), ("Asia/Tokyo", 0)]


@pytest.mark.parametrize(("zone", "minutes"), CASES, ids=[f"{z}+{m}" for z, m in CASES])
def test_a_backup_runs_after_every_close_and_never_in_a_session(plan: Plan, zone: str, minutes: int) -> None:
    calendar = _zoned(plan, zone)
    runs = _utc_runs([run.schedule for run in backup_runs(calendar, MarketTime(at="close", minutes=minutes))])
    assert runs
    assert not [run for run in runs if calendar.is_open(run)]
    day = FIRST + dt.timedelta(days=7)
    checked = 0
    while day <= LAST - dt.timedelta(days=7):
        windows = calendar.windows(day)
        if windows and calendar.is_trading_day(day):
            close = _instant(calendar, day, windows[-1].end)
            after = next(run for run in runs if run >= close + dt.timedelta(minutes=minutes))
            reopen = next(
                _instant(calendar, d, calendar.windows(d)[0].start)
                for d in (day + dt.timedelta(days=n) for n in range(1, 30))
                if calendar.windows(d)
            )
            assert after < reopen, (day, after)
            checked += 1
        day += dt.timedelta(days=1)
    # The calendar's year and the year after it, every trading day.
    assert checked > 400
    # Cron has no year: a run falls on a trading weekday, holidays included, or a special session's date.
    specials = {(d.month, d.day) for d in calendar.special_days()}
    for run in runs:
        day = (run.astimezone(calendar.zone) - dt.timedelta(minutes=minutes)).date()
        assert calendar.is_trading_weekday(day) or (day.month, day.day) in specials, run


def test_a_schedule_moves_to_utc_across_midnight() -> None:
    assert in_utc("30 16 * * 1-5", 330) == "0 11 * * 1-5"
    # 21:00 in UTC-5 is 02:00 UTC the next day: Monday's run is on Tuesday.
    assert in_utc("0 21 * * 1-5", -300) == "0 2 * * 2-6"
    assert in_utc("0 2 * * 1,3", 330) == "30 20 * * 0,2"
    assert in_utc("30 15 8 11 *", 330) == "0 10 8 11 *"
    assert in_utc("0 22 28 2 *", -300) == "0 3 29 2 *"
