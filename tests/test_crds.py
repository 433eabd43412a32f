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
VALID = [CERTIFICATE, EXTERNAL_SECRET, HTTP_ROUTE, PROMETHEUS_RULE, ALERTMANAGER_CONFIG]


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


def test_a_kind_without_a_model_is_refused() -> None:
    unknown = {"apiVersion": "cert-manager.io/v1", "kind": "Certificat", "metadata": {"name": "x"}}
    with pytest.raises(AssertionError, match=re.escape("no model for cert-manager.io/v1 Certificat")):
        validate_with_models([unknown])


def test_the_packages_are_pinned_and_name_no_registry() -> None:
    package = json.loads((MODELS / "package.json").read_text(encoding="utf-8"))
    versions = package["dependencies"]
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in versions.values()), versions
    assert len(versions) == len(NODE_GROUPS)
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
