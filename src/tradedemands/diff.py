"""What changed: two versions compared item by item, or the change rebuilt from history.

Versions come from file paths or from git (``HEAD~1``, a tag, ``REV:path``),
read with git itself. Changes are stated in negotiation terms: status
transitions first, marked as moving toward closure or away from it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DemandsError, UsageError
from .escape import clip
from .model import DataFile, Item, Vocabulary, as_of_state, entries_added, natural_key, vocabulary

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


# --- versions from git ---------------------------------------------------------------------


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except FileNotFoundError:
        raise DemandsError("git is not installed; give two file paths instead of revisions") from None


def _blob(rev: str, relpath: str, root: Path, limit: int) -> bytes | None:
    """The bytes of ``rev:relpath`` from git, read to at most ``limit`` (None: no such file).

    git's output is read from a pipe to ``limit + 1`` bytes at most; a larger file stops
    git and is refused, so ``diff`` of a 1 GB version never holds it in memory.
    """
    from . import safeio

    try:
        proc = subprocess.Popen(
            ["git", "cat-file", "blob", "--end-of-options", f"{rev}:{relpath}"],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise DemandsError("git is not installed; give two file paths instead of revisions") from None
    try:
        assert proc.stdout is not None
        data = proc.stdout.read(limit + 1)
        if len(data) > limit:
            raise safeio.TooLarge(f"{rev}:{relpath}", limit, "; set DEMANDS_MAX_BYTES to allow it")
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    return data if code == 0 else None


def read_version(spec: str, working: Path) -> tuple[str, bytes]:
    """The bytes of a version: a file path, ``REV`` (the working file at REV) or ``REV:path``.

    A path that exists is read as a file (regular files only, at most ``DEMANDS_MAX_BYTES``);
    anything else is a git revision, which reaches git after ``--end-of-options`` and is
    refused (UsageError) when it begins with ``-``.
    """
    from . import settings, store

    if os.path.lexists(spec) and not os.path.isdir(spec):
        return spec, store.read_raw(Path(spec))
    if spec.startswith("-"):
        raise UsageError(
            f"{clip(spec, 60)!r} is not a file, and a revision cannot begin with '-'; "
            "to name a file that does, write ./ before it"
        )
    directory = working.resolve().parent
    top = _git(["rev-parse", "--show-toplevel"], directory)
    if top.returncode != 0:
        raise DemandsError(
            f"{spec!r} is not a file, and {directory} is not in a git repository; give a file path or run inside the repository"
        )
    root = Path(top.stdout.decode().strip())
    if ":" in spec:
        # As in git: REV:path is relative to the top of the repository, REV:./path to the
        # current directory. A plain path absent there is also tried from the current directory.
        rev, _, rel = spec.partition(":")
        relpath = rel.lstrip("/")
        here = (Path.cwd() / rel).resolve()
        from_here = here.relative_to(root.resolve()).as_posix() if here.is_relative_to(root.resolve()) else None
        if rel.startswith(("./", "../")) or rel in (".", ".."):
            relpath = from_here or relpath
        elif (
            from_here
            and _git(["cat-file", "-e", "--end-of-options", f"{rev}:{relpath}"], root).returncode != 0
            and _git(["cat-file", "-e", "--end-of-options", f"{rev}:{from_here}"], root).returncode == 0
        ):
            relpath = from_here
    else:
        rev = spec
        relpath = working.resolve().relative_to(root.resolve()).as_posix()
    if rev.startswith("-"):
        raise UsageError(f"bad revision {clip(rev, 60)!r}: a revision cannot begin with '-'")
    check = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root)
    if check.returncode != 0:
        raise DemandsError(f"unknown revision {clip(rev, 60)!r}: not a commit, branch or tag in {root}")
    shown = _blob(rev, relpath, root, settings.max_bytes())
    if shown is None:
        raise DemandsError(f"{clip(relpath, 100)} does not exist at revision {clip(rev, 60)!r}")
    return f"{rev}:{relpath}", shown


# --- the log -------------------------------------------------------------------------------


def log_entries(
    data: DataFile,
    *,
    since: str | None = None,
    until: str | None = None,
    parties: set[str] | None = None,
    round_id: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Every history entry across items, newest first (file order breaks ties, later first)."""
    entries = []
    for position, item in enumerate(data.get("demands") or []):
        if parties and item["party"] not in parties:
            continue
        for n, entry in enumerate(item.get("history") or []):
            when = entry.get("date", "")
            if (since and when < since) or (until and when > until):
                continue
            if round_id and entry.get("round") != round_id:
                continue
            record: dict[str, Any] = {"id": item["id"], "date": when}
            for key in ("status", "note", "round"):
                if entry.get(key):
                    record[key] = entry[key]  # type: ignore[literal-required]
            entries.append(((when, position, n), record))
    entries.sort(key=lambda pair: pair[0], reverse=True)
    records = [record for _, record in entries]
    return records[:limit] if limit is not None else records


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
