"""The JSON Schema of the file format, generated from the model's TypedDicts.

The model's types (``model.DataFile`` and what it holds) are walked with
``typing.get_type_hints``: every TypedDict becomes an object definition with its
required keys, Literals become enums, and the format's own rules (dates, ids,
no unknown fields) are added from the model's constants.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from . import model
from .model import DATE_RE, ID_RE, DataFile

SCHEMA_ID = "https://raw.githubusercontent.com/tradedemands/tradedemands/main/docs/demands.schema.json"
#: Fields that hold dates, per definition (``by`` on a target is a date; on a history entry, a person).
DATE_FIELDS = {
    "Round": {"date", "end"},
    "Item": {"due"},
    "Target": {"by"},
    "Source": {"date"},
    "HistoryEntry": {"date"},
    "Measurement": {"date"},
}
ID_FIELDS = {"Round": {"id"}, "Item": {"id"}, "Link": {"id"}}


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


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
            return {"$ref": f"#/$defs/{name}"}
        if origin is Literal:
            return {"enum": list(get_args(tp))}
        if origin is list:
            return {"type": "array", "items": self.type(get_args(tp)[0])}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.type(get_args(tp)[1])}
        if origin in (Union, types.UnionType):
            return {"anyOf": [self.type(arg) for arg in get_args(tp)]}
        simple = {str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}
        if tp in simple:
            return {"type": simple[tp]}
        raise TypeError(f"no JSON Schema for {tp!r}")  # pragma: no cover - the model holds none

    def object(self, td: Any) -> dict[str, Any]:
        hints = get_type_hints(td, vars(model))
        name = td.__name__
        properties = {}
        for key, tp in hints.items():
            prop = self.type(tp)
            if key in DATE_FIELDS.get(name, ()):
                prop.update({"pattern": DATE_RE.pattern, "format": "date"})
            if key in ID_FIELDS.get(name, ()):
                prop["pattern"] = ID_RE.pattern
            properties[key] = prop
        definition: dict[str, Any] = {"title": name, "type": "object", "properties": properties}
        required = [k for k in hints if k in td.__required_keys__]
        if required:
            definition["required"] = required
        definition["additionalProperties"] = False
        return definition


def json_schema() -> dict[str, Any]:
    """The schema editors use to check a demands file as it is typed."""
    generator = _Generator()
    root = generator.object(DataFile)
    root["properties"]["parties"]["propertyNames"] = {"pattern": ID_RE.pattern}
    root["properties"]["version"] = {"const": 1}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "tradedemands data file",
        "description": "What each party in a negotiation demands, concedes and refuses (tradedemands, version 1).",
        **{k: v for k, v in root.items() if k != "title"},
        "$defs": generator.defs,
    }
