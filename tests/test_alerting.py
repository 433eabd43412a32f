"""Alertmanager compiled from the spec: its workload, its place in the network, its config and routes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.kustomize.environment import build_environment
from compiler.pipeline import load_plan
from compiler.plan.model import EnvPlan, Plan
from compiler.plan.stack import threshold_seconds
from compiler.render.alerts import alerts
from compiler.render.types import Manifest
from tests.amtool import amtool, check_plan, expected_receiver, route_cases, write_config
from tests.conftest import MONITORING
from tests.netpol import allowed_flows

INVALID_BASE = Path(__file__).parent / "invalid" / "base.yaml"
PAGER_SECRET = "alertmanager-pager"


def _envs(plan: Plan) -> tuple[EnvPlan, ...]:
    return (plan.base, *plan.environments)


@pytest.fixture(scope="module")
def builds(shipped_plan: Plan) -> dict[str, list[Manifest]]:
    """Every environment of the shipped spec, built (the same objects as `kubectl kustomize`)."""
    return {env.name: build_environment(env) for env in _envs(shipped_plan)}


def _named(objects: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _config(objects: list[Manifest], name: str, key: str) -> Any:
    """A file of a generated ConfigMap, parsed."""
    for o in objects:
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].rsplit("-", 1)[0] == name:
            return yaml.safe_load(o["data"][key])
    raise AssertionError(f"no ConfigMap {name}")


@pytest.mark.tools
def test_amtool_accepts_every_config_and_routes_every_alert(shipped_plan: Plan, tmp_path: Path) -> None:
    routed = check_plan(shipped_plan, tmp_path)
    assert routed == {env.name: len(alerts(env)) for env in _envs(shipped_plan)}


@pytest.mark.tools
def test_amtool_refuses_an_alert_at_the_wrong_receiver(shipped_plan: Plan, tmp_path: Path) -> None:
    env = shipped_plan.environments[-1]
    config = write_config(env, tmp_path)
    case = next(c for c in route_cases(env) if c.receiver == "on-call")
    labels = [f"{name}={value}" for name, value in case.labels]
    with pytest.raises(AssertionError, match="Expected receivers did not match"):
        amtool(
            "config", "routes", "test", f"--config.file={config}", "--verify.receivers=trading-desk", *labels
        )


def test_every_route_of_the_spec_takes_some_alert(shipped_plan: Plan) -> None:
    for env in _envs(shipped_plan):
        alerting = env.observability.alerting
        assert alerting is not None
        taken = set()
        for alert in alerts(env):
            labels = alert.rule()["labels"]
            first = next(
                (
                    i
                    for i, r in enumerate(alerting.routes)
                    if r.severity in (None, labels["severity"])
                    and (not r.layers or labels["layer"] in r.layers)
                ),
                None,
            )
            taken.add(first)
        assert taken == {None, *range(len(alerting.routes))}


def test_routes_follow_severity_then_layer(shipped_plan: Plan) -> None:
    alerting = shipped_plan.base.observability.alerting
    assert alerting is not None
    assert expected_receiver(alerting, {"severity": "critical", "layer": "presentation"}) == "on-call"
    assert expected_receiver(alerting, {"severity": "warning", "layer": "ingestion"}) == "on-call"
    assert expected_receiver(alerting, {"severity": "warning", "layer": "analysis"}) == "trading-desk"


def test_pager_url_is_a_mounted_secret_file_never_a_literal(builds: dict[str, list[Manifest]]) -> None:
    for objects in builds.values():
        config = _config(objects, "alertmanager-config", "alertmanager.yml")
        pager = next(r for r in config["receivers"] if r["name"] == "on-call")
        (slack,) = pager["slack_configs"]
        assert set(slack) == {"api_url_file", "send_resolved"}
        pod = _named(objects, "StatefulSet")["alertmanager"]["spec"]["template"]["spec"]
        mounted = {}
        volumes = {v["name"]: v for v in pod["volumes"]}
        for mount in pod["containers"][0]["volumeMounts"]:
            for source in volumes.get(mount["name"], {}).get("projected", {}).get("sources", []):
                for item in source["secret"]["items"]:
                    mounted[f"{mount['mountPath']}/{item['path']}"] = (source["secret"]["name"], item["key"])
        assert mounted[slack["api_url_file"]] == (PAGER_SECRET, "url")


def test_prometheus_sends_alerts_to_the_alertmanager_service(
    builds: dict[str, list[Manifest]], shipped_plan: Plan
) -> None:
    for env in _envs(shipped_plan):
        objects = builds[env.name]
        prometheus = _config(objects, "prometheus-config", "prometheus.yml")
        (manager,) = prometheus["alerting"]["alertmanagers"]
        (target,) = manager["static_configs"][0]["targets"]
        host, port = target.rsplit(":", 1)
        assert host == f"alertmanager.{env.namespace}.svc"
        service = _named(objects, "Service")["alertmanager"]
        assert int(port) in {p["port"] for p in service["spec"]["ports"]}
        container = _named(objects, "StatefulSet")["alertmanager"]["spec"]["template"]["spec"]["containers"][
            0
        ]
        assert f"--web.listen-address=:{port}" in container["args"]
        assert {p["containerPort"] for p in container["ports"]} == {int(port)}


def test_the_webhook_reaches_the_bot_through_its_service(
    builds: dict[str, list[Manifest]], shipped_plan: Plan
) -> None:
    for env in _envs(shipped_plan):
        objects = builds[env.name]
        config = _config(objects, "alertmanager-config", "alertmanager.yml")
        desk = next(r for r in config["receivers"] if r["name"] == "trading-desk")
        (hook,) = desk["webhook_configs"]
        bot = _named(objects, "Service")["bot"]
        (port,) = (p["port"] for p in bot["spec"]["ports"])
        assert hook["url"] == f"http://bot.{env.namespace}.svc:{port}/alerts"


def test_network_admits_prometheus_to_alertmanager_and_alertmanager_to_its_receivers(
    builds: dict[str, list[Manifest]],
) -> None:
    for objects in builds.values():
        flows = allowed_flows(objects, {8080, 9093})
        assert ("prometheus", "alertmanager", 9093) in flows
        assert ("alertmanager", "bot", 8080) in flows
        # Nobody else reaches Alertmanager, and it reaches no other component.
        assert {f for f in flows if f[1] == "alertmanager"} == {("prometheus", "alertmanager", 9093)}
        assert {f for f in flows if f[0] == "alertmanager" and f[1] != "otel-collector"} == {
            ("alertmanager", "bot", 8080)
        }
        policy = _named(objects, "NetworkPolicy")["alertmanager"]["spec"]
        outside = [peer for rule in policy["egress"] for peer in rule.get("to", []) if "ipBlock" in peer]
        assert outside == [{"ipBlock": {"cidr": "0.0.0.0/0"}}]


def test_alertmanager_is_probed_and_hardened(builds: dict[str, list[Manifest]]) -> None:
    for objects in builds.values():
        workload = _named(objects, "StatefulSet")["alertmanager"]
        pod = workload["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"].startswith("prom/alertmanager:v")
        assert container["readinessProbe"]["httpGet"]["path"] == "/-/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/-/healthy"
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert pod["automountServiceAccountToken"] is False
        # Silences and the notification log survive a restart.
        data = next(m for m in container["volumeMounts"] if m["name"] == "data")
        assert f"--storage.path={data['mountPath']}" in container["args"]


def test_inhibitions_tie_an_explaining_alert_to_the_same_component(builds: dict[str, list[Manifest]]) -> None:
    config = _config(builds["prod"], "alertmanager-config", "alertmanager.yml")
    rules = {(tuple(r["source_matchers"]), tuple(r["target_matchers"])): r for r in config["inhibit_rules"]}
    stale = rules[(('alertname="FeedHandlerTargetDown"',), ('alertname="FeedHandlerFeedStaleness"',))]
    assert stale["equal"] == ["component"]
    assert all(r["equal"] == ["component"] for r in config["inhibit_rules"])


def test_without_the_block_there_is_no_alertmanager(tmp_path: Path) -> None:
    plan = load_plan(INVALID_BASE, MONITORING)
    for env in _envs(plan):
        objects = build_environment(env)
        assert "alertmanager" not in _named(objects, "StatefulSet")
        assert "alerting" not in _config(objects, "prometheus-config", "prometheus.yml")
        assert env.observability.alerting is None


@pytest.mark.parametrize(
    ("threshold", "seconds"),
    [("500us", 0.0005), ("0.5ms", 0.0005), ("250ms", 0.25), ("1.5s", 1.5), ("5s", 5.0), ("2m", 120.0)],
)
def test_a_threshold_is_compared_in_seconds(threshold: str, seconds: float) -> None:
    assert threshold_seconds(threshold) == seconds
