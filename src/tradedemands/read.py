"""The read commands as library calls: each reads a data file and returns a result.

Every function takes ``file``, the data file's path; None finds it as the command line
does (``$DEMANDS_FILE``, else ``data/demands.yaml`` or ``demands.yaml`` in the current
folder or a parent). Dates are ``YYYY-MM-DD`` text, ``today``, ``yesterday`` or a span back
from today such as ``3d``, ``2w``, ``1m``, ``1y`` (``typed.date``); ``as_of`` and ``since``
also take ``last-round``, the start of the latest round held. ``as_of`` answers with the
state on that date, rebuilt from history.
Each returns a ``results.Result`` that gives its JSON value, rows and Markdown (and is drawn
as a table by ``render.table``). They raise the package's errors: FileNotFound,
InvalidFile, UnknownId, UsageError (a bad argument), DemandsError.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import typed
from .document import Document, check_quotes, load
from .errors import OPTION, DemandsError, InvalidFile, UsageError
from .exporting import ExportDocument
from .files import find_file
from .model import KINDS
from .query import Filters, check_choice, resolve_party, resolve_round, round_start, select, sort_items
from .results import FileReport, LeftOut, SchemaDocument, ValidationReport
from .typed import checked
from .views import ItemDetails, ItemList, ItemView, Log, Summary, log_records
from .views import summary as summarise

if TYPE_CHECKING:
    from .briefing import BriefDocument
    from .delta import Diff
    from .positions import Comparison

#: A data file's path, as text or a path object.
PathLike = str | os.PathLike[str]
#: A version of the data file for ``diff``: a file's path (text or a path object) or, as text,
#: a git revision.
Version = str | os.PathLike[str]


def _load(file: PathLike | None, as_of: str | None) -> tuple[Document, LeftOut | None, str | None]:
    """The document, as it stood on ``as_of`` when given, what that left out, and the date
    ``as_of`` names (YYYY-MM-DD; None without one)."""
    doc = load(find_file(file))
    if as_of is None:
        return doc, None, None
    when = typed.date_in(doc.data, as_of, "as_of")
    doc, undated = doc.as_of(when)
    return doc, LeftOut(undated, when) if undated else None, when


@checked
def list_items(
    file: PathLike | None = None,
    filters: Filters | None = None,
    *,
    sort: str = "id",
    reverse: bool = False,
    limit: int | None = None,
    as_of: str | None = None,
) -> ItemList:
    """The items that pass ``filters`` (AND across fields, OR within one: ``query.Filters``),
    ordered by ``sort`` (id, party, status, priority, due, updated, kind, topic or title; ids
    naturally, US-2 before US-10), reversed with ``reverse``, at most ``limit`` of them (0 or more;
    ArgumentValueError when negative).

    Raises UsageError for a bad filter (unknown party, status, kind or round; a bad date;
    ``only_open`` with ``only_closed``) or sort field.
    """
    wanted = filters or Filters()
    if wanted.only_open and wanted.only_closed:
        raise UsageError(
            f"{OPTION} exclude each other; use one", option="open_closed", said="only_open and only_closed"
        )
    doc, left_out, when = _load(file, as_of)
    wanted = replace(
        wanted,
        kinds=[check_choice("kind", k, KINDS) for k in wanted.kinds],
        due_before=typed.date(wanted.due_before, "due_before") if wanted.due_before else None,
        today=when or date.today().isoformat(),
    )
    items = sort_items(select(doc.data, doc.vocab, wanted), sort, doc.vocab, reverse)
    if limit is not None:
        items = items[:limit]
    result = ItemList(items, doc.vocab, left_out=left_out)
    if not items:
        result.hint = _why_none(doc.items, wanted)
    return result


def _why_none(items: Sequence[Any], wanted: Filters) -> str | None:
    """Why a list found nothing, when a topic or tag asked for is on no item: which topics (or
    tags) there are, or that the word is a tag (or a topic) instead."""
    from .escape import clip, quoted
    from .model import fold
    from .validation import suggest

    have = {
        "topic": {fold(i["topic"]): i["topic"] for i in items if isinstance(i.get("topic"), str)},
        "tag": {fold(t): t for i in items for t in i.get("tags") or [] if isinstance(t, str)},
    }
    for what, other, asked in (("topic", "tag", wanted.topics), ("tag", "topic", wanted.tags)):
        for word in asked:
            if fold(word) in have[what]:
                continue
            if fold(word) in have[other]:
                count = sum(
                    1
                    for i in items
                    if fold(word)
                    in ({fold(t) for t in i.get("tags") or []} if other == "tag" else {fold(i.get("topic") or "")})
                )
                return f"no item has the {what} {quoted(word)}, but {count} {'has' if count == 1 else 'have'} it as a {other}"
            known = sorted(have[what].values())
            listed = clip(", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")) or "none"
            return f"no item has the {what} {quoted(word)}{suggest(word, known)}; {what}s: {listed}"
    return None


@checked
def show(file: PathLike | None, ids: str | Sequence[str], *, as_of: str | None = None) -> ItemDetails:
    """Everything about the items ``ids`` (any case), in that order: fields, links both ways,
    history, target progress.

    Raises UnknownId (with the closest ids); with ``as_of``, DemandsError for an item not
    raised yet on that date, or whose state then nothing in the file dates.
    """
    ids = typed.names(ids)
    doc = load(find_file(file))
    if as_of is not None:
        from .timeline import raised_on

        when = typed.date_in(doc.data, as_of, "as_of")
        known = {i: doc.item(i) for i in ids}
        doc, _undated = doc.as_of(when)
        for item in known.values():
            if item["id"].lower() in doc.index():
                continue
            first = raised_on(item)
            if first is None:
                raise DemandsError(
                    f"{item['id']}: nothing in the file dates its status (no history entry sets one, "
                    f"no source date), so its state on {when} is unknown"
                )
            raise DemandsError(f"{item['id']} was not raised yet on {when} (first recorded {first})")
    views = [ItemView.of_item(doc.data, doc.item(i)) for i in ids]
    return ItemDetails(views, doc.vocab)


@checked
def summary(file: PathLike | None = None, *, as_of: str | None = None) -> Summary:
    """Counts per party and status, closed of total per party, and target progress."""
    doc, left_out, _when = _load(file, as_of)
    result = summarise(doc.data, doc.vocab)
    result.left_out = left_out
    return result


@checked
def validate(paths: PathLike | Iterable[PathLike] | None = None, *, file: PathLike | None = None) -> ValidationReport:
    """Check each of ``paths`` (one path or several; default: the file ``file`` names, or the one
    found as usual): schema, references, statuses, dates and source quotes, every problem at once.

    A file that cannot be read at all (missing, a directory, too large) is reported as such
    (``FileReport.error``); FileNotFound when no file is given and none is found.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    targets = [Path(p) for p in paths] if paths else [find_file(file)]
    return ValidationReport([_check(target) for target in targets])


def _check(target: Path) -> FileReport:
    from .document import parse
    from .files import read_text

    try:
        doc = load(target)
        problems = check_quotes(doc)
        if problems and doc.node is None:
            problems = check_quotes(load(target, tree=True))
        return FileReport(str(target), len(doc.items), problems)
    except InvalidFile:
        # Report every problem at once: the quote check too, not only the first failure.
        try:
            text, bom, newline = read_text(target)
            parse(text, target, bom=bom, newline=newline, sources=True)
            return FileReport(str(target))
        except InvalidFile as err:
            return FileReport(str(target), problems=err.problems)
    except DemandsError as err:
        return FileReport(str(target), error=err)


@checked
def export(file: PathLike | None = None) -> ExportDocument:
    """The whole data set: every field of the file."""
    doc = load(find_file(file))
    return ExportDocument(doc.data, doc.path)


def schema() -> SchemaDocument:
    """The JSON Schema of the file format, for editors that check YAML as it is typed."""
    return SchemaDocument()


@checked
def diff(
    file: PathLike | None = None,
    old: Version | None = None,
    new: Version | None = None,
    *,
    since: str | None = None,
    round_id: str | None = None,
) -> Diff:
    """What changed between two versions of the file: items added, removed and changed field
    by field (status transitions first).

    ``old`` and ``new`` are file paths or git revisions of the file (``HEAD~1``, a tag,
    ``REV:path``) as text, or paths as ``pathlib.Path`` (or any ``os.PathLike``: always read as
    a file, never as a revision); ``old`` defaults to ``HEAD``, ``new`` to the file as it is.
    Or, with ``since`` (a date) or ``round_id`` (since that round began), the change rebuilt
    from the file's own history. Raises UsageError for both kinds at once or a revision
    beginning with ``-``, ArgumentTypeError/ArgumentValueError for a version that is neither
    text nor a path or holds a NUL character, FileNotFound/DemandsError for a version that does
    not exist or load.
    """
    from .gitrepo import read_version

    working = find_file(file)
    if since or round_id:
        if old or new:
            raise UsageError(
                f"give versions or {OPTION}, not both", option="since_round_versions", said="since/round_id"
            )
        return _changes_since(working, since, round_id)

    def version(spec: Version) -> tuple[str, Any]:
        """A version's label and data (only the data is kept: two versions of a large file
        held whole, texts and all, would double what a diff needs)."""
        from .document import from_held
        from .files import read_raw

        if isinstance(spec, str):
            label, raw = read_version(spec, working)
        else:  # a path object names a file, never a revision
            label, raw = os.fspath(spec), read_raw(Path(spec))
        held = [raw]
        del raw
        try:
            return label, from_held(held, Path(label)).data
        except InvalidFile as err:
            raise DemandsError(f"{label} does not load: {err.problems[0]}") from None

    from .delta import diff_data

    old_label, old_data = version(old or "HEAD")
    if new is None:
        new_data, new_label = load(working).data, str(working)
    else:
        new_label, new_data = version(new)
    return diff_data(old_data, new_data, old_label, new_label)


def _changes_since(working: Path, since: str | None, round_id: str | None) -> Diff:
    """The change since a date (or since a round began), rebuilt from history."""
    from .delta import diff_data, since_state, without

    doc = load(working)
    if round_id:
        rid, start = round_start(doc.data, round_id)
        label = f"before {rid} ({start})"
    else:
        start = typed.date_in(doc.data, since, "since")
        label = f"before {start}"
    old_state, undated = since_state(doc.data, start)
    result = diff_data(old_state, without(doc.data, undated), label, f"{working} (now)")
    result.left_out = LeftOut(undated, start, since=True) if undated else None
    return result


@checked
def log(
    file: PathLike | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    parties: str | Sequence[str] = (),
    round_id: str | None = None,
    limit: int | None = None,
) -> Log:
    """Every history entry across items as a timeline, newest first: on or after ``since``,
    on or before ``until``, of items ``parties`` raised (ids, names or aliases), in round
    ``round_id``, at most ``limit`` entries (0 or more, the newest kept; ArgumentValueError when
    negative)."""
    doc = load(find_file(file))
    records = log_records(
        doc.data,
        since=typed.date_in(doc.data, since, "since") if since else None,
        until=typed.date(until, "until") if until else None,
        parties={resolve_party(doc.data, p) for p in typed.names(parties)} or None,
        round_id=resolve_round(doc.data, round_id) if round_id else None,
        limit=limit,
    )
    return Log(records, doc.vocab)


@checked
def brief(
    file: PathLike | None = None,
    *,
    parties: str | Sequence[str] = (),
    since: str | None = None,
    round_id: str | None = None,
    as_of: str | None = None,
    title: str | None = None,
) -> BriefDocument:
    """The Markdown brief: state of play, positions per party, conflicts, changes since the
    last round began (or ``since``, or since ``round_id`` began), deadlines and targets,
    sources; of ``parties`` only, when given; titled ``title`` (default: the file's)."""
    from .briefing import BriefDocument, compose

    if since and round_id:
        raise UsageError(f"give {OPTION}, not both", option="since_round", said="since or round_id")
    doc, left_out, when = _load(file, as_of)
    since_date = typed.date_in(doc.data, since, "since") if since else None
    label = None
    if round_id:
        rid, since_date = round_start(doc.data, round_id)
        label = f"{rid} ({since_date})"
    today = when or date.today().isoformat()
    chosen = {resolve_party(doc.data, p) for p in typed.names(parties)} or None
    text = compose(doc.data, today=today, title=title, parties=chosen, since=since_date, since_label=label)
    result = BriefDocument(text, doc.path)
    result.left_out = left_out
    return result


@checked
def compare(
    file: PathLike | None, a: str, b: str, *, topics: str | Sequence[str] = (), as_of: str | None = None
) -> Comparison:
    """Parties ``a`` and ``b`` (ids, names or aliases) side by side per topic (``topics``
    only, when given): what each asks of the other, offers and refuses, and where they
    conflict. UsageError for an unknown party or the same party twice."""
    from .positions import compare as side_by_side

    doc, left_out, _when = _load(file, as_of)
    left, right = resolve_party(doc.data, a), resolve_party(doc.data, b)
    if left == right:
        raise UsageError("compare needs two different parties")
    result = side_by_side(doc.data, left, right, topics=set(typed.names(topics)) or None)
    result.left_out = left_out
    return result
