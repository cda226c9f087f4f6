"""The pieces the brief is built of: tables without empty or constant columns, lists of ids,
and sources numbered once per document.

A brief is read, not scanned by a program: a column that is empty, or says the same in every
row, is noise. ``pruned_table`` drops it and says its one value once, under the table; a
single position is a line, not a table. ``grouped_ids`` writes runs of ids as ranges
(``US-1 to US-9``). ``Citations`` numbers each source document (or URL) once, in the order
they are first cited, and lists what cites it. All text goes through ``escape.md``.
"""

from __future__ import annotations

import re
from typing import Any

from .escape import md
from .formats import Rows, to_markdown

#: Columns a table keeps even when they do not vary (they name the row).
NAMING = ("id", "title", "position")
#: How the one value of a dropped column is said: ``(all open)``.
SAID = {
    "status": "all {}",
    "priority": "all {} priority",
    "of": "all asked of {}",
    "date": "all on {}",
}
#: How a field of a position reads in a one-line listing: ``(open, high priority, asked of China)``.
DETAIL = {"priority": "{} priority", "of": "asked of {}"}
_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def pruned(rows: Rows) -> tuple[Rows, list[tuple[str, str]]]:
    """``rows`` less the columns that are empty in every row, and, with two rows or more, those
    that hold one value in every row (except the columns that name a row); with the
    ``(column, value)`` of each column dropped for holding one value."""
    keep: list[int] = []
    same: list[tuple[str, str]] = []
    for n, column in enumerate(rows.columns):
        values = {row[n] for row in rows.rows}
        if column in NAMING:
            keep.append(n)
        elif values <= {""}:
            continue
        elif len(rows.rows) > 1 and len(values) == 1:
            same.append((column, next(iter(values))))
        else:
            keep.append(n)
    kept = Rows([rows.columns[n] for n in keep], [[row[n] for n in keep] for row in rows.rows], rows.wide)
    return kept, same


def said(same: list[tuple[str, str]]) -> str:
    """The values of the columns a table dropped, in words: ``all open, all high priority``."""
    return ", ".join(
        SAID[column].format(md(value)) if column in SAID else f"{md(column)}: {md(value)}" for column, value in same
    )


def pruned_table(rows: Rows) -> list[str]:
    """``rows`` as a GitHub table without empty or constant columns; a dropped column's one value
    is said in a line above it (``All on 2018-05-04:``)."""
    kept, same = pruned(rows)
    if not same:
        return [to_markdown(kept)]
    text = said(same)
    return [f"{text[:1].upper()}{text[1:]}:", "", to_markdown(kept)]


def listing(heading: str, positions: list[dict[str, str]], level: int = 3) -> list[str]:
    """Positions under a heading: a table of ``id``, ``title`` and the other fields that vary
    (the heading says the value a column would repeat: ``Red lines (all open)``); one position
    is a line."""
    marks = "#" * level
    if len(positions) == 1:
        (one,) = positions
        details = [DETAIL.get(k, "{}").format(one[k]) for k in one if k not in NAMING and one[k]]
        extra = f" ({md(', '.join(details))})" if details else ""
        return [f"{marks} {heading}", "", f"- **{md(one['id'])}** {md(one['title'])}{extra}", ""]
    columns = list(positions[0])
    kept, same = pruned(Rows(columns, [[position[c] for c in columns] for position in positions]))
    suffix = f" ({said(same)})" if same else ""
    return [f"{marks} {heading}{suffix}", "", to_markdown(kept)]


def grouped_ids(ids: list[str]) -> str:
    """Ids with runs of consecutive numbers as ranges, prefixes in the order first seen:
    ``US-1 to US-9, CN-1 to CN-7, US-CN-1``. Escaped for Markdown."""
    groups: dict[str, list[int]] = {}
    loose: list[str] = []
    for item_id in ids:
        match = _NUMBERED.match(item_id)
        if match:
            groups.setdefault(match.group(1), []).append(int(match.group(2)))
        else:
            groups.setdefault(item_id, [])
            loose.append(item_id)
    parts: list[str] = []
    for prefix, numbers in groups.items():
        if not numbers:
            continue
        numbers = sorted(set(numbers))
        start = previous = numbers[0]
        for n in [*numbers[1:], None]:
            if n is not None and n == previous + 1:
                previous = n
                continue
            if previous - start >= 2:
                parts.append(f"{prefix}{start} to {prefix}{previous}")
            else:
                parts += [f"{prefix}{k}" for k in range(start, previous + 1)]
            if n is not None:
                start = previous = n
    parts += loose
    return md(", ".join(parts))


class Citations:
    """Sources numbered once per document (``doc``) or page (``url``), in the order first cited.

    ``ref`` gives the reference to put after what cites it (`` [1]``); ``lines`` lists every
    source once with what cites it: items (in ``order``: their ids to their place in the file),
    changes (an item id and the date of the change), rounds (``round <id>``)."""

    def __init__(self, order: dict[str, int] | None = None) -> None:
        self.order = order or {}
        self.keys: dict[str, int] = {}
        self.dates: dict[str, set[str]] = {}
        self.cited: dict[str, list[str]] = {}
        self.changes: dict[str, dict[str, list[str]]] = {}
        self.unsourced: list[str] = []

    def ref(self, source: Any, what: str, *, on: str | None = None, silent: bool = False, raw: bool = False) -> str:
        """Record that ``what`` (an item id, or ``round <id>``; with ``on``, the change of item
        ``what`` on that date) cites ``source`` (a source mapping, or None); the reference to
        write after it in Markdown, `` \\[1\\]`` (none with ``silent``; with ``raw``, ``[1]`` as
        text for a table cell, which ``to_markdown`` escapes)."""
        key = None
        if isinstance(source, dict):
            key = source.get("doc") or source.get("url")
        if not isinstance(key, str) or not key:
            if silent:  # an item listed among the sources without one
                self.unsourced.append(what)
            return ""
        if key not in self.keys:
            self.keys[key] = len(self.keys) + 1
            self.dates[key] = set()
            self.cited[key] = []
        if isinstance(source.get("date"), str):
            self.dates[key].add(source["date"])
        if on is not None:
            dated = self.changes.setdefault(key, {}).setdefault(on, [])
            if what not in dated:
                dated.append(what)
        elif what not in self.cited[key]:
            self.cited[key].append(what)
        if silent:
            return ""
        return f"[{self.keys[key]}]" if raw else f" \\[{self.keys[key]}\\]"

    def lines(self) -> list[str]:
        """The numbered list of sources, each once, with what cites it; then what cites none."""
        out = []
        for key, n in self.keys.items():
            dates = ", ".join(sorted(self.dates[key]))
            when = f" ({dates})" if dates else ""
            cited = self.cited[key]
            items = sorted((c for c in cited if " " not in c), key=lambda c: self.order.get(c, len(self.order)))
            parts = [grouped_ids(items)] if items else []
            for day, ids in sorted(self.changes.get(key, {}).items()):
                parts.append(f"changes of {grouped_ids(ids)} on {day}")
            parts += [md(c) for c in cited if " " in c]
            out.append(f"{n}. {md(key)}{when}: {'; '.join(parts)}.")
        if self.unsourced:
            out += [*([""] if out else []), f"No source: {grouped_ids(list(dict.fromkeys(self.unsourced)))}."]
        return out or ["No sources recorded."]
