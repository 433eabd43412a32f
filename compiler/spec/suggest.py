"""The closest known name to a name that is not known, as a message's tail."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(name: str, known: Iterable[str], *, otherwise: str = "", shown: str = "'{}'") -> str:
    """'; did you mean 'x'?' for the closest known name, else otherwise; shown formats the name."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {shown.format(close[0])}?" if close else otherwise
