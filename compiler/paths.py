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


PATH_FLAGS = ("--spec", "--out", "--monitoring")


def project_root(start: Path) -> Path | None:
    """The nearest folder at or above start holding spec/system.yaml, searched up to the repository's
    top as git searches for its own; None when start holds it, or nothing above does."""
    for folder in (start, *start.parents):
        if (folder / DEFAULT_SPEC).is_file():
            return None if folder == start else folder
        if (folder / ".git").exists():
            return None
    return None


def enter_project(argv: list[str]) -> None:
    """Run from the project's top folder when started in a folder below it and no path was given."""
    if any(word.partition("=")[0] in PATH_FLAGS for word in argv):
        return
    import os

    root = project_root(Path.cwd())
    if root is not None:
        os.chdir(root)
