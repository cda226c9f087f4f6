"""Changing the file: ``add``, ``mark``, ``note``, ``edit``, ``link``, ``unlink``, ``remove``, ``undo``, ``init``.

Every change runs through ``change``, the one place between a write command and the library
(and where ``--dry-run`` turns a write into a preview); its confirmation is worded by
``wording`` and goes to stderr. ``edit`` with no field option, and ``add --edit``, open the
item in ``$VISUAL``/``$EDITOR`` (``editing``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer

from . import editing, wording
from .main import app
from .options import (
    AddTagsOpt,
    DateOpt,
    DryRunOpt,
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
    examples,
)
from .output import done, echo, fail, preview, safe, warn

T = TypeVar("T")


def change(operation: Callable[..., T], file: str | None, *args: Any, dry_run: bool = False, **kwargs: Any) -> T:
    """Run a write operation of the library (``tradedemands.write``) on the file: every write
    command goes through here. Warnings (an undo record that could not be kept) go to stderr.

    ``dry_run`` (``--dry-run``): the operation is made and checked but not written
    (``transaction.dry_run``); the lines of the file it would change go to stdout as a
    unified diff, and the confirmations that follow say ``dry run:``.
    """
    if not dry_run:
        return operation(file, *args, warn=warn, **kwargs)
    from ..transaction import dry_run as previewing

    with previewing() as previews:
        result = operation(file, *args, warn=warn, **kwargs)
    preview(previews)
    return result


def required(value: T | None, option: str) -> T:
    """``value`` of an option required unless ``--edit`` is given; UsageError when missing."""
    if value is None or value == []:
        from ..errors import UsageError

        raise UsageError(
            f"missing option {option}: give --party and --title, or --edit to write the item in your editor"
        )
    return value


@app.command(
    epilog=examples(
        'demands add --party cn --of us --title "Lift the ZTE export ban" --topic export-controls --tag zte',
        'demands add -p us --title "Meet every quarter" --date yesterday --dry-run',
        "demands add --edit --party cn",
    )
)
def add(
    party: RaisedByOpt = None,
    title: NewTitleOpt = None,
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
    edit_: Annotated[
        bool,
        typer.Option(
            "--edit",
            "-e",
            help="Write the item in $VISUAL/$EDITOR, from a template holding the options given.",
            show_default=False,
        ),
    ] = False,
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Add an item; prints its new id on stdout. --party and --title are required, unless --edit."""
    from .. import write

    fields = {"kind": kind, "of": of, "text": text, "topic": topic, "priority": priority, "due": due, "status": status}
    if edit_:
        given = {"party": party, "title": title, "tags": tag, "id": item_id, "date": date_, "round": round_, **fields}
        source = {"doc": source_doc, "quote": source_quote}
        return editing.add(file, {**given, "source": source if any(source.values()) else None}, dry_run)
    new_id = change(
        write.add,
        file,
        party=required(party, "--party"),
        title=required(title, "--title"),
        tags=tag or [],
        item_id=item_id,
        source_doc=source_doc,
        source_quote=source_quote,
        date=date_,
        round_id=round_,
        dry_run=dry_run,
        **fields,
    )
    done(f"added {new_id}")
    echo(new_id)


@app.command(
    epilog=examples(
        'demands mark US-7 discussing --date 2018-05-17 --note "Mnuchin: tariff talks continue"',
        "demands mark US-3 US-6 rejected --round beijing-2018-05",
        "demands mark CN-6 agreed --date 3d --dry-run",
    )
)
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
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Change the status of items; each change appends a dated history entry, citing its source."""
    from .. import write
    from ..errors import UsageError

    if len(args) < 2:
        raise UsageError("give one or more ids and then the status, like: demands mark US-1 rejected")
    *ids, status = args
    sources = {"source_doc": source_doc, "source_quote": source_quote, "source_url": source_url}
    with quoting_hint(args, note, file):
        for each in change(
            write.mark, file, ids, status, date=date_, note=note, round_id=round_, dry_run=dry_run, **sources
        ):
            done(wording.marked(each))


@contextmanager
def quoting_hint(args: list[str], note: str | None, file: str | None) -> Iterator[None]:
    """An unknown status after words that include a known one: most likely an unquoted
    ``--note`` swallowed them (``--note Talks continue`` leaves ``continue`` as the status).
    Say how to quote it."""
    from ..errors import UsageError

    try:
        yield
    except UsageError as err:
        message = str(err)
        if not message.startswith("unknown status ") or len(args) < 3:
            raise
        from ..document import load
        from ..query import check_status

        try:
            vocab = load(file).vocab
        except Exception:  # the hint is a guess: without it the error stands as it was
            raise err from None
        for n, word in enumerate(args[1:-1], 1):
            try:
                check_status(vocab, word)
            except UsageError:
                continue
            words = " ".join(args[n + 1 :])
            said = f"--note {shlex_quote(' '.join(filter(None, [note, words])))}" if note else "put it in quotes"
            raise UsageError(
                f"unknown status {args[-1]!r} after the status {word!r}: if {words!r} belongs to the note, "
                f"quote the note: {said}"
            ) from None
        raise


def shlex_quote(text: str) -> str:
    """``text`` as one word for a shell, in double quotes when it has no quote of its own."""
    import shlex

    return f'"{text}"' if '"' not in text and "$" not in text and "`" not in text else shlex.quote(text)


@app.command(
    epilog=examples(
        'demands note CN-2 "Commerce Department ban on ZTE shipments still in force"',
        'demands note US-1 "Raised again over dinner" --date yesterday',
        'demands note US-9 "Quarterly review proposed" --round beijing-2018-05 --dry-run',
    )
)
def note(
    item_id: ItemArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What happened (quote it).", show_default=False)],
    date_: DateOpt = None,
    round_: RoundOpt = None,
    source_doc: EntrySourceDocOpt = None,
    source_quote: EntrySourceQuoteOpt = None,
    source_url: EntrySourceUrlOpt = None,
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Append a dated note to an item's history, without changing its status."""
    from .. import write

    sources = {"source_doc": source_doc, "source_quote": source_quote, "source_url": source_url}
    done(
        wording.noted(change(write.note, file, item_id, text, date=date_, round_id=round_, dry_run=dry_run, **sources))
    )


@app.command(
    epilog=examples(
        "demands edit CN-7 --priority high --add-tag sanctions --due +1m",
        "demands edit US-9 --due '' --dry-run",
        "demands edit US-1",
    )
)
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
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Change an item's fields; with no field option, opens its YAML in $VISUAL/$EDITOR. Status changes go through 'demands mark'."""
    from .. import write

    fields = {"title": title, "text": text, "topic": topic, "priority": priority, "due": due, "of": of, "kind": kind}
    tags = {"add_tags": add_tag or [], "remove_tags": remove_tag or []}
    if all(value is None for value in fields.values()) and not add_tag and not remove_tag:
        return editing.edit(file, item_id, dry_run)
    done(wording.edited(change(write.edit, file, item_id, **fields, **tags, dry_run=dry_run)))


@app.command(
    epilog=examples(
        "demands link CN-6 responds-to US-8",
        "demands link US-4 related US-5 --dry-run",
    )
)
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
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Link an item to another: ID responds-to|conflicts-with|conditional-on|related OTHER."""
    from .. import write

    done(wording.linked(change(write.link, file, item_id, rel, other, dry_run=dry_run)))


@app.command(
    epilog=examples(
        "demands unlink US-1 CN-5",
        "demands unlink US-2 US-3 --dry-run",
    )
)
def unlink(item_id: LinkingArg, other: LinkedArg, dry_run: DryRunOpt = False, file: FileOpt = None) -> None:
    """Remove the links from ID to OTHER."""
    from .. import write

    done(wording.unlinked(change(write.unlink, file, item_id, other, dry_run=dry_run)))


@app.command(
    epilog=examples(
        "demands remove US-9 --yes",
        "demands remove CN-5 --yes --force --dry-run",
    )
)
def remove(
    item_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="The item to delete.", show_default=False, autocompletion=complete_ids),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Also remove the links other items make to it.")] = False,
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Delete an item (asks first unless --yes or --dry-run); refuses while others link to it unless --force."""
    from .. import write
    from ..document import load
    from ..errors import UsageError
    from ..files import find_file

    path = find_file(file)
    if not yes and not dry_run:
        item = load(path).item(item_id)
        if not sys.stdin.isatty():
            raise UsageError(f"not removing {item['id']} without confirmation: pass --yes")
        if not typer.confirm(f"Remove {safe(item['id'])} ({safe(item['title'])})?", default=False):
            fail("nothing removed")
    done(wording.removed(change(write.remove, str(path), item_id, force=force, dry_run=dry_run)))


@app.command(
    epilog=examples(
        "demands undo --dry-run",
        "demands undo",
    )
)
def undo(dry_run: DryRunOpt = False, file: FileOpt = None) -> None:
    """Revert the last write demands made to the file (repeat for more); refuses if it changed since."""
    from .. import write

    done(wording.undone(change(write.undo, file, dry_run=dry_run)))


@app.command(
    epilog=examples(
        "demands init talks.yaml",
        'demands init eu-mercosur.yaml --title "EU–Mercosur talks" --dry-run',
    )
)
def init(
    path: Annotated[
        str | None, typer.Argument(help="Where to write it (default: demands.yaml).", show_default=False)
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The negotiation's title.", show_default=False)] = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Write a new, valid, commented skeleton file; never overwrites."""
    from .. import write

    target = change(lambda _file, warn: write.init(path, title), None, dry_run=dry_run)
    done(f"wrote {target}: edit the parties, then 'demands add --party ... --title ...'")
