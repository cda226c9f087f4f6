"""What changed: two versions compared item by item, or the change rebuilt from history.

Versions come from file paths or from git (``gitrepo.read_version``). Changes are
stated in negotiation terms: status transitions first, marked as moving toward
closure or away from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .escape import md
from .formats import Rows, to_markdown
from .model import DataFile, Item, Vocabulary, natural_key, vocabulary
from .results import Result
from .timeline import as_of_state, entries_added
from .views import list_rows

FIELD_ORDER = (
    "status",
    "title",
    "kind",
    "party",
    "of",
    "priority",
    "due",
    "topic",
    "tags",
    "text",
    "target",
    "links",
    "source",
    "history",
)


@dataclass
class Change:
    """One item changed: its ``changes`` field by field (``{"field", "old", "new"}``; a
    history that only grew shows the entries added as ``new``), and ``direction``:
    ``closing`` when its status moved into the closed set, ``reopening`` out of it."""

    id: str
    title: str
    changes: list[dict[str, Any]]
    direction: str | None = None  # "closing", "reopening", or None

    def as_json(self) -> dict[str, Any]:
        """``{"id", "title", "changes"}``."""
        return {"id": self.id, "title": self.title, "changes": self.changes}


@dataclass
class Diff(Result):
    """``diff``: what changed from the version labelled ``old`` to the one labelled ``new``:
    items added, removed, and changed (status transitions first). True when anything did."""

    old: str
    new: str
    added: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    #: The statuses of the new version (which are closed, how to colour them).
    vocab: Vocabulary = field(default_factory=Vocabulary)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, Any]:
        """``{"old", "new", "added": [item...], "removed": [item...], "changed": [Change.as_json()...]}``."""
        return {
            "old": self.old,
            "new": self.new,
            "added": self.added,
            "removed": self.removed,
            "changed": [c.as_json() for c in self.changed],
        }

    def markdown(self) -> str:
        """The diff as Markdown: status transitions, other changes, added and removed items."""
        out = [f"## Changes: {md(self.old)} → {md(self.new)}", ""]
        if not self:
            return "\n".join([*out, "No differences.", ""])
        rows = Rows(["id", "title", "field", "old", "new"], [])
        for change in self.changed:
            for c in change.changes:
                new = describe_value(c["new"])
                if c["field"] == "status" and change.direction:
                    new += " (toward closure)" if change.direction == "closing" else " (reopened)"
                old = "" if c["field"] == "history" else describe_value(c["old"])
                rows.rows.append([change.id, change.title, c["field"], old, new])
        if rows.rows:
            out += ["### Changed", "", to_markdown(rows)]
        if self.added:
            out += ["### Added", "", to_markdown(list_rows(self.added, compact=True))]
        if self.removed:
            out += ["### Removed", "", to_markdown(list_rows(self.removed, compact=True))]
        return "\n".join(out)


def direction(old: str | None, new: str | None, vocab: Vocabulary) -> str | None:
    """``closing`` when a status moves into the closed set, ``reopening`` when it leaves it."""
    closed = vocab.closed
    if old == new:
        return None
    if new in closed and old not in closed:
        return "closing"
    if old in closed and new not in closed:
        return "reopening"
    return None


def compare_items(old: Item, new: Item) -> list[dict[str, Any]]:
    """Field-by-field changes; history that only grew shows as the entries added."""
    keys = [k for k in FIELD_ORDER if k in old or k in new]
    keys += [k for k in list(old) + list(new) if k not in keys and k != "id"]
    changes: list[dict[str, Any]] = []
    for key in dict.fromkeys(keys):
        before, after = old.get(key), new.get(key)  # type: ignore[misc]
        if before == after:
            continue
        if key == "history" and isinstance(before, list) and isinstance(after, list):
            added = entries_added(before, after)
            if added is not None:
                changes.append({"field": "history", "old": None, "new": [after[j] for j in added]})
                continue
        changes.append({"field": key, "old": before, "new": after})
    return changes


def diff_data(old: DataFile, new: DataFile, old_label: str, new_label: str) -> Diff:
    """What changed from ``old`` to ``new`` (the data of two versions), item by item (matched
    by id in any case) and field by field; the labels name the versions."""
    vocab = vocabulary(new)
    result = Diff(old_label, new_label, vocab=vocab)
    before = {item["id"].lower(): item for item in old.get("demands") or []}
    after = {item["id"].lower(): item for item in new.get("demands") or []}
    for key, item in after.items():
        if key not in before:
            result.added.append(item)
            continue
        changes = compare_items(before[key], item)
        if changes:
            move = direction(before[key].get("status"), item.get("status"), vocab)
            result.changed.append(Change(item["id"], item["title"], changes, move))
    result.removed = [item for key, item in before.items() if key not in after]
    result.added.sort(key=lambda i: natural_key(i["id"]))
    result.removed.sort(key=lambda i: natural_key(i["id"]))
    result.changed.sort(key=lambda c: (c.changes[0]["field"] != "status", natural_key(c.id)))
    return result


def since_state(data: DataFile, since: str) -> tuple[DataFile, list[str]]:
    """The data as it stood just before ``since`` (YYYY-MM-DD; any date, 0001-01-01 too),
    rebuilt from history by date, and the ids of items nothing in the file dates (they are
    left out: whether they changed since is unknown)."""
    return as_of_state(data, since, before=True)


def without(data: DataFile, ids: list[str]) -> DataFile:
    """``data`` less the items ``ids``."""
    if not ids:
        return data
    gone = {i.lower() for i in ids}
    result: DataFile = dict(data)  # type: ignore[assignment]
    result["demands"] = [item for item in data.get("demands") or [] if item["id"].lower() not in gone]
    return result


def describe_value(value: Any, nested: bool = False) -> str:
    """A changed field's value on one line for tables and Markdown (values inside values in
    YAML flow style, never as Python reprs)."""
    if value is None:
        return "null" if nested else "—"
    if isinstance(value, list):
        if value and not nested and all(isinstance(v, dict) for v in value):
            return "; ".join(describe_value(entry) for entry in value)
        text = ", ".join(describe_value(v, True) for v in value)
        return f"[{text}]" if nested or not text else text
    if isinstance(value, dict):
        text = ", ".join(f"{k}: {describe_value(v, True)}" for k, v in value.items())
        return f"{{{text}}}" if nested else text
    return str(value)
