"""Two parties side by side, topic by topic: asks, offers, refusals, agreements and conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .escape import md
from .model import (
    DataFile,
    Item,
    Vocabulary,
    conflict_pairs,
    fold,
    kind_of,
    natural_key,
    parties_of,
    party_text,
    raised_by,
    vocabulary,
)
from .results import Result

COLUMNS = ("asks", "offers", "refuses")


@dataclass
class Comparison(Result):
    """``compare``: parties ``a`` and ``b`` side by side, one entry of ``topics`` per topic:
    ``{"topic", a: {"asks", "offers", "refuses"}, b: {...}, "agreed": [...], "conflicts":
    [[id, id]...]}``, each position ``{"id", "title", "status", "kind"}``; ``agreed`` holds the
    agreements either party is a party to, each also with its ``party`` list."""

    a: str
    b: str
    topics: list[dict[str, Any]]
    vocab: Vocabulary

    def as_json(self) -> dict[str, Any]:
        """``{"a", "b", "topics"}``."""
        return {"a": self.a, "b": self.b, "topics": self.topics}

    def markdown(self) -> str:
        """A GitHub table: a row per topic, a column per party and position, the agreements
        (when there are any), then the conflicts."""
        a, b = self.a, self.b
        agreed = any(row["agreed"] for row in self.topics)
        out = [f"# {md(a)} and {md(b)}: positions by topic", ""]
        header = f"| topic | {md(a)} asks | {md(a)} offers | {md(a)} refuses | {md(b)} asks | {md(b)} offers | {md(b)} refuses |"
        header += " agreed | conflicts |" if agreed else " conflicts |"
        out += [header, "|" + "---|" * (9 if agreed else 8)]
        for row in self.topics:
            cells = [md(row["topic"])]
            for pid in (a, b):
                for column in COLUMNS:
                    cells.append(
                        "; ".join(f"{md(e['id'])} {md(e['title'])} ({md(e['status'])})" for e in row[pid][column])
                        or " "
                    )
            if agreed:
                cells.append("; ".join(agreement_text(e, a, b, md) for e in row["agreed"]) or " ")
            cells.append(", ".join(f"**{md(x)} ↔ {md(y)}**" for x, y in row["conflicts"]) or " ")
            out.append("| " + " | ".join(cells) + " |")
        return "\n".join(out) + "\n"


def agreement_text(entry: dict[str, Any], a: str, b: str, escape: Any = str) -> str:
    """An agreement as ``compare`` shows it: ``US-CN-1 title (agreed)``, with its parties when
    they are not exactly the two compared: ``(agreed, us;eu)``."""
    status = escape(entry["status"])
    if set(entry["party"]) != {a, b}:
        status += f", {escape(party_text(entry['party']))}"
    return f"{escape(entry['id'])} {escape(entry['title'])} ({status})"


def _entry(item: Item) -> dict[str, Any]:
    return {"id": item["id"], "title": item["title"], "status": item["status"], "kind": kind_of(item)}


def compare(data: DataFile, a: str, b: str, topics: set[str] | None = None) -> Comparison:
    """Per topic, for each party: what it asks of the other, offers, refuses; the agreements
    either is a party to; and conflicts (``conflicts-with`` links between positions of
    different parties)."""
    wanted = {fold(t) for t in topics} if topics else None
    items = [i for i in data.get("demands") or [] if raised_by(i, {a, b})]
    by_id = {i["id"].lower(): i for i in items}
    result = Comparison(a, b, [], vocabulary(data))
    names = sorted({(i.get("topic") or "(no topic)") for i in items}, key=str.lower)
    for topic in names:
        if wanted is not None and fold(topic) not in wanted:
            continue
        here = sorted(
            (i for i in items if (i.get("topic") or "(no topic)") == topic), key=lambda i: natural_key(i["id"])
        )
        sides: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for pid, other in ((a, b), (b, a)):
            mine = [i for i in here if pid in parties_of(i)]
            sides[pid] = {
                "asks": [_entry(i) for i in mine if kind_of(i) == "demand" and i.get("of") in (other, None)],
                "offers": [_entry(i) for i in mine if kind_of(i) == "concession"],
                "refuses": [_entry(i) for i in mine if kind_of(i) == "red-line"],
            }
        agreed = [{**_entry(i), "party": parties_of(i)} for i in here if kind_of(i) == "agreement"]
        conflicts = [
            sorted((item["id"], other["id"]), key=natural_key)
            for item, other in conflict_pairs(here, by_id)
            if set(parties_of(other)) != set(parties_of(item))
        ]
        result.topics.append({"topic": topic, a: sides[a], b: sides[b], "agreed": agreed, "conflicts": conflicts})
    return result
