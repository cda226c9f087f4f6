"""What changed: ``diff`` (between versions, or rebuilt from history) and ``log``."""

from __future__ import annotations

from typing import Annotated

import typer

from .main import app
from .options import (
    DiffRoundOpt,
    DiffSinceOpt,
    FileOpt,
    LogLimitOpt,
    LogPartiesOpt,
    LogSinceOpt,
    NoPagerOpt,
    ReportFormatOpt,
    RoundOpt,
    UntilOpt,
    examples,
)
from .output import Format, emit


@app.command(
    "diff",
    epilog=examples(
        "demands diff",
        "demands diff HEAD~1 HEAD",
        "demands diff --since last-round -o markdown",
    ),
)
def diff_(
    old: Annotated[
        str | None,
        typer.Argument(
            help="Old version: a file path, a git revision (HEAD~1, a tag) or REV:path. Default: HEAD.",
            show_default=False,
        ),
    ] = None,
    new: Annotated[
        str | None, typer.Argument(help="New version (default: the working file).", show_default=False)
    ] = None,
    since: DiffSinceOpt = None,
    round_: DiffRoundOpt = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when anything differs (like git diff --exit-code).")
    ] = False,
    file: FileOpt = None,
    fmt: ReportFormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:
    """What changed between two versions: items added, removed, and changed field by field."""
    from ..read import diff as changes

    result = changes(file, old, new, since=since, round_id=round_)
    emit(result, fmt, pager=not no_pager)
    if exit_code and result:
        raise typer.Exit(code=1)


@app.command(
    epilog=examples(
        "demands log --limit 5",
        "demands log --since 2018-05-04 --party cn",
        "demands log --since 1y -o json",
    )
)
def log(
    since: LogSinceOpt = None,
    until: UntilOpt = None,
    party: LogPartiesOpt = None,
    round_: RoundOpt = None,
    limit: LogLimitOpt = None,
    file: FileOpt = None,
    fmt: ReportFormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:
    """Every history entry across items as a timeline, newest first."""
    from ..read import log as entries

    found = entries(file, since=since, until=until, parties=party or [], round_id=round_, limit=limit)
    emit(found, fmt, pager=not no_pager)
