"""The ``demands`` command: parse options, call the library, render, map errors to exit codes."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from . import __version__
from . import wording as said
from .errors import DemandsError, InvalidFile, UsageError

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class Group(TyperGroup):
    """Turns every failure into one line on stderr and the exit codes of SPEC §6."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Run the command; every failure becomes one line on stderr and an exit code."""
        from typer import _click

        from . import atomic, errors, settings, signals

        kwargs["standalone_mode"] = False
        completing = bool(os.environ.get("_DEMANDS_COMPLETE"))
        previous = {} if completing else signals.install_signal_handlers()
        try:
            if not completing:
                settings.check()
            code = super().main(*args, **kwargs)
        except UsageError as err:  # a bad DEMANDS_* setting, before any command ran
            typer.echo(f"demands: {_safe(str(err))}", err=True)
            sys.exit(err.exit_code)
        except signals.Interrupted as err:
            atomic.remove_temps()
            typer.echo(f"demands: {_safe(err.message())}", err=True)
            sys.exit(err.exit_code)
        except _click.exceptions.NoArgsIsHelpError as err:
            typer.echo(err.ctx.get_help() if err.ctx else str(err))
            sys.exit(0)
        except _click.exceptions.ClickException as err:
            ctx = getattr(err, "ctx", None)
            where = ctx.command_path if ctx is not None else "demands"
            hint = f" (see '{where} --help')" if ctx is not None else ""
            typer.echo(f"{where}: {err.format_message()}{hint}", err=True)
            sys.exit(err.exit_code)
        except typer.Abort:
            typer.echo("aborted; nothing was changed", err=True)
            sys.exit(1)
        except (KeyboardInterrupt, EOFError):
            typer.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(1)
        except UnicodeEncodeError as err:
            # Machine formats are never altered to fit the terminal (tables are: see render.console).
            typer.echo(
                f"demands: the output holds characters the {err.encoding} encoding cannot write; "
                "use a UTF-8 locale (LANG=C.UTF-8) or set PYTHONIOENCODING=utf-8",
                err=True,
            )
            sys.exit(1)
        except OSError as err:
            # A condition of the machine (disk full, permissions, I/O error) that no write path
            # worded already: never an "internal error". Every write path words its own.
            if _debug():
                raise
            where = f"{err.filename}: " if err.filename else ""
            typer.echo(f"demands: {_safe(_clip_line(f'{where}{errors.cause(err)}'))}", err=True)
            sys.exit(1)
        except Exception as err:
            if _debug():
                raise
            typer.echo(
                _safe(
                    _clip_line(
                        f"demands: internal error: {type(err).__name__}: {' '.join(str(err).split())}; "
                        "set DEMANDS_DEBUG=1 to see where"
                    )
                ),
                err=True,
            )
            sys.exit(1)
        finally:
            signals.restore_signal_handlers(previous)
        sys.exit(code if isinstance(code, int) else 0)


def _debug() -> bool:
    from . import settings

    try:
        return settings.debug()
    except UsageError:
        return False


def _clip_line(line: str) -> str:
    """The last guard on error lines: however a message was built, it stays one short line.

    Values are clipped where each message is built (``escape.clip``); this only catches
    what slipped through.
    """
    from .escape import clip

    return clip(line, 1000)


def _quiet_stdout() -> None:
    """After a closed pipe (``demands list | head``), stop Python complaining at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class App(typer.Typer):
    """The ``demands`` application; when run, builds only the command asked for.

    Typer turns every command's signature into click options each time it runs (about
    30 ms for all of ours); ``demands list`` needs only ``list``. Anything else (help,
    completion, a misspelt command, an option before the command) gets the whole app.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        words = kwargs.get("args", sys.argv[1:] if not args else args[0])
        name = words[0] if words else None
        if name is not None and name.partition("=")[0] in COMPLETION_OPTIONS:
            from . import shells

            sys.exit(shells.main(list(words)))
        if os.environ.get("_DEMANDS_COMPLETE"):
            from . import shells

            shells.register()
        chosen = [c for c in self.registered_commands if name is not None and _command_name(c) == name]
        if not chosen or os.environ.get("_DEMANDS_COMPLETE"):
            return super().__call__(*args, **kwargs)
        lean = typer.Typer(
            cls=Group, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False, help=self.info.help
        )
        lean.registered_callback = self.registered_callback
        lean.registered_commands = chosen
        return lean(*args, **kwargs)


def _command_name(command: Any) -> str:
    return str(command.name or command.callback.__name__.lower().replace("_", "-"))


#: Handled before Typer parses anything (see App.__call__), so that each takes a shell name.
COMPLETION_OPTIONS = ("--install-completion", "--show-completion")

app = App(
    cls=Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="Track what each party in a negotiation demands, concedes and refuses.",
)


def handle(func: F) -> F:
    """Run a command body, turning library errors into one message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidFile as err:
            for problem in err.problems:
                typer.echo(_safe(_clip_line(str(problem))), err=True)
            raise typer.Exit(code=1) from None
        except DemandsError as err:
            typer.echo(f"demands: {_safe(_clip_line(message(err)))}", err=True)
            raise typer.Exit(code=err.exit_code) from None

    return wrapper  # type: ignore[return-value]


#: How the command line names what library messages call by an argument's name (``{option}``).
OPTION_NAMES = {
    "title": "--title",
    "item_id": "--id",
    "force": "--force",
    "amount": "--amount",
    "baseline": "--baseline",
    "kind": "--kind",
    "file": "--file PATH",
    "file_in_repository": "pass --file with a file in a repository",
    "output": "--output",
    "list_ids": "'demands list --format ids'",
    "progress_amount": "AMOUNT",
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
    "set_target": "'demands target {item} --amount N'",
}


def message(err: DemandsError) -> str:
    """A library error's message as the command line says it: its options by their flags."""
    name = OPTION_NAMES.get(err.option or "")
    if name is None:
        return str(err)
    return err.worded(name.replace("{item}", err.item or ""))


def _safe(text: str) -> str:
    from .escape import visible

    return visible(text)


def warn(message: str) -> None:
    """A warning on stderr: something went wrong that did not stop the command."""
    typer.echo(f"demands: warning: {_safe(_clip_line(message))}", err=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop with ``message`` on stderr and exit ``code`` (1 by default)."""
    typer.echo(f"demands: {_safe(message)}", err=True)
    raise typer.Exit(code=code)


def done(message: str) -> None:
    """The one-line confirmation of a write, on stderr."""
    typer.echo(_safe(message), err=True)


# --- shell completion: thin wrappers; tradedemands.complete loads only while completing -------


def _completer(name: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from . import complete as completing

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


# --- shared options ------------------------------------------------------------------------


class Format(str, Enum):
    """Every output format; each command allows the ones its ``--format`` lists."""

    table = "table"
    text = "text"
    json = "json"
    yaml = "yaml"
    csv = "csv"
    markdown = "markdown"
    ids = "ids"


#: The formats each command allows (Typer shows and checks these choices).
ReadFormat = Literal[Format.table, Format.json, Format.yaml, Format.csv, Format.markdown]
ListFormat = Literal[Format.table, Format.json, Format.yaml, Format.csv, Format.markdown, Format.ids]
ValidateFormat = Literal[Format.text, Format.json]
ExportFormat = Literal[Format.json, Format.yaml, Format.csv, Format.markdown]
ReportFormat = Literal[Format.table, Format.json, Format.markdown]
BriefFormat = Literal[Format.markdown]


def emit(result: Any, fmt: Format, output: str | None = None) -> None:
    """Write a read command's result in ``fmt``: the one place output formats are chosen.

    ``table`` draws it with Rich (an empty result says so on stderr); ``text`` writes its lines
    on stderr; the other formats go to stdout, or with ``output`` (``--output``) to that
    file, replaced atomically (never the data file). Notes on what a dated answer left out
    come first, on stderr.
    """
    if result.left_out is not None:
        _left_out(result.left_out)
    if fmt == Format.table:
        note = result.empty_note()
        if note is not None:
            typer.echo(note, err=True)
            return
        from . import render

        render.table(result)
    elif fmt == Format.text:
        for line in result.lines():
            typer.echo(_safe(line), err=True)
    else:
        _write_output(result.serialise(fmt.value), output, getattr(result, "path", None))


FileOpt = Annotated[
    str | None,
    typer.Option(
        "--file",
        "-f",
        help="The demands file (default: $DEMANDS_FILE, else data/demands.yaml or demands.yaml here or above).",
        show_default=False,
    ),
]
FormatOpt = Annotated[ReadFormat, typer.Option("--format", "-o", help="Output format.", case_sensitive=False)]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Show the state on this date (YYYY-MM-DD), rebuilt from history.", show_default=False),
]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="Date of the change, YYYY-MM-DD (default: today).", show_default=False)
]
RoundOpt = Annotated[
    str | None,
    typer.Option(
        "--round",
        "-r",
        help="The round this happened in (a round id from the file).",
        show_default=False,
        autocompletion=complete_rounds,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"demands {__version__}")
        raise typer.Exit()


def _completion(option: str) -> Callable[[bool], None]:
    """Reached only when the option is not first on the line (``demands -f x --install-completion``)."""

    def run(value: bool) -> None:
        if value:
            from . import shells

            raise typer.Exit(shells.main([option]))

    return run


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = False,
    install_completion: Annotated[
        bool,
        typer.Option(
            "--install-completion",
            help="Install completion for the shell named after it (bash, zsh, fish, powershell), else for this one.",
            callback=_completion("--install-completion"),
            is_eager=True,
            show_default=False,
        ),
    ] = False,
    show_completion: Annotated[
        bool,
        typer.Option(
            "--show-completion",
            help="Print the completion script for the shell named after it, else for this one.",
            callback=_completion("--show-completion"),
            is_eager=True,
            show_default=False,
        ),
    ] = False,
) -> None:
    """Track what each party in a negotiation demands, concedes and refuses.

    One YAML file, kept in git, holds every item with its status and dated history.
    """


def _left_out(left_out: Any) -> None:
    """Say once, on stderr, which items a dated answer left out because nothing dates them."""
    ids = left_out.ids
    what = f"changes since {left_out.date}" if left_out.since else f"--as-of {left_out.date}"
    named = ids[:5] + ([f"{len(ids) - 5} more"] if len(ids) > 5 else [])
    shown = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    typer.echo(
        _safe(
            f"demands: {what}: left out {shown}: nothing in the file dates "
            f"{'its' if len(ids) == 1 else 'their'} status (no history entry sets one, no source date)"
        ),
        err=True,
    )


def _print(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


# --- read commands --------------------------------------------------------------------------


@app.command("list")
@handle
def list_(
    file: FileOpt = None,
    party: Annotated[
        list[str] | None,
        typer.Option(
            "--party",
            "-p",
            help="Raised by this party (id, alias or name; repeat for OR).",
            show_default=False,
            autocompletion=complete_parties,
        ),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            "-s",
            help="With this status (repeat for OR).",
            show_default=False,
            autocompletion=complete_statuses,
        ),
    ] = None,
    open_: Annotated[bool, typer.Option("--open", help="Only items whose status is not closed.")] = False,
    closed: Annotated[
        bool, typer.Option("--closed", help="Only items whose status is closed (met, rejected, withdrawn).")
    ] = False,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            help="demand, concession or red-line (repeat for OR).",
            show_default=False,
            autocompletion=complete_kinds,
        ),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic", "-t", help="On this topic (repeat for OR).", show_default=False, autocompletion=complete_topics
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag", help="Carrying this tag (repeat for OR).", show_default=False, autocompletion=complete_tags
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", "-q", help="Text in the id, title, text or history notes (any case).", show_default=False
        ),
    ] = None,
    round_: Annotated[
        list[str] | None,
        typer.Option(
            "--round",
            "-r",
            help="With a history entry in this round (repeat for OR).",
            show_default=False,
            autocompletion=complete_rounds,
        ),
    ] = None,
    due_before: Annotated[
        str | None, typer.Option("--due-before", help="Due before this date (YYYY-MM-DD).", show_default=False)
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Past their due or target date and not closed.")] = False,
    sort: Annotated[
        str, typer.Option("--sort", help="id, party, status, priority, due, updated, kind, topic or title.")
    ] = "id",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", help="Show at most N items.", min=0, show_default=False)
    ] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-o", help="Output format.", case_sensitive=False)
    ] = Format.table,
) -> None:
    """List items, filtered and sorted. Filters combine: AND across options, OR within one."""
    from .query import Filters
    from .read import list_items

    filters = Filters(
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
    emit(list_items(file, filters, sort=sort, reverse=reverse, limit=limit, as_of=as_of), fmt)


@app.command()
@handle
def show(
    ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...", help="One or more item ids (any case).", show_default=False, autocompletion=complete_ids
        ),
    ],
    file: FileOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Everything about items: fields, source quote, links both ways, history, target progress."""
    from .read import show as details

    emit(details(file, ids, as_of=as_of), fmt)


@app.command()
@handle
def summary(file: FileOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Counts per party and status, with a bar of closed/total per party and target progress."""
    from .read import summary as counts

    emit(counts(file, as_of=as_of), fmt)


@app.command()
@handle
def validate(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files to check (default: the file found as usual).", show_default=False)
    ] = None,
    file: FileOpt = None,
    fmt: Annotated[
        ValidateFormat,
        typer.Option(
            "--format", "-o", help="text: problems on stderr; json: a report on stdout.", case_sensitive=False
        ),
    ] = Format.text,
) -> None:
    """Check schema, references, statuses, dates and source quotes; report every problem. Exit 1 on any."""
    from .read import validate as check

    report = check(paths, file=file)
    emit(report, fmt)
    if not report.valid:
        raise typer.Exit(code=1)


@app.command()
@handle
def export(
    file: FileOpt = None,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-o", help="Output format.", case_sensitive=False)
    ] = Format.json,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", help="Write to this file, replaced atomically, instead of stdout.", show_default=False
        ),
    ] = None,
) -> None:
    """The whole data set as json, yaml, csv (one row per item) or markdown."""
    from .read import export as everything

    emit(everything(file), fmt, output)


def _write_output(text: str, output: str | None, data_file: Path | None) -> None:
    """``--output``: stdout for none or ``-``; else the file, replaced atomically (never the data file)."""
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    from .atomic import write_output

    write_output(output, text.encode("utf-8"), protect=data_file)
    done(f"wrote {output}")


@app.command()
@handle
def schema() -> None:
    """Print the JSON Schema of the file format, for editors that check YAML as you type."""
    from .read import schema as json_schema

    emit(json_schema(), Format.json)


# --- write commands -------------------------------------------------------------------------


def _write(operation: Callable[..., T], file: str | None, *args: Any, **kwargs: Any) -> T:
    """Run a write operation of the library on the file: every write command goes through here.

    Warnings (an undo record that could not be kept) go to stderr as they come.
    """
    return operation(file, *args, warn=warn, **kwargs)


@app.command()
@handle
def add(
    party: Annotated[
        str,
        typer.Option(
            "--party",
            "-p",
            help="Who raises it (id, alias or name).",
            show_default=False,
            autocompletion=complete_parties,
        ),
    ],
    title: Annotated[
        str, typer.Option("--title", help="One line saying what is asked, offered or refused.", show_default=False)
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            "-k",
            help="demand (default), concession or red-line.",
            show_default=False,
            autocompletion=complete_kinds,
        ),
    ] = None,
    of: Annotated[
        str | None,
        typer.Option("--of", help="Who is asked to act.", show_default=False, autocompletion=complete_parties),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="Longer text.", show_default=False)] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            "-t",
            help="Topic, kebab-case by convention.",
            show_default=False,
            autocompletion=complete_topics,
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help="A tag (repeat for several).", show_default=False, autocompletion=complete_tags),
    ] = None,
    priority: Annotated[
        str | None,
        typer.Option("--priority", help="high, medium or low.", show_default=False, autocompletion=complete_priorities),
    ] = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date, YYYY-MM-DD.", show_default=False)] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            "-s",
            help="Initial status (default: the first status, open).",
            show_default=False,
            autocompletion=complete_statuses,
        ),
    ] = None,
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
    from . import write

    new_id = _write(
        write.add,
        file,
        party=party,
        title=title,
        kind=kind,
        of=of,
        text=text,
        topic=topic,
        tags=tag or [],
        priority=priority,
        due=due,
        status=status,
        item_id=item_id,
        source_doc=source_doc,
        source_quote=source_quote,
        date=date_,
        round_id=round_,
    )
    done(f"added {new_id}")
    _print(new_id)


@app.command()
@handle
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
    note: Annotated[
        str | None, typer.Option("--note", "-m", help="Why: recorded in the history entry.", show_default=False)
    ] = None,
    date_: DateOpt = None,
    round_: RoundOpt = None,
    file: FileOpt = None,
) -> None:
    """Change the status of items; each change appends a dated history entry."""
    from . import write

    if len(args) < 2:
        raise UsageError("give one or more ids and then the status, like: demands mark US-1 rejected")
    *ids, status = args
    for change in _write(write.mark, file, ids, status, date=date_, note=note, round_id=round_):
        done(said.marked(change))


@app.command()
@handle
def note(
    item_id: Annotated[
        str, typer.Argument(metavar="ID", help="The item.", show_default=False, autocompletion=complete_ids)
    ],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What happened.", show_default=False)],
    date_: DateOpt = None,
    round_: RoundOpt = None,
    file: FileOpt = None,
) -> None:
    """Append a dated note to an item's history, without changing its status."""
    from . import write

    done(said.noted(_write(write.note, file, item_id, text, date=date_, round_id=round_)))


@app.command()
@handle
def edit(
    item_id: Annotated[
        str, typer.Argument(metavar="ID", help="The item.", show_default=False, autocompletion=complete_ids)
    ],
    title: Annotated[str | None, typer.Option("--title", help="New title.", show_default=False)] = None,
    text: Annotated[str | None, typer.Option("--text", help="New text ('' removes it).", show_default=False)] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic", "-t", help="New topic ('' removes it).", show_default=False, autocompletion=complete_topics
        ),
    ] = None,
    add_tag: Annotated[
        list[str] | None,
        typer.Option("--add-tag", help="Add a tag (repeatable).", show_default=False, autocompletion=complete_tags),
    ] = None,
    remove_tag: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-tag", help="Remove a tag (repeatable).", show_default=False, autocompletion=complete_tags
        ),
    ] = None,
    priority: Annotated[
        str | None,
        typer.Option(
            "--priority",
            help="high, medium or low ('' removes it).",
            show_default=False,
            autocompletion=complete_priorities,
        ),
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="Due date YYYY-MM-DD ('' removes it).", show_default=False)
    ] = None,
    of: Annotated[
        str | None,
        typer.Option(
            "--of", help="Who is asked to act ('' removes it).", show_default=False, autocompletion=complete_parties
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", help="demand, concession or red-line.", show_default=False, autocompletion=complete_kinds
        ),
    ] = None,
    file: FileOpt = None,
) -> None:
    """Change an item's fields. Status changes go through 'demands mark'."""
    from . import write

    fields = {"title": title, "text": text, "topic": topic, "priority": priority, "due": due, "of": of, "kind": kind}
    done(said.edited(_write(write.edit, file, item_id, add_tags=add_tag or [], remove_tags=remove_tag or [], **fields)))


@app.command()
@handle
def link(
    item_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="The item that links.", show_default=False, autocompletion=complete_ids),
    ],
    rel: Annotated[
        str,
        typer.Argument(
            metavar="REL",
            help="responds-to, conflicts-with, conditional-on or related.",
            show_default=False,
            autocompletion=complete_relations,
        ),
    ],
    other: Annotated[
        str,
        typer.Argument(metavar="OTHER", help="The item linked to.", show_default=False, autocompletion=complete_ids),
    ],
    file: FileOpt = None,
) -> None:
    """Link an item to another: ID responds-to|conflicts-with|conditional-on|related OTHER."""
    from . import write

    done(said.linked(_write(write.link, file, item_id, rel, other)))


@app.command()
@handle
def unlink(
    item_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="The item that links.", show_default=False, autocompletion=complete_ids),
    ],
    other: Annotated[
        str,
        typer.Argument(metavar="OTHER", help="The item linked to.", show_default=False, autocompletion=complete_ids),
    ],
    file: FileOpt = None,
) -> None:
    """Remove the links from ID to OTHER."""
    from . import write

    done(said.unlinked(_write(write.unlink, file, item_id, other)))


@app.command()
@handle
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
    from . import write
    from .document import load
    from .files import find_file

    path = find_file(file)
    if not yes:
        item = load(path).item(item_id)
        if not sys.stdin.isatty():
            raise UsageError(f"not removing {item['id']} without confirmation: pass --yes")
        if not typer.confirm(f"Remove {_safe(item['id'])} ({_safe(item['title'])})?", default=False):
            fail("nothing removed")
    done(said.removed(_write(write.remove, str(path), item_id, force=force)))


@app.command()
@handle
def undo(file: FileOpt = None) -> None:
    """Revert the last write demands made to the file (repeat for more); refuses if it changed since."""
    from . import write

    done(said.undone(_write(write.undo, file)))


@app.command()
@handle
def init(
    path: Annotated[
        str | None, typer.Argument(help="Where to write it (default: demands.yaml).", show_default=False)
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The negotiation's title.", show_default=False)] = None,
) -> None:
    """Write a new, valid, commented skeleton file; never overwrites."""
    from . import write

    target = write.init(path, title)
    done(f"wrote {target}: edit the parties, then 'demands add --party ... --title ...'")


# --- history and change -----------------------------------------------------------------------


ReportFormatOpt = Annotated[ReportFormat, typer.Option("--format", "-o", help="Output format.", case_sensitive=False)]


@app.command("diff")
@handle
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
    since: Annotated[
        str | None,
        typer.Option("--since", help="Instead: the change since this date, rebuilt from history.", show_default=False),
    ] = None,
    round_: Annotated[
        str | None,
        typer.Option(
            "--round",
            "-r",
            help="Instead: the change since this round began, from history.",
            show_default=False,
            autocompletion=complete_rounds,
        ),
    ] = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when anything differs (like git diff --exit-code).")
    ] = False,
    file: FileOpt = None,
    fmt: ReportFormatOpt = Format.table,
) -> None:
    """What changed between two versions: items added, removed, and changed field by field."""
    from .read import diff as changes

    result = changes(file, old, new, since=since, round_id=round_)
    emit(result, fmt)
    if exit_code and result:
        raise typer.Exit(code=1)


@app.command()
@handle
def log(
    since: Annotated[
        str | None, typer.Option("--since", help="Entries on or after this date.", show_default=False)
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Entries on or before this date.", show_default=False)
    ] = None,
    party: Annotated[
        list[str] | None,
        typer.Option(
            "--party",
            "-p",
            help="Items raised by this party (repeat for OR).",
            show_default=False,
            autocompletion=complete_parties,
        ),
    ] = None,
    round_: RoundOpt = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", help="At most N entries.", min=0, show_default=False)
    ] = None,
    file: FileOpt = None,
    fmt: ReportFormatOpt = Format.table,
) -> None:
    """Every history entry across items as a timeline, newest first."""
    from .read import log as entries

    emit(entries(file, since=since, until=until, parties=party or [], round_id=round_, limit=limit), fmt)


# --- reports --------------------------------------------------------------------------------


@app.command("brief")
@handle
def brief_(
    output: Annotated[
        str | None,
        typer.Option(
            "--output", help="Write the brief to this file, replaced atomically (default: stdout).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        BriefFormat,
        typer.Option("--format", "-o", help="Output format: the brief is a Markdown document.", case_sensitive=False),
    ] = Format.markdown,
    party: Annotated[
        list[str] | None,
        typer.Option(
            "--party",
            "-p",
            help="Only this party's items (repeat for several).",
            show_default=False,
            autocompletion=complete_parties,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Changes since this date (default: since the last round began).", show_default=False
        ),
    ] = None,
    round_: Annotated[
        str | None,
        typer.Option(
            "--round",
            "-r",
            help="Changes since this round began.",
            show_default=False,
            autocompletion=complete_rounds,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title of the brief (default: the file's title).", show_default=False)
    ] = None,
    file: FileOpt = None,
) -> None:
    """A Markdown brief a negotiator reads in two minutes: state of play, positions, conflicts, changes, deadlines, sources."""
    from .read import brief

    result = brief(file, parties=party or [], since=since, round_id=round_, as_of=as_of, title=title)
    emit(result, fmt, output)


@app.command()
@handle
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
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            "-t",
            help="Only this topic (repeat for several).",
            show_default=False,
            autocompletion=complete_topics,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    file: FileOpt = None,
    fmt: ReportFormatOpt = Format.table,
) -> None:
    """Two parties side by side per topic: what each asks of the other, offers and refuses, and where they conflict."""
    from .read import compare as side_by_side

    emit(side_by_side(file, a, b, topics=topic or [], as_of=as_of), fmt)


@app.command()
@handle
def target(
    item_id: Annotated[
        str, typer.Argument(metavar="ID", help="The item.", show_default=False, autocompletion=complete_ids)
    ],
    amount: Annotated[
        str | None,
        typer.Option(
            "--amount",
            help="The target amount: a plain number below 1e18, at most 18 significant digits.",
            metavar="NUMBER",
            show_default=False,
        ),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit, e.g. USD.", show_default=False)] = None,
    by: Annotated[str | None, typer.Option("--by", help="Date to reach it, YYYY-MM-DD.", show_default=False)] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="What is measured.", show_default=False)] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Where the measure started (default 0).", metavar="NUMBER", show_default=False),
    ] = None,
    file: FileOpt = None,
) -> None:
    """Set an item's numeric target (amount, unit, by, metric, baseline); on an existing target only the options given change."""
    from . import write

    change = _write(write.set_target, file, item_id, amount=amount, unit=unit, by=by, metric=metric, baseline=baseline)
    done(said.target_set(change))


@app.command()
@handle
def progress(
    item_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="An item with a target.", show_default=False, autocompletion=complete_ids),
    ],
    amount: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="The measured amount (a plain number).", show_default=False)
    ],
    date_: DateOpt = None,
    note: Annotated[
        str | None, typer.Option("--note", "-m", help="What the measurement is.", show_default=False)
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the figure comes from.", show_default=False)
    ] = None,
    file: FileOpt = None,
) -> None:
    """Record a dated measurement toward an item's target."""
    from . import write

    done(
        said.progress_recorded(
            _write(write.record_progress, file, item_id, amount, date=date_, note=note, source=source)
        )
    )


# --- git collaboration ---


@app.command("merge-driver")
@handle
def merge_driver(
    base: Annotated[
        str, typer.Argument(metavar="BASE", help="The common ancestor's version (git's %O).", show_default=False)
    ],
    ours: Annotated[
        str,
        typer.Argument(
            metavar="OURS", help="Our version (git's %A); the merged result replaces it.", show_default=False
        ),
    ],
    theirs: Annotated[str, typer.Argument(metavar="THEIRS", help="Their version (git's %B).", show_default=False)],
    path: Annotated[
        str | None,
        typer.Option("--path", help="The file's path in the repository (git's %P), for messages.", show_default=False),
    ] = None,
    marker_size: Annotated[
        int | None,
        typer.Option(
            "--marker-size",
            "-L",
            help="Conflict marker size (git's %L). Accepted and unused: conflicts are reported on stderr, "
            "and the file never holds markers, so it always loads.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Git merge driver: merge THEIRS into OURS item by item and field by field, keeping OURS' comments.

    A field both sides changed differently keeps OURS' value, is reported on stderr, and exits 1.
    An id both sides added, differently, keeps OURS' item and renumbers THEIRS' (one line, no conflict).
    """
    from . import atomic, merge, signals

    name = path or ours
    try:
        result = merge.merge_into_ours(Path(base), Path(ours), Path(theirs), name)
    except DemandsError as err:
        # "X is unchanged" says less than what a merge needs said: theirs is not in it.
        message = str(err).replace(f"; {name} is unchanged", "")
        if merge.ours_only(name) not in message:
            message += f"; {merge.ours_only(name)}"
        typer.echo(f"demands merge-driver: {_safe(message)}", err=True)
        raise typer.Exit(code=1) from None
    except signals.Interrupted as err:
        if err.written:
            raise
        atomic.remove_temps()
        typer.echo(f"demands merge-driver: interrupted; {_safe(merge.ours_only(name))}", err=True)
        raise typer.Exit(code=err.exit_code) from None
    except BaseException as err:
        # Whatever stops the driver (a bug, an interrupt), git keeps OURS in the work tree: say so.
        what = "interrupted" if isinstance(err, KeyboardInterrupt) else f"stopped ({type(err).__name__})"
        typer.echo(f"demands merge-driver: {what}; {_safe(merge.ours_only(name))}", err=True)
        raise
    if result.renumbered:
        typer.echo(f"demands merge-driver: {_safe(name)}: {_safe(result.renumbering())}", err=True)
    for conflict in result.conflicts:
        typer.echo(f"demands merge-driver: {_safe(str(conflict))}", err=True)
    if result.conflicts:
        count = len(result.conflicts)
        typer.echo(
            _safe(
                f"demands merge-driver: {name}: {count} conflict{'s' if count > 1 else ''}, ours kept there; "
                f"the rest is merged: settle them (demands mark, demands edit), then 'git add {name}'"
            ),
            err=True,
        )
        raise typer.Exit(code=1)
    changes = f"{result.taken} change{'s' if result.taken != 1 else ''}"
    typer.echo(_safe(f"demands merge-driver: {name}: merged {changes} from theirs, no conflicts"), err=True)


@app.command("git-setup")
@handle
def git_setup(file: FileOpt = None) -> None:
    """Make git merge the data file with 'demands merge-driver' (.gitattributes and local git config).

    The driver runs by the absolute path of this Python, so git runs it without the environment active (a GUI client, an IDE); if that Python goes away, 'demands' on PATH.
    """
    from .files import find_file
    from .gitsetup import register

    for action in register(find_file(file)):
        done(action)
