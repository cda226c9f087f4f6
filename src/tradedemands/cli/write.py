"""Changing the file: ``add``, ``mark``, ``note``, ``edit``, ``link``, ``unlink``, ``remove``, ``undo``, ``init``.

Every change runs through ``change``, the one place between a write command and the library
(where ``--dry-run`` will hook); its confirmation is worded by ``wording`` and goes to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from . import wording
from .main import app
from .options import (
    AddTagsOpt,
    DateOpt,
    DueOpt,
    EntrySourceDocOpt,
    EntrySourceQuoteOpt,
    EntrySourceUrlOpt,
    FileOpt,
    InitialStatusOpt,
    ItemArg,
    KindOpt,
    LinkedArg,
    LinkingArg,
    NewDueOpt,
    NewKindOpt,
    NewOfOpt,
    NewPriorityOpt,
    NewTagsOpt,
    NewTextOpt,
    NewTitleOpt,
    NewTopicOpt,
    OfOpt,
    PriorityOpt,
    RaisedByOpt,
    RemoveTagsOpt,
    RoundOpt,
    TextOpt,
    TitleOpt,
    TopicOpt,
    WhyOpt,
    complete_ids,
    complete_ids_then_status,
    complete_relations,
)
from .output import done, echo, fail, safe, warn

T = TypeVar("T")


def change(operation: Callable[..., T], file: str | None, *args: Any, **kwargs: Any) -> T:
    """Run a write operation of the library (``tradedemands.write``) on the file: every write
    command goes through here. Warnings (an undo record that could not be kept) go to stderr."""
    return operation(file, *args, warn=warn, **kwargs)


@app.command()
def add(
    party: RaisedByOpt,
    title: NewTitleOpt,
    kind: NewKindOpt = None,
    of: NewOfOpt = None,
    text: NewTextOpt = None,
    topic: NewTopicOpt = None,
    tag: NewTagsOpt = None,
    priority: NewPriorityOpt = None,
    due: NewDueOpt = None,
    status: InitialStatusOpt = None,
    item_id: Annotated[
        str | None,
        typer.Option("--id", help="The id (default: PARTY-n, one more than the highest).", show_default=False),
    ] = None,
    source_doc: Annotated[
        str | None, typer.Option("--source-doc", help="Source document, e.g. seeds/article.txt.", show_default=False)
    ] = None,
    source_quote: Annotated[
        str | None, typer.Option("--source-quote", help="Verbatim quote from the source document.", show_default=False)
    ] = None,
    date_: DateOpt = None,
    round_: RoundOpt = None,
    file: FileOpt = None,
) -> None:
    """Add an item; prints its new id on stdout."""
    from .. import write

    fields = {"kind": kind, "of": of, "text": text, "topic": topic, "priority": priority, "due": due, "status": status}
    new_id = change(
        write.add,
        file,
        party=party,
        title=title,
        tags=tag or [],
        item_id=item_id,
        source_doc=source_doc,
        source_quote=source_quote,
        date=date_,
        round_id=round_,
        **fields,
    )
    done(f"added {new_id}")
    echo(new_id)


@app.command()
def mark(
    args: Annotated[
        list[str],
        typer.Argument(
            help="One or more ids, then the new status.",
            metavar="ID... STATUS",
            show_default=False,
            autocompletion=complete_ids_then_status,
        ),
    ],
    note: WhyOpt = None,
    date_: DateOpt = None,
    round_: RoundOpt = None,
    source_doc: EntrySourceDocOpt = None,
    source_quote: EntrySourceQuoteOpt = None,
    source_url: EntrySourceUrlOpt = None,
    file: FileOpt = None,
) -> None:
    """Change the status of items; each change appends a dated history entry, citing its source."""
    from .. import write
    from ..errors import UsageError

    if len(args) < 2:
        raise UsageError("give one or more ids and then the status, like: demands mark US-1 rejected")
    *ids, status = args
    sources = {"source_doc": source_doc, "source_quote": source_quote, "source_url": source_url}
    for each in change(write.mark, file, ids, status, date=date_, note=note, round_id=round_, **sources):
        done(wording.marked(each))


@app.command()
def note(
    item_id: ItemArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What happened.", show_default=False)],
    date_: DateOpt = None,
    round_: RoundOpt = None,
    source_doc: EntrySourceDocOpt = None,
    source_quote: EntrySourceQuoteOpt = None,
    source_url: EntrySourceUrlOpt = None,
    file: FileOpt = None,
) -> None:
    """Append a dated note to an item's history, without changing its status."""
    from .. import write

    sources = {"source_doc": source_doc, "source_quote": source_quote, "source_url": source_url}
    done(wording.noted(change(write.note, file, item_id, text, date=date_, round_id=round_, **sources)))


@app.command()
def edit(
    item_id: ItemArg,
    title: TitleOpt = None,
    text: TextOpt = None,
    topic: TopicOpt = None,
    add_tag: AddTagsOpt = None,
    remove_tag: RemoveTagsOpt = None,
    priority: PriorityOpt = None,
    due: DueOpt = None,
    of: OfOpt = None,
    kind: KindOpt = None,
    file: FileOpt = None,
) -> None:
    """Change an item's fields. Status changes go through 'demands mark'."""
    from .. import write

    fields = {"title": title, "text": text, "topic": topic, "priority": priority, "due": due, "of": of, "kind": kind}
    tags = {"add_tags": add_tag or [], "remove_tags": remove_tag or []}
    done(wording.edited(change(write.edit, file, item_id, **fields, **tags)))


@app.command()
def link(
    item_id: LinkingArg,
    rel: Annotated[
        str,
        typer.Argument(
            metavar="REL",
            help="responds-to, conflicts-with, conditional-on or related.",
            show_default=False,
            autocompletion=complete_relations,
        ),
    ],
    other: LinkedArg,
    file: FileOpt = None,
) -> None:
    """Link an item to another: ID responds-to|conflicts-with|conditional-on|related OTHER."""
    from .. import write

    done(wording.linked(change(write.link, file, item_id, rel, other)))


@app.command()
def unlink(item_id: LinkingArg, other: LinkedArg, file: FileOpt = None) -> None:
    """Remove the links from ID to OTHER."""
    from .. import write

    done(wording.unlinked(change(write.unlink, file, item_id, other)))


@app.command()
def remove(
    item_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="The item to delete.", show_default=False, autocompletion=complete_ids),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Also remove the links other items make to it.")] = False,
    file: FileOpt = None,
) -> None:
    """Delete an item (asks first unless --yes); refuses while others link to it unless --force."""
    from .. import write
    from ..document import load
    from ..errors import UsageError
    from ..files import find_file

    path = find_file(file)
    if not yes:
        item = load(path).item(item_id)
        if not sys.stdin.isatty():
            raise UsageError(f"not removing {item['id']} without confirmation: pass --yes")
        if not typer.confirm(f"Remove {safe(item['id'])} ({safe(item['title'])})?", default=False):
            fail("nothing removed")
    done(wording.removed(change(write.remove, str(path), item_id, force=force)))


@app.command()
def undo(file: FileOpt = None) -> None:
    """Revert the last write demands made to the file (repeat for more); refuses if it changed since."""
    from .. import write

    done(wording.undone(change(write.undo, file)))


@app.command()
def init(
    path: Annotated[
        str | None, typer.Argument(help="Where to write it (default: demands.yaml).", show_default=False)
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The negotiation's title.", show_default=False)] = None,
) -> None:
    """Write a new, valid, commented skeleton file; never overwrites."""
    from .. import write

    target = write.init(path, title)
    done(f"wrote {target}: edit the parties, then 'demands add --party ... --title ...'")
