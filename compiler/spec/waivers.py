"""Waivers: a component sets aside one of nifty's checks by its code, with a reason."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.registry import BY_CODE
from compiler.spec.document import Document, Loc
from compiler.spec.model import Spec
from compiler.spec.positions import at_value

WAIVER = "N108"


def waived(doc: Document, spec: Spec, problems: list[Diagnostic]) -> list[Diagnostic]:
    """problems without those a component waives, and the problems of the waivers themselves."""
    granted: dict[tuple[str, str], Loc] = {}
    found: list[Diagnostic] = []
    for li, layer in enumerate(spec.layers):
        for ci, component in enumerate(layer.components):
            for index, waiver in enumerate(component.waivers):
                loc: Loc = ("layers", li, "components", ci, "waivers", index, "rule")
                problem = _refused(waiver.rule, (component.name, waiver.rule) in granted)
                if problem:
                    found.append(at_value(doc, loc, problem, code=WAIVER))
                else:
                    granted[(component.name, waiver.rule)] = loc
    kept = [d for d in problems if (d.component, d.code) not in granted]
    used = {(d.component, d.code) for d in problems}
    found += _unused(doc, granted, used)
    return [*kept, *found]


def _refused(code: str, twice: bool) -> str:
    """Why a waiver of code cannot stand, or nothing."""
    rule = BY_CODE.get(code)
    if rule is None:
        return f"{code} is not a check of nifty's (docs/rules.md lists them)"
    if not rule.waivable:
        return f"{code} ({rule.name}) cannot be waived (docs/rules.md lists those that can)"
    if twice:
        return f"{code} is waived twice"
    return ""


def _unused(
    doc: Document, granted: dict[tuple[str, str], Loc], used: set[tuple[str, str]]
) -> Iterator[Diagnostic]:
    """A waiver that sets aside nothing hides the next real problem: it is refused."""
    for (component, code), loc in granted.items():
        if (component, code) not in used:
            yield at_value(doc, loc, f"{code} holds for '{component}'; remove the waiver", code=WAIVER)
