"""The design card's properties hold for whatever the spec says, in every build of the committed out/.

Each system (the one at the repository's root and every example) is built with `kubectl kustomize`
from its committed out/ (the drift check proves that out/ is what the spec compiles to). The values
are read from the spec, with each environment's overrides merged in: every autoscaling min is at
most its max, every threshold of the spec (autoscaling bounds and target, the alert at each
autoscaling maximum, each objective's threshold and hold, each pre-scaling floor) is in every build,
and every scheduled job runs as its spec says, never while the market trades.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from compiler.plan.market import plan_calendar
from compiler.spec.include import read_system
from compiler.spec.merge import merged_bounds, merged_floor
from compiler.spec.model import Component, ComponentOverride, Spec
from compiler.spec.validate import validate
from tests import cronexpr
from tests.crds import autoscalers, made_secrets, used_secrets
from tests.tools import environment_folders, kustomize, objects, system_name, systems

pytestmark = pytest.mark.tools

SYSTEMS = systems()
Manifest = dict[str, Any]


@dataclass(frozen=True)
class System:
    """A system's validated spec and the objects kubectl builds for the base and each environment."""

    name: str
    spec: Spec
    builds: dict[str, list[Manifest]]

    def environments(self) -> list[tuple[str, dict[str, ComponentOverride], bool]]:
        """The base and each environment: its name, its component overrides, whether it runs KEDA."""
        envs = [(name, dict(env.components), env.keda) for name, env in self.spec.environments.items()]
        return [("base", {}, False), *envs]

    def components(self) -> list[Component]:
        return [c for layer in self.spec.layers for c in layer.components]


@pytest.fixture(scope="module", params=SYSTEMS, ids=[system_name(f) for f in SYSTEMS])
def system(request: pytest.FixtureRequest) -> System:
    folder: Path = request.param
    spec = validate(read_system(folder / "spec" / "system.yaml"))
    builds = {
        env.name: objects(kustomize(env, folder / "out")) for env in environment_folders(folder / "out")
    }
    return System(system_name(folder), spec, builds)


def _rules(docs: list[Manifest]) -> list[dict[str, Any]]:
    """The alerting rules of the build: its prometheus-rules ConfigMap's, or where the cluster's
    Prometheus Operator evaluates them, its PrometheusRules'."""
    operated = [o for o in docs if o["kind"] == "PrometheusRule"]
    if operated:
        return [r for o in operated for g in o["spec"]["groups"] for r in g["rules"]]
    (data,) = [
        o.get("data", {})
        for o in docs
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].rsplit("-", 1)[0] == "prometheus-rules"
    ]
    return [r for text in data.values() for g in yaml.safe_load(text)["groups"] for r in g["rules"]]


def _seconds(threshold: str) -> float:
    """A threshold of the spec (500us, 0.5ms, 250ms, 5s, 2m) in seconds, as Prometheus compares it."""
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", threshold)
    assert match, threshold
    per_unit = {"us": Fraction(1, 1_000_000), "ms": Fraction(1, 1000), "s": Fraction(1), "m": Fraction(60)}
    return float(Fraction(match[1]) * per_unit[match[2]])


def test_every_environment_is_built(system: System) -> None:
    assert sorted(system.builds) == sorted(name for name, _, _ in system.environments())


def test_every_min_is_at_most_its_max(system: System) -> None:
    for env, overrides, _ in system.environments():
        for component in system.components():
            if component.autoscaling is None:
                continue
            bounds = merged_bounds(component.autoscaling, overrides.get(component.name))
            assert 1 <= bounds.min <= bounds.max, f"{env}: {component.name} {bounds}"
        for hpa in autoscalers(system.builds[env]):
            spec = hpa["spec"]
            assert 1 <= spec["minReplicas"] <= spec["maxReplicas"], f"{env}: {hpa['metadata']['name']}"


def test_every_autoscaling_bound_and_target_is_in_every_build(system: System) -> None:
    for env, overrides, _ in system.environments():
        built = {
            h["spec"]["scaleTargetRef"]["name"]: (
                h["spec"]["minReplicas"],
                h["spec"]["maxReplicas"],
                h["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            )
            for h in autoscalers(system.builds[env])
        }
        said = {}
        for component in system.components():
            if component.autoscaling is not None:
                bounds = merged_bounds(component.autoscaling, overrides.get(component.name))
                said[component.name] = (bounds.min, bounds.max, bounds.cpu)
        assert built == said, env


def test_every_autoscaling_maximum_has_its_alert_in_every_build(system: System) -> None:
    for env, overrides, _ in system.environments():
        exprs = [r["expr"] for r in _rules(system.builds[env])]
        for component in system.components():
            if component.autoscaling is None:
                continue
            top = merged_bounds(component.autoscaling, overrides.get(component.name)).max
            watching = [
                e
                for e in exprs
                if f'horizontalpodautoscaler="{component.name}"' in e and e.endswith(f">= {top}")
            ]
            assert len(watching) == 1, f"{env}: no alert at the maximum {top} of {component.name}"


def test_every_objective_threshold_and_hold_is_in_every_build(system: System) -> None:
    for env, _, _ in system.environments():
        rules = _rules(system.builds[env])
        for component in system.components():
            for objective in component.objectives:
                limit = f"> {_seconds(objective.threshold):g}"
                alerting = [
                    r
                    for r in rules
                    if objective.metric in r["expr"]
                    and f'component="{component.name}"' in r["expr"]
                    # Where a market calendar gates it, the comparison is the gate's first operand.
                    and (r["expr"].endswith(limit) or f"{limit}) unless on()" in r["expr"])
                ]
                assert [r["for"] for r in alerting] == [objective.hold], (
                    f"{env}: {component.name} objective {objective.name} ({limit} for {objective.hold})"
                )


def test_every_prescale_floor_is_in_every_build_with_keda(system: System) -> None:
    for env, overrides, keda in system.environments():
        scaled = {o["metadata"]["name"]: o for o in system.builds[env] if o["kind"] == "ScaledObject"}
        floors = {}
        for component in system.components():
            floor = merged_floor(component, overrides.get(component.name))
            if floor is not None and keda:
                floors[component.name] = floor.replicas
        assert set(scaled) == set(floors), env
        for name, replicas in floors.items():
            bounds = scaled[name]["spec"]
            assert bounds["minReplicaCount"] < replicas <= bounds["maxReplicaCount"], f"{env}: {name}"
            desired = {t["metadata"]["desiredReplicas"] for t in bounds["triggers"] if t["type"] == "cron"}
            assert desired == {str(replicas)}, f"{env}: {name}"


def test_every_secret_is_made_where_the_environment_names_its_operators(system: System) -> None:
    """Where an environment names cert-manager, each TLS Secret is a Certificate's; where it names
    External Secrets, each other Secret a workload uses is an ExternalSecret's, in the same build."""
    for name, env in system.spec.environments.items():
        built = system.builds[name]
        made = made_secrets(built)
        for secret, user in used_secrets(built):
            tls = user.startswith("Ingress ")
            if (env.cert_manager if tls else env.external_secrets) is not None:
                maker = "Certificate" if tls else "ExternalSecret"
                assert made.get(secret) == maker, f"{system.name} {name}: no {maker} makes {secret} ({user})"


def test_every_scheduled_job_runs_as_its_spec_says_and_never_in_a_session(system: System) -> None:
    """Each job is a CronJob in every build with its deadline, retries and suspension from the spec;
    one on the market's days never runs while the market trades (read as robfig/cron reads it, in its
    zone) over the calendar's years and the year after them."""
    calendar = plan_calendar(system.spec.market)
    for env, overrides, _ in system.environments():
        cronjobs = [o for o in system.builds[env] if o["kind"] == "CronJob"]
        for component in system.components():
            schedule = component.schedule
            if schedule is None:
                continue
            own = [c for c in cronjobs if c["metadata"]["labels"]["app.kubernetes.io/name"] == component.name]
            assert component.name in {c["metadata"]["name"] for c in own}, f"{env}: {component.name}"
            override = overrides.get(component.name)
            suspended = override.suspend if override and override.suspend is not None else schedule.suspend
            for cronjob in own:
                spec = cronjob["spec"]
                job = spec["jobTemplate"]["spec"]
                assert job["activeDeadlineSeconds"] == schedule.deadline_seconds, f"{env}: {component.name}"
                assert job["backoffLimit"] == schedule.retries, f"{env}: {component.name}"
                assert spec["suspend"] is suspended, f"{env}: {component.name}"
                if schedule.market is not None and calendar is not None:
                    runs = _runs(spec["schedule"], spec["timeZone"], calendar.first_day, calendar.last_day)
                    trading = [run for run in runs if calendar.is_open(run)]
                    assert not trading, (
                        f"{env}: {cronjob['metadata']['name']} runs in a session at {trading[0]}"
                    )


def _runs(schedule: str, zone: str, first: dt.date, last: dt.date) -> list[dt.datetime]:
    """Every run of a five-field schedule from first to a year after last, as aware instants."""
    cron = cronexpr.parse(schedule)
    wall, end = dt.datetime.combine(first, dt.time()), last + dt.timedelta(days=366)
    found = []
    while (wall := cron.next_after(wall)).date() <= end:
        found.append(wall.replace(tzinfo=ZoneInfo(zone)))
    return found
