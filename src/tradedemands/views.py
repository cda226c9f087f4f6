"""What the read commands show of items, as results: built once, then written in any format.

``list`` (``ItemList``), ``show`` (``ItemDetails`` of ``ItemView``s), ``summary`` and ``log``
(``export``'s is in ``exporting``): each a ``results.Result`` that gives its JSON value, rows and Markdown; Rich tables
are drawn from the same objects by ``render.table``, so nothing is derived twice. Plain
classes, not dataclasses, for start-up (see ``results``).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from .formats import Rows, join, number
from .model import (
    DataFile,
    HistoryEntry,
    Item,
    Target,
    Vocabulary,
    backlinks,
    by_date,
    kind_of,
    links_both_ways,
    natural_key,
    parties_of,
    party_text,
    target_progress,
)
from .results import LeftOut, Plain, Result
from .timeline import history, updated_on

LIST_COLUMNS = ["id", "party", "of", "kind", "status", "priority", "topic", "title", "due", "updated"]
TABLE_COLUMNS = ["id", "party", "kind", "status", "priority", "topic", "title", "due"]


# --- list ------------------------------------------------------------------------------------


def list_rows(items: list[Item], compact: bool = False) -> Rows:
    """The table of ``list``: ``compact`` fits a terminal (party shown as ``us→cn``, columns
    empty for every item left out). Every field, for spreadsheets, is ``flat.rows``."""
    columns = TABLE_COLUMNS if compact else LIST_COLUMNS
    rows = []
    for item in items:
        values = {
            "id": item["id"],
            "party": party_text(item["party"]),
            "of": item.get("of") or "",
            "kind": kind_of(item),
            "status": item["status"],
            "priority": item.get("priority") or "",
            "topic": item.get("topic") or "",
            "title": item["title"],
            "due": item.get("due") or "",
            "updated": updated_on(item),
        }
        if compact and values["of"]:
            values["party"] = f"{values['party']}→{values['of']}"
        rows.append([values[c] for c in columns])
    if compact:
        keep = [n for n, c in enumerate(columns) if c in ("id", "title") or any(row[n] for row in rows)]
        columns = [columns[n] for n in keep]
        rows = [[row[n] for n in keep] for row in rows]
    return Rows(list(columns), rows, wide=("title", "text", "source_quote"))


class ItemList(Result):
    """``list``: the items that pass the filters, in the order asked for."""

    def __init__(
        self, items: list[Item], vocab: Vocabulary, left_out: LeftOut | None = None, hint: str | None = None
    ) -> None:
        self.items = items
        self.vocab = vocab
        self.left_out = left_out
        #: Why nothing matched, when a filter names what no item has (``no item has the topic 'x'...``).
        self.hint = hint

    def as_json(self) -> list[Item]:
        """The items, every field as in the file."""
        return self.items

    def rows(self) -> Rows:
        """The items' main fields (``LIST_COLUMNS``)."""
        return list_rows(self.items)

    def csv_rows(self) -> Rows:
        """Every field of the items, for spreadsheets, as ``export`` writes them and ``import``
        reads them back (``flat.rows``)."""
        from .flat import rows

        return rows(self.items)

    def table_rows(self) -> Rows:
        """The rows for a terminal: compact (``list_rows(compact=True)``)."""
        return list_rows(self.items, compact=True)

    def ids(self) -> list[str]:
        """The items' ids, in order."""
        return [item["id"] for item in self.items]

    def empty_note(self) -> str | None:
        """``no items match`` when there are none (and why, when ``hint`` says)."""
        if self.items:
            return None
        return f"no items match: {self.hint}" if self.hint else "no items match"


# --- show ------------------------------------------------------------------------------------


def amount_text(target: Target) -> str:
    """A target's amount and unit: ``200,000,000,000 USD``."""
    return f"{number(target.get('amount'))} {target.get('unit') or ''}".strip()


def target_text(target: Target) -> str:
    """A target in words: ``200,000,000,000 USD (metric) by 2020-06-01``."""
    text = amount_text(target)
    if target.get("metric"):
        text += f" ({target['metric']})"
    if target.get("by"):
        text += f" by {target['by']}"
    return text


def source_text(source: Any) -> str:
    """A source on one line: ``“quote” — doc, url, date`` (each part only when given)."""
    if not isinstance(source, dict):
        return ""
    where = ", ".join(str(source[k]) for k in ("doc", "url", "date") if source.get(k))
    quote = f"“{source['quote']}”" if source.get("quote") else ""
    return " — ".join(part for part in (quote, where) if part)


def field_text(value: Any) -> str:
    """A field's value as text for Markdown and tables, never a Python repr: text as it is, a
    number as written (``number``), a source as ``source_text``, a list joined by ``, `` (of
    mappings, by ``; ``), another mapping as ``key: value`` pairs; "" for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, dict):
        if value and set(value) <= {"doc", "quote", "url", "date"}:
            return source_text(value)
        return "; ".join(f"{key}: {field_text(val)}" for key, val in value.items())
    if isinstance(value, (list, tuple)):
        sep = "; " if any(isinstance(v, dict) for v in value) else ", "
        return sep.join(field_text(v) for v in value)
    return str(value)


def history_line(entry: Any) -> str:
    """A history entry after its date: ``→ open (beijing-2018-05) Tabled in Beijing``, then its
    source (``source_text``) in brackets when it has one."""
    parts = []
    if entry.get("status"):
        parts.append(f"→ {entry['status']}")
    if entry.get("round"):
        parts.append(f"({entry['round']})")
    if entry.get("note"):
        parts.append(str(entry["note"]))
    if entry.get("source"):
        parts.append(f"[source: {source_text(entry['source'])}]")
    return " ".join(parts)


class ItemView(Plain):
    """One item as ``show`` shows it, with what is read around it: its ``party`` and ``of`` as
    ``us (United States)`` ("" when it has none; the parties to an agreement joined by ``, ``); ``links``, its own and those others make to
    it, as (rel, id, title of the other item), and ``backlinks``; its ``target`` in words
    (``target_text``), its ``latest`` measured amount and ``percent`` of target (0-100 on the
    way; None when unknown); its ``history`` in date order."""

    def __init__(
        self,
        item: Item,
        party: str,
        of: str,
        links: list[tuple[str, str, str]],
        backlinks: list[dict[str, str]],
        target: str,
        latest: float | None,
        percent: float | None,
        history: list[HistoryEntry],
    ) -> None:
        self.item = item
        self.party = party
        self.of = of
        self.links = links
        self.backlinks = backlinks
        self.target = target
        self.latest = latest
        self.percent = percent
        self.history = history

    @classmethod
    def of_item(cls, data: DataFile, item: Item) -> ItemView:
        """The view of ``item`` in ``data``."""
        parties = data.get("parties") or {}

        def party_name(pid: str | None) -> str:
            if not pid:
                return ""
            return f"{pid} ({parties[pid]['name'] if pid in parties else '?'})"

        by_id = {i["id"].lower(): i for i in data.get("demands") or []}
        links = [
            (link["rel"], link["id"], by_id[link["id"].lower()]["title"] if link["id"].lower() in by_id else "")
            for link in links_both_ways(data, item)
        ]
        target = item.get("target")
        latest, percent = target_progress(target) if target else (None, None)
        return cls(
            item,
            ", ".join(party_name(pid) for pid in parties_of(item)),
            party_name(item.get("of")),
            links,
            backlinks(data, item["id"]),
            target_text(target) if target else "",
            latest,
            percent,
            by_date(item.get("history")),
        )

    def record(self) -> dict[str, Any]:
        """The item with the links others make to it (``backlinks``) and its target progress
        (``target_progress``: latest amount, percent rounded to 0.1)."""
        record: dict[str, Any] = dict(self.item)
        record["backlinks"] = self.backlinks
        if self.item.get("target"):
            percent = None if self.percent is None else round(self.percent, 1)
            record["target_progress"] = {"latest": self.latest, "percent": percent}
        return record

    def rows(self) -> list[list[str]]:
        """The item as field/value rows."""
        item = self.item
        rows: list[list[str]] = []
        for key, value in item.items():
            if key in ("history", "links", "source", "target", "tags"):
                continue
            shown = party_text(value) if key == "party" else str(value) if value is not None else ""
            rows.append([key, shown])
        if item.get("tags"):
            rows.append(["tags", join(item.get("tags"))])
        for key, value in (item.get("source") or {}).items():
            rows.append([f"source.{key}", str(value)])
        if item.get("target"):
            line = self.target
            if self.latest is not None:
                line += f"; latest {number(self.latest)}"
                if self.percent is not None:
                    line += f" = {self.percent:.0f}%"
            rows.append(["target", line])
        for rel, other, _title in self.links:
            rows.append([f"link {rel}", other])
        for entry in self.history:
            rows.append([f"history {entry.get('date', '')}", history_line(entry)])
        return rows


class ItemDetails(Result):
    """``show``: everything about the items asked for, in the order asked."""

    def __init__(self, views: list[ItemView], vocab: Vocabulary) -> None:
        self.views = views
        self.vocab = vocab

    def as_json(self) -> list[dict[str, Any]]:
        """One ``ItemView.record`` per item."""
        return [view.record() for view in self.views]

    def rows(self) -> Rows:
        """``id``, ``field``, ``value`` rows of every item."""
        rows = [[view.item["id"], *row] for view in self.views for row in view.rows()]
        return Rows(["id", "field", "value"], rows, wide=("value",))


# --- summary ---------------------------------------------------------------------------------


def bar(done: float, total: float, width: int) -> str:
    """A text bar of ``width`` cells: ``█`` for the part ``done`` of ``total``, ``░`` for the
    rest (``███████░░░`` for 7 of 10); below 0 an empty bar, beyond ``total`` a full one."""
    filled = max(0, min(width, round(width * done / total))) if total else 0
    return "█" * filled + "░" * (width - filled)


class Summary(Result):
    """``summary``: per party, how many items have each status, how many are closed, and the
    progress of its targets (``parties``: dicts of party, name, counts, total, closed, targets).

    An agreement counts for each party to it (a party's row counts what ``list --party`` shows
    of it); ``totals`` (the ``all`` row) counts every item once, so it can be less than the sum
    of the rows. Without ``totals`` given, they are the sum of the rows."""

    def __init__(
        self,
        statuses: list[str],
        closed: set[str],
        parties: list[dict[str, Any]] | None = None,
        totals: dict[str, Any] | None = None,
    ) -> None:
        self.statuses = statuses
        self.closed = closed
        self.parties = parties if parties is not None else []
        if totals is not None:
            self.__dict__["totals"] = totals

    @cached_property
    def totals(self) -> dict[str, Any]:
        """All items together, each once: ``counts`` per status, ``total`` and ``closed``."""
        return {
            "counts": {s: sum(p["counts"].get(s, 0) for p in self.parties) for s in self.statuses},
            "total": sum(p["total"] for p in self.parties),
            "closed": sum(p["closed"] for p in self.parties),
        }

    def as_json(self) -> dict[str, Any]:
        """``{"statuses", "parties", "total", "closed"}``."""
        totals = self.totals
        return {
            "statuses": self.statuses,
            "parties": self.parties,
            "total": totals["total"],
            "closed": totals["closed"],
        }

    def rows(self) -> Rows:
        """A row per party and one for all: counts per status, total, closed."""
        columns = ["party", *self.statuses, "total", "closed"]
        rows = []
        for p in self.parties:
            rows.append(
                [p["party"], *[str(p["counts"].get(s, 0)) for s in self.statuses], str(p["total"]), str(p["closed"])]
            )
        totals = self.totals
        rows.append(
            ["all", *[str(totals["counts"][s]) for s in self.statuses], str(totals["total"]), str(totals["closed"])]
        )
        return Rows(columns, rows)


def summary(data: DataFile, vocab: Vocabulary) -> Summary:
    """The ``Summary`` of ``data``: every party of the file, in file order, then any party
    items name that the file does not declare. An agreement counts for each party to it; the
    totals count every item once."""
    items = data.get("demands") or []
    every: dict[str, int] = {}
    for item in items:
        every[item["status"]] = every.get(item["status"], 0) + 1
    totals = {
        "counts": {s: every.get(s, 0) for s in vocab.names},
        "total": len(items),
        "closed": sum(n for s, n in every.items() if s in vocab.closed),
    }
    result = Summary(vocab.names, vocab.closed, totals=totals)
    parties = data.get("parties") or {}
    by_party: dict[str, list[Item]] = {pid: [] for pid in parties}
    for item in items:
        for pid in parties_of(item):
            by_party.setdefault(pid, []).append(item)
    for pid, items in by_party.items():
        counts: dict[str, int] = {}
        for item in items:
            counts[item["status"]] = counts.get(item["status"], 0) + 1
        targets = []
        for item in sorted(items, key=lambda i: natural_key(i["id"])):
            target = item.get("target")
            if target:
                latest, percent = target_progress(target)
                targets.append(
                    {
                        "id": item["id"],
                        "amount": target.get("amount"),
                        "unit": target.get("unit"),
                        "latest": latest,
                        "percent": percent,
                    }
                )
        result.parties.append(
            {
                "party": pid,
                "name": parties[pid]["name"] if pid in parties else pid,
                "counts": {s: counts[s] for s in vocab.names if s in counts},
                "total": len(items),
                "closed": sum(n for s, n in counts.items() if s in vocab.closed),
                "targets": targets,
            }
        )
    return result


# --- log -------------------------------------------------------------------------------------


def log_records(
    data: DataFile,
    *,
    since: str | None = None,
    until: str | None = None,
    parties: set[str] | None = None,
    round_id: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Every history entry across items as ``{"id", "date", "status"?, "note"?, "round"?,
    "source"?}`` (``source`` as in the file: ``{"doc", "quote"}``, ``{"url"}``...), newest first
    (of one date, later in the file first); the filters as ``timeline.history``."""
    found = history(data, since=since, until=until, parties=parties, round_id=round_id)
    found.sort(key=lambda e: (e.entry.get("date", ""), *e.position), reverse=True)
    records = []
    for e in found[:limit] if limit is not None else found:
        record: dict[str, Any] = {"id": e.item["id"], "date": e.entry.get("date", "")}
        for key in ("status", "note", "round", "source"):
            if e.entry.get(key):
                record[key] = e.entry[key]  # type: ignore[literal-required]
        records.append(record)
    return records


class Log(Result):
    """``log``: history entries across items, newest first (``log_records``)."""

    def __init__(self, records: list[dict[str, Any]], vocab: Vocabulary) -> None:
        self.records = records
        self.vocab = vocab

    def as_json(self) -> list[dict[str, Any]]:
        """The entries (``log_records``)."""
        return self.records

    def rows(self) -> Rows:
        """``date``, ``id``, ``status``, ``round``, ``note`` rows, and ``source`` (the document or
        URL; the quote is in the JSON) when any entry cites one."""
        columns = ["date", "id", "status", "round", "note"]
        rows = [[r["date"], r["id"], r.get("status", ""), r.get("round", ""), r.get("note", "")] for r in self.records]
        if any(r.get("source") for r in self.records):
            columns.append("source")
            for row, record in zip(rows, self.records, strict=True):
                source = record.get("source") or {}
                row.append(", ".join(str(source[k]) for k in ("doc", "url") if source.get(k)))
        return Rows(columns, rows, wide=("note",))

    def empty_note(self) -> str | None:
        """``no history entries match`` when there are none."""
        return None if self.records else "no history entries match"
