"""The command line's shared options and arguments, each declared once.

An option that several commands take (``--file``, ``--format``, ``--party``, ``--topic``,
``--tag``, ``--kind``, ``--status``, ``--round``, ``--since``, ``--as-of``, ``--date``,
``--limit``, ``--note``, ``--output``, the item ids...) is made here by one function that
fixes its flags, its completion and how it shows; the aliases below give each the help text
of the commands that share it. ``OPTION_NAMES`` says how the command line names what a
library message calls by an argument's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from .output import BriefFormat, ExportFormat, ListFormat, ReadFormat, ReportFormat, ValidateFormat

#: How the command line names what library messages call by an argument's name (``errors.OPTION``).
OPTION_NAMES = {
    "title": "--title",
    "party": "--party",
    "source_doc": "--source-doc",
    "source_quote": "--source-quote",
    "source_url": "--source-url",
    "format": "--format",
    "item_id": "--id",
    "force": "--force",
    "amount": "--amount",
    "baseline": "--baseline",
    "progress_amount": "AMOUNT",
    "kind": "--kind",
    "file": "--file PATH",
    "file_in_repository": "pass --file with a file in a repository",
    "output": "--output",
    "note": "--note",
    "tags": "--tag",
    "add_tags": "--add-tag",
    "list_ids": "'demands list --format ids'",
    "set_target": "'demands target {item} --amount N'",
    "as_of": "--as-of",
    "since": "--since",
    "until": "--until",
    "due_before": "--due-before",
    "date": "--date",
    "due": "--due",
    "by": "--by",
    "open_closed": "--open and --closed",
    "since_round": "--since or --round",
    "since_round_versions": "--since/--round",
}


def examples(*lines: str) -> str:
    """A command's help epilog: ``Examples:`` and two or three real command lines, as gh ends its
    help (tests/test_examples.py runs every one of them on a copy of the shipped data)."""
    return "Examples:\n\n" + "\n".join(f"$ {line}" for line in lines)


# --- completion: tradedemands.complete loads only while a shell asks -------------------------


def _completer(name: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from .. import complete as completing

        result: list[tuple[str, str]] = getattr(completing, name)(ctx, incomplete)
        return result

    complete.__name__ = complete.__qualname__ = f"complete_{name}"
    return complete


complete_ids = _completer("ids")
complete_ids_then_status = _completer("ids_then_status")
complete_parties = _completer("parties")
complete_other_party = _completer("other_party")
complete_statuses = _completer("statuses")
complete_topics = _completer("topics")
complete_tags = _completer("tags")
complete_rounds = _completer("rounds")
complete_kinds = _completer("kinds")
complete_priorities = _completer("priorities")
complete_relations = _completer("relations")


# --- one function per shared option --------------------------------------------------------------


def _format(help: str) -> Any:
    return typer.Option("--format", "-o", help=help, case_sensitive=False)


def _party(help: str) -> Any:
    return typer.Option("--party", "-p", help=help, show_default=False, autocompletion=complete_parties)


def _of(help: str) -> Any:
    return typer.Option("--of", help=help, show_default=False, autocompletion=complete_parties)


def _status(help: str) -> Any:
    return typer.Option("--status", "-s", help=help, show_default=False, autocompletion=complete_statuses)


def _kind(help: str) -> Any:
    return typer.Option("--kind", "-k", help=help, show_default=False, autocompletion=complete_kinds)


def _topic(help: str) -> Any:
    return typer.Option("--topic", "-t", help=help, show_default=False, autocompletion=complete_topics)


def _tag(flag: str, help: str) -> Any:
    return typer.Option(flag, help=help, show_default=False, autocompletion=complete_tags)


def _priority(help: str) -> Any:
    return typer.Option("--priority", help=help, show_default=False, autocompletion=complete_priorities)


def _round(help: str) -> Any:
    return typer.Option("--round", "-r", help=help, show_default=False, autocompletion=complete_rounds)


def _plain(flag: str, help: str, *shortcuts: str, metavar: str | None = None) -> Any:
    """An option with a value and no completion (``--title``, ``--since``, ``--due``...)."""
    return typer.Option(flag, *shortcuts, help=help, show_default=False, metavar=metavar)


def _limit(help: str) -> Any:
    return typer.Option("--limit", "-n", help=help, min=0, show_default=False)


def _item(help: str, metavar: str = "ID") -> Any:
    return typer.Argument(metavar=metavar, help=help, show_default=False, autocompletion=complete_ids)


# --- the options, by the commands that share them ------------------------------------------------

#: How every date option may be given (``typed.date``), and those that also take ``last-round``.
DATES = "YYYY-MM-DD, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)"
ROUND_DATES = (
    "YYYY-MM-DD, today, yesterday, a span back (3d, 2w, 1m, 1y), or last-round (when the latest round held began)"
)

FileOpt = Annotated[
    str | None,
    _plain(
        "--file",
        "The demands file (default: $DEMANDS_FILE, else data/demands.yaml or demands.yaml here or above).",
        "-f",
    ),
]
AsOfOpt = Annotated[
    str | None, _plain("--as-of", f"Show the state on this date, rebuilt from history: {ROUND_DATES}.", metavar="DATE")
]
DateOpt = Annotated[str | None, _plain("--date", f"Date of the change (default: today): {DATES}.", metavar="DATE")]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        "-n",
        help="Show what would change (the file's lines, as a diff) and write nothing.",
        show_default=False,
    ),
]
NoPagerOpt = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Never page the table (default: a table longer than the terminal goes through $DEMANDS_PAGER, $PAGER or less).",
        show_default=False,
    ),
]
OutputOpt = Annotated[str | None, _plain("--output", "Write to this file, replaced atomically, instead of stdout.")]
BriefOutputOpt = Annotated[
    str | None, _plain("--output", "Write the brief to this file, replaced atomically (default: stdout).")
]

# Formats: each command's allowed ones (output.Format).
ReadFormatOpt = Annotated[ReadFormat, _format("Output format.")]
ListFormatOpt = Annotated[ListFormat, _format("Output format.")]
ReportFormatOpt = Annotated[ReportFormat, _format("Output format.")]
ExportFormatOpt = Annotated[ExportFormat, _format("Output format.")]
ValidateFormatOpt = Annotated[ValidateFormat, _format("text: problems on stderr; json: a report on stdout.")]
BriefFormatOpt = Annotated[BriefFormat, _format("Output format: the brief is a Markdown document.")]

# Filters (list, log, brief, compare).
PartiesOpt = Annotated[
    list[str] | None, _party("Raised by this party, alone or in an agreement (id, alias or name; repeat for OR).")
]
LogPartiesOpt = Annotated[list[str] | None, _party("Items raised by this party (repeat for OR).")]
BriefPartiesOpt = Annotated[list[str] | None, _party("Only this party's items (repeat for several).")]
StatusesOpt = Annotated[list[str] | None, _status("With this status (repeat for OR).")]
KindsOpt = Annotated[list[str] | None, _kind("demand, concession, red-line or agreement (repeat for OR).")]
TopicsOpt = Annotated[list[str] | None, _topic("On this topic (repeat for OR).")]
CompareTopicsOpt = Annotated[list[str] | None, _topic("Only this topic (repeat for several).")]
TagsOpt = Annotated[list[str] | None, _tag("--tag", "Carrying this tag (repeat for OR).")]
RoundsOpt = Annotated[list[str] | None, _round("With a history entry in this round (repeat for OR).")]
ListLimitOpt = Annotated[int | None, _limit("Show at most N items.")]
LogLimitOpt = Annotated[int | None, _limit("At most N entries.")]

# Dates and rounds that say where a change starts (diff, log, brief).
RoundOpt = Annotated[str | None, _round("The round this happened in (a round id from the file).")]
DiffRoundOpt = Annotated[str | None, _round("Instead: the change since this round began, from history.")]
BriefRoundOpt = Annotated[str | None, _round("Changes since this round began.")]
DiffSinceOpt = Annotated[
    str | None,
    _plain("--since", f"Instead: the change since this date, rebuilt from history: {ROUND_DATES}.", metavar="DATE"),
]
LogSinceOpt = Annotated[str | None, _plain("--since", f"Entries on or after this date: {ROUND_DATES}.", metavar="DATE")]
UntilOpt = Annotated[str | None, _plain("--until", f"Entries on or before this date: {DATES}.", metavar="DATE")]
BriefSinceOpt = Annotated[
    str | None,
    _plain("--since", f"Changes since this date (default: since the last round began): {ROUND_DATES}.", metavar="DATE"),
]
DueBeforeOpt = Annotated[str | None, _plain("--due-before", f"Due before this date: {DATES}.", metavar="DATE")]
ByOpt = Annotated[str | None, _plain("--by", f"Date to reach it: {DATES}.", metavar="DATE")]

# An item's fields, as add sets them and edit changes them ('' removes an optional one).
NewTitleOpt = Annotated[str | None, _plain("--title", "One line saying what is asked, offered or refused.")]
TitleOpt = Annotated[str | None, _plain("--title", "New title.")]
NewTextOpt = Annotated[str | None, _plain("--text", "Longer text.")]
TextOpt = Annotated[str | None, _plain("--text", "New text ('' removes it).")]
NewKindOpt = Annotated[
    str | None, _kind("demand (default; agreement with several --party), concession, red-line or agreement.")
]
KindOpt = Annotated[str | None, _kind("demand, concession, red-line or agreement.")]
NewTopicOpt = Annotated[str | None, _topic("Topic, kebab-case by convention.")]
TopicOpt = Annotated[str | None, _topic("New topic ('' removes it).")]
NewTagsOpt = Annotated[list[str] | None, _tag("--tag", "A tag (repeat for several).")]
AddTagsOpt = Annotated[list[str] | None, _tag("--add-tag", "Add a tag (repeatable).")]
RemoveTagsOpt = Annotated[list[str] | None, _tag("--remove-tag", "Remove a tag (repeatable).")]
NewPriorityOpt = Annotated[str | None, _priority("high, medium or low.")]
PriorityOpt = Annotated[str | None, _priority("high, medium or low ('' removes it).")]
NewDueOpt = Annotated[str | None, _plain("--due", f"Due date: {DATES}.", metavar="DATE")]
DueOpt = Annotated[str | None, _plain("--due", f"Due date ('' removes it): {DATES}.", metavar="DATE")]
NewOfOpt = Annotated[str | None, _of("Who is asked to act.")]
OfOpt = Annotated[str | None, _of("Who is asked to act ('' removes it).")]
RaisedByOpt = Annotated[
    list[str] | None, _party("Who raises it (id, alias or name); repeat for an agreement the parties share.")
]
InitialStatusOpt = Annotated[
    str | None, _status("Initial status (default: the first status, open; agreed for an agreement).")
]

# Where a history entry's change is reported (mark, note).
EntrySourceDocOpt = Annotated[
    str | None, _plain("--source-doc", "The document that reports it, inside the project (e.g. seeds/article.txt).")
]
EntrySourceQuoteOpt = Annotated[
    str | None, _plain("--source-quote", "A verbatim quote from --source-doc; checked, or nothing is written.")
]
EntrySourceUrlOpt = Annotated[str | None, _plain("--source-url", "The URL that reports it.")]

# Notes of a history entry or a measurement.
WhyOpt = Annotated[str | None, _plain("--note", "Why: recorded in the history entry.", "-m")]
MeasurementNoteOpt = Annotated[str | None, _plain("--note", "What the measurement is.", "-m")]

# Items named on the command line.
ItemArg = Annotated[str, _item("The item.")]
LinkingArg = Annotated[str, _item("The item that links.")]
LinkedArg = Annotated[str, _item("The item linked to.", "OTHER")]
