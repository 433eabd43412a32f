"""The console entry point: answer an unchanged tree at once, otherwise run the typer CLI."""

from __future__ import annotations

import sys
from pathlib import Path

from compiler.output import stamp
from compiler.paths import DEFAULT_MONITORING, DEFAULT_OUT, DEFAULT_SPEC, display_path, source_name


def answer_from_record(argv: list[str]) -> bool:
    """Answer `compile` or `compile --check` from the record of the last compile, before typer loads.

    Editors and pre-commit hooks run nifty on every save and commit; loading typer and Pydantic costs
    more than the answer when nothing changed. Only plain forms are answered here: any other flag, or a
    tree that is not exactly as recorded, goes through the full command.
    """
    if argv[:1] != ["compile"]:
        return False
    paths = {"--spec": DEFAULT_SPEC, "--out": DEFAULT_OUT, "--monitoring": DEFAULT_MONITORING}
    words = [w for w in argv[1:] if w != "--check"]
    while words:
        flag, _, value = words.pop(0).partition("=")
        if flag not in paths or (not value and not words):
            return False
        paths[flag] = Path(value or words.pop(0))
    fingerprint = stamp.fingerprint_or_none(
        paths["--spec"], paths["--monitoring"], source_name(paths["--spec"])
    )
    if not fingerprint or not stamp.is_current(paths["--out"], fingerprint):
        return False
    sys.stderr.write(f"{display_path(paths['--out'])}/ is up to date\n")
    return True


def main() -> None:
    """`nifty`: the record answers plain `compile` and `compile --check` when nothing changed."""
    if answer_from_record(sys.argv[1:]):
        sys.exit(0)
    from compiler.cli import main as run_cli

    run_cli()
