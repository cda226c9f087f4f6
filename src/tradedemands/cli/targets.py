"""Numeric targets: ``target`` sets one, ``progress`` records a measurement toward it."""

from __future__ import annotations

from typing import Annotated

import typer

from . import wording
from .main import app
from .options import ByOpt, DateOpt, DryRunOpt, FileOpt, ItemArg, MeasurementNoteOpt, complete_ids, examples
from .output import done
from .write import change


@app.command(
    epilog=examples(
        "demands target US-1 --amount 200000000000 --unit USD --by 2020-06-01",
        "demands target US-1 --by +1y --dry-run",
    )
)
def target(
    item_id: ItemArg,
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
    by: ByOpt = None,
    metric: Annotated[str | None, typer.Option("--metric", help="What is measured.", show_default=False)] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Where the measure started (default 0).", metavar="NUMBER", show_default=False),
    ] = None,
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Set an item's numeric target (amount, unit, by, metric, baseline); on an existing target only the options given change."""
    from .. import write

    spec = {"amount": amount, "unit": unit, "by": by, "metric": metric, "baseline": baseline}
    done(wording.target_set(change(write.set_target, file, item_id, **spec, dry_run=dry_run)))


@app.command(
    epilog=examples(
        'demands progress US-1 35000000000 --date 2019-06-30 --source "US Census Bureau"',
        'demands progress US-1 5e10 --date 1m --note "Preliminary" --dry-run',
    )
)
def progress(
    item_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="An item with a target.", show_default=False, autocompletion=complete_ids),
    ],
    amount: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="The measured amount (a plain number).", show_default=False)
    ],
    date_: DateOpt = None,
    note: MeasurementNoteOpt = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the figure comes from.", show_default=False)
    ] = None,
    dry_run: DryRunOpt = False,
    file: FileOpt = None,
) -> None:
    """Record a dated measurement toward an item's target."""
    from .. import write

    measured = change(
        write.record_progress, file, item_id, amount, date=date_, note=note, source=source, dry_run=dry_run
    )
    done(wording.progress_recorded(measured))
