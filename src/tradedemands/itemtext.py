"""One item as YAML text for a person to edit, and that text read back: ``edit`` and ``add --edit``.

``render`` writes an item as a block mapping (nested mappings in block style, history entries
one a line, as the data file has them); ``template`` is an empty item to fill in. ``changed``
reads an edited text back as an item of the loaded document: it must be one YAML mapping, and
the file with it in place must be valid; ``BufferProblems`` lists every problem at its line of
the text, so that an editor can be re-opened with them.
"""

from __future__ import annotations

import copy
from typing import Any

from . import validation, yamlio
from .document import Document
from .editor import flow
from .errors import DemandsError, InvalidFile
from .escape import clip
from .model import KINDS, PRIORITIES, Item, fields_of
from .updates import Numbering, complete_new, party_change, prune, settle_status


class BufferProblems(DemandsError):
    """An edited item that cannot be saved: ``problems`` as (line of the text, 1-based, or 0 for
    the whole text; message). ``base``: when the item changed in the file meanwhile, its text now
    (what a next save is to be compared with)."""

    def __init__(self, problems: list[tuple[int, str]], base: str | None = None) -> None:
        self.problems = problems
        self.base = base
        super().__init__("; ".join(f"line {line}: {message}" if line else message for line, message in problems))


def _scalar(value: Any) -> str:
    return flow(value) if not isinstance(value, str) else yamlio.scalar(value, flow=False)


def _lines(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    name = yamlio.scalar(str(key))
    if isinstance(value, dict) and value:
        out = [f"{pad}{name}:"]
        for sub, inner in value.items():
            out += _lines(sub, inner, indent + 2)
        return out
    if isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        return [f"{pad}{name}:"] + [f"{pad}  - {flow(v)}" for v in value]
    if isinstance(value, str) and "\n" in value:
        from .editor import _block_text

        block = _block_text(value, indent + 2, "\n")
        if block is not None:
            return [f"{pad}{name}: {block}"]
    return [f"{pad}{name}: {_scalar(value)}" if value is not None else f"{pad}{name}:"]


def render(item: Any) -> str:
    """``item`` as YAML: one key a line, nested mappings in block style, entries of a list of
    mappings (history, links) one a line in flow style. Reads back as ``item``."""
    lines: list[str] = []
    for key, value in item.items():
        lines += _lines(key, value, 0)
    return "\n".join(lines) + "\n"


def template(doc: Document, given: dict[str, Any]) -> str:
    """An item to fill in, with the values ``given`` (from the command line) in place."""
    vocab = doc.vocab.names
    skeleton: dict[str, Any] = {
        "party": None,
        "of": None,
        "kind": "demand",
        "title": None,
        "text": None,
        "topic": None,
        "tags": None,
        "priority": None,
        "status": vocab[0],
        "due": None,
        "source": {"doc": None, "quote": None, "date": None},
    }
    for key, value in given.items():
        if value not in (None, "", []):
            skeleton[key] = value
    if skeleton.get("history"):  # given: where the status is, it is set
        skeleton.pop("status")
        skeleton["status"] = skeleton["history"][-1]["status"]
        skeleton["history"] = skeleton.pop("history")
    parties = ", ".join(doc.data.get("parties") or {})
    hints = (
        f"# party and of: a party id ({clip(parties, 80)}); kind: {', '.join(KINDS)};\n"
        f"# priority: {', '.join(PRIORITIES)}; status: {clip(', '.join(vocab), 80)}; dates: YYYY-MM-DD.\n"
        "# Leave out the id to get the party's next one; empty fields are left out.\n"
    )
    return hints + render(skeleton)


def parse(text: str, label: str) -> tuple[dict[str, Any] | None, Any]:
    """The mapping an edited text holds (None for a text of nothing but comments and blanks),
    and its node tree. BufferProblems for text that is not one YAML mapping."""
    try:
        data, node = yamlio.parse(text, label)
    except InvalidFile as err:
        raise BufferProblems([(p.line, p.message) for p in err.problems]) from None
    if data is None:
        return None, None
    if not isinstance(data, dict):
        raise BufferProblems([(1, "an item is a mapping of its fields (key: value lines)")])
    return data, node


def changed(doc: Document, index: int | None, text: str, today: str, base: str | None = None) -> dict[str, Any] | None:
    """The item ``text`` holds, as it would be written: item ``index`` of ``doc`` changed (None:
    a new item, numbered as ``add`` numbers one), its empty fields left out, its status and
    history agreeing (``updates.settle_status``: a changed status gets an entry dated ``today``),
    and the file with it valid. None for a text of nothing but comments (the caller aborts).

    ``base`` is the text the editor was opened with. Only the fields ``text`` changes from it
    are taken, so that a write made meanwhile (``demands mark`` in another terminal) is kept;
    a field changed both ways is a problem, whose ``base`` is the item as it is now.
    Raises BufferProblems, at the text's lines, for everything wrong with it."""
    data, node = parse(text, str(doc.path))
    if data is None:
        return None
    new: dict[str, Any] = prune(data)
    old: Item | None = doc.items[index] if index is not None else None
    if old is not None and str(new.get("id", "")).strip() != old["id"]:  # in its case too: the file's is kept
        raise BufferProblems([(_line(node, ("id",)), f"the id stays {old['id']}: links and history name it")])
    if old is not None and base is not None:
        new = _merged(old, new, base, node, str(doc.path))
    if old is not None:
        refused = party_change(old, new)
        if refused:
            key = "party" if new.get("party") != old.get("party") else "kind"
            raise BufferProblems([(_line(node, (key,)), refused)])
    if old is None:
        from .errors import UsageError

        given_id = new.get("id")
        try:
            complete_new(doc.data, new, Numbering(i["id"] for i in doc.items), doc.vocab.names)
        except UsageError as err:
            raise BufferProblems([(_line(node, ("party",)), str(err))]) from None
        if new.get("id") != given_id:
            new = {"id": new.pop("id"), **new}
        new = {key: value for key, value in new.items() if value != []}
    added = settle_status(old, new, today, doc.vocab.names[0])
    order = fields_of(Item)
    new = {key: new[key] for key in sorted(new, key=lambda k: order.index(k) if k in order else len(order))}
    data_copy: dict[str, Any] = dict(doc.data)
    items: list[Any] = list(doc.items)
    at = index if index is not None else len(items)
    items[at : at + 1] = [copy.deepcopy(new)]
    data_copy["demands"] = items
    found = validation.check(data_copy)
    if not found and (old is None or old.get("source") != items[at].get("source")) and items[at].get("source"):
        from .sources import quote_problems

        found = quote_problems(data_copy, doc.path.resolve().parent, {str(items[at].get("id", "")).lower()})
    label = str(items[at].get("id") or "")
    problems = [
        (_line(node, where[2:]) if len(where) > 1 and where[1] == at else 0, _short(message, label))
        for where, message in found
        if added is None or where[2:4] != ("history", added)  # the entry added for a status: said at the status
    ]
    if problems:
        raise BufferProblems(problems)
    return items[at]


def _merged(old: Item, mine: dict[str, Any], base: str, node: Any, label: str) -> dict[str, Any]:
    """``old`` (the item now) with the fields ``mine`` changed from ``base`` (what the editor was
    opened with); BufferProblems for a field the file changed too, differently."""
    opened, _node = parse(base, label)
    was: dict[str, Any] = prune(opened or {})
    merged: dict[str, Any] = copy.deepcopy(dict(old))
    clashes = []
    for key in [*was, *(k for k in mine if k not in was)]:
        if mine.get(key) == was.get(key):
            continue
        now = merged.get(key)
        if now != was.get(key) and now != mine.get(key):
            clashes.append(key)
        if key in mine:
            merged[key] = mine[key]
        else:
            merged.pop(key, None)
    if clashes:
        problems = [
            (_line(node, (key,)), f"{key}: changed in the file while you edited it; save again to keep yours")
            for key in clashes
        ]
        raise BufferProblems(problems, base=render(old))
    return merged


def _short(message: str, label: str) -> str:
    """A validation message without the item's id in front (the text is that one item)."""
    return message[len(label) + 1 :] if label and message.startswith(f"{label} ") else message


def _line(node: Any, path: tuple[Any, ...]) -> int:
    """The line of the text where the value at ``path`` is (its key's line for a key)."""
    target, key_node = yamlio.node_at(node, path)
    mark_node = key_node if key_node is not None else target
    return int(mark_node.start_mark.line) + 1 if mark_node is not None else 1
