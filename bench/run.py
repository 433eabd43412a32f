"""`python -m bench.run`: time whole nifty and kubectl processes, print a Markdown table of ratios.

`python -m bench.run --gate` times the test command instead (bench/gate.py).

Each measurement runs a fresh process and keeps the fastest of a few runs, in wall and in CPU time
(user + system, which a busy machine disturbs less); the peak memory is the largest seen. The
compile "after an edit" changes the spec before each run, as the daily workflow does: the whole
pipeline runs, with what the same compiler kept before (the spec's JSON Schema). "First" compiles
remove everything kept, as in a fresh clone; "unchanged" runs keep it, as an editor hook or a
pre-commit run on an unchanged tree does. The compiler's bytecode is compiled first, as an install
does, in case the environment forbids writing it (PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import compileall
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
    """Best wall and CPU time of a few runs and the peak resident memory of the process."""

    seconds: float
    cpu_seconds: float
    peak_mib: float


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name) or name


def measure(
    argv: list[str],
    cwd: Path,
    repeat: int = 3,
    before: Callable[[], None] | None = None,
    expected: tuple[int, ...] = (0,),
) -> Sample:
    """Run argv repeat times as a fresh process; keep the fastest wall time and the largest peak RSS.

    Any exit code outside expected (`nifty diff` exits 1 when something changes) stops the bench.
    """
    times: list[float] = []
    cpu: list[float] = []
    peak = 0
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        cpu.append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status) not in expected:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"{' '.join(argv)} failed:\n{stderr}")
        peak = max(peak, usage.ru_maxrss)
    return Sample(min(times), min(cpu), peak / 1024)


def _forget(project: Path) -> Callable[[], None]:
    """A step that removes the record of the last compile, so that the next one runs in full."""
    return lambda: shutil.rmtree(project / CACHE_DIR, ignore_errors=True)


def _edit(project: Path) -> Callable[[], None]:
    """A step that changes the spec (a new comment each time), so that the next compile runs in full."""
    spec = project / "spec" / "system.yaml"
    text = spec.read_text(encoding="utf-8")
    edits = iter(range(1_000_000))

    def edit() -> None:
        spec.write_text(f"{text}# edit {next(edits)}\n", encoding="utf-8")

    return edit


def _git_project(project: Path) -> Callable[[], None]:
    """Make project a git repository holding its compiled out/; return the edit `nifty diff` explains.

    The edit is the README's example: api's autoscaling maximum from 5 to 6, which changes the
    base, prod's build, a generated alert and out/README.md.
    """
    spec = project / "spec" / "system.yaml"
    original = spec.read_text(encoding="utf-8")
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "compiled"]):
        subprocess.run(["git", *identity, *args], cwd=project, check=True, capture_output=True)
    edited = original.replace(
        "autoscaling: {min: 2, max: 5, cpu: 70}", "autoscaling: {min: 2, max: 6, cpu: 70}"
    )
    if edited == original:
        raise SystemExit("bench: the shipped spec no longer holds api's autoscaling line; update the edit")

    def edit() -> None:
        spec.write_text(edited, encoding="utf-8")

    return edit


def _row(name: str, sample: Sample, note: str) -> str:
    return f"| {name} | {sample.seconds:.3f} | {sample.cpu_seconds:.3f} | {sample.peak_mib:.0f} | {note} |"


def _ratio(sample: Sample, reference: Sample) -> str:
    """Wall and CPU ratios of sample to reference."""
    return (
        f"{sample.seconds / reference.seconds:.2f} x kustomize "
        f"(CPU {sample.cpu_seconds / reference.cpu_seconds:.2f} x)"
    )


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


def _synthetic(nifty: str, kubectl: str, scratch: Path, first: Sample) -> list[str]:
    """The rows of the synthetic specs: cold compiles of 100 to 4,000 components, a render of 1,000."""
    rows: list[str] = []
    sizes: dict[int, Sample] = {}
    for count in (100, 1000, 4000):
        project = _synth_project(scratch, count)
        measure([nifty, "compile"], project, repeat=1)
        sizes[count] = measure(
            [nifty, "compile"], project, repeat=1 if count >= 4000 else 3, before=_forget(project)
        )
        note = f"{sizes[count].seconds / first.seconds:.2f} x shipped first compile"
        if count == 1000:
            note += " (target 8)"
        if count == 4000:
            growth = sizes[4000].seconds / sizes[1000].seconds
            note += f"; {growth:.2f} x the 1,000 run (target 4.6); peak target 400 MiB"
        rows.append(_row(f"nifty compile, cold ({count:,} components)", sizes[count], note))
    project = scratch / "synth-1000"
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
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table; `--shipped` measures the shipped spec only (a minute, not ten)."""
    shipped_only = "--shipped" in (sys.argv[1:] if argv is None else argv)
    nifty, kubectl = _tool("nifty"), _tool("kubectl")
    compileall.compile_dir(ROOT / "compiler", quiet=1)
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        shipped = _copy_shipped(Path(scratch))
        measure([nifty, "compile"], shipped, repeat=1)
        kustomize = measure([kubectl, "kustomize", "out/overlays/prod"], shipped, repeat=7)
        first = measure([nifty, "compile"], shipped, repeat=7, before=_forget(shipped))
        measure([nifty, "compile"], shipped, repeat=1)
        cold = measure([nifty, "compile"], shipped, repeat=7, before=_edit(shipped))
        measure([nifty, "compile"], shipped, repeat=1)
        warm = measure([nifty, "compile"], shipped, repeat=7)
        check = measure([nifty, "compile", "--check"], shipped, repeat=7)
        edit_for_diff = _git_project(shipped)
        edit_for_diff()
        diff = measure([nifty, "diff"], shipped, repeat=7, expected=(1,))
        rows += [
            _row("kubectl kustomize out/overlays/prod (shipped spec)", kustomize, "reference"),
            _row(
                "nifty compile after an edit of the spec (shipped)",
                cold,
                f"{_ratio(cold, kustomize)} (target 1.5)",
            ),
            _row("nifty compile, first (nothing kept)", first, _ratio(first, kustomize)),
            _row("nifty compile, unchanged (shipped)", warm, _ratio(warm, kustomize)),
            _row("nifty compile --check, unchanged", check, f"{_ratio(check, kustomize)} (target 1.0)"),
            _row(
                "nifty diff after an edit of the spec (shipped)",
                diff,
                f"{_ratio(diff, kustomize)} (target 1.5)",
            ),
        ]
        if not shipped_only:
            rows += _synthetic(nifty, kubectl, Path(scratch), first)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"
    print(f"Machine: {machine}, Python {platform.python_version()}")
    print()
    print("| measurement | wall s | CPU s | peak MiB | ratio |")
    print("| --- | ---: | ---: | ---: | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--gate"]:
        from bench.gate import main as gate

        sys.exit(gate())
    sys.exit(main())
