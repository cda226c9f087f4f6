"""The ``demands`` command: parse options, call one library function, emit its result.

Each command group is a module (``read``, ``write``, ``history``, ``reports``, ``targets``,
``git``) that registers its commands on ``app``; options several commands share are in
``options``; the one output path (formats, ``emit``, lines on stderr) is ``output``; the one
error mapper and everything else that reaches into Typer is ``_typer``. Library modules are
imported inside the commands, so that a run loads only what its command needs.
"""

from __future__ import annotations

from . import git, history, read, reports, targets, write  # noqa: F401  (each registers its commands)
from .main import app

#: The groups in the order ``demands --help`` lists their commands (each group's in the order written).
GROUPS = ("read", "write", "history", "reports", "targets", "git")
app.registered_commands.sort(key=lambda command: GROUPS.index(command.callback.__module__.rpartition(".")[2]))

__all__ = ["app"]
