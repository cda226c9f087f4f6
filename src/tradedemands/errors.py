"""Exceptions the library raises; each message says what is wrong and what to do.

Messages are in the library's terms. Where a message names an argument of the call
(``title must not be empty``), it holds the token ``OPTION`` in its place: ``str(err)``
says the argument as the library knows it, and the command line says its option instead
(``--title must not be empty``: see ``DemandsError.worded``). The CLI turns every error into one
line on stderr and the exit code in ``exit_code`` (1: data or operation error, 2: usage
error).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Stands for an argument's name in a message (``f"{OPTION} must not be empty"``). Made of NULs,
#: which neither a command line nor a repr() of typed text can hold, so a value quoted in a
#: message is never taken for it.
OPTION = "\x00option\x00"


class DemandsError(Exception):
    """A problem the user can fix; ``str(err)`` is the message to show.

    ``option``: what the message names by the token ``OPTION`` (an argument: ``title``,
    ``item_id``), for a front end to name it its own way; ``said``: how the library names
    it in ``str(err)`` (default: ``option``). ``item``: the id of the item the message is
    about, when there is one.
    """

    exit_code = 1

    def __init__(
        self, message: str, *, option: str | None = None, said: str | None = None, item: str | None = None
    ) -> None:
        self.template = message
        self.option = option
        self.item = item
        super().__init__(self.worded(said or option) if option else message)

    def worded(self, name: str) -> str:
        """The message with the argument called ``name`` (the command line's ``--title``)."""
        return self.template.replace(OPTION, name)


class UsageError(DemandsError):
    """A bad value for an argument (unknown status, bad date, ...)."""

    exit_code = 2


class ArgumentTypeError(UsageError, TypeError):
    """A library call gave an argument of the wrong type (a number where text is taken, a
    list where one id is); the message names the argument, what it takes and what it got.
    A UsageError (so a DemandsError) and a TypeError both."""


class ArgumentValueError(UsageError, ValueError):
    """A library call gave an argument a value it cannot take (``limit=-1``, an unknown
    format); the message names the argument. A UsageError (so a DemandsError) and a ValueError both."""


class FileNotFound(DemandsError):
    """No data file where one was expected."""


class UnknownId(DemandsError):
    """An id that names no item; the message lists the closest ones."""


class LockTimeout(DemandsError):
    """Another process held the file's lock for too long."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, located by line and column (1-based)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class InvalidFile(DemandsError):
    """The data file does not load or does not validate; ``problems`` lists every error."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def cause(err: OSError) -> str:
    """The system's words for what went wrong (``No space left on device``)."""
    return err.strerror or type(err).__name__
