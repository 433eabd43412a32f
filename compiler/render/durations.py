"""Durations as Go's time.Duration prints them: the form operators write back (2160h0m0s)."""

from __future__ import annotations


def go_duration(seconds: int) -> str:
    """seconds as Go prints a Duration: 0s, 45s, 15m0s, 1h0m0s, 2160h0m0s."""
    if seconds == 0:
        return "0s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"
