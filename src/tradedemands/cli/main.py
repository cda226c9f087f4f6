"""The ``demands`` application and its own options (``--version``, shell completion).

The commands are registered on ``app`` by the modules of this package, one per group
(``GROUPS``), each loaded when one of its commands runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from .. import __version__
from ._typer import App, Group

#: Each module of commands and the commands it holds, in the order ``demands --help`` lists them.
GROUPS = {
    "read": ("list", "show", "summary", "validate", "export", "schema"),
    "write": ("add", "mark", "note", "edit", "link", "unlink", "remove", "undo", "init"),
    "importing": ("import",),
    "history": ("diff", "log"),
    "reports": ("brief", "compare"),
    "targets": ("target", "progress"),
    "git": ("merge-driver", "git-setup"),
}

app = App(
    package=__package__ or "tradedemands.cli",
    groups=GROUPS,
    cls=Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="Track what each party in a negotiation demands, concedes and refuses.",
)


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
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Never page tables (as git --no-pager); each reading command takes it too.",
            show_default=False,
        ),
    ] = False,
) -> None:
    """Track what each party in a negotiation demands, concedes and refuses.

    One YAML file, kept in git, holds every item with its status and dated history.
    """
    if no_pager:
        from .output import Run

        Run.pager = False
