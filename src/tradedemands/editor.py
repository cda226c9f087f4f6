"""Change a demands file by editing its text at the parser's node positions.

Every change is made twice: to a copy of the data (what the file must hold
afterwards) and as a splice of the text at the positions the YAML composer
reported. Untouched bytes stay untouched, so comments, order, quoting, layout,
line endings and a BOM survive. The caller re-parses the new text and checks
it equals the intended data before anything is written.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import DemandsError
from .model import DataPath
from .splices import Splice, after_content, apply_splices, content_end, line_start
from .yamlio import scalar


def flow(value: Any) -> str:
    """``value`` in YAML flow style, on one line."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(str(k))}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _block_text(value: str, indent: int, newline: str) -> str | None:
    """A literal block scalar for multi-line text (``|-``; ``|`` when the text ends with one
    line break), or None when one cannot carry it."""
    keep = value.endswith("\n") and not value.endswith("\n\n")
    lines = (value[:-1] if keep else value).split("\n")
    if len(lines) < 2 or not lines[0] or lines[0][0] == " " or not lines[-1]:
        return None
    if not _plain_block(value) or any(line != line.rstrip() for line in lines):
        return None
    pad = " " * indent
    return ("|" if keep else "|-") + "".join(newline + (pad + line if line else "") for line in lines)


def _plain_block(value: str) -> bool:
    """Whether ``value`` holds nothing a block scalar cannot carry (controls, BOM, separators)."""
    return not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\ufeff\u2028\u2029" for c in value if c != "\n")


def _folded_text(value: str, indent: int, newline: str, width: int = 80) -> str | None:
    """A folded block scalar (``>-``; ``>`` when the text ends with one line break) for one
    line of text, wrapped at single spaces to about ``width`` columns, or None when it fits on
    one line or folding cannot carry it exactly (line breaks inside, runs of spaces at a wrap,
    spaces at an end)."""
    keep = value.endswith("\n") and not value.endswith("\n\n")
    body = value[:-1] if keep else value
    if not body or "\n" in body or body != body.strip() or not _plain_block(body):
        return None
    lines: list[str] = []
    line = ""
    for word in body.split(" "):
        if line and word and not line.endswith(" ") and indent + len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line or lines else word
    lines.append(line)
    if len(lines) == 1:
        return None  # it fits on one line: written plain, as a person would
    if any(part != part.strip() or not part for part in lines):
        return None  # a wrap next to a run of spaces would not read back the same
    pad = " " * indent
    return (">" if keep else ">-") + "".join(newline + pad + part for part in lines)


def block_value(value: Any, indent: int, newline: str, style: str | None = None) -> str:
    """The text after ``key:`` for ``value`` in a block mapping whose keys sit at ``indent``;
    text is a folded block when ``style`` (the old value's) is ``>`` and it can be one, and a
    literal block when it has several lines."""
    pad = " " * (indent + 2)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "".join(f"{newline}{pad}- {flow(v)}" for v in value)
    if isinstance(value, str):
        block = _folded_text(value, indent + 2, newline) if style == ">" else None
        block = block or _block_text(value, indent + 2, newline)
        if block is not None:
            return " " + block
    return " " + flow(value)


def block_mapping(mapping: dict[str, Any], indent: int, newline: str, first_prefix: str) -> str:
    """A block mapping: the first line begins with ``first_prefix`` (e.g. ``"  - "``)."""
    lines = []
    for n, (key, value) in enumerate(mapping.items()):
        prefix = first_prefix if n == 0 else " " * indent
        lines.append(f"{prefix}{scalar(str(key))}:{block_value(value, indent, newline)}")
    return newline.join(lines)


def _order_of(path: DataPath) -> tuple[str, ...] | None:
    """The order the format gives the keys of the mapping a new key at ``path`` goes into: an
    item's fields, or its target's or source's (None for any other mapping)."""
    from .model import Item, Source, Target, fields_of

    if len(path) == 3 and path[0] == "demands":
        return fields_of(Item)
    if len(path) == 4 and path[0] == "demands" and path[2] in ("target", "source"):
        return fields_of(Target if path[2] == "target" else Source)
    return None


def _closing(text: str, node: Node) -> int:
    """Index of a flow collection's closing bracket."""
    return int(node.end_mark.index) - 1


def _flow_is_empty(node: Node) -> bool:
    return not node.value


@dataclass
class Editor:
    """Collects changes to one document; ``data`` is the intended result."""

    text: str
    root: Node
    data: Any
    newline: str = "\n"
    splices: list[Splice] = field(default_factory=list)
    #: Containers of ``data`` already copied from the document's (copy on write).
    _owned: set[int] = field(default_factory=set, repr=False)
    #: Per list, the positions (as loaded) where ``insert`` put entries, to place the next in ``data``.
    _inserted: dict[DataPath, list[int]] = field(default_factory=dict, repr=False)
    #: Items added to a file that had none: the splice that writes their block list (its index
    #: in ``splices``), where in its text the next one goes, and the blocks of those added since
    #: (joined into it once, by ``result``: adding 100,000 items stays linear).
    _first_block: tuple[int, int, list[str]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, text: str, root: Node, data: Any, newline: str) -> Editor:
        """An editor whose intended data starts as a copy of ``data``.

        The copy is made on write: the top level and the ``demands`` list at once,
        each item or other top-level value when a change first reaches it, so a
        change to one item of 100,000 copies one item.
        """
        mine = dict(data) if isinstance(data, dict) else copy.deepcopy(data)
        editor = cls(text, root, mine, newline)
        if isinstance(mine, dict) and isinstance(mine.get("demands"), list):
            mine["demands"] = list(mine["demands"])
            editor._owned.add(id(mine["demands"]))
        return editor

    def _splice(self, start: int, end: int, text: str) -> None:
        self.splices.append(Splice(start, end, text, len(self.splices)))

    def result(self) -> str:
        """The text with every change made so far."""
        if self._first_block is not None and self._first_block[2]:
            index, at, blocks = self._first_block
            first, more = self.splices[index], "".join(blocks)
            self.splices[index] = Splice(first.start, first.end, first.text[:at] + more + first.text[at:], first.order)
            self._first_block = (index, at + len(more), [])
        return apply_splices(self.text, self.splices)

    # --- locating ------------------------------------------------------------------------

    def node(self, path: DataPath) -> Node:
        """The node of the value at ``path`` in the document as loaded; KeyError if there is none."""
        node = self.root
        for step in path:
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    if k.value == str(step):
                        node = v
                        break
                else:
                    raise KeyError(path)
            elif isinstance(node, SequenceNode):
                node = node.value[step]
            else:
                raise KeyError(path)
        return node

    def _key_node(self, path: DataPath) -> Node:
        """The key node naming the value at ``path`` in its parent mapping."""
        parent = self.node(path[:-1])
        if isinstance(parent, MappingNode):
            for k, _v in parent.value:
                if k.value == str(path[-1]):
                    return k
        raise KeyError(path)

    def _data_at(self, path: DataPath) -> Any:
        """The intended value at ``path``, copied first if it is still the document's."""
        value = self.data
        for depth, step in enumerate(path):
            child = value[step]
            if depth < 2 and isinstance(child, (dict, list)) and id(child) not in self._owned:
                child = copy.deepcopy(child)
                value[step] = child
                self._owned.add(id(child))
            value = child
        return value

    def _in_flow(self, path: DataPath) -> bool:
        node = self.root
        for step in path:
            if getattr(node, "flow_style", False):
                return True
            if isinstance(node, MappingNode):
                node = next(v for k, v in node.value if k.value == str(step))
            elif isinstance(node, SequenceNode):
                node = node.value[step]
        return bool(getattr(node, "flow_style", False))

    def _key_indent(self, mapping: MappingNode) -> int:
        return int(mapping.value[0][0].start_mark.column) if mapping.value else 0

    # --- operations ----------------------------------------------------------------------

    def set(self, path: DataPath, value: Any) -> None:
        """Set ``path`` (a mapping key) to ``value``, adding the key if absent."""
        parent_path, key = path[:-1], path[-1]
        parent = self.node(parent_path)
        mapping = self._data_at(parent_path)
        pair = (
            next(((k, v) for k, v in parent.value if k.value == key), None) if isinstance(parent, MappingNode) else None
        )
        mapping[key] = value
        if pair is not None:
            self._replace(pair[0], pair[1], value, self._in_flow(path))
        else:
            self._add_key(parent, key, value, _order_of(path))

    def _replace(self, key: Node, node: Node, value: Any, in_flow: bool) -> None:
        block_collection = isinstance(node, (SequenceNode, MappingNode)) and not node.flow_style
        block_scalar = isinstance(node, ScalarNode) and node.style in ("|", ">")
        empty = isinstance(node, ScalarNode) and node.value == "" and node.style in ("", None)
        if not in_flow and (block_collection or block_scalar or empty):
            # Rewrite everything after ``key:`` up to the end of the old value's text.
            colon = self.text.index(":", key.end_mark.index) + 1
            indent = int(key.start_mark.column)
            end = self._after(node) if (block_collection or block_scalar) else node.end_mark.index
            tail = self.newline if (block_collection or block_scalar) else ""
            style = node.style if isinstance(node, ScalarNode) and block_scalar else None
            self._splice(colon, end, block_value(value, indent, self.newline, style) + tail)
            return
        self._splice(node.start_mark.index, node.end_mark.index, flow(value))

    def _after(self, node: Node) -> int:
        return after_content(self.text, node)

    def _add_key(self, parent: Node, key: str, value: Any, order: tuple[str, ...] | None = None) -> None:
        """Add ``key: value`` to the mapping ``parent``: after the last key that ``order`` (the
        format's order of an item's fields, or a target's or source's) puts before it, as ``add``
        writes them (``priority`` after ``tags``, not after ``history``); else at the end."""
        if not isinstance(parent, MappingNode):
            raise DemandsError("internal error: not a mapping; nothing was changed")
        anchor = parent.value[-1][1] if parent.value else None
        if order is not None and key in order and parent.value:
            rank = order.index(key)
            before = [v for k, v in parent.value if k.value in order and order.index(k.value) < rank]
            anchor = before[-1] if before else anchor
        if parent.flow_style:
            close = _closing(self.text, parent)
            sep = "" if _flow_is_empty(parent) else ", "
            # Put the new pair right after its anchor's value, before any space, comma or brace.
            at = content_end(anchor) if anchor is not None else close
            self._splice(at, at, f"{sep}{scalar(key)}: {flow(value)}")
            return
        if anchor is None:
            raise DemandsError("internal error: empty block mapping; nothing was changed")
        indent = self._key_indent(parent)
        at = self._after(anchor)
        line = " " * indent + f"{scalar(key)}:{block_value(value, indent, self.newline)}"
        self._insert_line(at, line)

    def _insert_line(self, at: int, line: str) -> None:
        if at > 0 and self.text[at - 1] != "\n":
            # The file ends without a newline: end the last line first.
            self._splice(at, at, self.newline + line)
        else:
            self._splice(at, at, line + self.newline)

    def append(self, path: DataPath, value: Any) -> None:
        """Append ``value`` to the list at ``path``, creating the list if the key is absent."""
        parent_path, key = path[:-1], path[-1]
        mapping = self._data_at(parent_path)
        if mapping.get(key) is None:
            self.set(path, [value])
            return
        current = self._data_at(path)
        node = self.node(path)
        current.append(value)
        if not isinstance(node, SequenceNode):
            raise DemandsError(f"internal error: {key} is not a list; nothing was changed")
        if node.flow_style:
            if node.value:
                at = content_end(node.value[-1])
                self._splice(at, at, f", {flow(value)}")
            else:
                self._splice(node.start_mark.index, node.end_mark.index, f"[{flow(value)}]")
            return
        dash_col = int(node.start_mark.column)
        at = self._after(node.value[-1])
        if isinstance(value, dict) and self._items_are_block(node):
            key_col = int(node.value[0].value[0][0].start_mark.column)
            text = block_mapping(value, key_col, self.newline, " " * dash_col + "- " + " " * (key_col - dash_col - 2))
            self._insert_line(at, text)
        else:
            self._insert_line(at, " " * dash_col + "- " + flow(value))

    def insert(self, path: DataPath, index: int, value: Any) -> None:
        """Insert ``value`` into the list at ``path`` before its entry ``index`` (a position in
        the list as loaded), in the layout of the entries there; at or past the end, append.

        Only the new entry's lines are added (in a flow list, the entry and a comma): the
        comment lines above the entry that follows stay with it. Several inserts at one
        position keep the order they were made in.
        """
        parent_path, key = path[:-1], path[-1]
        mapping = self._data_at(parent_path)
        node = self.node(path) if mapping.get(key) is not None else None
        if not isinstance(node, SequenceNode) or index >= len(node.value):
            self.append(path, value)
            return
        current = self._data_at(path)
        earlier = self._inserted.setdefault(path, [])
        current.insert(index + sum(1 for n in earlier if n <= index), value)
        earlier.append(index)
        if node.flow_style:
            at = node.value[index].start_mark.index
            self._splice(at, at, f"{flow(value)}, ")
            return
        dash_col = int(node.start_mark.column)
        if index > 0:
            at = self._after(node.value[index - 1])
        else:
            # Above the first entry, and above the comment lines directly over it (they are its).
            at = line_start(self.text, node.value[0].start_mark.index)
            while at > 0:
                above = line_start(self.text, at - 1)
                if not self.text[above:at].lstrip().startswith("#"):
                    break
                at = above
        if isinstance(value, dict) and self._items_are_block(node):
            key_col = int(node.value[0].value[0][0].start_mark.column)
            text = block_mapping(value, key_col, self.newline, " " * dash_col + "- " + " " * (key_col - dash_col - 2))
        else:
            text = " " * dash_col + "- " + flow(value)
        self._splice(at, at, text + self.newline)

    def _items_are_block(self, node: SequenceNode) -> bool:
        first = node.value[0] if node.value else None
        return isinstance(first, MappingNode) and not first.flow_style and bool(first.value)

    def add_item(self, item: dict[str, Any]) -> None:
        """Append an item to ``demands`` in the layout of the items already there."""
        block = self.newline + block_mapping(item, 4, self.newline, "  - ")
        if self._first_block is not None:
            # The file had no items and this editor wrote the first: the new block list grows.
            self._first_block[2].append(block)
            self.data["demands"].append(item)
            return
        if self.data.get("demands"):
            self.append(("demands",), item)
            return
        # No items yet: a block list replaces ``demands: []`` or ``demands:``, or ends the file.
        self.data["demands"] = [item]
        self._owned.add(id(self.data["demands"]))
        if "demands" in self.data and self._has_key("demands"):
            node = self.node(("demands",))
            start = node.start_mark.index
            if start > 0 and self.text[start - 1] == " ":
                start -= 1
            end = after_content(self.text, node) if isinstance(node, ScalarNode) and node.value else node.end_mark.index
            stop = self.text.find("\n", end)
            stop = len(self.text) if stop < 0 else stop - (1 if self.text[stop - 1] == "\r" else 0)
            if self.text[end:stop].strip().startswith("#"):
                # ``demands: []  # none yet``: the comment stays on the key's line, the items follow it.
                self._splice(start, end, "")
                start = end = stop
            self._splice(start, end, block)
            self._first_block = (len(self.splices) - 1, len(block), [])
            return
        root = self.root
        if not isinstance(root, MappingNode) or root.flow_style:
            raise DemandsError("cannot add to this file: its top level is not a block mapping")
        self._insert_line(self._after(root.value[-1][1]), "demands:" + block)
        written = self.splices[-1].text
        self._first_block = (len(self.splices) - 1, written.index("demands:") + len("demands:") + len(block), [])

    def _has_key(self, key: str) -> bool:
        return isinstance(self.root, MappingNode) and any(k.value == key for k, _ in self.root.value)

    def remove(self, path: DataPath) -> None:
        """Remove a list entry or a mapping key at ``path``."""
        parent_path, step = path[:-1], path[-1]
        parent = self.node(parent_path)
        container = self._data_at(parent_path)
        if isinstance(parent, SequenceNode):
            self.remove_entries(parent_path, [step])
        elif isinstance(parent, MappingNode):
            del container[step]
            index = next(n for n, (k, _) in enumerate(parent.value) if k.value == step)
            self._remove_pair(parent, index)
        else:
            raise DemandsError("internal error: nothing to remove; nothing was changed")

    def remove_entries(self, path: DataPath, indexes: list[int]) -> None:
        """Remove the entries at ``indexes`` (positions in the file as loaded) of the list at ``path``.

        Remove several entries of one list in one call: their text ranges touch, and
        removing the last ones of a flow list, or all of them, needs to see them together.
        """
        seq = self.node(path)
        if not isinstance(seq, SequenceNode):
            raise DemandsError("internal error: not a list; nothing was changed")
        container = self._data_at(path)
        gone = sorted(set(indexes))
        if not gone:
            return
        for index in reversed(gone):
            del container[index]
        entries = seq.value
        kept = [n for n in range(len(entries)) if n not in set(gone)]
        if not kept:
            if seq.flow_style:
                self._splice(seq.start_mark.index, seq.end_mark.index, "[]")
            else:
                # The list becomes empty: write ``[]`` after its key instead of leaving a null.
                # The colon is the one after the key (not the last one before the entry: a
                # comment between key and entry may hold colons too).
                key = self._key_node(path)
                key_end = self.text.index(":", key.end_mark.index) + 1
                self._splice(key_end, self._after(entries[-1]), " []" + self.newline)
            return
        if not seq.flow_style:
            for index in gone:
                start = line_start(self.text, entries[index].start_mark.index)
                self._splice(start, self._after(entries[index]), "")
            return
        last_kept = kept[-1]
        for index in gone:
            if index < last_kept:
                # ``a, b, c`` less ``b``: from b up to c.
                self._splice(entries[index].start_mark.index, entries[index + 1].start_mark.index, "")
        if gone[-1] > last_kept:
            # The entries after the last kept one go with the comma before them.
            self._splice(content_end(entries[last_kept]), content_end(entries[-1]), "")

    def _remove_pair(self, mapping: MappingNode, index: int) -> None:
        key, value = mapping.value[index]
        if mapping.flow_style:
            if len(mapping.value) == 1:
                self._splice(mapping.start_mark.index, mapping.end_mark.index, "{}")
            elif index < len(mapping.value) - 1:
                self._splice(key.start_mark.index, mapping.value[index + 1][0].start_mark.index, "")
            else:
                self._splice(content_end(mapping.value[index - 1][1]), content_end(value), "")
            return
        if len(mapping.value) == 1:
            raise DemandsError("cannot remove the only field of a mapping; nothing was changed")
        start = line_start(self.text, key.start_mark.index)
        if index == 0 and self.text[start : key.start_mark.index].strip():
            # The first key shares its line with the list's dash (``- priority: high``):
            # keep the dash and move the next key up onto its line.
            self._splice(key.start_mark.index, mapping.value[1][0].start_mark.index, "")
            return
        self._splice(start, self._after(value), "")

    def append_lines(self, path: DataPath, values: list[Any], lines: str) -> None:
        """Append ``values`` to the list at ``path``, written as ``lines`` (no final newline).

        ``lines`` are whole lines of block-list entries, indented for this list: entries
        copied from another version of the file keep their own layout and comments. A
        non-empty block list gets them after its last entry; an empty ``[]`` becomes a
        block list of them.
        """
        node = self.node(path)
        current = self._data_at(path)
        if not isinstance(node, SequenceNode) or (node.value and node.flow_style):
            raise DemandsError("internal error: lines go only into a block list or []; nothing was changed")
        current.extend(values)
        if node.value:
            self._insert_line(self._after(node.value[-1]), lines)
            return
        colon = self.text.index(":", self._key_node(path).end_mark.index) + 1
        self._splice(colon, node.end_mark.index, self.newline + lines)
