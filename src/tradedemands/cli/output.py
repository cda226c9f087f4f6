"""The command line's one output path: the formats, ``emit``, and the lines on stderr.

Every read command hands its result to ``emit``, which chooses the format: a Rich table for
people (the place a pager and a faster table renderer go), a report on stderr (``text``), or
the result serialised as json, yaml, csv, markdown or ids, to stdout or ``--output``. A table
longer than the terminal goes through a pager (``pager``). Every line on stderr
(confirmations, warnings, errors) goes through ``safe``: text from the data file never
drives the terminal. A dry run's diff is written by ``preview``, after which confirmations
say ``dry run:``.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn

import typer

if TYPE_CHECKING:
    from ..errors import DemandsError
    from ..results import LeftOut, Result
    from ..transaction import Preview


class Run:
    """What this run of the command asked of its output: ``dry_run`` (confirmations say that
    nothing was written) and ``pager`` (False after ``--no-pager``). Reset by ``begin``."""

    dry_run = False
    pager = True


def begin() -> None:
    """Start a run (the command line's entry point calls this): no dry run, pager allowed, and
    a ``COLUMNS`` or ``LINES`` that is not a number in ASCII digits (``²``, ``40x``) unset, so
    that Rich, Typer's help, the table renderer and the pager all ignore it alike."""
    Run.dry_run = False
    Run.pager = True
    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name)
        if value is not None and not (value.isascii() and value.isdigit()):
            del os.environ[name]


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
#: The formats ``import`` reads.
ImportFormat = Literal[Format.csv, Format.json, Format.yaml]


def emit(result: Result, fmt: Format, output: str | None = None, *, pager: bool = True) -> None:
    """Write a read command's result in ``fmt``: the one place output formats are chosen.

    ``table`` draws it with Rich (an empty result says so on stderr), through a pager when it
    is longer than the terminal and stdout is one (not with ``pager`` False: ``--no-pager``);
    ``text`` writes its lines on stderr; the other formats go to stdout, or with ``output``
    (``--output``) to that file, replaced atomically (never the data file), never paged. What
    a dated answer left out is said first, on stderr.
    """
    if result.left_out is not None:
        left_out(result.left_out)
    if fmt == Format.table:
        note = result.empty_note()
        if note is not None:
            typer.echo(safe(note), err=True)
            return
        from ..render import table
        from .pager import paged

        with paged(pager and Run.pager):
            table(result)
    elif fmt == Format.text:
        for line in result.lines():
            typer.echo(safe(line), err=True)
    else:
        write_output(result.serialise(fmt.value), output, getattr(result, "path", None))


def left_out(what: LeftOut) -> None:
    """Say once, on stderr, which items a dated answer left out because nothing dates them."""
    ids = what.ids
    asked = f"changes since {what.date}" if what.since else f"--as-of {what.date}"
    named = ids[:5] + ([f"{len(ids) - 5} more"] if len(ids) > 5 else [])
    shown = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    typer.echo(
        safe(
            f"demands: {asked}: left out {shown}: nothing in the file dates "
            f"{'its' if len(ids) == 1 else 'their'} status (no history entry sets one, no source date)"
        ),
        err=True,
    )


def write_output(text: str, output: str | None, data_file: Path | None) -> None:
    """``text`` to stdout (``output`` None or ``-``), else to the file ``output``, replaced
    atomically; never over ``data_file``."""
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    from ..atomic import write_output as replace_output

    replace_output(output, text.encode("utf-8"), protect=data_file)
    done(f"wrote {output}")


def echo(text: str) -> None:
    """A line of output on stdout (``add``'s new id); nothing in a dry run, whose stdout is its diff."""
    if not Run.dry_run:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def preview(previews: list[Preview]) -> None:
    """A dry run's changes: each as a unified diff of the file's lines, on stdout (on a terminal
    coloured as git colours one, and with control characters from the file made visible).
    From here on, confirmations say ``dry run:``. Control characters are made visible in a
    pipe too (as every other output does); a line's own end (``\\n``, ``\\r\\n``) is kept there."""
    from ..transaction import file_lines

    Run.dry_run = True
    terminal = sys.stdout.isatty()
    colour = terminal and not os.environ.get("NO_COLOR")
    for each in previews:
        for line in file_lines(each.diff()):
            body = line[:-2] if line.endswith("\r\n") else line.rstrip("\n")
            if not terminal:
                sys.stdout.write(safe(body) + line[len(body) :])
                continue
            shown = safe(body)
            if colour:
                style = "1" if line.startswith(("---", "+++")) else {"+": "32", "-": "31", "@": "36"}.get(line[:1])
                shown = f"\x1b[{style}m{shown}\x1b[0m" if style else shown
            sys.stdout.write(shown + "\n")
    sys.stdout.flush()


# --- lines on stderr -----------------------------------------------------------------------------


def safe(text: str) -> str:
    """``text`` with control characters made visible (``escape.visible``)."""
    from ..escape import visible

    return visible(text)


def clip_line(line: str) -> str:
    """The last guard on error lines: however a message was built, it stays one short line.

    Values are clipped where each message is built (``escape.clip``); this only catches
    what slipped through.
    """
    from ..escape import clip

    return clip(line, 1000)


def done(line: str) -> None:
    """The one-line confirmation of a write, on stderr (``dry run: ...`` in a dry run)."""
    typer.echo(safe(f"dry run: {line}" if Run.dry_run else line), err=True)


def warn(line: str) -> None:
    """A warning on stderr: something went wrong that did not stop the command."""
    typer.echo(f"demands: warning: {safe(clip_line(line))}", err=True)


def fail(line: str, code: int = 1) -> NoReturn:
    """Stop with ``line`` on stderr and exit ``code`` (1 by default)."""
    typer.echo(f"demands: {safe(line)}", err=True)
    raise typer.Exit(code=code)


def message(err: DemandsError) -> str:
    """A library error's message as the command line says it: the argument it names, by its
    option (``OPTION_NAMES``)."""
    from .options import OPTION_NAMES

    name = OPTION_NAMES.get(err.option or "")
    if name is None:
        return str(err)
    return err.worded(name.replace("{item}", err.item or ""))
