"""CI entry point: `nox` runs every session CI needs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = [
    "lint",
    "types",
    "tests",
    "drift",
    "kustomize",
    "promtool",
    "amtool",
    "scan",
    "secrets",
]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"


# The tools the tests run that ship in Debian packages, not on PyPI: command -> package.
APT_TOOLS = {"promtool": "prometheus", "amtool": "prometheus-alertmanager"}


def ensure_apt_tools(session: nox.Session) -> None:
    """Install the Debian packages of promtool and amtool (with Alertmanager) where they are missing."""
    missing = sorted({package for command, package in APT_TOOLS.items() if shutil.which(command) is None})
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        names = " ".join(missing)
        session.error(f"missing Debian packages: {names} (apt-get install {names})")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True, env=env)
    session.run(
        "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, external=True, env=env
    )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the compiler, tests and this file; import-linter holds the pipeline's layers."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", "compiler", "tests", "bench", "noxfile.py")
    session.run("ruff", "format", "--check", "compiler", "tests", "bench", "noxfile.py")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def types(session: nox.Session) -> None:
    """mypy --strict over the compiler and tests."""
    session.install("-e", ".[lint,test]")
    session.run("mypy", "--strict", "compiler", "tests", "bench")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """pytest with Hypothesis, kubectl, kubernetes-validate, promtool, amtool and Alertmanager."""
    ensure_apt_tools(session)
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


def systems() -> list[Path]:
    """The shipped system's folder and each example's, each with spec/system.yaml, out/ and monitoring/."""
    return [Path("."), *sorted(path.parent.parent for path in Path("examples").glob("*/spec/system.yaml"))]


@nox.session(python=PYTHON)
def drift(session: nox.Session) -> None:
    """Fail when a committed out/ (the shipped one, each example's) differs from what its spec compiles to."""
    session.install("-e", ".")
    for folder in systems():
        # From the system's own folder, as its out/ names its spec relative to it.
        with session.chdir(folder):
            session.run("nifty", "compile", "--check")


@nox.session(python=PYTHON)
def kustomize(session: nox.Session) -> None:
    """Build every overlay of the shipped system and of every example with kubectl; validate strictly."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.tools", "kustomize")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time nifty against kubectl kustomize (not part of the default run)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "bench.run")


@nox.session(python=PYTHON)
def scan(session: nox.Session) -> None:
    """checkov over every environment of every system built with kubectl: no failure, no unexplained skip."""
    # checkov pins dependencies that clash with the test tools, so it gets a virtualenv of its own.
    session.install("-e", ".[scan]")
    session.run("python", "-m", "tests.tools", "scan")
    # The features spec: clusters, values from the pod, paths under one host, ingress settings.
    features = Path(session.create_tmp()) / "features"
    spec = "tests/features/system.yaml"
    out, monitoring = f"{features}/out", f"{features}/monitoring"
    session.run("nifty", "compile", "--spec", spec, "--out", out, "--monitoring", monitoring)
    session.run("python", "-m", "tests.tools", "scan", out)


@nox.session(python=PYTHON)
def promtool(session: nox.Session) -> None:
    """promtool check config, check rules and test rules of every system; each alert fires and stays quiet."""
    ensure_apt_tools(session)
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.promtool")


# What the repository ships to a cluster or a reader; tests/ holds fake credentials on purpose.
SECRETS_SCANNED = ("spec", "examples", "monitoring", "out")


@nox.session(python=PYTHON)
def secrets(session: nox.Session) -> None:
    """detect-secrets over spec/, examples/, monitoring/, out/: no finding the baseline does not explain."""
    session.install("-e", ".[secrets]")
    files = sorted(
        str(path)
        for folder in SECRETS_SCANNED
        if Path(folder).is_dir()
        for path in Path(folder).rglob("*")
        # An example's record of its last compile (git ignores it) holds hashes, not secrets.
        if path.is_file() and ".nifty-cache" not in path.parts
    )
    # The hook rewrites a baseline whose line numbers or version moved, and says so with exit 3
    # (it found nothing new then): a copy keeps the committed one as it is.
    baseline = Path(session.create_tmp()) / "secrets.baseline"
    shutil.copyfile(".secrets.baseline", baseline)
    session.run("detect-secrets-hook", "--baseline", str(baseline), *files, success_codes=[0, 3])


@nox.session(python=PYTHON)
def amtool(session: nox.Session) -> None:
    """amtool check-config on every environment's Alertmanager config; every generated alert routed."""
    ensure_apt_tools(session)
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.amtool")


# mermaid-cli drives a browser through puppeteer: Debian's Chromium, not a downloaded one.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@nox.session(python=PYTHON)
def mermaid(session: nox.Session) -> None:
    """Render every Mermaid diagram of the generated READMEs with mermaid-cli (not in the default run)."""
    if not Path(CHROMIUM).exists():
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            session.error(f"missing {CHROMIUM} (apt-get install chromium)")
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-qq", external=True, env=env)
        session.run(
            "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", external=True, env=env
        )
    if shutil.which("npm") is None:
        session.error("missing npm (apt-get install npm)")
    tools = Path(session.create_tmp()) / "mermaid"
    tools.mkdir(exist_ok=True)
    session.run(
        "npm",
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(tools),
        "@mermaid-js/mermaid-cli",
        external=True,
        env={"PUPPETEER_SKIP_DOWNLOAD": "1"},
    )
    config = tools / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": CHROMIUM, "args": CHROMIUM_ARGS}), encoding="utf-8")
    session.run("python", "-m", "tests.mermaid", str(tools / "node_modules" / ".bin" / "mmdc"), str(config))
