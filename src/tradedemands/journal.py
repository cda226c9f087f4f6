"""The undo journal: how to reverse each of the last writes this tool made to a data file.

One JSON file per data file (named by a hash of its real path) in the state folder
(``portable.state_home() / "undo"``), holding at most ``UNDO_LEVELS`` entries, oldest
first. An entry is ``{"what", "time", "before", "after", "splices"}``: what the write was
(``mark US-1 agreed``), when, the SHA-256 of the text before and after it, and the splices
that turn the text after back into the text before. A journal that is not one this tool
wrote is set aside (renamed), never misread.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import portable, settings
from .atomic import CannotWrite, write_private
from .errors import DemandsError, cause
from .files import NotRegular, TooLarge, read_regular

UNDO_LEVELS = 20
#: Called with a one-line warning (undo journal not written, ...); the CLI prints it on stderr.
Warn = Callable[[str], None]


class JournalWarning(UserWarning):
    """A write succeeded but its undo record could not be kept (reported, never silent)."""


def warn_by_default(message: str) -> None:
    """The warning of a write whose caller gave no ``warn``: a JournalWarning through ``warnings``."""
    import warnings

    warnings.warn(message, JournalWarning, stacklevel=3)


def sha(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), in hex: how the journal knows a file's versions."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_dir() -> Path:
    """The folder holding the undo journals."""
    return portable.state_home() / "undo"


def journal_path(path: Path) -> Path:
    """Where the undo journal of the data file ``path`` lives."""
    import hashlib

    key = hashlib.sha256(os.path.realpath(path).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return state_dir() / f"{key}.json"


class JournalDamaged(DemandsError):
    """The undo journal is not one this tool wrote; it has been set aside (renamed)."""


def is_entry(entry: Any) -> bool:
    """Whether ``entry`` has the shape ``transact`` writes."""
    if not isinstance(entry, dict):
        return False
    if not all(isinstance(entry.get(key), str) for key in ("what", "before", "after")):
        return False
    splices = entry.get("splices")
    return isinstance(splices, list) and all(
        isinstance(s, list)
        and len(s) == 3
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in s[:2])
        and s[0] <= s[1]
        and isinstance(s[2], str)
        for s in splices
    )


def read_journal(path: Path, *, set_damaged_aside: bool = True) -> list[dict[str, Any]]:
    """The undo entries recorded for the data file ``path``, oldest first ([] when none).

    A journal that is not this tool's (not JSON, truncated, ``[1,2,3]``...) is renamed
    to ``<journal>.damaged-<time>`` (left as it is without ``set_damaged_aside``: a dry
    run) and JournalDamaged says so; one that cannot be read
    (permissions, a FIFO...) is DemandsError. Neither is ever an internal error.
    """
    journal = journal_path(path)
    try:
        if hasattr(os, "geteuid") and os.lstat(journal).st_uid != os.geteuid():
            # its splices would be applied by undo: only a journal of this user's own is read
            raise DemandsError(f"the undo journal {journal} belongs to another user; remove it")
        raw = read_regular(journal, settings.max_bytes(), label=str(journal), follow=False)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except TooLarge:
        raw = b""
    except NotRegular as err:
        if os.path.islink(journal):  # never read or written through: set aside like a damaged one
            if not set_damaged_aside:
                raise JournalDamaged(
                    f"the undo journal {journal} is a symbolic link, not a journal demands wrote"
                ) from None
            aside = set_aside(journal)
            raise JournalDamaged(
                f"the undo journal {journal} was a symbolic link, not a journal demands wrote; set aside{aside}"
            ) from None
        raise DemandsError(f"cannot read the undo journal {journal}: it is {err.kind}") from None
    except OSError as err:
        raise DemandsError(f"cannot read the undo journal {journal}: {cause(err)}") from None
    try:
        entries = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        entries = None
    if isinstance(entries, list) and all(is_entry(e) for e in entries):
        return entries
    if not set_damaged_aside:
        raise JournalDamaged(f"the undo journal {journal} is damaged (not a journal demands wrote)")
    aside = set_aside(journal)
    raise JournalDamaged(f"the undo journal {journal} was damaged (not a journal demands wrote); set aside{aside}")


def set_aside(journal: Path) -> str:
    """Rename a damaged journal out of the way; `` as NAME`` for the message."""
    aside = journal.with_name(f"{journal.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    try:
        os.replace(journal, aside)
    except OSError as err:
        raise DemandsError(
            f"the undo journal {journal} is damaged and cannot be set aside ({cause(err)}); remove it"
        ) from None
    return f" as {aside.name}"


def write_journal(path: Path, entries: list[dict[str, Any]]) -> str | None:
    """Save the undo journal (its last UNDO_LEVELS entries); the reason when it cannot be
    written (state folder full, read-only, ...), else None. Never raises for that, and
    leaves no temporary file behind."""
    journal = journal_path(path)
    data = json.dumps(entries[-UNDO_LEVELS:]).encode("utf-8")
    try:
        write_private(journal.parent, journal.name, data)  # never through a link put in its place
    except OSError as err:
        return f"cannot write the undo journal {journal}: {cause(err)}"
    except CannotWrite as err:
        return f"cannot write the undo journal {journal}: {err.reason}"
    except DemandsError as err:
        return str(err)
    return None


def record(path: Path, entry: dict[str, Any], warn: Warn) -> None:
    """Append ``entry`` to the undo journal; anything in the way is a warning, not a failure."""
    lost = "the change is written, but 'demands undo' cannot revert it"
    try:
        journal = read_journal(path)
    except JournalDamaged as err:
        warn(f"{err}: older changes cannot be undone")
        journal = []
    except DemandsError as err:
        warn(f"{err}; {lost}")
        return
    failure = write_journal(path, [*journal, entry])
    if failure:
        warn(f"{failure}; {lost}")
