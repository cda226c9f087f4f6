"""The data of a demands file: its shape, its vocabularies, and pure questions about it.

The file's mappings are kept as they load (dicts in file order), typed here as
TypedDicts so that JSON output carries every field of the file unrenamed. No I/O.
"""

import math
import re
import sys
import unicodedata
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


#: Curly quotes, primes and the modifier-letter apostrophe, read as the straight quote people type.
_QUOTES = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    }
)


def fold(text: str) -> str:
    """``text`` as compared when matching what people type: Unicode NFC, case folded, curly
    quotes and apostrophes as straight ones. ``Côte d’Ivoire`` (in NFC or NFD) folds like
    ``CÔTE D'IVOIRE``. Search, item ids, party ids, names and aliases, statuses, topics,
    tags and round ids are all compared through this one function."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text.translate(_QUOTES)).casefold())


def plain(text: str) -> str:
    """``text`` as a source quote is compared with its document: Unicode NFC, curly quotes and
    apostrophes as straight ones, case kept (a quote is verbatim: ``Beijing`` is not ``beijing``)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text.translate(_QUOTES))


#: Amounts are below this in magnitude (SPEC §2), with at most MAX_DIGITS significant digits.
AMOUNT_LIMIT = 10**18
MAX_DIGITS = 18
_DIGITS = re.compile(r"^[-+]?(\d*)\.?(\d*)(?:[eE][-+]?\d+)?$")


def significant_digits(written: str) -> int | None:
    """How many significant digits a plain decimal number has as written (``0.0150`` has 2,
    ``200000000000`` has 1); None when ``written`` is not such a number."""
    match = _DIGITS.match(written.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    return len((match.group(1) + match.group(2)).strip("0")) or 1


def amount_problem(value: Any, written: str | None = None) -> str | None:
    """Why ``value`` is not an amount the format allows, or None when it is one.

    Amounts are finite numbers below 1e18 in magnitude with at most 18 significant digits
    (of ``written``, the number as typed or as it stands in the file, when given). The
    message never repeats more than a few characters of what was written.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "not a number"
    if written is None and isinstance(value, int) and value.bit_length() > 80:
        shown = f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    else:
        shown = written.strip() if written is not None else repr(value)
        if len(shown) > 24:
            bare = shown.lstrip("+-")
            shown = f"a {len(bare)}-digit number" if bare.isdigit() else f"a number {len(shown)} characters long"
    if isinstance(value, float) and not math.isfinite(value):
        if math.isinf(value) and written is not None and significant_digits(written) is not None:
            return f"{shown} is out of range: amounts are below 1e18 in magnitude"
        return f"{shown} is not a finite number"
    if abs(value) >= AMOUNT_LIMIT:
        return f"{shown} is out of range: amounts are below 1e18 in magnitude"
    digits = significant_digits(written) if written is not None else None
    if digits is None and isinstance(value, float):
        digits = significant_digits(repr(value))
    if digits is not None and digits > MAX_DIGITS:
        return f"{shown} has {digits} significant digits: amounts have at most {MAX_DIGITS}"
    return None


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


def _date_of(entry: Any) -> str:
    """An entry's date for ordering (a missing or odd one sorts first)."""
    when = entry.get("date") if isinstance(entry, dict) else None
    return when if isinstance(when, str) else ""


def timeline(entries: list[Any] | None) -> list[Any]:
    """History entries (or target measurements) in date order; equal dates keep file order.

    A valid file keeps them so already (``validate`` checks it); readers sort anyway, so
    that every answer is by date, never by position in the file.
    """
    return sorted(entries or [], key=_date_of)


def place_by_date(entries: list[Any] | None, when: str) -> int:
    """Where an entry dated ``when`` (YYYY-MM-DD) goes in a dated list: after every entry
    dated on or before it, so that equal dates keep the order they were written in."""
    position = 0
    for n, entry in enumerate(entries or []):
        if _date_of(entry) <= when:
            position = n + 1
    return position


def entries_added(before: list[Any], after: list[Any]) -> list[int] | None:
    """The positions in ``after`` of the entries it adds to ``before`` (anywhere: a back-dated
    entry sits in its place by date), or None when ``after`` also changed or dropped some of
    ``before``'s entries."""
    added = []
    n = 0
    for j, entry in enumerate(after):
        if n < len(before) and entry == before[n]:
            n += 1
        else:
            added.append(j)
    return added if n == len(before) else None


def out_of_order(entries: list[Any] | None) -> int | None:
    """The index of the first entry dated before the one above it, or None when in date order."""
    previous = ""
    for n, entry in enumerate(entries or []):
        when = _date_of(entry)
        if when < previous:
            return n
        previous = max(previous, when)
    return None


def latest_status_entry(item: Item, until: str | None = None) -> HistoryEntry | None:
    """The latest-dated history entry that sets a status (of equal dates, the one written
    last); ``until`` (YYYY-MM-DD) leaves out entries dated after it."""
    found: HistoryEntry | None = None
    for entry in timeline(item.get("history")):
        if until is not None and _date_of(entry) > until:
            break
        if entry.get("status"):
            found = entry
    return found


def last_status(item: Item, until: str | None = None) -> str | None:
    """The status set by the latest-dated history entry that sets one (dated on or before
    ``until`` if given); of entries on the same date, the one written last counts."""
    entry = latest_status_entry(item, until)
    return entry["status"] if entry is not None else None


def raised_on(item: Item) -> str | None:
    """The date an item is first on record with a status: its earliest history entry that
    sets one; with none, its source date; None when nothing in the file dates it."""
    dates = [e["date"] for e in item.get("history") or [] if e.get("status") and e.get("date")]
    if dates:
        return min(dates)
    source = item.get("source") or {}
    return source.get("date")


def updated_on(item: Item) -> str:
    dates = [e["date"] for e in item.get("history") or [] if e.get("date")]
    return max(dates) if dates else ""


def as_of_state(data: DataFile, when: str, *, before: bool = False) -> tuple[DataFile, list[str]]:
    """The data set as it stood on ``when`` (YYYY-MM-DD), rebuilt from the dated record, and the
    ids of the items left out because nothing in the file dates them.

    An item is on the table from its first history entry that sets a status (items raised
    later are hidden); its status is that of the latest-dated such entry on or before
    ``when``. An item whose history sets no status takes its ``status`` from its source
    date; with no source date either it is left out, and its id listed. History, target
    measurements and rounds dated after ``when`` are dropped. ``before``: the state just
    before ``when`` (entries dated on ``when`` left out too), as ``diff --since`` needs.
    """

    def within(value: Any) -> bool:
        text = value if isinstance(value, str) else ""
        return text < when if before else text <= when

    items: list[Item] = []
    undated: list[str] = []
    for item in data.get("demands") or []:
        first = raised_on(item)
        if first is None:
            undated.append(item["id"])
            continue
        if not within(first):
            continue
        past: Item = dict(item)  # type: ignore[assignment]
        if "history" in item:
            past["history"] = [e for e in item.get("history") or [] if within(e.get("date"))]
        latest = latest_status_entry(past)
        if latest is not None:
            past["status"] = latest["status"]
        target = item.get("target")
        if target and "progress" in target:
            past["target"] = dict(target)  # type: ignore[typeddict-item]
            past["target"]["progress"] = [m for m in target["progress"] if within(m.get("date"))]
        items.append(past)
    result: DataFile = dict(data)  # type: ignore[assignment]
    result["demands"] = items
    if "rounds" in data:
        result["rounds"] = [r for r in data["rounds"] if within(r.get("date"))]
    return result, undated


def as_of(data: DataFile, when: str) -> DataFile:
    """The data set as it stood on ``when`` (YYYY-MM-DD); see ``as_of_state``, which also
    says which items it had to leave out."""
    return as_of_state(data, when)[0]


def percent_of(amount: float, goal: float, baseline: float = 0) -> float | None:
    """How far ``amount`` has come from ``baseline`` toward ``goal``, in percent (0-100 on
    the way, above 100 past it); None when the goal equals the baseline, or when the result
    is beyond 1e15 either way (a goal a hair's breadth from its baseline: no meaningful
    percent, and beyond what a float can hold it would be infinite)."""
    try:
        span = goal - baseline
        if span == 0:
            return None
        percent = 100.0 * (amount - baseline) / span
    except (OverflowError, ZeroDivisionError, TypeError):
        return None
    return percent if math.isfinite(percent) and abs(percent) <= PERCENT_LIMIT else None


#: Percentages beyond this either way are not shown (see ``percent_of``).
PERCENT_LIMIT = 1e15


def target_progress(target: Target) -> tuple[float | None, float | None]:
    """(latest-dated measured amount, percent of target), each None when unknown.

    Of measurements on the same date, the one written last counts.
    """
    progress = timeline(target.get("progress"))
    if not progress:
        return None, None
    amount = progress[-1].get("amount")
    goal = target.get("amount")
    if not isinstance(amount, (int, float)) or not isinstance(goal, (int, float)):
        return None, None
    baseline = target.get("baseline", 0) or 0
    return amount, percent_of(amount, goal, baseline)
