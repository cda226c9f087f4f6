"""The checks of single values in a demands file: text, lists of text, dates, amounts, choices,
lists, mappings and their fields, and a source's URL; each problem kept as (path, message).

``Fields`` is the base of ``validation``'s file checker: a problem's path is the chain of keys
and list indices to the value at fault (a ``DataPath``), which the store turns into a line and
column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from typing import Any

from .escape import clip, quoted
from .model import DATE_RE, DataPath, amount_problem, exact_amount, fields_of, parse_date, required_of

#: Problems as (where in the data, message).
Found = list[tuple[DataPath, str]]
#: The text of the scalar at a place in the data as written in the file (None: not known).
TextOf = Callable[[DataPath], "str | None"]


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or nothing."""
    close = difflib.get_close_matches(str(word).lower(), [c.lower() for c in choices], n=1, cutoff=0.6)
    if not close:
        return ""
    original = next(c for c in choices if c.lower() == close[0])
    return f" (did you mean {quoted(original)}?)"


class Fields:
    """Checks of single values, collecting problems in ``found``.

    ``data``: the loaded file (a mapping); ``text_of``: the text of a scalar as written in the
    file, to read back bare numbers in text fields as written (None: not known); ``only``: the
    indexes of the only items to check one by one (None: all).
    """

    def __init__(self, data: dict[str, Any], text_of: TextOf | None, only: Collection[int] | None = None) -> None:
        self.data = data
        self.text_of = text_of
        self.only = only
        self.found: Found = []

    def problem(self, path: DataPath, message: str) -> None:
        self.found.append((path, message))

    # --- typed fields ---------------------------------------------------------------------

    def mapping(self, value: Any, path: DataPath, what: str) -> bool:
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping (key: value lines), not {kind_of(value)}")
            return False
        return True

    def fields(self, mapping: dict[str, Any], shape: Any, path: DataPath) -> None:
        """Every key of ``mapping`` is one the model's TypedDict ``shape`` has; its required ones are there."""
        allowed = fields_of(shape)
        for key in mapping:
            if key not in allowed:
                self.problem(path + (key,), f"unknown field {quoted(key)}{suggest(str(key), allowed)}")
        for key in required_of(shape):
            if mapping.get(key) is None:
                self.problem(path, f"missing required field {quoted(key)}")

    def text(self, mapping: dict[str, Any], key: str, path: DataPath, *, nonempty: bool = False) -> str | None:
        """A text field; numbers and booleans written bare are read back as the text written."""
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, (bool, int, float)):
            written = self.text_of(path + (key,)) if self.text_of else None
            value = written if written is not None else str(value)
            mapping[key] = value
        if not isinstance(value, str):
            self.problem(path + (key,), f"{key} must be text, not {kind_of(value)}")
            return None
        if nonempty and not value.strip():
            self.problem(path + (key,), f"{key} must not be empty")
        return value

    def text_list(self, mapping: dict[str, Any], key: str, path: DataPath) -> list[str]:
        """A list of text (``tags``, ``aliases``); bare numbers in it read back as written."""
        value = self.seq(mapping, key, path, " like [a, b]")
        out = []
        for i, entry in enumerate(value):
            if entry is None or (isinstance(entry, str) and not entry.strip()):
                self.problem(path + (key, i), f"{key} entry {i + 1} is empty: remove it or write a value")
                continue
            if not isinstance(entry, (str, bool, int, float)):
                self.problem(path + (key, i), f"{key} entry {i + 1} must be text, not {kind_of(entry)}")
                continue
            text = self.text(dict(enumerate(value)), i, path + (key,))  # type: ignore[arg-type]
            if text is not None:
                value[i] = text
                out.append(text)
        return out

    def date(self, mapping: dict[str, Any], key: str, path: DataPath) -> str | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not DATE_RE.match(value):
            self.problem(path + (key,), f"bad date {show(value)}: use YYYY-MM-DD")
            return None
        if parse_date(value) is None:
            self.problem(path + (key,), f"bad date {quoted(value)}: no such day")
            return None
        return value

    def number(self, mapping: dict[str, Any], key: str, path: DataPath) -> float | None:
        """An amount: a finite number below 1e18 in magnitude with at most 18 significant digits."""
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path + (key,), f"{key} must be a plain number like 200000000000, not {show(value)}")
            return None
        written = self.text_of(path + (key,)) if self.text_of else None
        problem = amount_problem(value, written)
        if problem is not None:
            self.problem(path + (key,), problem)
            return None
        exact = exact_amount(written) if written is not None and isinstance(value, float) else None
        if exact is not None and exact == exact.to_integral_value() and exact != value:
            # A whole amount a float cannot hold (9.99999999999999999e17): read it as written.
            value = mapping[key] = int(exact)
        return value

    def choice(
        self, mapping: dict[str, Any], key: str, path: DataPath, choices: list[str] | tuple[str, ...]
    ) -> str | None:
        value = self.text(mapping, key, path)
        if value is not None and value not in choices:
            self.problem(
                path + (key,),
                f"unknown {key} {quoted(value)}{suggest(value, choices)}; use one of: {clip(', '.join(choices))}",
            )
            return None
        return value

    def seq(self, mapping: dict[str, Any], key: str, path: DataPath, example: str = "") -> list[Any]:
        """The list at ``key`` ([] when absent, or a problem when it is something else)."""
        value = mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path + (key,), f"{key} must be a list{example}, not {kind_of(value)}")
            return []
        return value


#: A source's URL: http or https, a host, and no spaces, control characters or bidi controls.
_URL = re.compile(
    r"(?i:https?)://[^/?#\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
    r"[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]*"
)
#: What a source's URL must be, in the same words wherever one is checked.
URL_RULE = "must be an http or https URL like https://example.org/report, without spaces or control characters"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a source's URL (``source.url`` of an item, a history entry or a
    round; ``--source-url``), or None when it can: ``URL_RULE`` and the value, cut short
    (``javascript:``, ``file:``, a space, ESC or a bidi override are refused)."""
    if _URL.fullmatch(url):
        return None
    return f"{URL_RULE}, not {quoted(url, 60)}"


def kind_of(value: Any) -> str:
    """How a wrong value is named in a problem: ``a mapping``, ``the number 5``, ``text 'x'``..."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        shown = repr(value) if not isinstance(value, int) or value.bit_length() < 64 else ""
        return f"the number {shown}" if shown and len(shown) <= 24 else "a number"
    return f"text {quoted(value)}"


def show(value: Any) -> str:
    """A text value quoted (cut short), anything else named by its kind."""
    return quoted(value) if isinstance(value, str) else kind_of(value)
