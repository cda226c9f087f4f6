"""Items from a spreadsheet or another file merged into the data file: ``demands import``.

``read_source`` reads a file in the shapes ``export`` and ``list`` write: CSV (one row per item,
the columns of ``flat``), JSON or YAML (the whole file as one object with ``demands``, or an
array of items). ``merge`` then merges its items by id into a loaded document, inside a write
(``transaction.transact``):

- an id the file has: each field given that differs from the file is changed, with the least
  text edits (``updates.apply_item``); a CSV cell exactly as ``export`` writes the field is
  unchanged, whatever its type, so re-importing an unchanged export changes nothing; an empty
  cell removes an optional field; columns (or, in JSON and YAML, keys) not given are kept;
- history (and target ``progress``) only grows: entries the file lacks are added in their
  places by date, and an entry of the file changed or dropped is refused; a status changed
  without an entry that sets it gets one dated today (``updates.settle_status``);
- a new id, or a row without one, is a new item (numbered ``<PARTY>-<n>`` as ``add`` does);
- nothing is ever removed.

Every problem (a cell that does not read, an unknown column, a bad status or date, a link to
no item, a quote not in its document...) is collected, each located as ``FILE:ROW:COLUMN``,
and the whole import is refused (``ImportRefused``): all or nothing.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from . import flat, settings, validation
from .document import Document
from .editor import Editor
from .errors import OPTION, DemandsError, InvalidFile, Problem, UsageError, cause
from .escape import clip, quoted
from .files import NotRegular, TooLarge, read_regular
from .formats import restore_formula
from .model import fields_of, fold
from .updates import apply_item, fresh_id, merge_dated, prune, settle_status

FORMATS = ("csv", "json", "yaml")
#: Keys ``show -o json`` adds to each item (read from the file, not part of it): ignored.
DERIVED_KEYS = ("backlinks", "target_progress")
#: Lists that only grow on import, in date order.
DATED = {("history",): "history", ("target", "progress"): "target.progress"}


@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem with the file being imported, at ``line`` (its row: the spreadsheet row, the
    header being row 1, or the item's number in JSON or YAML) and ``field`` (the column)."""

    field: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" + (f":{self.field}" if self.field else "")
        return f"{where}: {self.message}"


class ImportRefused(InvalidFile):
    """The import was refused: ``problems`` lists every problem (``CellProblem``), ``closing``
    says that nothing was imported."""

    def __init__(self, problems: list[Problem], closing: str) -> None:
        super().__init__(problems)
        self.closing = closing


@dataclass
class Record:
    """One item of the file being imported: where it is (``row``), the values it gives (by their
    place in an item: ``("source", "url")``; None removes), the CSV text of each (``texts``) and
    the name each is known by (``names``)."""

    row: int
    given: dict[tuple[str, ...], Any] = field(default_factory=dict)
    texts: dict[tuple[str, ...], str] = field(default_factory=dict)
    names: dict[tuple[str, ...], str] = field(default_factory=dict)


@dataclass
class Source:
    """What ``read_source`` read: the file's ``label``, its ``records``, the ``problems`` found in
    reading it, and, for a whole exported file, its other top-level values (``rest``)."""

    label: str
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rest: dict[str, Any] = field(default_factory=dict)

    def problem(self, row: int, name: str, message: str) -> None:
        """Note a problem at ``row``, in the column (or key) ``name``."""
        self.problems.append(CellProblem(self.label, row, 0, clip(message), name))


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


# --- reading the file ------------------------------------------------------------------------


def format_of(path: str, fmt: str | None) -> str:
    """The format of the file ``path``: ``fmt`` when given, else from its extension. UsageError
    when neither says (``-``, standard input, needs ``fmt``)."""
    if fmt:
        chosen = fmt.lower()
        if chosen not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
        return chosen
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext in ("yml", "yaml"):
        return "yaml"
    if ext in FORMATS:
        return ext
    raise UsageError(
        f"cannot tell the format of {quoted(path)} from its name: name it .csv, .json or .yaml, or give {OPTION}",
        option="format",
    )


def read_source(path: str, fmt: str | None = None) -> Source:
    """Read the file ``path`` (``-``: standard input) to import, as ``fmt`` (csv, json, yaml;
    default: from its extension). Only a regular file is read, and never more than
    ``DEMANDS_MAX_BYTES``. UTF-8, with or without a byte-order mark; CRLF line ends are read as
    well. Raises UsageError (an unknown format) and DemandsError (a file that cannot be read)."""
    kind = format_of(path, fmt)
    label = "<stdin>" if path == "-" else path
    raw = _read(path, label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise DemandsError(
            f"{label}:{line}: not UTF-8 (byte 0x{raw[err.start]:02x}); save it as UTF-8 (a spreadsheet's "
            f"'CSV UTF-8'); nothing was imported"
        ) from None
    source = Source(label)
    if kind == "csv":
        _read_csv(text, source)
    else:
        _read_tree(text, kind, source)
    return source


def _read(path: str, label: str) -> bytes:
    limit = settings.max_bytes()
    if path == "-":
        raw: bytes = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            raise DemandsError(f"{label}: larger than the limit of {limit:,} bytes; set DEMANDS_MAX_BYTES to allow it")
        return raw
    try:
        return read_regular(path, limit, label=label, hint="; set DEMANDS_MAX_BYTES to allow it")
    except NotRegular as err:
        raise DemandsError(f"{label}: is {err.kind}, not a file to import") from None
    except TooLarge as err:
        raise DemandsError(str(err)) from None
    except FileNotFoundError:
        raise DemandsError(f"{label}: no such file") from None
    except OSError as err:
        raise DemandsError(f"{label}: cannot read: {cause(err)}") from None


def _delimiter(text: str) -> str:
    """``,``; or ``;`` or a tab when the header line has none of the others (spreadsheets in
    many locales save CSV with ``;``)."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    for other in (";", "\t"):
        if other in header:
            return other
    return ","


def _read_csv(text: str, source: Source) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        rows = list(_rows(reader, source))
    finally:
        csv.field_size_limit(limit)
    if not rows:
        source.problem(1, "", "no header row: the first row names the columns (id, party, title, ...)")
        return
    known = {fold(name): name for name in flat.column_types()}
    names: list[str | None] = []
    for header in rows[0][1]:
        written = restore_formula(header).strip()
        name = known.get(fold(written))
        if name is None:
            shown = quoted(written) if written else "an empty name"
            suggest = validation.suggest(written, list(known.values()))
            source.problem(
                1, written, f"unknown column {shown}{suggest}; the columns are those 'demands export -o csv' writes"
            )
        elif name in names:
            source.problem(1, written, f"column {quoted(name)} is given twice")
            name = None
        names.append(name)
    types = flat.column_types()
    for row, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue  # a blank line, or a row a spreadsheet left with empty cells
        if len(cells) != len(names):
            source.problem(
                row, "", f"{len(cells)} cells where the header has {len(names)}: each row has one per column"
            )
            continue
        record = Record(row)
        for name, text_cell in zip(names, cells, strict=True):
            if name is None:
                continue
            written = restore_formula(text_cell)
            path = flat.path_of(name)
            record.names[path] = name
            record.texts[path] = written
            try:
                record.given[path] = flat.read_cell(written if written.strip() else "", types[name])
            except flat.CellError as err:
                source.problem(row, name, str(err))
        source.records.append(record)


def _rows(reader: Any, source: Source) -> Any:
    """The reader's rows, each with its spreadsheet row number (the header is 1)."""
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            source.problem(number + 1, "", f"not CSV as export writes it: {err}")
            return
        number += 1
        yield number, cells


def _read_tree(text: str, kind: str, source: Source) -> None:
    """JSON or YAML: one object with ``demands`` (as ``export`` writes it) or an array of items."""
    if kind == "json":
        try:
            data = flat.read_json(text)
        except flat.CellError as err:
            source.problem(1, "", str(err))
            return
    else:
        from . import yamlio

        try:
            data, _node = yamlio.parse(text, source.label)
        except InvalidFile as err:
            source.problems.extend(err.problems)
            return
    if isinstance(data, dict) and "demands" in data:
        source.rest = {key: value for key, value in data.items() if key != "demands"}
        data = data["demands"]
    if not isinstance(data, list):
        source.problem(1, "", "expected the items: an array of them, or an object with 'demands' as export writes it")
        return
    fields = fields_of(flat.model.Item)
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            source.problem(number, "", "an item must be an object (a mapping of its fields)")
            continue
        record = Record(number)
        for key, value in item.items():
            if key in DERIVED_KEYS:
                continue
            if key not in fields:
                source.problem(number, str(key), f"unknown field {quoted(key)}{validation.suggest(str(key), fields)}")
                continue
            record.given[(key,)] = value
            record.names[(key,)] = key
        source.records.append(record)


# --- merging ---------------------------------------------------------------------------------


def merge(doc: Document, editor: Editor, source: Source, today: str) -> Imported:
    """Merge ``source``'s items into ``doc`` through ``editor`` (see the module's text); ``today``
    (YYYY-MM-DD) dates the history entries of statuses changed without one. Raises ImportRefused
    listing every problem; nothing is changed then."""
    plan = _Plan(doc, source, today)
    for record in source.records:
        plan.take(record)
    intended = plan.check()
    if source.problems:
        raise ImportRefused(
            sorted(source.problems, key=lambda p: p.line),
            f"import refused: {len(source.problems)} problem{'s' if len(source.problems) != 1 else ''} in "
            f"{source.label}; nothing was imported, {doc.path} is unchanged",
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
        self.taken = [item["id"] for item in doc.items]
        self.rows: dict[str, int] = {}
        self.updates: list[tuple[int, Record, Any]] = []
        self.additions: list[tuple[int, Record]] = []
        #: Per item, the history entry added for a status changed without one (its index).
        self.settled: dict[int, int | None] = {}
        self.default = doc.vocab.names[0]

    def take(self, record: Record) -> None:
        given = record.given
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
            if after == before or (after is not None and not isinstance(after, list)):
                continue  # unchanged, or not a list: validation says so
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
        self.settled[index] = settle_status(old, new, self.today, self.default)
        self.items[index] = new
        self.updates.append((index, record, old))

    def _add(self, record: Record, item_id: str | None) -> None:
        new: dict[str, Any] = {}
        for path, value in record.given.items():
            if value is not None:
                _set(new, path, value)
        if not item_id:
            party = new.get("party")
            first = party[0] if isinstance(party, list) and party else party
            if not isinstance(first, str) or not first.strip():
                self.source.problem(record.row, "party", "a new item needs its party (and a title)")
                return
            from .query import resolve_party

            try:
                pid = resolve_party(self.doc.data, first)
            except UsageError as err:
                self.source.problem(record.row, "party", str(err))
                return
            item_id = fresh_id(pid, self.taken)
        self.taken.append(item_id)
        new["id"] = item_id
        new = prune(new)
        self._party_ids(new)
        self.settled[len(self.items)] = settle_status(None, new, self.today, self.default)
        order = fields_of(flat.model.Item)
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
        changed_source = [i for i, _r, old in self.updates if old.get("source") != items[i].get("source")]
        touched = {
            items[i]["id"].lower()
            for i in changed_source + [i for i, _r in self.additions]
            if isinstance(items[i].get("id"), str)
        }
        if touched and not found:
            from .sources import quote_problems

            found += quote_problems(data, self.doc.path.resolve().parent, touched)
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
            for prefix in (f"{label} {name}: ", f"{label}: "):
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


def _stale_status(record: Record, status: Any) -> bool:
    """Whether a status given is the one the record's own history ends with: the row is from
    before the file's status changed (an older export), not a status someone typed."""
    from .timeline import last_status

    history = record.given.get(("history",))
    return isinstance(history, list) and status == last_status({"history": history})  # type: ignore[typeddict-item]


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
