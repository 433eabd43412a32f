"""Diagnostics: positioned problems collected from every stage and printed for people or tools."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
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
    # The check's code in compiler.registry, e.g. N502.
    code: str = ""
    # The component the diagnostic speaks of, for a waiver; not part of what is shown.
    component: str = field(default="", compare=False)

    def text(self) -> str:
        """Render as `path:line:col: error: message [N502]`, like compilers do."""
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column}"
        code = f" [{self.code}]" if self.code else ""
        return f"{where}: {self.severity.value}: {self.message}{code}"

    def github(self) -> str:
        """Render as a GitHub Actions workflow annotation."""
        props = [f"file={_escape(self.path, properties=True)}"]
        if self.line:
            props += [f"line={self.line}", f"col={self.column}"]
        if self.code:
            props.append(f"title={self.code}")
        return f"::{self.severity.value} {','.join(props)}::{_escape(self.message)}"


def _escape(text: str, *, properties: bool = False) -> str:
    """Escape text for a workflow command, as the Actions toolkit does."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if properties else text


def coded(diagnostics: Iterable[Diagnostic], code: str) -> list[Diagnostic]:
    """The diagnostics, each without a code given code (the stage's own)."""
    return [d if d.code else replace(d, code=code) for d in diagnostics]


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
        shown = [{k: v for k, v in asdict(d).items() if k != "component"} for d in diagnostics]
        return json.dumps(shown, indent=2) + "\n"
    if fmt == "github":
        return "".join(d.github() + "\n" for d in diagnostics)
    return "".join(d.text() + "\n" for d in diagnostics)
