"""cert-manager and External Secrets: every Secret a workload uses is made in its environment, in the
form the operators write back, and no credential is refreshed while the market is busy."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Any

import pytest

from compiler.kustomize.environment import build_environment
from compiler.plan.market import Calendar, extra_days
from compiler.plan.model import EnvPlan, Plan
from compiler.spec.load import read_spec
from tests.conftest import SPEC
from tests.crds import made_secrets, used_secrets
from tests.cronexpr import external_secrets_spans, external_secrets_window_active

GO_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(\d+)s$")


def _envs() -> dict[str, dict[str, Any]]:
    environments: dict[str, dict[str, Any]] = read_spec(SPEC).data["environments"]
    return environments


def _built(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    return {env.name: build_environment(env) for env in plan.environments}


def test_the_seed_names_both_operators_in_every_environment() -> None:
    for name, env in _envs().items():
        assert "cert_manager" in env and "external_secrets" in env, name


def test_every_secret_a_workload_uses_is_made_in_its_environment(shipped_plan: Plan) -> None:
    for name, objects in _built(shipped_plan).items():
        made = made_secrets(objects)
        used = dict(used_secrets(objects))
        assert used, name
        missing = {secret: user for secret, user in used.items() if secret not in made}
        assert not missing, f"{name}: nothing makes {missing}"
        # TLS Secrets come from cert-manager, the others from the secret manager.
        for secret, user in used.items():
            expected = "Certificate" if user.startswith("Ingress") else "ExternalSecret"
            assert made[secret] == expected, (name, secret, made[secret])


def test_the_check_fails_when_a_secret_is_not_made(shipped_plan: Plan) -> None:
    objects = _built(shipped_plan)["prod"]
    kept = [
        o for o in objects if not (o["kind"] == "ExternalSecret" and o["metadata"]["name"] == "bot-token")
    ]
    used = dict(used_secrets(kept))
    assert "bot-token" in used and "bot-token" not in made_secrets(kept)


def _seconds(text: str) -> int:
    match = GO_DURATION.fullmatch(text)
    assert match, f"{text} is not a Go duration with hours, minutes and seconds"
    hours, minutes, secs = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + secs


def _spec_seconds(text: str) -> int:
    return int(text[:-1]) * {"s": 1, "m": 60, "h": 3600}[text[-1]]


def test_certificates_follow_the_spec_in_cert_managers_form(shipped_plan: Plan) -> None:
    for name, objects in _built(shipped_plan).items():
        chosen = _envs()[name]["cert_manager"]
        certificates = [o for o in objects if o["kind"] == "Certificate"]
        hosts = {h for o in objects if o["kind"] == "Ingress" for t in o["spec"]["tls"] for h in t["hosts"]}
        hosts |= {h for o in objects if o["kind"] == "HTTPRoute" for h in o["spec"]["hostnames"]}
        assert {h for c in certificates for h in c["spec"]["dnsNames"]} == hosts
        for certificate in certificates:
            spec = certificate["spec"]
            # As cert-manager writes it back: hours, minutes and seconds, every unit present.
            assert re.fullmatch(r"\d+h\d+m\d+s", spec["duration"]), spec["duration"]
            assert _seconds(spec["duration"]) == _spec_seconds(chosen.get("duration", "2160h"))
            assert _seconds(spec["renewBefore"]) == _spec_seconds(chosen.get("renew_before", "720h"))
            assert spec["issuerRef"] == {"group": "cert-manager.io", **chosen["issuer"]}
            assert spec["privateKey"]["rotationPolicy"] == "Always"


def test_external_secrets_map_each_key_to_the_remote_key_the_spec_states(shipped_plan: Plan) -> None:
    for name, objects in _built(shipped_plan).items():
        chosen = _envs()[name]["external_secrets"]
        secrets = {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "ExternalSecret"}
        assert set(secrets) == set(chosen["remote_keys"])
        for secret, spec in secrets.items():
            assert spec["secretStoreRef"] == chosen["store"]
            assert _seconds(spec["refreshInterval"]) == _spec_seconds(chosen.get("refresh", "1h"))
            # The CRD's defaults, written out as the API server would write them back.
            assert spec["target"] == {"name": secret, "creationPolicy": "Owner", "deletionPolicy": "Retain"}
            for item in spec["data"]:
                ref = item["remoteRef"]
                assert ref["key"] == chosen["remote_keys"][secret]
                assert ref["property"] == item["secretKey"]
                assert (ref["conversionStrategy"], ref["decodingStrategy"], ref["metadataPolicy"]) == (
                    "Default",
                    "None",
                    "None",
                )


def _windows(env: EnvPlan) -> list[dict[str, str]]:
    found = {
        str(o["spec"]["syncWindows"]): o["spec"]["syncWindows"]
        for o in build_environment(env)
        if o["kind"] == "ExternalSecret"
    }
    (windows,) = found.values()
    assert windows["kind"] == "deny"
    result: list[dict[str, str]] = windows["windows"]
    return result


def _lead(env: EnvPlan) -> int:
    return max(
        (w.scaling.floor.lead_minutes for w in env.workloads if w.scaling and w.scaling.floor), default=0
    )


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_no_refresh_while_the_market_is_busy_minute_by_minute(shipped_plan: Plan, name: str) -> None:
    """Over the calendar's years, minute by minute: every busy minute is denied, and a denied minute
    is busy, the minute a span ends, or on a day the yearless schedules hold without trading."""
    calendar: Calendar = shipped_plan.market  # type: ignore[assignment]
    (env,) = [e for e in shipped_plan.environments if e.name == name]
    lead = _lead(env)
    first = dt.datetime(calendar.years[0], 1, 1, tzinfo=calendar.zone).astimezone(dt.UTC)
    last = dt.datetime(calendar.years[-1] + 1, 1, 1, tzinfo=calendar.zone).astimezone(dt.UTC)
    spans = sorted(s for w in _windows(env) for s in external_secrets_spans(w, first, last))
    starts = [s for s, _ in spans]
    idle = {d for year in calendar.years for d in extra_days(calendar, year, lead)}
    minute = dt.timedelta(minutes=1)
    instant = first
    while instant < last:
        wall = instant.replace(tzinfo=None)
        at = bisect.bisect_right(starts, wall) - 1
        denied = at >= 0 and spans[at][0] <= wall <= spans[at][1]
        busy = calendar.is_busy(instant, lead)
        if busy:
            assert denied, f"{name}: a refresh may run at {instant.isoformat()}, while the market is busy"
        elif denied:
            day, _ = calendar.local(instant)
            assert calendar.is_busy(instant - minute, lead) or day in idle, (name, instant.isoformat())
        instant += minute


def test_the_span_reader_agrees_with_the_operator_at_its_edges(shipped_plan: Plan) -> None:
    (env,) = [e for e in shipped_plan.environments if e.name == "prod"]
    window = _windows(env)[0]
    monday = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    (span,) = external_secrets_spans(window, monday, monday + dt.timedelta(hours=23))
    for instant, held in [
        (span[0] - dt.timedelta(seconds=1), False),
        (span[0], True),
        (span[1], True),
        (span[1] + dt.timedelta(seconds=1), False),
    ]:
        assert external_secrets_window_active(window, instant.replace(tzinfo=dt.UTC)) is held, instant
