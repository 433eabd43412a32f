"""The check of other projects' CRD objects: the @kubernetes-models validators and the unknown-field probe."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from tests.crds import MODELS, NODE_GROUPS, validate_crd_objects, validate_with_models

pytestmark = pytest.mark.tools

CERTIFICATE: dict[str, Any] = {
    "apiVersion": "cert-manager.io/v1",
    "kind": "Certificate",
    "metadata": {"name": "api", "labels": {"app.kubernetes.io/name": "api"}},
    "spec": {
        "secretName": "api-tls",
        "dnsNames": ["api.example.com"],
        "duration": "2160h0m0s",
        "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt"},
        "privateKey": {"rotationPolicy": "Always"},
    },
}
EXTERNAL_SECRET: dict[str, Any] = {
    "apiVersion": "external-secrets.io/v1",
    "kind": "ExternalSecret",
    "metadata": {"name": "bot-token"},
    "spec": {
        "refreshInterval": "1h0m0s",
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "vault"},
        "target": {"name": "bot-token", "creationPolicy": "Owner"},
        "data": [{"secretKey": "token", "remoteRef": {"key": "nifty/bot", "property": "token"}}],
    },
}
HTTP_ROUTE: dict[str, Any] = {
    "apiVersion": "gateway.networking.k8s.io/v1",
    "kind": "HTTPRoute",
    "metadata": {"name": "api"},
    "spec": {
        "parentRefs": [{"name": "public", "namespace": "gateway", "sectionName": "https"}],
        "hostnames": ["api.example.com"],
        "rules": [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                "backendRefs": [{"name": "api", "port": 8080}],
                "timeouts": {"request": "3600s"},
            }
        ],
    },
}
PROMETHEUS_RULE: dict[str, Any] = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "PrometheusRule",
    "metadata": {"name": "rules"},
    "spec": {"groups": [{"name": "g", "rules": [{"alert": "Down", "expr": "up == 0", "for": "1m"}]}]},
}
ALERTMANAGER_CONFIG: dict[str, Any] = {
    "apiVersion": "monitoring.coreos.com/v1alpha1",
    "kind": "AlertmanagerConfig",
    "metadata": {"name": "routes", "namespace": "nifty50"},
    "spec": {
        "route": {
            "receiver": "platform",
            "routes": [
                {
                    "receiver": "desk",
                    "matchers": [{"name": "clock", "value": "market", "matchType": "="}],
                    "activeTimeIntervals": ["sessions"],
                    "routes": [{"receiver": "platform", "continue": True}],
                }
            ],
        },
        "receivers": [
            {"name": "platform", "webhookConfigs": [{"url": "http://bot.nifty50.svc:8080/alerts"}]},
            {"name": "desk", "slackConfigs": [{"apiURL": {"name": "pager", "key": "url"}}]},
        ],
        "muteTimeIntervals": [
            {
                "name": "sessions",
                "timeIntervals": [
                    {
                        "times": [{"startTime": "18:30", "endTime": "24:00"}],
                        "weekdays": ["sunday:thursday"],
                        "daysOfMonth": [{"start": 31, "end": 31}],
                        "months": ["12"],
                        "years": ["2025"],
                    }
                ],
            }
        ],
    },
}
CLUSTER: dict[str, Any] = {
    "apiVersion": "postgresql.cnpg.io/v1",
    "kind": "Cluster",
    "metadata": {"name": "timescaledb"},
    "spec": {
        "instances": 3,
        "imageName": "ghcr.io/example/timescaledb:16",
        "postgresql": {
            "shared_preload_libraries": ["timescaledb"],
            "synchronous": {"method": "any", "number": 1, "dataDurability": "required"},
        },
        "storage": {"size": "50Gi"},
        "plugins": [{"name": "barman-cloud.cloudnative-pg.io", "isWALArchiver": True}],
    },
}
SCHEDULED_BACKUP: dict[str, Any] = {
    "apiVersion": "postgresql.cnpg.io/v1",
    "kind": "ScheduledBackup",
    "metadata": {"name": "timescaledb-backup"},
    "spec": {
        "schedule": "0 0 11 * * 1-5",
        "cluster": {"name": "timescaledb"},
        "method": "plugin",
        "pluginConfiguration": {"name": "barman-cloud.cloudnative-pg.io"},
    },
}
OBJECT_STORE: dict[str, Any] = {
    "apiVersion": "barmancloud.cnpg.io/v1",
    "kind": "ObjectStore",
    "metadata": {"name": "timescaledb-backup"},
    "spec": {
        "configuration": {
            "destinationPath": "s3://backups/timescaledb",
            "s3Credentials": {"accessKeyId": {"name": "store", "key": "access-key-id"}},
            "wal": {"compression": "gzip"},
        },
        "retentionPolicy": "30d",
    },
}
POOLER: dict[str, Any] = {
    "apiVersion": "postgresql.cnpg.io/v1",
    "kind": "Pooler",
    "metadata": {"name": "timescaledb-pooler-rw"},
    "spec": {
        "cluster": {"name": "timescaledb"},
        "instances": 2,
        "type": "rw",
        "pgbouncer": {"poolMode": "session"},
        "template": {"metadata": {"labels": {"app.kubernetes.io/name": "timescaledb-pooler"}}},
    },
}
VALID = [
    CERTIFICATE,
    EXTERNAL_SECRET,
    HTTP_ROUTE,
    PROMETHEUS_RULE,
    ALERTMANAGER_CONFIG,
    CLUSTER,
    SCHEDULED_BACKUP,
    OBJECT_STORE,
    POOLER,
]


def _with(obj: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(obj)
    node: Any = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


def test_one_object_of_each_project_is_valid() -> None:
    validate_crd_objects(VALID)


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        (CERTIFICATE, ("spec", "privateKey", "rotation")),
        (EXTERNAL_SECRET, ("spec", "data", 0, "remoteRef", "version_")),
        (HTTP_ROUTE, ("spec", "rules", 0, "timeouts", "idle")),
        (PROMETHEUS_RULE, ("spec", "groups", 0, "rules", 0, "severity")),
        (EXTERNAL_SECRET, ("spec", "syncWindows")),
        # Child routes are schemaless in the CRD; each is checked as a Route, at every depth.
        (ALERTMANAGER_CONFIG, ("spec", "route", "routes", 0, "location")),
        (ALERTMANAGER_CONFIG, ("spec", "route", "routes", 0, "routes", 0, "mute")),
        (ALERTMANAGER_CONFIG, ("spec", "muteTimeIntervals", 0, "timeIntervals", 0, "location")),
        (CLUSTER, ("spec", "postgresql", "synchronous", "standbys")),
        (SCHEDULED_BACKUP, ("spec", "timezone")),
        (POOLER, ("spec", "pgbouncer", "mode")),
        # The ObjectStore's configuration is checked as the Cluster's barmanObjectStore of the same type.
        (OBJECT_STORE, ("spec", "configuration", "wal", "level")),
    ],
)
def test_a_field_the_schema_does_not_know_is_refused_at_its_path(
    obj: dict[str, Any], path: tuple[str | int, ...]
) -> None:
    pointer = "/" + "/".join(str(p) for p in path)
    with pytest.raises(AssertionError, match=re.escape(f"{pointer}: a field the schema does not know")):
        validate_with_models([*VALID, _with(obj, path, "x")])


def test_a_value_the_schema_refuses_is_reported() -> None:
    wrong = _with(CERTIFICATE, ("spec", "privateKey", "rotationPolicy"), "Sometimes")
    with pytest.raises(
        AssertionError, match=re.escape("/spec/privateKey/rotationPolicy: must be equal to one of")
    ):
        validate_with_models([wrong])
    missing = copy.deepcopy(EXTERNAL_SECRET)
    del missing["spec"]["data"][0]["remoteRef"]["key"]
    with pytest.raises(AssertionError, match="missingProperty"):
        validate_with_models([missing])


def test_a_child_routes_values_are_checked_as_a_routes() -> None:
    wrong = _with(ALERTMANAGER_CONFIG, ("spec", "route", "routes", 0, "matchers", 0, "matchType"), "==")
    with pytest.raises(AssertionError, match=re.escape("/spec/route/routes/0/matchers/0/matchType: must be")):
        validate_with_models([wrong])


@pytest.mark.parametrize(
    ("obj", "path", "value", "message"),
    [
        (
            CLUSTER,
            ("spec", "postgresql", "synchronous", "method"),
            "all",
            "/spec/postgresql/synchronous/method",
        ),
        (SCHEDULED_BACKUP, ("spec", "method"), "barman", "/spec/method"),
        (OBJECT_STORE, ("spec", "retentionPolicy"), "30 days", "/spec/retentionPolicy: must match pattern"),
    ],
)
def test_a_database_objects_value_its_schema_refuses_is_reported(
    obj: dict[str, Any], path: tuple[str | int, ...], value: Any, message: str
) -> None:
    with pytest.raises(AssertionError, match=re.escape(message)):
        validate_with_models([_with(obj, path, value)])


def test_an_object_store_has_only_the_plugins_documented_fields() -> None:
    with pytest.raises(AssertionError, match="'schedule' was unexpected"):
        validate_crd_objects([_with(OBJECT_STORE, ("spec", "schedule"), "0 0 11 * * *")])
    with pytest.raises(AssertionError, match="'configuration' is a required property"):
        validate_crd_objects([_with(OBJECT_STORE, ("spec",), {"retentionPolicy": "30d"})])


def test_a_kind_without_a_model_is_refused() -> None:
    unknown = {"apiVersion": "cert-manager.io/v1", "kind": "Certificat", "metadata": {"name": "x"}}
    with pytest.raises(AssertionError, match=re.escape("no model for cert-manager.io/v1 Certificat")):
        validate_with_models([unknown])


def test_the_packages_are_pinned_and_name_no_registry() -> None:
    package = json.loads((MODELS / "package.json").read_text(encoding="utf-8"))
    versions = package["dependencies"]
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in versions.values()), versions
    # The Barman Cloud plugin's group is checked with the cloudnative-pg package's types.
    assert len(versions) == len(NODE_GROUPS) - 1
    lock = (MODELS / "package-lock.json").read_text(encoding="utf-8")
    assert '"resolved"' not in lock


SYNC_WINDOWS = {"kind": "deny", "windows": [{"schedule": "15 3 * * 1-5", "duration": "7h15m0s"}]}


def test_sync_windows_are_checked_against_the_v2_7_shape() -> None:
    with_windows = _with(EXTERNAL_SECRET, ("spec", "syncWindows"), SYNC_WINDOWS)
    validate_crd_objects([with_windows])
    for path, value in [
        (("spec", "syncWindows", "kind"), "block"),
        (("spec", "syncWindows", "windows", 0, "schedule"), "15 3 * *"),
        (("spec", "syncWindows", "windows", 0, "timezone"), "Asia/Kolkata"),
        (("spec", "syncWindows", "windows"), []),
    ]:
        with pytest.raises(AssertionError, match="syncWindows is invalid"):
            validate_crd_objects([_with(with_windows, path, value)])
