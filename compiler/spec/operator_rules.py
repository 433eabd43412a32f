"""Rules over the operators an environment names: remote keys, certificate times, routes' timeouts."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.market_rules import known_zone, shifts_offset
from compiler.spec.model import Environment, Spec
from compiler.spec.positions import at_key, at_value
from compiler.spec.resolved import environment_view

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def check_operators(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """Every problem of the environments' operator settings, positioned in doc."""
    for name, env in spec.environments.items():
        where: Loc = ("environments", name)
        if env.cert_manager is not None:
            chosen = env.cert_manager
            if _seconds(chosen.renew_before) >= _seconds(chosen.duration):
                yield at_value(
                    doc,
                    (*where, "cert_manager", "renew_before"),
                    f"renews {chosen.renew_before} before expiry, but a certificate lives only "
                    f"{chosen.duration}: make it shorter than duration",
                    code="N913",
                )
        if env.external_secrets is not None:
            yield from _external_secrets(doc, spec, name, env)
        if env.prometheus_operator is not None:
            yield from _prometheus_operator(doc, spec, (*where, "prometheus_operator"), env)
        if env.gateway is not None:
            public = sorted(c.name for layer in spec.layers for c in layer.components if c.ingress)
            for component in env.gateway.timeouts:
                if component not in public:
                    yield at_key(
                        doc,
                        (*where, "gateway", "timeouts", component),
                        f"'{component}' has no ingress, so no route to time out; "
                        f"public components: {', '.join(public) or 'none'}",
                        code="N916",
                    )


def _external_secrets(doc: Document, spec: Spec, name: str, env: Environment) -> Iterator[Diagnostic]:
    chosen = env.external_secrets
    assert chosen is not None
    where: Loc = ("environments", name, "external_secrets")
    users = referenced_secrets(spec, name)
    for secret, user in sorted(users.items()):
        if secret not in chosen.remote_keys:
            yield at_key(
                doc,
                (*where, "remote_keys"),
                f"Secret '{secret}' ({user}) has no remote key here, so nothing would make it: "
                f"add '{secret}: <key in the store>'",
                code="N914",
            )
    for secret in chosen.remote_keys:
        if secret not in users:
            yield at_key(
                doc,
                (*where, "remote_keys", secret),
                f"no component of this environment references Secret '{secret}'; "
                f"referenced: {', '.join(sorted(users)) or 'none'}",
                code="N914",
            )
    yield from _utc_only(
        doc,
        spec,
        where,
        "External Secrets evaluates its sync windows in UTC",
        "the refreshes",
        "freeze",
        code="N915",
    )


# The label prefixes nifty sets on every object itself (render/labels.py): a selector label may not take them.
OWN_LABEL_PREFIXES = ("app.kubernetes.io/", "nifty.io/")


def _prometheus_operator(doc: Document, spec: Spec, where: Loc, env: Environment) -> Iterator[Diagnostic]:
    chosen = env.prometheus_operator
    assert chosen is not None
    for field, labels in (("labels", chosen.labels), ("dashboard_labels", chosen.dashboard_labels)):
        for key in labels:
            if key.startswith(OWN_LABEL_PREFIXES):
                yield at_key(
                    doc,
                    (*where, field, key),
                    f"'{key}' is one of the labels nifty sets on every object itself "
                    f"({', '.join(p + '*' for p in OWN_LABEL_PREFIXES)}); use a label of the stack's own, "
                    "such as release",
                    code="N917",
                )
    # prometheus-operator#5512: AlertmanagerConfig's time intervals have no location.
    yield from _utc_only(
        doc,
        spec,
        where,
        "an AlertmanagerConfig's time intervals have no time zone, so the market clock becomes UTC",
        "the market routes",
        "sessions",
        code="N918",
    )


def _utc_only(
    doc: Document, spec: Spec, where: Loc, why: str, what: str, follows: str, *, code: str
) -> Iterator[Diagnostic]:
    """Refuse a market zone with daylight saving where an operator reads the market clock in UTC."""
    market = spec.market
    if market is not None and known_zone(market.timezone) and shifts_offset(market.timezone, market.years[0]):
        yield at_key(
            doc,
            where,
            f"{why}, and '{market.timezone}' changes its offset from UTC (daylight saving time), so "
            f"{what} could not follow the market's {follows}; use a market zone with a fixed offset",
            code=code,
        )


def referenced_secrets(spec: Spec, environment: str) -> dict[str, str]:
    """Each Secret the environment's workloads reference, with who references it first."""
    found: dict[str, str] = {}
    for resolved in environment_view(spec, environment).components:
        for ref in resolved.secrets:
            found.setdefault(ref.secret, f"used by {resolved.component.name}")
        if resolved.redis is not None:
            found.setdefault(resolved.redis.secret, f"the password of Redis {resolved.component.name}")
        database = resolved.database
        if database is not None:
            found.setdefault(database.secret, f"the login of database {resolved.component.name}")
            if database.backup is not None:
                found.setdefault(database.backup.secret, f"the backups of database {resolved.component.name}")
    manager = spec.observability.alertmanager
    if manager is not None:
        for receiver in manager.receivers:
            if receiver.pager is not None:
                found.setdefault(receiver.pager.secret, f"the pager of receiver {receiver.name}")
    return found


def _seconds(text: str) -> int:
    return int(text[:-1]) * UNIT_SECONDS[text[-1]]
