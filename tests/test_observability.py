"""Observability compiled from the spec: Prometheus, alerts, Grafana, the collector and OTEL_* variables."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.diagnostics import SpecError
from compiler.kustomize.environment import build_environment
from compiler.pipeline import load_plan
from compiler.plan.model import Plan
from compiler.render.types import Manifest
from compiler.spec.include import read_system
from compiler.spec.validate import validate
from compiler.syntax.emit import dump
from tests.conftest import MONITORING, SPEC
from tests.crds import autoscalers
from tests.promtool import check_plan, promtool, write_env
from tests.strategies import expected_bounds, specs

KSM = "kube-state-metrics"
DASHBOARDS_PATH = "/var/lib/grafana/dashboards"
SPEC_DATA: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _builds(plan: Plan) -> dict[str, list[Manifest]]:
    return {env.name: build_environment(env) for env in (plan.base, *plan.environments)}


@pytest.fixture(scope="module")
def builds(shipped_plan: Plan) -> dict[str, list[Manifest]]:
    """Every environment of the shipped spec, built (the same objects as `kubectl kustomize`)."""
    return _builds(shipped_plan)


def _configmaps(objects: list[Manifest]) -> dict[str, dict[str, str]]:
    """Generated ConfigMaps by their name without the hash suffix."""
    return {
        o["metadata"]["name"].rsplit("-", 1)[0]: o.get("data", {})
        for o in objects
        if o["kind"] == "ConfigMap"
    }


def _workloads(objects: list[Manifest]) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] in {"Deployment", "StatefulSet"}}


def _services(objects: list[Manifest]) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}


def _rules(objects: list[Manifest]) -> list[dict[str, Any]]:
    data = _configmaps(objects)["prometheus-rules"]
    return [r for text in data.values() for g in yaml.safe_load(text)["groups"] for r in g["rules"]]


def _spec_components() -> list[dict[str, Any]]:
    """The spec's components as plain data, with the profiles they pick up laid under them."""
    spec = validate(read_system(SPEC))
    return [c.model_dump() for layer in spec.layers for c in layer.components]


def _container(workload: Manifest) -> dict[str, Any]:
    containers: list[dict[str, Any]] = workload["spec"]["template"]["spec"]["containers"]
    return containers[0]


# --- Prometheus -------------------------------------------------------------------------------------


@pytest.mark.tools
def test_promtool_accepts_config_rules_and_every_alert_has_a_firing_and_a_quiet_test(
    shipped_plan: Plan, tmp_path: Path
) -> None:
    untested = check_plan(shipped_plan, tmp_path)
    assert untested == {env: [] for env in ("base", "dev", "prod")}


@pytest.mark.tools
def test_promtool_tests_catch_an_alert_that_fires_one_replica_late(
    shipped_plan: Plan, tmp_path: Path
) -> None:
    _, rules, tests = write_env(shipped_plan.base, tmp_path)
    generated = next(p for p in rules if p.name == "generated.yaml")
    text = generated.read_text()
    assert ">= 10" in text
    generated.write_text(text.replace(">= 10", "> 10"))
    with pytest.raises(AssertionError, match="TickProcessorAutoscalerAtMaximum"):
        promtool("test", "rules", str(tests), cwd=tmp_path)


def test_scrape_jobs_find_pods_through_dns_of_one_workload_and_label_them_from_the_spec(
    builds: dict[str, list[Manifest]],
) -> None:
    unscraped = {c["name"] for c in _spec_components() if c.get("metrics", {}).get("scrape") is False}
    assert unscraped == {"redis", "timescaledb"}
    for env, objects in builds.items():
        config = yaml.safe_load(_configmaps(objects)["prometheus-config"]["prometheus.yml"])
        assert "kubernetes_sd_configs" not in json.dumps(config)
        services, workloads = _services(objects), _workloads(objects)
        scraped: set[str] = set()
        for job in config["scrape_configs"]:
            [sd] = job["dns_sd_configs"]
            [name] = sd["names"]
            service_name, namespace, suffix = name.split(".")
            assert (namespace, suffix) == (objects[0]["metadata"]["name"], "svc")
            service = services[service_name]["spec"]
            assert service["clusterIP"] == "None" and service["publishNotReadyAddresses"] is True
            assert sd["port"] in {p["port"] for p in service["ports"]}
            owners = [
                w
                for w in workloads.values()
                if service["selector"].items() <= w["spec"]["template"]["metadata"]["labels"].items()
            ]
            assert len(owners) == 1, f"{service_name} selects {len(owners)} workloads"
            owner = owners[0]
            labels = owner["spec"]["template"]["metadata"]["labels"]
            assert sd["port"] in {p["containerPort"] for p in _container(owner)["ports"]}
            relabelled = {r["target_label"]: r["replacement"] for r in job["relabel_configs"]}
            assert relabelled == {
                "layer": labels["app.kubernetes.io/component"],
                "component": owner["metadata"]["name"],
                "environment": env,
            }
            scraped.add(owner["metadata"]["name"])
        assert scraped == set(workloads) - unscraped, env


def test_prometheus_retention_storage_and_rule_files_come_from_the_spec(
    builds: dict[str, list[Manifest]],
) -> None:
    wanted = SPEC_DATA["observability"]["prometheus"]
    for objects in builds.values():
        prometheus = _workloads(objects)["prometheus"]
        container = _container(prometheus)
        assert f"--storage.tsdb.retention.time={wanted['retention']}" in container["args"]
        claim = prometheus["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
        assert claim == wanted["storage"]
        config = yaml.safe_load(_configmaps(objects)["prometheus-config"]["prometheus.yml"])
        assert config["global"]["scrape_interval"] == wanted["scrape_interval"]
        [pattern] = config["rule_files"]
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        volumes = {
            v["name"]: v["configMap"]["name"]
            for v in prometheus["spec"]["template"]["spec"]["volumes"]
            if "configMap" in v
        }
        rules_volume = next(n for n, cm in volumes.items() if cm.startswith("prometheus-rules-"))
        assert pattern == f"{mounts[rules_volume]}/*.yaml"
        assert set(_configmaps(objects)["prometheus-rules"]) >= {"generated.yaml", "platform.yaml"}


def test_every_hpa_has_an_alert_at_its_real_maximum_in_every_environment(
    builds: dict[str, list[Manifest]],
) -> None:
    maxima = {}
    for env, objects in builds.items():
        rules = _rules(objects)
        for hpa in autoscalers(objects):
            name, top = hpa["metadata"]["name"], hpa["spec"]["maxReplicas"]
            watching = [
                r
                for r in rules
                if f'horizontalpodautoscaler="{name}"' in r["expr"] and r["expr"].endswith(f">= {top}")
            ]
            assert len(watching) == 1, f"{env}: no alert at the maximum {top} of {name}"
            maxima[(env, name)] = top
    assert maxima[("dev", "tick-processor")] == 3 and maxima[("prod", "tick-processor")] == 10


def test_every_alert_has_severity_summary_and_runbook(builds: dict[str, list[Manifest]]) -> None:
    for objects in builds.values():
        alerts = [r for r in _rules(objects) if "alert" in r]
        assert len({a["alert"] for a in alerts}) == len(alerts)
        for alert in alerts:
            assert alert["labels"]["severity"] in {"critical", "warning"}, alert["alert"]
            assert alert["annotations"]["summary"], alert["alert"]
            assert alert["annotations"]["runbook_url"].startswith("https://"), alert["alert"]


def test_every_workload_is_watched_for_unready_and_crash_looping_pods(
    builds: dict[str, list[Manifest]],
) -> None:
    for objects in builds.values():
        exprs = [r["expr"] for r in _rules(objects)]
        for name in _workloads(objects):
            watching = [e for e in exprs if f'container="{name}"' in e]
            assert any("kube_pod_container_status_ready" in e for e in watching), name
            assert any("CrashLoopBackOff" in e for e in watching), name


def test_declared_objectives_become_alerts(builds: dict[str, list[Manifest]]) -> None:
    declared = [(c["name"], o) for c in _spec_components() for o in c.get("objectives", [])]
    assert {o["kind"] for _, o in declared} == {"latency", "staleness"}
    for objects in builds.values():
        rules = _rules(objects)
        for component, objective in declared:
            [rule] = [
                r
                for r in rules
                if "alert" in r
                and r["labels"].get("component") == component
                and objective["metric"] in r["expr"]
            ]
            assert rule["for"] == objective.get("hold", "5m")
            assert rule["annotations"]["runbook_url"].endswith(f"/{component}/{objective['name']}")


def test_only_kube_state_metrics_reads_the_api_read_only_in_its_namespace(
    builds: dict[str, list[Manifest]],
) -> None:
    for objects in builds.values():
        assert not [o for o in objects if o["kind"] in {"ClusterRole", "ClusterRoleBinding"}]
        roles = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Role"}
        assert set(roles) == {KSM}
        workloads = _workloads(objects)
        tokens = {
            n for n, w in workloads.items() if w["spec"]["template"]["spec"]["automountServiceAccountToken"]
        }
        assert tokens == {KSM}
        granted = {r for rule in roles[KSM]["rules"] for r in rule["resources"]}
        assert all(set(rule["verbs"]) <= {"get", "list", "watch"} for rule in roles[KSM]["rules"])
        args = _container(workloads[KSM])["args"]
        watched = next(a for a in args if a.startswith("--resources=")).removeprefix("--resources=")
        assert set(watched.split(",")) == granted
        namespace = next(o for o in objects if o["kind"] == "Namespace")["metadata"]["name"]
        assert f"--namespaces={namespace}" in args


def test_the_collector_may_reach_the_traces_backend(builds: dict[str, list[Manifest]]) -> None:
    host, port = SPEC_DATA["observability"]["otel_collector"]["traces"]["endpoint"].split(":")
    backend_namespace = host.split(".")[1]
    for objects in builds.values():
        policy = next(
            o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "otel-collector"
        )
        assert any(
            {"port": int(port), "protocol": "TCP"} in rule["ports"]
            and {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": backend_namespace}}}
            in rule.get("to", [])
            for rule in policy["spec"]["egress"]
        )


# --- Grafana ----------------------------------------------------------------------------------------


def _dashboards(objects: list[Manifest]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, data in _configmaps(objects).items():
        if name.startswith("grafana-dashboard-") and name != "grafana-dashboard-providers":
            assert len(data) == 1, f"{name} holds {len(data)} dashboards"
            [(key, text)] = data.items()
            assert key.endswith(".json") and len(text.encode()) < 256 * 1024
            found[name] = json.loads(text)
    return found


def test_one_valid_configmap_per_dashboard_one_per_layer_all_mounted(
    builds: dict[str, list[Manifest]],
) -> None:
    layers = len(SPEC_DATA["layers"])
    authored = {json.loads(p.read_text())["uid"] for p in (MONITORING / "dashboards").glob("*.json")}
    for objects in builds.values():
        boards = _dashboards(objects)
        uids = [b["uid"] for b in boards.values()]
        assert len(set(uids)) == len(uids)
        assert authored <= set(uids)
        assert len(boards) == layers + len(authored)
        for board in boards.values():
            assert board["title"] and board["panels"]
            assert all(p["type"] and "gridPos" in p for p in board["panels"])
            assert len({p["id"] for p in board["panels"]}) == len(board["panels"])
        grafana = _workloads(objects)["grafana"]
        volumes = {
            v["name"]: v["configMap"]["name"]
            for v in grafana["spec"]["template"]["spec"]["volumes"]
            if "configMap" in v
        }
        mounts = {m["name"]: m["mountPath"] for m in _container(grafana)["volumeMounts"]}
        mounted = {
            volumes[n].rsplit("-", 1)[0] for n, path in mounts.items() if path.startswith(DASHBOARDS_PATH)
        }
        assert mounted == set(boards)


def test_layer_dashboards_show_replicas_against_hpa_bounds_and_cpu_against_target(
    builds: dict[str, list[Manifest]],
) -> None:
    for objects in builds.values():
        boards = _dashboards(objects)
        for layer in SPEC_DATA["layers"]:
            board = boards[f"grafana-dashboard-layer-{layer['number']}"]
            exprs = " ".join(t["expr"] for p in board["panels"] for t in p.get("targets", []))
            assert f'layer="{layer["name"]}"' in exprs
            for component in layer["components"]:
                if "autoscaling" in component:
                    hpa = f'horizontalpodautoscaler="{component["name"]}"'
                    for metric in ("spec_min_replicas", "spec_max_replicas", "spec_target_metric"):
                        assert f"kube_horizontalpodautoscaler_{metric}{{{hpa}" in exprs


def test_every_panel_reads_the_provisioned_datasource(builds: dict[str, list[Manifest]]) -> None:
    for objects in builds.values():
        configs = _configmaps(objects)
        provisioned = yaml.safe_load(configs["grafana-datasources"]["datasources.yaml"])["datasources"]
        uids = {d["uid"] for d in provisioned}
        providers = yaml.safe_load(configs["grafana-dashboard-providers"]["providers.yaml"])["providers"]
        assert [p["options"]["path"] for p in providers] == [DASHBOARDS_PATH]
        for board in _dashboards(objects).values():
            for panel in board["panels"]:
                if panel["type"] != "row":
                    assert panel["datasource"]["uid"] in uids, (board["uid"], panel["title"])


@pytest.mark.tools
def test_every_dashboard_query_parses_with_promtool(
    builds: dict[str, list[Manifest]], tmp_path: Path
) -> None:
    exprs = sorted(
        {
            t["expr"]
            for objects in builds.values()
            for board in _dashboards(objects).values()
            for panel in board["panels"]
            for t in panel.get("targets", [])
        }
    )
    rules = [{"record": f"dashboard:query_{i}", "expr": expr} for i, expr in enumerate(exprs)]
    path = tmp_path / "queries.yaml"
    path.write_text(dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    assert f"SUCCESS: {len(rules)} rules found" in promtool("check", "rules", str(path))


# --- OpenTelemetry ----------------------------------------------------------------------------------


def _collector(objects: list[Manifest]) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(_configmaps(objects)["otel-collector-config"]["config.yaml"])
    return config


def _assert_collector_well_formed(config: dict[str, Any]) -> None:
    pipelines = config["service"]["pipelines"]
    assert pipelines
    for kind in ("receivers", "processors", "exporters"):
        used = {c for p in pipelines.values() for c in p[kind]}
        assert used == set(config[kind]), f"{kind}: defined {set(config[kind])}, used {used}"
    assert set(config.get("extensions", {})) == set(config["service"].get("extensions", []))
    for name, pipeline in pipelines.items():
        assert pipeline["processors"][:2] == ["memory_limiter", "batch"], name


def test_collector_pipelines_use_only_defined_components_memory_limiter_first(
    builds: dict[str, list[Manifest]],
) -> None:
    backend = SPEC_DATA["observability"]["otel_collector"]["traces"]["endpoint"]
    for objects in builds.values():
        config = _collector(objects)
        _assert_collector_well_formed(config)
        pipelines = config["service"]["pipelines"]
        assert "prometheus" in pipelines["metrics"]["exporters"]
        [traces] = pipelines["traces"]["exporters"]
        assert config["exporters"][traces]["endpoint"] == backend


def test_collector_without_a_traces_backend_defines_no_traces_exporter(tmp_path: Path) -> None:
    text = SPEC.read_text(encoding="utf-8")
    line = '    traces: {endpoint: "tempo-distributor.tracing.svc:4317"}\n'
    assert line in text
    spec = tmp_path / "system.yaml"
    spec.write_text(text.replace(line, ""), encoding="utf-8")
    config = _collector(build_environment(load_plan(spec, MONITORING).base))
    _assert_collector_well_formed(config)
    assert set(config["service"]["pipelines"]) == {"metrics"}


def _variables(container: Manifest, objects: list[Manifest]) -> dict[str, str]:
    """A container's variables as Kubernetes sets them: ConfigMap keys read, $(VAR) expanded."""
    configmaps = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    resolved: dict[str, str] = {}
    for variable in container["env"]:
        if "value" in variable:
            value = str(variable["value"])
            for name, known in resolved.items():
                value = value.replace(f"$({name})", known)
            resolved[variable["name"]] = value
        elif "configMapKeyRef" in variable["valueFrom"]:
            ref = variable["valueFrom"]["configMapKeyRef"]
            resolved[variable["name"]] = configmaps[ref["name"]][ref["key"]]
    return resolved


def test_every_workload_exports_to_the_collector_with_its_identity(builds: dict[str, list[Manifest]]) -> None:
    for env, objects in builds.items():
        collector = _services(objects)["otel-collector"]["spec"]
        for name, workload in _workloads(objects).items():
            variables = _variables(_container(workload), objects)
            endpoint = variables["OTEL_EXPORTER_OTLP_ENDPOINT"] or ""
            host, port = endpoint.removeprefix("http://").split(":")
            assert host == "otel-collector" and int(port) in {p["port"] for p in collector["ports"]}
            assert variables["OTEL_SERVICE_NAME"] == name
            attributes = dict(
                pair.split("=") for pair in (variables["OTEL_RESOURCE_ATTRIBUTES"] or "").split(",")
            )
            labels = workload["spec"]["template"]["metadata"]["labels"]
            assert attributes["layer"] == labels["app.kubernetes.io/component"]
            assert (attributes["component"], attributes["environment"]) == (name, env)


# --- monitoring/ and spec diagnostics ---------------------------------------------------------------


def _problems(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, int, str]]:
    folder = tmp_path / "monitoring"
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_plan(SPEC, folder)
    return [(Path(d.path).name, d.line, d.column, d.message) for d in caught.value.diagnostics]


GOOD_RULE = (
    "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n"
    "    labels: {severity: warning}\n    annotations: {summary: s, runbook_url: 'https://r/a'}\n"
)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"alerts/a.yaml": "groups:\n- name: g\n  rules: [\n"}, ("a.yaml", 4, 1, "invalid YAML")),
        (
            {"alerts/a.yaml": GOOD_RULE.replace("severity: warning", "sev: warning")},
            ("a.yaml", 6, 5, "severity"),
        ),
        (
            {"alerts/a.yaml": GOOD_RULE.replace(", runbook_url: 'https://r/a'", "")},
            ("a.yaml", 7, 5, "runbook_url"),
        ),
        ({"alerts/a.yaml": GOOD_RULE, "alerts/b.yaml": GOOD_RULE}, ("b.yaml", 4, 5, "already defined")),
        ({"alerts/a.yml": GOOD_RULE}, ("a.yml", 0, 0, "end in .yaml")),
        (
            {"alerts/a.yaml": GOOD_RULE.replace("alert: A", "alert: ApiCrashLooping")},
            ("a.yaml", 4, 5, "already defined in the alerts generated from the spec"),
        ),
        (
            {"dashboards/d.json": '{\n  "uid": "d",\n  "title": "t",\n  "panels": [}\n'},
            ("d.json", 4, 14, "invalid JSON"),
        ),
        (
            {
                "dashboards/z.json": '{\n  "title": "t",\n  "uid": "nifty-market-overview",\n'
                '  "panels": [{"type": "row"}]\n}\n'
            },
            ("z.json", 3, 3, "already used"),
        ),
        (
            {"dashboards/d.json": '{\n  "uid": "d",\n  "panels": [{"type": "row"}]\n}\n'},
            ("d.json", 1, 1, "'title'"),
        ),
        (
            {"dashboards/d.json": '{\n  "uid": "d",\n  "title": "t",\n  "panels": []\n}\n'},
            ("d.json", 4, 3, "'panels'"),
        ),
        ({"dashboards/layer-3.json": "{}"}, ("layer-3.json", 0, 0, "generated layer dashboard")),
        ({"notes/x.yaml": "a: 1\n"}, ("x.yaml", 0, 0, "unexpected file")),
    ],
)
def test_bad_monitoring_files_give_positioned_diagnostics(
    tmp_path: Path, files: dict[str, str], expected: tuple[str, int, int, str]
) -> None:
    files = {
        "dashboards/market-overview.json": (MONITORING / "dashboards/market-overview.json").read_text(),
        **files,
    }
    found = _problems(tmp_path, files)
    name, line, column, message = expected
    assert any(f[:3] == (name, line, column) and message in f[3] for f in found), found


# --- generated specs ----------------------------------------------------------------------------------


def _observed(spec: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """Let some stateful components go unscraped, give others objectives, maybe name a traces backend."""
    for layer in spec["layers"]:
        for component in layer["components"]:
            if "storage" in component and data.draw(st.booleans()):
                component["metrics"] = {"scrape": False}
            elif data.draw(st.booleans()):
                kind = data.draw(st.sampled_from(["latency", "staleness"]))
                component["objectives"] = [
                    {
                        "name": f"{kind}-objective",
                        "kind": kind,
                        "metric": f"app_{kind}_seconds",
                        "threshold": data.draw(
                            st.sampled_from(["500us", "0.5ms", "100ms", "250ms", "1.5s", "5s", "2m"])
                        ),
                        "hold": data.draw(st.sampled_from(["1m", "5m", "20m"])),
                    }
                ]
    if data.draw(st.booleans()):
        spec["observability"]["otel_collector"]["traces"] = {"endpoint": "tempo.tracing.svc:4317"}
    return spec


@pytest.mark.tools
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.data())
def test_generated_specs_pass_promtool_and_watch_every_hpa_at_its_maximum(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    spec = _observed(spec, data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "system.yaml"
        path.write_text(dump(spec), encoding="utf-8")
        plan = load_plan(path, Path(folder) / "monitoring")
        untested = check_plan(plan, Path(folder) / "promtool")
    assert not any(untested.values()), untested
    for name, objects in _builds(plan).items():
        exprs = [r["expr"] for r in _rules(objects)]
        for hpa, (_, top, _) in expected_bounds(spec, None if name == "base" else name).items():
            current = "kube_horizontalpodautoscaler_status_current_replicas"
            assert f'{current}{{horizontalpodautoscaler="{hpa}"}} >= {top}' in exprs
        _assert_collector_well_formed(_collector(objects))
        for workload_name, workload in _workloads(objects).items():
            variables = _variables(_container(workload), objects)
            assert variables["OTEL_SERVICE_NAME"] == workload_name
            assert f"environment={name}" in (variables["OTEL_RESOURCE_ATTRIBUTES"] or "")
