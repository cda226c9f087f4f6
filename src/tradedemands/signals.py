"""Signals during a write: SIGINT, SIGTERM and SIGHUP become ``Interrupted`` where the program is.

The ``finally`` blocks then remove temporary files and the command says which file is
unchanged. From the rename on, signals wait until the write and its undo record are
complete (``deferred``), so the file is never renamed without its record. Once a file
has been written (``replaced``), a signal no longer stops the command: it is held, and
the command finishes and confirms the change that landed, so its words and
its exit status tell the truth. ``writing`` names the file being changed, so that an
interruption can say whether it was written.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(BaseException):
    """A signal (SIGINT, SIGTERM, SIGHUP) stopped the command.

    ``file`` is the file being written when it came (None for reads), ``written``
    whether it had been replaced already, and ``partial`` whether part of it was written
    in place (a FIFO, a device, a descriptor such as ``/dev/stdout``: no rename there).
    A BaseException, so ``except Exception`` never swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.file: str | None = None
        self.written = False
        self.partial = False

    @property
    def exit_code(self) -> int:
        """128 plus the signal's number, as a shell reports a process a signal stopped."""
        return 128 + self.signum

    def message(self) -> str:
        """What was interrupted, and whether the file being written is unchanged."""
        if self.file is None:
            return "interrupted"
        if self.written:
            return f"interrupted after {self.file} was written"
        if self.partial:
            return f"interrupted while writing {self.file}: it holds only part of the output"
        return f"interrupted; {self.file} is unchanged"


class _State:
    deferring = 0
    pending: int | None = None
    interrupted = False
    #: The file whose new version is in place (None: no write has landed yet).
    landed: str | None = None
    #: The files being written, innermost last: [label, replaced yet].
    targets: list[list[Any]] = []
    #: Whether this process is the ``demands`` program itself (not a caller running the
    #: command in its own process, such as a test): only then may the end ignore signals.
    program = False


def _handler(signum: int, _frame: Any) -> None:
    if _State.interrupted or _State.deferring or _State.landed is not None:
        _State.pending = _State.pending or signum
        return
    _State.interrupted = True
    raise Interrupted(signum)


def install_signal_handlers() -> dict[int, Any]:
    """Turn SIGINT, SIGTERM and SIGHUP into ``Interrupted``; returns the handlers replaced.

    Only the main thread may do this; elsewhere nothing changes (and {} is returned).
    """
    reset()
    previous: dict[int, Any] = {}
    for signum in SIGNALS:
        try:
            previous[signum] = signal.signal(signum, _handler)
        except (ValueError, OSError):  # not the main thread, or not allowed here
            break
    return previous


def restore_signal_handlers(previous: dict[int, Any]) -> None:
    """Put back the handlers ``install_signal_handlers`` replaced.

    In the program itself once a write has landed, signals are ignored instead
    (``hold_to_the_end``): the default action there would end the process with 128+N.
    """
    if _State.program and _State.landed is not None:
        hold_to_the_end()
        return
    for signum, handler in previous.items():
        with contextlib.suppress(ValueError, OSError, TypeError):
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def reset() -> None:
    """Forget a signal already handled (a new command starts in this process)."""
    _State.deferring = 0
    _State.pending = None
    _State.interrupted = False
    _State.landed = None
    _State.targets.clear()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A stretch no signal may cut: one that comes waits until the stretch has ended."""
    _State.deferring += 1
    try:
        yield
    finally:
        _State.deferring -= 1
    if not _State.deferring and _State.pending is not None and not _State.interrupted and _State.landed is None:
        _State.interrupted = True
        raise Interrupted(_State.pending)


@contextlib.contextmanager
def writing(label: str) -> Iterator[None]:
    """Name the file being changed, so that an interruption says it is unchanged (or written)."""
    state = [label, False]
    _State.targets.append(state)
    try:
        yield
    except Interrupted as err:
        if err.file is None:
            err.file, err.written = label, bool(state[1])
        raise
    finally:
        with contextlib.suppress(ValueError):
            _State.targets.remove(state)


def replaced() -> None:
    """Record that the file being written (innermost ``writing``) has been replaced: from
    now on a signal is held, so the command finishes and confirms the change."""
    if _State.targets:
        _State.targets[-1][1] = True
        _State.landed = _State.targets[-1][0]


def as_program() -> None:
    """Mark this process as the ``demands`` program (its entry point calls this first), so
    that once a write has landed, the end of the command ignores signals (``hold_to_the_end``)."""
    _State.program = True


def hold_to_the_end() -> None:
    """Once a write has landed and the command has finished, the program only ends: a signal
    from now on is ignored, so that its exit status stays the command's own (the change and
    its confirmation are complete). Ignored, not handled: the interpreter puts the default
    action back for signals it handles as it shuts down, and a signal then (or one that
    reaches another thread) would end the process with 128+N. For the program's entry point
    only (``as_program``); nothing when no write landed."""
    if _State.landed is None or not _State.program:
        return
    for signum in SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signum, signal.SIG_IGN)
