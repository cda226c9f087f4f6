"""Where a YAML node's text begins and ends, and splices of text at those places.

A ``Splice`` replaces ``text[start:end]`` (offsets, ``[start, end)``) with new text. The
position helpers read the text around a node's marks: the start of its line, the end of
its content (past its last leaf, not past trailing comments), the lines of a list entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import DemandsError


@dataclass
class Splice:
    """Replace ``text[start:end]`` with ``text``; ``order`` keeps inserts at one place in the order made."""

    start: int
    end: int
    text: str
    order: int = 0


def splice_key(splice: Splice) -> tuple[int, int, int, int]:
    """Where a splice goes among others: by position; lines inserted at one position deepest
    first (a tag appended to ``tags:``'s block list before a key added after ``tags``, that key
    before an item appended after its item), then in the order they were made."""
    depth = 0
    if splice.start == splice.end:
        line = splice.text.lstrip("\r\n") if splice.text[:1] in ("\r", "\n") else splice.text
        depth = len(line) - len(line.lstrip(" "))
    return (splice.start, splice.end, -depth, splice.order)


def apply_splices(text: str, splices: list[Splice]) -> str:
    """Apply non-overlapping splices, in ``splice_key``'s order."""
    ordered = sorted(splices, key=splice_key)
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
    ordered = sorted(splices, key=splice_key)
    reverse = []
    shift = 0
    for splice in ordered:
        new_start = splice.start + shift
        reverse.append(Splice(new_start, new_start + len(splice.text), text[splice.start : splice.end]))
        shift += len(splice.text) - (splice.end - splice.start)
    return reverse


def line_start(text: str, index: int) -> int:
    """Index of the start of the line that holds ``index``."""
    return text.rfind("\n", 0, index) + 1


def line_end(text: str, index: int) -> int:
    """Index just past the newline ending the line that holds ``index`` (or the end of text)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def content_end(node: Node) -> int:
    """Where a node's own text ends: past its last leaf, not past trailing comments or blank lines."""
    if isinstance(node, ScalarNode):
        if node.style in ("|", ">"):
            return node.end_mark.index
        return int(node.end_mark.index)
    if getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    if isinstance(node, SequenceNode):
        return content_end(node.value[-1]) if node.value else int(node.end_mark.index)
    if isinstance(node, MappingNode):
        return content_end(node.value[-1][1]) if node.value else int(node.end_mark.index)
    return int(node.end_mark.index)


def after_content(text: str, node: Node) -> int:
    """Start of the line after a node's content (block scalars already end there)."""
    end = content_end(node)
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        if "+" in block_header(text, node):
            # Keep chomping (``|+``): the trailing blank lines are part of the value.
            return end
        # A block scalar's end runs past trailing blank lines; stop after its last text line.
        stop = end
        while stop > 0 and text[stop - 1] in " \r\n":
            stop -= 1
        return line_end(text, stop)
    return line_end(text, max(end - 1, 0)) if end > 0 and text[end - 1] == "\n" else line_end(text, end)


def block_header(text: str, node: ScalarNode) -> str:
    """A block scalar's indicators (``|``, ``>-``, ``|2+``), read from the text."""
    match = re.match(r"[|>][0-9+-]*", text[node.start_mark.index : node.start_mark.index + 8])
    return match.group() if match else ""


def _closing(text: str, node: Node) -> int:
    """Index of a flow collection's closing bracket."""
    return int(node.end_mark.index) - 1


def _flow_is_empty(node: Node) -> bool:
    return not node.value


def entry_span(text: str, seq: SequenceNode, index: int) -> tuple[int, int] | None:
    """The whole lines of entry ``index`` of a block list: from the start of its dash line to the
    end of its content (a comment on its last line included, comment lines after it not).

    None when the entry does not begin its own line after the dash (``- - x``, a lone ``-``).
    """
    entry = seq.value[index]
    start = line_start(text, entry.start_mark.index)
    if not re.fullmatch(r" *- +", text[start : entry.start_mark.index]):
        return None
    return start, after_content(text, entry)
