"""A parse cache: the validated data of a file, keyed by the SHA-256 of its bytes.

An entry is one JSON document, ``{"format", "key", "sha256", "payload"}``, in a file
named ``<key>.demands-cache.json``: ``payload`` holds the data and the items' spans,
and ``sha256`` is the hash of the payload's bytes exactly as written. An entry is used
only when its header is exactly what this version writes for that key and the hash of
the whole payload matches (a truncated, bit-flipped or hand-edited entry is a miss, and
the next parse rewrites it), and then only if its data has the shape of a loaded file.
Nothing in it can execute. The key is the content itself, so a file changed behind the
cache's back (same size, same mtime) is simply a different key. The folder is bounded
(the oldest entries go first), and pruning deletes only files named as this cache names
its entries, whatever else shares the folder. ``DEMANDS_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

from . import __version__, settings
from .errors import DemandsError
from .files import read_regular

#: Changes whenever what an entry holds changes, so old entries are never misread. 4: the rules of
#: validation grew (party lists, rounds planned or cancelled, history sources): an entry stores
#: data validated by them.
FORMAT = f"4:{__version__}"
MAX_ENTRIES = 32
MAX_BYTES = 512 * 1024 * 1024
#: Files smaller than this parse in a few milliseconds, faster than a lookup (hashing included).
MIN_BYTES = settings.DEFAULT_CACHE_MIN_BYTES
#: How an entry's file is named: the key, then this. Pruning deletes nothing else.
SUFFIX = ".demands-cache.json"
_ENTRY_NAME = re.compile(r"^[0-9a-f]{64}" + re.escape(SUFFIX) + "$")
#: Entries of earlier versions were ``<key>.json`` and began like this; pruning removes those too.
_OLD_NAME = re.compile(r"^[0-9a-f]{64}\.json$")
_OLD_START = b'{"format":"2:'


def min_bytes() -> int:
    """The size from which files are cached (``DEMANDS_CACHE_MIN_BYTES`` overrides it)."""
    return settings.cache_min_bytes()


def enabled() -> bool:
    """Whether the cache is on (``DEMANDS_NO_CACHE`` not set)."""
    return not settings.no_cache()


def directory() -> Path:
    """The cache's folder (``portable.cache_home``)."""
    from .portable import cache_home

    return cache_home()


def key_of(raw: bytes) -> str:
    """The key of a file's bytes: their SHA-256, 64 hex digits."""
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def entry_path(key: str) -> Path:
    """Where the entry for ``key`` (64 hex digits) lives."""
    return directory() / f"{key}{SUFFIX}"


def _header(key: str) -> bytes:
    """What an entry for ``key`` begins with, up to its payload's hash."""
    return ('{"format":' + json.dumps(FORMAT) + ',"key":"' + key + '","sha256":"').encode("ascii")


_PAYLOAD = b'","payload":'


def get(key: str, size: int | None = None) -> dict[str, Any] | None:
    """The entry for ``key`` as ``{"data", "spans"}``, or None when it is missing, unreadable,
    of another format or key, fails its integrity check, or holds data not shaped like a
    loaded file (``size``: the file's length in bytes, which every span lies within)."""
    if not enabled():
        return None
    import hashlib

    try:
        raw = read_regular(entry_path(key), MAX_BYTES)
    except (OSError, DemandsError):
        return None
    header = _header(key)
    start = len(header) + 64 + len(_PAYLOAD)
    if not raw.startswith(header) or raw[start - len(_PAYLOAD) : start] != _PAYLOAD or not raw.endswith(b"}"):
        return None
    payload = raw[start:-1]
    if hashlib.sha256(payload).hexdigest().encode("ascii") != raw[len(header) : len(header) + 64]:
        return None
    try:
        entry = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    return entry if _well_shaped(entry, size) else None


def _well_shaped(entry: Any, size: int | None) -> bool:
    """Whether an entry holds what ``put`` stores: data shaped like a loaded file, and one
    ``[start, end)`` span per item (or none), in order, inside the file."""
    if not isinstance(entry, dict) or set(entry) != {"data", "spans"}:
        return False
    data, spans = entry["data"], entry["spans"]
    if not isinstance(data, dict) or not isinstance(data.get("parties"), dict) or not isinstance(spans, list):
        return False
    items = data.get("demands", [])
    if not isinstance(items, list):
        return False
    for item in items:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "title", "status")):
            return False
        party = item.get("party")
        if not isinstance(party, str) and not (isinstance(party, list) and all(isinstance(p, str) for p in party)):
            return False
    if spans and len(spans) != len(items):
        return False
    end = 0
    for span in spans:
        if not (isinstance(span, list) and len(span) == 2 and all(type(n) is int for n in span)):
            return False
        if not end <= span[0] < span[1] or (size is not None and span[1] > size):
            return False
        end = span[1]
    return True


def put(key: str, data: Any, spans: list[list[int]] | None) -> None:
    """Store an entry; silently does nothing when the cache folder cannot be written."""
    if not enabled():
        return
    import hashlib

    folder = directory()
    try:
        payload = json.dumps({"data": data, "spans": spans or []}, ensure_ascii=False, separators=(",", ":"))
        body = payload.encode("utf-8")
        digest = hashlib.sha256(body).hexdigest().encode("ascii")
        folder.mkdir(parents=True, exist_ok=True)
        from .atomic import replace

        replace(entry_path(key), _header(key) + digest + _PAYLOAD + body + b"}", durable=False)
        _prune(folder)
    except (OSError, TypeError, ValueError, DemandsError):
        return


def _ours(path: Path) -> bool:
    """Whether a file in the cache folder is an entry this cache wrote (by name; an old-style
    ``<key>.json`` entry also by how it begins)."""
    if _ENTRY_NAME.match(path.name):
        return True
    if not _OLD_NAME.match(path.name):
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_OLD_START)) == _OLD_START
    except OSError:
        return False


def _prune(folder: Path) -> None:
    """Keep at most MAX_ENTRIES entries and MAX_BYTES in all, dropping the least recently
    written; old-style entries go at once. Only entries go: never another file. Temporary
    files that killed writers left go too (only names this tool makes)."""
    from .atomic import sweep

    sweep(folder, None)
    entries = []
    for path in folder.iterdir():
        if not _ours(path):
            continue
        with contextlib.suppress(OSError):
            info = path.lstat()
            if not path.is_symlink() and path.is_file():
                if not _ENTRY_NAME.match(path.name):
                    path.unlink()
                    continue
                entries.append((info.st_mtime, info.st_size, path))
    entries.sort(reverse=True)
    total = 0
    for n, (_mtime, size, path) in enumerate(entries):
        total += size
        if n >= MAX_ENTRIES or total > MAX_BYTES:
            with contextlib.suppress(OSError):
                path.unlink()
