"""The credential shapes: each is found under any name, and ordinary values never are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.spec.credentials import CREDENTIAL, SHAPES, credential_kind
from compiler.spec.leaks import looks_like_credential

ROOT = Path(__file__).resolve().parent.parent
KINDS = {name: kind for name, kind, _ in SHAPES}
UUID = "00000000-0000-0000-0000-000000000000"

# One obviously fake value per shape, put together from parts so that no file of the repository
# holds a whole credential-shaped literal for a scanner to find (the invalid-spec corpus aside).
FAKES = {
    "private_key": "-----BEGIN " + "RSA PRIVATE KEY-----",
    "age_key": "AGE-SECRET-KEY-" + "1" + "EXAMPLE" + "0" * 51,
    "url_password": "postgres://trader:" + "example0pass" + "@db.internal:5432/ticks",
    "url_query_token": "https://feed.example.com/v1/ticks?" + "access_token=" + "EXAMPLE0" * 3,
    "slack_webhook": "https://hooks.slack.com/services/" + "T00000000/B00000000/" + "EXAMPLE0" * 3,
    "discord_webhook": "https://discord.com/api/webhooks/" + "0" * 18 + "/" + "EXAMPLE-" * 8,
    "teams_webhook": "https://example.webhook.office.com/webhookb2/"
    + f"{UUID}@{UUID}/IncomingWebhook/{'0' * 32}/{UUID}",
    "pagerduty_url": "https://events.pagerduty.com/integration/" + "0" * 32 + "/enqueue",
    "auth_header": "Authorization: " + "Bearer " + "EXAMPLE0" * 4,
    "aws_key": "AKIA" + "EXAMPLE" + "0" * 9,
    "gcp_api_key": "AIza" + "EXAMPLE" + "0" * 28,
    "azure_key": "DefaultEndpointsProtocol=https;AccountName=ticks;" + "AccountKey=" + "EXAMPLE0" * 11,
    "digitalocean_token": "dop" + "_v1_" + "0" * 64,
    "vault_token": "hvs." + "EXAMPLE0" * 12,
    "github_token": "ghp" + "_" + "EXAMPLE" + "0" * 29,
    "gitlab_token": "glpat" + "-" + "EXAMPLE" + "0" * 13,
    "npm_token": "npm" + "_" + "EXAMPLE" + "0" * 29,
    "pypi_token": "pypi-" + "AgEIcHlwaS5vcmc" + "EXAMPLE0" * 8,
    "docker_token": "dckr" + "_pat_" + "EXAMPLE" + "0" * 20,
    "slack_token": "xoxb" + "-" + "0" * 12 + "-EXAMPLE0000",
    "telegram_token": "000000000:" + "AA" + "EXAMPLE" + "0" * 26,
    "discord_token": "M" + "EXAMPLE" + "0" * 16 + "." + "EXAMPL" + "." + "EXAMPLE" + "0" * 20,
    "stripe_key": "sk" + "_live_" + "EXAMPLE" + "0" * 17,
    "square_token": "sq0atp" + "-" + "EXAMPLE" + "0" * 15,
    "sendgrid_key": "SG." + "EXAMPLE" + "0" * 15 + "." + "EXAMPLE" + "0" * 36,
    "twilio_key": "SK" + "0" * 32,
    "grafana_token": "glsa" + "_" + "EXAMPLE" + "0" * 25 + "_" + "0" * 8,
    "openai_key": "sk-" + "proj-" + "EXAMPLE" + "0" * 13 + "T3Blbk" + "FJ" + "EXAMPLE" + "0" * 13,
    "anthropic_key": "sk-ant-" + "api03-" + "EXAMPLE0" * 11,
    "huggingface_token": "hf" + "_" + "EXAMPLE" + "x" * 27,
    "jwt": "eyJ" + "hbGciOiJIUzI1NiJ9" + "." + "eyJ" + "zdWIiOiJleGFtcGxlIn0" + "." + "EXAMPLE" + "0" * 10,
    "assignment": "broker " + "password" + "=example0",
}

# Values a spec holds every day: none of them may read as a credential.
ORDINARY = [
    "registry.nifty50.internal/trading",
    "registry.nifty50.internal:5000/trading/feed-handler:2.4.1",
    "ghcr.io/example/feed-handler@sha256:" + "0123456789abcdef" * 4,
    "sha256:" + "a" * 64,
    "docker.io/library/postgres:16.3-alpine",
    "quay.io/prometheus/node-exporter:v1.8.1",
    "otel/opentelemetry-collector-contrib",
    "https://git.nifty50.internal/platform/nifty50-infrastructure.git",
    "git@github.com:example/nifty50-infrastructure.git",
    "ssh://git@git.nifty50.internal:22/platform/nifty.git",
    "https://kubernetes.default.svc",
    "https://grafana.nifty50.example.com/d/market-overview?orgId=1&refresh=5s&from=now-6h",
    "https://hooks.nifty50.internal/alerts",
    "https://slack.com/help/articles/115005265063",
    "https://discord.com/developers/docs/resources/webhook",
    "http://alertmanager:9093/api/v2/alerts",
    "postgres://trader@db.internal:5432/ticks?sslmode=verify-full&connect_timeout=5",
    "postgres://app:$(DB_PASSWORD)@db:5432/ticks",
    "redis://redis:6379/0",
    "dashboard.dev.nifty50.example.com",
    "feed-handler.nifty50.svc.cluster.local:8080",
    "/run/secrets/broker/api-key",
    "/var/lib/postgresql/data/pgdata",
    "/healthz",
    "0 9 * * 1-5",
    "*/5 * * * *",
    "15 3 1 */2 *",
    'sum(rate(http_requests_total{job="feed-handler",code=~"5.."}[5m])) by (instance)',
    "histogram_quantile(0.99, sum by (le) (rate(order_latency_seconds_bucket[1m]))) > 0.005",
    'max_over_time(tick_age_seconds{symbol=~"NIFTY.*"}[30s]) > 2',
    'kube_pod_container_status_restarts_total{namespace="nifty50"} > 3',
    UUID,
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "0123456789abcdef0123456789abcdef",
    "0123456789ABCDEF0123456789ABCDEF01234567",
    "bmlmdHk1MC10cmFkaW5nLXN5c3RlbS1jb25maWctdmFsdWU=",
    "eyJsZXZlbCI6ImluZm8iLCJmb3JtYXQiOiJqc29uIn0=",
    "LS0tCmxvZ2dpbmc6CiAgbGV2ZWw6IGluZm8KICBmb3JtYXQ6IGpzb24K",
    "Feed handlers for the NIFTY 50 constituents; token bucket of 500 messages a second",
    "Reads the password and token from mounted files",
    "--requirepass $(REDIS_PASSWORD)",
    "--config.file=/etc/prometheus/prometheus.yml",
    "--storage.tsdb.retention.time=15d",
    "--web.external-url=https://prometheus.nifty50.example.com/",
    "tags move per environment through the overlays' images; digests are pinned at release",
    "BROKER_API_KEY_FILE",
    "CKV_K8S_43",
    "disk_test_volume_claim",
    "risk_live_positions_dashboard",
    "task-queue-worker-0123456789-abcdefghij",
    "AKIA",
    "M5.large",
    "2026-01-26T09:15:00+05:30",
    "Asia/Kolkata",
    "10.96.0.0/12",
    "v2.53.1",
    "500m",
    "512Mi",
]


def test_every_shape_has_a_fake_that_it_alone_names() -> None:
    assert set(FAKES) == set(KINDS)
    for name, value in FAKES.items():
        assert credential_kind(value) == KINDS[name], name


@pytest.mark.parametrize("name", sorted(FAKES))
def test_a_shape_is_found_inside_text(name: str) -> None:
    assert credential_kind(f"pasted here {FAKES[name]} by hand") == KINDS[name]


@pytest.mark.parametrize(
    ("name", "cut"),
    [
        ("aws_key", 1),
        ("gcp_api_key", 1),
        ("github_token", 1),
        ("stripe_key", 15),
        ("twilio_key", 1),
        ("telegram_token", 1),
        ("slack_webhook", 44),
    ],
)
def test_a_shape_cut_short_is_not_found(name: str, cut: int) -> None:
    assert credential_kind(FAKES[name][:-cut]) is None


@pytest.mark.parametrize("name", ["aws_key", "gcp_api_key", "stripe_key", "twilio_key", "huggingface_token"])
def test_a_shape_inside_a_longer_token_is_not_found(name: str) -> None:
    assert credential_kind("bm9ybWFs" + FAKES[name]) is None


def test_the_patterns_hold_no_group_and_match_in_one_pass() -> None:
    # credential_kind relies on it: the combined pattern is the plain alternation of the shapes.
    assert CREDENTIAL.groups == 0
    assert CREDENTIAL.pattern == "|".join(pattern for _, _, pattern in SHAPES)
    for name, _, pattern in SHAPES:
        assert re.compile(pattern).groups == 0, name


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_values_are_not_credentials(value: str) -> None:
    assert credential_kind(value) is None
    assert not looks_like_credential(value)


def test_every_shape_has_a_case_in_the_invalid_corpus() -> None:
    said = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests/invalid/cases").glob("*.expected"))
    assert [name for name, kind in KINDS.items() if f"({kind})" not in said] == []
