"""Dates as people type them: ``YYYY-MM-DD``, ``today`` or ``yesterday``.

Every date the library takes from a person (the date of a change, ``as_of``, ``since``,
``until``, a due date) goes through ``resolve``, which gives the ``YYYY-MM-DD`` text
the file holds, or a UsageError naming the argument.
"""

from __future__ import annotations

from datetime import date, timedelta

from .errors import UsageError
from .model import parse_date


def resolve(value: str | None, option: str = "date") -> str:
    """``value`` as a ``YYYY-MM-DD`` date: itself, or ``today`` (also for None) or ``yesterday``
    (any case), from this machine's clock. UsageError naming the argument ``option`` otherwise."""
    if value is None or value.lower() == "today":
        return date.today().isoformat()
    if value.lower() == "yesterday":
        return (date.today() - timedelta(days=1)).isoformat()
    if parse_date(value) is None:
        raise UsageError(
            f"bad date {value!r} for {{option}}: use YYYY-MM-DD, like {date.today().isoformat()}", option=option
        )
    return value
