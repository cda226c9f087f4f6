"""Applying one side's changes to the other's text, value by value: the heart of the merge.

``Merger`` walks BASE, OURS and THEIRS together and makes THEIRS' changes since BASE to an
``Editor`` over OURS' text. Items match by id (any case), rounds by id, statuses by name,
parties by key; tags, links and other short lists merge as sets; ``history`` and target
``progress`` are dated timelines whose entries both sides added are all kept, each in its
place by date. Where both sides changed one thing differently, OURS' version stays and a
``Conflict`` says what differs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from .document import Document
from .editor import Editor, flow
from .errors import DemandsError
from .model import DataPath
from .splices import entry_span
from .timeline import entries_added, latest_status_entry, place_by_date


class _Missing:
    """A key a mapping does not have (distinct from a key whose value is null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()

#: Lists of mappings matched entry by entry on a key: the key field and how messages name an entry.
KEYED: dict[DataPath, tuple[str, str]] = {
    ("demands",): ("id", ""),
    ("rounds",): ("id", "round "),
    ("statuses",): ("name", "status "),
}
#: Dated timelines: what both sides added is kept, in date order (of one date, ours first).
APPEND_ONLY = ("history", "progress")


@dataclass(frozen=True)
class Conflict:
    """Something both sides changed differently; the merged text keeps ours."""

    where: str
    detail: str

    def __str__(self) -> str:
        return f"conflict in {self.where}: {self.detail}"


@dataclass(frozen=True)
class _Where:
    """How a message names a place: ``US-3 status``, ``round beijing-2018-05 outcome``, ``parties.us.lead``."""

    label: str
    fields: tuple[str, ...] = ()

    def __truediv__(self, key: Any) -> _Where:
        return _Where(self.label, (*self.fields, str(key)))

    def __str__(self) -> str:
        dotted = ".".join(self.fields)
        return f"{self.label} {dotted}".strip() if self.label else dotted or "the file"


def show(value: Any) -> str:
    """A value, short, for a one-line message."""
    if value is MISSING:
        return "removed it"
    text = repr(value) if isinstance(value, str) else flow(value)
    if len(text) > 70:
        text = text[:66] + ("...'" if isinstance(value, str) else "...")
    return text


def _differing(a: dict[str, Any], b: dict[str, Any]) -> str:
    keys = list(a) + [k for k in b if k not in a]
    return ", ".join(k for k in keys if a.get(k, MISSING) != b.get(k, MISSING))


def one_entry(o: Any, t: Any, *, item: bool = True) -> bool:
    """Whether two entries both sides added under one key (an item's id, a round's id) are one
    entry, merged field by field as if added to an empty base: every field is equal or on one
    side only, nested mappings likewise, and lists merge by adding (``history`` and
    ``progress`` by date, tags and links as sets). An item's ``status`` follows the merged
    history when both sides' histories set one. Entries that differ otherwise are two."""
    if o == t or o is MISSING or t is MISSING:
        return True
    if isinstance(o, dict) and isinstance(t, dict):
        dated = item and latest_status_entry(o) is not None and latest_status_entry(t) is not None  # type: ignore[arg-type]
        return all(
            one_entry(o.get(k, MISSING), t.get(k, MISSING), item=False)
            for k in list(o) + [k for k in t if k not in o]
            if not (dated and k == "status")
        )
    return isinstance(o, list) and isinstance(t, list)


def _index(node: Node, value: Any, nodes: dict[int, Node], keys: dict[int, Node]) -> None:
    """Map each list and mapping of THEIRS' data to its node (and to the key naming it)."""
    if isinstance(value, dict) and isinstance(node, MappingNode):
        nodes[id(value)] = node
        for key_node, value_node in node.value:
            child = value.get(key_node.value)
            if isinstance(child, (dict, list)):
                keys[id(child)] = key_node
                _index(value_node, child, nodes, keys)
    elif isinstance(value, list) and isinstance(node, SequenceNode):
        nodes[id(value)] = node
        for child_node, child in zip(node.value, value, strict=False):
            if isinstance(child, (dict, list)):
                _index(child_node, child, nodes, keys)


class Merger:
    """Applies THEIRS' changes (against BASE) to an Editor over OURS, collecting conflicts."""

    def __init__(
        self, base_text: str, base: Any, ours: Document, theirs: Document, verbatim: bool, known: Any = None
    ) -> None:
        if ours.node is None or theirs.node is None:  # pragma: no cover - store.parse always gives the tree
            raise DemandsError("internal error: a version has no node tree; nothing was changed")
        self.base = base
        self.ours = ours
        self.theirs = theirs
        #: Texts whose comment lines THEIRS' entries need not bring again (BASE's and OURS' whole texts).
        self.known: tuple[str, ...] = tuple(known) if known is not None else (base_text, ours.text)
        self.verbatim = verbatim
        self.editor = Editor.of(ours.text, ours.node, ours.data, ours.newline)
        self.conflicts: list[Conflict] = []
        self.taken = 0
        #: Histories where both sides set a status on the same latest date: THEIRS' entries of that date stay out.
        self.same_day: dict[DataPath, str] = {}
        self.nodes: dict[int, Node] = {}
        self.keys: dict[int, Node] = {}
        _index(theirs.node, theirs.data, self.nodes, self.keys)

    def run(self) -> None:
        """Make all of THEIRS' changes since BASE to the editor over OURS."""
        ours: Any = self.ours.data
        theirs: Any = self.theirs.data
        self.mapping((), _Where(""), self.base, ours, theirs)

    def conflict(self, where: _Where, detail: str) -> None:
        """Record a conflict at ``where``: ours stays."""
        self.conflicts.append(Conflict(str(where), detail))

    # --- values -----------------------------------------------------------------------------

    def mapping(self, path: DataPath, where: _Where, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> None:
        """Merge a mapping key by key (base ``b``, ours ``o``, theirs ``t``)."""
        for key in list(o) + [k for k in t if k not in o]:
            self.value(path + (key,), where / key, b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))

    def value(self, path: DataPath, where: _Where, b: Any, o: Any, t: Any) -> None:
        """Merge one value: take theirs where only theirs changed it; recurse into mappings and lists; else a conflict."""
        if t == b or o == t:
            return
        if o == b:
            self.take(path, where, o, t)
        elif isinstance(o, dict) and isinstance(t, dict) and (b is MISSING or isinstance(b, dict)):
            self.mapping(path, where, {} if b is MISSING else b, o, t)
        elif isinstance(o, list) and isinstance(t, list) and (b is MISSING or isinstance(b, list)):
            self.sequence(path, where, [] if b is MISSING else b, o, t)
        else:
            self.conflict(where, f"ours {show(o)}, theirs {show(t)}")

    def take(self, path: DataPath, where: _Where, o: Any, t: Any) -> None:
        """Only THEIRS changed the value at ``path``: make the same change, as small as it can be."""
        if isinstance(o, dict) and isinstance(t, dict) and set(o) & set(t):
            self.mapping(path, where, o, o, t)
        elif isinstance(o, list) and isinstance(t, list):
            self.sequence(path, where, o, o, t)
        elif t is MISSING:
            self.editor.remove(path)
            self.taken += 1
        else:
            self.editor.set(path, copy.deepcopy(t))
            self.taken += 1

    def sequence(self, path: DataPath, where: _Where, b: list[Any], o: list[Any], t: list[Any]) -> None:
        """Merge a list: keyed lists by key, timelines by date, short lists as sets."""
        if path in KEYED:
            self.keyed(path, b, o, t)
        elif path[-1] in APPEND_ONLY:
            self.appended(path, where, b, o, t)
        else:
            self.as_set(path, b, o, t)

    # --- lists ------------------------------------------------------------------------------

    def keyed(self, path: DataPath, b: list[Any], o: list[Any], t: list[Any]) -> None:
        """Items, rounds, statuses: matched on their key; each entry merged field by field."""
        key_field, prefix = KEYED[path]

        def key(entry: Any) -> Any:
            value = entry.get(key_field) if isinstance(entry, dict) else entry
            return value.lower() if isinstance(value, str) else value

        def label(entry: Any) -> _Where:
            return _Where(prefix + str(entry.get(key_field) if isinstance(entry, dict) else entry))

        in_base = {key(e): e for e in b}
        in_theirs = {key(e): e for e in t}
        in_ours = {key(e) for e in o}
        gone: list[int] = []
        for i, mine in enumerate(o):
            before = in_base.get(key(mine), MISSING)
            other = in_theirs.get(key(mine), MISSING)
            if other in (before, mine):
                continue
            if before is MISSING and isinstance(mine, dict) and one_entry(mine, other, item=path == ("demands",)):
                # Both sides added it, one with more (a note, a tag): one entry, merged field by field.
                self.entry(path + (i,), label(mine), {}, mine, other)
            elif before is MISSING:
                hint = "; add theirs again under a new id" if path == ("demands",) else ""
                self.conflict(
                    label(mine),
                    f"both sides added it, differently ({_differing(mine, other)}): the result keeps ours{hint}",
                )
            elif other is MISSING:
                if mine == before:
                    gone.append(i)
                else:
                    self.conflict(
                        label(mine),
                        f"ours changed it ({_differing(before, mine)}), theirs deleted it: the result keeps it",
                    )
            elif isinstance(mine, dict) and isinstance(other, dict) and isinstance(before, dict):
                self.entry(path + (i,), label(mine), before, mine, other)
            else:  # pragma: no cover - validation makes every entry a mapping
                self.conflict(label(mine), f"ours {show(mine)}, theirs {show(other)}")
        added: list[int] = []
        for j, other in enumerate(t):
            if key(other) in in_ours:
                continue
            before = in_base.get(key(other), MISSING)
            if before is MISSING:
                added.append(j)
            elif other != before:
                self.conflict(
                    label(other),
                    f"ours deleted it, theirs changed it ({_differing(before, other)}): the result leaves it out",
                )
        if gone and len(gone) == len(o) and added:
            # Every entry of ours goes and theirs adds some: the list is simply theirs' new entries.
            self.editor.set(path, [copy.deepcopy(t[j]) for j in added])
            self.taken += len(gone) + len(added)
            return
        if added:
            self.append(path, o, t, added)
        if gone:
            self.editor.remove_entries(path, gone)
            self.taken += len(gone)

    def entry(self, path: DataPath, where: _Where, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> None:
        """Merge one entry of a keyed list; an item's status follows its merged history."""
        if path[0] != "demands":
            self.mapping(path, where, b, o, t)
            return
        # An item: its history merges by date, and its status is then the latest-dated one.
        self.same_day_status(path, where, b, o, t)
        for key in list(o) + [k for k in t if k not in o]:
            if key != "status":
                self.value(path + (key,), where / key, b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))
        merged = self.editor.data["demands"][path[1]]
        latest = latest_status_entry(merged)
        if latest is None:
            # No history entry sets a status: the field merges like any other.
            self.value(path + ("status",), where / "status", b.get("status"), o.get("status"), t.get("status"))
        elif latest["status"] != o.get("status"):
            self.editor.set(path + ("status",), latest["status"])
            self.taken += 1

    def same_day_status(
        self, path: DataPath, where: _Where, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]
    ) -> None:
        """Both sides set a status on the same, latest date, differently: which came last is
        unknown. That is a conflict: ours stays, and theirs' status entries of that date stay out."""
        base = b.get("history") or []
        mine_list, theirs_list = o.get("history") or [], t.get("history") or []
        added_ours, added_theirs = entries_added(base, mine_list), entries_added(base, theirs_list)
        if added_ours is None or added_theirs is None:
            return
        ours = [mine_list[j] for j in added_ours]
        theirs = [theirs_list[j] for j in added_theirs]
        mine = latest_status_entry({"history": ours})  # type: ignore[typeddict-item]
        other = latest_status_entry({"history": [e for e in theirs if e not in ours]})  # type: ignore[typeddict-item]
        if mine is None or other is None or mine["date"] != other["date"] or mine["status"] == other["status"]:
            return
        top = latest_status_entry(o)  # type: ignore[arg-type]
        if top is None or top["date"] != mine["date"]:
            return
        self.same_day[path + ("history",)] = mine["date"]
        self.conflict(where / "status", f"ours {show(o.get('status'))}, theirs {show(t.get('status'))}")

    def appended(self, path: DataPath, where: _Where, b: list[Any], o: list[Any], t: list[Any]) -> None:
        """History and progress, dated timelines: entries added on both sides are all kept, each
        of theirs in its place by date (after ours of the same date)."""
        added_ours, added_theirs = entries_added(b, o), entries_added(b, t)
        if added_ours is not None and added_theirs is not None:
            ours = [o[j] for j in added_ours]
            skip = self.same_day.get(path)
            new = [
                j
                for j in added_theirs
                if t[j] not in ours
                and not (
                    skip is not None and isinstance(t[j], dict) and t[j].get("status") and t[j].get("date") == skip
                )
            ]
            at_end = [j for j in new if place_by_date(o, str(t[j].get("date", ""))) >= len(o)]
            for j in new:
                if j not in at_end:
                    self.editor.insert(path, place_by_date(o, str(t[j].get("date", ""))), copy.deepcopy(t[j]))
                    self.taken += 1
            if at_end:
                self.append(path, o, t, at_end)
        elif o == b:
            self.editor.set(path, copy.deepcopy(t))
            self.taken += 1
        else:
            self.conflict(where, "both sides changed it, not only by adding entries: the result keeps ours")

    def as_set(self, path: DataPath, b: list[Any], o: list[Any], t: list[Any]) -> None:
        """Tags, links, aliases: what theirs removed goes, what theirs added comes; order is ours'."""
        removed = [x for x in b if x not in t]
        gone = [i for i, x in enumerate(o) if x in removed]
        added = [j for j, x in enumerate(t) if x not in b and x not in o and x not in t[:j]]
        if not gone and not added:
            return
        if not o or (added and len(gone) == len(o)):
            kept = [x for i, x in enumerate(o) if i not in gone]
            self.editor.set(path, kept + [copy.deepcopy(t[j]) for j in added])
            self.taken += len(gone) + len(added)
            return
        if gone:
            self.editor.remove_entries(path, gone)
            self.taken += len(gone)
        if added:
            self.append(path, o, t, added)

    # --- bringing entries over ----------------------------------------------------------------

    def append(self, path: DataPath, o: list[Any], t: list[Any], indexes: list[int]) -> None:
        """Append THEIRS' entries ``t[indexes]`` to OURS' list, as THEIRS wrote them where possible."""
        values = [copy.deepcopy(t[j]) for j in indexes]
        self.taken += len(values)
        lines = self.lines(path, t, indexes) if self.verbatim else None
        if lines is not None:
            self.editor.append_lines(path, values, lines)
        elif o:
            for value in values:
                self.editor.append(path, value)
        elif path == ("demands",) and len(values) == 1:
            self.editor.add_item(values[0])
        else:
            self.editor.set(path, values)

    def lines(self, path: DataPath, t: list[Any], indexes: list[int]) -> str | None:
        """THEIRS' text of the entries ``t[indexes]``, ready to go after OURS' last entry; None if it cannot."""
        theirs_seq = self.nodes.get(id(t))
        if not isinstance(theirs_seq, SequenceNode) or theirs_seq.flow_style or not theirs_seq.value:
            return None
        try:
            ours_seq = self.editor.node(path)
        except (KeyError, IndexError):
            return None
        if not isinstance(ours_seq, SequenceNode):
            return None
        if ours_seq.value:
            if ours_seq.flow_style or ours_seq.start_mark.column != theirs_seq.start_mark.column:
                return None
        else:
            # ``key: []`` becomes a block list: both keys must sit in the same column.
            ours_key = self._ours_key(path)
            theirs_key = self.keys.get(id(t))
            if ours_key is None or theirs_key is None or ours_key.start_mark.column != theirs_key.start_mark.column:
                return None
        text = self.theirs.text
        chunks = []
        for j in indexes:
            span = entry_span(text, theirs_seq, j)
            if span is None:
                return None
            start, end = span
            chunks.append(text[self._lead_in(text, start) : end])
        joined = "".join(chunks)
        if joined.endswith("\n"):
            joined = joined[:-1]
        return self.ours.newline.join(line.rstrip("\r") for line in joined.split("\n"))

    def _ours_key(self, path: DataPath) -> Node | None:
        try:
            parent = self.editor.node(path[:-1])
        except (KeyError, IndexError):
            return None
        if isinstance(parent, MappingNode):
            return next((k for k, _v in parent.value if k.value == str(path[-1])), None)
        return None

    def _lead_in(self, text: str, start: int) -> int:
        """Where an entry's lines begin: the comment lines directly above it (unless ours or
        base has them already), and the blank line above those when there is one."""
        top = start
        while top > 0:
            above = text.rfind("\n", 0, top - 1) + 1
            if not text[above:top].lstrip().startswith("#"):
                break
            top = above
        if top < start and any(text[top:start] in known for known in self.known):
            top = start
        if top > 0:
            above = text.rfind("\n", 0, top - 1) + 1
            if not text[above:top].strip():
                return above
        return top
