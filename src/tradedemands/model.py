"""The data of a demands file: its shape, its vocabularies, and pure questions about it.

The file's mappings are kept as they load (dicts in file order), typed here as
TypedDicts so that JSON output carries every field of the file unrenamed. No I/O.
"""

import re
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

if sys.version_info >= (3, 11):
    from typing import Required, TypedDict
else:  # pragma: no cover - typing.TypedDict of 3.10 does not know Required
    from typing_extensions import Required, TypedDict

Kind = Literal["demand", "concession", "red-line"]
Priority = Literal["high", "medium", "low"]
Rel = Literal["responds-to", "conflicts-with", "conditional-on", "related"]

KINDS: tuple[str, ...] = ("demand", "concession", "red-line")
PRIORITIES: tuple[str, ...] = ("high", "medium", "low")
RELS: tuple[str, ...] = ("responds-to", "conflicts-with", "conditional-on", "related")
#: Reading a link from the other end: "A responds-to B" shows on B as "responded to by A".
INVERSE_REL = {
    "responds-to": "responded-to-by",
    "conflicts-with": "conflicts-with",
    "conditional-on": "condition-of",
    "related": "related",
}


class Party(TypedDict, total=False):
    name: Required[str]
    aliases: list[str]
    lead: str
    description: str


class Round(TypedDict, total=False):
    id: Required[str]
    date: Required[str]
    end: str
    place: str
    outcome: str
    parties: list[str]
    note: str


class StatusDef(TypedDict, total=False):
    name: Required[str]
    closed: bool
    description: str


class Link(TypedDict):
    rel: Rel
    id: str


class Source(TypedDict, total=False):
    doc: str
    quote: str
    date: str
    url: str


class Measurement(TypedDict, total=False):
    date: Required[str]
    amount: Required[float]
    note: str
    source: str


class Target(TypedDict, total=False):
    amount: Required[float]
    unit: str
    by: str
    metric: str
    baseline: float
    progress: list[Measurement]


class HistoryEntry(TypedDict, total=False):
    date: Required[str]
    status: str
    round: str
    note: str
    by: str


class Item(TypedDict, total=False):
    id: Required[str]
    party: Required[str]
    of: str
    kind: Kind
    title: Required[str]
    text: str
    topic: str
    tags: list[str]
    priority: Priority
    status: Required[str]
    due: str
    target: Target
    source: Source
    links: list[Link]
    history: list[HistoryEntry]


class DataFile(TypedDict, total=False):
    version: int
    title: str
    description: str
    parties: Required[dict[str, Party]]
    rounds: list[Round]
    statuses: list[StatusDef]
    demands: list[Item]


DEFAULT_STATUSES: tuple[StatusDef, ...] = (
    {"name": "open", "closed": False, "description": "tabled, no movement yet"},
    {"name": "discussing", "closed": False, "description": "under negotiation"},
    {"name": "agreed", "closed": False, "description": "agreed in principle, not yet delivered"},
    {"name": "partial", "closed": False, "description": "partly met or partly agreed"},
    {"name": "met", "closed": True, "description": "delivered"},
    {"name": "rejected", "closed": True, "description": "refused by the other side"},
    {"name": "withdrawn", "closed": True, "description": "dropped by the side that raised it"},
)

ITEM_FIELDS: tuple[str, ...] = tuple(Item.__annotations__)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NATURAL = re.compile(r"(\d+)")


def parse_date(value: str) -> date | None:
    """``YYYY-MM-DD`` as a date, or None when it is not one."""
    if not isinstance(value, str) or not DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders US-2 before US-10, case-insensitively."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in _NATURAL.split(text))


@dataclass
class Vocabulary:
    """The statuses a file may use, in order, and which of them are closed."""

    statuses: list[StatusDef] = field(default_factory=lambda: [dict(s) for s in DEFAULT_STATUSES])  # type: ignore[misc]

    @property
    def names(self) -> list[str]:
        return [s["name"] for s in self.statuses]

    @property
    def closed(self) -> set[str]:
        return {s["name"] for s in self.statuses if s.get("closed")}

    def order(self, status: str) -> int:
        names = self.names
        return names.index(status) if status in names else len(names)


def vocabulary(data: DataFile) -> Vocabulary:
    declared = data.get("statuses")
    return Vocabulary(list(declared)) if declared else Vocabulary()


def last_status(item: Item, until: str | None = None) -> str | None:
    """The status set by the last history entry (dated on or before ``until`` if given)."""
    for entry in reversed(item.get("history") or []):
        if until is not None and entry.get("date", "") > until:
            continue
        if entry.get("status"):
            return entry["status"]
    return None


def raised_on(item: Item) -> str | None:
    """The date an item first appears: its first history entry, else its source date."""
    dates = [e["date"] for e in item.get("history") or [] if e.get("date")]
    if dates:
        return min(dates)
    source = item.get("source") or {}
    return source.get("date")


def updated_on(item: Item) -> str:
    dates = [e["date"] for e in item.get("history") or [] if e.get("date")]
    return max(dates) if dates else ""


def as_of(data: DataFile, when: str) -> DataFile:
    """The data set as it stood on ``when``: later items hidden, statuses and history as they were."""
    items: list[Item] = []
    for item in data.get("demands") or []:
        first = raised_on(item)
        if first is not None and first > when:
            continue
        past: Item = dict(item)  # type: ignore[assignment]
        history = [e for e in item.get("history") or [] if e.get("date", "") <= when]
        if "history" in item:
            past["history"] = history
        status = last_status(past)
        if status is not None:
            past["status"] = status
        target = item.get("target")
        if target and "progress" in target:
            past["target"] = dict(target)  # type: ignore[typeddict-item]
            past["target"]["progress"] = [m for m in target["progress"] if m.get("date", "") <= when]
        items.append(past)
    result: DataFile = dict(data)  # type: ignore[assignment]
    result["demands"] = items
    if "rounds" in data:
        result["rounds"] = [r for r in data["rounds"] if r.get("date", "") <= when]
    return result


def target_progress(target: Target) -> tuple[float | None, float | None]:
    """(latest measured amount, percent of target), each None when unknown."""
    progress = target.get("progress") or []
    if not progress:
        return None, None
    latest = max(progress, key=lambda m: m.get("date", ""))
    amount = latest.get("amount")
    goal = target.get("amount")
    if not isinstance(amount, (int, float)) or not isinstance(goal, (int, float)):
        return None, None
    baseline = target.get("baseline", 0) or 0
    span = goal - baseline
    if span == 0:
        return amount, None
    return amount, 100.0 * (amount - baseline) / span
