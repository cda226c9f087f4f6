"""The JSON Schema of the file format, generated from the model's TypedDicts.

The model's types (``model.DataFile`` and what it holds) are walked with
``typing.get_type_hints``: every TypedDict becomes an object definition with its
required keys, Literals become enums, and the format's own rules are added from
the model's constants, so that the schema rejects everything ``validate`` rejects
that a JSON Schema can express:

- text fields take text, and also a bare number or true/false, which ``validate``
  reads back as the text written (``title: 2025``): nobody has to quote a value they
  would naturally write unquoted;
- titles, names, round ids and statuses are not empty; item ids are letters, digits,
  ``.``, ``_`` and ``-``; dates are real calendar days written ``YYYY-MM-DD``;
- an optional field may be left empty (``text:``): ``validate`` treats it as absent;
- a history entry has a status or a note; ``statuses:``, when given, lists at least one;
- a round's dates are days, or months (``YYYY-MM``) for a planned or cancelled round, and only a
  planned round has a ``likelihood``;
- ``party`` is one party id, or a list of two or more different ones, and an agreement's is a list;
- without ``statuses:``, every status is one of the default vocabulary; with it, any
  status the file declares (which the schema cannot look up: ``validate`` does).

- amounts are numbers below 1e18 in magnitude.

What no JSON Schema can say (unique ids, links and parties that exist, ``status``
matching the latest-dated history entry, history in date order, a round ending after it
starts, an amount's significant digits as written, quotes found in their documents) is
left to ``validate``.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from . import model
from .model import AMOUNT_LIMIT, DEFAULT_STATUSES, ID_RE, DataFile

SCHEMA_ID = "https://raw.githubusercontent.com/tradedemands/tradedemands/main/docs/demands.schema.json"
#: Fields that hold dates, per definition (``by`` on a target is a date; on a history entry, a person).
#: A round's dates may also be a month when it is not held (see ``json_schema``).
DATE_FIELDS = {
    "Item": {"due"},
    "Target": {"by"},
    "Source": {"date"},
    "HistoryEntry": {"date"},
    "Measurement": {"date"},
}
#: Item ids (and links to them) keep to ID_RE; round ids are any non-empty text (``Runde-Ü``).
ID_FIELDS = {"Item": {"id"}, "Link": {"id"}}
#: Text fields that must hold something other than spaces (``validate``: "must not be empty").
NONEMPTY_FIELDS = {
    "Party": {"name"},
    "Round": {"id"},
    "StatusDef": {"name"},
    "Item": {"title"},
    "HistoryEntry": {"note"},
    "Measurement": {"note"},
}
#: Lists of text whose entries must hold something other than spaces (``validate``: "entry N is empty").
NONEMPTY_LISTS = {"Party": {"aliases"}, "Round": {"parties"}, "Item": {"tags"}}
#: Fields naming a status: one of the file's ``statuses:``, else of the defaults (see ``json_schema``).
STATUS_FIELDS = {"Item": {"status"}, "HistoryEntry": {"status"}}

_YEAR = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
#: A real calendar day, years 0001-9999, leap years included: what ``model.parse_date`` accepts.
DATE_PATTERN = f"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)$"
#: A month, ``YYYY-MM``: an approximate date, for a round not held (``model.parse_month``).
MONTH_PATTERN = f"^{_YEAR}-(?:0[1-9]|1[0-2])$"

#: Text, or a bare number or true/false, which ``validate`` reads back as the text written.
#: (Each keyword below applies to one type only: ``pattern`` to text, ``minimum`` to numbers.)
TEXT: dict[str, Any] = {"type": ["string", "number", "boolean"]}
NONEMPTY_TEXT: dict[str, Any] = {**TEXT, "pattern": r"\S"}
#: An id: text of the id characters, or a bare number or word whose written form is one (``id: 2025``).
ID: dict[str, Any] = {**TEXT, "pattern": ID_RE.pattern, "minimum": 0}
DATE: dict[str, Any] = {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
NULL: dict[str, Any] = {"type": "null"}


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def _hints(td: Any) -> dict[str, Any]:
    """The fields of a TypedDict and their types, ``Required[...]`` taken off (Python 3.10 leaves it on)."""
    out = {}
    for key, tp in get_type_hints(td, vars(model)).items():
        while get_origin(tp) is model.Required:
            tp = get_args(tp)[0]
        out[key] = tp
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or nothing: ``validate`` treats an optional key with nothing after it as absent.

    Null joins the ``type`` list rather than an ``anyOf``, so that an editor's message about a wrong
    value names the keyword at fault instead of "not valid under any of the given schemas"; the
    definitions carry no ``type`` of their own for the same reason (the reference says ``object``).
    """
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


class _Generator:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def type(self, tp: Any) -> dict[str, Any]:
        origin = get_origin(tp)
        if _is_typeddict(tp):
            name = tp.__name__
            if name not in self.defs:
                self.defs[name] = {}  # placeholder against recursion
                self.defs[name] = self.object(tp)
            return {"type": "object", "$ref": f"#/$defs/{name}"}
        if origin is Literal:
            return {"enum": list(get_args(tp))}
        if origin is list:
            return {"type": "array", "items": self.type(get_args(tp)[0])}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.type(get_args(tp)[1])}
        if origin in (Union, types.UnionType):
            return {"anyOf": [self.type(arg) for arg in get_args(tp)]}
        if tp is str:
            return dict(TEXT)
        if tp is float:  # the model's floats are amounts: below 1e18 in magnitude
            return {"type": "number", "exclusiveMinimum": -AMOUNT_LIMIT, "exclusiveMaximum": AMOUNT_LIMIT}
        simple = {bool: "boolean", int: "integer", float: "number", type(None): "null"}
        if tp in simple:
            return {"type": simple[tp]}
        raise TypeError(f"no JSON Schema for {tp!r}")  # pragma: no cover - the model holds none

    def object(self, td: Any) -> dict[str, Any]:
        hints = _hints(td)
        name = td.__name__
        required = [k for k in hints if k in td.__required_keys__]
        properties = {}
        for key, tp in hints.items():
            if key in DATE_FIELDS.get(name, ()):
                prop = dict(DATE)
            elif key in ID_FIELDS.get(name, ()):
                prop = dict(ID)
            elif key in NONEMPTY_FIELDS.get(name, ()) or key in STATUS_FIELDS.get(name, ()):
                prop = dict(NONEMPTY_TEXT)
            elif key in NONEMPTY_LISTS.get(name, ()):
                prop = {"type": "array", "items": dict(NONEMPTY_TEXT)}
            else:
                prop = self.type(tp)
            properties[key] = prop if key in required else _nullable(prop)
        definition: dict[str, Any] = {"title": name, "properties": properties}
        if required:
            definition["required"] = required
        definition["additionalProperties"] = False
        return definition


def json_schema() -> dict[str, Any]:
    """The schema editors use to check a demands file as it is typed (a JSON Schema 2020-12 dict)."""
    generator = _Generator()
    root = {"type": "object", **generator.object(DataFile)}
    defs = generator.defs
    root["properties"]["parties"]["propertyNames"] = {"pattern": ID_RE.pattern}
    root["properties"]["version"] = {"enum": [1, None]}
    root["properties"]["statuses"]["minItems"] = 1
    defs["HistoryEntry"]["anyOf"] = [
        {"required": [key], "properties": {key: {"not": NULL}}} for key in ("status", "note")
    ]
    defs["HistoryEntry"]["description"] = "A dated status change or note: it has a status, a note, or both."
    # party: one id, or a list of two or more different ones; an agreement lists its parties.
    for option in defs["Item"]["properties"]["party"]["anyOf"]:
        if option.get("type") == "array":
            option.update(minItems=2, uniqueItems=True)
    defs["Item"]["if"] = {"required": ["kind"], "properties": {"kind": {"const": "agreement"}}}
    defs["Item"]["then"] = {"properties": {"party": {"type": "array"}}}
    # A round: a day, or a month when it is not held; a likelihood only when it is planned.
    day_or_month = {"type": "string", "anyOf": [{"pattern": DATE_PATTERN}, {"pattern": MONTH_PATTERN}]}
    rounds = defs["Round"]["properties"]
    rounds["date"] = day_or_month
    rounds["end"] = _nullable(day_or_month)
    not_held = {"required": ["status"], "properties": {"status": {"enum": ["planned", "cancelled"]}}}
    defs["Round"]["allOf"] = [
        {"if": not_held, "else": {"properties": {"date": DATE, "end": _nullable(DATE)}}},
        {
            "if": {"required": ["status"], "properties": {"status": {"const": "planned"}}},
            "else": {"properties": {"likelihood": NULL}},
        },
    ]
    # Without `statuses:`, the default vocabulary; with it, what it declares (checked by validate).
    names = [s["name"] for s in DEFAULT_STATUSES]
    defs["DefaultStatuses"] = {
        "title": "DefaultStatuses",
        "description": "An item whose statuses are the defaults (the file declares no statuses: list).",
        "properties": {
            "status": {"enum": names},
            "history": {"items": {"properties": {"status": {"enum": [*names, None]}}}},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "tradedemands data file",
        "description": "What each party in a negotiation demands, concedes and refuses (tradedemands, version 1).",
        **{k: v for k, v in root.items() if k != "title"},
        "if": {"required": ["statuses"], "properties": {"statuses": {"type": "array"}}},
        "else": {"properties": {"demands": {"items": {"$ref": "#/$defs/DefaultStatuses"}}}},
        "$defs": defs,
    }
