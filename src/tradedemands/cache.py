"""A parse cache: the validated data of a file, keyed by the SHA-256 of its bytes.

Entries are JSON (nothing in them can execute), written atomically, read only
when whole and of this tool's format; anything else is ignored as a miss. The
key is the content itself, so a file changed behind the cache's back (same
size, same mtime) is simply a different key. The folder is bounded; the oldest
entries go first. ``DEMANDS_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from . import __version__

#: Changes whenever what an entry holds changes, so old entries are never misread.
FORMAT = f"2:{__version__}"
MAX_ENTRIES = 32
MAX_BYTES = 512 * 1024 * 1024
#: Files smaller than this parse in a few milliseconds, faster than a lookup (hashing included).
MIN_BYTES = 64 * 1024


def min_bytes() -> int:
    """The size from which files are cached (``DEMANDS_CACHE_MIN_BYTES`` overrides it)."""
    try:
        return int(os.environ.get("DEMANDS_CACHE_MIN_BYTES", MIN_BYTES))
    except ValueError:
        return MIN_BYTES


def enabled() -> bool:
    return os.environ.get("DEMANDS_NO_CACHE", "") in ("", "0")


def directory() -> Path:
    from .portable import cache_home

    return cache_home()


def key_of(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def _entry(key: str) -> Path:
    return directory() / f"{key}.json"


def get(key: str) -> dict[str, Any] | None:
    """The entry for ``key``, or None when missing, unreadable, corrupt or of another format."""
    if not enabled():
        return None
    try:
        with open(_entry(key), "rb") as handle:
            entry = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    if not isinstance(entry.get("data"), dict) or not isinstance(entry.get("spans"), list):
        return None
    return entry


def put(key: str, data: Any, spans: list[list[int]] | None) -> None:
    """Store an entry; silently does nothing when the cache folder cannot be written."""
    if not enabled():
        return
    import tempfile

    folder = directory()
    entry = {"format": FORMAT, "key": key, "data": data, "spans": spans or []}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(entry, handle, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, _entry(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(folder)
    except (OSError, TypeError, ValueError):
        return


def _prune(folder: Path) -> None:
    """Keep at most MAX_ENTRIES entries and MAX_BYTES in all, dropping the least recently written."""
    entries = []
    for path in folder.glob("*.json"):
        with contextlib.suppress(OSError):
            info = path.stat()
            entries.append((info.st_mtime, info.st_size, path))
    entries.sort(reverse=True)
    total = 0
    for n, (_mtime, size, path) in enumerate(entries):
        total += size
        if n >= MAX_ENTRIES or total > MAX_BYTES:
            with contextlib.suppress(OSError):
                path.unlink()
