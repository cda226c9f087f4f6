"""Values as people type them: dates, amounts and names, checked and turned into what the file holds.

Every date the library takes from a person (the date of a change, ``as_of``, ``since``,
``until``, a due date) goes through ``date``: ``YYYY-MM-DD``, ``today`` or ``yesterday``.
Every amount typed as text goes through ``amount``: a plain number, finite, below 1e18 in
magnitude, at most 18 significant digits. A bad value is a UsageError naming the argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date as day
from datetime import timedelta

from .errors import OPTION, UsageError
from .model import amount_problem, exact_amount, parse_date


def date(value: str | None, option: str = "date") -> str:
    """``value`` as a ``YYYY-MM-DD`` date: itself, or ``today`` (also for None) or ``yesterday``
    (any case), from this machine's clock. UsageError naming the argument ``option`` otherwise."""
    if value is None or value.lower() == "today":
        return day.today().isoformat()
    if value.lower() == "yesterday":
        return (day.today() - timedelta(days=1)).isoformat()
    if parse_date(value) is None:
        raise UsageError(
            f"bad date {value!r} for {OPTION}: use YYYY-MM-DD, like {day.today().isoformat()}", option=option
        )
    return value


def amount(text: str, option: str = "amount", said: str | None = None) -> float | int:
    """An amount typed as text, checked as the file's amounts are (finite, below 1e18 in
    magnitude, at most 18 significant digits): whole numbers (``2e11`` too) as exact integers.
    UsageError naming the argument ``option`` (``said``: how the library calls it) otherwise."""
    written = text.strip()
    if re.fullmatch(r"[-+]?[0-9]+", written):
        if len(written) > 4000:  # past what Python turns into a number; far past any amount
            raise UsageError(
                f"{OPTION}: a {len(written)}-digit number is out of range: amounts are below 1e18 in magnitude",
                option=option,
                said=said,
            )
        value: float | int = int(written)
    elif re.fullmatch(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", written):
        value = float(written)
    elif written.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise UsageError(f"{OPTION} must be a finite number", option=option, said=said)
    else:
        shown = written if len(written) <= 40 else written[:37] + "..."
        raise UsageError(f"{OPTION} must be a plain number like 200000000000, not {shown!r}", option=option, said=said)
    problem = amount_problem(value, written)
    if problem is not None:
        raise UsageError(f"{OPTION}: {problem}", option=option, said=said)
    exact = exact_amount(written)
    if isinstance(value, float) and exact is not None and exact == exact.to_integral_value():
        return int(exact)  # 9.99999999999999999e17 is 999999999999999999, not the float's 1e18
    return value


def names(value: str | Iterable[str] | None) -> list[str]:
    """Ids, names or tags given one or several at a time: a string is one (never its characters)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)
