"""The ``demands`` command: parse options, call one library function, emit its result.

Each command group is a module (``read``, ``write``, ``history``, ``reports``, ``targets``,
``git``) that registers its commands on ``app``, loaded when one of its commands runs (or the
whole app is asked for: help, completion); options several commands share are in ``options``;
the one output path (formats, ``emit``, lines on stderr) is ``output``; the one error mapper
and everything else that reaches into Typer is ``_typer``. Library modules are imported
inside the commands, so that a run loads only what its command needs.
"""

from __future__ import annotations

from .main import app

__all__ = ["app"]
