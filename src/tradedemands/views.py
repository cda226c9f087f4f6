"""What each read command shows, as plain data: built once, then rendered in any format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .formats import Rows, join, number
from .model import INVERSE_REL, DataFile, Item, Vocabulary, by_date, natural_key, target_progress
from .timeline import history, updated_on

LIST_COLUMNS = ["id", "party", "of", "kind", "status", "priority", "topic", "title", "due", "updated"]
TABLE_COLUMNS = ["id", "party", "kind", "status", "priority", "topic", "title", "due"]
CSV_COLUMNS = [
    "id", "party", "of", "kind", "status", "priority", "topic", "tags", "title", "text",
    "due", "updated", "source_doc", "source_quote", "source_date", "links",
]  # fmt: skip


def list_rows(items: list[Item], full: bool = False, compact: bool = False) -> Rows:
    """The table of ``list``: ``full`` adds every text field (csv); ``compact`` fits a terminal
    (party shown as ``us→cn``, columns empty for every item left out)."""
    columns = CSV_COLUMNS if full else TABLE_COLUMNS if compact else LIST_COLUMNS
    rows = []
    for item in items:
        source = item.get("source") or {}
        values = {
            "id": item["id"],
            "party": item["party"],
            "of": item.get("of") or "",
            "kind": item.get("kind", "demand"),
            "status": item["status"],
            "priority": item.get("priority") or "",
            "topic": item.get("topic") or "",
            "tags": join(item.get("tags"), ";"),
            "title": item["title"],
            "text": item.get("text") or "",
            "due": item.get("due") or "",
            "updated": updated_on(item),
            "source_doc": source.get("doc") or "",
            "source_quote": source.get("quote") or "",
            "source_date": source.get("date") or "",
            "links": join([f"{link['rel']} {link['id']}" for link in item.get("links") or []], ";"),
        }
        if compact and values["of"]:
            values["party"] = f"{values['party']}→{values['of']}"
        rows.append([values[c] for c in columns])
    if compact:
        keep = [n for n, c in enumerate(columns) if c in ("id", "title") or any(row[n] for row in rows)]
        columns = [columns[n] for n in keep]
        rows = [[row[n] for n in keep] for row in rows]
    return Rows(list(columns), rows, wide=("title", "text", "source_quote"))


def backlinks(data: DataFile, item_id: str) -> list[dict[str, str]]:
    """Links that other items make to ``item_id``, read from this end."""
    wanted = item_id.lower()
    found = []
    for other in data.get("demands") or []:
        for link in other.get("links") or []:
            if link["id"].lower() == wanted:
                found.append({"rel": INVERSE_REL.get(link["rel"], link["rel"]), "id": other["id"]})
    return found


def show_record(data: DataFile, item: Item) -> dict[str, Any]:
    """An item with the links others make to it (``backlinks``) and its target progress."""
    record: dict[str, Any] = dict(item)
    record["backlinks"] = backlinks(data, item["id"])
    target = item.get("target")
    if target:
        latest, percent = target_progress(target)
        record["target_progress"] = {"latest": latest, "percent": None if percent is None else round(percent, 1)}
    return record


def show_rows(data: DataFile, item: Item) -> Rows:
    """An item as field/value rows (csv and markdown forms of ``show``)."""
    rows: list[list[str]] = []
    for key, value in item.items():
        if key in ("history", "links", "source", "target", "tags"):
            continue
        rows.append([key, str(value) if value is not None else ""])
    if item.get("tags"):
        rows.append(["tags", join(item.get("tags"))])
    for key, value in (item.get("source") or {}).items():
        rows.append([f"source.{key}", str(value)])
    target = item.get("target")
    if target:
        rows.append(["target", target_line(target)])
    for link in item.get("links") or []:
        rows.append([f"link {link['rel']}", link["id"]])
    own = {(link["rel"], link["id"].lower()) for link in item.get("links") or []}
    for back in backlinks(data, item["id"]):
        if (back["rel"], back["id"].lower()) not in own:
            rows.append([f"link {back['rel']}", back["id"]])
    for entry in by_date(item.get("history")):
        rows.append([f"history {entry.get('date', '')}", history_line(entry)])
    return Rows(["field", "value"], rows, wide=("value",))


def history_line(entry: Any) -> str:
    parts = []
    if entry.get("status"):
        parts.append(f"→ {entry['status']}")
    if entry.get("round"):
        parts.append(f"({entry['round']})")
    if entry.get("note"):
        parts.append(str(entry["note"]))
    return " ".join(parts)


def target_line(target: Any) -> str:
    unit = target.get("unit") or ""
    text = f"{number(target.get('amount'))} {unit}".strip()
    if target.get("metric"):
        text += f" ({target['metric']})"
    if target.get("by"):
        text += f" by {target['by']}"
    latest, percent = target_progress(target)  # type: ignore[arg-type]
    if latest is not None:
        text += f"; latest {number(latest)}"
        if percent is not None:
            text += f" = {percent:.0f}%"
    return text


def bar(done: int, total: int, width: int = 20) -> str:
    """A text bar like ``███████░░░ 7/10``."""
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


@dataclass
class Summary:
    """Counts per party and status."""

    statuses: list[str]
    closed: set[str]
    parties: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        total = sum(p["total"] for p in self.parties)
        closed = sum(p["closed"] for p in self.parties)
        return {"statuses": self.statuses, "parties": self.parties, "total": total, "closed": closed}

    def rows(self) -> Rows:
        columns = ["party", *self.statuses, "total", "closed"]
        rows = []
        for p in self.parties:
            rows.append(
                [p["party"], *[str(p["counts"].get(s, 0)) for s in self.statuses], str(p["total"]), str(p["closed"])]
            )
        data = self.as_json()
        rows.append(
            [
                "all",
                *[str(sum(p["counts"].get(s, 0) for p in self.parties)) for s in self.statuses],
                str(data["total"]),
                str(data["closed"]),
            ]
        )
        return Rows(columns, rows)


def summary(data: DataFile, vocab: Vocabulary) -> Summary:
    result = Summary(vocab.names, vocab.closed)
    parties = data.get("parties") or {}
    by_party: dict[str, list[Item]] = {pid: [] for pid in parties}
    for item in data.get("demands") or []:
        by_party.setdefault(item["party"], []).append(item)
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


def log_records(
    data: DataFile,
    *,
    since: str | None = None,
    until: str | None = None,
    parties: set[str] | None = None,
    round_id: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Every history entry across items, newest first (file order breaks ties, later first)."""
    found = history(data, since=since, until=until, parties=parties, round_id=round_id)
    found.sort(key=lambda e: (e.entry.get("date", ""), *e.position), reverse=True)
    records = []
    for e in found[:limit] if limit is not None else found:
        record: dict[str, Any] = {"id": e.item["id"], "date": e.entry.get("date", "")}
        for key in ("status", "note", "round"):
            if e.entry.get(key):
                record[key] = e.entry[key]  # type: ignore[literal-required]
        records.append(record)
    return records
