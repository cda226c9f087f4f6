"""Select and order items: the filters of ``demands list`` and friends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import UsageError
from .escape import clip
from .model import PRIORITIES, DataFile, Item, Vocabulary, fold, kind_of, natural_key, party_text, raised_by
from .timeline import updated_on
from .validation import suggest

SORT_FIELDS = ("id", "party", "status", "priority", "due", "updated", "kind", "topic", "title")


def resolve_party(data: DataFile, text: str) -> str:
    """The party id for an id, name or alias, compared as people type it (``model.fold``).

    An id wins; else a name or alias that names exactly one party. UsageError when several
    parties answer to it (listing them) or none does (listing the parties).
    """
    wanted = fold(text.strip())
    parties = data.get("parties") or {}
    for pid in parties:
        if fold(pid) == wanted:
            return pid
    matches = [
        pid
        for pid, party in parties.items()
        if wanted in {fold(n) for n in [party.get("name", ""), *(party.get("aliases") or [])] if isinstance(n, str)}
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = clip(", ".join(f"{pid} ({parties[pid].get('name', '')})" for pid in matches))
        return _raise(f"party {text!r} is ambiguous: it names {listed}; give the party id")
    known = clip(", ".join(f"{pid} ({p.get('name', '')})" for pid, p in parties.items()))
    return _raise(f"unknown party {text!r}{suggest(text, list(parties))}; known parties: {known}")


def _raise(message: str) -> str:
    raise UsageError(message)


def resolve_round(data: DataFile, text: str, *, held: bool = False) -> str:
    """The id of the round named ``text`` (any case); UsageError, listing the rounds (the rounds
    held only, with ``held``), if none."""
    from .timeline import round_status

    rounds = [r["id"] for r in data.get("rounds") or []]
    for rid in rounds:
        if fold(rid) == fold(text):
            return rid
    if held:
        rounds = [r["id"] for r in data.get("rounds") or [] if round_status(r) == "held"]
    listed = clip(", ".join(rounds)) or "none"
    return _raise(
        f"unknown round {text!r}{suggest(text, rounds)}; rounds {'held' if held else 'in the file'}: {listed}"
    )


def held_round(data: DataFile, text: str) -> str:
    """The id of the round held named ``text`` (any case); UsageError if there is none, or it is
    planned or cancelled (nothing can have happened in it)."""
    from .timeline import round_status
    from .validation import not_held

    rid = resolve_round(data, text, held=True)
    status = next(round_status(r) for r in data.get("rounds") or [] if r["id"] == rid)
    if status != "held":
        return _raise(not_held(rid, status))
    return rid


def round_start(data: DataFile, text: str) -> tuple[str, str]:
    """(round id, its start date, YYYY-MM-DD) for a round held, named in any case; UsageError if
    none, or it is planned or cancelled."""
    rid = held_round(data, text)
    return rid, next(r["date"] for r in data.get("rounds") or [] if r["id"] == rid)


def check_status(vocab: Vocabulary, status: str) -> str:
    """``status`` as the file names it (any case); UsageError, listing the statuses, if it is none of them."""
    for name in vocab.names:
        if fold(name) == fold(status):
            return name
    return _raise(
        f"unknown status {status!r}{suggest(status, vocab.names)}; valid statuses: {clip(', '.join(vocab.names))}"
    )


def check_choice(what: str, value: str, choices: tuple[str, ...]) -> str:
    """``value`` as one of ``choices`` names it (any case); UsageError naming ``what`` otherwise."""
    if fold(value) in choices:
        return fold(value)
    return _raise(f"unknown {what} {value!r}{suggest(value, choices)}; use one of: {', '.join(choices)}")


@dataclass
class Filters:
    """What ``list`` was asked for: AND across fields, OR within a repeated one. Each list may
    also be given as one string (``parties="us"``); dates are ``YYYY-MM-DD``."""

    parties: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    only_open: bool = False
    only_closed: bool = False
    kinds: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    search: str | None = None
    rounds: list[str] = field(default_factory=list)
    due_before: str | None = None
    overdue: bool = False
    today: str = field(default_factory=lambda: date.today().isoformat())

    def __post_init__(self) -> None:
        """Each list given as a string becomes a list of it; ArgumentTypeError names a field of
        the wrong type (a ``datetime.date`` is taken for ``due_before`` and ``today``)."""
        from .typed import argument, names

        for key in ("parties", "statuses", "kinds", "topics", "tags", "rounds"):
            setattr(self, key, names(argument("names", key, getattr(self, key))))
        for key in ("only_open", "only_closed", "overdue"):
            argument("flag", key, getattr(self, key))
        if self.search is not None:
            argument("text", "search", self.search)
        for key in ("due_before", "today"):
            if getattr(self, key) is not None:
                setattr(self, key, argument("date", key, getattr(self, key)))


def deadline(item: Item) -> str | None:
    """The earliest of an item's due date and its target's date."""
    target: dict[str, Any] = dict(item.get("target") or {})
    dates = [d for d in (item.get("due"), target.get("by")) if d]
    return min(dates) if dates else None


def is_overdue(item: Item, vocab: Vocabulary, today: str) -> bool:
    """Whether the item's deadline (``deadline``) is before ``today`` (YYYY-MM-DD) and it is not closed."""
    when = deadline(item)
    return when is not None and when < today and item.get("status") not in vocab.closed


def _matches_text(item: Item, needle: str) -> bool:
    """Whether ``needle`` (already folded) occurs in the item's id, title, text or notes, folded."""
    fields = [item.get("id", ""), item.get("title", ""), item.get("text") or ""]
    fields += [e.get("note") or "" for e in item.get("history") or []]
    return any(needle in fold(f or "") for f in fields)


def select(data: DataFile, vocab: Vocabulary, filters: Filters) -> list[Item]:
    """The items of ``data`` that pass every filter, in file order."""
    parties = {resolve_party(data, p) for p in filters.parties}
    statuses = {check_status(vocab, s) for s in filters.statuses}
    kinds = {fold(k) for k in filters.kinds}
    topics = {fold(t) for t in filters.topics}
    tags = {fold(t) for t in filters.tags}
    rounds = {resolve_round(data, r) for r in filters.rounds}
    needle = fold(filters.search) if filters.search else None
    closed = vocab.closed
    out = []
    for item in data.get("demands") or []:
        status = item.get("status")
        if parties and not raised_by(item, parties):
            continue
        if statuses and status not in statuses:
            continue
        if filters.only_open and status in closed:
            continue
        if filters.only_closed and status not in closed:
            continue
        if kinds and kind_of(item) not in kinds:
            continue
        if topics and fold(item.get("topic") or "") not in topics:
            continue
        if tags and not tags & {fold(t) for t in item.get("tags") or []}:
            continue
        if rounds and not rounds & {e.get("round") for e in item.get("history") or []}:
            continue
        if needle is not None and not _matches_text(item, needle):
            continue
        if filters.due_before is not None:
            due = item.get("due")
            if not due or due >= filters.due_before:
                continue
        if filters.overdue and not is_overdue(item, vocab, filters.today):
            continue
        out.append(item)
    return out


def sort_items(items: list[Item], by: str, vocab: Vocabulary, reverse: bool = False) -> list[Item]:
    """Items ordered by ``by`` (ids naturally: US-2 before US-10), ties broken by id.

    Items missing the field sort last, in either direction.
    """
    if by not in SORT_FIELDS:
        _raise(f"cannot sort by {by!r}{suggest(by, SORT_FIELDS)}; use one of: {', '.join(SORT_FIELDS)}")
    ordered = sorted(items, key=lambda i: natural_key(i["id"]), reverse=reverse)
    if by == "id":
        return ordered

    def key(item: Item) -> tuple[bool, Any]:
        if by == "status":
            return False, vocab.order(item["status"])
        if by == "priority":
            value = item.get("priority")
            return value is None, PRIORITIES.index(value) if value in PRIORITIES else 0
        if by == "updated":
            updated = updated_on(item)
            return not updated, updated
        if by == "party":
            return False, party_text(item["party"]).lower()
        if by == "kind":  # an item without one is a demand, as everywhere else
            return False, kind_of(item)
        raw = item.get(by)  # type: ignore[misc]
        return raw is None, natural_key(str(raw)) if raw is not None else ()

    present = [i for i in ordered if not key(i)[0]]
    missing = [i for i in ordered if key(i)[0]]
    return sorted(present, key=lambda i: key(i)[1], reverse=reverse) + missing  # type: ignore[arg-type,return-value]
