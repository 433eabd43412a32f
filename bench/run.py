"""`python -m bench.run`: time whole nifty and kubectl processes, print a Markdown table of ratios."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.synth import synth
from compiler.emit import dump

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sample:
    """Best wall time of a few runs and the peak resident memory of the process."""

    seconds: float
    peak_mib: float


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name) or name


def measure(argv: list[str], cwd: Path, repeat: int = 3) -> Sample:
    """Run argv repeat times as a fresh process; keep the fastest wall time and the largest peak RSS."""
    times: list[float] = []
    peak = 0
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0,):
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{stderr}")
        peak = max(peak, usage.ru_maxrss)
    return Sample(min(times), peak / 1024)


def _synth_project(folder: Path, count: int) -> Path:
    """A project folder holding a synthetic spec of count components, compiled once."""
    project = folder / f"synth-{count}"
    (project / "spec").mkdir(parents=True)
    (project / "spec" / "system.yaml").write_text(dump(synth(count)), encoding="utf-8")
    return project


def main() -> int:
    """Measure and print the table."""
    nifty, kubectl = _tool("nifty"), _tool("kubectl")
    rows: list[tuple[str, str, str, str]] = []
    shipped_compile = measure([nifty, "compile", "--out", "/tmp/nifty-bench-out"], ROOT)
    shipped_check = measure([nifty, "compile", "--check", "--out", "/tmp/nifty-bench-out"], ROOT)
    shipped_kustomize = measure([kubectl, "kustomize", "/tmp/nifty-bench-out/overlays/prod"], ROOT)
    rows.append(
        (
            "kubectl kustomize overlays/prod (shipped)",
            f"{shipped_kustomize.seconds:.3f}",
            f"{shipped_kustomize.peak_mib:.0f}",
            "1.00 (reference)",
        )
    )
    rows.append(
        (
            "nifty compile (shipped)",
            f"{shipped_compile.seconds:.3f}",
            f"{shipped_compile.peak_mib:.0f}",
            f"{shipped_compile.seconds / shipped_kustomize.seconds:.2f} x kustomize (target ≤ 1.5)",
        )
    )
    rows.append(
        (
            "nifty compile --check, unchanged (shipped)",
            f"{shipped_check.seconds:.3f}",
            f"{shipped_check.peak_mib:.0f}",
            f"{shipped_check.seconds / shipped_kustomize.seconds:.2f} x kustomize (target ≤ 1.0)",
        )
    )
    sizes: dict[int, Sample] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for count in (100, 1000, 4000):
            project = _synth_project(Path(scratch), count)
            sizes[count] = measure([nifty, "compile"], project, repeat=1 if count >= 4000 else 3)
            ratio = sizes[count].seconds / shipped_compile.seconds
            note = f"{ratio:.2f} x shipped compile" + (" (target ≤ 8)" if count == 1000 else "")
            if count == 4000:
                growth = sizes[4000].seconds / sizes[1000].seconds
                note += f"; {growth:.2f} x the 1,000 run (target ≤ 4.6); peak target ≤ 400 MiB"
            rows.append(
                (
                    f"nifty compile ({count:,} components)",
                    f"{sizes[count].seconds:.3f}",
                    f"{sizes[count].peak_mib:.0f}",
                    note,
                )
            )
        project = Path(scratch) / "synth-1000"
        render = measure([nifty, "render", "prod"], project)
        kustomize = measure([kubectl, "kustomize", "out/overlays/prod"], project, repeat=1)
        rows.append(
            (
                "kubectl kustomize overlays/prod (1,000 components)",
                f"{kustomize.seconds:.3f}",
                f"{kustomize.peak_mib:.0f}",
                "reference",
            )
        )
        rows.append(
            (
                "nifty render prod (1,000 components)",
                f"{render.seconds:.3f}",
                f"{render.peak_mib:.0f}",
                f"{render.seconds / kustomize.seconds:.3f} x kustomize (target ≤ 0.1)",
            )
        )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"
    print(f"Machine: {machine}, Python {platform.python_version()}")
    print()
    print("| measurement | wall s | peak MiB | ratio |")
    print("| --- | ---: | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
