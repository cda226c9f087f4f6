"""A parse cache: the validated data of each version of a file, item by item, keyed by content.

An entry holds one version of a data file, keyed by the SHA-256 of its bytes, in a file named
``<key>.demands-cache.json``: one JSON document, ``{"format", "key", "hmac", "payload"}``,
where ``hmac`` is the HMAC-SHA-256 of the payload's bytes exactly as written, keyed with a
secret of this user's (``secret``: 32 random bytes in the state folder, never in the cache
folder, so an entry edited by hand or copied from someone else's cache cannot be signed again). The payload holds the
file's data without its items (``data``, with ``demands`` null) and the items, one JSON line
each (``items``); each item's ``[start, end)`` offsets in the text (``spans``, for edits); and,
when the file was read as item chunks (``chunks.py``), each item's chunk key with where its text
ends in its chunk (``chunks``), where the list of items ends (``end``), and keys of the text
around the items (``context``) and of the file's path (``source``).

An entry is used only when its header is exactly what this version writes for its key and the
HMAC of the whole payload matches (a truncated, bit-flipped or hand-edited entry is a miss, and
the next parse rewrites it, even with its hash recomputed), and then only if its data has the shape of a loaded file. Nothing in
it can execute. The key is the content itself, so a file changed behind the cache's back (same
size, same mtime) is a different key: then ``previous`` finds the entry of the version before
(the newest entry of the same file, else the newest of any), whose items a changed file reuses
by chunk key (``document.load``). The folder is bounded (the oldest entries go first), pruning
deletes only files named as this cache names its entries, whatever else shares the folder, and
``DEMANDS_NO_CACHE=1`` turns the cache off (so does a secret that cannot be used or made, with a
``CacheWarning`` saying why and what to do).
Entries are written as new files renamed onto their names (``atomic.write_private``), so
concurrent readers and writers see a whole entry or none, and an entry's name that is a
symlink is replaced, never written through; one is never read either.
"""

from __future__ import annotations

import _thread
import contextlib
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from . import __version__, settings
from .errors import DemandsError
from .files import read_regular
from .model import DataFile, Item, required_of

#: Changes whenever what an entry holds changes, so old entries are never misread. 4: the rules of
#: validation grew (party lists, rounds planned or cancelled, history sources): an entry stores
#: data validated by them. 5: entries item by item (issue 16).
#: 6: the payload's check is an HMAC keyed with the user's secret (was a plain SHA-256).
FORMAT = f"6:{__version__}"
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
_CHUNK_KEYS = re.compile(r"(?:[0-9a-f]{32})+")
_PAYLOAD_KEYS = {"source", "context", "end", "chunks", "spans", "data", "items"}


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


def source_of(path: str | os.PathLike[str]) -> str:
    """Which file an entry is a version of: a hash of its absolute path (or of a label such as
    ``HEAD~1:data/demands.yaml``), 32 hex digits."""
    import hashlib

    return hashlib.sha256(os.path.abspath(os.fspath(path)).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def entry_path(key: str) -> Path:
    """Where the entry for ``key`` (64 hex digits) lives."""
    return directory() / f"{key}{SUFFIX}"


def _header(key: str) -> bytes:
    """What an entry for ``key`` begins with, up to its payload's HMAC."""
    return ('{"format":' + json.dumps(FORMAT) + ',"key":"' + key + '","hmac":"').encode("ascii")


#: The name of the file holding the secret, in the state folder (``portable.state_home``).
SECRET_NAME = "cache-key"
_SECRETS: dict[str, bytes | None] = {}
#: Threads of one run (``chunks`` finds the version before in one) make or replace the key once.
_SECRET_LOCK = _thread.allocate_lock()


class CacheWarning(UserWarning):
    """The parse cache is off for this run because its key file cannot be used: the
    message (one line) names the file, what is wrong and what to do. Issued through ``warnings``
    at most once a run; the command line prints it as ``demands: warning: ...``."""


def secret() -> bytes | None:
    """This user's key for the entries' HMACs: 32 bytes, kept as 64 hex digits in
    ``<state folder>/cache-key`` (mode 0600, made on first use), or None when no key can be
    used (then nothing is read from or written to the cache; a CacheWarning says why, below).

    A key file of this user's that is a regular file but readable or writable by others (a
    backup restored, a sync tool ignoring the umask) or not 64 hex digits is replaced by a new
    one, written privately and atomically: entries signed with the old key then miss and are
    rebuilt. Anything else at that name (a symlink, a directory, a FIFO, a device, another
    user's file) is never touched: the cache is off and the CacheWarning says to remove it. A
    key that cannot be made at all (the state folder unusable, the disk full or read-only)
    turns the cache off without a warning: writes already warn that their undo record, kept in
    the same folder, was not."""
    from .portable import state_home

    folder = state_home()
    where = os.fspath(folder)
    with _SECRET_LOCK:
        if where not in _SECRETS:
            found, wrong = _read_secret(folder)
            problem = _unusable(folder / SECRET_NAME, wrong) if wrong else None
            if found is None and wrong is None:  # none yet, or a key of ours not fit to use
                import secrets

                fresh = secrets.token_hex(32).encode("ascii")
                failed: Exception | None = None
                try:
                    from .atomic import write_private

                    # A first key never replaces one a concurrent first run made; a bad key of ours is replaced.
                    write_private(folder, SECRET_NAME, fresh, exclusive=not os.path.lexists(folder / SECRET_NAME))
                except (OSError, ValueError) as err:  # FileExistsError too: then a concurrent run made one
                    failed = err
                found, again = _read_secret(folder)  # ours, or the one a concurrent run made
                if found is None and failed is None:
                    problem = _unusable(folder / SECRET_NAME, again or "changed while it was made")
                elif found is None and again is not None:
                    problem = _unusable(folder / SECRET_NAME, again)
                # A key that cannot be made (the state folder missing and not makeable, another
                # user's, on a full or read-only disk) turns the cache off quietly: every write
                # already warns that its undo record could not be kept in that folder.
            if found is None and problem is not None:
                _warn_off(problem)
            _SECRETS[where] = found
    return _SECRETS[where]


def _unusable(path: Path, problem: str) -> str:
    """Why the cache is off and what to do, for a key file ``path`` that ``problem``."""
    return f"its key file {path} {problem}; remove it, and the next run makes a new key"


def _warn_off(problem: str) -> None:
    """Say (a CacheWarning, once a run) that the cache is off, and why (``problem``)."""
    import warnings

    warnings.warn(
        f"the parse cache is off: {problem} (DEMANDS_NO_CACHE=1 turns it off without this warning)",
        CacheWarning,
        stacklevel=3,
    )


def _read_secret(folder: Path) -> tuple[bytes | None, str | None]:
    """(the key, None) when ``folder``'s key file is one this user made and kept private;
    (None, None) when there is none or it is this user's regular file but not fit to use (too
    open, not 64 hex digits: ``secret`` replaces it); (None, what is wrong) for anything else
    (a symlink, not a regular file, another user's, unreadable), which is never touched."""
    import stat

    from .files import kind_of

    path = folder / SECRET_NAME
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # none (the folder itself is seen to when one is made)
        return None, None
    except OSError as err:
        from .errors import cause

        return None, f"cannot be read ({cause(err)})"
    if stat.S_ISLNK(info.st_mode):
        return None, "is a symbolic link (never followed)"
    if not stat.S_ISREG(info.st_mode):
        return None, f"is {kind_of(info.st_mode)}, not a key file"
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return None, f"belongs to another user (uid {info.st_uid})"
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None, None
    except OSError as err:
        from .errors import cause

        return None, f"cannot be read ({cause(err)})"
    try:
        info = os.fstat(fd)  # what was opened: checked again, as a swap after lstat would be
        if not stat.S_ISREG(info.st_mode):
            return None, f"is {kind_of(info.st_mode)}, not a key file"
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return None, f"belongs to another user (uid {info.st_uid})"
        if hasattr(os, "geteuid") and info.st_mode & 0o077:
            return None, None
        raw = os.read(fd, 65) if info.st_size == 64 else b""
    except OSError as err:
        from .errors import cause

        return None, f"cannot be read ({cause(err)})"
    finally:
        os.close(fd)
    if re.fullmatch(rb"[0-9a-f]{64}", raw) is None:
        return None, None
    return bytes.fromhex(raw.decode("ascii")), None


_PAYLOAD = b'","payload":'


class Entry:
    """One version of a file as the cache holds it: ``key``; ``source`` and ``context`` (keys of
    the file's path and of its text around the items: ``source_of``, ``chunks``); ``chunks``,
    ``[chunk key, end of the item's text in its chunk]`` per item, and ``end``, where the list
    of items ends in the text (empty and 0 when the file was not read in chunks); ``spans``,
    each item's ``[start, end)`` in the text; ``data`` (None until decoded: ``previous`` leaves
    the items undecoded). ``lines()`` gives each item's JSON."""

    def __init__(
        self,
        key: str,
        source: str,
        context: str,
        chunks: list[list[Any]],
        spans: list[list[int]],
        data: Any,
        payload: Payload | None = None,
        lines: Sequence[bytes | memoryview] | None = None,
        end: int = 0,
    ) -> None:
        self.key = key
        self.source = source
        self.context = context
        self._chunks = chunks
        self._unchecked = True
        self.spans = spans
        self.end = end
        self.data = data
        self._payload = payload
        self._lines = lines

    @property
    def chunks(self) -> list[list[Any]]:
        """The chunk records, checked on first use ([] when they are not well formed)."""
        if self._unchecked:
            self._unchecked = False
            if self._chunks and not _chunks_shaped(self._chunks):
                self._chunks = []
        return self._chunks

    def lines(self) -> Sequence[bytes | memoryview]:
        """Each item's JSON text, in order (slices of the entry as read: nothing is copied)."""
        if self._lines is None:
            raw, start, stop = self._payload or (b"", 0, 0)
            view = memoryview(raw)
            found: list[bytes | memoryview] = []
            at = raw.find(b"\n", start, stop) + 1
            while at:
                end = raw.find(b"\n", at, stop)
                if end < 0:
                    break
                found.append(view[at : end - 1 if raw[end - 1] == 44 else end])  # 44: ","
                at = end + 1
            self._lines = found if found != [b""] else []
        return self._lines

    def known(self) -> dict[str, tuple[bytes | memoryview, int]]:
        """Chunk key -> (the item's JSON, where its text ends in the chunk), of every item."""
        lines = self.lines()
        if len(lines) != len(self.chunks):
            return {}
        return {key: (line, end) for (key, end), line in zip(self.chunks, lines, strict=True)}


#: An entry's payload as read: (the entry's bytes, where the payload starts, where it stops).
Payload = tuple[bytes, int, int]


def _read(key: str) -> Payload | None:
    """The payload of the entry for ``key`` after its integrity check, or None."""
    signing = secret()
    found = _unchecked(key) if signing is not None else None
    if found is None or signing is None:
        return None
    payload, digest = found
    return payload if _digest(payload, signing) == digest else None


def _unchecked(key: str) -> tuple[Payload, bytes] | None:
    """(payload, the SHA-256 its header claims) of the entry for ``key``, when its header is
    what this version writes for ``key``; the payload is not checked against the hash yet."""
    try:
        raw = read_regular(entry_path(key), MAX_BYTES, follow=False)  # a link is no entry
    except (OSError, DemandsError):
        return None
    header = _header(key)
    start = len(header) + 64 + len(_PAYLOAD)
    if not raw.startswith(header) or raw[start - len(_PAYLOAD) : start] != _PAYLOAD or not raw.endswith(b"}"):
        return None
    return (raw, start, len(raw) - 1), raw[len(header) : len(header) + 64]


def _digest(payload: Payload, key: bytes) -> bytes:
    """The HMAC-SHA-256 of the payload with ``key`` (``secret``), 64 hex digits."""
    import hmac

    raw, start, stop = payload
    return hmac.new(key, memoryview(raw)[start:stop], "sha256").hexdigest().encode("ascii")


def get(key: str, size: int | None = None, keep: bool = False) -> Entry | None:
    """The entry for ``key``, decoded, or None when it is missing, unreadable, of another format
    or key, fails its integrity check, or holds data not shaped like a loaded file (``size``:
    the file's length in bytes, which every span lies within). ``keep``: keep its bytes too,
    for ``Entry.lines`` (a write reuses them for the entry of the version it writes)."""
    if not enabled():
        return None
    signing = secret()
    found = _unchecked(key) if signing is not None else None
    if found is None or signing is None:
        return None
    payload, claimed = found
    # The hash is checked in a thread while the payload is decoded (hashing frees the
    # interpreter; decoding JSON is safe whatever the bytes): the entry is used only if it holds.
    import threading

    digest: list[bytes] = []
    checking = threading.Thread(target=lambda whole=payload: digest.append(_digest(whole, signing)), daemon=True)
    checking.start()
    try:
        text = payload[0].decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    checking.join()
    kept = payload if keep else None
    del payload, found  # the entry's bytes go before its data is built (a large file's are large)
    try:
        # The whole entry is one JSON document: decoding it all copies nothing more.
        whole = json.loads(text)
        entry = whole.get("payload") if isinstance(whole, dict) and len(whole) == 4 else None
    except (ValueError, RecursionError):
        entry = None
    del text
    if entry is None or digest != [claimed] or not _well_shaped(entry, size):
        return None
    data = entry["data"]
    if entry["items"] is not None:
        data["demands"] = entry["items"]
    return Entry(key, entry["source"], entry["context"], entry["chunks"], entry["spans"], data, kept, end=entry["end"])


def previous(source: str, skip: str) -> Entry | None:
    """The newest entry of the file ``source`` (``source_of``), else the newest of any file,
    other than the one keyed ``skip``: the version before a change, whose items a changed file
    may reuse. Its data is left undecoded (``Entry.lines``); None when there is none whole."""
    if not enabled():
        return None
    import stat

    try:
        found = []
        for path in directory().iterdir():
            if _ENTRY_NAME.match(path.name) and path.name[:64] != skip:
                with contextlib.suppress(OSError):
                    info = path.lstat()
                    if stat.S_ISREG(info.st_mode):  # never a FIFO, a device or a link of someone's
                        found.append((info.st_mtime, path.name[:64]))
    except OSError:
        return None
    found.sort(reverse=True)
    mine = b'"payload":{"source":"' + source.encode("ascii") + b'"'
    for pick in ([k for _, k in found if _begins_with(k, mine)][:1], [k for _, k in found][:1]):
        for key in pick:
            entry = _undecoded(key)
            if entry is not None:
                return entry
    return None


def _begins_with(key: str, mine: bytes) -> bool:
    """Whether the first bytes of the entry for ``key`` hold ``mine`` (read without blocking
    and only from a regular file, whatever the folder holds by now)."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(entry_path(key), flags)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and mine in os.read(fd, 300)
    except OSError:
        return False
    finally:
        os.close(fd)


def _undecoded(key: str) -> Entry | None:
    """The entry for ``key`` with only its head decoded (not its items)."""
    payload = _read(key)
    if payload is None:
        return None
    raw, start, stop = payload
    first = raw.find(b"\n", start, stop)
    try:
        head = json.loads(raw[start:first] + b"]}") if first > 0 else None
    except (ValueError, RecursionError):
        return None
    if head is None or not _well_shaped(head, None, decoded=False) or not head["chunks"]:
        return None
    entry = Entry(key, head["source"], head["context"], head["chunks"], head["spans"], None, payload, end=head["end"])
    return entry if len(entry.lines()) == len(entry.chunks) else None


def _well_shaped(entry: Any, size: int | None, decoded: bool = True) -> bool:
    """Whether an entry holds what ``put`` stores: data shaped like a loaded file (the model's
    required fields there, each item a mapping with an id), one chunk record and one
    ``[start, end)`` span per item (or none), spans in order and inside the file. Not
    ``decoded``: its items are not read yet (``items`` is empty), so not checked."""
    if not isinstance(entry, dict) or set(entry) != _PAYLOAD_KEYS:
        return False
    data, items, spans, chunks = entry["data"], entry["items"], entry["spans"], entry["chunks"]
    if not isinstance(entry["source"], str) or not isinstance(entry["context"], str):
        return False
    if type(entry["end"]) is not int or entry["end"] < 0 or (size is not None and entry["end"] > size):
        return False
    if not isinstance(data, dict) or not isinstance(spans, list) or not isinstance(chunks, list):
        return False
    if any(data.get(key) is None for key in required_of(DataFile) if key != "demands"):
        return False
    if not isinstance(data.get("parties"), dict) or (items is None) != ("demands" not in data):
        return False
    if data.get("demands") is not None or not isinstance(items, (list, type(None))):
        return False
    if items and not items_shaped(items):
        return False
    count = len(items or []) if decoded else len(chunks)
    if items is not None and ((spans and len(spans) != count) or (chunks and len(chunks) != count)):
        return False
    if chunks and not decoded and not _chunks_shaped(chunks):
        return False  # (a decoded entry's are checked when used: Entry.chunks)
    return not spans or _spans_shaped(spans, size)


def _spans_shaped(spans: list[Any], size: int | None) -> bool:
    """Whether spans are ``[start, end)`` pairs of offsets, in order, not overlapping, inside
    the file (``size`` bytes long, when given)."""
    from operator import le, lt

    if set(map(type, spans)) != {list} or set(map(len, spans)) != {2}:
        return False
    starts, ends = zip(*spans, strict=True)
    if set(map(type, starts)) | set(map(type, ends)) != {int} or starts[0] < 0:
        return False
    if not all(map(lt, starts, ends)) or not all(map(le, ends, starts[1:])):
        return False
    return size is None or ends[-1] <= size


def _chunks_shaped(chunks: list[Any]) -> bool:
    """Whether each chunk record is ``[32 hex digits, an offset or -1]``."""
    if set(map(type, chunks)) != {list} or set(map(len, chunks)) != {2}:
        return False
    keys, ends = zip(*chunks, strict=True)
    if set(map(type, keys)) != {str} or set(map(type, ends)) != {int} or min(ends) < -1:
        return False
    return _CHUNK_KEYS.fullmatch("".join(keys)) is not None


def items_shaped(items: list[Any]) -> bool:
    """Whether every item is a mapping whose id and other required fields (the model's) are
    names or text, or lists of them: what every loaded item is."""
    from operator import methodcaller

    if set(map(type, items)) - {dict}:
        return False
    for key in dict.fromkeys(("id", *required_of(Item))):
        values = list(map(methodcaller("get", key), items))
        kinds = set(map(type, values))
        if kinds == {str}:
            continue
        if key == "id" or kinds - {str, list}:
            return False
        lists = [value for value in values if type(value) is list]
        if set(map(type, (v for value in lists for v in value))) - {str}:
            return False
    return True


def put(
    key: str,
    data: Any,
    spans: list[list[int]] | None,
    *,
    source: str = "",
    context: str = "",
    end: int = 0,
    chunks: list[list[Any]] | None = None,
    lines: Sequence[bytes | memoryview] | None = None,
) -> None:
    """Store an entry for the version ``key`` of a file (``data``, its items' ``spans``, and
    how it was chunked: ``end`` of its list of items and ``chunks``, see ``Entry``); ``lines``, each item's JSON when known already (from
    the entry of an earlier version), saves encoding them again. Silently does nothing when
    the cache is off or its folder cannot be written."""
    if not enabled():
        return
    signing = secret()
    if signing is None:
        return
    import hmac

    try:
        rest = dict(data)
        items = rest.get("demands") if "demands" in rest else None
        if "demands" in rest:
            rest["demands"] = None
        if items is not None and not isinstance(items, list):
            return
        if lines is None or items is None or len(lines) != len(items):
            lines = [dumps(item).encode("utf-8") for item in items or []]
        head = dumps(
            {
                "source": source,
                "context": context,
                "end": end,
                "chunks": chunks or [],
                "spans": spans or [],
                "data": rest,
            }
        )
        pieces: list[bytes | memoryview] = [head[:-1].encode("utf-8")]
        if items is None:
            pieces.append(b',"items":null}')
        else:
            pieces.append(b',"items":[\n')
            for n, line in enumerate(lines):
                pieces += [b",\n", line] if n else [line]
            pieces.append(b"\n]}")
        digest = hmac.new(signing, digestmod="sha256")
        for piece in pieces:
            digest.update(piece)

        def write(handle: IO[bytes]) -> None:
            handle.write(_header(key) + digest.hexdigest().encode("ascii") + _PAYLOAD)
            handle.writelines(pieces)
            handle.write(b"}")

        from .atomic import write_private

        folder = directory()
        write_private(folder, f"{key}{SUFFIX}", write)  # never through a link: see the module doc
        _prune(folder)
    except (OSError, TypeError, ValueError, DemandsError):
        return


def dumps(value: Any) -> str:
    """``value`` as compact JSON, non-ASCII text as it is: how an entry writes data."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _ours(path: Path) -> bool:
    """Whether a file in the cache folder is an entry this cache wrote (by name; an old-style
    ``<key>.json`` entry also by how it begins)."""
    if _ENTRY_NAME.match(path.name):
        return True
    if not _OLD_NAME.match(path.name):
        return False
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)  # never a link followed, never a FIFO waited on
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, len(_OLD_START)) == _OLD_START
    except OSError:
        return False
    finally:
        os.close(fd)


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
