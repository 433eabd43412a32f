"""What the rules of the kinds of component share: settings a kind does not take, and runs on the
market's days that stay out of its sessions (a scheduled job's, a database's backups)."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.cron import DAY_MINUTES
from compiler.spec.document import Document, Loc
from compiler.spec.market import Market, clock_minutes
from compiler.spec.model import Component, MarketTime
from compiler.spec.positions import at_key

# What a long-running workload that nifty runs has, and a kind that runs no such pods does not take:
# its ports, probes, replica count, scaling and volume.
SERVING = (
    "port",
    "ports",
    "peer_ports",
    "probe",
    "health",
    "startup_seconds",
    "replicas",
    "autoscaling",
    "prescale",
    "storage",
)


def settings_not_taken(
    doc: Document, loc: Loc, component: Component, keys: tuple[str, ...], reason: str, *, code: str
) -> Iterator[Diagnostic]:
    """Each of keys that the component sets (itself or through a profile), which its kind does not take."""
    for key in keys:
        if key in component.model_fields_set:
            yield at_key(doc, (*loc, key), f"'{component.name}' {reason} {key}", code=code)


def market_run_in_session(
    doc: Document, loc: Loc, market: Market, when: MarketTime, *, code: str
) -> Iterator[Diagnostic]:
    """A run on the market's days (a job's, a backup's) never falls in the hours of a regular session."""
    hours = [(clock_minutes(s.start), clock_minutes(s.end), s.name) for s in market.sessions]
    for change in market.session_changes:
        regular = next((h for h in hours if h[2] == change.session), None)
        if regular is not None:
            start = clock_minutes(change.start) if change.start else regular[0]
            end = clock_minutes(change.end) if change.end else regular[1]
            hours.append((start, end, change.session))
    # The run follows the earliest open or the latest close of the week, as the plan places it.
    base = min(h[0] for h in hours) if when.at == "open" else max(h[1] for h in hours)
    runs = (base + when.minutes) % DAY_MINUTES
    for start, end, name in hours:
        if start <= runs < end:
            yield at_key(
                doc,
                loc,
                f"the run at {clock_text(runs)} falls in the session '{name}'"
                f" ({clock_text(start)}-{clock_text(end)});"
                " a run on the market's days must fall outside its sessions",
                code=code,
            )
            return


def clock_text(minute: int) -> str:
    """Minutes since midnight as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"
