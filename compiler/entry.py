"""The console entry point: run a plain `compile` without typer, everything else through the typer CLI."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from compiler.paths import DEFAULT_MONITORING, DEFAULT_OUT, DEFAULT_SPEC, enter_project


@dataclass(frozen=True)
class PlainCompile:
    """`nifty compile [--check] [--spec S] [--out O] [--monitoring M]`: the form editors and hooks run."""

    spec: Path
    out: Path
    monitoring: Path
    check: bool


def plain_compile(argv: list[str]) -> PlainCompile | None:
    """The plain compile argv asks for, or None for any other command or flag (typer then parses it)."""
    if argv[:1] != ["compile"]:
        return None
    paths = {"--spec": DEFAULT_SPEC, "--out": DEFAULT_OUT, "--monitoring": DEFAULT_MONITORING}
    words = [w for w in argv[1:] if w != "--check"]
    while words:
        flag, _, value = words.pop(0).partition("=")
        if flag not in paths or (not value and not words):
            return None
        paths[flag] = Path(value or words.pop(0))
    return PlainCompile(paths["--spec"], paths["--out"], paths["--monitoring"], "--check" in argv[1:])


@dataclass(frozen=True)
class PlainDiff:
    """`nifty diff [--against REV] [--format F] [--stat] [--spec S] [--out O] [--monitoring M]`."""

    spec: Path
    out: Path
    monitoring: Path
    against: str
    fmt: str
    stat: bool = False


DIFF_FORMATS = ("text", "markdown", "json")


def plain_diff(argv: list[str]) -> PlainDiff | None:
    """The plain diff argv asks for, or None for anything else (typer then parses it, and words errors)."""
    if argv[:1] != ["diff"]:
        return None
    values = {"--against": "HEAD", "--format": "text", "--spec": str(DEFAULT_SPEC)}
    values |= {"--out": str(DEFAULT_OUT), "--monitoring": str(DEFAULT_MONITORING)}
    words = [word for word in argv[1:] if word != "--stat"]
    while words:
        flag, _, value = words.pop(0).partition("=")
        if flag not in values or (not value and not words):
            return None
        values[flag] = value or words.pop(0)
    against = values["--against"]
    if values["--format"] not in DIFF_FORMATS or not against or against.startswith("-"):
        return None
    return PlainDiff(
        Path(values["--spec"]),
        Path(values["--out"]),
        Path(values["--monitoring"]),
        against,
        values["--format"],
        "--stat" in argv[1:],
    )


def main() -> None:
    """`nifty`: a plain compile or diff runs directly; importing typer costs a third of a cold compile."""
    if sys.argv[1:] == ["--version"]:
        from compiler.run import version

        sys.stdout.write(version() + "\n")
        return
    # As git does, nifty finds its project from a folder below it.
    enter_project(sys.argv[1:])
    plain = plain_compile(sys.argv[1:])
    diff = plain_diff(sys.argv[1:]) if plain is None else None
    if plain is None and diff is None:
        from compiler.cli import main as run_cli

        run_cli()
        return
    from compiler.run import compile_command, diff_command, guarded

    def command() -> int:
        if diff is not None:
            return diff_command(
                diff.spec,
                diff.out,
                diff.monitoring,
                against=diff.against,
                fmt=diff.fmt,
                debug=False,
                stat=diff.stat,
            )
        assert plain is not None
        return compile_command(
            plain.spec, plain.out, plain.monitoring, check=plain.check, diff=False, fmt="text", debug=False
        )

    sys.exit(guarded(command))
