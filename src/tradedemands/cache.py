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

from . import __version__, safeio, settings
from .errors import DemandsError

#: Changes whenever what an entry holds changes, so old entries are never misread.
FORMAT = f"2:{__version__}"
MAX_ENTRIES = 32
MAX_BYTES = 512 * 1024 * 1024
#: Files smaller than this parse in a few milliseconds, faster than a lookup (hashing included).
MIN_BYTES = settings.DEFAULT_CACHE_MIN_BYTES


def min_bytes() -> int:
    """The size from which files are cached (``DEMANDS_CACHE_MIN_BYTES`` overrides it)."""
    return settings.cache_min_bytes()


def enabled() -> bool:
    return not settings.no_cache()


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tradedemands"


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
        entry = json.loads(safeio.read_regular(_entry(key), MAX_BYTES))
    except (OSError, ValueError, DemandsError):
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
    import io
    from typing import IO

    folder = directory()
    entry = {"format": FORMAT, "key": key, "data": data, "spans": spans or []}

    def write(handle: IO[bytes]) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8")  # type: ignore[type-var]
        json.dump(entry, text, ensure_ascii=False, separators=(",", ":"))
        text.flush()
        text.detach()

    try:
        folder.mkdir(parents=True, exist_ok=True)
        safeio.replace(_entry(key), write, durable=False)
        _prune(folder)
    except (OSError, TypeError, ValueError, DemandsError):
        return


def _prune(folder: Path) -> None:
    """Keep at most MAX_ENTRIES entries and MAX_BYTES in all, dropping the least recently written;
    remove temporary files that killed writers left (only names this tool makes)."""
    safeio.sweep(folder, None)
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
