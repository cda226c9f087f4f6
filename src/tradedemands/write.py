"""The write commands as library calls: each changes a data file and says what it changed.

Every function takes ``file``, the data file's path (None finds it as the command line
does), makes its change under the file's lock with a minimal text edit (comments, order
and layout of everything else stay byte-identical), checks the result before it replaces
the file atomically, and records how to undo it. It returns what changed as data
(``changes.StatusChange`` and the like): the words are the caller's.

Dates are ``YYYY-MM-DD`` text, or ``today`` (the default) or ``yesterday``. ``warn`` gets a
one-line warning when the change is written but its undo record could not be kept (by
default a ``journal.JournalWarning``). Each raises the package's errors and leaves the file
unchanged on any of them: UsageError (a bad argument), UnknownId, LockTimeout (another
writer held the file too long), DemandsError (the result would not be valid, the disk is
full...); ``signals.Interrupted`` when a signal stops it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import changes, typed
from .changes import Edited, Linked, Noted, ProgressRecorded, Removed, StatusChange, TargetSet, Unlinked
from .errors import OPTION, UsageError
from .files import find_file
from .journal import Warn
from .transaction import Undone, transact
from .typed import checked

if TYPE_CHECKING:
    from .document import Document
    from .editor import Editor
    from .importing import Imported

T = TypeVar("T")
#: A data file's path, as text or a path object.
PathLike = str | os.PathLike[str]
#: An amount: a number, or text as typed (``2e11``), checked by ``typed.amount``.
Amount = float | int | str


@checked
def add(
    file: PathLike | None = None,
    *,
    party: str | Sequence[str],
    title: str,
    kind: str | None = None,
    of: str | None = None,
    text: str | None = None,
    topic: str | None = None,
    tags: str | Sequence[str] = (),
    priority: str | None = None,
    due: str | None = None,
    status: str | None = None,
    item_id: str | None = None,
    source_doc: str | None = None,
    source_quote: str | None = None,
    date: str | None = None,
    round_id: str | None = None,
    warn: Warn | None = None,
) -> str:
    """Add an item raised by ``party`` (an id, name or alias; several for an agreement they
    share), asking ``of`` to act; returns its id (``item_id``, or ``<PARTY>-<n>``, one more than
    the highest the party uses; ``US-CN-<n>`` for several parties, in the file's order).

    ``kind``: demand (default; agreement for several parties), concession, red-line or agreement; ``priority``: high, medium or low;
    ``status``: the first status by default; ``source_doc``/``source_quote``: its source, the
    quote checked against the document; ``date``/``round_id``: when it was tabled.
    """
    when = typed.date(date, "date")
    due_date = typed.date(due, "due") if due else None
    return _change(
        file,
        lambda doc, editor: changes.add(
            doc,
            editor,
            party=typed.names(party),
            title=title,
            date=when,
            kind=kind,
            of=of,
            text=text,
            topic=topic,
            tags=typed.names(tags),
            priority=priority,
            due=due_date,
            status=status,
            item_id=item_id,
            source_doc=source_doc,
            source_quote=source_quote,
            round_id=round_id,
        ),
        lambda new: f"add {new}",
        warn,
    )


@checked
def mark(
    file: PathLike | None,
    ids: str | Sequence[str],
    status: str,
    *,
    date: str | None = None,
    note: str | None = None,
    round_id: str | None = None,
    source_doc: str | None = None,
    source_quote: str | None = None,
    source_url: str | None = None,
    warn: Warn | None = None,
) -> list[StatusChange]:
    """Record that the items ``ids`` have ``status`` from ``date`` on: a history entry each, in
    its place by date, citing its source (``source_doc`` with ``source_quote``, a verbatim
    quote checked against the document as an item's is, and/or ``source_url``; see
    ``entry_source``). An item's status becomes its latest-dated one, so a back-dated entry
    may leave it as it was; one that already had ``status`` then is left alone (see
    ``changes.StatusChange``). A quote not found in its document changes nothing
    (DemandsError)."""
    when = typed.date(date, "date")
    ids = typed.names(ids)
    source = entry_source(source_doc, source_quote, source_url)
    return _change(
        file,
        lambda doc, editor: changes.mark(
            doc, editor, ids, status, date=when, note=note, round_id=round_id, source=source
        ),
        f"mark {' '.join(ids)} {status}",
        warn,
    )


@checked
def note(
    file: PathLike | None,
    item_id: str,
    text: str,
    *,
    date: str | None = None,
    round_id: str | None = None,
    source_doc: str | None = None,
    source_quote: str | None = None,
    source_url: str | None = None,
    warn: Warn | None = None,
) -> Noted:
    """Add the note ``text`` to item ``item_id``'s history on ``date``, without a status change,
    citing its source as ``mark`` does."""
    when = typed.date(date, "date")
    source = entry_source(source_doc, source_quote, source_url)
    return _change(
        file,
        lambda doc, editor: changes.add_note(doc, editor, item_id, text, date=when, round_id=round_id, source=source),
        f"note {item_id}",
        warn,
    )


def entry_source(doc: str | None, quote: str | None, url: str | None) -> dict[str, str] | None:
    """A history entry's ``source`` from what was given: ``{"doc", "quote"}`` (a document inside
    the project and a verbatim quote from it), ``{"url"}``, or both; None when nothing was.
    UsageError for a quote with nowhere to find it, an empty value, or a URL that is not one
    (``validation.url_problem``: http or https, no spaces or control characters)."""
    from .validation import url_problem

    given = {"doc": doc, "quote": quote, "url": url}
    for key, value in given.items():
        if value is not None and not value.strip():
            raise UsageError(f"{OPTION} must not be empty", option=f"source_{key}")
    if quote is not None and doc is None and url is None:
        raise UsageError(
            f"{OPTION} needs the document it is quoted from (or its URL)", option="source_quote", said="source_quote"
        )
    said = url_problem(url) if url is not None else None
    if said is not None:
        raise UsageError(f"{OPTION} {said}", option="source_url")
    source = {key: value for key, value in given.items() if value is not None}
    return source or None


@checked
def edit(
    file: PathLike | None,
    item_id: str,
    *,
    title: str | None = None,
    text: str | None = None,
    topic: str | None = None,
    priority: str | None = None,
    due: str | None = None,
    of: str | None = None,
    kind: str | None = None,
    add_tags: str | Sequence[str] = (),
    remove_tags: str | Sequence[str] = (),
    warn: Warn | None = None,
) -> Edited:
    """Change item ``item_id``'s fields: each one given (not None) is set, and an empty text
    removes an optional one (``kind`` cannot be removed); ``add_tags``/``remove_tags`` change
    its tags. Status changes go through ``mark``."""
    if kind == "":
        raise UsageError(f"{OPTION} cannot be removed; use demand, concession, red-line or agreement", option="kind")
    due_value = typed.date(due, "due") if due else due
    fields = {
        "title": title,
        "text": text,
        "topic": topic,
        "priority": priority,
        "due": due_value,
        "of": of,
        "kind": kind,
    }
    return _change(
        file,
        lambda doc, editor: changes.edit(doc, editor, item_id, fields, typed.names(add_tags), typed.names(remove_tags)),
        f"edit {item_id}",
        warn,
    )


@checked
def link(file: PathLike | None, item_id: str, rel: str, other: str, *, warn: Warn | None = None) -> Linked:
    """Link item ``item_id`` to item ``other``: ``rel`` is responds-to, conflicts-with,
    conditional-on or related."""
    return _change(
        file,
        lambda doc, editor: changes.link(doc, editor, item_id, rel, other),
        f"link {item_id} {rel} {other}",
        warn,
    )


@checked
def unlink(file: PathLike | None, item_id: str, other: str, *, warn: Warn | None = None) -> Unlinked:
    """Remove the links from item ``item_id`` to item ``other``."""
    return _change(
        file,
        lambda doc, editor: changes.unlink(doc, editor, item_id, other),
        f"unlink {item_id} {other}",
        warn,
    )


@checked
def remove(file: PathLike | None, item_id: str, *, force: bool = False, warn: Warn | None = None) -> Removed:
    """Delete item ``item_id``; refused while other items link to it, unless ``force`` (which
    removes those links too)."""
    return _change(
        file,
        lambda doc, editor: changes.remove(doc, editor, item_id, force),
        f"remove {item_id}",
        warn,
    )


@checked
def set_target(
    file: PathLike | None,
    item_id: str,
    *,
    amount: Amount | None = None,
    unit: str | None = None,
    by: str | None = None,
    metric: str | None = None,
    baseline: Amount | None = None,
    warn: Warn | None = None,
) -> TargetSet:
    """Set item ``item_id``'s numeric target: ``amount`` of ``unit`` (``metric`` says what is
    measured) by the date ``by``, measured from ``baseline`` (default 0). On an item that has a
    target only the arguments given change; a new target needs ``amount``."""
    by_date = typed.date(by, "by") if by else None
    spec: dict[str, Any] = {
        "amount": _amount(amount, "amount"),
        "unit": unit,
        "by": by_date,
        "metric": metric,
        "baseline": _amount(baseline, "baseline"),
    }
    return _change(
        file,
        lambda doc, editor: changes.set_target(doc, editor, item_id, spec),
        f"target {item_id}",
        warn,
    )


@checked
def record_progress(
    file: PathLike | None,
    item_id: str,
    amount: Amount,
    *,
    date: str | None = None,
    note: str | None = None,
    source: str | None = None,
    warn: Warn | None = None,
) -> ProgressRecorded:
    """Record ``amount`` measured toward item ``item_id``'s target on ``date``, with a ``note``
    and the ``source`` of the figure; the latest-dated measurement is the current one."""
    when = typed.date(date, "date")
    value = _amount(amount, "progress_amount", "amount")
    assert value is not None
    return _change(
        file,
        lambda doc, editor: changes.record_progress(doc, editor, item_id, value, date=when, note=note, source=source),
        f"progress {item_id}",
        warn,
    )


@checked
def import_items(
    file: PathLike | None, source: PathLike, *, format: str | None = None, warn: Warn | None = None
) -> Imported:
    """Merge the items of the file ``source`` (``-``: standard input) into the data file, by id:
    ``source`` is CSV, JSON or YAML as ``export`` (or ``list``) writes it, ``format`` (csv, json,
    yaml) or else its extension says which. New ids (and rows without one) are added; existing
    items change field by field; history only grows; nothing is removed (``importing``). All or
    nothing: ``importing.ImportRefused`` (an InvalidFile) lists every problem, located as
    ``FILE:ROW:COLUMN``, and the data file is unchanged. Statuses changed without a history
    entry get one dated today."""
    from .importing import merge
    from .incoming import read_source

    read = read_source(os.fspath(source), format)
    today = typed.date(None)
    return _change(file, lambda doc, editor: merge(doc, editor, read, today), f"import {read.label}", warn)


@checked
def new_item_text(file: PathLike | None, **given: Any) -> str:
    """A new item to fill in, as YAML text with a few comment lines of help, holding the fields
    ``given`` (``party="cn"``, ``title=...``; ``date`` and ``round``: when it was tabled, its
    first history entry): ``add_text`` adds what it becomes."""
    from .document import load
    from .itemtext import template

    doc = load(find_file(file))
    if given.get("party"):
        from .query import resolve_party

        named = [given["party"]] if isinstance(given["party"], str) else list(given["party"])
        pids = list(dict.fromkeys(resolve_party(doc.data, p) for p in named))
        given["party"] = pids[0] if len(pids) == 1 else pids
    when, round_id = given.pop("date", None), given.pop("round", None)
    if when or round_id:
        from .query import resolve_round

        status = given.get("status") or doc.vocab.names[0]
        entry = {"date": typed.date(when, "date"), "status": status}
        if round_id:
            entry["round"] = resolve_round(doc.data, round_id)
        given["history"] = [entry]
        if isinstance(given.get("source"), dict):
            given["source"] = {**given["source"], "date": entry["date"]}
    return template(doc, given)


@checked
def edit_text(
    file: PathLike | None, item_id: str, text: str, *, base: str | None = None, warn: Warn | None = None
) -> Edited:
    """Change item ``item_id`` into what ``text`` (YAML, as ``itemtext.render`` writes it, edited) says,
    with the least text edits: only the lines of what changed change. Fields left empty or
    taken out are removed; a status changed without a history entry that sets it gets one
    dated today. With ``base`` (the text as it was before editing) only the fields changed
    from it are taken, and a write made to the item meanwhile is kept. Raises
    ``itemtext.BufferProblems`` listing every problem at its line of ``text`` (nothing
    written), UsageError for a text of nothing but comments."""
    from .itemtext import changed
    from .updates import apply_item

    today = typed.date(None)

    def change(doc: Document, editor: Editor) -> Edited:
        index = doc.find(item_id)
        new = changed(doc, index, text, today, base)
        if new is None:
            raise UsageError("the text is empty: nothing to save")
        old = doc.items[index]
        fields = apply_item(editor, index, old, new) if new != old else []  # type: ignore[arg-type]
        return Edited(old["id"], fields, [key for key in old if key not in new])

    return _change(file, change, f"edit {item_id}", warn)


@checked
def add_text(file: PathLike | None, text: str, *, warn: Warn | None = None) -> str:
    """Add the item ``text`` holds (YAML, as ``new_item_text`` gives it, filled in); returns its
    id (the one given, else the party's next). Raises ``itemtext.BufferProblems`` listing
    every problem at its line of ``text`` (nothing written), UsageError for a text of nothing
    but comments."""
    from .itemtext import changed

    today = typed.date(None)

    def change(doc: Document, editor: Editor) -> str:
        new = changed(doc, None, text, today)
        if new is None:
            raise UsageError("the text is empty: nothing to add")
        editor.add_item(new)
        return str(new["id"])

    return _change(file, change, lambda new: f"add {new}", warn)


def _change(
    file: PathLike | None, change: Callable[[Document, Editor], T], what: str | Callable[[T], str], warn: Warn | None
) -> T:
    """Run ``change`` on the file (``transaction.transact``), recorded in the undo journal as ``what``."""
    result, _written = transact(find_file(file), change, what, warn)
    return result


def _amount(value: Amount | None, option: str, said: str | None = None) -> float | int | None:
    """An amount given as a number, or typed as text (checked by ``typed.amount``)."""
    if isinstance(value, str):
        return typed.amount(value, option, said)
    return value


@checked
def undo(file: PathLike | None = None, *, warn: Warn | None = None) -> Undone:
    """Revert the last write this tool made to the file (``transaction.undo``): refused when the
    file changed since by other means, or there is nothing to undo."""
    from .transaction import undo as undo_last

    return undo_last(find_file(file), warn=warn)


@checked
def init(path: PathLike | None = None, title: str | None = None) -> Path:
    """Write a new, valid, commented skeleton file at ``path`` (default ``demands.yaml``), titled
    ``title``; returns its path. Never overwrites: DemandsError when it exists."""
    from .skeleton import write_skeleton

    target = Path(path or "demands.yaml")
    write_skeleton(target, title)
    return target
