"""Items as flat rows and back: the CSV shape ``export`` writes and ``import`` reads.

The columns follow the model's TypedDicts (``model.Item`` and what it holds), so a field the
model gains comes through without a change here:

- a field of text, a number, true/false or a choice is one column;
- a nested mapping (``source``, ``target``) is a column per key, dotted: ``source.url``,
  ``target.amount``, ``target.by``;
- a list of text (``tags``; a party list) is one cell, ``a;b``, and is written as a JSON array
  instead (``["a;b", "c"]``) when an entry holds ``;``, is empty or has spaces around it, or
  the cell would begin with ``[``;
- any other list (``links``, ``history``, ``target.progress``) is one cell holding a JSON array
  of its entries: ``[{"rel": "conflicts-with", "id": "CN-5"}]``.

Text is carried exactly. Text holding a control character (a tab, a carriage return, ESC, C1
controls, bidi overrides; newlines are kept as they are, inside the quoted cell), and text that
itself reads as a JSON string (begins and ends with ``"``), is written as a JSON string with
those characters escaped (``"a\\tb"``): nothing in a cell can drive a terminal, and every cell
reads back as the value it came from. An empty cell is a field the item does not have.
Spreadsheet safety (a leading ``'`` before what would be a formula) is applied by the CSV
writer (``formats.neutralise_formula``) and taken off by ``import`` (``formats.restore_formula``).
"""

from __future__ import annotations

import json
import re
import types
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from . import model
from .formats import Rows

#: Characters text carries only inside a JSON string in a cell: C0 controls but the newline,
#: DEL, C1 controls, bidi overrides and isolates, line and paragraph separators.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
#: Escapes ``json.dumps`` leaves out (it escapes C0 controls itself).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


class CellError(ValueError):
    """A cell that does not hold a value of its column's kind; ``str`` says why, for a person."""


def _hints(shape: Any) -> dict[str, Any]:
    """The fields of a TypedDict and their types, ``Required[...]`` taken off."""
    out = {}
    for key, tp in get_type_hints(shape, vars(model)).items():
        while get_origin(tp) is model.Required:
            tp = get_args(tp)[0]
        out[key] = tp
    return out


def _is_mapping(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


@cache
def leaves() -> tuple[tuple[str, Any], ...]:
    """Every column an item can have, in the model's order, with the type of its values:
    ``("id", str)``, ..., ``("source.url", str)``, ``("target.progress", list[Measurement])``."""
    found: list[tuple[str, Any]] = []

    def walk(shape: Any, prefix: str) -> None:
        for key, tp in _hints(shape).items():
            if _is_mapping(tp):
                walk(tp, f"{prefix}{key}.")
            else:
                found.append((prefix + key, tp))

    walk(model.Item, "")
    return tuple(found)


@cache
def column_types() -> dict[str, Any]:
    """Each column's name (``source.url``) to the type of its values."""
    return dict(leaves())


def path_of(column: str) -> tuple[str, ...]:
    """Where a column's value sits in an item: ``source.url`` is ``("source", "url")``."""
    return tuple(column.split("."))


def value_at(item: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in ``item`` (None when any step is missing)."""
    value = item
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def columns(items: list[Any]) -> list[str]:
    """The columns of ``items``: every field one of them has, and those every item has (``id``,
    ``party``, ``title``, ``status``), in the model's order."""
    present: set[str] = set(model.required_of(model.Item))
    for item in items:
        for name, _tp in leaves():
            if name not in present and value_at(item, path_of(name)) is not None:
                present.add(name)
    return [name for name, _tp in leaves() if name in present]


def rows(items: list[Any]) -> Rows:
    """``items`` as rows of cells (``cell``), under a header of every field they have."""
    names = columns(items)
    paths = [path_of(name) for name in names]
    return Rows(names, [[cell(value_at(item, path)) for path in paths] for item in items], wide=("title", "text"))


# --- writing cells -------------------------------------------------------------------------


def json_text(value: Any) -> str:
    """``value`` as JSON on one line, every control character escaped."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _reads_as_json_string(text: str) -> bool:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return False
    try:
        return isinstance(json.loads(text), str)
    except ValueError:
        return False


def text_cell(text: str) -> str:
    """A cell for ``text``: itself, or a JSON string when it holds a control character or would
    itself be read as a JSON string."""
    if _CONTROL.search(text) or _reads_as_json_string(text):
        return json_text(text)
    return text


def _plain_list(values: list[Any]) -> bool:
    """Whether a list can be written ``a;b`` and read back the same."""
    return (
        bool(values)
        and all(isinstance(v, str) and v and v == v.strip() and ";" not in v and not _CONTROL.search(v) for v in values)
        and not values[0].startswith("[")
        and not _reads_as_json_string(";".join(values))
    )


def cell(value: Any) -> str:
    """The text of a cell for ``value`` ("" for None: a field not there)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json_text(value) if value == value and value not in (float("inf"), float("-inf")) else ""
    if isinstance(value, str):
        return text_cell(value)
    if isinstance(value, list) and _plain_list(value):
        return ";".join(value)
    return json_text(value)


# --- reading cells -------------------------------------------------------------------------


def _kinds(tp: Any) -> set[str]:
    """What a type lets a cell hold: text, number, bool, texts (a list of text), json (other lists)."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return set().union(*(_kinds(arg) for arg in get_args(tp)))
    if origin is Literal or tp is str:
        return {"text"}
    if tp is bool:
        return {"bool"}
    if tp in (int, float):
        return {"number"}
    if origin is list:
        return {"texts"} if get_args(tp) and get_args(tp)[0] is str else {"json"}
    return {"json"}


def read_json(text: str) -> Any:
    """JSON text as a value: no NaN or Infinity, no key given twice. CellError says what is wrong."""

    def no_constant(name: str) -> Any:
        raise CellError(f"{name} is not a value here: write a plain number")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        duplicate = next((key for key in keys if keys.count(key) > 1), None)
        if duplicate is not None:
            raise CellError(f"the key {duplicate!r} is given twice")
        return dict(items)

    try:
        return json.loads(text, parse_constant=no_constant, object_pairs_hook=pairs)
    except RecursionError:
        raise CellError("the JSON is nested too deep") from None
    except json.JSONDecodeError as err:
        raise CellError(f"not valid JSON ({err.msg} at character {err.pos + 1})") from None


def _text(text: str) -> str:
    return str(json.loads(text)) if _reads_as_json_string(text) else text


def _texts(text: str) -> list[str]:
    if text.startswith("["):
        value = read_json(text)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CellError('a JSON array of text is expected, like ["a", "b"]')
        return value
    parts = [part.strip() for part in text.split(";")]
    if any(not part for part in parts):
        raise CellError("an empty entry between ';': write entries as a;b")
    return parts


def read_cell(text: str, tp: Any) -> Any:
    """The value a cell of a column of type ``tp`` holds (None for an empty cell).

    The inverse of ``cell``: ``read_cell(cell(v), tp) == v``. Numbers are read as people type
    them (``2E+11`` as a spreadsheet writes it; ``typed.amount``). CellError says what is wrong.
    """
    if text == "":
        return None
    kinds = _kinds(tp)
    if "texts" in kinds and (text.startswith("[") or ";" in text or "text" not in kinds):
        return _texts(text)
    if "json" in kinds and (text.startswith(("[", "{")) or kinds == {"json"}):
        value = read_json(text)
        if get_origin(tp) is list and not isinstance(value, list):
            raise CellError("a JSON array is expected here, like [{...}, {...}]")
        return value
    if "number" in kinds:
        from .errors import UsageError
        from .typed import amount

        try:
            return amount(text, "value")
        except UsageError as err:
            raise CellError(err.worded("the amount")) from None
    if "bool" in kinds:
        if text.strip().lower() in ("true", "false"):
            return text.strip().lower() == "true"
        raise CellError("write true or false")
    return _text(text)
