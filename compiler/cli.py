"""The `nifty` command line: parse flags, run the pipeline, map results to exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from compiler.paths import DEFAULT_MONITORING, DEFAULT_OUT, DEFAULT_SPEC
from compiler.run import EXIT_OK, EXIT_USAGE, Exit, guarded, reported


def epilog(codes: list[str], examples: list[str]) -> str:
    """The end of a command's help: its exit codes and examples, kept as written (click's \\b)."""
    lines = ["\b", "Exit codes:", *(f"  {code}" for code in codes), *COMMON_CODES, ""]
    lines += ["\b", "Examples:", *(f"  {example}" for example in examples)]
    return "\n".join(lines)


COMMON_CODES = ["  3 an internal error (--debug shows the traceback), 130 interrupted"]

app = typer.Typer(
    name="nifty",
    help="Compile spec/system.yaml into the Kustomize tree of the Nifty 50 Trading System.",
    epilog=epilog(
        ["0 ok, 2 a usage error (an unknown command or option); each command's help lists its own"],
        ["nifty compile", "nifty diff --against origin/main", "nifty compile -h"],
    ),
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
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
    json = "json"


def _one_of(kind: type[StrEnum]) -> Callable[[str], str]:
    """A check of a choice whose refusal names the choices, without a parser's prefix."""
    values = [member.value for member in kind]

    def check(value: str) -> str:
        if value not in values:
            raise typer.BadParameter(f"'{value}' is not one of: {', '.join(values)}")
        return value

    return check


def _values(kind: type[StrEnum]) -> Callable[[], list[str]]:
    """What the shell completes after --format."""
    return lambda: [member.value for member in kind]


def _metavar(kind: type[StrEnum]) -> str:
    return f"<{'|'.join(member.value for member in kind)}>"


SpecOption = Annotated[Path, typer.Option("--spec", help="The spec file.")]
OutOption = Annotated[Path, typer.Option("--out", help="The output tree.")]
MonitoringOption = Annotated[Path, typer.Option("--monitoring", help="Hand-authored dashboards and alerts.")]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="Diagnostics as text (stderr), json or github annotations (stdout).",
        callback=_one_of(Format),
        autocompletion=_values(Format),
        metavar=_metavar(Format),
    ),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show the traceback of internal errors.")]

T = TypeVar("T")


def _print_version(value: bool) -> None:
    if value:
        from compiler.run import version

        sys.stdout.write(version() + "\n")
        raise typer.Exit(EXIT_OK)


@app.callback(invoke_without_command=True)
def options(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Compile spec/system.yaml into the Kustomize tree of the Nifty 50 Trading System."""
    if ctx.invoked_subcommand is None:
        # A bare `nifty` asks what nifty does: the help, which is an answer, not a usage error.
        sys.stdout.write(ctx.get_help() + "\n")
        raise typer.Exit(EXIT_OK)


def _run(action: Callable[[], T], fmt: str, debug: bool) -> T:
    """Run action under compiler.run's reporting; its exit becomes typer's."""
    try:
        return reported(action, fmt, debug)
    except Exit as stop:
        raise typer.Exit(stop.code) from None


@app.command(
    "compile",
    short_help="Compile the spec into out/.",
    epilog=epilog(
        [
            "0 ok, 1 invalid spec or out/ not writable",
            "--check: 0 current, 1 stale",
            "--diff: 0",
        ],
        ["nifty compile", "nifty compile --check --format github", "nifty compile --diff | less"],
    ),
)
def compile_command(
    spec: SpecOption = DEFAULT_SPEC,
    out: OutOption = DEFAULT_OUT,
    monitoring: MonitoringOption = DEFAULT_MONITORING,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if out/ is stale.")] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Write nothing; print a unified diff of out/.")
    ] = False,
    fmt: FormatOption = Format.text.value,
    debug: DebugOption = False,
) -> None:
    """Compile the spec into out/ (base and one overlay per environment)."""
    from compiler.run import compile_command as run_compile

    code = run_compile(spec, out, monitoring, check=check, diff=diff, fmt=fmt, debug=debug)
    if code != EXIT_OK:
        raise typer.Exit(code)


@app.command(
    "validate",
    short_help="Validate the spec; write nothing.",
    epilog=epilog(
        ["0 valid, 1 invalid"],
        ["nifty validate", "nifty validate --spec examples/options/spec/system.yaml --format json"],
    ),
)
def validate_command(
    spec: SpecOption = DEFAULT_SPEC,
    monitoring: MonitoringOption = DEFAULT_MONITORING,
    fmt: FormatOption = Format.text.value,
    debug: DebugOption = False,
) -> None:
    """Validate the spec and write nothing."""
    from compiler.diagnostics import format_diagnostics
    from compiler.paths import display_path
    from compiler.pipeline import load_plan

    _run(lambda: load_plan(spec, monitoring), fmt, debug)
    sys.stderr.write(f"{display_path(spec)} is valid\n")
    if fmt == Format.json:
        sys.stdout.write(format_diagnostics([], fmt))


@app.command(
    "render",
    short_help="Print one environment fully rendered.",
    epilog=epilog(
        ["0 ok, 1 invalid spec, 2 unknown environment"],
        ["nifty render prod", "nifty render dev | kubectl apply --dry-run=client -f -"],
    ),
)
def render_command(
    env: Annotated[str, typer.Argument(help="An environment of the spec, or 'base'.")],
    spec: SpecOption = DEFAULT_SPEC,
    monitoring: MonitoringOption = DEFAULT_MONITORING,
    fmt: FormatOption = Format.text.value,
    debug: DebugOption = False,
) -> None:
    """Print one environment fully rendered, as `kubectl kustomize out/overlays/ENV` would."""
    from compiler.kustomize.environment import build_environment
    from compiler.pipeline import load_plan
    from compiler.syntax.emit import dump_all, sorted_keys

    plan = _run(lambda: load_plan(spec, monitoring), fmt, debug)
    envs = {e.name: e for e in (plan.base, *plan.environments)}
    if env not in envs:
        sys.stderr.write(f"error: unknown environment '{env}'; expected one of: {', '.join(sorted(envs))}\n")
        raise typer.Exit(EXIT_USAGE)
    # kubectl prints each object's keys sorted, at every level: the same text, not only the same objects.
    sys.stdout.write(_run(lambda: dump_all(map(sorted_keys, build_environment(envs[env]))), fmt, debug))


@app.command(
    "diff",
    short_help="What changes against a git revision.",
    epilog=epilog(
        ["0 same, 1 changes, 2 invalid spec, unknown revision or a tree it cannot build"],
        [
            "nifty diff",
            "nifty diff --stat",
            "nifty diff --against origin/main --format markdown > nifty-diff.md || test $? -eq 1",
            "nifty diff --format json | jq .objects",
        ],
    ),
)
def diff_command(
    against: Annotated[
        str, typer.Option("--against", help="The git revision whose committed out/ is compared.")
    ] = "HEAD",
    spec: SpecOption = DEFAULT_SPEC,
    out: OutOption = DEFAULT_OUT,
    monitoring: MonitoringOption = DEFAULT_MONITORING,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="The report as text, markdown or json (diagnostics stay text, on stderr).",
            callback=_one_of(DiffFormat),
            autocompletion=_values(DiffFormat),
            metavar=_metavar(DiffFormat),
        ),
    ] = DiffFormat.text.value,
    stat: Annotated[
        bool, typer.Option("--stat", help="In brief: one line per changed object, without values (text).")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Compare the compiled spec with out/ at a git revision, object by object; write nothing."""
    from compiler.run import diff_command as run_diff

    code = run_diff(spec, out, monitoring, against=against, fmt=fmt, debug=debug, stat=stat)
    if code != EXIT_OK:
        raise typer.Exit(code)


@app.command(
    "schema",
    short_help="Print the spec's JSON Schema.",
    epilog=epilog(["0"], ["nifty schema > schema.json"]),
)
def schema_command(fmt: FormatOption = Format.text.value, debug: DebugOption = False) -> None:
    """Print the JSON Schema of the spec (committed as out/schema.json) for editors.

    The schema has no diagnostics of its own; --format and --debug apply to an internal error.
    """
    from compiler.spec.schema import schema_text

    sys.stdout.write(_run(schema_text, fmt, debug))


def main() -> None:
    """Console entry point."""
    code = guarded(app)
    if code != EXIT_OK:
        sys.exit(code)
