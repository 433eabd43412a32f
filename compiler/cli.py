"""The `nifty` command line: parse flags, run the pipeline, map results to exit codes."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from compiler.diagnostics import SpecError, format_diagnostics
from compiler.paths import DEFAULT_MONITORING, DEFAULT_OUT, DEFAULT_SPEC

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
REPORT = (
    "nifty hit an internal error; please report it with the spec that caused it"
    " (run again with --debug for the traceback)"
)

app = typer.Typer(
    name="nifty",
    help="Compile spec/system.yaml into the Kustomize tree of the Nifty 50 Trading System.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    """How diagnostics are printed."""

    text = "text"
    json = "json"
    github = "github"


class DiffFormat(StrEnum):
    """How `nifty diff` prints its report."""

    text = "text"
    markdown = "markdown"


SpecOption = Annotated[Path, typer.Option("--spec", help="The spec file.")]
OutOption = Annotated[Path, typer.Option("--out", help="The output tree.")]
MonitoringOption = Annotated[Path, typer.Option("--monitoring", help="Hand-authored dashboards and alerts.")]
FormatOption = Annotated[
    Format, typer.Option("--format", help="Diagnostics as text, json or github annotations.")
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show the traceback of internal errors.")]

T = TypeVar("T")


def _run(action: Callable[[], T], fmt: Format, debug: bool) -> T:
    """Run action; print diagnostics and exit 1 on a SpecError, exit 3 on anything unexpected."""
    try:
        return action()
    except SpecError as error:
        # Text is for people (stderr); JSON and annotations are for tools, which read stdout.
        stream = sys.stderr if fmt is Format.text else sys.stdout
        stream.write(format_diagnostics(error.diagnostics, fmt.value))
        raise typer.Exit(EXIT_FAILED) from None
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"error: {REPORT}\n")
        raise typer.Exit(EXIT_INTERNAL) from None


@app.command("compile")
def compile_command(
    spec: SpecOption = DEFAULT_SPEC,
    out: OutOption = DEFAULT_OUT,
    monitoring: MonitoringOption = DEFAULT_MONITORING,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if out/ is stale.")] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Write nothing; print a unified diff of out/.")
    ] = False,
    fmt: FormatOption = Format.text,
    debug: DebugOption = False,
) -> None:
    """Compile the spec into out/ (base and one overlay per environment)."""
    from compiler.output import stamp
    from compiler.paths import display_path, source_name

    shown = display_path(out)
    fingerprint = stamp.fingerprint_or_none(spec, monitoring, source_name(spec))
    if not diff and fingerprint and stamp.is_current(out, fingerprint):
        # Nothing changed since the recorded compile: answer without loading the compiler.
        sys.stderr.write(f"{shown}/ is up to date\n")
        raise typer.Exit(EXIT_OK)

    from compiler.output.write import changed_files, read_tree, unified_diff, write_tree
    from compiler.pipeline import compile_spec

    tree = _run(lambda: compile_spec(spec, monitoring), fmt, debug)
    if check or diff:
        current = _run(lambda: read_tree(out), fmt, debug)
        stale = changed_files(current, tree)
        if diff:
            sys.stdout.write(unified_diff(current, tree, shown))
        if check:
            for path in stale:
                sys.stderr.write(f"would change: {shown}/{path}\n")
            sys.stderr.write(f"{shown}/ is {'stale: run `nifty compile`' if stale else 'up to date'}\n")
        if not stale and fingerprint:
            stamp.record(out, fingerprint, tree)
        raise typer.Exit(EXIT_FAILED if check and stale else EXIT_OK)
    _run(lambda: write_tree(out, tree, keep=(spec, monitoring, Path.cwd())), fmt, debug)
    if fingerprint:
        stamp.record(out, fingerprint, tree)
    sys.stderr.write(f"compiled {display_path(spec)} into {shown}/ ({len(tree)} files)\n")


@app.command("validate")
def validate_command(
    spec: SpecOption = DEFAULT_SPEC,
    monitoring: MonitoringOption = DEFAULT_MONITORING,
    fmt: FormatOption = Format.text,
    debug: DebugOption = False,
) -> None:
    """Validate the spec and write nothing."""
    from compiler.paths import display_path
    from compiler.pipeline import load_plan

    _run(lambda: load_plan(spec, monitoring), fmt, debug)
    sys.stderr.write(f"{display_path(spec)} is valid\n")


@app.command("render")
def render_command(
    env: Annotated[str, typer.Argument(help="An environment of the spec, or 'base'.")],
    spec: SpecOption = DEFAULT_SPEC,
    monitoring: MonitoringOption = DEFAULT_MONITORING,
    fmt: FormatOption = Format.text,
    debug: DebugOption = False,
) -> None:
    """Print one environment fully rendered, as `kubectl kustomize out/overlays/ENV` would."""
    from compiler.kustomize.environment import build_environment
    from compiler.pipeline import load_plan
    from compiler.syntax.emit import dump_all

    plan = _run(lambda: load_plan(spec, monitoring), fmt, debug)
    envs = {e.name: e for e in (plan.base, *plan.environments)}
    if env not in envs:
        sys.stderr.write(f"error: unknown environment '{env}'; expected one of: {', '.join(sorted(envs))}\n")
        raise typer.Exit(EXIT_USAGE)
    sys.stdout.write(_run(lambda: dump_all(build_environment(envs[env])), fmt, debug))


@app.command("diff")
def diff_command(
    against: Annotated[
        str, typer.Option("--against", help="The git revision whose committed out/ is compared.")
    ] = "HEAD",
    spec: SpecOption = DEFAULT_SPEC,
    out: OutOption = DEFAULT_OUT,
    monitoring: MonitoringOption = DEFAULT_MONITORING,
    fmt: Annotated[
        DiffFormat, typer.Option("--format", help="The report as text or markdown (diagnostics stay text).")
    ] = DiffFormat.text,
    debug: DebugOption = False,
) -> None:
    """Compare the compiled spec with out/ at a git revision, object by object; write nothing."""
    from compiler.kustomize.build import TreeBuildError
    from compiler.paths import display_path
    from compiler.pipeline import compile_spec
    from compiler.review.objdiff import diff_trees
    from compiler.review.report import report_markdown, report_text, summary
    from compiler.review.revision import RevisionError, read_revision

    tree = _run(lambda: compile_spec(spec, monitoring), Format.text, debug)
    shown = display_path(out)
    try:
        committed = read_revision(out, against)
        diff = diff_trees(committed, tree)
    except (RevisionError, TreeBuildError) as error:
        sys.stderr.write(f"error: {error}\n")
        raise typer.Exit(EXIT_USAGE) from None
    if fmt is DiffFormat.markdown:
        sys.stdout.write(report_markdown(diff, against, shown))
    else:
        sys.stdout.write(report_text(diff, shown))
    sys.stderr.write(summary(diff, against) + "\n")
    raise typer.Exit(EXIT_OK if diff.empty else EXIT_FAILED)


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the spec (committed as out/schema.json) for editors."""
    from compiler.spec.schema import schema_text

    sys.stdout.write(schema_text())


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`nifty render prod | head`): not an error of ours, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
