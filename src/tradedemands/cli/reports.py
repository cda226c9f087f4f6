"""Documents and views across items: ``brief`` and ``compare``."""

from __future__ import annotations

from typing import Annotated

import typer

from .main import app
from .options import (
    AsOfOpt,
    BriefFormatOpt,
    BriefOutputOpt,
    BriefPartiesOpt,
    BriefRoundOpt,
    BriefSinceOpt,
    CompareTopicsOpt,
    FileOpt,
    NoPagerOpt,
    ReportFormatOpt,
    complete_other_party,
    complete_parties,
    examples,
)
from .output import Format, emit


@app.command(
    "brief",
    epilog=examples(
        "demands brief --output brief.md",
        "demands brief --party us --since last-round",
        "demands brief --as-of 2018-05-03 --title 'Before the Beijing round'",
    ),
)
def brief_(
    output: BriefOutputOpt = None,
    fmt: BriefFormatOpt = Format.markdown,
    party: BriefPartiesOpt = None,
    since: BriefSinceOpt = None,
    round_: BriefRoundOpt = None,
    as_of: AsOfOpt = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title of the brief (default: the file's title).", show_default=False)
    ] = None,
    file: FileOpt = None,
) -> None:
    """A Markdown brief a negotiator reads in two minutes: state of play, positions, conflicts, changes, deadlines, sources."""
    from ..read import brief

    emit(brief(file, parties=party or [], since=since, round_id=round_, as_of=as_of, title=title), fmt, output)


@app.command(
    epilog=examples(
        "demands compare us cn",
        "demands compare us cn --topic trade-balance -o markdown",
    )
)
def compare(
    a: Annotated[
        str,
        typer.Argument(
            metavar="A", help="A party (id, alias or name).", show_default=False, autocompletion=complete_parties
        ),
    ],
    b: Annotated[
        str,
        typer.Argument(metavar="B", help="The other party.", show_default=False, autocompletion=complete_other_party),
    ],
    topic: CompareTopicsOpt = None,
    as_of: AsOfOpt = None,
    file: FileOpt = None,
    fmt: ReportFormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:
    """Two parties side by side per topic: what each asks of the other, offers and refuses, and where they conflict."""
    from ..read import compare as side_by_side

    emit(side_by_side(file, a, b, topics=topic or [], as_of=as_of), fmt, pager=not no_pager)
