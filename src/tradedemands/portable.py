"""What differs between Linux, macOS and Windows when writing files and choosing folders.

- The writers' lock: on Linux and macOS an ``flock`` on the folder holding the file (no
  lock file; it dies with its process). Windows cannot open a folder, so there it is an
  ``msvcrt`` lock on one byte of ``.tradedemands.lock`` in that folder (also released when
  the process ends; the file stays, empty).
- Keeping a replaced file's owner and mode, and fsyncing the folder after a rename: POSIX
  only (Windows has neither owners in that sense nor folder handles to fsync).
- The state (undo journal) and cache folders: ``$XDG_STATE_HOME`` / ``$XDG_CACHE_HOME`` when
  set to an absolute path, on any system; otherwise the system's convention: on Linux
  ``~/.local/state`` and ``~/.cache``; on macOS and Windows the folders ``platformdirs``
  names (``~/Library/Application Support``, ``~/Library/Caches``, ``%LOCALAPPDATA%``),
  imported only there and only when a folder is needed.

Each function decides by ``sys.platform`` when called (not when imported), so that the tests
can run the Windows and macOS paths on Linux by setting it.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import sys
from pathlib import Path
from typing import Any

APP = "tradedemands"
#: The lock file in a data file's folder on Windows.
WINDOWS_LOCK = ".tradedemands.lock"


def windows() -> bool:
    """Whether this runs on Windows (decided when called, so that tests can pretend)."""
    return sys.platform == "win32"


# --- the writers' lock ----------------------------------------------------------------------------


def open_lock(folder: Path) -> int:
    """A descriptor to lock for writing files in ``folder`` (the folder; a lock file on Windows).

    Raises OSError when it cannot be opened (a missing or unreadable folder, an unwritable one on Windows).
    """
    if windows():
        return os.open(folder / WINDOWS_LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
    return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def try_lock(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` without waiting: True if taken, False while another holds it."""
    try:
        if windows():
            _locking(fd, "LK_NBLCK")
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)):
            return False
        raise
    return True


def _locking(fd: int, mode: str) -> None:
    """``msvcrt.locking`` of the first byte of ``fd`` (Windows; mode ``LK_NBLCK`` or ``LK_UNLCK``)."""
    msvcrt: Any = importlib.import_module("msvcrt")  # not in typeshed's view of other systems
    os.lseek(fd, 0, os.SEEK_SET)
    msvcrt.locking(fd, getattr(msvcrt, mode), 1)


def close_lock(fd: int, locked: bool) -> None:
    """Release the lock (if ``locked``) and close ``fd``."""
    try:
        if locked and windows():
            _locking(fd, "LK_UNLCK")
    except OSError:  # pragma: no cover - closing releases it anyway
        pass
    finally:
        os.close(fd)


# --- replacing a file -----------------------------------------------------------------------------


def current_owner() -> tuple[int, int] | None:
    """(effective uid, gid) of this process; None where files have no such owner (Windows)."""
    if windows() or not hasattr(os, "geteuid"):
        return None
    return os.geteuid(), os.getegid()


def keep_owner_and_mode(fd: int, owner: tuple[int, int] | None, mode: int) -> None:
    """Give the open file ``fd`` the ``owner`` (uid, gid) and permission ``mode`` of the file it replaces.

    The owner is kept only where it differs from this process's and only as far as the system
    allows (root editing someone's file; others may keep a group). On Windows a file has no
    POSIX owner or mode: the new file keeps the folder's defaults, and a read-only file is
    refused before this is reached.
    """
    mine = current_owner()
    if mine is None:
        return
    if owner is not None and owner != mine and hasattr(os, "fchown"):
        with contextlib.suppress(OSError):
            os.fchown(fd, *owner)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable: fsync the folder (POSIX). Windows cannot open a folder;
    its rename is durable once ``MoveFileEx`` returns, as ``os.replace`` calls it."""
    if windows():
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- where state and cache go ---------------------------------------------------------------------


def _xdg(variable: str) -> Path | None:
    """An XDG base directory set to an absolute path (a relative one is ignored, as the spec says)."""
    value = os.environ.get(variable, "")
    return Path(value) if value and os.path.isabs(value) else None


def _platformdirs(kind: str) -> Path | None:
    """``platformdirs``' user folder of ``kind`` ("state" or "cache") for this app; None if not installed."""
    try:
        import platformdirs
    except ImportError:
        return None
    if kind == "state":
        return Path(platformdirs.user_state_dir(APP, appauthor=False))
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def _windows_local() -> Path:
    """``%LOCALAPPDATA%``, or where it normally is (without platformdirs)."""
    local = os.environ.get("LOCALAPPDATA")
    return Path(local) if local else Path.home() / "AppData" / "Local"


def _app_folder(kind: str, xdg: str, linux: Path, macos: Path, windows_folder: Path) -> Path:
    """This app's folder of ``kind`` ("state" or "cache"): ``$<xdg>/tradedemands`` when set, else
    the system's convention (``platformdirs`` on macOS and Windows, when it is installed)."""
    found = _xdg(xdg)
    if found is not None:
        return found / APP
    if windows() or sys.platform == "darwin":
        named = _platformdirs(kind)
        if named is not None:
            return named
        return _windows_local() / windows_folder if windows() else Path.home() / macos
    return Path.home() / linux


def state_home() -> Path:
    """This app's folder for state kept between runs (the undo journal).

    ``$XDG_STATE_HOME/tradedemands``; else ``~/.local/state/tradedemands`` on Linux,
    ``~/Library/Application Support/tradedemands`` on macOS, ``%LOCALAPPDATA%\\tradedemands`` on Windows.
    """
    return _app_folder(
        "state", "XDG_STATE_HOME", Path(".local", "state", APP), Path("Library", "Application Support", APP), Path(APP)
    )


def cache_home() -> Path:
    """This app's cache folder (the parse cache).

    ``$XDG_CACHE_HOME/tradedemands``; else ``~/.cache/tradedemands`` on Linux,
    ``~/Library/Caches/tradedemands`` on macOS, ``%LOCALAPPDATA%\\tradedemands\\Cache`` on Windows.
    """
    return _app_folder(
        "cache", "XDG_CACHE_HOME", Path(".cache", APP), Path("Library", "Caches", APP), Path(APP, "Cache")
    )
