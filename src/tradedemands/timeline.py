"""The dated record: every answer by date, never by position in the file.

An item's ``history`` (and a target's ``progress``) is its dated timeline: entries in date
order, entries of one date in the order they were written. An item's status is that of its
latest-dated entry that sets one; ``as_of_state`` rebuilds the whole data set as it stood
on a date; ``history`` lists entries across items, each with the status before it, for
``log`` and the brief's changes. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .model import DataFile, HistoryEntry, Item, Round, by_date, date_of, raised_by


def place_by_date(entries: list[Any] | None, when: str) -> int:
    """Where an entry dated ``when`` (YYYY-MM-DD) goes in a dated list: after every entry
    dated on or before it, so that equal dates keep the order they were written in."""
    position = 0
    for n, entry in enumerate(entries or []):
        if date_of(entry) <= when:
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
        when = date_of(entry)
        if when < previous:
            return n
        previous = max(previous, when)
    return None


def latest_status_entry(item: Item, until: str | None = None) -> HistoryEntry | None:
    """The latest-dated history entry that sets a status (of equal dates, the one written
    last); ``until`` (YYYY-MM-DD) leaves out entries dated after it."""
    found: HistoryEntry | None = None
    for entry in by_date(item.get("history")):
        if until is not None and date_of(entry) > until:
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
    """The date of the item's latest history entry (YYYY-MM-DD; "" when it has none)."""
    dates = [e["date"] for e in item.get("history") or [] if e.get("date")]
    return max(dates) if dates else ""


def round_status(rnd: Round) -> str:
    """A round's status: ``held`` unless it says ``planned`` or ``cancelled``."""
    return rnd.get("status") or "held"


def rounds_held(data: DataFile, until: str | None = None) -> list[Round]:
    """The rounds held (not planned, not cancelled), by start date (of one date, in file order);
    ``until`` (YYYY-MM-DD) keeps those that began on or before it."""
    held = [r for r in data.get("rounds") or [] if round_status(r) == "held"]
    return sorted((r for r in held if until is None or r["date"] <= until), key=lambda r: r["date"])


def last_round_held(data: DataFile, until: str | date | None = None) -> Round | None:
    """The latest round held: the one that began last (on or before ``until``, YYYY-MM-DD, when
    given; of rounds that began the same day, the last in the file). Its ``date`` is what
    ``--since last-round`` means. None when no round was held. Planned and cancelled rounds
    never count: a round is held unless its ``status`` says otherwise. ``until`` may be a
    ``datetime.date``; ArgumentTypeError when ``data`` is not a file's data (a dict, as
    ``load(...).data``) or ``until`` is neither text nor a date."""
    from .typed import argument, argument_error

    if not isinstance(data, dict):
        raise argument_error("data", "a demands file's data (a dict, as load(...).data)", data)
    when: str | None = argument("date", "until", until) if until is not None else None
    held = rounds_held(data, when)
    return held[-1] if held else None


def rounds_ahead(data: DataFile) -> list[Round]:
    """The planned rounds, by date (a month, YYYY-MM, sorts before the days of that month):
    the next steps."""
    return sorted((r for r in data.get("rounds") or [] if round_status(r) == "planned"), key=lambda r: r["date"])


def as_of_state(data: DataFile, when: str, *, before: bool = False) -> tuple[DataFile, list[str]]:
    """The data set as it stood on ``when`` (YYYY-MM-DD), rebuilt from the dated record, and the
    ids of the items left out because nothing in the file dates them.

    An item is on the table from its first history entry that sets a status (items raised
    later are hidden); its status is that of the latest-dated such entry on or before
    ``when``. An item whose history sets no status takes its ``status`` from its source
    date; with no source date either it is left out, and its id listed. History, target
    measurements and rounds held after ``when`` are dropped; a planned or cancelled round is
    kept unless its ``source`` is dated after ``when`` (a plan is known from when it was
    reported; its own date is when it is expected). ``before``: the state just before
    ``when`` (entries dated on ``when`` left out too), as ``diff --since`` needs.
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
        result["rounds"] = [
            r
            for r in data["rounds"]
            if (within(r.get("date")) if round_status(r) == "held" else within((r.get("source") or {}).get("date", "")))
        ]
    return result, undated


def as_of(data: DataFile, when: str) -> DataFile:
    """The data set as it stood on ``when`` (YYYY-MM-DD); see ``as_of_state``, which also
    says which items it had to leave out."""
    return as_of_state(data, when)[0]


def status_in_effect(item: Item, date: str) -> str | None:
    """The status an item had on ``date`` (YYYY-MM-DD) by its history: that of the latest-dated
    entry on or before it that sets one; an item whose history sets no status has its ``status``
    throughout; None before its first status."""
    history = item.get("history") or []
    if not any(e.get("status") for e in history):
        return item.get("status")
    return last_status(item, until=date)


class Entry:
    """One history entry of one item, with what a reader of a timeline needs around it: the
    ``item``, the ``entry``, the item's status before it (``previous``, None before its first
    status), and where both sit in the file (``position``: item index, entry index).

    A plain class: a dataclass costs a fifth of a millisecond at import, on every command.
    """

    __slots__ = ("entry", "item", "position", "previous")

    def __init__(self, item: Item, entry: HistoryEntry, previous: str | None, position: tuple[int, int]) -> None:
        self.item = item
        self.entry = entry
        self.previous = previous
        self.position = position


def history(
    data: DataFile,
    *,
    since: str | None = None,
    until: str | None = None,
    parties: set[str] | None = None,
    round_id: str | None = None,
) -> list[Entry]:
    """Every history entry across items, item by item in file order, each item's in date order.

    ``since``/``until`` (YYYY-MM-DD) keep the entries dated on or after / on or before them;
    ``parties`` the items those parties raised (an agreement: any party to it); ``round_id`` the entries of that round. Each
    entry carries the status its item had before it, read from all of its history.
    """
    found = []
    for n, item in enumerate(data.get("demands") or []):
        if parties and not raised_by(item, parties):
            continue
        previous = None
        for k, entry in sorted(enumerate(item.get("history") or []), key=lambda pair: date_of(pair[1])):
            when = entry.get("date", "")
            wanted = not (since and when < since) and not (until and when > until)
            if wanted and (not round_id or entry.get("round") == round_id):
                found.append(Entry(item, entry, previous, (n, k)))
            if entry.get("status"):
                previous = entry["status"]
    return found
