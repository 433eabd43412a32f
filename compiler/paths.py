"""How paths are shown to people and named in generated files; no heavy imports, the CLI starts here."""

from __future__ import annotations

from pathlib import Path

DEFAULT_SPEC = Path("spec/system.yaml")
DEFAULT_OUT = Path("out")
DEFAULT_MONITORING = Path("monitoring")


def display_path(path: Path) -> str:
    """path relative to the working directory when it lies below it, for messages and headers."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, RuntimeError, OSError):
        # Outside the working directory, or a symlink loop that read_spec reports.
        return path.as_posix()


def source_name(path: Path) -> str:
    """How generated files name their spec: relative to the working directory, never absolute."""
    shown = display_path(path)
    return path.name if Path(shown).is_absolute() else shown
