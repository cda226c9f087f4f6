"""Working with git: ``merge-driver`` (git runs it to merge the file) and ``git-setup``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .main import app
from .options import FileOpt, examples
from .output import done, safe


def _say(line: str) -> None:
    typer.echo(f"demands merge-driver: {safe(line)}", err=True)


@app.command(
    "merge-driver",
    epilog=examples(
        "demands git-setup",
        "demands merge-driver base.yaml ours.yaml theirs.yaml --path data/demands.yaml",
    ),
)
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
    from .. import atomic, merge, signals
    from ..errors import DemandsError

    name = path or ours
    try:
        result = merge.merge_into_ours(Path(base), Path(ours), Path(theirs), name)
    except DemandsError as err:
        # "X is unchanged" says less than what a merge needs said: theirs is not in it.
        said = str(err).replace(f"; {name} is unchanged", "")
        _say(said if merge.ours_only(name) in said else f"{said}; {merge.ours_only(name)}")
        raise typer.Exit(code=1) from None
    except signals.Interrupted as err:
        if err.written:
            raise
        atomic.remove_temps()
        _say(f"interrupted; {merge.ours_only(name)}")
        raise typer.Exit(code=err.exit_code) from None
    except BaseException as err:
        # Whatever stops the driver (a bug, an interrupt), git keeps OURS in the work tree: say so.
        _say(
            f"{'interrupted' if isinstance(err, KeyboardInterrupt) else f'stopped ({type(err).__name__})'}; {merge.ours_only(name)}"
        )
        raise
    if result.renumbered:
        _say(f"{name}: {result.renumbering()}")
    for conflict in result.conflicts:
        _say(str(conflict))
    count = len(result.conflicts)
    if count:
        _say(
            f"{name}: {count} conflict{'s' if count > 1 else ''}, ours kept there; "
            f"the rest is merged: settle them (demands mark, demands edit), then 'git add {name}'"
        )
        raise typer.Exit(code=1)
    _say(f"{name}: merged {result.taken} change{'s' if result.taken != 1 else ''} from theirs, no conflicts")


@app.command(
    "git-setup",
    epilog=examples(
        "demands git-setup",
        "demands git-setup --file data/demands.yaml",
    ),
)
def git_setup(file: FileOpt = None) -> None:
    """Make git merge the data file with 'demands merge-driver' (.gitattributes and local git config).

    The driver runs by the absolute path of this Python, so git runs it without the environment active (a GUI client, an IDE); if that Python goes away, 'demands' on PATH.
    """
    from ..files import find_file
    from ..gitsetup import register

    for action in register(find_file(file)):
        done(action)
