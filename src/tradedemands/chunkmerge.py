"""The three-way merge reduced to the items that differ: most of a large file is the same in all three.

A merge of two branches of a 100,000-item file changes a few dozen items; every other item's
text is byte-identical in BASE, OURS and THEIRS, and the merge can neither read anything from
it nor change it. ``reduce`` splits each version into item chunks (``chunks.split``: the lines
from one item's ``- `` to the next's) and keeps, in each version's own order, only:

- the chunks that are not the same text in all three versions (``changed``);
- their neighbours on both sides in each version, so that everything the text editor looks at
  around an edited item (the comment lines above it, the item below it) is as in the whole file;
- the first and the last chunk of each version (where lists begin and end, where items are
  appended), and at least one chunk common to all three whenever one is left out (so that
  OURS' list is never "every item gone");
- every common item whose id a kept chunk mentions (a link's target must exist for validation),
  and every common item whose id cannot be read safely from its first line.

The merge then runs on the three reduced texts (a few hundred lines), and ``Reduced.expand``
makes its edits, by offset, to OURS' whole text. The ids of the items left out still count when
an added item is renumbered (``omitted_ids``), and the comment lines of the whole texts decide
whether THEIRS' comment lines were placed. Anything a reduction cannot do exactly (a layout
``chunks.split`` refuses, a chunk text twice in one version, an edit at or across a place where
items were left out) gives None, and the caller merges the whole texts as before.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .chunks import keys_of, split

#: A plain id as item ids are written (``US-3``, ``US-3.1``, ``US_3``): a letter first, then
#: letters, digits, ``_``, ``.`` and ``-``; never a YAML number, and YAML's words for
#: true, false and null are refused in ``item_id``.
_PLAIN_ID = r"[^\W\d_][\w.]*(?:-[\w.]+)*"
#: An item whose first line is ``- id: <id>``, the id plain or quoted without escapes; then the
#: end of that line.
_ID_LINE = re.compile(r"( *)- id: *(?:(" + _PLAIN_ID + r")|'([^'\n]*)'|\"([^\"\\\n]*)\") *(?:#[^\n]*)?\r?\n")
#: Anything in a chunk's text that may be an item id (a link target), plain or quoted.
_TOKEN = re.compile(_PLAIN_ID)
#: Plain words that YAML 1.2 reads as something other than text, and those YAML 1.1 did (such
#: an item is kept rather than trusted).
_NOT_TEXT = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def item_id(chunk: str) -> str | None:
    """The id of the item a chunk begins (lower case), when its first line says it safely; else None."""
    found = _ID_LINE.match(chunk)
    if found is None:
        return None
    value = found.group(2)
    if value is not None:
        # A plain id ends at its line when the next is the item's next key (deeper would go on).
        rest = chunk[found.end() :]
        keys = len(found.group(1)) + 2
        if rest and not (rest.startswith(" " * keys) and rest[keys : keys + 1] not in (" ", "#", "\r", "\n", "")):
            return None
        if value.lower() in _NOT_TEXT or value.endswith("."):
            return None
        return value.lower()
    value = found.group(3) if found.group(3) is not None else found.group(4)
    return value.lower() if value else None


@dataclass
class _Version:
    """One version split: its head (before the first item), chunk bounds, chunk keys, tail."""

    text: str
    bounds: list[tuple[int, int]]
    keys: list[str]
    head: int
    end: int


def _split(text: str) -> _Version | None:
    layout = split(text)
    if layout is None:
        return None
    bounds = layout.bounds()
    keys = keys_of(text, bounds)
    if len(set(keys)) != len(keys):
        return None  # one chunk text twice: an invalid file, or one the merge must see whole
    return _Version(text, bounds, keys, layout.starts[0], layout.end)


@dataclass
class Reduced:
    """The three versions with the items common to all left out, and how to put them back."""

    base: str
    ours: str
    theirs: str
    #: The ids (lower case) of the items left out: they still count for renumbering.
    omitted_ids: set[str]
    #: How many items were left out of each version.
    omitted: int
    #: OURS' whole text, and each kept piece of it: (offset in the reduced text, offset in the whole, length).
    whole: str
    pieces: list[tuple[int, int, int]]
    #: Offsets in the reduced OURS where left-out items stood.
    gaps: list[int]

    def expand(self, splices: list[tuple[int, int, str, int]]) -> str | None:
        """OURS' whole text with edits made to the reduced OURS (``(start, end, text, order)``);
        None when an edit touches a place where items were left out (which side of them it
        belongs to is not known), for the caller to merge the whole texts."""
        from .splices import Splice, apply_splices

        starts = [r for r, _w, _n in self.pieces]
        moved = []
        for start, end, text, order in splices:
            at = bisect.bisect_left(self.gaps, start)
            near = self.gaps[at] if at < len(self.gaps) else None
            if near is not None and (
                near == start == end
                or (near == start and at + 1 < len(self.gaps) and self.gaps[at + 1] < end)
                or start < near < end
            ):
                return None  # at a gap (which side?) or across one
            # The start belongs to the piece it begins (a gap there: the piece after it), the
            # end to the piece it ends (a gap there: the piece before it).
            first = bisect.bisect_right(starts, start) - 1
            last = max(bisect.bisect_left(starts, end) - 1, first) if end > start else first
            r0, w0, _n0 = self.pieces[first]
            r1, w1, _n1 = self.pieces[last]
            moved.append(Splice(w0 + start - r0, w1 + end - r1, text, order))
        return apply_splices(self.whole, moved)


def reduce(base: str, ours: str, theirs: str) -> Reduced | None:
    """The three texts reduced to what differs between them (see the module's doc); None when
    the layout does not split safely or there is nothing worth leaving out."""
    versions = [_split(text) for text in (base, ours, theirs)]
    if any(v is None for v in versions):
        return None
    b, o, t = versions  # type: ignore[misc]
    assert b is not None and o is not None and t is not None
    everywhere = set(b.keys) & set(o.keys) & set(t.keys)
    if not everywhere:
        return None
    keep: set[str] = set()
    for v in (b, o, t):
        keep.update((v.keys[0], v.keys[-1]))
        for k, key in enumerate(v.keys):
            if key not in everywhere:
                keep.update(v.keys[max(k - 1, 0) : k + 2])
    # Common items by id (those whose id cannot be read are kept), and the ids kept chunks mention.
    by_id: dict[str, int] = {}  # id: the item's index in OURS
    for k, key in enumerate(o.keys):
        if key in everywhere and key not in keep:
            a, z = o.bounds[k]
            found = item_id(o.text[a:z])
            if found is None:
                keep.add(key)
            else:
                by_id[found] = k
    # Every kept chunk's link targets are kept too, and theirs in turn (a kept common chunk may link on).
    where = {key: (v.text, *v.bounds[k]) for v in (b, o, t) for k, key in enumerate(v.keys) if key in keep}
    todo = list(where.values())
    while todo:
        text, a, z = todo.pop()
        for token in _TOKEN.findall(text, a, z):
            hit = by_id.get(token.rstrip(".").lower())
            if hit is not None and o.keys[hit] not in keep:
                keep.add(o.keys[hit])
                todo.append((o.text, *o.bounds[hit]))
    left_out = everywhere - keep
    if not left_out:
        return None
    if not (everywhere & keep):
        keep.add(next(key for key in o.keys if key in everywhere))
        left_out = everywhere - keep
    omitted_ids = {i for i, k in by_id.items() if o.keys[k] in left_out}
    texts = []
    pieces: list[tuple[int, int, int]] = []
    gaps: list[int] = []
    for v in (b, o, t):
        parts = [v.text[: v.head]]
        size = v.head
        mine = v is o
        if mine:
            pieces.append((0, 0, v.head))
        gap = False
        for k, key in enumerate(v.keys):
            if key not in keep:
                gap = True
                continue
            a, z = v.bounds[k]
            if mine:
                if gap:
                    gaps.append(size)
                pieces.append((size, a, z - a))
            gap = False
            parts.append(v.text[a:z])
            size += z - a
        parts.append(v.text[v.end :])
        if mine:
            pieces.append((size, v.end, len(v.text) - v.end))
        texts.append("".join(parts))
    return Reduced(texts[0], texts[1], texts[2], omitted_ids, len(left_out), o.text, pieces, gaps)


#: The parts of a file's head that items are checked against.
_HEAD_RULES = ("parties", "rounds", "statuses")


def head_covers(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """Whether every item valid against the head ``old`` (a loaded file's data, its ``demands``
    aside) is valid against ``new``: ``new`` keeps each party, round and status of ``old`` as it
    was and only adds others, and declares its own statuses exactly when ``old`` does. An item the
    merge leaves out is checked only against its own version's head, so the reduced merge is
    exact only when the merged head, OURS' and THEIRS' each cover BASE's."""
    if ("statuses" in new) != ("statuses" in old):
        return False
    for key in _HEAD_RULES:
        was, now = old.get(key), new.get(key)
        if was is None or was == now:
            continue
        if isinstance(was, dict) and isinstance(now, dict):
            if any(k not in now or now[k] != v for k, v in was.items()):
                return False
        elif isinstance(was, list) and isinstance(now, list):
            if any(entry not in now for entry in was):
                return False
        else:
            return False
    return True
