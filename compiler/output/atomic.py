"""File-system primitives for replacing a directory safely: a lock, an atomic swap, deferred signals."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# Signals that a user or a supervisor sends to stop a compile.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopSignalError(Exception):
    """A stop signal arrived before the new tree was swapped in."""


@contextlib.contextmanager
def locked(directory: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold a lock on directory so that writers take turns and readers never see a swap half-done."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one step with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}:
        return False
    raise OSError(code, os.strerror(code), str(second))


class DeferredSignals:
    """Stop signals recorded instead of acted on, so that a swap is never cut in half."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self._previous: dict[int, object] = {}

    def check(self) -> None:
        """Give up (before the swap) if a stop signal has arrived."""
        if self.received:
            raise StopSignalError(signal.Signals(self.received[0]).name)

    def _record(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)

    def __enter__(self) -> DeferredSignals:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._record)
        return self

    def __exit__(self, *_: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        if self.received:
            # Act on the signal now, as the process would have: KeyboardInterrupt, or termination.
            signal.raise_signal(self.received[0])
