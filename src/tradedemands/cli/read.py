"""Reading the file: ``list``, ``show``, ``summary``, ``validate``, ``export``, ``schema``."""

from __future__ import annotations

from typing import Annotated

import typer

from .main import app
from .options import (
    AsOfOpt,
    DueBeforeOpt,
    ExportFormatOpt,
    FileOpt,
    KindsOpt,
    ListFormatOpt,
    ListLimitOpt,
    NoPagerOpt,
    OutputOpt,
    PartiesOpt,
    ReadFormatOpt,
    RoundsOpt,
    StatusesOpt,
    TagsOpt,
    TopicsOpt,
    ValidateFormatOpt,
    complete_ids,
    examples,
)
from .output import Format, emit


@app.command(
    "list",
    epilog=examples(
        "demands list --party us --open",
        "demands list -p cn --kind red-line -o json",
        "demands list --open -o ids | xargs demands show",
        "demands list --as-of last-round --sort status",
    ),
)
def list_(
    file: FileOpt = None,
    party: PartiesOpt = None,
    status: StatusesOpt = None,
    open_: Annotated[bool, typer.Option("--open", help="Only items whose status is not closed.")] = False,
    closed: Annotated[
        bool, typer.Option("--closed", help="Only items whose status is closed (met, rejected, withdrawn).")
    ] = False,
    kind: KindsOpt = None,
    topic: TopicsOpt = None,
    tag: TagsOpt = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", "-q", help="Text in the id, title, text or history notes (any case).", show_default=False
        ),
    ] = None,
    round_: RoundsOpt = None,
    due_before: DueBeforeOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Past their due or target date and not closed.")] = False,
    sort: Annotated[
        str, typer.Option("--sort", help="id, party, status, priority, due, updated, kind, topic or title.")
    ] = "id",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    limit: ListLimitOpt = None,
    as_of: AsOfOpt = None,
    fmt: ListFormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:
    """List items, filtered and sorted. Filters combine: AND across options, OR within one."""
    from ..query import Filters
    from ..read import list_items

    wanted = Filters(
        parties=party or [],
        statuses=status or [],
        only_open=open_,
        only_closed=closed,
        kinds=kind or [],
        topics=topic or [],
        tags=tag or [],
        search=search,
        rounds=round_ or [],
        due_before=due_before,
        overdue=overdue,
    )
    emit(list_items(file, wanted, sort=sort, reverse=reverse, limit=limit, as_of=as_of), fmt, pager=not no_pager)


@app.command(
    epilog=examples(
        "demands show US-1",
        "demands show us-1 cn-5 -o json",
        "demands show US-1 --as-of 2018-05-03",
    )
)
def show(
    ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...", help="One or more item ids (any case).", show_default=False, autocompletion=complete_ids
        ),
    ],
    file: FileOpt = None,
    as_of: AsOfOpt = None,
    fmt: ReadFormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:
    """Everything about items: fields, source quote, links both ways, history, target progress."""
    from ..read import show as details

    emit(details(file, ids, as_of=as_of), fmt, pager=not no_pager)


@app.command(
    epilog=examples(
        "demands summary",
        "demands summary --as-of last-round",
        "demands summary -o csv",
    )
)
def summary(
    file: FileOpt = None, as_of: AsOfOpt = None, fmt: ReadFormatOpt = Format.table, no_pager: NoPagerOpt = False
) -> None:
    """Counts per party and status, with a bar of closed/total per party and target progress."""
    from ..read import summary as counts

    emit(counts(file, as_of=as_of), fmt, pager=not no_pager)


@app.command(
    epilog=examples(
        "demands validate",
        "demands validate data/demands.yaml -o json",
    )
)
def validate(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files to check (default: the file found as usual).", show_default=False)
    ] = None,
    file: FileOpt = None,
    fmt: ValidateFormatOpt = Format.text,
) -> None:
    """Check schema, references, statuses, dates and source quotes; report every problem. Exit 1 on any."""
    from ..read import validate as check

    report = check(paths, file=file)
    emit(report, fmt)
    if not report.valid:
        raise typer.Exit(code=1)


@app.command(
    epilog=examples(
        "demands export -o csv --output items.csv",
        "demands export -o yaml",
        "demands export -o markdown --output demands.md",
    )
)
def export(file: FileOpt = None, fmt: ExportFormatOpt = Format.json, output: OutputOpt = None) -> None:
    """The whole data set as json, yaml, csv or markdown, every field: csv has one row per item, nested fields as dotted columns (source.url, target.amount), lists as 'demands import' reads them back."""
    from ..read import export as everything

    emit(everything(file), fmt, output)


@app.command(
    epilog=examples(
        "demands schema > demands.schema.json",
        "demands schema",
    )
)
def schema() -> None:
    """Print the JSON Schema of the file format, for editors that check YAML as you type."""
    from ..read import schema as json_schema

    emit(json_schema(), Format.json)
