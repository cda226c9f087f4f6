"""Values as people type them: dates, amounts and names, checked and turned into what the file holds.

Every date the library takes from a person (the date of a change, ``as_of``, ``since``,
``until``, a due date) goes through ``date``: ``YYYY-MM-DD``, ``today``, ``yesterday``, or a
span back from today (``3d``, ``2w``, ``1m``, ``1y``; ``+2w`` ahead); ``as_of`` and ``since``
also take ``last-round`` (``date_in``: the start of the latest round held).
Every amount typed as text goes through ``amount``: a plain number, finite, below 1e18 in
magnitude, at most 18 significant digits. A bad value is a UsageError naming the argument.
"""

from __future__ import annotations

import calendar
import functools
import os
import re
from collections.abc import Callable, Iterable
from datetime import date as day
from datetime import datetime, timedelta
from typing import Any, TypeVar

from .errors import OPTION, ArgumentTypeError, ArgumentValueError, UsageError
from .model import amount_problem, exact_amount, parse_date

#: How dates may be typed, after an example ``YYYY-MM-DD`` date, for messages.
SPANS = "today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)"
#: A span of days, weeks, months or years: back from today, or ahead with ``+``.
_SPAN = re.compile(r"(\+?)([0-9]{1,6})\s*([dwmy])", re.IGNORECASE)
#: The statuses of a round that was not held (``rounds: - {status: planned}``).


def date(value: str | None, option: str = "date", *, today: day | None = None, rounds: bool = False) -> str:
    """``value`` as a ``YYYY-MM-DD`` date, from what a person types (any case, spaces around ignored):

    - ``YYYY-MM-DD`` itself; ``today`` (also for None) or ``yesterday``, by this machine's clock
      (or ``today``, a ``datetime.date``, when given);
    - a span back from today: ``3d`` (days), ``2w`` (weeks), ``1m`` (calendar months: the same
      day of the month, or the month's last day when it has fewer: 1m before 2024-03-31 is
      2024-02-29), ``1y`` (calendar years: 1y before 2024-02-29 is 2023-02-28); ``+2w`` is a
      span ahead (a due date two weeks from now).

    UsageError naming the argument ``option`` otherwise (its message offers ``last-round`` too
    with ``rounds``), or when the day would be before 0001-01-01 or after 9999-12-31.
    """
    now = today or day.today()
    text = "today" if value is None else value.strip()
    word = text.lower()
    if word == "today":
        return now.isoformat()
    if word == "yesterday":
        return _shifted(now, -1, "d", text, option)
    span = _SPAN.fullmatch(text)
    if span is not None:
        sign = 1 if span.group(1) else -1
        return _shifted(now, sign * int(span.group(2)), span.group(3).lower(), text, option)
    if parse_date(text) is None:
        hint = (
            ", or last-round" if rounds else "; last-round is for --since and --as-of" if word == "last-round" else ""
        )
        raise UsageError(
            f"bad date {clip_value(text)} for {OPTION}: use YYYY-MM-DD like {now.isoformat()}, {SPANS}{hint}",
            option=option,
        )
    return text


def _shifted(start: day, count: int, unit: str, text: str, option: str) -> str:
    """``start`` moved by ``count`` days, weeks, months or years (``unit``: d, w, m, y); months and
    years keep the day of the month, or take the month's last day when it has fewer."""
    try:
        if unit in ("d", "w"):
            return (start + timedelta(days=count * (7 if unit == "w" else 1))).isoformat()
        months = start.year * 12 + start.month - 1 + count * (12 if unit == "y" else 1)
        year, month = divmod(months, 12)
        last = calendar.monthrange(year, month + 1)[1] if 1 <= year <= 9999 else 0
        return day(year, month + 1, min(start.day, last)).isoformat()
    except (OverflowError, ValueError):
        raise UsageError(
            f"{OPTION} {clip_value(text)} is out of range: dates run from 0001-01-01 to 9999-12-31", option=option
        ) from None


def clip_value(text: str) -> str:
    """``repr`` of what was typed, cut short for a message."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def date_in(data: Any, value: str | None, option: str = "date", *, today: day | None = None) -> str:
    """``date``, where ``last-round`` (any case) also means the start date of the latest round held
    in ``data`` (``timeline.last_round_held``), as ``as_of`` and ``since`` take it. UsageError
    when the file has held no round yet."""
    if value is not None and value.strip().lower() == "last-round":
        from .timeline import last_round_held

        held = last_round_held(data, (today or day.today()).isoformat())
        if held is None:
            raise UsageError(f"no round has been held yet (the file's rounds): give {OPTION} a date", option=option)
        return str(held["date"])
    return date(value, option, today=today, rounds=True)


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


# --- the library's arguments -----------------------------------------------------------------

#: Arguments that take a date: ``YYYY-MM-DD`` text (or what ``date`` reads) or a ``datetime.date``.
DATE_ARGUMENTS = frozenset({"date", "due", "by", "as_of", "since", "until"})
F = TypeVar("F", bound=Callable[..., Any])


def _kind_of(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"{value} (a bool)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return f"a {type(value).__name__}"


def argument_error(name: str, takes: str, value: Any) -> ArgumentTypeError:
    """The error for argument ``name`` given ``value``: ``name must be TAKES, not a list``."""
    return ArgumentTypeError(f"{name} must be {takes}, not {_kind_of(value)}")


def path_argument(name: str, value: Any, takes: str = "a file's path (text or a pathlib.Path)") -> Any:
    """``value`` of the library argument ``name``, checked to be a path: text or an
    ``os.PathLike`` whose ``os.fspath`` is text (``takes`` says so in the message). Returned as
    given. ArgumentTypeError for anything else (bytes too); ArgumentValueError for a path with a
    NUL character, which no file can have (the OS would refuse it with a bare ValueError)."""
    if not isinstance(value, (str, os.PathLike)):
        raise argument_error(name, takes, value)
    try:
        text = os.fspath(value)
    except TypeError:  # an __fspath__ that returns neither str nor bytes
        raise argument_error(name, takes, value) from None
    if not isinstance(text, str):
        raise ArgumentTypeError(f"{name} must be {takes}, not a path given as bytes ({type(value).__name__})")
    if "\0" in text:
        raise ArgumentValueError(
            f"{OPTION} must be a path without a NUL character, not {clip_value(text)}", option=name
        )
    return value


def _kind(annotation: str, name: str) -> tuple[str | None, bool]:
    """What an argument annotated ``annotation`` takes (a kind ``argument`` checks), and whether None."""
    parts = {part.strip() for part in annotation.split("|")}
    optional = "None" in parts
    if "Sequence[str]" in parts or "Iterable[str]" in parts:
        return "names", optional
    if "Iterable[PathLike]" in parts:
        return "paths", optional
    if "Version" in parts:
        return "version", optional
    if "PathLike" in parts:
        return "path", optional
    if "Amount" in parts:
        return "amount", optional
    if "Warn" in parts:
        return "callable", optional
    if "Filters" in parts:
        return "filters", optional
    if "str" in parts:
        return ("date" if name in DATE_ARGUMENTS else "text"), optional
    if "int" in parts:
        return "count", optional
    if "bool" in parts:
        return "flag", optional
    return None, optional


def argument(kind: str, name: str, value: Any) -> Any:
    """``value`` of the library argument ``name`` checked for ``kind`` (``text``, ``date``,
    ``names``, ``path``, ``paths``, ``version``, ``amount``, ``count``, ``flag``, ``callable``,
    ``filters``), as the function takes it: a ``datetime.date`` becomes its ``YYYY-MM-DD`` text,
    a tuple of names a list. A path (``path``, each of ``paths``; a ``version`` that is a file's
    path or a git revision) is text or an ``os.PathLike`` giving text, and kept as given.
    ArgumentTypeError for a wrong type (bytes, a path-like giving bytes); ArgumentValueError for
    a negative count or a path or version with a NUL character (no file can be named so)."""
    if kind == "date" and isinstance(value, day):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if kind in ("text", "date"):
        if not isinstance(value, str):
            takes = "'YYYY-MM-DD' text or a datetime.date" if kind == "date" else "text"
            raise argument_error(name, takes, value)
        return value
    if kind == "names":
        if isinstance(value, str):
            return value
        if not isinstance(value, (list, tuple, set, frozenset)) or not all(isinstance(v, str) for v in value):
            bad = (
                next((v for v in value if not isinstance(v, str)), value) if isinstance(value, (list, tuple)) else value
            )
            raise argument_error(name, "text or a list of text", bad)
        return list(value)
    if kind == "path":
        return path_argument(name, value)
    if kind == "version":
        return path_argument(name, value, "a file's path or a git revision (text or a pathlib.Path)")
    if kind == "paths":
        if isinstance(value, (str, os.PathLike)):
            return path_argument(name, value)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, (str, os.PathLike)) for v in value):
            raise argument_error(name, "a file's path or a list of paths", value)
        for each in value:
            path_argument(name, each, "a file's path or a list of paths")
        return value
    if kind == "amount":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise argument_error(name, "a number (or a number as text)", value)
        return value
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int):
            raise argument_error(name, "a whole number", value)
        if value < 0:
            raise ArgumentValueError(f"{name} must be 0 or more, not {value}")
        return value
    if kind == "flag":
        if not isinstance(value, bool):
            raise argument_error(name, "True or False", value)
        return value
    if kind == "callable":
        if not callable(value):
            raise argument_error(name, "a function that takes one line of text", value)
        return value
    if kind == "filters":
        from .query import Filters

        if not isinstance(value, Filters):
            raise argument_error(name, "a tradedemands.Filters", value)
        return value
    return value


def checked(func: F) -> F:
    """A public library function whose arguments are checked against its annotations on each
    call (``argument``), so that a wrong type is an ArgumentTypeError naming the argument, not
    an AttributeError from deep inside; a ``datetime.date`` is taken wherever a date is."""
    import inspect

    plan: dict[str, tuple[str, bool]] = {}
    signature: list[inspect.Signature] = []

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        if not signature:
            signature.append(inspect.signature(func))
            for pname, param in signature[0].parameters.items():
                if isinstance(param.annotation, str) and pname != "self":
                    kind, optional = _kind(param.annotation, pname)
                    if kind is not None:
                        plan[pname] = (kind, optional)
        bound = signature[0].bind(*args, **kwargs)
        for pname, value in bound.arguments.items():
            if pname in plan and not (value is None and plan[pname][1]):
                bound.arguments[pname] = argument(plan[pname][0], pname, value)
        return func(*bound.args, **bound.kwargs)

    return call  # type: ignore[return-value]
