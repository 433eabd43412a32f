"""The console entry point: run a plain `compile` without typer, everything else through the typer CLI."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from compiler.paths import DEFAULT_MONITORING, DEFAULT_OUT, DEFAULT_SPEC


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


def main() -> None:
    """`nifty`: a plain compile runs directly, since importing typer costs a third of a cold compile."""
    if sys.argv[1:] == ["--version"]:
        from compiler.run import version

        sys.stdout.write(version() + "\n")
        return
    plain = plain_compile(sys.argv[1:])
    if plain is None:
        from compiler.cli import main as run_cli

        run_cli()
        return
    from compiler.run import compile_command, guarded

    def command() -> int:
        return compile_command(
            plain.spec, plain.out, plain.monitoring, check=plain.check, diff=False, fmt="text", debug=False
        )

    sys.exit(guarded(command))
