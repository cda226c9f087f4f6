"""Bringing items in: ``import`` (a spreadsheet, JSON or YAML, as ``export`` writes them)."""

from __future__ import annotations

from typing import Annotated

import typer

from . import wording
from .main import app
from .options import DryRunOpt, FileOpt, examples
from .output import ImportFormat, done, warn
from .write import change


@app.command(
    "import",
    epilog=examples(
        "demands export -o csv --output items.csv",
        "demands import items.csv --dry-run",
        "demands import items.csv",
        "demands list --party cn -o json > cn.json && demands import cn.json",
    ),
)
def import_(
    path: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="CSV, JSON or YAML as 'demands export' writes it ('-': standard input, with --format).",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        ImportFormat | None,
        typer.Option(
            "--format", "-o", help="csv, json or yaml (default: from FILE's extension).", case_sensitive=False
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Merge items from a spreadsheet (CSV), JSON or YAML into the file, by id; all or nothing.

    New ids (and rows without an id) are added; existing items change field by field, only where a cell differs from what export writes; history only grows (new entries in their places by date); nothing is removed. A status changed without a history entry that sets it gets one dated today.

    Any problem (an unknown column, a bad status or date, a link to no item...) is listed as FILE:ROW:COLUMN, and nothing is imported.
    """
    from .. import write

    result = change(write.import_items, file, path, format=fmt.value if fmt else None, dry_run=dry_run)
    for line in wording.imported(result):
        done(line)
    if wording.ignored(result):
        warn(wording.ignored(result) or "")
