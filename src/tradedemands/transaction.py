"""Write transactions: change a data file under its lock, check the result, write it, record its undo.

``transact`` runs one change (a function of the loaded ``Document`` and an ``Editor``)
under the writers' lock (``lock``), checks the new text before it replaces the file
(``check_whole``, or with a warm parse cache ``regions.check_regions``), replaces the
file atomically (``atomic``), and records how to reverse the change in the undo journal
(``journal``) and the new version in the parse cache. ``undo`` reverses the last write.

Inside ``dry_run()`` both do everything but write: the change is made and checked as for a
write, and its text before and after is kept as a ``Preview`` instead; no lock is taken (a
dry run reads the file as any reader does: it is always one whole version), nothing is
written, and no undo level is recorded.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from . import cache
from .atomic import replace
from .collector import paused
from .document import Document, load, parse
from .editor import Editor
from .errors import DemandsError, InvalidFile
from .files import encode, read_text
from .journal import (
    JournalDamaged,
    Warn,
    journal_path,
    read_journal,
    record,
    set_aside,
    sha,
    warn_by_default,
    write_journal,
)
from .lock import locked
from .regions import MISREAD, check_regions, item_spans, lazy_root, refuse
from .signals import writing
from .sources import quote_problems
from .splices import Splice, apply_splices, reverse_splices
from .versioncheck import Expected

T = TypeVar("T")


@dataclass(frozen=True)
class Undone:
    """What ``undo`` reverted: the write ``what`` (``mark US-1 agreed``, as it was recorded).
    ``already``: the file was back to before it already (an earlier undo was cut short after
    replacing the file), so only its record was dropped."""

    what: str
    already: bool = False


@dataclass(frozen=True)
class Preview:
    """What a write would do to the file at ``path`` (``dry_run``): its text ``before`` and ``after``."""

    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        """Whether the write would change the file."""
        return self.before != self.after

    def diff(self, context: int = 3) -> str:
        """The change as a unified diff of the file's lines (``--- path`` / ``+++ path``), "" for none.

        Lines are the file's own: each ends at a ``\\n`` (``\\r\\n`` keeps its ``\\r``), as git
        counts them; NEL, U+2028 or a lone ``\\r`` inside a quoted YAML value is text on its line.
        The text is the file's, control characters included (the command line shows them safely).
        """
        import difflib

        from .typed import argument

        argument("count", "context", context)
        name = str(self.path)
        old = name if self.before else "/dev/null"  # a new file, as git shows one
        lines = difflib.unified_diff(file_lines(self.before), file_lines(self.after), old, name, n=context)
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def file_lines(text: str) -> list[str]:
    """``text``'s lines as a file holds them: split after each ``\\n`` only, each keeping its end
    (``str.splitlines`` would also split at ``\\r``, NEL, U+2028, U+2029 and other breaks that
    YAML reads as text inside a quoted value)."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


#: The previews of the writes made inside ``dry_run`` (None: writes are real).
_PREVIEWS: ContextVar[list[Preview] | None] = ContextVar("tradedemands_previews", default=None)


@contextlib.contextmanager
def dry_run() -> Iterator[list[Preview]]:
    """Within this block, writes (``transact``, ``undo``: every write function of the library)
    change nothing: each is made and checked as usual, then recorded in the list yielded, as a
    ``Preview`` of the file's text before and after, instead of written. No lock is taken and no
    undo level recorded. Example::

        with tradedemands.dry_run() as previews:
            tradedemands.mark("data/demands.yaml", "US-7", "agreed")
        print(previews[0].diff())
    """
    previews: list[Preview] = []
    token = _PREVIEWS.set(previews)
    try:
        yield previews
    finally:
        _PREVIEWS.reset(token)


def previewing(path: Path, before: str, after: str) -> bool:
    """In a dry run, keep a write of ``path`` from the text ``before`` to ``after`` as a Preview
    and return True (the caller then writes nothing); outside one, False."""
    previews = _PREVIEWS.get()
    if previews is None:
        return False
    previews.append(Preview(path, before, after))
    return True


@contextlib.contextmanager
def _guarded(path: Path, previews: list[Preview] | None) -> Iterator[None]:
    """The lock and signal guard of a write; nothing for a dry run, which writes nothing."""
    if previews is not None:
        yield
        return
    with writing(str(path)), locked(path):
        yield


def transact(
    path: Path,
    change: Callable[[Document, Editor], T],
    what: str | Callable[[T], str],
    warn: Warn | None = None,
) -> tuple[T, bool]:
    """Run ``change`` on the file under its lock and write the result safely.

    The result is checked before it replaces the file: with a warm parse cache, the lines
    of the items that changed are re-parsed and compared with the intended items and the
    whole intended data is validated; otherwise the whole new text is re-parsed, validated
    and compared. New or changed source quotes are checked. ``what`` (or ``what(result)``)
    names the change in the undo journal. Returns ``change``'s result and whether the file
    was written. Just before the rename the file must still be the version read (another
    program may have saved it meanwhile): else ``versioncheck.FileChanged`` and nothing is written.

    An undo record that cannot be kept (state folder full or read-only, a damaged journal
    set aside) does not stop the write: ``warn`` gets one line saying so (default: a
    JournalWarning through ``warnings``). Raises DemandsError (the file unchanged) for
    everything else; a signal (``signals.Interrupted``) leaves the old file and no
    temporary file.
    """
    say = warn or warn_by_default
    previews = _PREVIEWS.get()
    with _guarded(path, previews), paused():
        expected = Expected(path)
        doc = load(path, edit=True)
        warm = doc.node is None
        root = lazy_root(doc.text, doc.spans) if warm and doc.spans else None
        if warm and root is None:
            expected = Expected(path)
            doc = load(path, tree=True)
            warm = False
        expected.holds(_same_as(doc))
        editor = Editor.of(doc.text, root if root is not None else doc.node, doc.data, doc.newline)  # type: ignore[arg-type]
        result = change(doc, editor)
        if not editor.splices:
            if previews is not None:
                previews.append(Preview(path, doc.text, doc.text))
            return result, False
        new_text = editor.result()
        parsed: dict[int, Any] = {}
        spans = check_regions(doc, editor, new_text, parsed) if warm else None
        written = editor.data
        if spans is None:
            spans, written = check_whole(doc, editor, new_text)
        elif parsed:
            # The cache keeps the items as a parse reads them back (they equal the intended ones).
            written = {**editor.data, "demands": list(editor.data["demands"])}
            for n, item in parsed.items():
                written["demands"][n] = item
        touched = sources_changed(doc.data, editor.data)
        if touched:
            fresh = set().union(*touched.values())
            found = [
                (where, message)
                for where, message in quote_problems(editor.data, doc.path.resolve().parent, set(touched))
                if where[:-1] in fresh
            ]
            if found:
                raise DemandsError(f"refusing to write: {found[0][1]}; nothing was changed")
        if previews is not None:
            previews.append(Preview(path, doc.text, new_text))
            return result, False
        raw = encode(new_text, doc.bom)
        # Each text is hashed once: without a byte-order mark a file's cache key is its text's hash.
        key = cache.key_of(raw)
        reverse = reverse_splices(doc.text, editor.splices)
        entry = {
            "what": what(result) if callable(what) else what,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "before": doc.cached.key if doc.cached is not None and not doc.bom else sha(doc.text),
            "after": key if not doc.bom else sha(new_text),
            "splices": [[s.start, s.end, s.text] for s in reverse],
        }

        def remember() -> None:
            record(path, entry, say)
            if len(raw) >= cache.min_bytes():
                from .chunks import remember as keep

                keep(key, new_text, path, written, spans, doc.cached, (doc.text, editor.splices))

        replace(path, raw, label=str(path), then=remember, expected=expected)
    return result, True


def _same_as(doc: Document) -> Callable[[bytes], bool]:
    """Whether a file's bytes are those ``doc`` was read from: their hash against the cache key
    when the document came through the cache, else the bytes themselves."""
    if doc.cached is not None:
        key = doc.cached.key
        return lambda raw: cache.key_of(raw) == key
    return lambda raw: raw == encode(doc.text, doc.bom)


def check_whole(doc: Document, editor: Editor, new_text: str) -> tuple[list[list[int]], Any]:
    """Re-parse the whole new text: it must validate and equal the intended data. Returns the
    items' spans in it, and the data as parsed."""
    try:
        new_doc = parse(new_text, doc.path, bom=doc.bom, newline=doc.newline)
    except InvalidFile as err:
        raise refuse(err.problems[0].message) from None
    if new_doc.data != editor.data:
        raise DemandsError(MISREAD)
    return item_spans(new_text, new_doc.node), new_doc.data


def sources_changed(old: Any, new: Any) -> dict[str, set[tuple[Any, ...]]]:
    """The sources of ``new`` that ``old`` does not have: for each item (its folded id), where
    they are (``("demands", i, "source")``, ``("demands", i, "history", j, "source")``). A
    source the item had already (an entry moved by a back-dated one) is not new."""

    def sources(item: Any, i: int) -> list[tuple[tuple[Any, ...], Any]]:
        found: list[tuple[tuple[Any, ...], Any]] = [(("demands", i, "source"), item.get("source"))]
        found += [
            (("demands", i, "history", j, "source"), e.get("source")) for j, e in enumerate(item.get("history") or [])
        ]
        return [(path, source) for path, source in found if source]

    # Items that are the very objects of ``old`` (an edit copies what it changes) are the same.
    same = {id(item) for item in old.get("demands") or []}
    made = [(i, item) for i, item in enumerate(new.get("demands") or []) if id(item) not in same]
    if not made:
        return {}
    wanted = {item["id"].lower() for _i, item in made}
    before = {
        item["id"].lower(): [s for _p, s in sources(item, 0)]
        for item in old.get("demands") or []
        if item["id"].lower() in wanted
    }
    changed: dict[str, set[tuple[Any, ...]]] = {}
    for i, item in made:
        known = before.get(item["id"].lower(), [])
        fresh = {path for path, source in sources(item, i) if source not in known}
        if fresh:
            changed[item["id"].lower()] = fresh
    return changed


def undo(path: Path, warn: Warn | None = None) -> Undone:
    """Revert the last write this tool made to ``path``; returns what it undid.

    An undo already applied (a killed ``undo`` that replaced the file but kept its
    record: the file equals the state before that write) is recognised, and its record
    dropped. Raises DemandsError when there is nothing to undo, when the file changed
    since by other means, and when the journal is damaged (it is then set aside).
    """
    say = warn or warn_by_default
    previews = _PREVIEWS.get()
    with _guarded(path, previews):
        try:
            journal = read_journal(path, set_damaged_aside=previews is None)
        except JournalDamaged as err:
            raise DemandsError(f"nothing to undo: {err}; use git to restore an older version") from None
        if not journal:
            raise DemandsError(f"nothing to undo: no write by demands to {path} is recorded")
        last = journal[-1]
        expected = Expected(path)
        text, bom, _newline = read_text(path)
        expected.holds(lambda raw: raw == encode(text, bom))
        current = sha(text)
        if current == last["before"] and current != last["after"]:
            if previews is not None:
                previews.append(Preview(path, text, text))
                return Undone(str(last["what"]), already=True)
            failure = write_journal(path, journal[:-1])
            if failure:
                raise DemandsError(f"{failure}; the file is as it was before {last['what']} already")
            return Undone(str(last["what"]), already=True)
        if current != last.get("after"):
            raise DemandsError(
                f"{path} changed since demands last wrote it ({last.get('what')}); "
                "undo refuses to overwrite those changes: use git to restore an older version"
            )
        splices = [Splice(a, b, t, n) for n, (a, b, t) in enumerate(last["splices"])]
        try:
            before = apply_splices(text, splices)
        except DemandsError:
            before = None
        if before is None or sha(before) != last["before"]:
            if previews is not None:
                raise DemandsError(
                    f"the undo record of {last['what']} does not lead back to the file before it (damaged); "
                    f"{path} is unchanged: use git to restore an older version"
                )
            aside = set_aside(journal_path(path))
            raise DemandsError(
                f"the undo record of {last['what']} does not lead back to the file before it (damaged); "
                f"the journal is set aside{aside}, {path} is unchanged: use git to restore an older version"
            )
        if previews is not None:
            previews.append(Preview(path, text, before))
            return Undone(str(last.get("what")))

        def pop() -> None:
            failure = write_journal(path, journal[:-1])
            if failure:
                say(f"{failure}; the file is reverted, and the next 'demands undo' will clear this record")

        replace(path, encode(before, bom), label=str(path), then=pop, expected=expected)
    return Undone(str(last.get("what")))
