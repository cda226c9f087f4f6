"""The write commands as library calls: each states one change to a document.

Each function takes the loaded Document and an Editor, records its change in the
editor (both as intended data and as text splices) and returns what to tell the
user. ``store.transact`` runs them under the lock and checks the result.
"""

from __future__ import annotations

import re
from typing import Any

from .document import Document
from .edit import Editor
from .errors import DemandsError, UsageError
from .model import KINDS, PRIORITIES, RELS, Item, amount_problem, by_date, natural_key, target_percent
from .query import check_choice, check_status, resolve_party, resolve_round
from .timeline import last_status, latest_status_entry, place_by_date, status_in_effect


def _history_entry(date: str, status: str | None, note: str | None, round_id: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": date}
    if status is not None:
        entry["status"] = status
    if round_id:
        entry["round"] = round_id
    if note:
        entry["note"] = note
    return entry


def _round(doc: Document, round_id: str | None) -> str | None:
    return resolve_round(doc.data, round_id) if round_id else None


def next_id(doc: Document, party: str) -> str:
    """``<PARTY>-<n>``: n one more than the highest used for that party."""
    prefix = party.upper() + "-"
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
    party: str,
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
    """Add an item; returns its id."""
    pid = resolve_party(doc.data, party)
    if not title.strip():
        raise UsageError("{option} must not be empty", option="title")
    if item_id:
        from .model import ID_RE

        if not ID_RE.match(item_id):
            raise UsageError(f"bad id {item_id!r}: use letters, digits, '.', '_' and '-', like {pid.upper()}-12")
        if item_id.lower() in doc.index():
            raise DemandsError(
                f"id {item_id!r} is taken; leave out {{option}} to get {next_id(doc, pid)}", option="item_id"
            )
    new_id = item_id or next_id(doc, pid)
    item: dict[str, Any] = {"id": new_id, "party": pid}
    if of:
        item["of"] = resolve_party(doc.data, of)
    item["kind"] = check_choice("kind", kind, KINDS) if kind else "demand"
    item["title"] = title
    if text:
        item["text"] = text
    if topic:
        item["topic"] = topic
    if tags:
        item["tags"] = list(dict.fromkeys(tags))
    if priority:
        item["priority"] = check_choice("priority", priority, PRIORITIES)
    state = check_status(doc.vocab, status) if status else doc.vocab.names[0]
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


def _later(history: list[Any], at: int) -> str:
    """`` (dated D, placed before N later entries)`` for an entry inserted at ``at``, or nothing."""
    later = len(history) - at
    if later <= 0:
        return ""
    return f" (placed by date before {later} later entr{'y' if later == 1 else 'ies'})"


def mark(
    doc: Document,
    editor: Editor,
    ids: list[str],
    status: str,
    *,
    date: str,
    note: str | None = None,
    round_id: str | None = None,
) -> list[str]:
    """Record a status change of several items on ``date`` (YYYY-MM-DD); returns one line per item.

    The history entry goes in its place by date (after the entries of the same date). The
    item's ``status`` becomes the latest-dated status, so an entry dated before a later status
    change leaves it as it was, and the line says so. An item that already had ``status`` on
    ``date`` is left alone. Raises UsageError (unknown status or round), UnknownId.
    """
    state = check_status(doc.vocab, status)
    rnd = _round(doc, round_id)
    indexes = [doc.find(i) for i in ids]
    lines = []
    done: set[int] = set()
    for index in indexes:
        if index in done:
            continue
        done.add(index)
        item = doc.items[index]
        history = list(item.get("history") or [])
        at = place_by_date(history, date)
        if status_in_effect(item, date) == state:
            if at == len(history):
                lines.append(f"{item['id']} is already {state}; nothing changed")
            else:
                lines.append(f"{item['id']} was already {state} on {date}; nothing changed")
            continue
        entry = _history_entry(date, state, note, rnd)
        after = history[:at] + [entry] + history[at:]
        now = last_status({"history": after}) or state  # type: ignore[typeddict-item]
        if now != item["status"]:
            editor.set(("demands", index, "status"), now)
        editor.insert(("demands", index, "history"), at, entry)
        if now == state:
            lines.append(f"{item['id']}: {item['status']} -> {state}{_later(history, at)}")
        else:
            latest = latest_status_entry({"history": after})  # type: ignore[typeddict-item]
            lines.append(
                f"{item['id']}: {state} on {date} recorded in its place by date; "
                f"status stays {now} (set on {latest['date'] if latest else '?'})"
            )
    return lines


def add_note(doc: Document, editor: Editor, item_id: str, text: str, *, date: str, round_id: str | None = None) -> str:
    """Add a note dated ``date`` (YYYY-MM-DD) to an item's history, in its place by date."""
    if not text.strip():
        raise UsageError("the note is empty; say what happened")
    index = doc.find(item_id)
    history = doc.items[index].get("history") or []
    at = place_by_date(history, date)
    editor.insert(("demands", index, "history"), at, _history_entry(date, None, text, _round(doc, round_id)))
    return f"{doc.items[index]['id']}: note added{_later(history, at)}"


EDITABLE = ("title", "text", "topic", "priority", "due", "of", "kind")


def edit(
    doc: Document,
    editor: Editor,
    item_id: str,
    changes: dict[str, str | None],
    add_tags: list[str],
    remove_tags: list[str],
) -> str:
    """Change fields of an item; an empty value removes an optional field."""
    index = doc.find(item_id)
    item: Item = doc.items[index]
    changed = []
    for key, value in changes.items():
        if value is None:
            continue
        if key == "title" and not value.strip():
            raise UsageError("{option} must not be empty", option="title")
        if value == "":
            if key in item:
                editor.remove(("demands", index, key))
                changed.append(f"-{key}")
            continue
        if key == "priority":
            value = check_choice("priority", value, PRIORITIES)
        elif key == "kind":
            value = check_choice("kind", value, KINDS)
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
    if not changed:
        return f"{item['id']}: nothing to change"
    return f"{item['id']}: changed {', '.join(changed)}"


def link(doc: Document, editor: Editor, item_id: str, rel: str, other_id: str) -> str:
    relation = check_choice("relation", rel, RELS)
    index = doc.find(item_id)
    other = doc.item(other_id)
    item = doc.items[index]
    if other["id"].lower() == item["id"].lower():
        raise UsageError("an item cannot link to itself")
    for existing in item.get("links") or []:
        if existing["id"].lower() == other["id"].lower() and existing["rel"] == relation:
            return f"{item['id']} already {relation} {other['id']}; nothing changed"
    editor.append(("demands", index, "links"), {"rel": relation, "id": other["id"]})
    return f"{item['id']} {relation} {other['id']}"


def unlink(doc: Document, editor: Editor, item_id: str, other_id: str) -> str:
    index = doc.find(item_id)
    item = doc.items[index]
    links = item.get("links") or []
    positions = [n for n, existing in enumerate(links) if existing["id"].lower() == other_id.lower()]
    if not positions:
        linked = ", ".join(existing["id"] for existing in links) or "nothing"
        raise DemandsError(f"{item['id']} has no link to {other_id!r}; it links to {linked}")
    editor.remove_entries(("demands", index, "links"), positions)
    return f"{item['id']}: link to {links[positions[0]]['id']} removed"


def remove(doc: Document, editor: Editor, item_id: str, force: bool = False) -> str:
    index = doc.find(item_id)
    item = doc.items[index]
    wanted = item["id"].lower()
    linkers = sorted(
        {other["id"] for other in doc.items if any(li["id"].lower() == wanted for li in other.get("links") or [])},
        key=natural_key,
    )
    if linkers and not force:
        raise DemandsError(
            f"{item['id']} is linked from {', '.join(linkers)}; unlink those first or pass {{option}}",
            option="force",
            said="force=True",
        )
    # Remove the links to it first (they sit in other items), then the item itself.
    for other_index, other in enumerate(doc.items):
        positions = [n for n, li in enumerate(other.get("links") or []) if li["id"].lower() == wanted]
        if positions:
            editor.remove_entries(("demands", other_index, "links"), positions)
    editor.remove(("demands", index))
    return f"{item['id']} removed" + (f" (and the links from {', '.join(linkers)})" if linkers else "")


def set_target(doc: Document, editor: Editor, item_id: str, spec: dict[str, Any]) -> str:
    """Set an item's target. On an item that has one, only the fields given change (like
    ``edit``); measurements are kept."""
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
            raise UsageError(f"{item['id']} has no target yet: give {{option}}", option="amount")
        editor.set(("demands", index, "target"), given)
        return f"{item['id']}: target set"
    changed = [k for k, v in given.items() if old.get(k) != v]  # type: ignore[misc]
    for key in changed:
        editor.set(("demands", index, "target", key), given[key])
    if not changed:
        return f"{item['id']}: target unchanged"
    return f"{item['id']}: target {', '.join(changed)} updated"


def record_progress(
    doc: Document,
    editor: Editor,
    item_id: str,
    amount: float,
    *,
    date: str,
    note: str | None = None,
    source: str | None = None,
) -> str:
    _check_amount(amount, "amount")
    index = doc.find(item_id)
    item = doc.items[index]
    target = item.get("target")
    if not target:
        raise DemandsError(
            f"{item['id']} has no target; set one with {{option}}",
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
    percent = target_percent(target, amount)
    line = f"{item['id']}: {amount:,} recorded" + (f", {percent:.0f}% of target" if percent is not None else "")
    if at < len(progress):
        latest = by_date(progress)[-1]
        line += f"; the latest measurement ({latest['date']}: {latest['amount']:,}) stays the current one"
    return line


def _check_amount(value: Any, option: str) -> None:
    """UsageError unless ``value`` (the argument ``option``) is an amount the format allows
    (finite, below 1e18, 18 digits)."""
    import math

    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError("{option} must be a finite number", option=option)
    problem = amount_problem(value)
    if problem is not None:
        raise UsageError(f"{{option}}: {problem}", option=option)
