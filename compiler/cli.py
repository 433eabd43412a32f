"""The `nifty` command line: parse flags, run the pipeline, map results to exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from compiler.paths import DEFAULT_MONITORING, DEFAULT_OUT, DEFAULT_SPEC
from compiler.run import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Exit, guarded, reported

app = typer.Typer(
    name="nifty",
    help="Compile spec/system.yaml into the Kustomize tree of the Nifty 50 Trading System.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # click's plain help shows a flag as a flag; the rich one would show `--check <bool>`.
    rich_markup_mode=None,
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


def _print_version(value: bool) -> None:
    if value:
        from compiler.run import version

        sys.stdout.write(version() + "\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def options(
    show_version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Compile spec/system.yaml into the Kustomize tree of the Nifty 50 Trading System."""


def _run(action: Callable[[], T], fmt: Format, debug: bool) -> T:
    """Run action under compiler.run's reporting; its exit becomes typer's."""
    try:
        return reported(action, fmt.value, debug)
    except Exit as stop:
        raise typer.Exit(stop.code) from None


@app.command("compile", short_help="Compile the spec into out/.")
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
    from compiler.run import compile_command as run_compile

    code = run_compile(spec, out, monitoring, check=check, diff=diff, fmt=fmt.value, debug=debug)
    if code != EXIT_OK:
        raise typer.Exit(code)


@app.command("validate", short_help="Validate the spec; write nothing.")
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


@app.command("render", short_help="Print one environment fully rendered.")
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


@app.command("diff", short_help="What changes against a git revision.")
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
    from compiler.pipeline import compile_spec, spec_changes
    from compiler.review.objdiff import diff_trees
    from compiler.review.report import explain, report_markdown, report_text, summary
    from compiler.review.revision import RevisionError, read_revision

    try:
        tree = reported(lambda: compile_spec(spec, monitoring), Format.text.value, debug)
    except Exit as stop:
        # 1 means "something changes", as with kubectl diff: a spec that does not compile is an error.
        raise typer.Exit(EXIT_USAGE if stop.code == EXIT_FAILED else stop.code) from None
    shown = display_path(out)
    try:
        committed = read_revision(out, against)
        report = explain(
            diff_trees(committed, tree), against, display_path(spec), spec_changes(spec, against)
        )
    except (RevisionError, TreeBuildError) as error:
        sys.stderr.write(f"error: {error}\n")
        raise typer.Exit(EXIT_USAGE) from None
    if fmt is DiffFormat.markdown:
        sys.stdout.write(report_markdown(report, shown))
    else:
        sys.stdout.write(report_text(report, shown))
    sys.stderr.write(summary(report) + "\n")
    raise typer.Exit(EXIT_OK if report.empty else EXIT_FAILED)


@app.command("schema", short_help="Print the spec's JSON Schema.")
def schema_command() -> None:
    """Print the JSON Schema of the spec (committed as out/schema.json) for editors."""
    from compiler.spec.schema import schema_text

    sys.stdout.write(schema_text())


def main() -> None:
    """Console entry point."""
    code = guarded(app)
    if code != EXIT_OK:
        sys.exit(code)
