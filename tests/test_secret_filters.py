"""The detect-secrets filter passes over Secret names only, and the hook of docs/ci.md covers out/."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.secret_filters import is_secret_name


@pytest.mark.parametrize(
    ("secret", "line"),
    [
        ("redis-auth", 'secret: "redis-auth"'),
        ("api-tls", 'tls_secret: "api-tls"'),
        ("api-tls", "    secretName: api-tls"),
        ("broker-api", "- {secret: broker-api, key: api-key, env: BROKER_API_KEY}"),
        # detect-secrets' YAML reading of a flow mapping keeps the line's comment.
        ("alertmanager-pager", 'secret: "alertmanager-pager"   # the URL stays in the Secret'),
        # An ExternalSecret's data: the key of the Secret it makes.
        ("api-secret", "  - secretKey: api-secret"),
    ],
)
def test_a_secret_name_is_passed_over(secret: str, line: str) -> None:
    assert is_secret_name(secret, line)


@pytest.mark.parametrize(
    ("secret", "line"),
    [
        ("hunter2hunter2", 'password: "hunter2hunter2"'),
        ("hunter2hunter2", 'client_secret: "hunter2hunter2"'),
        ("Hunter2+Hunter2", 'secret: "Hunter2+Hunter2"'),
        ("hunter2hunter2", '"secret": "hunter2hunter2",'),
        ("hunter2hunter2", "secretName: api-tls  # password: hunter2hunter2"),
        ("hunter2#hunter2", "secret: hunter2#hunter2"),
        ("Hunter2+Hunter2", "  - secretKey: Hunter2+Hunter2"),
    ],
)
def test_a_value_is_not_passed_over(secret: str, line: str) -> None:
    assert not is_secret_name(secret, line)


def test_the_baseline_explains_nothing_and_uses_the_filter() -> None:
    baseline = json.loads((ROOT / ".secrets.baseline").read_text(encoding="utf-8"))
    assert baseline["results"] == {}
    paths = [f["path"] for f in baseline["filters_used"]]
    assert "file://tests/secret_filters.py::is_secret_name" in paths


def _precommit_config() -> dict[str, Any]:
    readme = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    (block,) = [b for b in blocks if b.startswith("# .pre-commit-config.yaml")]
    loaded: dict[str, Any] = yaml.safe_load(block)
    return loaded


def test_the_readme_hook_scans_what_the_nox_session_scans() -> None:
    hooks = {h["id"]: h for repo in _precommit_config()["repos"] for h in repo["hooks"]}
    assert {"nifty-check", "detect-secrets"} <= set(hooks)
    scanner = hooks["detect-secrets"]
    assert scanner["args"] == ["--baseline", ".secrets.baseline"]
    for path in (
        "spec/system.yaml",
        "examples/x/spec/system.yaml",
        "monitoring/a.yaml",
        "out/base/layer-1.yaml",
    ):
        assert re.search(scanner["files"], path), path
    assert not re.search(scanner["files"], "tests/invalid/cases/N006-leak-aws-key.yaml")
