"""A loaded data file: ``Document``, and parsing and loading it (through the parse cache).

``load`` reads a file (``files``) and takes its validated data from the parse cache when its
bytes were seen before. Otherwise it reads the file as item chunks (``chunks``), parsing only
the items the cache has not seen (all of them with the cache off: nothing is stored then),
and where that is not possible or finds any problem, parses it whole (``yamlio``) and
validates it (``validation``); either way it stores the result in the cache when it is on. Problems are located as ``path:line:column``, always by the whole parse.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache, validation
from .collector import paused
from .errors import OPTION, InvalidFile, Problem, UnknownId
from .files import decode, find_file, read_raw
from .model import DataFile, Item, Vocabulary, fold, natural_key, vocabulary
from .sources import quote_problems

if TYPE_CHECKING:
    from yaml.nodes import Node


@dataclass
class Document:
    """A loaded, validated demands file with the text and node tree it came from.

    ``data`` is the file's content as plain data (``model.DataFile``: dicts in file order,
    dates as ``YYYY-MM-DD`` strings); ``text`` the file's text without its byte-order mark
    (``bom`` says whether it had one; ``newline`` is its line ending). ``node`` is the YAML
    node tree, None when the data came from the parse cache.
    """

    path: Path
    text: str
    data: DataFile
    node: Node | None = None
    bom: bool = False
    newline: str = "\n"
    #: Each item's ``[start, end)`` offsets in ``text`` (from the cache; empty when not known).
    spans: list[list[int]] = field(default_factory=list, repr=False)
    #: The parse cache's entry for this text (its items' JSON, for the entry of the next version).
    cached: cache.Entry | None = field(default=None, repr=False)
    _index: dict[str, int] | None = field(default=None, repr=False)

    @property
    def items(self) -> list[Item]:
        """The items (``demands``), in file order."""
        return self.data.get("demands") or []

    @property
    def vocab(self) -> Vocabulary:
        """The statuses this file uses: its own ``statuses:`` list, else the defaults."""
        return vocabulary(self.data)

    def index(self) -> dict[str, int]:
        """Item ids, folded (``model.fold``; ids are ASCII, so lower case), to list indexes."""
        if self._index is None:
            self._index = {item["id"].lower(): i for i, item in enumerate(self.items)}
        return self._index

    def find(self, item_id: str) -> int:
        """The list index of ``item_id`` (any case); UnknownId, with the closest ids, if none;
        ArgumentTypeError when ``item_id`` is not text."""
        if not isinstance(item_id, str):
            from .typed import argument

            argument("text", "item_id", item_id)
        found = self.index().get(fold(item_id))
        if found is None:
            raise unknown_id(item_id, [i["id"] for i in self.items])
        return found

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id`` (any case); UnknownId, with the closest ids, if none;
        ArgumentTypeError when ``item_id`` is not text."""
        return self.items[self.find(item_id)]

    def as_of(self, when: str | date) -> tuple[Document, list[str]]:
        """This document as it stood on ``when`` (YYYY-MM-DD text, or a ``datetime.date``),
        rebuilt from history (``timeline.as_of_state``), and the ids of the items left out
        because nothing in the file dates them. The text, node tree and spans stay those of the
        file. UsageError for a date that is not one; ArgumentTypeError for a value of another type."""
        from .timeline import as_of_state
        from .typed import argument
        from .typed import date as a_date

        when = a_date(argument("date", "when", when), "when")

        data, undated = as_of_state(self.data, when)
        return replace(self, data=data, _index=None), undated


def unknown_id(item_id: str, ids: list[str]) -> UnknownId:
    """The error for an id none of ``ids`` is: it names the closest ones, if any."""
    import difflib

    lowered = {i.lower(): i for i in ids}
    close = difflib.get_close_matches(item_id.lower(), list(lowered), n=3, cutoff=0.5)
    prefix = [i for i in ids if i.lower().startswith(item_id.lower().split("-")[0] + "-")]
    names = [lowered[c] for c in close] or sorted(prefix, key=natural_key)[:3]
    if names:
        return UnknownId(f"no item with id {item_id!r}; did you mean {', '.join(names)}?")
    return UnknownId(f"no item with id {item_id!r}; {OPTION} lists them", option="list_ids", said="list_items()")


def parse(text: str, path: Path, *, bom: bool = False, newline: str = "\n", sources: bool = False) -> Document:
    """Parse and validate ``text``; InvalidFile lists every problem with its line and column.

    ``sources`` also checks that each quote occurs in its document, reported with the rest.
    """
    from . import yamlio

    label = str(path)
    with paused():
        data, node = yamlio.parse(text, label)
        if data is None:
            raise InvalidFile([Problem(label, 1, 1, "the file is empty; run 'demands init' for a skeleton")])
        found = validation.check(data, lambda p: yamlio.scalar_text(node, p))
    if sources:
        found += quote_problems(data, path.resolve().parent)
    if found:
        raise InvalidFile(locate(found, node, label))
    return Document(path, text, data, node, bom, newline)


def locate(found: validation.Found, node: Node | None, label: str) -> list[Problem]:
    """Problems found in the data (where, message) as ``Problem``s located by line and column
    in the file's node tree (line 1, column 1 without one), in the order of the file."""
    from . import yamlio

    problems = []
    for where, message in found:
        target, key_node = yamlio.node_at(node, where)
        mark_node = key_node if key_node is not None and where and isinstance(where[-1], str) else target
        mark = mark_node.start_mark if mark_node is not None else None
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problems.append(Problem(label, line, col, message))
    problems.sort(key=lambda p: (p.line, p.column))
    return problems


def load(path: str | os.PathLike[str] | None = None, *, tree: bool = False, edit: bool = False) -> Document:
    """Load and validate a data file (None: the one ``files.find_file`` finds), from the parse
    cache when its bytes were seen before.

    Raises FileNotFound, InvalidFile (every problem, located) and DemandsError (a file that
    is not a regular file, too large, unreadable).

    ``tree``: also the YAML node tree (never from the cache), for error positions and edits
    that need more than the items' own lines. ``edit``: the document is loaded to be changed,
    so the cache entry's item JSON is kept for the next version's entry. ArgumentTypeError
    when ``path`` is neither text nor a path.
    """
    found = find_file(path)
    with paused():
        return _from_bytes([read_raw(found)], found, tree, edit)


def from_bytes(raw: bytes, path: Path, *, tree: bool = False) -> Document:
    """A Document from a file's bytes (``path`` names it in messages), through the cache.

    Files smaller than the cache's threshold parse faster than a cache lookup; they skip it.
    """
    with paused():
        return _from_bytes([raw], path, tree)


def from_held(held: list[bytes], path: Path) -> Document:
    """``from_bytes`` of the one bytes object in ``held``, taken out of it, so that they are let
    go once decoded (a large file's bytes are as large as its text): for a caller that has no
    other use for them."""
    with paused():
        return _from_bytes(held, path, False)


def _from_bytes(held: list[bytes], path: Path, tree: bool, edit: bool = False) -> Document:
    """``from_bytes`` of the bytes ``held`` hands over: they are let go once decoded."""
    raw = held.pop()
    large = len(raw) >= cache.min_bytes()
    use_cache = large and cache.enabled()
    key = cache.key_of(raw) if use_cache else ""
    entry = cache.get(key, len(raw), keep=edit) if use_cache and not tree else None
    text, bom, newline = decode(raw, path)
    del raw
    if entry is not None:
        return Document(path, text, entry.data, None, bom, newline, entry.spans, cached=entry)
    if large and not tree:
        # Item by item even with the cache off (nothing stored then): a whole parse holds the
        # node tree of every item at once (2.8 GB at 100,000 items), a chunk only its own.
        from . import chunks

        loaded = chunks.load(text, path, key, persist=use_cache)
        if loaded is not None:
            cached = loaded if use_cache else None
            return Document(path, text, loaded.data, None, bom, newline, loaded.spans, cached=cached)
    doc = parse(text, path, bom=bom, newline=newline)
    if use_cache:
        from .chunks import remember
        from .regions import item_spans

        doc.spans = item_spans(text, doc.node)
        doc.cached = remember(key, text, path, doc.data, doc.spans)
    return doc


def check_quotes(document: Document, only: set[str] | None = None) -> list[Problem]:
    """The quote problems of a loaded document, located in its text."""
    found = quote_problems(document.data, document.path.resolve().parent, only)
    return locate(found, document.node, str(document.path))
