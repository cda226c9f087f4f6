"""Three-way merge of a demands file, item by item and field by field, and its git set-up.

``merge`` makes THEIRS' changes since BASE to OURS' text with the text-splice Editor,
so every part of OURS that THEIRS left alone stays byte-identical: comments, order,
quoting, layout. Entries THEIRS added (items, rounds, history entries, links) are
copied over as THEIRS wrote them, with the comment lines directly above them; a
field THEIRS changed is set in OURS' layout. Items match by id (any case), rounds
by id, statuses by name, parties by key; tags, links and other short lists merge
as sets; ``history`` and target ``progress`` are dated timelines: they keep what both
sides added, each entry in its place by date (of one date, ours first), and an item's
status is then the latest-dated one, whichever side set it. Both sides setting
different statuses on the same latest date is a conflict.

An item both sides added under one id stays one item when it is the same on both sides
or one side's has more added to it (a note, progress, a tag: merged field by field);
a truly different one stays as OURS wrote it, and THEIRS' comes over renumbered to that
party's next free id, its links following. Where both sides changed the same thing
differently, OURS' version stays and a
``Conflict`` says what differs; so does a comment line THEIRS added that the merge
cannot place (inside an item), so that no comment is lost unsaid. The merged text is re-parsed, validated and compared
with the intended data before it is returned. Applying THEIRS' changes is ``merger``'s work;
registering the driver with git is ``gitsetup``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import replace
from .document import Document, parse
from .editor import Editor
from .errors import DemandsError, InvalidFile
from .files import encode, newline_of, read_text
from .merger import Conflict, Merger, one_entry, show
from .model import id_prefix, party_ids
from .signals import writing


@dataclass
class MergeResult:
    """The merged text (OURS with THEIRS' changes) and what could not be merged."""

    text: str
    conflicts: list[Conflict] = field(default_factory=list)
    #: How many changes came over from THEIRS.
    taken: int = 0
    #: Whether ``text`` differs from OURS.
    changed: bool = False
    #: OURS began with a byte-order mark (``merge_files`` only): write it back with one.
    bom: bool = False
    #: Items both sides added under one id, differently: (the id, the id theirs now has).
    renumbered: list[tuple[str, str]] = field(default_factory=list)

    def renumbering(self) -> str:
        """The renumbering in one line (empty when nothing was renumbered)."""
        if not self.renumbered:
            return ""
        old = ", ".join(o for o, _n in self.renumbered)
        new = ", ".join(n for _o, n in self.renumbered)
        if len(self.renumbered) == 1:
            return f"both sides added {old}: theirs is renumbered {new}, and their links to it follow"
        return f"both sides added {old}: theirs are renumbered {new}, and their links to them follow"


def _comment_lines(text: str) -> set[str]:
    """The comment lines of ``text``, stripped (lines end at ``\n`` only, as in git and YAML 1.2:
    ``str.splitlines`` would also break inside quoted text at NEL, U+2028 or a lone CR)."""
    return {line.strip() for line in text.split("\n") if line.lstrip().startswith("#")}


def _blank(text: str) -> bool:
    """No YAML content at all (git passes an empty BASE when both sides added the file)."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.split("\n"))


def ours_only(name: str) -> str:
    """What the driver says whenever it cannot apply THEIRS: the file is OURS, untouched."""
    return f"{name} holds ours only and theirs is NOT applied: merge it by hand (git show :3:{name} shows theirs)"


def _load(text: str, name: str, side: str) -> Document:
    try:
        return parse(text, Path(name), newline=newline_of(text))
    except InvalidFile as err:
        first = err.problems[0]
        more = len(err.problems) - 1
        also = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
        raise DemandsError(
            f"cannot merge {name}: {side} version does not load (line {first.line}, column {first.column}: "
            f"{first.message}{also}); {ours_only(name)}"
        ) from None


def _item_ids(data: Any) -> list[str]:
    items = data.get("demands") if isinstance(data, dict) else None
    return [str(i["id"]) for i in items or [] if isinstance(i, dict) and i.get("id") is not None]


def _renumber(
    base: Any, ours: Document, theirs: Document, name: str, also: set[str]
) -> tuple[Document, list[tuple[str, str]]]:
    """THEIRS with each item it added under an id OURS also added, as a different item, renumbered.

    Which items are one is decided once, on both sides as written, before any link is
    rewritten: an item equal on both sides, or one side's with more added (a note, a
    progress entry, a tag: ``merger.one_entry``), is one item and keeps its id. Only a
    truly different item is renumbered: ``<PARTY>-<n>`` (``US-CN-<n>`` for an agreement:
    ``model.id_prefix``), n one more than the highest any version uses for that prefix, so it is free in the merged result. THEIRS' links to the
    old id follow, from every item of theirs (no link to the old id existed in BASE), so
    an item that is one on both sides keeps ours' link and gains theirs'. ``also``: ids (lower
    case) taken besides the three versions' (the items a reduced merge left out).
    """
    in_base = {i.lower() for i in _item_ids(base)}
    used = in_base | {i.lower() for i in _item_ids(ours.data)} | {i.lower() for i in _item_ids(theirs.data)} | also
    mine = {str(i.get("id")).lower(): i for i in ours.items}
    clashes = [
        (j, item)
        for j, item in enumerate(theirs.items)
        if str(item.get("id")).lower() not in in_base
        and str(item.get("id")).lower() in mine
        and not one_entry(mine[str(item.get("id")).lower()], item)
    ]
    if not clashes:
        return theirs, []
    editor = Editor.of(theirs.text, theirs.node, theirs.data, theirs.newline)  # type: ignore[arg-type]
    new_ids: dict[str, str] = {}
    renumbered: list[tuple[str, str]] = []
    for j, item in clashes:
        prefix = id_prefix(party_ids(item.get("party")), list(theirs.data.get("parties") or {}))
        pattern = re.compile(re.escape(prefix.lower()) + r"(\d+)")
        numbers = [int(found.group(1)) for u in used if (found := pattern.fullmatch(u))]
        new = f"{prefix}{max(numbers, default=0) + 1}"
        used.add(new.lower())
        new_ids[str(item["id"]).lower()] = new
        renumbered.append((str(item["id"]), new))
        editor.set(("demands", j, "id"), new)
    for k, item in enumerate(theirs.items):
        for n, link in enumerate(item.get("links") or []):
            target = new_ids.get(str(link.get("id")).lower()) if isinstance(link, dict) else None
            if target is not None:
                editor.set(("demands", k, "links", n, "id"), target)
    try:
        return parse(editor.result(), Path(name), newline=theirs.newline), renumbered
    except InvalidFile as err:  # pragma: no cover - a renamed id and its links stay valid
        raise DemandsError(
            f"cannot merge {name}: renumbering their {', '.join(o for o, _n in renumbered)} failed "
            f"({err.problems[0].message}); {ours_only(name)}"
        ) from None


def merge(base: str, ours: str, theirs: str, name: str = "the file") -> MergeResult:
    """Merge THEIRS' changes since BASE into OURS (texts without a BOM); ``name`` is used in messages.

    An item both sides added under one id, differently, is kept as ours wrote it, and theirs
    comes over renumbered (``MergeResult.renumbered``); the same item added on both sides, or
    one with more added on one side (a note, progress, a tag), is one item, merged.
    Raises DemandsError, with one line saying why, when a version does not load or the
    merged file would not be valid (a link to an item the other side deleted, ...).

    A large file is merged on its items that differ (``chunkmerge``): the items whose text is
    the same in all three versions are left out of the parse and put back untouched, so memory
    and time follow the size of the change, not of the file. Where that cannot be done exactly
    (see ``chunkmerge``), or anything goes wrong, the three texts are merged whole, which
    gives the same result and reports any problem with its line in the whole file.
    """
    if not _blank(base):
        from .chunkmerge import reduce

        reduced = reduce(base, ours, theirs)
        if reduced is not None:
            done = _reduced_merge(reduced, base, ours, theirs, name)
            if done is not None:
                return done
    return _merge(base, ours, theirs, name)


def _reduced_merge(reduced: Any, base: str, ours: str, theirs: str, name: str) -> MergeResult | None:
    """``merge`` on the reduced texts, its edits made to OURS' whole text; None to merge whole."""
    from .chunkmerge import head_covers

    try:
        ours_doc = _load(reduced.ours, name, "our")
        theirs_doc = _load(reduced.theirs, name, "their")
        base_data: Any = _load(reduced.base, name, "the common ancestor's").data
    except DemandsError:
        return None
    if theirs in (base, ours):
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs, taken=1, changed=True)
    try:
        done = _apply(reduced.base, base_data, ours_doc, theirs_doc, name, known=(base, ours), used=reduced.omitted_ids)
    except DemandsError:
        return None
    merger, merged, renumbered, theirs_reduced = done
    if theirs_reduced.count("\n") != reduced.theirs.count("\n"):
        return None  # renumbering moved their lines: their line numbers are the whole merge's to give
    if not all(head_covers(d, base_data) for d in (merged.data, ours_doc.data, theirs_doc.data)):
        # A party, round or status of BASE's changed or gone (on either side, or in the merge):
        # the items left out are checked against it only by a whole parse.
        return None
    splices = [(s.start, s.end, s.text, s.order) for s in merger.editor.splices]
    text = reduced.expand(splices)
    if text is None:
        return None
    conflicts = list(merger.conflicts) + _lost_comments(base, text, theirs)
    return MergeResult(text, conflicts, merger.taken, text != ours, renumbered=renumbered)


def _apply(
    base: str, base_data: Any, ours_doc: Document, theirs_doc: Document, name: str, *, known: Any, used: set[str]
) -> tuple[Merger, Document, list[tuple[str, str]], str]:
    """THEIRS' changes made to OURS: the merger (its editor and conflicts), the merged document,
    the renumbering and THEIRS' text as renumbered. ``known``: the texts whose comment lines need
    not come over again; ``used``: ids taken besides those of the three versions given."""
    theirs_doc, renumbered = _renumber(base_data, ours_doc, theirs_doc, name, used)
    failure = ""
    for verbatim in (True, False):
        merger = Merger(base, base_data, ours_doc, theirs_doc, verbatim, known=known)
        try:
            merger.run()
            text = merger.editor.result()
            merged = parse(text, Path(name), newline=ours_doc.newline)
        except InvalidFile as err:
            failure = f"the merged file would not be valid ({err.problems[0].message})"
            continue
        except DemandsError as err:
            failure = str(err)
            continue
        if merged.data != merger.editor.data:
            failure = "internal error: the merged text does not read back as intended (please report this)"
            continue
        return merger, merged, renumbered, theirs_doc.text
    raise DemandsError(f"cannot merge {name}: {failure}; {ours_only(name)}")


def _lost_comments(base: str, text: str, theirs: str) -> list[Conflict]:
    """A conflict naming the comment lines THEIRS added that the merged ``text`` lacks."""
    kept = _comment_lines(base) | _comment_lines(text)  # once: per comment line it made the merge quadratic
    lost = [
        (n, line.strip())
        for n, line in enumerate(theirs.split("\n"), 1)
        if line.lstrip().startswith("#") and line.strip() not in kept
    ]
    if not lost:
        return []
    n, first = lost[0]
    count = f"{len(lost)} comment lines" if len(lost) > 1 else "a comment line"
    return [
        Conflict(
            "comments",
            f"theirs added {count} the merge cannot place (their line {n}: {show(first)}): copy it by hand",
        )
    ]


def _merge(base: str, ours: str, theirs: str, name: str) -> MergeResult:
    """``merge`` on the whole texts."""
    ours_doc = _load(ours, name, "our")
    theirs_doc = _load(theirs, name, "their")
    base_data: Any = {} if _blank(base) else _load(base, name, "the common ancestor's").data
    if theirs in (base, ours):
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs, taken=1, changed=True)
    merger, _merged, renumbered, theirs = _apply(base, base_data, ours_doc, theirs_doc, name, known=None, used=set())
    text = merger.editor.result()
    conflicts = list(merger.conflicts) + _lost_comments(base, text, theirs)
    return MergeResult(text, conflicts, merger.taken, text != ours, renumbered=renumbered)


def merge_files(base: Path, ours: Path, theirs: Path, name: str | None = None) -> MergeResult:
    """``merge`` on three files (git's %O %A %B); writes nothing. The result keeps OURS' BOM."""
    label = name or str(ours)
    texts = []
    bom = False
    for n, (path, side) in enumerate(((base, "the common ancestor's"), (ours, "our"), (theirs, "their"))):
        try:
            text, has_bom, _newline = read_text(path)
        except InvalidFile as err:
            raise DemandsError(
                f"cannot merge {label}: {side} version does not load ({err.problems[0].message}); {ours_only(label)}"
            ) from None
        except DemandsError as err:
            raise DemandsError(f"cannot merge {label}: {err}; {ours_only(label)}") from None
        texts.append(text)
        bom = has_bom if n == 1 else bom
    result = merge(texts[0], texts[1], texts[2], label)
    result.bom = bom
    return result


def merge_into_ours(base: Path, ours: Path, theirs: Path, name: str | None = None) -> MergeResult:
    """The merge driver's work: merge THEIRS into OURS (git's %O %A %B) and replace OURS' file
    with the result, atomically, when it differs. ``name`` (git's %P) names the file in
    messages. Raises DemandsError as ``merge_files`` and ``atomic.replace`` do; OURS' file is
    then unchanged."""
    label = name or str(ours)
    with writing(label):
        result = merge_files(base, ours, theirs, label)
        if result.changed:
            replace(ours, encode(result.text, result.bom), label=label)
    return result
