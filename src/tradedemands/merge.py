"""Three-way merge of a demands file, item by item and field by field, and its git set-up.

``merge`` makes THEIRS' changes since BASE to OURS' text with the text-splice Editor,
so every part of OURS that THEIRS left alone stays byte-identical: comments, order,
quoting, layout. Entries THEIRS added (items, rounds, history entries, links) are
copied over as THEIRS wrote them, with the comment lines directly above them; a
field THEIRS changed is set in OURS' layout. Items match by id (any case), rounds
by id, statuses by name, parties by key; tags, links and other short lists merge
as sets; ``history`` and target ``progress`` are dated timelines: they keep what both
sides added, each entry in its place by date (of one date, ours first), and an item's
status is then the latest-dated one, whichever side set it. Both sides setting
different statuses on the same latest date is a conflict.

An item both sides added under one id with different content stays as OURS wrote it,
and THEIRS' comes over renumbered to that party's next free id, its links following (the
same item added on both sides is one). Where both sides changed the same thing
differently, OURS' version stays and a
``Conflict`` says what differs; so does a comment line THEIRS added that the merge
cannot place (inside an item), so that no comment is lost unsaid. The merged text is re-parsed, validated and compared
with the intended data before it is returned. No printing; ``register`` runs git.
"""

from __future__ import annotations

import copy
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from . import safeio, store
from .edit import Editor, entry_span, flow
from .errors import DemandsError, FileNotFound, InvalidFile
from .model import entries_added, latest_status_entry, place_by_date

DRIVER = "demands"
DRIVER_NAME = "tradedemands item-by-item merge"
#: What git runs when no interpreter can be named: ``demands`` on the PATH git runs with.
DRIVER_COMMAND = "demands merge-driver %O %A %B --path %P"

Loc = tuple[Any, ...]


class _Missing:
    """A key a mapping does not have (distinct from a key whose value is null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()

#: Lists of mappings matched entry by entry on a key: the key field and how messages name an entry.
KEYED: dict[Loc, tuple[str, str]] = {
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


@dataclass
class MergeResult:
    """The merged text (OURS with THEIRS' changes) and what could not be merged."""

    text: str
    conflicts: list[Conflict] = field(default_factory=list)
    #: How many changes came over from THEIRS.
    taken: int = 0
    #: Whether ``text`` differs from OURS.
    changed: bool = False
    #: OURS began with a byte-order mark (``merge_files`` only): write it back with one.
    bom: bool = False
    #: Items both sides added under one id, differently: (the id, the id theirs now has).
    renumbered: list[tuple[str, str]] = field(default_factory=list)

    def renumbering(self) -> str:
        """The renumbering in one line (empty when nothing was renumbered)."""
        if not self.renumbered:
            return ""
        old = ", ".join(o for o, _n in self.renumbered)
        new = ", ".join(n for _o, n in self.renumbered)
        if len(self.renumbered) == 1:
            return f"both sides added {old}: theirs is renumbered {new}, and their links to it follow"
        return f"both sides added {old}: theirs are renumbered {new}, and their links to them follow"


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


def _show(value: Any) -> str:
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


def _comment_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.lstrip().startswith("#")}


def _blank(text: str) -> bool:
    """No YAML content at all (git passes an empty BASE when both sides added the file)."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


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


class _Merger:
    """Applies THEIRS' changes (against BASE) to an Editor over OURS, collecting conflicts."""

    def __init__(self, base_text: str, base: Any, ours: store.Document, theirs: store.Document, verbatim: bool) -> None:
        if ours.node is None or theirs.node is None:  # pragma: no cover - store.parse always gives the tree
            raise DemandsError("internal error: a version has no node tree; nothing was changed")
        self.base = base
        self.ours = ours
        self.theirs = theirs
        self.known = (base_text, ours.text)
        self.verbatim = verbatim
        self.editor = Editor.of(ours.text, ours.node, ours.data, ours.newline)
        self.conflicts: list[Conflict] = []
        self.taken = 0
        #: Histories where both sides set a status on the same latest date: THEIRS' entries of that date stay out.
        self.same_day: dict[Loc, str] = {}
        self.nodes: dict[int, Node] = {}
        self.keys: dict[int, Node] = {}
        _index(theirs.node, theirs.data, self.nodes, self.keys)

    def run(self) -> None:
        ours: Any = self.ours.data
        theirs: Any = self.theirs.data
        self.mapping((), _Where(""), self.base, ours, theirs)

    def conflict(self, where: _Where, detail: str) -> None:
        self.conflicts.append(Conflict(str(where), detail))

    # --- values -----------------------------------------------------------------------------

    def mapping(self, path: Loc, where: _Where, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> None:
        for key in list(o) + [k for k in t if k not in o]:
            self.value(path + (key,), where / key, b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))

    def value(self, path: Loc, where: _Where, b: Any, o: Any, t: Any) -> None:
        if t == b or o == t:
            return
        if o == b:
            self.take(path, where, o, t)
        elif isinstance(o, dict) and isinstance(t, dict) and (b is MISSING or isinstance(b, dict)):
            self.mapping(path, where, {} if b is MISSING else b, o, t)
        elif isinstance(o, list) and isinstance(t, list) and (b is MISSING or isinstance(b, list)):
            self.sequence(path, where, [] if b is MISSING else b, o, t)
        else:
            self.conflict(where, f"ours {_show(o)}, theirs {_show(t)}")

    def take(self, path: Loc, where: _Where, o: Any, t: Any) -> None:
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

    def sequence(self, path: Loc, where: _Where, b: list[Any], o: list[Any], t: list[Any]) -> None:
        if path in KEYED:
            self.keyed(path, b, o, t)
        elif path[-1] in APPEND_ONLY:
            self.appended(path, where, b, o, t)
        else:
            self.as_set(path, b, o, t)

    # --- lists ------------------------------------------------------------------------------

    def keyed(self, path: Loc, b: list[Any], o: list[Any], t: list[Any]) -> None:
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
            if before is MISSING:
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
                self.conflict(label(mine), f"ours {_show(mine)}, theirs {_show(other)}")
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

    def entry(self, path: Loc, where: _Where, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> None:
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
        self, path: Loc, where: _Where, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]
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
        self.conflict(where / "status", f"ours {_show(o.get('status'))}, theirs {_show(t.get('status'))}")

    def appended(self, path: Loc, where: _Where, b: list[Any], o: list[Any], t: list[Any]) -> None:
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

    def as_set(self, path: Loc, b: list[Any], o: list[Any], t: list[Any]) -> None:
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

    def append(self, path: Loc, o: list[Any], t: list[Any], indexes: list[int]) -> None:
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

    def lines(self, path: Loc, t: list[Any], indexes: list[int]) -> str | None:
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

    def _ours_key(self, path: Loc) -> Node | None:
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


# --- merging ----------------------------------------------------------------------------------


def ours_only(name: str) -> str:
    """What the driver says whenever it cannot apply THEIRS: the file is OURS, untouched."""
    return f"{name} holds ours only and theirs is NOT applied: merge it by hand (git show :3:{name} shows theirs)"


def _load(text: str, name: str, side: str) -> store.Document:
    end = text.find("\n")
    newline = "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"
    try:
        return store.parse(text, Path(name), newline=newline)
    except InvalidFile as err:
        first = err.problems[0]
        more = len(err.problems) - 1
        also = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
        raise DemandsError(
            f"cannot merge {name}: {side} version does not load (line {first.line}, column {first.column}: "
            f"{first.message}{also}); {ours_only(name)}"
        ) from None


def _item_ids(data: Any) -> list[str]:
    items = data.get("demands") if isinstance(data, dict) else None
    return [str(i["id"]) for i in items or [] if isinstance(i, dict) and i.get("id") is not None]


def _renumber(
    base: Any, ours: store.Document, theirs: store.Document, name: str
) -> tuple[store.Document, list[tuple[str, str]]]:
    """THEIRS with each item it added under an id OURS also added, differently, renumbered.

    The new id is ``<PARTY>-<n>``, n one more than the highest any version uses for that party,
    so it is free in the merged result; THEIRS' links to the old id follow (links from the
    items THEIRS added and from those it changed: no link to the old id existed in BASE). One
    renaming can make another pair differ (an item both added alike, linking to a renumbered
    one), so this repeats until no such pair is left.
    """
    in_base = {i.lower() for i in _item_ids(base)}
    used = in_base | {i.lower() for i in _item_ids(ours.data)} | {i.lower() for i in _item_ids(theirs.data)}
    mine = {str(i.get("id")).lower(): i for i in ours.items}
    renumbered: list[tuple[str, str]] = []
    while True:
        clashes = [
            (j, item)
            for j, item in enumerate(theirs.items)
            if str(item.get("id")).lower() not in in_base
            and str(item.get("id")).lower() in mine
            and mine[str(item.get("id")).lower()] != item
        ]
        if not clashes:
            return theirs, renumbered
        editor = Editor.of(theirs.text, theirs.node, theirs.data, theirs.newline)  # type: ignore[arg-type]
        new_ids: dict[str, str] = {}
        for j, item in clashes:
            prefix = str(item.get("party")).upper() + "-"
            pattern = re.compile(re.escape(prefix.lower()) + r"(\d+)")
            numbers = [int(found.group(1)) for u in used if (found := pattern.fullmatch(u))]
            new = f"{prefix}{max(numbers, default=0) + 1}"
            used.add(new.lower())
            new_ids[str(item["id"]).lower()] = new
            renumbered.append((str(item["id"]), new))
            editor.set(("demands", j, "id"), new)
        for k, item in enumerate(theirs.items):
            for n, link in enumerate(item.get("links") or []):
                target = new_ids.get(str(link.get("id")).lower()) if isinstance(link, dict) else None
                if target is not None:
                    editor.set(("demands", k, "links", n, "id"), target)
        try:
            theirs = store.parse(editor.result(), Path(name), newline=theirs.newline)
        except InvalidFile as err:  # pragma: no cover - a renamed id and its links stay valid
            raise DemandsError(
                f"cannot merge {name}: renumbering their {', '.join(o for o, _n in renumbered)} failed "
                f"({err.problems[0].message}); {ours_only(name)}"
            ) from None


def merge(base: str, ours: str, theirs: str, name: str = "the file") -> MergeResult:
    """Merge THEIRS' changes since BASE into OURS (texts without a BOM); ``name`` is used in messages.

    An item both sides added under one id, differently, is kept as ours wrote it, and theirs
    comes over renumbered (``MergeResult.renumbered``); the same item added on both sides is one.
    Raises DemandsError, with one line saying why, when a version does not load or the
    merged file would not be valid (a link to an item the other side deleted, ...).
    """
    ours_doc = _load(ours, name, "our")
    theirs_doc = _load(theirs, name, "their")
    base_data: Any = {} if _blank(base) else _load(base, name, "the common ancestor's").data
    if theirs in (base, ours):
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs, taken=1, changed=True)
    theirs_doc, renumbered = _renumber(base_data, ours_doc, theirs_doc, name)
    theirs = theirs_doc.text
    failure = ""
    for verbatim in (True, False):
        merger = _Merger(base, base_data, ours_doc, theirs_doc, verbatim)
        try:
            merger.run()
            text = merger.editor.result()
            merged = store.parse(text, Path(name), newline=ours_doc.newline)
        except InvalidFile as err:
            failure = f"the merged file would not be valid ({err.problems[0].message})"
            continue
        except DemandsError as err:
            failure = str(err)
            continue
        if merged.data != merger.editor.data:
            failure = "internal error: the merged text does not read back as intended (please report this)"
            continue
        break
    else:
        raise DemandsError(f"cannot merge {name}: {failure}; {ours_only(name)}")
    conflicts = list(merger.conflicts)
    lost = [
        (n, line.strip())
        for n, line in enumerate(theirs.splitlines(), 1)
        if line.lstrip().startswith("#") and line.strip() not in _comment_lines(base) | _comment_lines(text)
    ]
    if lost:
        n, first = lost[0]
        count = f"{len(lost)} comment lines" if len(lost) > 1 else "a comment line"
        conflicts.append(
            Conflict(
                "comments",
                f"theirs added {count} the merge cannot place (their line {n}: {_show(first)}): copy it by hand",
            )
        )
    return MergeResult(text, conflicts, merger.taken, text != ours, renumbered=renumbered)


def merge_files(base: Path, ours: Path, theirs: Path, name: str | None = None) -> MergeResult:
    """``merge`` on three files (git's %O %A %B); writes nothing. The result keeps OURS' BOM."""
    label = name or str(ours)
    texts = []
    bom = False
    for n, (path, side) in enumerate(((base, "the common ancestor's"), (ours, "our"), (theirs, "their"))):
        try:
            text, has_bom, _newline = store.read_text(path)
        except InvalidFile as err:
            raise DemandsError(
                f"cannot merge {label}: {side} version does not load ({err.problems[0].message}); {ours_only(label)}"
            ) from None
        except DemandsError as err:
            raise DemandsError(f"cannot merge {label}: {err}; {ours_only(label)}") from None
        texts.append(text)
        bom = has_bom if n == 1 else bom
    result = merge(texts[0], texts[1], texts[2], label)
    result.bom = bom
    return result


# --- registering the driver with git ----------------------------------------------------------


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise DemandsError(
            "git is not installed (or not on PATH); install it and run 'demands git-setup' again"
        ) from None


def _attribute_pattern(relpath: str) -> str:
    """``relpath`` as a .gitattributes pattern matching exactly that file."""
    pattern = "".join("\\" + c if c in "*?[]\\!#" else c for c in relpath)
    if any(c in pattern for c in ' \t"'):
        pattern = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return pattern


def _merge_attribute(top: Path, relpath: str) -> str:
    """The ``merge`` attribute git gives ``relpath`` (``unspecified`` when none)."""
    done = _git(["check-attr", "-z", "merge", "--", relpath], top)
    parts = done.stdout.split("\0")
    return parts[2] if done.returncode == 0 and len(parts) > 2 else "unspecified"


def driver_command(python: str) -> str:
    """The ``merge.demands.driver`` that runs the driver with ``python`` (an absolute path).

    Git runs it with ``sh -c`` (Git for Windows too, with its own sh), after putting the
    temporary files' names for ``%O %A %B`` and the quoted path for ``%P``. The interpreter is
    named by its path, as pre-commit names its interpreter in the hooks it installs, so the
    driver runs whatever PATH git has (a GUI client, an IDE, a shell without the virtual
    environment). If that interpreter is gone or no longer has tradedemands, ``demands`` on
    PATH runs instead, with a line saying so; if neither can, a line says that the file holds
    ours only and theirs is NOT applied, and how to merge again.
    """
    if os.name == "nt":  # pragma: no cover - Git for Windows' sh takes C:/... paths
        python = Path(python).as_posix()
    # Git turns %% into %, and %O, %A, %B, %L, %P into the merge's files: a path keeps its % signs.
    quoted = shlex.quote(python).replace("%", "%%")
    run = "merge-driver %O %A %B --path %P"
    return (
        f"p={quoted}; "
        f'if "$p" -c \'import tradedemands\' 2>/dev/null; then exec "$p" -m tradedemands {run}; fi; '
        "if command -v demands >/dev/null 2>&1; then "
        "printf '%%s\\n' \"demands merge-driver: $p is gone or lacks tradedemands; running 'demands' from PATH "
        "(run 'demands git-setup' again to register it)\" >&2; "
        f"exec demands {run}; fi; "
        "printf '%%s %%s %%s %%s\\n' \"demands merge-driver: cannot run: $p is gone or lacks tradedemands, and "
        "'demands' is not on PATH;\" %P \"holds ours only and theirs is NOT applied: install tradedemands, run "
        "'demands git-setup', then redo the merge with: git checkout -m --\" %P >&2; "
        "exit 1"
    )


def driver_python(command: str) -> str | None:
    """The interpreter a registered driver command names (None for ``demands`` on PATH or another)."""
    if not command.startswith("p="):
        return None
    try:
        words = shlex.split(command[2 : command.find("; if ")].replace("%%", "%"))
    except ValueError:
        return None
    return words[0] if len(words) == 1 else None


def _describe(command: str) -> str:
    """A registered driver command, short: the interpreter it runs, or the command itself."""
    python = driver_python(command)
    if python is not None:
        return f"{shlex.quote(python)} -m tradedemands merge-driver %O %A %B --path %P (else 'demands' on PATH)"
    return repr(command) if len(command) <= 100 else repr(command[:97] + "...")


def register(data_file: Path, python: str | None = None) -> list[str]:
    """Make git merge ``data_file`` with ``demands merge-driver``; returns one line per action.

    Adds ``<path> merge=demands`` to the repository's top-level .gitattributes (once)
    and sets ``merge.demands.name`` and ``merge.demands.driver`` in the local config.
    The driver runs ``python`` (default: the interpreter running this, ``sys.executable``)
    by its absolute path, falling back to ``demands`` on PATH (see ``driver_command``).
    """
    if python is None:
        python = sys.executable
    usable = bool(python) and os.path.isabs(python) and os.access(python, os.X_OK)
    command = driver_command(python) if usable else DRIVER_COMMAND
    if not data_file.is_file():
        raise FileNotFound(f"{data_file}: no such file; run 'demands init {data_file}' first, or pass --file PATH")
    folder = Path(os.path.abspath(data_file)).parent.resolve()
    found = _git(["rev-parse", "--show-toplevel"], folder)
    if found.returncode != 0 or not found.stdout.strip():
        raise DemandsError(
            f"{folder} is not in a git repository; run 'git init' there first, or pass --file with a file in a repository"
        )
    top = Path(found.stdout.strip()).resolve()
    relpath = Path(os.path.relpath(folder / data_file.name, top)).as_posix()
    actions = []
    attributes = top / ".gitattributes"
    line = f"{_attribute_pattern(relpath)} merge={DRIVER}"
    if _merge_attribute(top, relpath) == DRIVER:
        actions.append(f".gitattributes: {relpath} has merge={DRIVER} already")
    else:
        existed = os.path.lexists(attributes)
        try:
            old = safeio.read_regular(attributes, 1 << 20).decode("utf-8") if existed else ""
            text = old + ("\n" if old and not old.endswith("\n") else "") + line + "\n"
            with safeio.writing(str(attributes)):
                safeio.replace(attributes, text.encode("utf-8"), label=str(attributes))
        except (OSError, UnicodeDecodeError) as err:
            raise DemandsError(f"cannot update {attributes}: {getattr(err, 'strerror', None) or err}") from None
        except DemandsError as err:
            raise DemandsError(f"cannot update {attributes}: {err}") from None
        actions.append(f"{'added to' if existed else 'created'} .gitattributes: {line}")
        now = _merge_attribute(top, relpath)
        if now != DRIVER:
            actions.append(
                f"warning: git still merges {relpath} with merge={now}: a .gitattributes nearer the file "
                "or .git/info/attributes says so; remove that line"
            )
    for key, value in (("name", DRIVER_NAME), ("driver", command)):
        setting = f"merge.{DRIVER}.{key}"
        current = _git(["config", "--local", "--get", setting], top)
        was = current.stdout.rstrip("\n") if current.returncode == 0 else None
        shown = _describe(value) if key == "driver" else repr(value)
        if was == value:
            actions.append(f"git config {setting}: {shown} already")
            continue
        done = _git(["config", "--local", setting, value], top)
        if done.returncode != 0:
            raise DemandsError(f"git config {setting} failed: {done.stderr.strip() or 'no reason given'}")
        before = f" (was {_describe(was) if key == 'driver' else repr(was)})" if was is not None else ""
        actions.append(f"git config {setting} {shown}{before}")
    if not usable:
        actions.append(
            f"warning: cannot name this Python ({python or 'unknown'}) to git, so the driver is 'demands' on "
            "the PATH git runs with"
            + ("" if shutil.which(DRIVER) else f"; '{DRIVER}' is not on PATH now: install tradedemands there")
        )
    return actions
