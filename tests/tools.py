"""The real tools the users run (kubectl kustomize, kubernetes-validate), shared by tests and nox."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import yaml

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def tool(name: str) -> str:
    """Path of a tool installed next to this interpreter, or on PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed; install the project's test extra")
    return found


def kustomize(folder: Path) -> str:
    """`kubectl kustomize folder` with the default load restrictor."""
    result = subprocess.run(
        [tool("kubectl"), "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {folder} failed:\n{result.stderr}")
    return result.stdout


def objects(text: str) -> list[dict[str, Any]]:
    """The YAML documents of a multi-document stream."""
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def validate_strict(text: str, workdir: Path, name: str = "rendered") -> None:
    """`kubernetes-validate --strict` over a rendered stream; raise with its report on failure.

    Objects of other projects' CRDs (KEDA, the Gateway API, cert-manager, External Secrets, the
    Prometheus Operator) go to their own schemas instead: kubernetes-validate has none for them and
    would only warn.
    """
    from tests.crds import is_crd_object, validate_crd_objects

    docs = objects(text)
    validate_crd_objects([obj for obj in docs if is_crd_object(obj)])
    path = workdir / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump_all([o for o in docs if not is_crd_object(o)], sort_keys=False), encoding="utf-8"
    )
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"kubernetes-validate --strict failed:\n{result.stdout}{result.stderr}")


def each_environment(out: Path, work: Callable[[Path], T]) -> dict[str, T]:
    """work on the base and on every overlay of out/, by name; as many at once as the machine has cores."""
    folders = environment_folders(out)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        done = list(pool.map(work, folders))
    return {folder.name: result for folder, result in zip(folders, done, strict=True)}


def build_all(out: Path, workdir: Path) -> dict[str, str]:
    """Build the base and every overlay of out/, validating each strictly."""

    def build(folder: Path) -> str:
        text = kustomize(folder)
        validate_strict(text, workdir, f"{out.parent.name}-{folder.name}")
        return text

    return each_environment(out, build)


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


def checkov(text: str, workdir: Path, name: str = "rendered") -> dict[str, Any]:
    """checkov's JSON report (`--framework kubernetes`) over one rendered stream."""
    path = workdir / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [tool("checkov"), "--framework", "kubernetes", "--skip-download", "-o", "json", "-f", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if not result.stdout.strip().startswith("{"):
        raise AssertionError(f"checkov gave no report:\n{result.stdout}{result.stderr}")
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def scan_problems(report: dict[str, Any], text: str) -> list[str]:
    """Failed checks, and skips whose reason is not one the build's annotations state."""
    results = report.get("results", {})
    problems = [
        f"{c['check_id']} failed for {c['resource']}: {c['check_name']}"
        for c in results.get("failed_checks", [])
    ]
    problems += [f"cannot parse: {e}" for e in results.get("parsing_errors", [])]
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


def scan(out: Path, workdir: Path) -> dict[str, dict[str, Any]]:
    """Build every environment with kubectl and scan it with checkov; raise on any problem."""

    def scanned(folder: Path) -> tuple[dict[str, Any], list[str]]:
        text = kustomize(folder)
        report = checkov(text, workdir, f"{out.parent.name}-{folder.name}")
        return report, [f"{folder.name}: {p}" for p in scan_problems(report, text)]

    results = each_environment(out, scanned)
    reports = {name: report for name, (report, _) in results.items()}
    failures = [problem for _, problems in results.values() for problem in problems]
    if failures:
        raise AssertionError("checkov:\n" + "\n".join(failures))
    return reports


def main(argv: list[str]) -> int:
    """`python -m tests.tools kustomize|scan [OUT...]`: build and validate, or scan, every overlay.

    Without OUT, the out/ of the shipped system and of every example.
    """
    import tempfile

    if argv[:1] not in (["kustomize"], ["scan"]):
        print("usage: python -m tests.tools kustomize|scan [OUT...]", file=sys.stderr)
        return 2
    outs = [Path(arg) for arg in argv[1:]] or [folder / "out" for folder in systems()]
    failed = False
    with tempfile.TemporaryDirectory() as workdir:
        for out in outs:
            shown = (
                out.resolve().relative_to(ROOT).as_posix() if out.resolve().is_relative_to(ROOT) else str(out)
            )
            if argv[0] == "scan":
                try:
                    reports = scan(out, Path(workdir))
                except AssertionError as exc:
                    print(f"{shown}: {exc}", file=sys.stderr)
                    failed = True
                    continue
                for name, report in reports.items():
                    summary = report["summary"]
                    print(
                        f"{shown} {name}: checkov passed {summary['passed']}, failed 0,"
                        f" skipped {summary['skipped']}"
                    )
                continue
            for name, text in build_all(out, Path(workdir)).items():
                print(f"{shown} {name}: {len(objects(text))} objects built and valid")
    return 1 if failed else 0


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
