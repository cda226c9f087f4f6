"""Two parties side by side, topic by topic: asks, offers, refusals and conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .escape import md
from .model import DataFile, Item, Vocabulary, conflict_pairs, fold, kind_of, natural_key, vocabulary
from .results import Result

COLUMNS = ("asks", "offers", "refuses")


@dataclass
class Comparison(Result):
    """``compare``: parties ``a`` and ``b`` side by side, one entry of ``topics`` per topic:
    ``{"topic", a: {"asks", "offers", "refuses"}, b: {...}, "conflicts": [[id, id]...]}``,
    each position ``{"id", "title", "status", "kind"}``."""

    a: str
    b: str
    topics: list[dict[str, Any]]
    vocab: Vocabulary

    def as_json(self) -> dict[str, Any]:
        """``{"a", "b", "topics"}``."""
        return {"a": self.a, "b": self.b, "topics": self.topics}

    def markdown(self) -> str:
        """A GitHub table: a row per topic, a column per party and position, then the conflicts."""
        a, b = self.a, self.b
        out = [f"# {md(a)} and {md(b)}: positions by topic", ""]
        header = f"| topic | {md(a)} asks | {md(a)} offers | {md(a)} refuses | {md(b)} asks | {md(b)} offers | {md(b)} refuses | conflicts |"
        out += [header, "|" + "---|" * 8]
        for row in self.topics:
            cells = [md(row["topic"])]
            for pid in (a, b):
                for column in COLUMNS:
                    cells.append(
                        "; ".join(f"{md(e['id'])} {md(e['title'])} ({md(e['status'])})" for e in row[pid][column])
                        or " "
                    )
            cells.append(", ".join(f"**{md(x)} ↔ {md(y)}**" for x, y in row["conflicts"]) or " ")
            out.append("| " + " | ".join(cells) + " |")
        return "\n".join(out) + "\n"


def _entry(item: Item) -> dict[str, Any]:
    return {"id": item["id"], "title": item["title"], "status": item["status"], "kind": kind_of(item)}


def compare(data: DataFile, a: str, b: str, topics: set[str] | None = None) -> Comparison:
    """Per topic, for each party: what it asks of the other, offers, refuses; and conflicts
    (``conflicts-with`` links between an item of A and an item of B)."""
    wanted = {fold(t) for t in topics} if topics else None
    items = [i for i in data.get("demands") or [] if i["party"] in (a, b)]
    by_id = {i["id"].lower(): i for i in items}
    result = Comparison(a, b, [], vocabulary(data))
    names = sorted({(i.get("topic") or "(no topic)") for i in items}, key=str.lower)
    for topic in names:
        if wanted is not None and fold(topic) not in wanted:
            continue
        here = [i for i in items if (i.get("topic") or "(no topic)") == topic]
        sides: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for pid, other in ((a, b), (b, a)):
            mine = sorted((i for i in here if i["party"] == pid), key=lambda i: natural_key(i["id"]))
            sides[pid] = {
                "asks": [_entry(i) for i in mine if kind_of(i) == "demand" and i.get("of") in (other, None)],
                "offers": [_entry(i) for i in mine if kind_of(i) == "concession"],
                "refuses": [_entry(i) for i in mine if kind_of(i) == "red-line"],
            }
        conflicts = [
            sorted((item["id"], other["id"]), key=natural_key)
            for item, other in conflict_pairs(here, by_id)
            if other["party"] != item["party"]
        ]
        result.topics.append({"topic": topic, a: sides[a], b: sides[b], "conflicts": conflicts})
    return result
