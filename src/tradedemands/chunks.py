"""A data file as item chunks: the lines of each item, found by position and parsed alone.

A pull, a merge or a hand edit changes a few items of a large file. ``split`` finds where the
list of items (``demands:``) lies and where each item's lines begin, when the layout makes that
safe to know from the text alone: a top-level ``demands:`` key with nothing after it on its line,
items at one indentation each beginning its own line with ``- ``, and between them only deeper
lines, comments and blank lines. The text from one item's first line to the next item's is its
*chunk*. Anything else (a flow-style ``demands: [...]``, items at two indentations, a ``%TAG``
directive, a lone carriage return) gives None, and the file is parsed whole.

``parse_chunk`` parses one chunk alone, at the depth the list's entries have in the file (so the
nesting limit and every refusal are a whole parse's), and keeps what validation needs of its
node tree (numbers as written) without the tree. A chunk must parse alone as exactly one list
entry: a quoted scalar or flow collection running on into the next chunk, or an alias to another
chunk's anchor, fails there, and the caller falls back to parsing the file whole; so does any
chunk or text around the items that names an anchor at all (``anchored``: a name is shared by the
whole stream, and a whole parse refuses it twice), which is why an item holding an ``&`` is
parsed again rather than reused. Chunks are keyed
by a hash of their text (``key_of``), so a chunk seen before is never parsed again.

``load`` reads a file this way through the cache: the items of chunks the entry of the version
before holds (``cache.previous``) are reused, the others parsed, and the whole checked with
``validation.check`` (the new items one by one, the ids across all of them; every item when the
text around the items changed or an item went away); any problem returns None, for the whole
parse to report it. ``remember`` stores the entry of a version parsed whole or written by a
command; a write's chunks come from its splices (``after_edit``), without splitting the text.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import DataPath

if TYPE_CHECKING:
    from .cache import Entry
    from .splices import Splice

#: Reused items are decoded this many at a time.
_BATCH = 4096
_DEMANDS_LINE = re.compile(r"demands: *(?:#[^\n]*)?\r?\n")
_FIRST_ITEM = re.compile(r"(?:(?: *(?:#[^\n]*)?\r?\n))*( *)- ")


class Layout:
    """Where a file's list of items lies in its text: ``key_at``, the offset of its ``demands:``
    key; ``starts``, the offset of each item's first line (its ``- ``); and ``end``, where the list ends (the offset of the first line
    after it, or the end of the text). Chunk ``k`` is ``text[starts[k]:starts[k + 1]]``, the
    last one ending at ``end``."""

    __slots__ = ("end", "key_at", "starts")

    def __init__(self, key_at: int, starts: list[int], end: int) -> None:
        self.key_at = key_at
        self.starts = starts
        self.end = end

    def bounds(self) -> list[tuple[int, int]]:
        """Each chunk's ``[start, end)``."""
        ends = [*self.starts[1:], self.end]
        return list(zip(self.starts, ends, strict=True))

    def skeleton(self, text: str) -> str:
        """``text`` without its items: the head up to the first item and the tail after the list."""
        return text[: self.starts[0]] + text[self.end :]


def split(text: str) -> Layout | None:
    """The layout of ``text``'s item list, or None when it cannot be known safely from the text
    (see the module's doc): no top-level block ``demands:``, no items, items at several
    indentations or not starting their own line, a directive other than ``%YAML``, a lone carriage return."""
    at = 0 if text.startswith("demands:") else text.find("\ndemands:") + 1
    if at == 0 and not text.startswith("demands:"):
        return None
    head = _DEMANDS_LINE.match(text, at)
    first = _FIRST_ITEM.match(text, head.end()) if head else None
    if first is None or not _directives_allowed(text[:at]):
        return None
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None  # a lone CR breaks lines for YAML, not for this split
    indent = len(first.group(1))
    starts = [first.start(1)]
    end = len(text)
    # Every line indented no deeper than the items: an item, a comment, or the end of the list.
    for line in re.compile(rf"\n( {{0,{indent}}})[^ \n]").finditer(text, starts[0]):
        start = line.start() + 1
        depth = len(line.group(1))
        mark = text[line.end() - 1]
        if depth == indent and text.startswith("- ", start + depth):
            starts.append(start)
        elif mark == "#" or (mark == "\r" and text.startswith("\r\n", line.end() - 1)):
            continue
        elif depth == 0:
            end = start
            break
        else:
            return None
    return Layout(at, starts, end)


_DIRECTIVE = re.compile(r"(?:^|\n)%([^\n]*)")
_YAML_DIRECTIVE = re.compile(r"YAML[ \t]+[0-9]+\.[0-9]+[ \t]*(?:#[^\n]*)?\r?")


def _directives_allowed(head: str) -> bool:
    """Whether the text before ``demands:`` holds no directive but ``%YAML 1.x``: a ``%TAG``
    changes what tags mean in every item (and would not be seen by one parsed alone); the
    version changes nothing the items' own parse does (the skeleton, parsed with it, checks it)."""
    return all(_YAML_DIRECTIVE.fullmatch(found.group(1)) for found in _DIRECTIVE.finditer(head))


def key_of(chunk: str) -> str:
    """A chunk's key: the SHA-256 of its text (UTF-8), 32 hex digits."""
    return hashlib.sha256(chunk.encode("utf-8")).hexdigest()[:32]


def keys_of(text: str, bounds: list[tuple[int, int]]) -> list[str]:
    """``key_of`` each ``text[start:end]``; ASCII text is encoded once and hashed in slices."""
    if not text.isascii():
        return [key_of(text[a:b]) for a, b in bounds]
    view = memoryview(text.encode("ascii"))
    sha256 = hashlib.sha256
    return [sha256(view[a:b]).hexdigest()[:32] for a, b in bounds]


class Chunk:
    """One chunk parsed alone: its ``item`` (plain data, as a whole parse builds it), the
    numbers and true/false in it as written (``written``, by path from the item: what
    validation reads back into text fields), and ``span_end``, where the item's own text ends
    inside the chunk (its trailing comments and blank lines left out), or -1 when the item has
    no span a text edit can use (a flow-style mapping, a mapping that does not begin on its
    ``- `` line)."""

    __slots__ = ("item", "span_end", "written")

    def __init__(self, item: Any, written: dict[DataPath, str], span_end: int) -> None:
        self.item = item
        self.written = written
        self.span_end = span_end


def anchored(text: str) -> bool:
    """Whether ``text`` names an anchor (``&name``) or an alias (``*name``) anywhere, or does not
    even parse (then it cannot be told): an anchor's name is known to the whole YAML stream, so
    the same name in two items (refused whole: a duplicate anchor) cannot be judged item by
    item. Such text is parsed whole. Only text holding an ``&`` needs asking."""
    import yaml

    from . import yamlio

    try:
        return any(getattr(event, "anchor", None) is not None for event in yaml.parse(text, Loader=yamlio.Loader))
    except (yaml.YAMLError, ValueError, RecursionError):
        return True


def parse_chunk(chunk: str, label: str) -> Chunk | None:
    """Parse one chunk alone; None when it is not exactly one list entry on its own, or does not
    parse (the caller then parses the file whole, which reports any error as it stands)."""
    from yaml.nodes import MappingNode, SequenceNode

    from . import yamlio
    from .errors import InvalidFile
    from .splices import after_content, line_start

    if "&" in chunk and anchored(chunk):
        return None
    try:
        value, node = yamlio.parse(chunk, label, depth=1)
    except (InvalidFile, ValueError):
        return None
    if not isinstance(node, SequenceNode) or node.flow_style or len(node.value) != 1 or len(value) != 1:
        return None
    entry = node.value[0]
    span_end = -1
    if isinstance(entry, MappingNode) and not entry.flow_style and entry.value:
        start = line_start(chunk, entry.start_mark.index)
        if start == 0 and chunk[: entry.start_mark.index].strip() == "-":
            span_end = after_content(chunk, entry)
    return Chunk(value[0], yamlio.written_numbers(entry), span_end)


# --- loading through the cache -------------------------------------------------------------------


def load(text: str, path: Path, key: str, persist: bool = True) -> Entry | None:
    """The validated data of ``text`` (the file at ``path``, whose bytes have the cache key
    ``key``) read as chunks, reusing every item the cache holds from the version before
    (``cache.previous``), stored in the cache as the entry of ``key``; without ``persist``
    (the cache off) every chunk is parsed and nothing is looked up or stored. None when the layout
    does not split, a chunk does not parse alone, or anything is wrong with the file (the
    caller then parses it whole, and reports what is wrong exactly as it stands)."""
    import threading

    from . import cache

    source = cache.source_of(path)
    # The entry of the version before is found, read and checked (file reads and hashing
    # free the interpreter) while this text is split and its chunks are keyed.
    found: list[Entry | None] = []
    finding = threading.Thread(target=lambda: found.append(cache.previous(source, key) if persist else None))
    finding.daemon = True
    finding.start()
    try:
        return _load(text, path, key, source, found, finding, persist)
    finally:
        finding.join()


def _load(
    text: str, path: Path, key: str, source: str, found: list[Entry | None], finding: Any, persist: bool
) -> Entry | None:
    import json

    from yaml.nodes import MappingNode

    from . import cache, validation, yamlio
    from .errors import InvalidFile

    layout = split(text)
    if layout is None:
        return None
    label = str(path)
    skeleton = layout.skeleton(text)
    if "&" in skeleton and anchored(skeleton):
        return None  # an anchor around the items: its name may come again in one
    try:
        rest, rest_node = yamlio.parse(skeleton, label)
    except InvalidFile:
        return None
    if not (isinstance(rest_node, MappingNode) and not rest_node.flow_style and isinstance(rest, dict)):
        return None
    demands = next((k for k, _v in rest_node.value if k.value == "demands"), None)
    if demands is None or demands.start_mark.index != layout.key_at or rest.get("demands", 0) is not None:
        return None
    bounds = layout.bounds()
    keys = keys_of(text, bounds) if persist else [""] * len(bounds)  # (keys only find and store items)
    context = key_of(skeleton)
    finding.join()
    before = found[0] if found else None
    known = before.known() if before is not None else {}
    missing = object()
    items: list[Any] = [missing] * len(bounds)
    lines: list[Any] = [None] * len(bounds)
    ends = [0] * len(bounds)
    fresh: dict[int, dict[DataPath, str]] = {}
    for k, (a, b) in enumerate(bounds):
        hit = known.get(keys[k])
        if hit is not None and text.find("&", a, b) < 0:  # (an item with an anchor: parse_chunk says)
            lines[k], ends[k] = hit
            continue
        chunk = parse_chunk(text[a:b], label)
        if chunk is None:
            return None
        items[k], ends[k], fresh[k] = chunk.item, chunk.span_end, chunk.written
    reused = [k for k in range(len(bounds)) if k not in fresh]
    for at in range(0, len(reused), _BATCH):  # a few thousand at a time: no second copy of them all
        batch = reused[at : at + _BATCH]
        try:
            decoded = json.loads(b"[" + b",".join([lines[k] for k in batch]) + b"]")
        except (ValueError, RecursionError):
            return None
        if not cache.items_shaped(decoded):
            return None
        for k, item in zip(batch, decoded, strict=True):
            items[k] = item
    data = rest
    data["demands"] = items
    only: set[int] | None = set(fresh)
    if before is None or before.context != context or _removed(before, set(keys), items, fresh):
        only = None  # parties, rounds or statuses changed, or an item went: check every item

    def text_of(where: DataPath) -> str | None:
        if where[:1] != ("demands",):
            return yamlio.scalar_text(rest_node, where)
        written = fresh.get(where[1]) if len(where) > 1 else None  # type: ignore[call-overload]
        return written.get(tuple(where[2:])) if written else None

    if validation.check(data, text_of, items=only):
        return None
    spans = [[a, a + end] for (a, _b), end in zip(bounds, ends, strict=True)]
    if len(spans) < 2 or min(ends) < 0:
        spans = []
    records = [[k, end] for k, end in zip(keys, ends, strict=True)]
    if not persist:  # no item's JSON made: nothing is stored
        return cache.Entry(key, source, context, records, spans, data, lines=[], end=layout.end)
    for k in fresh:
        lines[k] = cache.dumps(items[k]).encode("utf-8")
    cache.put(key, data, spans, source=source, context=context, end=layout.end, chunks=records, lines=lines)
    return cache.Entry(key, source, context, records, spans, data, lines=lines, end=layout.end)


def _removed(before: Entry, now: set[str], items: list[Any], fresh: dict[int, Any]) -> bool:
    """Whether an item of the version ``before`` is gone (by id): then what linked to it must
    be checked again. Only the items whose chunk changed are read."""
    import json

    gone = set()
    for (chunk, _end), line in zip(before.chunks, before.lines(), strict=True):
        if chunk not in now:
            try:
                item = json.loads(bytes(line))
            except (ValueError, RecursionError):
                return True
            gone.add(str(item.get("id", "")).lower() if isinstance(item, dict) else "")
    # An edited item keeps its id: look among the items parsed now first, then among all.
    for found in ([items[k] for k in fresh], items) if gone else ():
        gone -= {item["id"].lower() for item in found if isinstance(item, dict) and isinstance(item.get("id"), str)}
        if not gone:
            break
    return bool(gone)


def remember(
    key: str,
    text: str,
    path: Path,
    data: Any,
    spans: list[list[int]],
    before: Entry | None = None,
    edit: tuple[str, list[Splice]] | None = None,
) -> Entry | None:
    """Store the cache entry of a version parsed whole (or written by a command): with the
    chunk key of each item when the text splits into one chunk per item where the spans say
    the items are, so that the next version can reuse them (``before``: the entry of the
    version this one was made from, whose item JSON is reused for unchanged chunks; ``edit``:
    the text before and the splices that made this one of it, when a command wrote it)."""
    from . import cache

    if not cache.enabled() or cache.secret() is None:
        return None  # nothing would be stored: no chunk keys or item JSON made for nothing
    items = data.get("demands") if isinstance(data, dict) else None
    if before is not None and edit is not None and isinstance(items, list) and len(spans) == len(items):
        made = after_edit(before, edit[0], text, edit[1], spans, items)
        if made is not None:
            records, lines, end = made
            source, context = cache.source_of(path), key_of(text[: spans[0][0]] + text[end:])
            cache.put(key, data, spans, source=source, context=context, end=end, chunks=records, lines=lines)
            return cache.Entry(key, source, context, records, spans, data, lines=lines, end=end)
    layout = split(text) if spans and isinstance(items, list) else None
    if layout is None or not isinstance(items, list) or layout.starts != [start for start, _end in spans]:
        cache.put(key, data, spans, source=cache.source_of(path))
        return None
    bounds = layout.bounds()
    keys = [key_of(text[a:b]) for a, b in bounds]
    known = before.known() if before is not None else {}
    records = [[k, end - a] for k, (a, _b), (_s, end) in zip(keys, bounds, spans, strict=True)]
    lines = [
        known[k][0] if k in known else cache.dumps(item).encode("utf-8") for k, item in zip(keys, items, strict=True)
    ]
    source, context = cache.source_of(path), key_of(layout.skeleton(text))
    cache.put(key, data, spans, source=source, context=context, end=layout.end, chunks=records, lines=lines)
    return cache.Entry(key, source, context, records, spans, data, lines=lines, end=layout.end)


def after_edit(
    before: Entry, old: str, new: str, splices: list[Splice], spans: list[list[int]], items: list[Any]
) -> tuple[list[list[Any]], list[Any], int] | None:
    """The chunk records and item JSON of ``new``, the text a write made by splicing ``old``
    (whose entry is ``before``), found without reading the whole text again: every splice lies
    in the list of items; the new chunks begin where the items' new ``spans`` begin; a chunk
    whose text is that of an old one keeps its key and JSON; the others (the items the write
    touched) are keyed and encoded, and checked to hold no line that ``split`` would read
    otherwise. Returns ``(chunks, lines, end)``, or None when the entry before does not say
    enough (the caller then splits the whole text)."""
    from . import cache

    records_before = before.chunks
    if not records_before or not before.end or len(before.spans) != len(records_before) or not spans:
        return None
    from .splices import splice_key

    ordered = sorted(splices, key=splice_key)
    if not ordered or ordered[0].start < before.spans[0][0] or ordered[-1].end > before.end:
        return None
    shift = sum(len(s.text) - (s.end - s.start) for s in ordered)
    end = before.end + shift
    if end > len(new) or (end < len(new) and new[end - 1] != "\n") or before.end > len(old):
        return None  # not where a list can end: an entry that does not describe this text
    starts = [start for start, _end in spans]
    stops = [*starts[1:], end]
    at = {start: n for n, start in enumerate(starts)}
    # Old chunks no splice reaches (not even at their edges) are in the new text as they
    # were, moved by the splices before them: where a new chunk is exactly one, it is kept.
    kept: dict[int, int] = {}
    j, moved = 0, 0
    for k, (a, _span_end) in enumerate(before.spans):
        b = before.spans[k + 1][0] if k + 1 < len(before.spans) else before.end
        while j < len(ordered) and ordered[j].end < a:
            moved += len(ordered[j].text) - (ordered[j].end - ordered[j].start)
            j += 1
        if j < len(ordered) and ordered[j].start <= b:
            continue
        n = at.get(a + moved)
        if n is not None and stops[n] == b + moved:
            kept[n] = k
    indent = _indent(new, starts[0])
    lines = before.lines()
    records: list[list[Any]] = []
    out: list[Any] = []
    for n, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        same = kept.get(n)
        if same is not None:
            records.append(records_before[same])
            out.append(lines[same])
            continue
        chunk = new[start:stop]
        if not chunk.startswith(" " * indent + "- ") or not _clean(chunk, indent):
            return None
        records.append([key_of(chunk), spans[n][1] - start])
        out.append(cache.dumps(items[n]).encode("utf-8"))
    return records, out, end


def _indent(text: str, at: int) -> int:
    """How many spaces begin the line at ``at``."""
    stop = at
    while stop < len(text) and text[stop] == " ":
        stop += 1
    return stop - at


def _clean(chunk: str, indent: int) -> bool:
    """Whether a chunk holds no line ``split`` would take for another item, the end of the list
    or an oddity: after its first line, every line no deeper than the items is a comment or
    blank, and no carriage return stands alone."""
    if "\r" in chunk and chunk.count("\r") != chunk.count("\r\n"):
        return False
    for line in re.compile(rf"\n( {{0,{indent}}})[^ \n]").finditer(chunk):
        mark = chunk[line.end() - 1]
        if not (mark == "#" or (mark == "\r" and chunk.startswith("\r\n", line.end() - 1))):
            return False
    return True
