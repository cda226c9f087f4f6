"""How the command line words what a write did: the one-line confirmations on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..changes import Edited, Linked, Noted, ProgressRecorded, Removed, StatusChange, TargetSet, Unlinked
    from ..importing import Imported
    from ..transaction import Undone


def _later(count: int) -> str:
    """`` (placed by date before N later entries)`` for an entry that went before ``count`` others."""
    if count <= 0:
        return ""
    return f" (placed by date before {count} later entr{'y' if count == 1 else 'ies'})"


def marked(change: StatusChange) -> str:
    """``US-1: open -> agreed``, or why the status stays or nothing changed."""
    if not change.changed:
        if change.later == 0:
            return f"{change.id} is already {change.status}; nothing changed"
        return f"{change.id} was already {change.status} on {change.date}; nothing changed"
    if change.new == change.status and change.old != change.new:
        return f"{change.id}: {change.old} -> {change.status}{_later(change.later)}"
    return (
        f"{change.id}: {change.status} on {change.date} recorded in its place by date; "
        f"status stays {change.new} (set on {change.set_on or '?'})"
    )


def noted(change: Noted) -> str:
    """``US-1: note added``."""
    return f"{change.id}: note added{_later(change.later)}"


def edited(change: Edited) -> str:
    """``US-1: changed title, -due, tags`` (``-`` for a field removed)."""
    if not change.changed:
        return f"{change.id}: nothing to change"
    fields = [f"-{name}" if name in change.removed else name for name in change.changed]
    return f"{change.id}: changed {', '.join(fields)}"


def linked(change: Linked) -> str:
    """``US-1 conflicts-with CN-5``."""
    if not change.added:
        return f"{change.id} already {change.rel} {change.other}; nothing changed"
    return f"{change.id} {change.rel} {change.other}"


def unlinked(change: Unlinked) -> str:
    """``US-1: link to CN-5 removed``."""
    return f"{change.id}: link to {change.other} removed"


def removed(change: Removed) -> str:
    """``CN-8 removed`` (and whose links to it went)."""
    also = f" (and the links from {', '.join(change.linkers)})" if change.linkers else ""
    return f"{change.id} removed{also}"


def target_set(change: TargetSet) -> str:
    """``US-1: target set``, ``unchanged``, or which fields were updated."""
    if change.created:
        return f"{change.id}: target set"
    if not change.changed:
        return f"{change.id}: target unchanged"
    return f"{change.id}: target {', '.join(change.changed)} updated"


def progress_recorded(change: ProgressRecorded) -> str:
    """``US-1: 5,000,000,000 recorded, 3% of target``."""
    line = f"{change.id}: {change.amount:,} recorded"
    if change.percent is not None:
        line += f", {change.percent:.0f}% of target"
    if change.current is not None:
        current = change.current
        line += f"; the latest measurement ({current['date']}: {current['amount']:,}) stays the current one"
    return line


def undone(change: Undone) -> str:
    """``undid: mark US-1 agreed``."""
    if change.already:
        return f"undid: {change.what} (the file was back to before it already: an earlier undo was cut short)"
    return f"undid: {change.what}"


#: At most this many items are named one a line by ``imported``; the rest are counted.
NAMED = 20


def imported(result: Imported) -> list[str]:
    """``CN-8: added``, ``US-7: changed status, history`` (the first ``NAMED`` of them), then
    ``items.csv: 1 added, 1 changed, 14 unchanged``."""
    lines = [f"{item_id}: added" for item_id in result.added]
    lines += [f"{item_id}: changed {', '.join(fields)}" for item_id, fields in result.changed]
    if len(lines) > NAMED:
        lines = lines[:NAMED] + [f"... and {len(lines) - NAMED} more"]
    lines.append(
        f"{result.source}: {len(result.added)} added, {len(result.changed)} changed, {result.unchanged} unchanged"
    )
    return lines


def ignored(result: Imported) -> str | None:
    """What an imported file held besides items that was not imported, or None."""
    if not result.ignored:
        return None
    return (
        f"{result.source}: {', '.join(result.ignored)} not imported (import merges items only): change them in the file"
    )
