"""Exceptions the library raises; each message is written for the person at the terminal.

The CLI turns them into one line on stderr and the exit code in ``exit_code``
(1: data or operation error, 2: usage error).
"""

from __future__ import annotations

from dataclasses import dataclass


class DemandsError(Exception):
    """A problem the user can fix; ``str(err)`` is the message to show."""

    exit_code = 1


class UsageError(DemandsError):
    """A bad value on the command line (unknown status, bad date, ...)."""

    exit_code = 2


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
