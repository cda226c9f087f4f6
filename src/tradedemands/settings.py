"""The ``DEMANDS_*`` environment variables, each read and checked in one place.

A bad value is a usage error (exit 2) that names the variable and says what it
takes: ``DEMANDS_LOCK_TIMEOUT=nan`` would otherwise wait forever, and
``DEMANDS_MAX_BYTES=abc`` would be an internal error. ``check()`` runs at the start
of every command, so a bad setting fails at once, whichever command reads it.
Nothing here imports more than ``os`` and ``math``: it runs on every start-up.
"""

from __future__ import annotations

import math
import os

from .errors import UsageError

#: A demands file (or a version of one) larger than this is refused unread (100,000 items take about 70 MB).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
#: Files smaller than this parse in a few milliseconds, faster than a cache lookup (hashing included).
DEFAULT_CACHE_MIN_BYTES = 64 * 1024
DEFAULT_LOCK_TIMEOUT = 10.0
#: Upper bounds: a TiB of YAML and a day of waiting are already beyond any real use.
MAX_SIZE_SETTING = 1 << 40
MAX_LOCK_TIMEOUT = 86400.0

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def _size(name: str, default: int, minimum: int) -> int:
    raw = _raw(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.replace("_", ""), 10)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= MAX_SIZE_SETTING:
        raise UsageError(
            f"bad value {_shown(raw)} in {name}: use a whole number of bytes from {minimum} to {MAX_SIZE_SETTING}"
            f" (default {default}), or unset it"
        )
    return value


def _flag(name: str) -> bool:
    raw = _raw(name)
    if raw is None or raw.lower() in _FALSE:
        return False
    if raw.lower() in _TRUE:
        return True
    raise UsageError(f"bad value {_shown(raw)} in {name}: use 1 (on) or 0 (off), or unset it")


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def max_bytes() -> int:
    """``DEMANDS_MAX_BYTES``: the largest data file (or version of it) read, in bytes (default 512 MiB)."""
    return _size("DEMANDS_MAX_BYTES", DEFAULT_MAX_BYTES, 1)


def cache_min_bytes() -> int:
    """``DEMANDS_CACHE_MIN_BYTES``: files from this size on use the parse cache (default 64 KiB)."""
    return _size("DEMANDS_CACHE_MIN_BYTES", DEFAULT_CACHE_MIN_BYTES, 0)


def lock_timeout() -> float:
    """``DEMANDS_LOCK_TIMEOUT``: seconds a writer waits for the lock (default 10; 0 to 86400, finite)."""
    raw = _raw("DEMANDS_LOCK_TIMEOUT")
    if raw is None or raw == "":
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= MAX_LOCK_TIMEOUT:
        raise UsageError(
            f"bad value {_shown(raw)} in DEMANDS_LOCK_TIMEOUT: use seconds from 0 to {MAX_LOCK_TIMEOUT:g}"
            f" (default {DEFAULT_LOCK_TIMEOUT:g}), or unset it"
        )
    return value


def no_cache() -> bool:
    """``DEMANDS_NO_CACHE``: 1 turns the parse cache off."""
    return _flag("DEMANDS_NO_CACHE")


def debug() -> bool:
    """``DEMANDS_DEBUG``: 1 shows a traceback instead of the one-line message for an unexpected error."""
    return _flag("DEMANDS_DEBUG")


def data_file() -> str | None:
    """``DEMANDS_FILE``: the data file when no --file is given (unset or empty: search as usual)."""
    raw = os.environ.get("DEMANDS_FILE")
    if raw is None or raw == "":
        return None
    if not raw.strip() or "\0" in raw:
        raise UsageError("bad value in DEMANDS_FILE: give the path of a demands file, or unset it")
    return raw


#: The pager when neither DEMANDS_PAGER nor PAGER names one: as git runs less.
DEFAULT_PAGER = "less -FRX"


def pager() -> list[str] | None:
    """``DEMANDS_PAGER``, else ``$PAGER``, else ``less -FRX``: the pager for tables longer than
    the terminal, as a command and its arguments (split as a shell splits words). None when it
    is empty or ``cat`` (no pager, as git reads it). A DEMANDS_PAGER a shell could not split
    (an unbalanced quote) is a UsageError; such a PAGER is ignored, as it is not ours."""
    import shlex

    for name in ("DEMANDS_PAGER", "PAGER"):
        raw = os.environ.get(name)
        if raw is None:
            continue
        try:
            words = shlex.split(raw)
        except ValueError:
            if name == "PAGER":
                continue
            raise UsageError(
                f"bad value {_shown(raw)} in DEMANDS_PAGER: an unbalanced quote; fix it, or unset it"
            ) from None
        return None if not words or words == ["cat"] else words
    return shlex.split(DEFAULT_PAGER)


#: Every variable the tool reads, and its check.
CHECKS = {
    "DEMANDS_FILE": data_file,
    "DEMANDS_MAX_BYTES": max_bytes,
    "DEMANDS_CACHE_MIN_BYTES": cache_min_bytes,
    "DEMANDS_LOCK_TIMEOUT": lock_timeout,
    "DEMANDS_NO_CACHE": no_cache,
    "DEMANDS_DEBUG": debug,
    "DEMANDS_PAGER": pager,
}


def check() -> None:
    """Check every ``DEMANDS_*`` variable; UsageError naming the first bad one."""
    for read in CHECKS.values():
        read()
