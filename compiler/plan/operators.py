"""What the cluster's operators make: a Certificate per TLS Secret, an ExternalSecret per used Secret."""

from __future__ import annotations

import dataclasses
import datetime as dt

from compiler.plan.delivery import freeze_lead
from compiler.plan.market import DAY_MINUTES, Calendar, number_list, uncovered_special_days, weekday_span
from compiler.plan.model import (
    CertificatePlan,
    DatabasePlan,
    EnvPlan,
    ExternalSecretPlan,
    GatewayPlan,
    LayerPlan,
    PrometheusOperatorPlan,
    SyncWindow,
)
from compiler.plan.stack import OWN_MONITORING
from compiler.spec.model import Environment
from compiler.spec.names import BASIC_AUTH_KEYS, OBJECT_STORE_KEYS

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def seconds(text: str) -> int:
    """A spec duration such as 90s, 15m or 2160h in seconds."""
    return int(text[:-1]) * UNIT_SECONDS[text[-1]]


def with_operators(plan: EnvPlan, env: Environment | None, calendar: Calendar | None) -> EnvPlan:
    """plan with what env's operators make: routes, Certificates, ExternalSecrets, monitoring."""
    if env is None:
        return plan
    return dataclasses.replace(
        with_prometheus_operator(with_gateway(plan, env), env),
        certificates=plan_certificates(env, plan),
        external_secrets=plan_external_secrets(env, plan, calendar),
    )


def with_gateway(plan: EnvPlan, env: Environment) -> EnvPlan:
    """plan routed through env's Gateway: its routes admit the Gateway's namespace, not the controller's."""
    chosen = env.gateway
    if chosen is None:
        return plan

    def routed(layer: LayerPlan) -> LayerPlan:
        workloads = tuple(
            dataclasses.replace(w, route=dataclasses.replace(w.route, controller_namespace=chosen.namespace))
            if w.route is not None
            else w
            for w in layer.workloads
        )
        return dataclasses.replace(layer, workloads=workloads)

    return dataclasses.replace(
        plan,
        layers=tuple(routed(layer) for layer in plan.layers),
        stack=routed(plan.stack),
        gateway=GatewayPlan(
            chosen.name, chosen.namespace, chosen.section, tuple(sorted(chosen.timeouts.items()))
        ),
    )


def with_prometheus_operator(plan: EnvPlan, env: Environment) -> EnvPlan:
    """plan monitored by the cluster's Prometheus Operator: without the stack's own Prometheus,
    Alertmanager and Grafana, nor their scrape targets."""
    chosen = env.prometheus_operator
    if chosen is None:
        return plan
    stack = plan.stack
    kept = tuple(w for w in stack.workloads if w.name not in OWN_MONITORING)
    observability = plan.observability
    targets = tuple(t for t in observability.targets if t.workload not in OWN_MONITORING)
    return dataclasses.replace(
        plan,
        stack=dataclasses.replace(stack, workloads=kept),
        observability=dataclasses.replace(observability, targets=targets),
        prometheus_operator=PrometheusOperatorPlan(
            chosen.namespace,
            tuple(sorted(chosen.labels.items())),
            tuple(sorted(chosen.dashboard_labels.items())),
        ),
    )


def plan_certificates(env: Environment, plan: EnvPlan) -> tuple[CertificatePlan, ...]:
    """One Certificate per TLS Secret of the public hosts, for all hosts that name it."""
    chosen = env.cert_manager
    if chosen is None:
        return ()
    hosts: dict[str, set[str]] = {}
    for workload in plan.workloads:
        if workload.route is not None:
            hosts.setdefault(workload.route.tls_secret, set()).add(workload.route.host)
    return tuple(
        CertificatePlan(
            secret,
            tuple(sorted(names)),
            chosen.issuer.kind,
            chosen.issuer.name,
            seconds(chosen.duration),
            seconds(chosen.renew_before),
        )
        for secret, names in sorted(hosts.items())
    )


def database_secrets(database: DatabasePlan) -> dict[str, tuple[str, ...]]:
    """The Secrets a database's operator reads, with their keys: the owner's login and the store's keys."""
    found: dict[str, tuple[str, ...]] = {database.credentials: BASIC_AUTH_KEYS}
    if database.backup is not None:
        found[database.backup.secret] = OBJECT_STORE_KEYS
    return found


def plan_external_secrets(
    env: Environment, plan: EnvPlan, calendar: Calendar | None
) -> tuple[ExternalSecretPlan, ...]:
    """One ExternalSecret per Secret the workloads reference, denied refreshes during the deploy freeze."""
    chosen = env.external_secrets
    if chosen is None:
        return ()
    keys: dict[str, set[str]] = {}
    for workload in plan.workloads:
        for secret in workload.secrets:
            keys.setdefault(secret.secret, set()).add(secret.key)
    for database in plan.databases:
        for name, secret_keys in database_secrets(database).items():
            keys.setdefault(name, set()).update(secret_keys)
    for redis in plan.redis:
        keys.setdefault(redis.secret, set()).add(redis.key)
    # The same span as the Argo CD freeze: from the earliest pre-scaling lead to the close.
    freeze = utc_windows(calendar, freeze_lead(plan)) if calendar is not None else ()
    return tuple(
        ExternalSecretPlan(
            name,
            tuple(sorted(names)),
            chosen.remote_keys[name],
            chosen.store.kind,
            chosen.store.name,
            seconds(chosen.refresh),
            freeze,
        )
        for name, names in sorted(keys.items())
    )


def utc_windows(calendar: Calendar, lead: int) -> tuple[SyncWindow, ...]:
    """The market's busy spans (as cron_spans has them) as yearless cron schedules in UTC.

    External Secrets evaluates its sync windows in UTC only. With a fixed offset the shift is exact:
    a span that starts before midnight UTC moves to the previous weekday (or date).
    """
    offset = calendar.utc_offset_minutes
    start, end = weekday_span(calendar, lead)
    begin = start - offset
    shift = begin // DAY_MINUTES
    days = [((day + 1) % 7 + shift) % 7 for day in calendar.weekdays]
    schedule = f"{begin % 60} {(begin % DAY_MINUTES) // 60} * * {number_list(sorted(days))}"
    found = [SyncWindow(schedule, end - start)]
    for day in uncovered_special_days(calendar, lead):
        span = calendar.special_span(day)
        assert span is not None
        first = span[0] - lead - offset
        opening = day + dt.timedelta(days=first // DAY_MINUTES)
        minute = first % DAY_MINUTES
        schedule = f"{minute % 60} {minute // 60} {opening.day} {opening.month} *"
        found.append(SyncWindow(schedule, span[1] - span[0] + lead))
    return tuple(found)
