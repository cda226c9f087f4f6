"""``export``: the whole data set of a file as a result (JSON, CSV rows with every field, one
Markdown document with every field, none shown as a Python repr)."""

from __future__ import annotations

from pathlib import Path

from .escape import md
from .formats import Rows, number, to_markdown
from .model import DataFile, Item
from .results import Result
from .views import LIST_COLUMNS, field_text, history_line, list_rows


class ExportDocument(Result):
    """``export``: the whole data set of the file at ``path``."""

    def __init__(self, data: DataFile, path: Path) -> None:
        self.data = data
        self.path = path

    def as_json(self) -> DataFile:
        """The whole file as plain data (``parties``, ``rounds``, ``demands``...)."""
        return self.data

    def csv_rows(self) -> Rows:
        """One row per item, every field of the file (nested ones as dotted columns, lists in a
        form ``import`` reads back: ``flat.rows``)."""
        from .flat import rows

        return rows(self.data.get("demands") or [])

    def markdown(self) -> str:
        """The whole data set as one Markdown document: its description, parties, rounds, the
        statuses it declares, then every item; every field of the file, none as a Python repr."""
        data = self.data
        out = [f"# {md(data.get('title') or 'Demands')}", ""]
        if data.get("description"):
            out += [md(data["description"]), ""]
        parties = data.get("parties") or {}
        rows = Rows(["id", "name", "aliases", "lead"], [])
        described = any(isinstance(p, dict) and p.get("description") for p in parties.values())
        if described:
            rows.columns.append("description")
        for pid, party in parties.items():
            row = [pid, party.get("name", ""), ", ".join(party.get("aliases") or []), party.get("lead") or ""]
            rows.rows.append([field_text(v) for v in row + ([party.get("description")] if described else [])])
        out += ["## Parties", "", to_markdown(rows)]
        rounds = data.get("rounds") or []
        if rounds:
            rrows = Rows(["id", "date", "end", "place", "outcome"], [])
            for rnd in rounds:
                rrows.rows.append([field_text(rnd.get(k)) for k in rrows.columns])
            if any(rnd.get("status") not in (None, "held") for rnd in rounds):  # a plan never reads as held
                rrows.columns.append("status")
                for row, rnd in zip(rrows.rows, rounds, strict=True):
                    row.append(" ".join(str(rnd[k]) for k in ("status", "likelihood") if rnd.get(k)) or "held")
            for key in ("parties", "note", "source"):  # the columns only a plan (or a few) fills
                if any(rnd.get(key) for rnd in rounds):
                    rrows.columns.append(key)
                    for row, rnd in zip(rrows.rows, rounds, strict=True):
                        row.append(field_text(rnd.get(key)))
            out += ["## Rounds", "", to_markdown(rrows)]
        statuses = data.get("statuses") or []
        if statuses:
            srows = Rows(["name", "closed", "description"], [])
            for status in statuses:
                closed = status.get("closed") if isinstance(status, dict) else None
                srows.rows.append(
                    [field_text(status.get("name")), "yes" if closed else "no", field_text(status.get("description"))]
                )
            out += ["## Statuses", "", to_markdown(srows)]
        items = data.get("demands") or []
        out += ["## Items", "", to_markdown(list_rows(items))]
        details = [section for item in items for section in item_markdown(item)]
        if details:
            out += ["## Every field", "", *details]
        return "\n".join(out)


def item_markdown(item: Item) -> list[str]:
    """The fields of ``item`` the items table leaves out (text, tags, target, source, links,
    history...: every one the model has), as a Markdown heading and a table of field and value
    (a row per entry of a list); [] when there are none."""
    from .flat import columns, path_of, value_at

    shown = set(LIST_COLUMNS)
    rows: list[list[str]] = []
    for column in columns([item]):
        if column in shown:
            continue
        value = value_at(item, path_of(column))
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for entry in value:
                if set(entry) == {"rel", "id"}:
                    rows.append([column, f"{entry['rel']} {entry['id']}"])
                    continue
                said = {"date", "status", "round", "note", "source"} if column == "history" else set()
                parts = [str(entry.get("date", "")), history_line(entry)] if said else []
                parts += [f"{key}: {field_text(val)}" for key, val in entry.items() if key not in said]
                rows.append([column, " ".join(part for part in parts if part)])
        else:
            text = number(value) if column.endswith("amount") else field_text(value)
            rows.append([column, text])
    if not rows:
        return []
    return [f"### {md(item['id'])}: {md(item['title'])}", "", to_markdown(Rows(["field", "value"], rows))]
