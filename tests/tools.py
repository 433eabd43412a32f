"""The real tools the users run (kubectl kustomize, kubernetes-validate), shared by tests and nox."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import yaml

from compiler.plan.model import EnvPlan, Plan

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
U = TypeVar("U")


def tool(name: str) -> str:
    """Path of a tool installed next to this interpreter, or on PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed; install the project's test extra")
    return found


def kustomize(folder: Path, tree: Path | None = None) -> str:
    """`kubectl kustomize folder` with the default load restrictor.

    tree, when given, is the out/ that holds all the build reads: a build of the same bytes earlier in
    this run of nox is taken instead (see once_per_run).
    """
    if tree is None:
        return _kustomize(folder)
    where = folder.relative_to(tree).as_posix().replace("/", "-")
    return once_per_run(f"kubectl-{tree_digest(tree)}-{where}", lambda: _kustomize(folder))


def _kustomize(folder: Path) -> str:
    result = subprocess.run(
        [tool("kubectl"), "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {folder} failed:\n{result.stderr}")
    return result.stdout


class _Loader(yaml.CSafeLoader):
    """PyYAML's safe loader in C, with kubernetes-validate's reading of a scalar tagged `=`."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: str(node.value))


def objects(text: str) -> list[dict[str, Any]]:
    """The YAML documents of a multi-document stream, read as kubernetes-validate reads them."""
    return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]


@functools.cache
def _schema_validation() -> Callable[[dict[str, Any]], None]:
    """kubernetes-validate's own strict validation against its latest Kubernetes version, in this process.

    Its command parses the definitions file (megabytes of JSON) again for every object, which made it
    most of a build's check; here the same validation function runs with each schema file parsed once.
    """
    import kubernetes_validate.utils as kv

    kv.schema_contents = functools.cache(kv.schema_contents)
    version = kv.latest_version()

    def validate(obj: dict[str, Any]) -> None:
        shown = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
        try:
            kv.validate(obj, version, strict=True)
        except kv.ValidationError as exc:
            path = ".".join(str(item) for item in exc.path)
            raise AssertionError(
                f"kubernetes-validate --strict: {shown} is invalid against {exc.version}:"
                f" {path}: {exc.message}"
            ) from exc
        except kv.SchemaNotFoundError as exc:
            # The command only warns; a kind nothing checks is a gap, so it fails here.
            raise AssertionError(f"kubernetes-validate: {exc.message}; {shown} is unchecked") from exc

    return validate


def validate_strict(text: str) -> None:
    """Validate every object of a rendered stream strictly; raise with the first problem.

    Kubernetes' own kinds go to kubernetes-validate (`--strict`: unknown fields are errors). Objects of
    other projects' CRDs (KEDA, the Gateway API, cert-manager, External Secrets, the Prometheus
    Operator) go to their own schemas instead, all of a build at once: kubernetes-validate has none
    for them and would only warn.
    """
    from tests.crds import is_crd_object, validate_crd_objects

    validate = _schema_validation()
    docs = objects(text)
    validate_crd_objects([obj for obj in docs if is_crd_object(obj)])
    for obj in docs:
        if not is_crd_object(obj):
            validate(obj)


def at_once(work: Callable[[U], T], items: Iterable[U]) -> list[T]:
    """work on each item, as many at once as the machine has cores (the work waits for tools)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(work, items))


# nox names a folder for its own run alone (see noxfile.py), where the checks of real tools that passed
# are recorded by the digest of all the tool read: the compiler's tests check the fixtures, copies of
# the shipped systems, and the kustomize, promtool and amtool sessions then check the same bytes. A
# tool's verdict on the same files is the same within a run; a failure is never recorded, so it is
# always run again.
RUN_RECORDS = "NIFTY_RUN_RECORDS"


def once_per_run(digest: str, check: Callable[[], str]) -> str:
    """check()'s text, or that of a check of the same digest that passed earlier in this run of nox."""
    folder = os.environ.get(RUN_RECORDS)
    mark = Path(folder) / digest if folder else None
    if mark is not None and mark.is_file():
        return mark.read_text(encoding="utf-8")
    text = check()
    if mark is not None and mark.parent.is_dir():
        # Whole or not at all: other processes of the run may read it at any moment.
        partial = mark.with_name(f"{mark.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_text(text, encoding="utf-8")
        partial.replace(mark)
    return text


def tree_digest(out: Path) -> str:
    """A digest of every file under out/, by relative name and bytes: all that kubectl kustomize reads."""
    digest = hashlib.sha256()
    for path in sorted(out.rglob("*")):
        if path.is_file():
            name = path.relative_to(out).as_posix()
            digest.update(f"{name}\0{path.stat().st_size}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def each_environment(out: Path, work: Callable[[Path], T]) -> dict[str, T]:
    """work on the base and on every overlay of out/, by name, at once."""
    folders = environment_folders(out)
    return {folder.name: result for folder, result in zip(folders, at_once(work, folders), strict=True)}


def build_all(out: Path) -> dict[str, str]:
    """Build the base and every overlay of out/, validating each strictly."""
    digest = tree_digest(out)

    def build(folder: Path) -> str:
        text = kustomize(folder, out)
        validate_strict(text)
        return text

    def built(folder: Path) -> str:
        where = folder.relative_to(out).as_posix().replace("/", "-")
        return once_per_run(f"kustomize-{digest}-{where}", lambda: build(folder))

    return each_environment(out, built)


def systems() -> list[Path]:
    """The shipped system's folder and each example's; every one holds spec/system.yaml, out/, monitoring/."""
    examples = sorted(path.parent.parent for path in (ROOT / "examples").glob("*/spec/system.yaml"))
    return [ROOT, *examples]


def system_name(folder: Path) -> str:
    """A system's folder as the reports name it: '.' for the shipped one, examples/<name> for the others."""
    return folder.relative_to(ROOT).as_posix() if folder != ROOT else "."


def environment_folders(out: Path) -> list[Path]:
    """The base and every overlay of out/ (a spec without environments has none)."""
    overlays = out / "overlays"
    return [out / "base", *(sorted(overlays.iterdir()) if overlays.is_dir() else [])]


def checkov(paths: list[Path]) -> dict[Path, dict[str, Any]]:
    """checkov's JSON report (`--framework kubernetes`) for each of some files, from one process.

    checkov takes seconds to start, so one process reads several builds and its report is split by
    file; each file's name must be unique among them.
    """
    files = [arg for path in paths for arg in ("-f", str(path))]
    result = subprocess.run(
        [tool("checkov"), "--framework", "kubernetes", "--skip-download", "-o", "json", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    if not result.stdout.strip().startswith(("{", "[")):
        raise AssertionError(f"checkov gave no report:\n{result.stdout}{result.stderr}")
    combined: dict[str, Any] = json.loads(result.stdout)
    results = combined.get("results", {})
    reports = {}
    for path in paths:
        own = {
            kind: [c for c in results.get(kind, []) if Path(c["file_path"]).name == path.name]
            for kind in ("passed_checks", "failed_checks", "skipped_checks")
        }
        own["parsing_errors"] = [e for e in results.get("parsing_errors", []) if Path(e).name == path.name]
        summary = {"passed": len(own["passed_checks"]), "skipped": len(own["skipped_checks"])}
        reports[path] = {"results": own, "summary": summary}
    return reports


def scan_problems(report: dict[str, Any], text: str) -> list[str]:
    """Failed checks, and skips whose reason is not one the build's annotations state."""
    results = report.get("results", {})
    problems = [
        f"{c['check_id']} failed for {c['resource']}: {c['check_name']}"
        for c in results.get("failed_checks", [])
    ]
    problems += [f"cannot parse: {e}" for e in results.get("parsing_errors", [])]
    # checkov passes over a file its YAML loader cannot read without a word: no check is no scan.
    if objects(text) and not any(
        results.get(kind) for kind in ("passed_checks", "failed_checks", "skipped_checks")
    ):
        problems.append("checkov ran no check on the build: it could not read it")
    stated = {
        value
        for doc in objects(text)
        for key, value in ((doc.get("metadata") or {}).get("annotations") or {}).items()
        if key.startswith("checkov.io/skip")
    }
    for skipped in results.get("skipped_checks", []):
        claim = f"{skipped['check_id']}={skipped['check_result'].get('suppress_comment', '')}"
        if claim not in stated:
            problems.append(
                f"{skipped['check_id']} skipped for {skipped['resource']} without a stated reason"
            )
    return problems


def scan(outs: list[Path], workdir: Path) -> dict[tuple[Path, str], dict[str, Any]]:
    """Build every environment of each out/ with kubectl and scan them with checkov; raise on any problem.

    The builds are shared out among as many checkov processes as the machine has cores.
    """
    folders = [(out, folder) for out in outs for folder in environment_folders(out)]
    texts = at_once(lambda pair: kustomize(pair[1], pair[0]), folders)
    paths = [workdir / f"{index}-{folder.name}.yaml" for index, (_, folder) in enumerate(folders)]
    for path, text in zip(paths, texts, strict=True):
        path.write_text(text, encoding="utf-8")
    batches = [paths[start :: os.cpu_count() or 1] for start in range(os.cpu_count() or 1)]
    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        reports = {k: v for done in pool.map(checkov, [b for b in batches if b]) for k, v in done.items()}
    failures = [
        f"{out}: {folder.name}: {problem}"
        for (out, folder), path, text in zip(folders, paths, texts, strict=True)
        for problem in scan_problems(reports[path], text)
    ]
    if failures:
        raise AssertionError("checkov:\n" + "\n".join(failures))
    return {(out, folder.name): reports[path] for (out, folder), path in zip(folders, paths, strict=True)}


def main(argv: list[str]) -> int:
    """`python -m tests.tools kustomize|scan [OUT...]`: build and validate, or scan, every overlay.

    Without OUT, the out/ of the shipped system and of every example.
    """
    import tempfile

    if argv[:1] not in (["kustomize"], ["scan"]):
        print("usage: python -m tests.tools kustomize|scan [OUT...]", file=sys.stderr)
        return 2
    outs = [Path(arg) for arg in argv[1:]] or [folder / "out" for folder in systems()]

    def shown(out: Path) -> str:
        resolved = out.resolve()
        return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(out)

    if argv[0] == "scan":
        with tempfile.TemporaryDirectory() as workdir:
            try:
                reports = scan(outs, Path(workdir))
            except AssertionError as exc:
                print(exc, file=sys.stderr)
                return 1
        for (out, name), report in reports.items():
            summary = report["summary"]
            counts = f"passed {summary['passed']}, failed 0, skipped {summary['skipped']}"
            print(f"{shown(out)} {name}: checkov {counts}")
        return 0
    for out in outs:
        for name, text in build_all(out).items():
            print(f"{shown(out)} {name}: {len(objects(text))} objects built and valid")
    return 0


def scalars(node: Any) -> Iterator[str]:
    """Every key and scalar of a YAML or JSON document, as text."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from scalars(value)
    elif isinstance(node, list):
        for item in node:
            yield from scalars(item)
    elif node is not None:
        yield str(node)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def by_kind(built: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The objects of one kind in a build, by name."""
    return {o["metadata"]["name"]: o for o in built if o["kind"] == kind}


def environment(plan: Plan, name: str) -> EnvPlan:
    """One environment's plan, by name."""
    (env,) = (e for e in plan.environments if e.name == name)
    return env


# Binary suffixes of a Kubernetes quantity, as the fixtures write their limits and volumes.
BINARY_SUFFIXES = {"Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def binary_bytes(quantity: str) -> int:
    """Bytes of a quantity with a binary suffix, e.g. 5Gi."""
    return int(quantity[:-2]) * BINARY_SUFFIXES[quantity[-2:]]


def operated_alert_exprs(built: list[dict[str, Any]]) -> dict[str, str]:
    """Each alert's expression, by name, in the PrometheusRules of a build for the Prometheus Operator."""
    groups = [g for rule in by_kind(built, "PrometheusRule").values() for g in rule["spec"]["groups"]]
    return {r["alert"]: r["expr"] for g in groups for r in g["rules"] if "alert" in r}
