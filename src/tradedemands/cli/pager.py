"""Paging tables, as git does: a table longer than the terminal goes through a pager.

Only tables for people are paged, only when stdout is a terminal (not ``TERM=dumb``), and
not after ``--no-pager``. The pager is ``$DEMANDS_PAGER``, else ``$PAGER``, else ``less -FRX``
(``settings.pager``); ``LESS=FRX`` and ``LV=-c`` are set for it when unset, as git sets them,
so that colours pass and a short page needs no keypress. A pager that cannot be started
(not installed, not executable) is no error: the table is printed as it would be without one.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any


class _Screen(io.StringIO):
    """Stands in for the terminal while a table is drawn: says it is one, so the table is
    drawn for it (width, colours), and keeps the text."""

    def __init__(self, encoding: str | None) -> None:
        super().__init__()
        self._encoding = encoding or "utf-8"

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The terminal's encoding, so that the table is drawn with what it can show."""
        return self._encoding

    def isatty(self) -> bool:
        """A terminal: the table is drawn as for one."""
        return True


@contextlib.contextmanager
def paged(allowed: bool = True) -> Iterator[None]:
    """What the block writes to stdout goes through the pager when it has more lines than the
    terminal, stdout is a terminal and ``allowed``; otherwise it is written as usual."""
    from .. import settings

    # A dumb terminal (Emacs' shell, a CI log viewer) cannot run a pager: it scrolls anyway.
    terminal = sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
    command = settings.pager() if allowed and terminal else None
    if command is None:
        yield
        return
    real = sys.stdout
    screen = _Screen(getattr(real, "encoding", None))
    sys.stdout = screen
    try:
        yield
    finally:
        sys.stdout = real
    text = screen.getvalue()
    if text.count("\n") < shutil.get_terminal_size().lines or not _through(command, text, real):
        real.write(text)
        real.flush()


def _through(command: list[str], text: str, real: Any) -> bool:
    """Run ``command`` with ``text`` on its input and wait for it; False when it cannot be started."""
    import signal
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    encoding = getattr(real, "encoding", None) or "utf-8"
    with contextlib.suppress(AttributeError, ValueError, OSError):
        real.flush()
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        return False
    # Ctrl-C is the pager's to handle (less stops a search with it), as git leaves it.
    previous = _ignore(signal.SIGINT)
    try:
        assert pager.stdin is not None
        with contextlib.suppress(BrokenPipeError, OSError):
            pager.stdin.write(text.encode(encoding, errors="replace"))
        with contextlib.suppress(BrokenPipeError, OSError):
            pager.stdin.close()
        with ended_with(pager):
            pager.wait()
    finally:
        _restore(signal.SIGINT, previous)
    return True


@contextlib.contextmanager
def ended_with(child: Any) -> Iterator[None]:
    """If this command is stopped (SIGTERM, SIGHUP) while ``child`` (a pager, an editor) runs, stop
    ``child`` too: it would be left running on the terminal, with nothing behind it."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            child.terminate()
            try:
                child.wait(timeout=2)
            except Exception:
                child.kill()
        raise


def _ignore(signum: int) -> object:
    import signal

    try:
        return signal.signal(signum, signal.SIG_IGN)
    except (ValueError, OSError):  # not the main thread
        return None


def _restore(signum: int, previous: object) -> None:
    import signal

    if previous is not None:
        with contextlib.suppress(ValueError, OSError, TypeError):
            signal.signal(signum, previous)  # type: ignore[arg-type]
