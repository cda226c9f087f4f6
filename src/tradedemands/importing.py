"""Items from a spreadsheet or another file merged into the data file: ``demands import``.

``incoming.read_source`` reads the file (CSV, JSON or YAML as ``export`` and ``list`` write
them); ``merge`` merges its items by id into a loaded document, inside a write
(``transaction.transact``):

- an id the file has: each field given that differs from the file is changed, with the least
  text edits (``updates.apply_item``); a CSV cell exactly as ``export`` writes the field is
  unchanged, whatever its type, so re-importing an unchanged export changes nothing; an empty
  cell removes an optional field; columns (or, in JSON and YAML, keys) not given are kept;
- history (and target ``progress``) only grows: entries the file lacks are added in their
  places by date, those the import lacks are kept, and one changed is refused; a status changed
  without an entry that sets it gets one dated today (``updates.settle_status``);
- a new id, or a row without one, is a new item (numbered ``<PARTY>-<n>`` as ``add`` does);
- nothing is ever removed.

Every problem (a cell that does not read, an unknown column, a bad status or date, a link to
no item, a quote not in its document...) is collected, each located as ``FILE:ROW:COLUMN``,
and the whole import is refused (``ImportRefused``): all or nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from . import flat, validation
from .document import Document
from .editor import Editor
from .errors import InvalidFile, Problem, UsageError
from .escape import clip
from .incoming import Record, Source
from .model import KINDS, PRIORITIES, Item, fields_of, fold, party_ids
from .updates import (
    Numbering,
    apply_item,
    complete_new,
    entries_are_mappings,
    merge_dated,
    party_change,
    prune,
    settle_status,
)

#: Lists that only grow on import, in date order.
DATED = {("history",): "history", ("target", "progress"): "target.progress"}


class ImportRefused(InvalidFile):
    """The import was refused: ``problems`` lists every problem (``CellProblem``), ``closing``
    says that nothing was imported."""

    def __init__(self, problems: list[Problem], closing: str) -> None:
        super().__init__(problems)
        self.closing = closing


@dataclass
class Imported:
    """What ``import`` did: the ids ``added``; ``changed``, each id with the fields that changed;
    how many items it held that were ``unchanged``; the top-level values it held that differ from
    the file's and were not imported (``ignored``: ``parties``, ``rounds``...)."""

    source: str
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    ignored: list[str] = field(default_factory=list)


def merge(doc: Document, editor: Editor, source: Source, today: str) -> Imported:
    """Merge ``source``'s items into ``doc`` through ``editor`` (see the module's text); ``today``
    (YYYY-MM-DD) dates the history entries of statuses changed without one. Raises ImportRefused
    listing every problem; nothing is changed then. ``source.records`` are used up (emptied)."""
    plan = _Plan(doc, source, today)
    for record in source.records:
        plan.take(record)
    intended = plan.check()
    if source.problems:
        count = max(source.found, len(source.problems))
        shown = f" (the first {len(source.problems)} listed)" if count > len(source.problems) else ""
        raise ImportRefused(
            sorted(source.problems, key=lambda p: p.line),
            f"import refused: {count:,} problem{'s' if count != 1 else ''} in "
            f"{source.label}{shown}; nothing was imported, {doc.path} is unchanged",
        )
    result = Imported(source.label, ignored=plan.ignored())
    for index, _record, old in plan.updates:
        new = intended[index]
        fields = apply_item(editor, index, old, new) if new != old else []
        if fields:
            result.changed.append((new["id"], fields))
        else:
            result.unchanged += 1
    for index, _record in plan.additions:
        editor.add_item(intended[index])
        result.added.append(intended[index]["id"])
    source.records.clear()  # read once: a 100,000-row sheet's cells are not kept while the file is checked
    return result


class _Plan:
    """The items as they would be: those changed (``updates``: index, record, old item) and
    added (``additions``: index in the new list, record)."""

    def __init__(self, doc: Document, source: Source, today: str) -> None:
        self.doc = doc
        self.source = source
        self.today = today
        self.items: list[Any] = list(doc.items)
        self.index = doc.index()
        self.numbering = Numbering(item["id"] for item in doc.items)
        for record in source.records:  # ids the sheet gives are taken before rows without one are numbered
            given = record.given.get(("id",))
            if isinstance(given, str):
                self.numbering.take(given.strip())
        self.rows: dict[str, int] = {}
        self.updates: list[tuple[int, Record, Any]] = []
        self.additions: list[tuple[int, Record]] = []
        #: Per item, the history entry added for a status changed without one (its index).
        self.settled: dict[int, int | None] = {}
        self.default = doc.vocab.names[0]
        #: Each choice field's values by their folded form (a sheet's ``Agreed`` is ``agreed``).
        self.choices = {
            "status": {fold(name): name for name in doc.vocab.names},
            "kind": {fold(name): name for name in KINDS},
            "priority": {fold(name): name for name in PRIORITIES},
        }

    def take(self, record: Record) -> None:
        given = record.given
        _as_named(given, self.choices)
        item_id = given.get(("id",))
        if item_id is not None:
            item_id = str(item_id).strip()  # a spreadsheet may pad a cell
        if item_id:
            key = fold(item_id)
            if key in self.rows:
                self.source.problem(record.row, "id", f"{item_id} is also in row {self.rows[key]}: give each item once")
                return
            self.rows[key] = record.row
        if item_id and fold(item_id) in self.index:
            self._update(record, self.index[fold(item_id)])
        else:
            self._add(record, item_id)

    def _update(self, record: Record, index: int) -> None:
        old = self.doc.items[index]
        new: dict[str, Any] = copy.deepcopy(old)  # type: ignore[arg-type]
        for path, value in record.given.items():
            current = flat.value_at(old, path)
            if path == ("id",) or (
                record.texts.get(path, None) == flat.cell(current) if record.texts else value == current
            ):
                continue
            if path == ("status",) and _stale_status(record, value):
                continue
            _set(new, path, value)
        for path, what in DATED.items():
            before, after = flat.value_at(old, path), flat.value_at(new, path)
            if after == before or not entries_are_mappings(after) or not entries_are_mappings(before):
                continue  # unchanged, or not a list of entries: validation says what is wrong
            holder = flat.value_at(new, path[:-1]) if len(path) > 1 else new
            if after is None and not isinstance(holder, dict):
                continue  # target given as something else than a mapping: validation says so
            name = _column(record, path) or what
            if after is None:
                self.source.problem(
                    record.row, name, f"{old['id']}: {what} can only grow: import never removes entries"
                )
                _set(new, path, before)
                continue
            try:
                _set(new, path, merge_dated(before if isinstance(before, list) else [], after, what))
            except ValueError as err:
                self.source.problem(record.row, name, f"{old['id']}: {err}")
                _set(new, path, before)
        new = prune(new)
        self._party_ids(new)
        refused = party_change(old, new)
        if refused:
            name = "party" if new.get("party") != old.get("party") else "kind"
            self.source.problem(record.row, _column(record, (name,)) or name, f"{old['id']}: {refused}")
            new["party"], new["kind"] = old["party"], old.get("kind")  # said once: not again by validation
            new = prune({key: value for key, value in new.items() if value is not None})
        self.settled[index] = settle_status(old, new, self.today, self.default)
        self.items[index] = new
        self.updates.append((index, record, old))

    def _add(self, record: Record, item_id: str | None) -> None:
        new: dict[str, Any] = {}
        for path, value in record.given.items():
            if value is not None:
                _set(new, path, value)
        if item_id:
            new["id"] = item_id
        else:
            new.pop("id", None)
            party = new.get("party")
            if not party_ids(party) or not all(p.strip() for p in party_ids(party)):
                self.source.problem(record.row, "party", "a new item needs its party (and a title)")
                return
        try:
            complete_new(self.doc.data, new, self.numbering, self.doc.vocab.names)
        except UsageError as err:
            self.source.problem(record.row, _column(record, ("party",)) or "party", str(err))
            return
        new = prune(new)
        self._party_ids(new)
        self.settled[len(self.items)] = settle_status(None, new, self.today, self.default)
        order = fields_of(Item)
        self.items.append({key: new[key] for key in sorted(new, key=lambda k: order.index(k) if k in order else 99)})
        self.additions.append((len(self.items) - 1, record))

    def _party_ids(self, item: dict[str, Any]) -> None:
        """Parties named by a name or alias (``China``) as their ids; an unknown one is left for
        validation to report."""
        from .query import resolve_party

        for key in ("party", "of"):
            value = item.get(key)
            if value is None:
                continue
            names = value if isinstance(value, list) else [value]
            try:
                ids = [resolve_party(self.doc.data, name) if isinstance(name, str) else name for name in names]
            except UsageError:
                continue
            item[key] = ids if isinstance(value, list) else ids[0]

    def check(self) -> list[Any]:
        """Validate the items as they would be (every problem noted, at its row and column);
        returns them, with text written as numbers read back as text (as a load reads them)."""
        data: dict[str, Any] = dict(self.doc.data)
        items: list[Any] = copy.deepcopy(self.items)
        data["demands"] = items
        rows = {index: record for index, record, _old in self.updates}
        rows.update({index: record for index, record in self.additions})
        found = validation.check(data)
        # The sources (of an item, of its history entries) an item did not have: their quotes
        # are checked, every one, each problem at its row and column.
        fresh: set[tuple[Any, ...]] = set()
        for index, old in [(i, old) for i, _r, old in self.updates] + [(i, {}) for i, _r in self.additions]:
            known = [source for _path, source in _sources(old, index)]
            fresh.update(path for path, source in _sources(items[index], index) if source not in known)
        touched = {str(items[path[1]].get("id")).lower() for path in fresh}
        if touched and not found:
            from .sources import quote_problems

            quotes = quote_problems(data, self.doc.path.resolve().parent, touched)
            found += [(where, message) for where, message in quotes if tuple(where[:-1]) in fresh]
        for where, message in found:
            record = rows.get(where[1]) if len(where) > 1 and where[0] == "demands" else None
            if record is None:
                self.source.problem(0, "", message)
                continue
            rest = where[2:]
            added = self.settled.get(where[1])
            if added is not None and rest[:2] == ("history", added):
                continue  # the entry added for a changed status: its problem is said at the status
            name = ".".join(str(step) for step in rest if isinstance(step, str))
            column = _column(record, rest) or name
            item = items[where[1]]
            label = clip(item["id"], 60) if isinstance(item.get("id"), str) else f"item {where[1] + 1}"
            said = message
            for prefix in (f"{label} {name}: ", f"{label}: ", f"{label} "):
                if said.startswith(prefix):
                    said = said[len(prefix) :]
                    break
            if record.texts and said.startswith("bad date "):
                said += " (a spreadsheet may have reformatted it: format date columns as text)"
            self.source.problem(record.row, column, f"{label}: {said}")
        return items

    def ignored(self) -> list[str]:
        """The top-level values of a whole exported file that differ from the file's."""
        return [key for key, value in self.source.rest.items() if self.doc.data.get(key) != value]  # type: ignore[misc]


def _as_named(given: dict[tuple[str, ...], Any], choices: dict[str, dict[str, str]]) -> None:
    """Statuses (the item's and its history entries'), kinds and priorities in ``given`` as the
    file names them, when they differ only in case or spacing (``Agreed``, ``RED-LINE``): as
    ``mark`` and ``list -s`` read them. Anything else is left for validation to report."""
    for key, named in choices.items():
        value = given.get((key,))
        if isinstance(value, str) and fold(value.strip()) in named:
            given[(key,)] = named[fold(value.strip())]
    history = given.get(("history",))
    if isinstance(history, list):
        for entry in history:
            status = entry.get("status") if isinstance(entry, dict) else None
            if isinstance(status, str) and fold(status.strip()) in choices["status"]:
                entry["status"] = choices["status"][fold(status.strip())]


def _sources(item: Any, index: int) -> list[tuple[tuple[Any, ...], Any]]:
    """The sources of item ``index``, each with where it is: ``("demands", index, "source")``,
    ``("demands", index, "history", j, "source")``."""
    found: list[tuple[tuple[Any, ...], Any]] = [(("demands", index, "source"), item.get("source"))]
    history = item.get("history")
    if isinstance(history, list):
        found += [
            (("demands", index, "history", j, "source"), entry.get("source"))
            for j, entry in enumerate(history)
            if isinstance(entry, dict)
        ]
    return [(path, source) for path, source in found if source]


def _stale_status(record: Record, status: Any) -> bool:
    """Whether a status given is the one the record's own history ends with: the row is from
    before the file's status changed (an older export), not a status someone typed."""
    from .timeline import last_status

    history = record.given.get(("history",))
    return (
        isinstance(history, list) and entries_are_mappings(history) and status == last_status({"history": history})  # type: ignore[typeddict-item]
    )


def _column(record: Record, rest: tuple[Any, ...]) -> str | None:
    """The name the record gives the value at ``rest`` (the longest column that holds it)."""
    keys = []
    for step in rest:
        if not isinstance(step, str):
            break
        keys.append(step)
    while keys:
        name = record.names.get(tuple(keys))
        if name is not None:
            return name
        keys.pop()
    return None


def _set(item: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set (or, for None, remove) the value at ``path`` in ``item``."""
    target = item
    for step in path[:-1]:
        inner = target.get(step)
        if not isinstance(inner, dict):
            if value is None:
                return
            inner = target[step] = {}
        target = inner
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
