"""The file ``demands import`` reads: CSV, JSON or YAML as ``export`` and ``list`` write them.

``read_source`` reads it (a regular file, bounded by ``DEMANDS_MAX_BYTES``, UTF-8 with or
without a byte-order mark, CRLF or LF) into ``Record``s, one per item: the values it gives, by
their place in an item. CSV is read as ``flat`` writes it, column by column, the spreadsheet
formula guard taken off (``formats.restore_formula``) and a ``;`` or tab separator accepted as
Excel writes one in many locales; JSON and YAML are the whole file as one object with
``demands``, or an array of items. What cannot be read is noted as a ``CellProblem`` located as
``FILE:ROW:COLUMN``; ``importing`` merges the records and reports them all at once.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from . import flat, settings, validation
from .errors import OPTION, DemandsError, InvalidFile, Problem, UsageError, cause
from .escape import clip, quoted
from .files import NotRegular, TooLarge, read_regular
from .formats import restore_formula
from .model import Item, fields_of, fold

FORMATS = ("csv", "json", "yaml")
#: The problems an import keeps to list (the count says how many more there were).
KEPT = 100
#: Keys ``show -o json`` adds to each item (read from the file, not part of it): ignored.
DERIVED_KEYS = ("backlinks", "target_progress")


@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem with the file being imported, at ``line`` (its row: the spreadsheet row, the
    header being row 1, or the item's number in JSON or YAML) and ``field`` (the column)."""

    field: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" + (f":{self.field}" if self.field else "")
        return f"{where}: {self.message}"


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
    #: How many problems were found: only the first ``KEPT`` are kept in ``problems`` (a sheet
    #: of a million bad rows is refused with a page of lines, not a million).
    found: int = 0

    def problem(self, row: int, name: str, message: str) -> None:
        """Note a problem at ``row``, in the column (or key) ``name`` (both clipped: a 100 KB
        header cell is named in a line of about 200 characters)."""
        self.found += 1
        if len(self.problems) < KEPT:
            self.problems.append(CellProblem(self.label, row, 0, clip(message), clip(name, 40)))

    def add_problems(self, problems: list[Problem]) -> None:
        """Note problems found elsewhere (the YAML reader's), within the same bound."""
        self.found += len(problems)
        self.problems.extend(problems[: max(0, KEPT - len(self.problems))])


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
    for number, header in enumerate(rows[0][1]):
        written = restore_formula(header).strip()
        name = known.get(fold(written))
        if not written:
            # A column with no name and nothing in it (a spreadsheet writes one for a cell
            # beyond the table that was ever formatted) is no column: it is left out.
            if any(number < len(cells) and cells[number].strip() for _row, cells in rows[1:]):
                source.problem(
                    1,
                    f"column {number + 1}",
                    "a column with no name holds values: name it (id, title, ...) or delete it",
                )
            names.append(None)
            continue
        if name is None:
            suggest = validation.suggest(written[:100], list(known.values()))
            source.problem(
                1,
                written if len(written) <= 40 else f"column {number + 1}",
                f"unknown column {quoted(written, 60)}{suggest}; the columns are those 'demands export -o csv' writes",
            )
        elif name in names:
            source.problem(1, written, f"column {quoted(name)} is given twice")
            name = None
        names.append(name)
    types = flat.column_types()
    # In a file whose rows end in CRLF (Windows, unix2dos, git's autocrlf), a line break inside
    # a quoted cell is CRLF too: it is a line break, read as the ``\n`` export wrote.
    crlf = text.split("\n", 1)[0].endswith("\r")
    paths = [flat.path_of(name) if name is not None else None for name in names]
    # One mapping of the names for every row (a row only reads it): a million rows, one copy.
    shared = {path: name for path, name in zip(paths, names, strict=True) if path is not None and name is not None}
    for row, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue  # a blank line, or a row a spreadsheet left with empty cells
        if len(cells) != len(names):
            source.problem(
                row, "", f"{len(cells)} cells where the header has {len(names)}: each row has one per column"
            )
            continue
        record = Record(row, names=shared)
        for name, path, text_cell in zip(names, paths, cells, strict=True):
            if name is None or path is None:
                continue
            written = restore_formula(text_cell.replace("\r\n", "\n") if crlf else text_cell)
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
            source.add_problems(list(err.problems))
            return
    if isinstance(data, dict) and "demands" in data:
        source.rest = {key: value for key, value in data.items() if key != "demands"}
        data = data["demands"]
    if not isinstance(data, list):
        source.problem(1, "", "expected the items: an array of them, or an object with 'demands' as export writes it")
        return
    fields = fields_of(Item)
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
