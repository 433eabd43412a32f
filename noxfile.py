"""CI entry point: `nox` runs every session CI needs; `nox -t spec` the checks of the user's system.

Two kinds of checks. The compiler's own (lint, types, tests) run on fixtures kept in tests/. The checks
of the user's system (tag `spec`: system, drift, kustomize, promtool, amtool, scan, secrets) run on the
working spec/ and every example, and pass on any valid spec.

Every session runs on the interpreter that runs nox, any CPython from 3.11 up, and says which. The
sessions that need the dev extra's packages share one environment: the one nox runs from when it holds
this checkout with them (`.venv` of the README's command), else `.nox/shared`, made once. checkov pins
dependencies that clash with the test tools, so `scan` keeps a virtualenv of its own.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nox
from packaging.requirements import Requirement

nox.options.reuse_existing_virtualenvs = True
# No session asks for a Python of its own (pythons finds each version itself): never fetch one.
nox.options.download_python = "never"
# Python's own default: imports keep their bytecode (and pytest its rewritten tests) in __pycache__,
# which git ignores. Some machines turn that off; the sessions start hundreds of Python processes,
# and each would compile the compiler and the tests again, a third of a compile's time.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
# A folder for this run of nox alone, removed when it ends: the kubectl builds, promtool and amtool
# checks that passed in it, by digest of all the tool read (tests/tools.py once_per_run). The compiler's
# tests check the fixtures, copies of the shipped systems, before the sessions check the same files.
RUN_RECORDS = Path(tempfile.mkdtemp(prefix="nifty-nox-"))
atexit.register(shutil.rmtree, RUN_RECORDS, ignore_errors=True)
os.environ["NIFTY_RUN_RECORDS"] = str(RUN_RECORDS)

ROOT = Path(__file__).resolve().parent
# The packages of the sessions that share an environment: the dev extra's, without nox.
SHARED_EXTRAS = ("test", "lint", "secrets")
SHARED_ENV = ROOT / ".nox" / "shared"
PYTHONS = ["3.11", "3.12", "3.13"]
# The compiler's tests: all of tests/ but the checks of the user's system, spread over the cores
# (a module's tests stay together, so that its fixtures are built once).
COMPILER_TESTS = ["--ignore=tests/system", "-n", "auto", "--dist", "loadfile"]


def _fingerprint() -> str:
    """What an installed environment depends on: the project's metadata and the interpreter."""
    text = (ROOT / "pyproject.toml").read_bytes() + sys.version.encode()
    return hashlib.sha256(text).hexdigest()


def _missing(extras: tuple[str, ...]) -> list[str]:
    """What the interpreter running nox lacks of this checkout and of pyproject.toml's requirements."""
    found = importlib.util.find_spec("compiler")
    if found is None or found.origin is None or Path(found.origin).resolve().parent.parent != ROOT:
        return ["this checkout, installed with pip install -e"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *(r for e in extras for r in project["optional-dependencies"][e])]
    missing = []
    for text in wanted:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        try:
            version = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(str(requirement))
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            missing.append(str(requirement))
    return missing


def shared(session: nox.Session) -> Path:
    """The bin folder of the shared environment, made or updated when needed; log the interpreter."""
    missing = _missing(SHARED_EXTRAS)
    if not missing:
        folder = Path(sys.executable).parent
    else:
        folder = SHARED_ENV / "bin"
        stamp = SHARED_ENV / ".nifty-installed"
        if not stamp.is_file() or stamp.read_text(encoding="utf-8") != _fingerprint():
            session.log(f"nox's interpreter lacks {', '.join(missing)}: installing into {SHARED_ENV}")
            session.run(sys.executable, "-m", "venv", "--clear", str(SHARED_ENV), external=True)
            extras = ",".join(SHARED_EXTRAS)
            session.run(
                str(folder / "python"), "-m", "pip", "install", "-q", "-e", f".[{extras}]", external=True
            )
            stamp.write_text(_fingerprint(), encoding="utf-8")
    session.env["PATH"] = f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"
    session.env["VIRTUAL_ENV"] = str(folder.parent)
    session.log(f"Python {platform.python_version()} ({platform.python_implementation()}) in {folder.parent}")
    return folder


def run(
    session: nox.Session, folder: Path, program: str, *args: str, success_codes: list[int] | None = None
) -> None:
    """Run a program of the shared environment."""
    session.run(str(folder / program), *args, external=True, success_codes=success_codes)


def install_once(session: nox.Session, *args: str) -> None:
    """pip install into the session's own virtualenv, skipped while pyproject.toml and Python stay."""
    location = Path(str(session.virtualenv.location))
    stamp = location / ".nifty-installed"
    fingerprint = _fingerprint() + " ".join(args)
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint:
        session.log("installed packages are current")
    else:
        # Compiled now, as pip does: a tool started many times must not compile its modules each time,
        # and PYTHONDONTWRITEBYTECODE (set on some machines) keeps it from keeping them.
        session.install(*args, env={"UV_COMPILE_BYTECODE": "1"})
        stamp.write_text(fingerprint, encoding="utf-8")
    session.log(f"Python {platform.python_version()} in {location}")


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


def crd_models(session: nox.Session, folder: Path) -> None:
    """npm ci tests/crd-models (validators of other projects' CRDs) when node_modules is missing or stale."""
    if shutil.which("npm") is None:
        session.error("missing npm (apt-get install npm): it installs tests/crd-models")
    run(session, folder, "python", "-m", "tests.crds", "install")


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    """ruff over the compiler, tests and this file; import-linter holds the pipeline's layers."""
    folder = shared(session)
    run(session, folder, "ruff", "check", "compiler", "tests", "bench", "noxfile.py")
    run(session, folder, "ruff", "format", "--check", "compiler", "tests", "bench", "noxfile.py")
    run(session, folder, "lint-imports")


@nox.session(venv_backend="none")
def types(session: nox.Session) -> None:
    """mypy --strict over the compiler, tests, bench and this file."""
    folder = shared(session)
    run(session, folder, "mypy", "--strict", "compiler", "tests", "bench", "noxfile.py")


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """The compiler's tests, on the fixtures of tests/: pytest with Hypothesis and the real tools."""
    ensure_apt_tools(session)
    folder = shared(session)
    crd_models(session, folder)
    run(session, folder, "pytest", *(session.posargs or COMPILER_TESTS))


def find_python(version: str) -> str | None:
    """An interpreter of version: on PATH (one that runs, not a version manager's idle shim), else pyenv's."""
    candidates = [found] if (found := shutil.which(f"python{version}")) else []
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += [str(p) for p in sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True)]
    for candidate in candidates:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


@nox.session(venv_backend="none", default=False)
def pythons(session: nox.Session) -> None:
    """The compiler's tests on each of Python 3.11, 3.12 and 3.13 the machine has (not in the default run)."""
    ensure_apt_tools(session)
    crd_models(session, shared(session))
    ran = []
    for version in PYTHONS:
        interpreter = find_python(version)
        if interpreter is None:
            session.log(f"Python {version}: not on this machine (PATH, pyenv); skipped")
            continue
        env = ROOT / ".nox" / f"pythons-{version}"
        stamp = env / ".nifty-installed"
        fingerprint = _fingerprint() + interpreter
        if not stamp.is_file() or stamp.read_text(encoding="utf-8") != fingerprint:
            session.run(interpreter, "-m", "venv", "--clear", str(env), external=True)
            session.run(
                str(env / "bin" / "python"), "-m", "pip", "install", "-q", "-e", ".[test]", external=True
            )
            stamp.write_text(fingerprint, encoding="utf-8")
        session.log(f"Python {version} ({interpreter}) in {env}")
        path = f"{env / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        args = session.posargs or COMPILER_TESTS
        session.run(
            str(env / "bin" / "pytest"), *args, external=True, env={"PATH": path, "VIRTUAL_ENV": str(env)}
        )
        ran.append(version)
    if not ran:
        session.error(f"none of Python {', '.join(PYTHONS)} is on this machine")
    session.log(f"the compiler's tests passed on Python {', '.join(ran)}")


def systems() -> list[Path]:
    """The system at the root and each example's folder, each with spec/system.yaml and out/."""
    return [Path("."), *sorted(path.parent.parent for path in Path("examples").glob("*/spec/system.yaml"))]


@nox.session(venv_backend="none", tags=["spec"])
def system(session: nox.Session) -> None:
    """tests/system on the working spec and every example: design properties, calendar, credentials."""
    folder = shared(session)
    run(session, folder, "pytest", "tests/system", *session.posargs)


@nox.session(venv_backend="none", tags=["spec"])
def drift(session: nox.Session) -> None:
    """Fail when a committed out/ (the system's, each example's) differs from what its spec compiles to."""
    folder = shared(session)
    for system in systems():
        # From the system's own folder, as its out/ names its spec relative to it.
        with session.chdir(system):
            run(session, folder, "nifty", "compile", "--check")


@nox.session(venv_backend="none", tags=["spec"])
def kustomize(session: nox.Session) -> None:
    """Build every overlay of the system and of every example with kubectl; validate strictly."""
    folder = shared(session)
    crd_models(session, folder)
    run(session, folder, "python", "-m", "tests.tools", "kustomize")


@nox.session(venv_backend="none", default=False)
def bench(session: nox.Session) -> None:
    """Time nifty against kubectl kustomize, and the gate against its targets (not in the default run)."""
    folder = shared(session)
    run(session, folder, "python", "-m", "bench.run", *session.posargs)


# uv where nox finds it (the dev extra installs it), else virtualenv and pip.
@nox.session(tags=["spec"], venv_backend="uv|virtualenv")
def scan(session: nox.Session) -> None:
    """checkov over every environment of every system built with kubectl: no failure, no unexplained skip."""
    # checkov pins dependencies that clash with the test tools, so it gets a virtualenv of its own.
    install_once(session, "-e", ".[scan]")
    # With the features spec: clusters, values from the pod, paths under one host, ingress settings.
    features = Path(session.create_tmp()) / "features"
    spec = "tests/features/system.yaml"
    out, monitoring = f"{features}/out", f"{features}/monitoring"
    session.run("nifty", "compile", "--spec", spec, "--out", out, "--monitoring", monitoring)
    # One run over every build, so that checkov starts once per core, not once per environment.
    session.run("python", "-m", "tests.tools", "scan", *(str(s / "out") for s in systems()), out)


@nox.session(venv_backend="none", tags=["spec"])
def promtool(session: nox.Session) -> None:
    """promtool check config, check rules and test rules of every system; each alert fires and stays quiet."""
    ensure_apt_tools(session)
    folder = shared(session)
    run(session, folder, "python", "-m", "tests.promtool")


# What the repository ships to a cluster or a reader; tests/ holds fake credentials on purpose.
SECRETS_SCANNED = ("spec", "examples", "monitoring", "out")


@nox.session(venv_backend="none", tags=["spec"])
def secrets(session: nox.Session) -> None:
    """detect-secrets over spec/, examples/, monitoring/, out/: no finding the baseline does not explain."""
    folder = shared(session)
    files = sorted(
        str(path)
        for scanned in SECRETS_SCANNED
        if Path(scanned).is_dir()
        for path in Path(scanned).rglob("*")
        # An example's record of its last compile (git ignores it) holds hashes, not secrets.
        if path.is_file() and ".nifty-cache" not in path.parts
    )
    # The hook scans one file after another: a hook per core, each over its share of the files. It
    # rewrites a baseline whose line numbers or version moved, and says so with exit 3 (it found
    # nothing new then): each gets a copy, so the committed one stays as it is.
    shares = os.cpu_count() or 1
    hooks = []
    for share in range(shares):
        baseline = Path(session.create_tmp()) / f"secrets-{share}.baseline"
        shutil.copyfile(".secrets.baseline", baseline)
        command = [str(folder / "detect-secrets-hook"), "--baseline", str(baseline), *files[share::shares]]
        hooks.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    session.log(f"detect-secrets-hook over {len(files)} files in {shares} processes")
    reports = [(hook.communicate()[0], hook.returncode) for hook in hooks]
    failed = [report for report, code in reports if code not in (0, 3)]
    for report in failed:
        session.log(report)
    if failed:
        session.error("detect-secrets found what the baseline does not explain")


@nox.session(venv_backend="none", tags=["spec"])
def amtool(session: nox.Session) -> None:
    """amtool check-config on every environment's Alertmanager config; every generated alert routed."""
    ensure_apt_tools(session)
    folder = shared(session)
    run(session, folder, "python", "-m", "tests.amtool")


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


@nox.session(venv_backend="none", default=False)
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
    folder = shared(session)
    mmdc = str(tools / "node_modules" / ".bin" / "mmdc")
    run(session, folder, "python", "-m", "tests.mermaid", mmdc, str(config))
