"""The bodies of the commands that must start fast, free of any command-line parser.

typer's CLI (compiler.cli) and the console entry point's fast path (compiler.entry) both run
them: a plain `nifty compile` after an edit of the spec then pays for neither typer nor its help.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from compiler.diagnostics import SpecError, format_diagnostics

if TYPE_CHECKING:
    from compiler.output.write import Written
    from compiler.render.types import Manifest
    from compiler.review.report import Report

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141
# A compile warns this many days before the market calendar's last listed day, and names it.
CALENDAR_WARNING_DAYS = 60
TODAY_VARIABLE = "NIFTY_TODAY"
REPORT = (
    "nifty hit an internal error; please report it with the spec that caused it"
    " (run again with --debug for the traceback)"
)

T = TypeVar("T")


class Exit(Exception):  # noqa: N818 - named like typer.Exit, which it stands for
    """Stop the command with an exit code; its messages are already printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def version() -> str:
    """`nifty 0.1.0`: the installed package's version, read from its metadata."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return f"nifty {installed('nifty')}"
    except PackageNotFoundError:
        return "nifty (version unknown: not installed)"


def reported(action: Callable[[], T], fmt: str, debug: bool) -> T:
    """Run action; print diagnostics and exit 1 on a SpecError, exit 3 on anything unexpected."""
    try:
        return action()
    except SpecError as error:
        # Text is for people (stderr); JSON and annotations are for tools, which read stdout.
        stream = sys.stderr if fmt == "text" else sys.stdout
        stream.write(format_diagnostics(error.diagnostics, fmt))
        raise Exit(EXIT_FAILED) from None
    except (Exit, KeyboardInterrupt):
        raise
    except Exception:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"error: {REPORT}\n")
        raise Exit(EXIT_INTERNAL) from None


def guarded(command: Callable[[], int | None]) -> int:
    """Run a whole command and return its exit code; Ctrl-C and a reader that went away end it quietly."""
    try:
        return command() or EXIT_OK
    except Exit as stop:
        return stop.code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`nifty render prod | head`): not an error of ours, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def today() -> date:
    """Today's date, or the one NIFTY_TODAY names (YYYY-MM-DD), to see what a compile on that day says."""
    chosen = os.environ.get(TODAY_VARIABLE)
    return date.fromisoformat(chosen) if chosen else date.today()


def warn_calendar_end(last_day: str | None) -> None:
    """Warn on stderr when the market calendar's last listed day is CALENDAR_WARNING_DAYS away or less."""
    if last_day is None:
        return
    left = (date.fromisoformat(last_day) - today()).days
    if left > CALENDAR_WARNING_DAYS:
        return
    when = f"in {left} days" if left > 0 else ("today" if left == 0 else f"{-left} days ago")
    sys.stderr.write(
        f"warning: the market calendar lists days until {last_day} ({when}): add the next year's "
        "holidays to the spec's market.years and market.holidays; after that day every trading "
        "weekday counts as a trading day\n"
    )


def compile_command(
    spec: Path, out: Path, monitoring: Path, *, check: bool, diff: bool, fmt: str, debug: bool
) -> int:
    """`nifty compile`: write out/, or with check/diff compare it; the exit code."""
    try:
        return _compile(spec, out, monitoring, check=check, diff=diff, fmt=fmt, debug=debug)
    except Exit as stop:
        return stop.code


def _compile(
    spec: Path, out: Path, monitoring: Path, *, check: bool, diff: bool, fmt: str, debug: bool
) -> int:
    """The compile command's steps; a reported problem raises Exit."""
    from compiler.output import stamp
    from compiler.paths import display_path, source_name

    shown = display_path(out)
    source = source_name(spec)
    code = stamp.code_fingerprint()
    fingerprint = stamp.fingerprint_or_none(spec, monitoring, source, code, stamp.recorded_included(out))
    if not diff and fingerprint and stamp.is_current(out, fingerprint):
        # Nothing changed since the recorded compile: answer without loading the compiler.
        warn_calendar_end(stamp.recorded_calendar_end(out))
        sys.stderr.write(f"{shown}/ is up to date\n")
        _nothing_to_report(fmt)
        return EXIT_OK

    from compiler.output.write import changed_files, read_tree, unified_diff, write_tree
    from compiler.pipeline import compile_with_sources
    from compiler.spec.schema import SCHEMA_FILE

    schema = stamp.cached_schema(out, code)
    tree, included, last_day = reported(lambda: compile_with_sources(spec, monitoring, schema), fmt, debug)
    calendar_end = last_day.isoformat() if last_day else None
    warn_calendar_end(calendar_end)
    # Fingerprint what this compile read, included files and all.
    fingerprint = stamp.fingerprint_or_none(spec, monitoring, source, code, included)

    def remember() -> None:
        """Record the compile of these inputs, and keep the schema for the next one by this compiler."""
        if fingerprint:
            stamp.record(out, fingerprint, tree, included, calendar_end)
        if schema is None:
            stamp.keep_schema(out, code, tree[SCHEMA_FILE])

    if check or diff:
        current = reported(lambda: read_tree(out), fmt, debug)
        stale = changed_files(current, tree)
        if diff:
            sys.stdout.write(unified_diff(current, tree, shown))
        if check:
            _report_stale(stale, current, tree, shown, fmt, tools=not diff)
        if not stale:
            remember()
        return EXIT_FAILED if check and stale else EXIT_OK
    done = reported(lambda: write_tree(out, tree, keep=(spec, monitoring, Path.cwd())), fmt, debug)
    remember()
    for path in done.removed:
        sys.stderr.write(f"removed: {shown}/{path} (the spec does not produce it)\n")
    sys.stderr.write(f"compiled {display_path(spec)} into {shown}/: {_written(done)}\n")
    _nothing_to_report(fmt)
    return EXIT_OK


def _written(done: Written) -> str:
    """`3 files written, 54 unchanged, 1 removed`, or `nothing changed (57 files)`."""
    if not done.written and not done.removed:
        return f"nothing changed ({_files(len(done.unchanged))})"
    parts = [f"{_files(len(done.written))} written", f"{len(done.unchanged)} unchanged"]
    if done.removed:
        parts.append(f"{len(done.removed)} removed")
    return ", ".join(parts)


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


STALE_VERBS = {(True, False): "remove", (False, True): "add", (True, True): "change"}


def _report_stale(
    stale: list[str], current: dict[str, str], tree: dict[str, str], shown: str, fmt: str, *, tools: bool
) -> None:
    """Name each stale file with what a compile would do to it: text on stderr, or data for tools."""
    from compiler.diagnostics import Diagnostic

    verbs = {path: STALE_VERBS[(path in current, path in tree)] for path in stale}
    if fmt == "text":
        for path in stale:
            sys.stderr.write(f"would {verbs[path]}: {shown}/{path}\n")
    elif tools:
        problems = [
            Diagnostic(
                f"{shown}/{path}", 0, 0, f"stale: `nifty compile` would {verbs[path]} this file", code="N009"
            )
            for path in stale
        ]
        sys.stdout.write(format_diagnostics(problems, fmt))
    sys.stderr.write(f"{shown}/ is {'stale: run `nifty compile`' if stale else 'up to date'}\n")


def _nothing_to_report(fmt: str) -> None:
    """Tools that asked for JSON get valid JSON, the empty list, when nothing is wrong."""
    if fmt == "json":
        sys.stdout.write(format_diagnostics([], fmt))


def diff_command(
    spec: Path, out: Path, monitoring: Path, *, against: str, fmt: str, debug: bool, stat: bool = False
) -> int:
    """`nifty diff`: 0 nothing changes, 1 something changes, 2 an error (as `kubectl diff`)."""
    try:
        return _diff(spec, out, monitoring, against=against, fmt=fmt, debug=debug, stat=stat)
    except Exit as stop:
        return stop.code


def _diff(spec: Path, out: Path, monitoring: Path, *, against: str, fmt: str, debug: bool, stat: bool) -> int:
    import threading

    from compiler.kustomize.build import TreeBuildError
    from compiler.output import stamp
    from compiler.paths import display_path
    from compiler.pipeline import compile_spec, spec_changes
    from compiler.review.objdiff import diff_trees
    from compiler.review.report import (
        explain,
        report_json,
        report_markdown,
        report_stat,
        report_text,
        summary,
    )
    from compiler.review.revision import RevisionError, read_revision
    from compiler.spec.include import read_system

    # The schema follows from the compiler alone: reuse the one the last compile kept.
    schema = stamp.cached_schema(out, stamp.code_fingerprint())
    shown = display_path(out)

    # git reads the committed tree in processes of its own while the compile runs.
    fetched: dict[str, Any] = {}

    def fetch() -> None:
        try:
            fetched["tree"] = read_revision(out, against)
        except Exception as error:
            fetched["error"] = error

    reader = threading.Thread(target=fetch, name="nifty-git", daemon=True)
    reader.start()

    def report() -> Report:
        builds: dict[str, list[Manifest]] = {}
        # The spec is read once: the compile and the spec's own changes both need it.
        document = read_system(spec, display_path(spec))
        tree = compile_spec(spec, monitoring, schema, builds, document)
        reader.join()
        try:
            if "error" in fetched:
                raise fetched["error"]
            committed: dict[str, str] = fetched["tree"]
            changes = spec_changes(spec, against, document)
            return explain(diff_trees(committed, tree, builds), against, display_path(spec), changes)
        except (RevisionError, TreeBuildError) as error:
            sys.stderr.write(f"error: {error}\n")
            raise Exit(EXIT_USAGE) from None

    try:
        found = reported(report, "text", debug)
    except Exit as stop:
        # 1 means "something changes": a spec that does not compile is an error.
        return EXIT_USAGE if stop.code == EXIT_FAILED else stop.code
    writers = {"markdown": report_markdown, "json": report_json, "stat": report_stat}
    if stat and fmt == "text":
        fmt = "stat"
    sys.stdout.write(writers.get(fmt, report_text)(found, shown))
    sys.stderr.write(summary(found) + "\n")
    return EXIT_OK if found.empty else EXIT_FAILED
