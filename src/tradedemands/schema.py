"""The JSON Schema of the file format, generated from the model's TypedDicts by pydantic.

Pydantic is imported only here (``demands schema``): it is not needed to read or write a file.
"""

from __future__ import annotations

from typing import Any

from .model import ID_RE, DataFile

DATE_FIELDS = {"date", "end", "due", "by"}
SCHEMA_ID = "https://github.com/tradedemands/tradedemands/raw/main/docs/demands.schema.json"


def json_schema() -> dict[str, Any]:
    """The schema editors use to check a demands file as it is typed."""
    from pydantic import TypeAdapter

    schema: dict[str, Any] = TypeAdapter(DataFile).json_schema()
    for name, definition in schema.get("$defs", {}).items():
        _tighten(definition)
        definition.setdefault("title", name)
    _tighten(schema)
    schema["properties"]["parties"]["propertyNames"] = {"pattern": ID_RE.pattern}
    schema["properties"]["version"]["const"] = 1
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "tradedemands data file"
    schema["description"] = "What each party in a negotiation demands, concedes and refuses (tradedemands, version 1)."
    return schema


def _tighten(definition: dict[str, Any]) -> None:
    """No unknown fields; dates as YYYY-MM-DD; ids as the tool writes them."""
    if definition.get("type") != "object" or "properties" not in definition:
        return
    definition["additionalProperties"] = False
    for key, prop in definition["properties"].items():
        if key in DATE_FIELDS and prop.get("type") == "string":
            prop["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
            prop["format"] = "date"
        if key == "id" and prop.get("type") == "string":
            prop["pattern"] = ID_RE.pattern
        if key in ("amount", "baseline") and prop.get("type") == "number":
            prop.pop("type")
            prop["type"] = "number"
