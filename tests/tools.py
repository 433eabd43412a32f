"""The real tools the users run (kubectl kustomize, kubernetes-validate), shared by tests and nox."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


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


def validate_strict(text: str, workdir: Path) -> None:
    """`kubernetes-validate --strict` over a rendered stream; raise with its report on failure."""
    path = workdir / "rendered.yaml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"kubernetes-validate --strict failed:\n{result.stdout}{result.stderr}")


def build_all(out: Path, workdir: Path) -> dict[str, str]:
    """Build the base and every overlay of out/, validating each strictly."""
    built: dict[str, str] = {}
    folders = [out / "base", *sorted((out / "overlays").iterdir())]
    for folder in folders:
        text = kustomize(folder)
        validate_strict(text, workdir)
        built[folder.name] = text
    return built


def main(argv: list[str]) -> int:
    """`python -m tests.tools kustomize [OUT]`: build and validate every overlay."""
    import tempfile

    if argv[:1] != ["kustomize"]:
        print("usage: python -m tests.tools kustomize [OUT]", file=sys.stderr)
        return 2
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "out"
    with tempfile.TemporaryDirectory() as workdir:
        for name, text in build_all(out, Path(workdir)).items():
            print(f"{name}: {len(objects(text))} objects built and valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
