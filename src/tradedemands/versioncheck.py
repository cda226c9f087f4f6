"""The version of the data file a writer read, checked again just before its rename: a change
another program made meanwhile (an editor's save, ``git pull``, ``sed -i``) is never overwritten.

``Expected`` is made before the read and given to ``atomic.replace``; ``FileChanged`` is what a
write raises when the file is no longer that version.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable

from .errors import DemandsError

#: How recent a file's last change may be (before the writer's read) and still leave a change in
#: the same clock tick unseen by ``stat``: FAT keeps times to 2 s, network file systems' clocks skew.
_RACY_NS = 2_000_000_000


class FileChanged(DemandsError):
    """The data file is no longer the version a write read (an editor, ``git pull``, ``sed -i``
    or a sync tool changed it meanwhile): nothing was written."""

    def __init__(self, label: str) -> None:
        super().__init__(
            f"{label} changed while demands was writing it (by another program); "
            "nothing was written: run the command again"
        )


def _identity(info: os.stat_result) -> tuple[int, ...]:
    """What changes when a file is replaced or written: its inode, size and modification times."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class Expected:
    """The version of a file a writer reads, checked again just before its rename (``replace``'s
    ``expected``): is the file still the one read?

    Make it just *before* reading the file (it keeps the file's ``stat`` and the clock then),
    then give it ``same``: whether a file's bytes are those read (``bytes == read`` or a hash of
    them). ``check`` is cheap when the file's ``stat`` is unchanged and its last change was
    well before the read; otherwise it reads the file and asks ``same``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.same: Callable[[bytes], bool] | None = None
        self._seen(None)

    def _seen(self, info: os.stat_result | None) -> None:
        """Take the file's stat (``info``, else now) as that of the version read."""
        self.started = time.time_ns()
        if info is None:
            try:
                info = os.stat(self.path)
            except OSError:
                info = None
        self.info = info

    def holds(self, same: Callable[[bytes], bool]) -> Expected:
        """Give the test of a file's bytes (True: they are the version read); returns self."""
        self.same = same
        return self

    def check(self, label: str) -> None:
        """Raise FileChanged (naming ``label``) unless the file still holds the version read: gone,
        not a regular file, other bytes. A file touched, or replaced by the same bytes (a
        ``git checkout`` of the same version), is still that version."""
        from .files import read_regular

        try:
            now = os.stat(self.path)
        except OSError:
            raise FileChanged(label) from None
        info = self.info
        settled = info is not None and max(info.st_mtime_ns, info.st_ctime_ns) < self.started - _RACY_NS
        if settled and info is not None and _identity(now) == _identity(info):
            return
        if self.same is None or not stat.S_ISREG(now.st_mode):
            raise FileChanged(label)
        try:
            raw = read_regular(self.path, now.st_size, label=label)
        except (OSError, DemandsError):  # gone, grown, not a regular file any more
            raise FileChanged(label) from None
        if not self.same(raw):
            raise FileChanged(label)
        self._seen(now)
