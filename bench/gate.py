"""`python -m bench.gate` (or `nox -s bench -- --gate`): time the test command against its targets.

The gate is the README's one test command, as CI runs it: on a fresh clone of the committed HEAD (it
makes the venv, installs the dev extra, and nox installs what scan needs), then again on the same
clone (a rerun: every environment kept), then `nox -t spec` alone on it, warm (the checks of the
user's system, what a change of the spec needs). Each is one run of whole processes, timed on the
wall clock and in CPU time (user + system of every process it waited for, which other work on the
machine disturbs less; on 2 idle cores the wall time lies between half of it and all of it), with
the duration nox reports for each session of the rerun and the load average before each run. It
takes some 15 minutes on an idle machine and prints a Markdown table.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Targets on a 2-core machine, in seconds.
TARGETS = {"fresh": 7 * 60, "rerun": 4 * 60, "spec": 2 * 60}
SESSION = re.compile(r"^nox > \* (\S+): (\w+)(?:, took (.+))?$", re.MULTILINE)


@dataclass(frozen=True)
class Timed:
    """A command's wall time and the per-session lines of nox's summary."""

    seconds: float
    cpu_seconds: float
    load: float
    sessions: list[tuple[str, str, str]]


def test_command() -> str:
    """The one command of the README's block that runs the tests."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("\nRun the tests", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    (command,) = block.splitlines()
    return command


def timed(command: str, cwd: Path) -> Timed:
    """Run command with bash in cwd; its wall time; raise with its output if it fails."""
    load = os.getloadavg()[0]
    log = cwd.parent / "gate.log"
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(["bash", "-c", command], cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    text = log.read_text(encoding="utf-8")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed in {cwd}:\n{text[-8000:]}")
    return Timed(seconds, usage.ru_utime + usage.ru_stime, load, SESSION.findall(text))


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def _row(name: str, sample: Timed, target: int) -> str:
    verdict = "within" if sample.seconds <= target else "over"
    return (
        f"| {name} | {_minutes(sample.seconds)} | {_minutes(sample.cpu_seconds)} | {sample.load:.1f} "
        f"| {_minutes(target)} | {verdict} |"
    )


def main() -> int:
    """Clone, run the gate three times, print the table."""
    command = test_command()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as scratch:
        clone = Path(scratch) / "clone"
        subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "checkout", "-q", head], cwd=clone, check=True)
        fresh = timed(command, clone)
        rerun = timed(command, clone)
        spec = timed(".venv/bin/nox -t spec", clone)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"
    print(f"Machine: {machine}, Python {platform.python_version()}, commit {head[:12]}")
    print()
    print("| gate | wall | CPU | load before | target (wall) | |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    print(_row("test command, fresh clone", fresh, TARGETS["fresh"]))
    print(_row("test command, rerun", rerun, TARGETS["rerun"]))
    print(_row("nox -t spec, warm", spec, TARGETS["spec"]))
    print()
    print("| session (rerun) | result | took |")
    print("| --- | --- | ---: |")
    for name, result, took in rerun.sessions:
        print(f"| {name} | {result} | {took or 'under a second'} |")
    over = [s for s, t in ((fresh, "fresh"), (rerun, "rerun"), (spec, "spec")) if s.seconds > TARGETS[t]]
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
