"""The data file on disk: find it, load and validate it, and replace it safely.

Writes hold an exclusive ``flock`` on a sibling lock file across read-modify-write,
write a temporary file in the same directory, fsync it, rename it over the
target (through a symlink to its target, keeping the mode) and fsync the
directory. Every write records how to reverse it, for ``demands undo``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from yaml.nodes import Node

from . import validate, yamlio
from .edit import Editor, Splice, apply_splices, reverse_splices
from .errors import DemandsError, FileNotFound, InvalidFile, LockTimeout, Problem, UnknownId
from .model import DataFile, Item, Vocabulary, natural_key, vocabulary

CANDIDATES = ("data/demands.yaml", "demands.yaml")
#: A demands file larger than this is refused before parsing (100,000 items take about 70 MB).
MAX_BYTES = int(os.environ.get("DEMANDS_MAX_BYTES", str(512 * 1024 * 1024)))
UNDO_LEVELS = 20
T = TypeVar("T")


def find_file(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """``--file``, else ``$DEMANDS_FILE``, else data/demands.yaml or demands.yaml upward from cwd."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("DEMANDS_FILE")
    if env:
        return Path(env)
    start = (cwd or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        for name in CANDIDATES:
            candidate = directory / name
            if candidate.is_file():
                shown = os.path.relpath(candidate)
                return Path(shown) if not shown.startswith("..") else candidate
    raise FileNotFound(
        f"no demands file: looked for {' or '.join(CANDIDATES)} in {start} and its parents; "
        "run 'demands init' to start one, or pass --file PATH"
    )


@dataclass
class Document:
    """A loaded, validated demands file with the text and node tree it came from."""

    path: Path
    text: str
    data: DataFile
    node: Node | None = None
    bom: bool = False
    newline: str = "\n"
    _index: dict[str, int] | None = field(default=None, repr=False)

    @property
    def items(self) -> list[Item]:
        return self.data.get("demands") or []

    @property
    def vocab(self) -> Vocabulary:
        return vocabulary(self.data)

    def position(self, index: int) -> int:
        return self.index()[self.items[index]["id"].lower()]

    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {item["id"].lower(): i for i, item in enumerate(self.items)}
        return self._index

    def find(self, item_id: str) -> int:
        """The list index of ``item_id`` (any case); UnknownId with suggestions if none."""
        found = self.index().get(item_id.lower())
        if found is None:
            raise UnknownId(unknown_id_message(item_id, [i["id"] for i in self.items]))
        return found

    def item(self, item_id: str) -> Item:
        return self.items[self.find(item_id)]


def unknown_id_message(item_id: str, ids: list[str]) -> str:
    import difflib

    lowered = {i.lower(): i for i in ids}
    close = difflib.get_close_matches(item_id.lower(), list(lowered), n=3, cutoff=0.5)
    prefix = [i for i in ids if i.lower().startswith(item_id.lower().split("-")[0] + "-")]
    names = [lowered[c] for c in close] or sorted(prefix, key=natural_key)[:3]
    hint = f"; did you mean {', '.join(names)}?" if names else "; 'demands list --format ids' lists them"
    return f"no item with id {item_id!r}{hint}"


def read_text(path: Path) -> tuple[str, bool, str]:
    """(text without BOM, had BOM, newline) of a UTF-8 file, with clear errors."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DemandsError(
                f"{path}: {size:,} bytes is over the limit of {MAX_BYTES:,}; set DEMANDS_MAX_BYTES to allow it"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFound(f"{path}: no such file; run 'demands init {path}' to start one") from None
    except IsADirectoryError:
        raise DemandsError(f"{path}: is a directory, not a demands file") from None
    except PermissionError:
        raise DemandsError(f"{path}: permission denied; check the file's permissions") from None
    except OSError as err:
        raise DemandsError(f"{path}: cannot read: {err.strerror or err}") from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    if bom:
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise InvalidFile(
            [Problem(str(path), line, 1, f"not UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8")]
        ) from None
    first = text.find("\n")
    newline = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
    return text, bom, newline


def parse(text: str, path: Path, *, bom: bool = False, newline: str = "\n") -> Document:
    """Parse and validate ``text``; InvalidFile lists every problem with its line and column."""
    label = str(path)
    data, node = yamlio.parse(text, label)
    if data is None:
        raise InvalidFile([Problem(label, 1, 1, "the file is empty; run 'demands init' for a skeleton")])
    found = validate.check(data, lambda p: yamlio.scalar_text(node, p))
    if found:
        raise InvalidFile(locate(found, node, label))
    return Document(path, text, data, node, bom, newline)


def locate(found: validate.Found, node: Node | None, label: str) -> list[Problem]:
    problems = []
    for where, message in found:
        target, key_node = yamlio.node_at(node, where)
        mark_node = key_node if key_node is not None and where and isinstance(where[-1], str) else target
        mark = mark_node.start_mark if mark_node is not None else None
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problems.append(Problem(label, line, col, message))
    problems.sort(key=lambda p: (p.line, p.column))
    return problems


def load(path: Path) -> Document:
    text, bom, newline = read_text(path)
    return parse(text, path, bom=bom, newline=newline)


# --- source quotes --------------------------------------------------------------------------


def resolve_doc(doc: str, base: Path) -> Path | None:
    """A source document named relative to the data file's folder or any folder above it."""
    candidate = Path(doc)
    if candidate.is_absolute():
        return candidate if candidate.is_file() else None
    for directory in (base, *base.parents):
        if (directory / candidate).is_file():
            return directory / candidate
    return None


def check_quotes(document: Document, only: set[str] | None = None) -> list[Problem]:
    """Each item's ``source.quote`` must occur in its local ``source.doc`` (whitespace-insensitive)."""
    base = document.path.resolve().parent
    texts: dict[str, str | None] = {}
    found: validate.Found = []
    for i, item in enumerate(document.items):
        if only is not None and item["id"].lower() not in only:
            continue
        source = item.get("source") or {}
        doc = source.get("doc")
        if not doc or "://" in doc:
            continue
        if doc not in texts:
            resolved = resolve_doc(doc, base)
            try:
                texts[doc] = validate.normalize_space(resolved.read_text(encoding="utf-8")) if resolved else None
            except (OSError, UnicodeDecodeError):
                texts[doc] = None
        text = texts[doc]
        path = ("demands", i, "source")
        if text is None:
            found.append((path + ("doc",), f"{item['id']} source.doc: document {doc!r} not found or not readable text"))
            continue
        quote = source.get("quote")
        if quote and validate.normalize_space(quote) not in text:
            found.append((path + ("quote",), f"{item['id']} source.quote: quote not found in {doc}"))
    return locate(found, document.node, str(document.path))


# --- writing ---------------------------------------------------------------------------------


def _lock_timeout() -> float:
    try:
        return float(os.environ.get("DEMANDS_LOCK_TIMEOUT", "10"))
    except ValueError:
        return 10.0


def lock_path(path: Path) -> Path:
    target = Path(os.path.realpath(path))
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path``'s sibling lock file, waiting at most ``timeout`` seconds."""
    import fcntl

    wait = _lock_timeout() if timeout is None else timeout
    lock = lock_path(path)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as err:
        raise DemandsError(f"cannot write in {lock.parent}: {err.strerror}; check the folder's permissions") from None
    try:
        deadline = time.monotonic() + wait
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    # No advice to delete the lock file: a flock dies with its process, so the
                    # file is never stale, and deleting it under a live holder lets two writers in.
                    raise LockTimeout(
                        f"{path} is locked by another process (waited {wait:g} s); "
                        f"try again when it has finished (it holds {lock})"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        yield
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` (through a symlink, to its target) with ``data``, atomically and durably."""
    target = Path(os.path.realpath(path))
    directory = target.parent
    owner: tuple[int, int] | None = None
    try:
        info = target.stat()
        mode = info.st_mode & 0o7777
        owner = (info.st_uid, info.st_gid)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    # Root passes os.access whatever the mode, so a file with no write bit counts as read-only too.
    if target.exists() and (not os.access(target, os.W_OK) or not mode & 0o222):
        raise DemandsError(f"{path}: the file is read-only; nothing was changed")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise DemandsError(f"cannot write in {directory}: {err.strerror}; nothing was changed") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                # Keep the owner too (root editing someone's file); others may only keep a group.
                with contextlib.suppress(OSError):
                    os.fchown(handle.fileno(), *owner)
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def encode(text: str, bom: bool) -> bytes:
    return ("\ufeff" + text if bom else text).encode("utf-8")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- undo journal ----------------------------------------------------------------------------


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "tradedemands" / "undo"


def journal_path(path: Path) -> Path:
    key = hashlib.sha256(os.path.realpath(path).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return state_dir() / f"{key}.json"


def read_journal(path: Path) -> list[dict[str, Any]]:
    try:
        entries = json.loads(journal_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return entries if isinstance(entries, list) else []


def write_journal(path: Path, entries: list[dict[str, Any]]) -> bool:
    """Save the undo journal; False (and no exception) when the state folder is unwritable."""
    journal = journal_path(path)
    try:
        journal.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".journal.", dir=journal.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entries[-UNDO_LEVELS:], handle)
        os.replace(tmp, journal)
    except OSError:
        return False
    return True


# --- transactions ----------------------------------------------------------------------------


def transact(path: Path, change: Callable[[Document, Editor], T], what: str) -> tuple[T, bool]:
    """Run ``change`` on the file under its lock and write the result safely.

    The new text is re-parsed, validated and compared with the intended data
    before it replaces the file; new or changed source quotes are checked.
    Returns ``change``'s result and whether the file was written.
    """
    with locked(path):
        doc = load(path)
        if doc.node is None:
            raise DemandsError(f"{path}: the file is empty; run 'demands init' for a skeleton")
        editor = Editor.of(doc.text, doc.node, doc.data, doc.newline)
        result = change(doc, editor)
        if not editor.splices:
            return result, False
        new_text = editor.result()
        try:
            new_doc = parse(new_text, path, bom=doc.bom, newline=doc.newline)
        except InvalidFile as err:
            raise DemandsError(
                f"refusing to write: the result would not be valid ({err.problems[0].message}); nothing was changed"
            ) from None
        if new_doc.data != editor.data:
            raise DemandsError(
                "internal error: the edited file does not read back as intended; nothing was changed (please report this)"
            )
        touched = _sources_changed(doc, new_doc)
        if touched:
            problems = check_quotes(new_doc, touched)
            if problems:
                raise DemandsError(f"refusing to write: {problems[0].message}; nothing was changed")
        atomic_write(path, encode(new_text, doc.bom))
        reverse = reverse_splices(doc.text, editor.splices)
        journal = read_journal(path)
        journal.append(
            {
                "what": what,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "before": sha(doc.text),
                "after": sha(new_text),
                "splices": [[s.start, s.end, s.text] for s in reverse],
            }
        )
        write_journal(path, journal)
    return result, True


def _sources_changed(old: Document, new: Document) -> set[str]:
    before = {item["id"].lower(): item.get("source") for item in old.items}
    return {
        item["id"].lower()
        for item in new.items
        if item.get("source") and before.get(item["id"].lower()) != item.get("source")
    }


def undo(path: Path) -> str:
    """Revert the last write this tool made to ``path``; returns what it undid."""
    with locked(path):
        journal = read_journal(path)
        if not journal:
            raise DemandsError(f"nothing to undo: no write by demands to {path} is recorded")
        last = journal[-1]
        text, bom, _newline = read_text(path)
        if sha(text) != last.get("after"):
            raise DemandsError(
                f"{path} changed since demands last wrote it ({last.get('what')}); "
                "undo refuses to overwrite those changes: use git to restore an older version"
            )
        splices = [Splice(int(a), int(b), str(t), n) for n, (a, b, t) in enumerate(last.get("splices", []))]
        before = apply_splices(text, splices)
        if sha(before) != last.get("before"):
            raise DemandsError("the undo record is damaged; nothing was changed: use git to restore an older version")
        atomic_write(path, encode(before, bom))
        journal.pop()
        write_journal(path, journal)
    return str(last.get("what"))
