"""After any valid edit of the spec and `nifty compile`, the checks of the user's system pass.

A project is put together in a temporary folder as a user's repository holds it: the seed system
(tests/fixtures/seed) at its root and the project's checks (tests/, pyproject.toml, the docs); the
options example stays out, as the compiler's tests check it on tests/fixtures/options. The edits a
user makes in a working week follow: raise a max in one environment, add a component with an
ingress and per-environment hosts, add a holiday announced at short notice, add an environment,
remove a component, add an example system. Then `nifty compile` in each system, and the checks of
the user's system on the copy, as the nox sessions run them: drift, kubectl builds validated
strictly, promtool, amtool, and tests/system/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED, edit
from tests.tools import tool

pytestmark = [pytest.mark.tools, pytest.mark.proof]

# What the checks need of tests/: the compiler's own corpora and golden trees stay behind.
LEFT_BEHIND = shutil.ignore_patterns(
    "golden", "invalid", "__pycache__", ".hypothesis", ".pytest_cache", "node_modules"
)

EDITS: list[tuple[str, str]] = [
    # Raise tick-processor's max in prod only.
    (
        '      feed-handler: {resources: {cpu: "2", memory: 1Gi}}\n',
        '      feed-handler: {resources: {cpu: "2", memory: 1Gi}}\n'
        "      tick-processor: {autoscaling: {max: 14}}\n",
    ),
    # A new public component, with a host of its own in dev.
    (
        "      - name: bot\n",
        "      - name: reports\n"
        "        description: End-of-day reports for the desk\n"
        "        talks_to: [api]\n"
        "        ingress: {host: reports.nifty50.example.com, tls_secret: reports-tls}\n"
        "      - name: bot\n",
    ),
    # Remove the dashboard, and its hosts; dev names the new component's instead.
    (
        "      - name: dashboard\n"
        "        description: Web dashboard for traders\n"
        "        port: 3000\n"
        "        replicas: 2\n"
        "        talks_to: [api]\n"
        "        ingress: {host: dashboard.nifty50.example.com, tls_secret: dashboard-tls}\n",
        "",
    ),
    (
        "      dashboard: {replicas: 1, host: dashboard.dev.nifty50.example.com}\n",
        "      reports: {host: reports.dev.nifty50.example.com}\n",
    ),
    # A holiday the exchange announced after the maintained calendar's release.
    (
        '    - {date: "2026-03-03", name: Holi}\n',
        '    - {date: "2026-02-19", name: Chhatrapati Shivaji Maharaj Jayanti}\n'
        '    - {date: "2026-03-03", name: Holi}\n',
    ),
]

# A new environment, at the end of the spec (environments: is its last section).
STAGING = """\
  staging:
    namespace: nifty50-staging
    tag: "2.5.0"
    components:
      api: {host: api.staging.nifty50.example.com}
      reports: {host: reports.staging.nifty50.example.com}
"""


def _run(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    # The project's tools and interpreter first, as in the nox session's environment.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"{' '.join(result.args)}:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edited project, compiled."""
    root = tmp_path_factory.mktemp("project")
    for folder in ("spec", "monitoring"):
        shutil.copytree(SEED / folder, root / folder)
    shutil.copytree(ROOT / "tests", root / "tests", ignore=LEFT_BEHIND)
    # The CRDs' validators, installed once (python -m tests.crds install), not copied.
    models = ROOT / "tests" / "crd-models" / "node_modules"
    if models.is_dir():
        (root / "tests" / "crd-models" / "node_modules").symlink_to(models, target_is_directory=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, root)
    if (ROOT / "docs").is_dir():
        shutil.copytree(ROOT / "docs", root / "docs")
    spec = root / "spec" / "system.yaml"
    for old, new in EDITS:
        edit(spec, old, new)
    text = spec.read_text(encoding="utf-8")
    assert text.endswith("memory: 4Gi}}\n"), "environments: is no longer the spec's last section"
    spec.write_text(text + STAGING, encoding="utf-8")
    # An example system of another shape: one component, no environment, no market.
    minimal = root / "examples" / "minimal" / "spec"
    minimal.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "golden" / "minimal" / "spec.yaml", minimal / "system.yaml")
    for system in (root, root / "examples" / "minimal"):
        _ok(_run(system, tool("nifty"), "compile"))
    return root


def test_the_edits_are_compiled(project: Path) -> None:
    overlays = sorted(p.name for p in (project / "out" / "overlays").iterdir())
    assert overlays == ["dev", "prod", "staging"]
    assert "reports" in (project / "out" / "base" / "layer-7.yaml").read_text(encoding="utf-8")


def test_drift(project: Path) -> None:
    for system in (project, project / "examples" / "minimal"):
        _ok(_run(system, tool("nifty"), "compile", "--check"))


def test_kubectl_builds_every_environment_and_validates_it(project: Path) -> None:
    _ok(_run(project, sys.executable, "-m", "tests.tools", "kustomize"))


def test_promtool(project: Path) -> None:
    _ok(_run(project, sys.executable, "-m", "tests.promtool"))


def test_amtool(project: Path) -> None:
    _ok(_run(project, sys.executable, "-m", "tests.amtool"))


def test_the_checks_of_the_system(project: Path) -> None:
    result = _run(project, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/system")
    _ok(result)
    assert " passed" in result.stdout.splitlines()[-1]
