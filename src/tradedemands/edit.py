"""Change a demands file by editing its text at the parser's node positions.

Every change is made twice: to a copy of the data (what the file must hold
afterwards) and as a splice of the text at the positions the YAML composer
reported. Untouched bytes stay untouched, so comments, order, quoting, layout,
line endings and a BOM survive. The caller re-parses the new text and checks
it equals the intended data before anything is written.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import DemandsError
from .yamlio import scalar

Path = tuple[Any, ...]


@dataclass
class Splice:
    start: int
    end: int
    text: str
    order: int = 0


def apply_splices(text: str, splices: list[Splice]) -> str:
    """Apply non-overlapping splices; inserts at one position keep the order they were made in."""
    ordered = sorted(splices, key=lambda s: (s.start, s.end, s.order))
    out: list[str] = []
    pos = 0
    for splice in ordered:
        if splice.start < pos:
            raise DemandsError("internal error: overlapping edits; nothing was changed")
        out.append(text[pos : splice.start])
        out.append(splice.text)
        pos = splice.end
    out.append(text[pos:])
    return "".join(out)


def reverse_splices(text: str, splices: list[Splice]) -> list[Splice]:
    """Splices that turn the edited text back into ``text``."""
    ordered = sorted(splices, key=lambda s: (s.start, s.end, s.order))
    reverse = []
    shift = 0
    for splice in ordered:
        new_start = splice.start + shift
        reverse.append(Splice(new_start, new_start + len(splice.text), text[splice.start : splice.end]))
        shift += len(splice.text) - (splice.end - splice.start)
    return reverse


def flow(value: Any) -> str:
    """``value`` in YAML flow style, on one line."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(str(k))}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _block_text(value: str, indent: int, newline: str) -> str | None:
    """A literal block scalar (``|-``) for multi-line text, or None when one cannot carry it."""
    lines = value.split("\n")
    if len(lines) < 2 or not lines[0] or lines[0][0] == " " or not lines[-1]:
        return None
    if any(line != line.rstrip() for line in lines):
        return None
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\ufeff\u2028\u2029" for c in value if c != "\n"):
        return None
    pad = " " * indent
    return "|-" + "".join(newline + (pad + line if line else "") for line in lines)


def block_value(value: Any, indent: int, newline: str) -> str:
    """The text after ``key:`` for ``value`` in a block mapping whose keys sit at ``indent``."""
    pad = " " * (indent + 2)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "".join(f"{newline}{pad}- {flow(v)}" for v in value)
    if isinstance(value, str):
        block = _block_text(value, indent + 2, newline)
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


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Index just past the newline ending the line that holds ``index`` (or the end of text)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _content_end(node: Node) -> int:
    """Where a node's own text ends: past its last leaf, not past trailing comments or blank lines."""
    if isinstance(node, ScalarNode):
        if node.style in ("|", ">"):
            return node.end_mark.index
        return int(node.end_mark.index)
    if getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    if isinstance(node, SequenceNode):
        return _content_end(node.value[-1]) if node.value else int(node.end_mark.index)
    if isinstance(node, MappingNode):
        return _content_end(node.value[-1][1]) if node.value else int(node.end_mark.index)
    return int(node.end_mark.index)


def _after_content(text: str, node: Node) -> int:
    """Start of the line after a node's content (block scalars already end there)."""
    end = _content_end(node)
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        if "+" in _block_header(text, node):
            # Keep chomping (``|+``): the trailing blank lines are part of the value.
            return end
        # A block scalar's end runs past trailing blank lines; stop after its last text line.
        stop = end
        while stop > 0 and text[stop - 1] in " \r\n":
            stop -= 1
        return _line_end(text, stop)
    return _line_end(text, max(end - 1, 0)) if end > 0 and text[end - 1] == "\n" else _line_end(text, end)


def _block_header(text: str, node: ScalarNode) -> str:
    """A block scalar's indicators (``|``, ``>-``, ``|2+``), read from the text."""
    match = re.match(r"[|>][0-9+-]*", text[node.start_mark.index : node.start_mark.index + 8])
    return match.group() if match else ""


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

    @classmethod
    def of(cls, text: str, root: Node, data: Any, newline: str) -> Editor:
        return cls(text, root, copy.deepcopy(data), newline)

    def _splice(self, start: int, end: int, text: str) -> None:
        self.splices.append(Splice(start, end, text, len(self.splices)))

    def result(self) -> str:
        return apply_splices(self.text, self.splices)

    # --- locating ------------------------------------------------------------------------

    def node(self, path: Path) -> Node:
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

    def _key_node(self, path: Path) -> Node:
        """The key node naming the value at ``path`` in its parent mapping."""
        parent = self.node(path[:-1])
        if isinstance(parent, MappingNode):
            for k, _v in parent.value:
                if k.value == str(path[-1]):
                    return k
        raise KeyError(path)

    def _data_at(self, path: Path) -> Any:
        value = self.data
        for step in path:
            value = value[step]
        return value

    def _in_flow(self, path: Path) -> bool:
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

    def set(self, path: Path, value: Any) -> None:
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
            self._add_key(parent, key, value)

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
            self._splice(colon, end, block_value(value, indent, self.newline) + tail)
            return
        self._splice(node.start_mark.index, node.end_mark.index, flow(value))

    def _after(self, node: Node) -> int:
        return _after_content(self.text, node)

    def _add_key(self, parent: Node, key: str, value: Any) -> None:
        if not isinstance(parent, MappingNode):
            raise DemandsError("internal error: not a mapping; nothing was changed")
        if parent.flow_style:
            close = _closing(self.text, parent)
            sep = "" if _flow_is_empty(parent) else ", "
            # Put the new pair right after the last value, before any space and the brace.
            at = _content_end(parent.value[-1][1]) if parent.value else close
            self._splice(at, at, f"{sep}{scalar(key)}: {flow(value)}")
            return
        if not parent.value:
            raise DemandsError("internal error: empty block mapping; nothing was changed")
        indent = self._key_indent(parent)
        at = self._after(parent.value[-1][1])
        line = " " * indent + f"{scalar(key)}:{block_value(value, indent, self.newline)}"
        self._insert_line(at, line)

    def _insert_line(self, at: int, line: str) -> None:
        if at > 0 and self.text[at - 1] != "\n":
            # The file ends without a newline: end the last line first.
            self._splice(at, at, self.newline + line)
        else:
            self._splice(at, at, line + self.newline)

    def append(self, path: Path, value: Any) -> None:
        """Append ``value`` to the list at ``path``, creating the list if the key is absent."""
        parent_path, key = path[:-1], path[-1]
        mapping = self._data_at(parent_path)
        current = mapping.get(key)
        if current is None:
            self.set(path, [value])
            return
        node = self.node(path)
        current.append(value)
        if not isinstance(node, SequenceNode):
            raise DemandsError(f"internal error: {key} is not a list; nothing was changed")
        if node.flow_style:
            if node.value:
                at = _content_end(node.value[-1])
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

    def _items_are_block(self, node: SequenceNode) -> bool:
        first = node.value[0] if node.value else None
        return isinstance(first, MappingNode) and not first.flow_style and bool(first.value)

    def add_item(self, item: dict[str, Any]) -> None:
        """Append an item to ``demands`` in the layout of the items already there."""
        if self.data.get("demands"):
            self.append(("demands",), item)
            return
        # No items yet: a block list replaces ``demands: []`` or ``demands:``, or ends the file.
        block = self.newline + block_mapping(item, 4, self.newline, "  - ")
        self.data["demands"] = [item]
        if "demands" in self.data and self._has_key("demands"):
            node = self.node(("demands",))
            start = node.start_mark.index
            if start > 0 and self.text[start - 1] == " ":
                start -= 1
            end = (
                _after_content(self.text, node) if isinstance(node, ScalarNode) and node.value else node.end_mark.index
            )
            self._splice(start, end, block)
            return
        root = self.root
        if not isinstance(root, MappingNode) or root.flow_style:
            raise DemandsError("cannot add to this file: its top level is not a block mapping")
        self._insert_line(self._after(root.value[-1][1]), "demands:" + block)

    def _has_key(self, key: str) -> bool:
        return isinstance(self.root, MappingNode) and any(k.value == key for k, _ in self.root.value)

    def remove(self, path: Path) -> None:
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

    def remove_entries(self, path: Path, indexes: list[int]) -> None:
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
                start = _line_start(self.text, entries[index].start_mark.index)
                self._splice(start, self._after(entries[index]), "")
            return
        last_kept = kept[-1]
        for index in gone:
            if index < last_kept:
                # ``a, b, c`` less ``b``: from b up to c.
                self._splice(entries[index].start_mark.index, entries[index + 1].start_mark.index, "")
        if gone[-1] > last_kept:
            # The entries after the last kept one go with the comma before them.
            self._splice(_content_end(entries[last_kept]), _content_end(entries[-1]), "")

    def _remove_pair(self, mapping: MappingNode, index: int) -> None:
        key, value = mapping.value[index]
        if mapping.flow_style:
            if len(mapping.value) == 1:
                self._splice(mapping.start_mark.index, mapping.end_mark.index, "{}")
            elif index < len(mapping.value) - 1:
                self._splice(key.start_mark.index, mapping.value[index + 1][0].start_mark.index, "")
            else:
                self._splice(_content_end(mapping.value[index - 1][1]), _content_end(value), "")
            return
        if len(mapping.value) == 1:
            raise DemandsError("cannot remove the only field of a mapping; nothing was changed")
        start = _line_start(self.text, key.start_mark.index)
        if index == 0 and self.text[start : key.start_mark.index].strip():
            # The first key shares its line with the list's dash (``- priority: high``):
            # keep the dash and move the next key up onto its line.
            self._splice(key.start_mark.index, mapping.value[1][0].start_mark.index, "")
            return
        self._splice(start, self._after(value), "")
