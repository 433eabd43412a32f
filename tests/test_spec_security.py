"""The spec refuses secret values and unsound hardening fields, each at its position."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.diagnostics import Diagnostic, SpecError
from compiler.kustomize.environment import build_environment
from compiler.plan.resolve import plan
from compiler.spec.load import parse_spec
from compiler.spec.validate import validate
from compiler.syntax.emit import dump
from tests.conftest import SPEC
from tests.netpol import allowed_flows, expected_flows, plan_ports
from tests.strategies import specs

SHIPPED = SPEC.read_text(encoding="utf-8")
BOT = "        description: Sends signals to the trading desk chat\n"


def _diagnostics(text: str) -> list[Diagnostic]:
    try:
        validate(parse_spec(text.encode(), "spec.yaml"))
    except SpecError as exc:
        return list(exc.diagnostics)
    return []


def _line_of(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if marker in line)


def _variant(anchor: str, replacement: str) -> str:
    assert SHIPPED.count(anchor) == 1, anchor
    return SHIPPED.replace(anchor, replacement)


def test_the_shipped_spec_is_clean() -> None:
    assert _diagnostics(SHIPPED) == []


@pytest.mark.parametrize(
    ("added", "marker", "says"),
    [
        ("        password: hunter2-hunter2\n", "password:", "key 'password' looks like a secret"),
        ("        env: {DB_PASSWORD: hunter2}\n", "DB_PASSWORD", "key 'DB_PASSWORD' looks like a secret"),
        ("        env: {API_TOKEN: abc123}\n", "API_TOKEN", "key 'API_TOKEN' looks like a secret"),
        ('        args: ["--requirepass", "hunter2"]\n', "hunter2", "argument looks like a secret"),
        ('        args: ["--password=hunter2"]\n', "--password", "argument looks like a secret"),
        ("        env: {DSN: 'postgres://app:s3cret@db:5432/ticks'}\n", "DSN", "looks like a secret"),
        ("        env: {GH: ghp_abcdefghijklmnopqrstuvwxyz0123456789}\n", "GH:", "looks like a secret"),
        ("        env: {EXTRA: 'token=abcd1234efgh'}\n", "EXTRA", "looks like a secret"),
        ('        env: {KEY: "-----BEGIN RSA PRIVATE KEY-----"}\n', "BEGIN RSA", "looks like a secret"),
    ],
)
def test_secret_literals_are_refused_where_they_stand(added: str, marker: str, says: str) -> None:
    text = _variant(BOT, BOT + added)
    found = _diagnostics(text)
    assert any(d.line == _line_of(text, marker) and says in d.message for d in found), found


@pytest.mark.parametrize(
    "added",
    [
        "        env: {POSTGRES_PASSWORD_FILE: /run/secrets/db/password, LOG_LEVEL: info}\n",
        '        args: ["--requirepass", "$(BOT_TOKEN_FILE)", "--token-file=/run/secrets/bot/token"]\n',
        "        env: {NOTE: Reads the password and token from mounted files}\n",
    ],
)
def test_references_to_secrets_are_not_secrets(added: str) -> None:
    assert _diagnostics(_variant(BOT, BOT + added)) == []


@pytest.mark.parametrize(
    ("anchor", "replacement", "marker", "says"),
    [
        (
            "      feed-handler: {replicas: 1}\n",
            "      feed-handler: {replicas: 1, resources: {cpu: 500m, memory: 512Mi}}\n",
            "feed-handler: {replicas: 1, resources",
            "dedicated cores need whole CPUs",
        ),
        (
            "          - check: CKV_K8S_35\n",
            "          - {check: CKV_K8S_35, reason: stated once already here}\n"
            "          - check: CKV_K8S_35\n",
            "          - check: CKV_K8S_35",
            "excepted twice",
        ),
        (
            '    tag: "v2.13.0"\n    exceptions:\n',
            '    tag: "v2.13.0"\n    digest: sha256:' + "a" * 64 + "\n    exceptions:\n"
            "      - {check: CKV_K8S_43, reason: digests are not pinned here}\n",
            "reason: digests are not pinned here",
            "pins a digest",
        ),
        (
            "          - {secret: bot-token, key: token, file: /run/secrets/bot/token, env: BOT_TOKEN_FILE}"
            "\n",
            "          - {secret: bot-token, key: token}\n",
            "secret: bot-token, key: token}",
            "needs `env`",
        ),
        (
            "      dashboard: {replicas: 1, host: dashboard.dev.nifty50.example.com}\n",
            "      dashboard: {replicas: 1, host: dashboard.dev.nifty50.example.com}\n"
            "      bot: {host: bot.dev.nifty50.example.com}\n",
            "bot: {host:",
            "has no ingress",
        ),
        (
            "host: dashboard.nifty50.example.com",
            "host: api.nifty50.example.com",
            "host: api.nifty50.example.com, tls_secret: dashboard-tls",
            "already routed",
        ),
        (
            BOT,
            BOT + "        exceptions: [{check: CKV_K8S_38, reason: the bot reads no API at all}]\n",
            "CKV_K8S_38, reason: the bot",
            "no service account token is mounted",
        ),
        (
            BOT,
            BOT + "        exceptions: [{check: CKV_K8S_35, reason: the bot reads its token from env}]\n",
            "CKV_K8S_35, reason: the bot",
            "no variable holds a secret value",
        ),
        (
            "env: BROKER_SIGNING_KEY_FILE",
            "env: BROKER_API_SECRET_FILE",
            "env: BROKER_API_SECRET_FILE",
            "a variable named *SECRET* must not hold a literal",
        ),
        (
            "reason: kube-state-metrics reads",
            "reason: check=kube-state-metrics reads",
            "reason: check=kube-state-metrics",
            "without '='",
        ),
    ],
)
def test_hardening_rules_point_at_the_problem(anchor: str, replacement: str, marker: str, says: str) -> None:
    text = _variant(anchor, replacement)
    found = _diagnostics(text)
    lines = {_line_of(text, marker), _line_of(text, marker) - 1}
    assert any(d.line in lines and says in d.message for d in found), found


def _with_hardening(spec: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """Make one generated component public and let some reach outside the cluster."""
    components = [c for layer in spec["layers"] for c in layer["components"]]
    public = data.draw(st.sampled_from(components))
    public["ingress"] = {"host": f"{public['name']}.example.com", "tls_secret": f"{public['name']}-tls"}
    for component in components:
        if data.draw(st.booleans()):
            component["external"] = [{"cidr": "10.20.0.0/16", "port": data.draw(st.integers(1, 65535))}]
    return spec


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.data())
def test_policies_admit_exactly_the_declared_flow(spec: dict[str, Any], data: st.DataObject) -> None:
    text = dump(_with_hardening(spec, data))
    resolved = plan(validate(parse_spec(text.encode(), "spec.yaml")), (), "spec.yaml")
    for env in (resolved.base, *resolved.environments):
        docs = build_environment(env)
        assert allowed_flows(docs, plan_ports(env)) == expected_flows(env), env.name
        budgets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "PodDisruptionBudget"}
        for workload in env.workloads:
            least = workload.least_replicas
            if workload.peer_ports:
                # A cluster keeps a majority: more than half of its replicas, and one fewer than all.
                kept = budgets[workload.name]["spec"]["minAvailable"]
                assert 2 * kept > least and 2 * (kept - 1) <= least and kept < least
            elif least >= 2:
                assert budgets[workload.name]["spec"]["minAvailable"] == least - 1
            else:
                assert workload.name not in budgets
        public = {d["metadata"]["name"] for d in docs if d["kind"] == "Ingress"}
        assert public == {w.name for w in env.workloads if w.route}
