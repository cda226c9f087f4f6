"""The change each write command makes to a loaded document, and what it changed.

Each function takes the loaded Document and an Editor, records its change in the editor
(both as intended data and as text splices) and returns what changed as data (ids, old
and new status...); the words are the caller's. ``transaction.transact`` runs them under
the lock and checks the result; ``write`` runs them on a file's path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .document import Document
from .editor import Editor
from .errors import OPTION, DemandsError, UsageError
from .model import (
    KINDS,
    PRIORITIES,
    RELS,
    Item,
    amount_problem,
    by_date,
    id_prefix,
    natural_key,
    party_ids,
    target_percent,
)
from .query import check_choice, check_status, held_round, resolve_party
from .timeline import last_status, latest_status_entry, place_by_date, status_in_effect


def _check_note(note: str | None) -> None:
    """A note given must say something (``validate`` refuses an empty one): UsageError."""
    if note is not None and not note.strip():
        raise UsageError(f"{OPTION} is empty; leave it out or say what happened", option="note", said="the note")


def _check_tags(tags: list[str], option: str) -> None:
    """Every tag given must hold text (``validate`` refuses a blank one): UsageError."""
    if any(not tag.strip() for tag in tags):
        raise UsageError(f"{OPTION} holds an empty tag; give each tag some text", option=option, said="a tag list")


def _history_entry(
    date: str, status: str | None, note: str | None, round_id: str | None, source: dict[str, str] | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": date}
    if status is not None:
        entry["status"] = status
    if round_id:
        entry["round"] = round_id
    if note:
        entry["note"] = note
    if source:
        entry["source"] = dict(source)
    return entry


@dataclass(frozen=True)
class StatusChange:
    """What ``mark`` did to one item: ``status`` recorded on ``date`` (YYYY-MM-DD); its status
    was ``old`` and is ``new`` (the latest-dated one: ``status``, unless the entry went before a
    later change, set on ``set_on``). ``changed`` is False when the item already had ``status``
    on ``date`` (nothing written); ``later``: how many later-dated entries the new one went before."""

    id: str
    status: str
    date: str
    old: str
    new: str
    changed: bool = True
    later: int = 0
    set_on: str | None = None


@dataclass(frozen=True)
class Noted:
    """``note``: a note added to item ``id``, before ``later`` later-dated entries."""

    id: str
    later: int = 0


@dataclass(frozen=True)
class Edited:
    """``edit``: the fields of item ``id`` that ``changed``, in order (``tags`` for the tags);
    those among them that were ``removed``. Nothing changed when ``changed`` is empty."""

    id: str
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Linked:
    """``link``: item ``id`` now ``rel`` item ``other``; ``added`` is False when it did already."""

    id: str
    rel: str
    other: str
    added: bool = True


@dataclass(frozen=True)
class Unlinked:
    """``unlink``: the links from item ``id`` to item ``other`` are gone."""

    id: str
    other: str


@dataclass(frozen=True)
class Removed:
    """``remove``: item ``id`` is gone, and the links to it from the items ``linkers``."""

    id: str
    linkers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TargetSet:
    """``set_target``: item ``id``'s target was ``created``, or its fields ``changed`` (none:
    nothing changed)."""

    id: str
    created: bool = False
    changed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProgressRecorded:
    """``record_progress``: ``amount`` measured for item ``id``, ``percent`` of its target (0-100
    on the way; None when unknown). ``current``: the later-dated measurement that stays the
    current one (``{"date", "amount", ...}``), when this one went before it."""

    id: str
    amount: float
    percent: float | None = None
    current: dict[str, Any] | None = None


def _round(doc: Document, round_id: str | None) -> str | None:
    """The round held a change happened in (``query.held_round``), or None."""
    return held_round(doc.data, round_id) if round_id else None


def next_id(doc: Document, party: str | list[str]) -> str:
    """``<PARTY>-<n>``: n one more than the highest used for that party; for an item several
    parties raise (an agreement), ``<P1>-<P2>-<n>``, the parties in the order the file declares
    them (``model.id_prefix``): ``US-CN-1``."""
    prefix = id_prefix(party_ids(party), list(doc.data.get("parties") or {}))
    pattern = re.compile(re.escape(prefix) + r"(\d+)$", re.IGNORECASE)
    highest = 0
    for item in doc.items:
        match = pattern.match(item["id"])
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}{highest + 1}"


def add(
    doc: Document,
    editor: Editor,
    *,
    party: str | list[str],
    title: str,
    date: str,
    kind: str | None = None,
    of: str | None = None,
    text: str | None = None,
    topic: str | None = None,
    tags: list[str] | None = None,
    priority: str | None = None,
    due: str | None = None,
    status: str | None = None,
    item_id: str | None = None,
    source_doc: str | None = None,
    source_quote: str | None = None,
    round_id: str | None = None,
) -> str:
    """Add an item raised by ``party`` (one party, or several: the parties to an agreement);
    returns its id: ``item_id``, or ``<PARTY>-<n>`` with n one more than the highest the party
    uses (``next_id``). ``kind`` defaults to ``demand`` for one party, ``agreement`` for several;
    an agreement needs two or more parties. Its history starts with ``status`` (default: the
    first status; ``agreed`` for an agreement) on ``date`` (YYYY-MM-DD). Raises UsageError (an empty title, a bad or taken
    id, an unknown party, kind, priority, status or round, an agreement of one party)."""
    named = [party] if isinstance(party, str) else list(party)
    if not named:
        raise UsageError(f"name who raises it with {OPTION}", option="party", said="party")
    declared = list(doc.data.get("parties") or {})
    order = {p: n for n, p in enumerate(declared)}
    pids = sorted(dict.fromkeys(resolve_party(doc.data, p) for p in named), key=lambda p: order.get(p, len(order)))
    kind_name = check_choice("kind", kind, KINDS) if kind else ("agreement" if len(pids) > 1 else "demand")
    if kind_name == "agreement" and len(pids) < 2:
        raise UsageError(
            f"an agreement is a position two or more parties share: name each with {OPTION}",
            option="party",
            said="party=[...]",
        )
    pid: str | list[str] = pids[0] if len(pids) == 1 else pids
    if not title.strip():
        raise UsageError(f"{OPTION} must not be empty", option="title")
    _check_tags(tags or [], "tags")
    if item_id:
        from .model import id_problem

        wrong = id_problem(item_id)
        if wrong and wrong.startswith("may hold"):
            raise UsageError(
                f"bad id {item_id!r}: use letters, digits, '.', '_' and '-', like {id_prefix(pids, declared)}12"
            )
        if wrong:
            raise UsageError(f"bad id {item_id!r}: an id {wrong}, like {id_prefix(pids, declared)}12")
        if item_id.lower() in doc.index():
            raise DemandsError(
                f"id {item_id!r} is taken; leave out {OPTION} to get {next_id(doc, pid)}", option="item_id"
            )
    new_id = item_id or next_id(doc, pid)
    item: dict[str, Any] = {"id": new_id, "party": pid}
    if of:
        item["of"] = resolve_party(doc.data, of)
    item["kind"] = kind_name
    item["title"] = title
    if text:
        item["text"] = text
    if topic:
        item["topic"] = topic
    if tags:
        item["tags"] = list(dict.fromkeys(tags))
    if priority:
        item["priority"] = check_choice("priority", priority, PRIORITIES)
    if status:
        state = check_status(doc.vocab, status)
    else:  # an agreement is recorded once it is agreed; anything else starts at the first status
        state = "agreed" if kind_name == "agreement" and "agreed" in doc.vocab.names else doc.vocab.names[0]
    item["status"] = state
    if due:
        item["due"] = due
    if source_doc or source_quote:
        source: dict[str, Any] = {}
        if source_doc:
            source["doc"] = source_doc
        if source_quote:
            source["quote"] = source_quote
        source["date"] = date
        item["source"] = source
    item["history"] = [_history_entry(date, state, None, _round(doc, round_id))]
    editor.add_item(item)
    return new_id


def mark(
    doc: Document,
    editor: Editor,
    ids: list[str],
    status: str,
    *,
    date: str,
    note: str | None = None,
    round_id: str | None = None,
    source: dict[str, str] | None = None,
) -> list[StatusChange]:
    """Record a status change of several items on ``date`` (YYYY-MM-DD), each entry with the
    ``source`` that reports it (``{doc, quote}`` or ``{url}``; the transaction checks the quote);
    returns what happened to each item (an id given twice counts once).

    The history entry goes in its place by date (after the entries of the same date). The
    item's ``status`` becomes the latest-dated status, so an entry dated before a later status
    change leaves it as it was. An item that already had ``status`` on ``date`` is left
    alone. Raises UsageError (unknown status or round), UnknownId.
    """
    state = check_status(doc.vocab, status)
    _check_note(note)
    rnd = _round(doc, round_id)
    indexes = [doc.find(i) for i in ids]
    lines: list[StatusChange] = []
    done: set[int] = set()
    for index in indexes:
        if index in done:
            continue
        done.add(index)
        item = doc.items[index]
        history = list(item.get("history") or [])
        at = place_by_date(history, date)
        old = item["status"]
        if status_in_effect(item, date) == state:
            lines.append(StatusChange(item["id"], state, date, old, old, changed=False, later=len(history) - at))
            continue
        entry = _history_entry(date, state, note, rnd, source)
        after = history[:at] + [entry] + history[at:]
        now = last_status({"history": after}) or state  # type: ignore[typeddict-item]
        if now != item["status"]:
            editor.set(("demands", index, "status"), now)
        editor.insert(("demands", index, "history"), at, entry)
        latest = latest_status_entry({"history": after})  # type: ignore[typeddict-item]
        set_on = latest["date"] if latest and (now != state or old == now) else None
        lines.append(StatusChange(item["id"], state, date, old, now, later=len(history) - at, set_on=set_on))
    return lines


def add_note(
    doc: Document,
    editor: Editor,
    item_id: str,
    text: str,
    *,
    date: str,
    round_id: str | None = None,
    source: dict[str, str] | None = None,
) -> Noted:
    """Add a note dated ``date`` (YYYY-MM-DD) to an item's history, in its place by date, with
    the ``source`` that reports it. Raises UsageError (an empty note, unknown round), UnknownId."""
    if not text.strip():
        raise UsageError("the note is empty; say what happened")
    index = doc.find(item_id)
    history = doc.items[index].get("history") or []
    at = place_by_date(history, date)
    editor.insert(("demands", index, "history"), at, _history_entry(date, None, text, _round(doc, round_id), source))
    return Noted(doc.items[index]["id"], len(history) - at)


def edit(
    doc: Document,
    editor: Editor,
    item_id: str,
    changes: dict[str, str | None],
    add_tags: list[str],
    remove_tags: list[str],
) -> Edited:
    """Change fields of an item (``changes``: field to new value; None leaves it, "" removes an
    optional field), and its tags. Raises UsageError (an empty title, an unknown kind, priority
    or party, a tag it does not have), UnknownId."""
    _check_tags(add_tags, "add_tags")
    index = doc.find(item_id)
    item: Item = doc.items[index]
    changed = []
    removed = []
    for key, value in changes.items():
        if value is None:
            continue
        if key == "title" and not value.strip():
            raise UsageError(f"{OPTION} must not be empty", option="title")
        if value == "":
            if key in item:
                editor.remove(("demands", index, key))
                changed.append(key)
                removed.append(key)
            continue
        if key == "priority":
            value = check_choice("priority", value, PRIORITIES)
        elif key == "kind":
            value = check_choice("kind", value, KINDS)
            if value == "agreement" and len(party_ids(item.get("party"))) < 2:
                raise UsageError(
                    f"{item['id']} is raised by {party_ids(item.get('party'))[0] if party_ids(item.get('party')) else '?'} "
                    "alone: an agreement is a position two or more parties share (add it anew, naming each party)"
                )
        elif key == "of":
            value = resolve_party(doc.data, value)
        if item.get(key) != value:  # type: ignore[misc]
            editor.set(("demands", index, key), value)
            changed.append(key)
    tags = list(item.get("tags") or [])
    missing = [t for t in remove_tags if t not in tags]
    if missing:
        raise UsageError(f"{item['id']} has no tag {missing[0]!r}; its tags: {', '.join(tags) or 'none'}")
    kept = [t for t in tags if t not in remove_tags]
    wanted = kept + [t for t in dict.fromkeys(add_tags) if t not in kept]
    if wanted != tags:
        if not tags or not kept:
            editor.set(("demands", index, "tags"), wanted)
        else:
            editor.remove_entries(("demands", index, "tags"), [n for n, t in enumerate(tags) if t in remove_tags])
            for tag in wanted[len(kept) :]:
                editor.append(("demands", index, "tags"), tag)
        changed.append("tags")
    return Edited(item["id"], changed, removed)


def link(doc: Document, editor: Editor, item_id: str, rel: str, other_id: str) -> Linked:
    """Link item ``item_id`` to ``other_id`` with relation ``rel`` (responds-to, conflicts-with,
    conditional-on, related). Raises UsageError (unknown relation, a link to itself), UnknownId."""
    relation = check_choice("relation", rel, RELS)
    index = doc.find(item_id)
    other = doc.item(other_id)
    item = doc.items[index]
    if other["id"].lower() == item["id"].lower():
        raise UsageError("an item cannot link to itself")
    for existing in item.get("links") or []:
        if existing["id"].lower() == other["id"].lower() and existing["rel"] == relation:
            return Linked(item["id"], relation, other["id"], added=False)
    editor.append(("demands", index, "links"), {"rel": relation, "id": other["id"]})
    return Linked(item["id"], relation, other["id"])


def unlink(doc: Document, editor: Editor, item_id: str, other_id: str) -> Unlinked:
    """Remove every link from item ``item_id`` to ``other_id`` (any case). Raises UnknownId, and
    DemandsError when there is none."""
    index = doc.find(item_id)
    item = doc.items[index]
    links = item.get("links") or []
    positions = [n for n, existing in enumerate(links) if existing["id"].lower() == other_id.lower()]
    if not positions:
        linked = ", ".join(existing["id"] for existing in links) or "nothing"
        raise DemandsError(f"{item['id']} has no link to {other_id!r}; it links to {linked}")
    editor.remove_entries(("demands", index, "links"), positions)
    return Unlinked(item["id"], links[positions[0]]["id"])


def remove(doc: Document, editor: Editor, item_id: str, force: bool = False) -> Removed:
    """Delete item ``item_id``; with ``force`` also the links others make to it, without it a
    DemandsError while there are any. Raises UnknownId."""
    index = doc.find(item_id)
    item = doc.items[index]
    wanted = item["id"].lower()
    linkers = sorted(
        {other["id"] for other in doc.items if any(li["id"].lower() == wanted for li in other.get("links") or [])},
        key=natural_key,
    )
    if linkers and not force:
        raise DemandsError(
            f"{item['id']} is linked from {', '.join(linkers)}; unlink those first or pass {OPTION}",
            option="force",
            said="force=True",
        )
    # Remove the links to it first (they sit in other items), then the item itself.
    for other_index, other in enumerate(doc.items):
        positions = [n for n, li in enumerate(other.get("links") or []) if li["id"].lower() == wanted]
        if positions:
            editor.remove_entries(("demands", other_index, "links"), positions)
    editor.remove(("demands", index))
    return Removed(item["id"], linkers)


def set_target(doc: Document, editor: Editor, item_id: str, spec: dict[str, Any]) -> TargetSet:
    """Set an item's target (``spec``: amount, unit, by, metric, baseline; None leaves a field).
    On an item that has one, only the fields given change (like ``edit``); measurements are
    kept. Raises UsageError (a bad amount, no amount for a new target), UnknownId."""
    for option in ("amount", "baseline"):
        value = spec.get(option)
        if value is not None:
            _check_amount(value, option)
    index = doc.find(item_id)
    item = doc.items[index]
    old = item.get("target")
    given = {k: v for k, v in spec.items() if v is not None}
    if old is None:
        if "amount" not in given:
            raise UsageError(f"{item['id']} has no target yet: give {OPTION}", option="amount")
        editor.set(("demands", index, "target"), given)
        return TargetSet(item["id"], created=True)
    changed = [k for k, v in given.items() if old.get(k) != v]  # type: ignore[misc]
    for key in changed:
        editor.set(("demands", index, "target", key), given[key])
    return TargetSet(item["id"], changed=changed)


def record_progress(
    doc: Document,
    editor: Editor,
    item_id: str,
    amount: float,
    *,
    date: str,
    note: str | None = None,
    source: str | None = None,
) -> ProgressRecorded:
    """Record ``amount`` measured toward item ``item_id``'s target on ``date`` (YYYY-MM-DD), in
    its place by date. Raises UsageError (a bad amount), UnknownId, DemandsError (no target)."""
    _check_amount(amount, "amount")
    _check_note(note)
    index = doc.find(item_id)
    item = doc.items[index]
    target = item.get("target")
    if not target:
        raise DemandsError(
            f"{item['id']} has no target; set one with {OPTION}",
            option="set_target",
            said=f"set_target(..., {item['id']!r}, amount=...)",
            item=item["id"],
        )
    measurement: dict[str, Any] = {"date": date, "amount": amount}
    if note:
        measurement["note"] = note
    if source:
        measurement["source"] = source
    progress = target.get("progress") or []
    at = place_by_date(progress, date)
    editor.insert(("demands", index, "target", "progress"), at, measurement)
    current = dict(by_date(progress)[-1]) if at < len(progress) else None
    return ProgressRecorded(item["id"], amount, target_percent(target, amount), current)


def _check_amount(value: Any, option: str) -> None:
    """UsageError unless ``value`` (the argument ``option``) is an amount the format allows
    (finite, below 1e18, 18 digits)."""
    import math

    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError(f"{OPTION} must be a finite number", option=option)
    problem = amount_problem(value)
    if problem is not None:
        raise UsageError(f"{OPTION}: {problem}", option=option)
