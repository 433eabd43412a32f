"""The scan gate fails on a failed check, on a skip whose reason the build does not state, and on a
build checkov ran no check on."""

from __future__ import annotations

from typing import Any

from tests.tools import scan_problems

BUILD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    checkov.io/skip1: CKV_K8S_43=tags move per environment
"""


def _report(failed: list[dict[str, Any]], skipped: list[dict[str, Any]]) -> dict[str, Any]:
    return {"results": {"failed_checks": failed, "skipped_checks": skipped, "passed_checks": []}}


def _skip(check: str, reason: str) -> dict[str, Any]:
    return {"check_id": check, "resource": "Deployment.ns.api", "check_result": {"suppress_comment": reason}}


def test_a_clean_report_with_stated_skips_passes() -> None:
    assert scan_problems(_report([], [_skip("CKV_K8S_43", "tags move per environment")]), BUILD) == []


def test_a_failed_check_is_a_problem() -> None:
    failed = {"check_id": "CKV_K8S_20", "resource": "Deployment.ns.api", "check_name": "escalation"}
    assert scan_problems(_report([failed], []), BUILD) == [
        "CKV_K8S_20 failed for Deployment.ns.api: escalation"
    ]


def test_a_skip_the_build_does_not_state_is_a_problem() -> None:
    problems = scan_problems(_report([], [_skip("CKV_K8S_38", "tags move per environment")]), BUILD)
    assert problems == ["CKV_K8S_38 skipped for Deployment.ns.api without a stated reason"]


def test_a_build_checkov_ran_no_check_on_is_a_problem() -> None:
    # What checkov reports, without a parsing error, for a build its YAML loader cannot read.
    assert scan_problems(_report([], []), BUILD) == [
        "checkov ran no check on the build: it could not read it"
    ]
    assert scan_problems(_report([], []), "") == []
