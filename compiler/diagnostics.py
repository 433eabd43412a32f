"""Diagnostics: positioned problems collected from every stage and printed for people or tools."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place of one file; line and column are 1-based, 0 when unknown."""

    path: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR

    def text(self) -> str:
        """Render as `path:line:col: error: message`, like compilers do."""
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.severity.value}: {self.message}"

    def github(self) -> str:
        """Render as a GitHub Actions workflow annotation."""
        props = [f"file={_escape(self.path, properties=True)}"]
        if self.line:
            props += [f"line={self.line}", f"col={self.column}"]
        return f"::{self.severity.value} {','.join(props)}::{_escape(self.message)}"


def _escape(text: str, *, properties: bool = False) -> str:
    """Escape text for a workflow command, as the Actions toolkit does."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if properties else text


def clip(text: str, limit: int = 100) -> str:
    """Text for a message, shortened when it is absurdly long (a pasted file, a 200 KiB key)."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


class SpecError(Exception):
    """Raised by a stage that found problems; carries every diagnostic, sorted by position."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(set(diagnostics)))
        super().__init__("\n".join(d.text() for d in self.diagnostics))


FORMATS = ("text", "json", "github")


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str) -> str:
    """Render diagnostics in one of FORMATS."""
    if fmt == "json":
        return json.dumps([asdict(d) for d in diagnostics], indent=2) + "\n"
    if fmt == "github":
        return "".join(d.github() + "\n" for d in diagnostics)
    return "".join(d.text() + "\n" for d in diagnostics)
