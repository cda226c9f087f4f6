"""Markdown documents: the export of the whole data set (and the brief)."""

from __future__ import annotations

from .escape import md
from .formats import Rows, to_markdown
from .model import DataFile
from .views import list_rows


def export_markdown(data: DataFile) -> str:
    """The whole data set as one Markdown document: parties, rounds, then every item."""
    out = [f"# {md(data.get('title') or 'Demands')}", ""]
    parties = data.get("parties") or {}
    rows = Rows(["id", "name", "aliases", "lead"], [])
    for pid, party in parties.items():
        rows.rows.append([pid, party.get("name", ""), ", ".join(party.get("aliases") or []), party.get("lead") or ""])
    out += ["## Parties", "", to_markdown(rows)]
    rounds = data.get("rounds") or []
    if rounds:
        rrows = Rows(["id", "date", "end", "place", "outcome"], [])
        for rnd in rounds:
            rrows.rows.append(
                [rnd["id"], rnd["date"], rnd.get("end") or "", rnd.get("place") or "", rnd.get("outcome") or ""]
            )
        out += ["## Rounds", "", to_markdown(rrows)]
    out += ["## Items", "", to_markdown(list_rows(data.get("demands") or []))]
    return "\n".join(out)
