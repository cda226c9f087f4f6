"""An item changed to a new version as a whole: the least text edits, and the timeline kept.

``import`` and ``edit`` in ``$EDITOR`` hand over an item's new version (data) rather than one
field to set. ``apply_item`` finds what differs from the old version, field by field and down
into mappings and lists, and makes each difference with the editor's own operations: a changed
value is one splice, a removed key its lines, a history entry added one inserted line. So the
file changes only at the lines of what changed, as for every other command.

``merge_dated`` adds the entries of an imported history (or target ``progress``) to the
item's own, in their places by date, refusing to change or drop any; ``settle_status``
records a status changed without a history entry that sets it (an entry dated today), as
``mark`` would; ``Numbering`` and ``complete_new`` number and complete a new item as ``add``
does, and ``party_change`` keeps an item one party raises from becoming an agreement.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from .editor import Editor
from .model import DataPath, Item, date_of, fields_of, id_prefix, party_ids
from .timeline import entries_added, last_status, place_by_date


def fresh_id(party: str, taken: Iterable[str]) -> str:
    """``<PARTY>-<n>``: n one more than the highest of ``taken`` (ids, any case) for that party."""
    return Numbering(taken).next(party.upper() + "-")


#: An id that ends in a number: its prefix (``US-``, ``US-CN-``) and the number.
_NUMBERED = re.compile(r"(.*-)(\d+)$", re.DOTALL)


class Numbering:
    """The next free number for each id prefix, from the ids already ``taken`` (any case): one
    pass over them, then each new id in constant time, so numbering 100,000 new rows is linear."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.highest: dict[str, int] = {}
        for item_id in taken:
            self.take(item_id)

    def take(self, item_id: str) -> None:
        """Note ``item_id`` as used (``US-12`` raises ``US-``'s highest to 12 at least)."""
        match = _NUMBERED.match(item_id) if isinstance(item_id, str) else None
        if match:
            key = match.group(1).upper()
            self.highest[key] = max(self.highest.get(key, 0), int(match.group(2)))

    def next(self, prefix: str) -> str:
        """The next id for ``prefix`` (``US-``: ``US-10`` after ``US-9``), noted as used."""
        key = prefix.upper()
        number = self.highest.get(key, 0) + 1
        self.highest[key] = number
        return f"{prefix}{number}"


def complete_new(data: Any, new: dict[str, Any], numbering: Numbering, statuses: list[str]) -> None:
    """Complete a new item (from a sheet or ``add --edit``) as ``add`` would: its parties named
    by id (names and aliases resolved; several in the file's order), ``kind`` agreement when
    several parties raise it and no kind is given, status ``agreed`` for an agreement whose
    history sets none, and, when it has no id, the next one of its parties (``US-<n>``,
    ``US-CN-<n>``, from ``numbering``); ``statuses`` are the file's status names. An id it
    has is noted in ``numbering``. Raises
    UsageError for a party no party of the file answers to. Other problems (an agreement of one
    party, a bad kind) are left to ``validation``."""
    from .query import resolve_party

    party = new.get("party")
    declared = list(data.get("parties") or {})
    if isinstance(party, str) and party.strip():
        new["party"] = resolve_party(data, party)
    elif isinstance(party, list) and party and all(isinstance(p, str) and p.strip() for p in party):
        pids = [resolve_party(data, p) for p in party]
        if len(set(pids)) == len(pids):  # a party listed twice: validation says so
            order = {pid: n for n, pid in enumerate(declared)}
            pids.sort(key=lambda p: order.get(p, len(order)))
        new["party"] = pids
    pids = party_ids(new.get("party"))
    if len(set(pids)) > 1 and new.get("kind") is None:
        new["kind"] = "agreement"
    history = new.get("history")
    if (
        new.get("kind") == "agreement"
        and new.get("status") is None
        and entries_are_mappings(history)
        and last_status(new) is None  # type: ignore[arg-type]
        and "agreed" in statuses
    ):
        new["status"] = "agreed"
    item_id = new.get("id")
    if isinstance(item_id, str) and item_id.strip():
        numbering.take(item_id)
    elif pids:
        new["id"] = numbering.next(id_prefix(list(dict.fromkeys(pids)), declared))


def party_change(old: Item, new: dict[str, Any]) -> str | None:
    """Why ``new`` cannot replace ``old`` (None when it can; the words follow the item's id and a
    colon): an item one party raises made an agreement (several parties, or kind
    ``agreement``), or an item several parties share made one party's. Its id names its
    parties, and ``add`` makes agreements: add it anew."""
    before = list(dict.fromkeys(party_ids(old.get("party"))))
    after = new.get("party")
    several = isinstance(after, list) and len(set(party_ids(after))) > 1
    if len(before) == 1 and (several or (new.get("kind") == "agreement" and old.get("kind") != "agreement")):
        return (
            f"raised by {before[0]} alone: an agreement is a position two or more parties share "
            "(add it anew, naming each party)"
        )
    if len(before) > 1 and isinstance(after, str):
        return f"shared by {', '.join(before)}: it cannot become one party's (add that party's position anew)"
    return None


def merge_dated(old: list[Any] | None, given: list[Any], what: str) -> list[Any]:
    """``old`` (a dated list: history, measurements) with the entries of ``given`` that it lacks
    added in their places by date (after entries of the same date; several new ones in date
    order). Nothing of ``old`` is dropped: entries ``given`` leaves out are kept (it may hold
    the new ones only, or be from before the file gained some). ValueError, in words, when
    ``given`` both leaves out entries of ``old`` and adds others: one changed, most likely,
    which an import does not do."""
    before = list(old or [])
    new = [entry for entry in given if entry not in before]
    missing = [n for n, entry in enumerate(before) if entry not in given]
    if new and missing and any(entry in given for entry in before):
        first = missing[0]
        raise ValueError(
            f"{what} can only grow: entry {first + 1} ({date_of(before[first]) or 'undated'}) of the file is "
            "missing here while others are new; change entries in the file itself, or export again if it gained some"
        )
    # Given only entries the file lacks: new ones, unless one is dated as entries of the file
    # that are all left out. That is the file's entry (an item's only one, most often) changed.
    kept_dates = {date_of(entry) for entry in before if entry in given}
    for entry in new:
        when = date_of(entry)
        same_day = [n for n, mine in enumerate(before) if date_of(mine) == when]
        if same_day and when not in kept_dates:
            first = same_day[0]
            raise ValueError(
                f"{what} can only grow: entry {first + 1} ({when or 'undated'}) of the file is missing here and a "
                "new one has its date: change entries in the file itself (to add one that day, give the file's too)"
            )
    merged = list(before)
    for entry in sorted(new, key=date_of):
        merged.insert(place_by_date(merged, date_of(entry)), entry)
    return merged


def settle_status(old: Item | None, new: dict[str, Any], today: str, default: str) -> int | None:
    """Make ``new``'s status agree with its history, as ``mark`` keeps it; returns the index of the
    history entry it added (None when it added none).

    An item's status is that of its latest-dated history entry that sets one. A status changed
    here (or given for a new item) that its history does not set gets an entry dated ``today``
    that sets it; a status left as it was follows the history (an entry added that sets
    another). A new item with no status gets ``default`` (the file's first status), recorded
    the same way.
    """
    if not entries_are_mappings(new.get("history")):
        new.setdefault("status", default)
        return None  # not a list of entries: validation says what is wrong, at its place
    derived = last_status(new)  # type: ignore[arg-type]
    status = new.get("status")
    if status is None:
        new["status"] = derived or default
        if derived is not None:
            return None
        status = new["status"]
    elif derived == status:
        return None
    elif old is not None and status == old.get("status") and derived is not None:
        new["status"] = derived
        return None
    if old is not None and status == old.get("status") and derived is None:
        return None
    history = new.get("history")
    history = list(history) if isinstance(history, list) else []
    at = place_by_date(history, today)
    history.insert(at, {"date": today, "status": status})
    new["history"] = history
    return at


def entries_are_mappings(value: Any) -> bool:
    """Whether ``value`` is absent or a list of mappings: a dated list (history, target
    ``progress``) the timeline can read. Anything else is left to ``validation`` to report."""
    return value is None or (isinstance(value, list) and all(isinstance(entry, dict) for entry in value))


def prune(value: Any) -> Any:
    """``value`` without mappings left empty (a ``source`` whose every key was removed)."""
    if isinstance(value, dict):
        out = {}
        for key, sub in value.items():
            kept = prune(sub)
            if kept is not None and kept != {}:
                out[key] = kept
        return out
    return value


# --- the edits -----------------------------------------------------------------------------


def apply_item(editor: Editor, index: int, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Change item ``index`` (``old``, as loaded) into ``new`` with the least text edits; returns
    the fields that changed, in the format's order (then those removed)."""
    order = fields_of(Item)
    changed = [key for key in new if key not in old or old[key] != new[key] or type(old[key]) is not type(new[key])]
    changed.sort(key=lambda key: order.index(key) if key in order else len(order))
    removed = [key for key in old if key not in new]
    _mapping(editor, ("demands", index), old, new)
    return changed + removed


def _mapping(editor: Editor, path: DataPath, old: dict[str, Any], new: dict[str, Any]) -> None:
    for key in [k for k in old if k not in new]:
        editor.remove(path + (key,))
    for key, value in new.items():
        if key not in old:
            editor.set(path + (key,), value)
        elif _differs(old[key], value):
            _value(editor, path + (key,), old[key], value)


def _differs(a: Any, b: Any) -> bool:
    return a != b or type(a) is not type(b)


def _value(editor: Editor, path: DataPath, old: Any, new: Any) -> None:
    """Change the value at ``path`` (a key of a mapping) from ``old`` to ``new``."""
    if isinstance(old, dict) and isinstance(new, dict) and any(key in new for key in old):
        _mapping(editor, path, old, new)
    elif isinstance(old, list) and isinstance(new, list) and old and new:
        _list(editor, path, old, new)
    else:
        editor.set(path, copy.deepcopy(new))


def _list(editor: Editor, path: DataPath, old: list[Any], new: list[Any]) -> None:
    added = entries_added(old, new)
    if added is not None:
        for n, position in enumerate(added):
            editor.insert(path, position - n, copy.deepcopy(new[position]))
        return
    gone = entries_added(new, old)
    if gone is not None:
        editor.remove_entries(path, gone)
        return
    pairs = list(zip(old, new, strict=False))
    if len(old) == len(new) and all(
        not _differs(a, b) or (isinstance(a, dict) and isinstance(b, dict) and any(k in b for k in a)) for a, b in pairs
    ):
        for n, (a, b) in enumerate(pairs):
            if _differs(a, b):
                _mapping(editor, path + (n,), a, b)
        return
    editor.set(path, copy.deepcopy(new))
