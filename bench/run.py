"""`python -m bench.run`: time whole nifty and kubectl processes, print a Markdown table of ratios.

Each measurement runs a fresh process and keeps the fastest of a few runs (the peak memory is the
largest seen). "Cold" compiles remove the record of the last compile first, so that the whole
pipeline runs; the out/ of an earlier compile is there, as in a working copy. "Warm" runs keep it,
as an editor hook or pre-commit run on an unchanged tree does.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.synth import synth
from compiler.output.stamp import CACHE_DIR
from compiler.syntax.emit import dump

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sample:
    """Best wall time of a few runs and the peak resident memory of the process."""

    seconds: float
    peak_mib: float


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name) or name


def measure(argv: list[str], cwd: Path, repeat: int = 3, before: Callable[[], None] | None = None) -> Sample:
    """Run argv repeat times as a fresh process; keep the fastest wall time and the largest peak RSS."""
    times: list[float] = []
    peak = 0
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"{' '.join(argv)} failed:\n{stderr}")
        peak = max(peak, usage.ru_maxrss)
    return Sample(min(times), peak / 1024)


def _forget(project: Path) -> Callable[[], None]:
    """A step that removes the record of the last compile, so that the next one runs in full."""
    return lambda: shutil.rmtree(project / CACHE_DIR, ignore_errors=True)


def _row(name: str, sample: Sample, note: str) -> str:
    return f"| {name} | {sample.seconds:.3f} | {sample.peak_mib:.0f} | {note} |"


def _copy_shipped(folder: Path) -> Path:
    """The shipped spec and monitoring folder in a scratch project, compiled once."""
    project = folder / "shipped"
    shutil.copytree(ROOT / "spec", project / "spec")
    shutil.copytree(ROOT / "monitoring", project / "monitoring")
    return project


def _synth_project(folder: Path, count: int) -> Path:
    """A project folder holding a synthetic spec of count components."""
    project = folder / f"synth-{count}"
    (project / "spec").mkdir(parents=True)
    (project / "spec" / "system.yaml").write_text(dump(synth(count)), encoding="utf-8")
    return project


def main() -> int:
    """Measure and print the table."""
    nifty, kubectl = _tool("nifty"), _tool("kubectl")
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        shipped = _copy_shipped(Path(scratch))
        measure([nifty, "compile"], shipped, repeat=1)
        kustomize = measure([kubectl, "kustomize", "out/overlays/prod"], shipped, repeat=5)
        cold = measure([nifty, "compile"], shipped, repeat=5, before=_forget(shipped))
        warm = measure([nifty, "compile"], shipped, repeat=5)
        check = measure([nifty, "compile", "--check"], shipped, repeat=5)
        ratio = kustomize.seconds
        rows += [
            _row("kubectl kustomize out/overlays/prod (shipped spec)", kustomize, "reference"),
            _row(
                "nifty compile, cold (shipped)", cold, f"{cold.seconds / ratio:.2f} x kustomize (target 1.5)"
            ),
            _row("nifty compile, unchanged (shipped)", warm, f"{warm.seconds / ratio:.2f} x kustomize"),
            _row(
                "nifty compile --check, unchanged",
                check,
                f"{check.seconds / ratio:.2f} x kustomize (target 1.0)",
            ),
        ]
        sizes: dict[int, Sample] = {}
        for count in (100, 1000, 4000):
            project = _synth_project(Path(scratch), count)
            measure([nifty, "compile"], project, repeat=1)
            sizes[count] = measure(
                [nifty, "compile"], project, repeat=1 if count >= 4000 else 3, before=_forget(project)
            )
            note = f"{sizes[count].seconds / cold.seconds:.2f} x shipped cold compile"
            if count == 1000:
                note += " (target 8)"
            if count == 4000:
                growth = sizes[4000].seconds / sizes[1000].seconds
                note += f"; {growth:.2f} x the 1,000 run (target 4.6); peak target 400 MiB"
            rows.append(_row(f"nifty compile, cold ({count:,} components)", sizes[count], note))
        project = Path(scratch) / "synth-1000"
        render = measure([nifty, "render", "prod"], project)
        big = measure([kubectl, "kustomize", "out/overlays/prod"], project, repeat=1)
        rows += [
            _row("kubectl kustomize out/overlays/prod (1,000 components)", big, "reference"),
            _row(
                "nifty render prod (1,000 components)",
                render,
                f"{render.seconds / big.seconds:.3f} x kustomize (target 0.1)",
            ),
        ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"
    print(f"Machine: {machine}, Python {platform.python_version()}")
    print()
    print("| measurement | wall s | peak MiB | ratio |")
    print("| --- | ---: | ---: | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
