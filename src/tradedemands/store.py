"""The data file on disk: find it, load and validate it, and replace it safely.

Writes hold an exclusive ``flock`` on the file's folder across read-modify-write,
write a temporary file in the same directory, fsync it, rename it over the
target (through a symlink to its target, keeping the mode) and fsync the
directory (``safeio.replace``). Every write records how to reverse it, for
``demands undo``. Reads take regular files only, never more than the size bound
(``safeio.read_regular``); source documents are read only inside the project.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from yaml.nodes import Node, SequenceNode

if TYPE_CHECKING:
    from .edit import Editor, Splice

from . import cache, portable, safeio, settings, validate, yamlio
from .errors import DemandsError, FileNotFound, InvalidFile, LockTimeout, Problem, UnknownId
from .escape import clip, quoted
from .model import DataFile, Item, Vocabulary, fold, natural_key, vocabulary

CANDIDATES = ("data/demands.yaml", "demands.yaml")
#: A local source document larger than this is refused unread (SPEC §2).
MAX_DOC_BYTES = 64 * 1024 * 1024
UNDO_LEVELS = 20
T = TypeVar("T")
#: Called with a one-line warning (undo journal not written, ...); the CLI prints it on stderr.
Warn = Callable[[str], None]


class JournalWarning(UserWarning):
    """A write succeeded but its undo record could not be kept (reported, never silent)."""


def _warn(message: str) -> None:
    warnings.warn(message, JournalWarning, stacklevel=3)


def find_file(explicit: str | None = None, cwd: Path | None = None) -> Path:
    """``--file``, else ``$DEMANDS_FILE``, else data/demands.yaml or demands.yaml upward from cwd."""
    if explicit:
        return Path(explicit)
    env = settings.data_file()
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
    """The bytes of a data file, with one clear error for each way reading can fail.

    Only a regular file (or a symlink to one) is read, and never more than
    ``DEMANDS_MAX_BYTES``: a directory, FIFO or device is refused before it is opened.
    """
    try:
        return safeio.read_regular(
            path, settings.max_bytes(), label=str(path), hint="; set DEMANDS_MAX_BYTES to allow it"
        )
    except safeio.NotRegular as err:
        raise DemandsError(f"{path}: is {err.kind}, not a demands file") from None
    except FileNotFoundError:
        raise FileNotFound(f"{path}: no such file; run 'demands init {path}' to start one") from None
    except IsADirectoryError:
        raise DemandsError(f"{path}: is a directory, not a demands file") from None
    except PermissionError:
        raise DemandsError(f"{path}: permission denied; check the file's permissions") from None
    except OSError as err:
        raise DemandsError(f"{path}: cannot read: {safeio.cause(err)}") from None


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


def project_root(folder: Path) -> Path:
    """The project a data file in ``folder`` belongs to (SPEC §2), as a real path.

    The git work tree that holds it (the nearest folder above with a ``.git``, found
    without running git), else the folder holding ``data/`` for a file in a folder named
    ``data``, else the folder itself.
    """
    real = Path(os.path.realpath(folder))
    for directory in (real, *real.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return real.parent if real.name == "data" else real


def resolve_doc(doc: str, base: Path, root: Path | None = None) -> Path | str:
    """A local source document: the real path of a file inside the project, or why not.

    ``doc`` is relative to the data file's folder ``base`` or a folder above it, up to
    the project ``root`` (default ``project_root(base)``) and never beyond. Returns the
    path, or the reason it is refused as words for a message: absolute, outside the
    project (by ``..`` or through a symlink), not found. The reason never depends on what
    a file outside the project holds, nor on whether it exists. The caller still reads
    it with ``safeio.read_regular`` (regular files only, bounded).
    """
    base = Path(os.path.realpath(base))
    top = str(root if root is not None else project_root(base))
    if not doc or "\0" in doc:
        return "is not a file name"
    if os.path.isabs(doc) or doc == "~" or doc.startswith("~/"):
        return f"is an absolute path; name a file inside the project ({top}), relative to the data file"
    levels = [d for d in (base, *base.parents) if safeio.within(str(d), top)]
    outside = 0
    for directory in levels:
        real = os.path.realpath(directory / doc)
        if not safeio.within(real, top):
            outside += 1
            continue
        if os.path.lexists(real):
            return Path(real)
    if outside:
        return f"is outside the project ({top}); source documents must be inside it"
    return "not found"


def read_doc(doc: str, base: Path, root: Path | None = None) -> str:
    """The text of a local source document, whitespace-normalised; DemandsError saying why not.

    Only a regular file inside the project, of at most ``MAX_DOC_BYTES``, checked before
    it is opened (no device, FIFO or symlink out of the project is ever opened); the
    message for a refused file never depends on what it holds.
    """
    top = root if root is not None else project_root(base)
    found = resolve_doc(doc, base, top)
    shown = f"document {quoted(doc)}"
    if isinstance(found, str):
        raise DemandsError(f"{shown} {found}")
    try:
        raw = safeio.read_regular(found, MAX_DOC_BYTES, label=shown, follow=False, inside=str(top))
    except safeio.NotRegular as err:
        raise DemandsError(f"{shown} is {err.kind}, not a regular file") from None
    except safeio.TooLarge:
        raise DemandsError(f"{shown} is larger than {MAX_DOC_BYTES // (1024 * 1024)} MiB") from None
    except FileNotFoundError:
        raise DemandsError(f"{shown} not found") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise DemandsError(f"{shown} changed while being opened; try again") from None
        raise DemandsError(f"{shown} cannot be read ({safeio.cause(err)})") from None
    try:
        return validate.normalize_space(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DemandsError(f"{shown} is not UTF-8 text") from None


def quote_problems(data: Any, base: Path, only: set[str] | None = None) -> validate.Found:
    """Each item's ``source.quote`` must occur in its local ``source.doc`` (whitespace-insensitive).

    ``base`` is the data file's folder; documents are read only inside its project (see
    ``read_doc``). Tolerates a file with other problems, so that ``validate`` reports
    everything at once.
    """
    root = project_root(base)
    texts: dict[str, str | DemandsError] = {}
    found: validate.Found = []
    items = data.get("demands") if isinstance(data, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        iid = item["id"] if isinstance(item.get("id"), str) else f"item {i + 1}"
        label = clip(iid, 60)
        if only is not None and iid.lower() not in only:
            continue
        source = item.get("source")
        doc = source.get("doc") if isinstance(source, dict) else None
        if not isinstance(doc, str) or not doc or "://" in doc:
            continue
        if doc not in texts:
            try:
                texts[doc] = read_doc(doc, base, root)
            except DemandsError as err:
                texts[doc] = err
        text = texts[doc]
        path = ("demands", i, "source")
        if isinstance(text, DemandsError):
            found.append((path + ("doc",), f"{label} source.doc: {text}"))
            continue
        quote = source.get("quote") if isinstance(source, dict) else None
        if isinstance(quote, str) and quote and validate.normalize_space(quote) not in text:
            found.append((path + ("quote",), f"{label} source.quote: quote not found in {clip(doc)}"))
    return found


def check_quotes(document: Document, only: set[str] | None = None) -> list[Problem]:
    """The quote problems of a loaded document, located in its text."""
    found = quote_problems(document.data, document.path.resolve().parent, only)
    return locate(found, document.node, str(document.path))


# --- writing ---------------------------------------------------------------------------------


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


def atomic_write(path: Path, data: bytes, then: Callable[[], None] | None = None) -> None:
    """Replace ``path`` (through a symlink, to its target) with ``data``, atomically and durably.

    ``then`` runs right after the rename, with signals held off (the undo record). Raises
    DemandsError naming the file, the cause and that it is unchanged (read-only, disk
    full, permission denied, ...); a signal leaves the old file and no temporary file.
    """
    safeio.replace(path, data, label=str(path), then=then)


def encode(text: str, bom: bool) -> bytes:
    return ("\ufeff" + text if bom else text).encode("utf-8")


def sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- undo journal ----------------------------------------------------------------------------


def state_dir() -> Path:
    return portable.state_home() / "undo"


def journal_path(path: Path) -> Path:
    import hashlib

    key = hashlib.sha256(os.path.realpath(path).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return state_dir() / f"{key}.json"


class JournalDamaged(DemandsError):
    """The undo journal is not one this tool wrote; it has been set aside (renamed)."""


def _journal_entry(entry: Any) -> bool:
    """Whether ``entry`` has the shape ``transact`` writes."""
    if not isinstance(entry, dict):
        return False
    if not all(isinstance(entry.get(key), str) for key in ("what", "before", "after")):
        return False
    splices = entry.get("splices")
    return isinstance(splices, list) and all(
        isinstance(s, list)
        and len(s) == 3
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in s[:2])
        and s[0] <= s[1]
        and isinstance(s[2], str)
        for s in splices
    )


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The undo entries recorded for the data file ``path``, oldest first ([] when none).

    A journal that is not this tool's (not JSON, truncated, ``[1,2,3]``...) is renamed
    to ``<journal>.damaged-<time>`` and JournalDamaged says so; one that cannot be read
    (permissions, a FIFO...) is DemandsError. Neither is ever an internal error.
    """
    journal = journal_path(path)
    try:
        raw = safeio.read_regular(journal, settings.max_bytes(), label=str(journal))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except safeio.TooLarge:
        raw = b""
    except safeio.NotRegular as err:
        raise DemandsError(f"cannot read the undo journal {journal}: it is {err.kind}") from None
    except OSError as err:
        raise DemandsError(f"cannot read the undo journal {journal}: {safeio.cause(err)}") from None
    try:
        entries = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        entries = None
    if isinstance(entries, list) and all(_journal_entry(e) for e in entries):
        return entries
    aside = _set_aside(journal)
    raise JournalDamaged(f"the undo journal {journal} was damaged (not a journal demands wrote); set aside{aside}")


def _set_aside(journal: Path) -> str:
    """Rename a damaged journal out of the way; `` as NAME`` for the message."""
    aside = journal.with_name(f"{journal.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    try:
        os.replace(journal, aside)
    except OSError as err:
        raise DemandsError(
            f"the undo journal {journal} is damaged and cannot be set aside ({safeio.cause(err)}); remove it"
        ) from None
    return f" as {aside.name}"


def write_journal(path: Path, entries: list[dict[str, Any]]) -> str | None:
    """Save the undo journal (its last UNDO_LEVELS entries); the reason when it cannot be
    written (state folder full, read-only, ...), else None. Never raises for that, and
    leaves no temporary file behind."""
    journal = journal_path(path)
    data = json.dumps(entries[-UNDO_LEVELS:]).encode("utf-8")
    try:
        journal.parent.mkdir(parents=True, exist_ok=True)
        safeio.replace(journal, data, label=str(journal), durable=False)
    except OSError as err:
        return f"cannot write the undo journal {journal}: {safeio.cause(err)}"
    except safeio.CannotWrite as err:
        return f"cannot write the undo journal {journal}: {err.reason}"
    except DemandsError as err:
        return str(err)
    return None


# --- transactions ----------------------------------------------------------------------------


def transact(
    path: Path,
    change: Callable[[Document, Editor], T],
    what: str | Callable[[T], str],
    warn: Warn | None = None,
) -> tuple[T, bool]:
    """Run ``change`` on the file under its lock and write the result safely.

    The result is checked before it replaces the file: with a warm parse cache, the lines
    of the items that changed are re-parsed and compared with the intended items and the
    whole intended data is validated; otherwise the whole new text is re-parsed, validated
    and compared. New or changed source quotes are checked. ``what`` (or ``what(result)``)
    names the change in the undo journal. Returns ``change``'s result and whether the file
    was written.

    An undo record that cannot be kept (state folder full or read-only, a damaged journal
    set aside) does not stop the write: ``warn`` gets one line saying so (default: a
    JournalWarning through ``warnings``). Raises DemandsError (the file unchanged) for
    everything else; a signal (``safeio.Interrupted``) leaves the old file and no
    temporary file.
    """
    from .edit import Editor, lazy_root, reverse_splices

    say = warn or _warn
    with safeio.writing(str(path)), locked(path):
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
        reverse = reverse_splices(doc.text, editor.splices)
        entry = {
            "what": what(result) if callable(what) else what,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "before": sha(doc.text),
            "after": sha(new_text),
            "splices": [[s.start, s.end, s.text] for s in reverse],
        }

        def record() -> None:
            _record(path, entry, say)
            if len(raw) >= cache.min_bytes():
                cache.put(cache.key_of(raw), editor.data, spans)

        atomic_write(path, raw, then=record)
    return result, True


def _record(path: Path, entry: dict[str, Any], warn: Warn) -> None:
    """Append ``entry`` to the undo journal; anything in the way is a warning, not a failure."""
    lost = "the change is written, but 'demands undo' cannot revert it"
    try:
        journal = read_journal(path)
    except JournalDamaged as err:
        warn(f"{err}: older changes cannot be undone")
        journal = []
    except DemandsError as err:
        warn(f"{err}; {lost}")
        return
    failure = write_journal(path, [*journal, entry])
    if failure:
        warn(f"{failure}; {lost}")


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


def undo(path: Path, warn: Warn | None = None) -> str:
    """Revert the last write this tool made to ``path``; returns what it undid.

    An undo already applied (a killed ``undo`` that replaced the file but kept its
    record: the file equals the state before that write) is recognised, and its record
    dropped. Raises DemandsError when there is nothing to undo, when the file changed
    since by other means, and when the journal is damaged (it is then set aside).
    """
    say = warn or _warn
    with safeio.writing(str(path)), locked(path):
        try:
            journal = read_journal(path)
        except JournalDamaged as err:
            raise DemandsError(f"nothing to undo: {err}; use git to restore an older version") from None
        if not journal:
            raise DemandsError(f"nothing to undo: no write by demands to {path} is recorded")
        last = journal[-1]
        text, bom, _newline = read_text(path)
        current = sha(text)
        if current == last["before"] and current != last["after"]:
            failure = write_journal(path, journal[:-1])
            if failure:
                raise DemandsError(f"{failure}; the file is as it was before {last['what']} already")
            return f"{last['what']} (the file was back to before it already: an earlier undo was cut short)"
        if current != last.get("after"):
            raise DemandsError(
                f"{path} changed since demands last wrote it ({last.get('what')}); "
                "undo refuses to overwrite those changes: use git to restore an older version"
            )
        from .edit import Splice, apply_splices

        splices = [Splice(a, b, t, n) for n, (a, b, t) in enumerate(last["splices"])]
        try:
            before = apply_splices(text, splices)
        except DemandsError:
            before = None
        if before is None or sha(before) != last["before"]:
            aside = _set_aside(journal_path(path))
            raise DemandsError(
                f"the undo record of {last['what']} does not lead back to the file before it (damaged); "
                f"the journal is set aside{aside}, {path} is unchanged: use git to restore an older version"
            )

        def pop() -> None:
            failure = write_journal(path, journal[:-1])
            if failure:
                say(f"{failure}; the file is reverted, and the next 'demands undo' will clear this record")

        atomic_write(path, encode(before, bom), then=pop)
    return str(last.get("what"))
