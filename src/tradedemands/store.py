"""The data file on disk: find it, load and validate it, and replace it safely.

Writes hold an exclusive ``flock`` on a sibling lock file across read-modify-write,
write a temporary file in the same directory, fsync it, rename it over the
target (through a symlink to its target, keeping the mode) and fsync the
directory. Every write records how to reverse it, for ``demands undo``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from yaml.nodes import Node, SequenceNode

if TYPE_CHECKING:
    from .edit import Editor, Splice

from . import cache, validate, yamlio
from .errors import DemandsError, FileNotFound, InvalidFile, LockTimeout, Problem, UnknownId
from .model import DataFile, Item, Vocabulary, fold, natural_key, vocabulary

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
    #: Each item's ``[start, end)`` in ``text`` (from the cache; empty when not known).
    spans: list[list[int]] = field(default_factory=list, repr=False)
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
        """Item ids, folded (``model.fold``; ids are ASCII, so lower case), to list indexes."""
        if self._index is None:
            self._index = {item["id"].lower(): i for i, item in enumerate(self.items)}
        return self._index

    def find(self, item_id: str) -> int:
        """The list index of ``item_id`` (any case); UnknownId with suggestions if none."""
        found = self.index().get(fold(item_id))
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


def read_raw(path: Path) -> bytes:
    """The bytes of a data file, with one clear error for each way reading can fail."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DemandsError(
                f"{path}: {size:,} bytes is over the limit of {MAX_BYTES:,}; set DEMANDS_MAX_BYTES to allow it"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise FileNotFound(f"{path}: no such file; run 'demands init {path}' to start one") from None
    except IsADirectoryError:
        raise DemandsError(f"{path}: is a directory, not a demands file") from None
    except PermissionError:
        raise DemandsError(f"{path}: permission denied; check the file's permissions") from None
    except OSError as err:
        raise DemandsError(f"{path}: cannot read: {err.strerror or err}") from None


def decode(raw: bytes, path: Path) -> tuple[str, bool, str]:
    """(text without BOM, had BOM, newline) of UTF-8 bytes."""
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


def read_text(path: Path) -> tuple[str, bool, str]:
    """(text without BOM, had BOM, newline) of a UTF-8 file, with clear errors."""
    return decode(read_raw(path), path)


def parse(text: str, path: Path, *, bom: bool = False, newline: str = "\n", sources: bool = False) -> Document:
    """Parse and validate ``text``; InvalidFile lists every problem with its line and column.

    ``sources`` also checks that each quote occurs in its document, reported with the rest.
    """
    label = str(path)
    data, node = yamlio.parse(text, label)
    if data is None:
        raise InvalidFile([Problem(label, 1, 1, "the file is empty; run 'demands init' for a skeleton")])
    found = validate.check(data, lambda p: yamlio.scalar_text(node, p))
    if sources:
        found += quote_problems(data, path.resolve().parent)
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


def load(path: Path, *, tree: bool = False) -> Document:
    """Load and validate a data file, from the parse cache when its bytes were seen before.

    ``tree``: also the YAML node tree (never from the cache), for error positions and edits
    that need more than the items' own lines.
    """
    return from_bytes(read_raw(path), path, tree=tree)


def from_bytes(raw: bytes, path: Path, *, tree: bool = False) -> Document:
    """A Document from a file's bytes (``path`` names it in messages), through the cache.

    Files smaller than the cache's threshold parse faster than a cache lookup; they skip it.
    """
    use_cache = len(raw) >= cache.min_bytes()
    key = cache.key_of(raw) if use_cache else ""
    entry = cache.get(key, len(raw)) if use_cache and not tree else None
    text, bom, newline = decode(raw, path)
    if entry is not None:
        return Document(path, text, entry["data"], None, bom, newline, entry["spans"])
    doc = parse(text, path, bom=bom, newline=newline)
    if use_cache:
        from .edit import item_spans

        doc.spans = item_spans(text, doc.node)
        cache.put(key, doc.data, doc.spans)
    return doc


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


def quote_problems(data: Any, base: Path, only: set[str] | None = None) -> validate.Found:
    """Each item's ``source.quote`` must occur in its local ``source.doc`` (whitespace-insensitive).

    Tolerates a file with other problems, so that ``validate`` reports everything at once.
    """
    texts: dict[str, str | None] = {}
    found: validate.Found = []
    items = data.get("demands") if isinstance(data, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        label = item.get("id") if isinstance(item.get("id"), str) else f"item {i + 1}"
        if only is not None and str(label).lower() not in only:
            continue
        source = item.get("source")
        doc = source.get("doc") if isinstance(source, dict) else None
        if not isinstance(doc, str) or not doc or "://" in doc:
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
            found.append((path + ("doc",), f"{label} source.doc: document {doc!r} not found or not readable text"))
            continue
        quote = source.get("quote") if isinstance(source, dict) else None
        if isinstance(quote, str) and quote and validate.normalize_space(quote) not in text:
            found.append((path + ("quote",), f"{label} source.quote: quote not found in {doc}"))
    return found


def check_quotes(document: Document, only: set[str] | None = None) -> list[Problem]:
    """The quote problems of a loaded document, located in its text."""
    found = quote_problems(document.data, document.path.resolve().parent, only)
    return locate(found, document.node, str(document.path))


# --- writing ---------------------------------------------------------------------------------


def _lock_timeout() -> float:
    try:
        return float(os.environ.get("DEMANDS_LOCK_TIMEOUT", "10"))
    except ValueError:
        return 10.0


def lock_path(path: Path) -> Path:
    """What a writer locks: the folder holding the file (through a symlink, the target's folder).

    A lock on the folder survives ``os.replace`` of the file (a lock on the file itself would
    not) and leaves no lock file behind to show up in ``git status``.
    """
    return Path(os.path.realpath(path)).parent


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the file's folder, waiting at most ``timeout`` seconds.

    The lock dies with its process, so a killed writer never leaves a stale lock.
    """
    import fcntl

    wait = _lock_timeout() if timeout is None else timeout
    lock = lock_path(path)
    try:
        fd = os.open(lock, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        raise DemandsError(f"cannot lock {lock}: {err.strerror}; check the folder's permissions") from None
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
                    raise LockTimeout(
                        f"{path} is being changed by another process (waited {wait:g} s); "
                        "try again when it has finished, or set DEMANDS_LOCK_TIMEOUT to wait longer"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        yield
    finally:
        os.close(fd)


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files a killed writer left (only writers holding the lock make them)."""
    target = Path(os.path.realpath(path))
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


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
    import tempfile

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
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- undo journal ----------------------------------------------------------------------------


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "tradedemands" / "undo"


def journal_path(path: Path) -> Path:
    import hashlib

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
    import tempfile

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


def transact(path: Path, change: Callable[[Document, Editor], T], what: str | Callable[[T], str]) -> tuple[T, bool]:
    """Run ``change`` on the file under its lock and write the result safely.

    The result is checked before it replaces the file: with a warm parse cache, the lines
    of the items that changed are re-parsed and compared with the intended items and the
    whole intended data is validated; otherwise the whole new text is re-parsed, validated
    and compared. New or changed source quotes are checked. ``what`` (or ``what(result)``)
    names the change in the undo journal. Returns ``change``'s result and whether the file
    was written.
    """
    from .edit import Editor, lazy_root, reverse_splices

    with locked(path):
        _remove_stale_temporaries(path)
        doc = load(path)
        warm = doc.node is None
        root = lazy_root(doc.text, doc.spans) if warm and doc.spans else None
        if warm and root is None:
            doc = load(path, tree=True)
            warm = False
        editor = Editor.of(doc.text, root if root is not None else doc.node, doc.data, doc.newline)  # type: ignore[arg-type]
        result = change(doc, editor)
        if not editor.splices:
            return result, False
        new_text = editor.result()
        spans = _check_regions(doc, editor, new_text) if warm else None
        if spans is None:
            spans = _check_whole(doc, editor, new_text)
        touched = _sources_changed(doc.data, editor.data)
        if touched:
            found = quote_problems(editor.data, doc.path.resolve().parent, touched)
            if found:
                raise DemandsError(f"refusing to write: {found[0][1]}; nothing was changed")
        raw = encode(new_text, doc.bom)
        atomic_write(path, raw)
        reverse = reverse_splices(doc.text, editor.splices)
        journal = read_journal(path)
        journal.append(
            {
                "what": what(result) if callable(what) else what,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "before": sha(doc.text),
                "after": sha(new_text),
                "splices": [[s.start, s.end, s.text] for s in reverse],
            }
        )
        write_journal(path, journal)
        if len(raw) >= cache.min_bytes():
            cache.put(cache.key_of(raw), editor.data, spans)
    return result, True


def _refuse(err: InvalidFile) -> DemandsError:
    return DemandsError(
        f"refusing to write: the result would not be valid ({err.problems[0].message}); nothing was changed"
    )


_MISREAD = "internal error: the edited file does not read back as intended; nothing was changed (please report this)"


def _check_whole(doc: Document, editor: Editor, new_text: str) -> list[list[int]]:
    """Re-parse the whole new text: it must validate and equal the intended data."""
    try:
        new_doc = parse(new_text, doc.path, bom=doc.bom, newline=doc.newline)
    except InvalidFile as err:
        raise _refuse(err) from None
    if new_doc.data != editor.data:
        raise DemandsError(_MISREAD)
    from .edit import item_spans

    return item_spans(new_text, new_doc.node)


def _check_regions(doc: Document, editor: Editor, new_text: str) -> list[list[int]] | None:
    """Check a warm edit by re-parsing only the lines of the items it touched.

    Every splice must fall inside one item's lines (an insertion at an item's end belongs
    to it); each touched region, re-parsed alone, must hold exactly the intended items; the
    rest of the text is untouched by construction. Returns the items' new spans, or None
    when the edit is not of that shape (the caller then checks the whole text).
    """
    import bisect

    from .edit import Splice, apply_splices

    spans = doc.spans
    starts = [s[0] for s in spans]
    touched: dict[int, list[Splice]] = {}
    for splice in editor.splices:
        if splice.start == splice.end:
            k = bisect.bisect_left(starts, splice.start) - 1
            inside = k >= 0 and splice.start <= spans[k][1]
        else:
            k = bisect.bisect_right(starts, splice.start) - 1
            inside = k >= 0 and splice.end <= spans[k][1]
        if not inside:
            return None
        touched.setdefault(k, []).append(splice)
    intended = editor.data.get("demands") or []
    by_id = {item["id"].lower(): item for item in intended}
    old_ids = {item["id"].lower() for item in doc.items}
    added = [item for item in intended if item["id"].lower() not in old_ids]
    new_spans: list[list[int]] = []
    delta = 0
    for k, (start, end) in enumerate(spans):
        if k not in touched:
            new_spans.append([start + delta, end + delta])
            continue
        local = [Splice(s.start - start, s.end - start, s.text, s.order) for s in touched[k]]
        region = apply_splices(doc.text[start:end], local)
        expected = [by_id[key] for key in [doc.items[k]["id"].lower()] if key in by_id]
        if k == len(spans) - 1:
            expected += added
        try:
            items, nodes = _parse_region(doc, region)
        except InvalidFile as err:
            raise _refuse(err) from None
        if items != expected:
            return None
        base = start + delta
        new_spans += [[base + a, base + b] for a, b in nodes]
        delta += len(region) - (end - start)
    if len(new_spans) != len(intended):
        return None
    found = validate.check(editor.data)
    if found:
        _where, message = found[0]
        raise DemandsError(f"refusing to write: the result would not be valid ({message}); nothing was changed")
    return new_spans if len(new_spans) >= 2 else []


def _parse_region(doc: Document, region: str) -> tuple[list[Any], list[tuple[int, int]]]:
    """The items in one region's text, read as a cold load would read them (text fields as
    written), with their spans in the region."""
    if not region.strip():
        return [], []
    items, node = yamlio.parse(region, str(doc.path))
    if not isinstance(items, list) or not isinstance(node, SequenceNode):
        raise DemandsError(_MISREAD)
    context = {key: value for key, value in doc.data.items() if key != "demands"}
    context["demands"] = items
    validate.check(context, lambda p: yamlio.scalar_text(node, p[1:]) if p and p[0] == "demands" else None)
    from .edit import _after_content, _line_start

    spans = [(_line_start(region, n.start_mark.index), _after_content(region, n)) for n in node.value]
    return items, spans


def _sources_changed(old: Any, new: Any) -> set[str]:
    before = {item["id"].lower(): item.get("source") for item in old.get("demands") or []}
    return {
        item["id"].lower()
        for item in new.get("demands") or []
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
        from .edit import Splice, apply_splices

        splices = [Splice(int(a), int(b), str(t), n) for n, (a, b, t) in enumerate(last.get("splices", []))]
        before = apply_splices(text, splices)
        if sha(before) != last.get("before"):
            raise DemandsError("the undo record is damaged; nothing was changed: use git to restore an older version")
        atomic_write(path, encode(before, bom))
        journal.pop()
        write_journal(path, journal)
    return str(last.get("what"))
