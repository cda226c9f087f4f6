"""What changed: two versions compared item by item, or the change rebuilt from history.

Versions come from file paths or from git (``gitrepo.read_version``). Changes are
stated in negotiation terms: status transitions first, marked as moving toward
closure or away from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import DataFile, Item, Vocabulary, natural_key, vocabulary
from .timeline import as_of_state, entries_added

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
    id: str
    title: str
    changes: list[dict[str, Any]]
    direction: str | None = None  # "closing", "reopening", or None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "changes": self.changes}


@dataclass
class Diff:
    old: str
    new: str
    added: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "added": self.added,
            "removed": self.removed,
            "changed": [c.as_json() for c in self.changed],
        }


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
    vocab = vocabulary(new)
    result = Diff(old_label, new_label)
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
