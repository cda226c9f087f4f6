"""Writes without the whole node tree: each item's text as a region of its own (warm writes).

With a warm parse cache the data and each item's span (``[start, end)`` offsets of its
lines) come from the cache, not from parsing. An edit of a few items then needs only
their nodes: ``lazy_root`` stands in for the whole tree and composes an item from its
own lines when an edit first reaches it, and ``check_regions`` re-parses only the lines
of the items an edit touched, instead of the whole file.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import validation, yamlio
from .errors import DemandsError, InvalidFile
from .splices import Splice, after_content, apply_splices, line_start

if TYPE_CHECKING:
    from .document import Document
    from .editor import Editor


def item_spans(text: str, root: Node | None) -> list[list[int]]:
    """``[start, end)`` of each item's text: from the start of its ``- `` line to the line after
    its last value. Empty when the layout is not one block item per entry (edits then need the
    whole tree)."""
    if not isinstance(root, MappingNode) or root.flow_style:
        return []
    seq = next((v for k, v in root.value if k.value == "demands"), None)
    if not isinstance(seq, SequenceNode) or seq.flow_style or len(seq.value) < 2:
        return []
    spans = []
    for item in seq.value:
        if not isinstance(item, MappingNode) or item.flow_style or not item.value:
            return []
        start = line_start(text, item.start_mark.index)
        if text[start : item.start_mark.index].strip() != "-":
            return []
        spans.append([start, after_content(text, item)])
    return spans


def _shift(node: Node, index: int, line: int) -> None:
    """Move a region's node marks to where the region sits in the whole text."""
    from yaml.error import Mark

    for attr in ("start_mark", "end_mark"):
        mark = getattr(node, attr)
        setattr(node, attr, Mark(mark.name, mark.index + index, mark.line + line, mark.column, None, None))  # type: ignore[arg-type]
    if isinstance(node, SequenceNode):
        for child in node.value:
            _shift(child, index, line)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            _shift(key, index, line)
            _shift(value, index, line)


class Lines:
    """Line numbers of offsets in one text, counted from the nearest offset already counted
    (before or after it), so that numbering k places of an n-character text scans about n
    characters in all, not k·n/2 as counting from the start each time would."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.known = [0]  # offsets counted, sorted
        self.lines = [0]  # the line (0-based) of each

    def at(self, index: int) -> int:
        """The 0-based line of offset ``index``: how many newlines come before it."""
        n = bisect.bisect_right(self.known, index) - 1
        below, line = self.known[n], self.lines[n]
        if below == index:
            return line
        if n + 1 < len(self.known) and self.known[n + 1] - index < index - below:
            line = self.lines[n + 1] - self.text.count("\n", index, self.known[n + 1])
        else:
            line += self.text.count("\n", below, index)
        self.known.insert(n + 1, index)
        self.lines.insert(n + 1, line)
        return line


def compose_region(text: str, start: int, end: int, lines: Lines | None = None) -> SequenceNode:
    """The node tree of ``text[start:end]`` (whole item lines), with marks as in ``text``
    (``lines``: the text's line counter, when many regions of it are composed)."""
    import yaml

    from .yamlio import Loader

    node = yaml.compose(text[start:end], Loader=Loader)
    if not isinstance(node, SequenceNode):
        raise DemandsError("internal error: an item's text is not a list entry; nothing was changed")
    _shift(node, start, lines.at(start) if lines is not None else text.count("\n", 0, start))
    return node


class _LazyItems(list):  # type: ignore[type-arg]
    """The ``demands`` entries as nodes, each composed from its own lines when first used."""

    def __init__(self, text: str, spans: list[list[int]]) -> None:
        super().__init__([None] * len(spans))
        self.text = text
        self.spans = spans
        self.lines = Lines(text)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        node = super().__getitem__(index)
        if node is None:
            n = index % len(self)
            start, end = self.spans[n]
            node = compose_region(self.text, start, end, self.lines).value[0]
            super().__setitem__(n, node)
        return node

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))


def lazy_root(text: str, spans: list[list[int]]) -> MappingNode:
    """A stand-in for the whole tree, enough for edits of items: ``{demands: [lazy items]}``."""
    from yaml.error import Mark

    from .yamlio import MAP, SEQ, STR

    first = spans[0][0]
    line = text[first : text.find("\n", first) if "\n" in text[first:] else len(text)]
    dash_col = len(line) - len(line.lstrip(" "))
    line_no = text.count("\n", 0, first)
    start = Mark("<demands>", first + dash_col, line_no, dash_col, None, None)  # type: ignore[arg-type]
    end = Mark("<demands>", spans[-1][1], text.count("\n", 0, spans[-1][1]), 0, None, None)  # type: ignore[arg-type]
    seq = SequenceNode(SEQ, _LazyItems(text, spans), start, end, flow_style=False)
    key = ScalarNode(STR, "demands", start, start)
    return MappingNode(MAP, [(key, seq)], start, end, flow_style=False)


# --- checking a warm edit --------------------------------------------------------------------

#: A write whose result does not read back as meant: a bug, never the user's doing.
MISREAD = "internal error: the edited file does not read back as intended; nothing was changed (please report this)"


def refuse(message: str) -> DemandsError:
    """The error of a write whose result would not be a valid file (``message`` says why)."""
    return DemandsError(f"refusing to write: the result would not be valid ({message}); nothing was changed")


def check_regions(
    doc: Document, editor: Editor, new_text: str, parsed: dict[int, Any] | None = None
) -> list[list[int]] | None:
    """Check a warm edit by re-parsing only the lines of the items it touched.

    Every splice must fall inside one item's lines (an insertion at an item's end belongs
    to it); each touched region, re-parsed alone, must hold exactly the intended items; the
    rest of the text is untouched by construction. The intended data is validated: the items
    touched or added one by one, and all of them across items (every item one by one when an
    id went away). Returns the items' new spans, or None when the edit is not of that shape
    (the caller then checks the whole text). ``parsed`` gets the items as re-parsed, by
    their index in the new list.
    """
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
    reread: dict[int, Any] = {}
    before_touched: list[int] = []  # untouched items just before a touched one, by new index
    delta = 0
    for k, (start, end) in enumerate(spans):
        if k not in touched:
            new_spans.append([start + delta, end + delta])
            if k + 1 in touched:
                before_touched.append(len(new_spans) - 1)
            continue
        # The item's lines and the blank and comment lines after them, as a whole parse reads
        # them (an item ending in a block scalar takes the blank lines after it into its span).
        end = starts[k + 1] if k + 1 < len(starts) else _gap_end(doc.text, end)
        local = [Splice(s.start - start, s.end - start, s.text, s.order) for s in touched[k]]
        region = apply_splices(doc.text[start:end], local)
        expected = [by_id[key] for key in [doc.items[k]["id"].lower()] if key in by_id]
        if k == len(spans) - 1:
            expected += added
        try:
            items, nodes = parse_region(doc, region)
        except InvalidFile as err:
            raise refuse(err.problems[0].message) from None
        if items != expected:
            return None
        reread.update({len(new_spans) + n: item for n, item in enumerate(items)})
        base = start + delta
        new_spans += [[base + a, base + b] for a, b in nodes]
        delta += len(region) - (end - start)
    if len(new_spans) != len(intended):
        return None
    for n in before_touched:
        # What follows such an item changed: an item ending in a block scalar takes the blank
        # lines after it into its span, so its end is read again from the new text.
        if n + 1 >= len(new_spans):
            return None
        entry_end = _entry_end(doc, new_text, new_spans[n][0], new_spans[n + 1][0])
        if entry_end is None:
            return None
        new_spans[n][1] = entry_end
    # Untouched items were valid and stay so unless an id they may name went away.
    changed = None if old_ids - set(by_id) else _changed(doc.items, intended) | set(reread)
    found = validation.check(editor.data, items=changed)
    if found:
        _where, message = found[0]
        raise refuse(message)
    if parsed is not None:
        parsed.update(reread)
    return new_spans if len(new_spans) >= 2 else []


_CONTENT_LINE = re.compile(r"^(?![ \t]*(?:#|\r?$))", re.MULTILINE)


def _gap_end(text: str, at: int) -> int:
    """Where the first line from ``at`` (a line's start) on that is neither blank nor a comment
    begins: after the last item, the end of the list; else the end of the text."""
    found = _CONTENT_LINE.search(text, at)
    return found.start() if found else len(text)


def _entry_end(doc: Document, text: str, start: int, stop: int) -> int | None:
    """Where the text of the one list entry in ``text[start:stop]`` ends, as ``item_spans`` sees it."""
    try:
        _items, node = yamlio.parse(text[start:stop], str(doc.path), depth=1)
    except InvalidFile:
        return None
    if not isinstance(node, SequenceNode) or len(node.value) != 1:
        return None
    return start + after_content(text[start:stop], node.value[0])


def _changed(old: list[Any], new: list[Any]) -> set[int]:
    """The indexes in ``new`` of the items that are not the very objects of ``old`` (an edit
    copies an item before it changes it: see ``Editor``)."""
    same = {id(item) for item in old}
    return {n for n, item in enumerate(new) if id(item) not in same}


def parse_region(doc: Document, region: str) -> tuple[list[Any], list[tuple[int, int]]]:
    """The items in one region's text, read as a cold load would read them (text fields as
    written), with their spans in the region."""
    if not region.strip():
        return [], []
    items, node = yamlio.parse(region, str(doc.path))
    if items is None and node is None:  # only comments and blank lines are left
        return [], []
    if not isinstance(items, list) or not isinstance(node, SequenceNode):
        raise DemandsError(MISREAD)
    context = {key: value for key, value in doc.data.items() if key != "demands"}
    context["demands"] = items
    validation.check(context, lambda p: yamlio.scalar_text(node, p[1:]) if p and p[0] == "demands" else None)
    spans = [(line_start(region, n.start_mark.index), after_content(region, n)) for n in node.value]
    return items, spans
