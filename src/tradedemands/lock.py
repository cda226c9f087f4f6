"""The writers' lock: one writer at a time changes a data file, and none loses an update.

An exclusive ``flock`` on the folder holding the file (on Windows an ``msvcrt`` lock on a
lock file in it: see ``portable``) is held across read, change and write. A lock on the
folder survives ``os.replace`` of the file, and dies with its process, so a killed writer
never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from . import portable, settings
from .errors import DemandsError, LockTimeout


def lock_path(path: Path) -> Path:
    """What a writer locks: the folder holding the file (through a symlink, the target's folder).

    A lock on the folder survives ``os.replace`` of the file (a lock on the file itself would
    not) and leaves no lock file behind to show up in ``git status``.
    """
    return Path(os.path.realpath(path)).parent


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the file's folder, waiting at most ``timeout`` seconds.

    An ``flock`` on the folder (on Windows, an ``msvcrt`` lock in it: see ``portable``). The
    lock dies with its process, so a killed writer never leaves a stale lock.
    """
    wait = settings.lock_timeout() if timeout is None else timeout
    lock = lock_path(path)
    try:
        fd = portable.open_lock(lock)
    except OSError as err:
        raise DemandsError(f"cannot lock {lock}: {err.strerror}; check the folder's permissions") from None
    taken = False
    try:
        deadline = time.monotonic() + wait
        delay = 0.005
        while not (taken := portable.try_lock(fd)):
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"{path} is being changed by another process (waited {wait:g} s); "
                    "try again when it has finished, or set DEMANDS_LOCK_TIMEOUT to wait longer"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        yield
    finally:
        portable.close_lock(fd, taken)
