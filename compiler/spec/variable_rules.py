"""Rules over variables: values from the pod, and the $(VAR) expansions of arguments and variables."""

from __future__ import annotations

import re
from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.model import FromPod
from compiler.spec.names import ENVIRONMENT_VAR, GENERATED_PREFIX
from compiler.spec.positions import at_value
from compiler.spec.resolved import Resolved, View
from compiler.spec.suggest import suggest

# $(VAR) as Kubernetes expands it; $$(VAR) is the escaped, literal form.
REFERENCE = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
CPU_DIVISORS = ("1", "1m")


def check_variables(doc: Document, seen: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Every problem of the variables and arguments of the components in every environment, positioned in doc.

    A value is checked where it is written: the component's, or the environment's that replaced it.
    """
    for view in seen:
        for resolved in view.components:
            yield from _component(doc, resolved)


def _component(doc: Document, resolved: Resolved) -> Iterator[Diagnostic]:
    component, loc = resolved.component, resolved.loc
    from_pod = sorted(name for name, value in resolved.env.items() if isinstance(value, FromPod))
    for name, value in resolved.env.items():
        where = resolved.at("env", name)
        if isinstance(value, FromPod):
            yield from _divisor(doc, (*where, "divisor"), value)
            continue
        for reference in REFERENCE.findall(value):
            if reference not in from_pod:
                yield at_value(
                    doc,
                    where,
                    f"$({reference}) is not a value from the pod; a variable expands only those, which are"
                    f" set before the plain ones{suggest(reference, from_pod, shown='$({})')}",
                    code="N701",
                )
    defined = {*resolved.env, *(s.env for s in resolved.secrets if s.env)}
    for index, arg in enumerate(component.args):
        for reference in REFERENCE.findall(arg):
            generated = reference == ENVIRONMENT_VAR or reference.startswith(GENERATED_PREFIX)
            if reference not in defined and not generated:
                yield at_value(
                    doc,
                    (*loc, "args", index),
                    f"$({reference}) is not a variable of '{component.name}', so Kubernetes would pass it"
                    f" on as written{suggest(reference, defined, shown='$({})')}",
                    code="N701",
                )


def _divisor(doc: Document, loc: Loc, value: FromPod) -> Iterator[Diagnostic]:
    divisor = value.divisor
    if divisor is None:
        return
    if not value.from_pod.startswith(("cpu_", "memory_")):
        yield at_value(
            doc,
            loc,
            f"the pod's {value.from_pod} is not a quantity; only cpu_* and memory_* take a divisor",
            code="N702",
        )
    elif value.from_pod.startswith("cpu_") and divisor not in CPU_DIVISORS:
        yield at_value(
            doc, loc, f"{divisor} is not a unit of CPU; write 1 (cores) or 1m (millicores)", code="N702"
        )
    elif value.from_pod.startswith("memory_") and divisor in CPU_DIVISORS[1:]:
        yield at_value(
            doc, loc, f"{divisor} is not a unit of memory; write 1 (bytes), 1Ki, 1Mi or 1Gi", code="N702"
        )
