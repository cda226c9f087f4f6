"""The text formats results are written in: json, yaml, csv and Markdown, of rows and plain values.

Which format a result is written in is chosen in one place (``results.Result.serialise``, called
by the command line's ``emit``). Nothing here imports Rich: scripts that ask for json or ids
pay only for what they use.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .escape import md, visible

_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass
class Rows:
    """A flat table built once and rendered as a Rich table, CSV or Markdown."""

    columns: list[str]
    rows: list[list[str]]
    #: Columns that hold long text (wrapped in the terminal, never cut).
    wide: tuple[str, ...] = ()


def to_json(value: Any) -> str:
    """JSON laid out for reading and grep: a list gives one item a line, an object one key a
    line (and a list inside it one item a line), each written compactly.

    ``json.dumps(indent=...)`` falls back to the pure-Python encoder, 4x slower on a large
    file; this layout keeps the C encoder and stays readable and grep-able. Characters a
    terminal could act on are escaped (the JSON value is the same).
    """
    try:
        text = _layout(value, 0)
    except ValueError:  # a NaN or an infinity: JSON has none (jq refuses them); null says "unknown"
        text = _layout(finite(value), 0)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite number in it replaced by None (null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def _layout(value: Any, depth: int) -> str:
    if depth <= 1 and isinstance(value, list) and value:
        pad = "  " * (depth + 1)
        inner = f",\n{pad}".join(_layout(v, depth + 1) for v in value)
        return f"[\n{pad}{inner}\n{'  ' * depth}]"
    if depth == 0 and isinstance(value, dict) and value:
        pad = "  " * (depth + 1)
        inner = f",\n{pad}".join(
            f"{json.dumps(str(k), ensure_ascii=False, allow_nan=False)}: {_layout(v, depth + 1)}"
            for k, v in value.items()
        )
        return f"{{\n{pad}{inner}\n{'  ' * depth}}}"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def to_yaml(value: Any) -> str:
    """Block YAML; PyYAML escapes control characters, and bidi controls are escaped here (as in JSON)."""
    import yaml

    base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc,valid-type]
        pass

    def text(dumper: Any, data: str) -> Any:
        # PyYAML writes bidi controls raw; only in a double-quoted scalar can they become escapes.
        style = '"' if _BIDI.search(data) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    def real(dumper: Any, data: float) -> Any:
        # .nan and .inf are YAML but no amount: null says "unknown", as in JSON.
        if not math.isfinite(data):
            return dumper.represent_none(None)
        return dumper.represent_float(data)

    Dumper.add_representer(str, text)
    Dumper.add_representer(float, real)

    def dump(part: Any) -> str:
        return str(yaml.dump(part, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100))

    # A long list is written entry by entry (a block list's entries are independent in YAML):
    # PyYAML represents all it dumps at once, 17 KB an item, 1.6 GB at 100,000 items.
    if isinstance(value, list) and len(value) > 1:
        out = "".join(dump([entry]) for entry in value)
    elif isinstance(value, dict) and any(isinstance(v, list) and len(v) > 1 for v in value.values()):
        parts = []
        for k, v in value.items():
            key = dump({k: []}) if isinstance(v, list) and len(v) > 1 else ""
            if key.endswith(": []\n") and key.count("\n") == 1:  # a plain one-line key
                parts.append(key[: -len(" []\n")] + "\n" + "".join(dump([entry]) for entry in v))
            else:
                parts.append(dump({k: v}))
        out = "".join(parts)
    else:
        out = dump(value)
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


#: What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise_formula(cell: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula (OWASP's rule for CSV injection).

    A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'``, except a plain number (``-12.5``, ``+3``, ``1e6``). So that the rule can
    be reversed exactly (``restore_formula``), a cell that is already such a cell behind
    one or more ``'`` gets one more. Example: ``=HYPERLINK("x")`` -> ``'=HYPERLINK("x")``.
    """
    bare = cell.lstrip("'")
    if bare.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(bare):
        return "'" + cell
    return cell


def restore_formula(cell: str) -> str:
    """The cell ``neutralise_formula`` was given: ``restore_formula(neutralise_formula(x)) == x``.

    For ``import`` of a CSV this tool wrote (or a spreadsheet saved from it).
    """
    if cell.startswith("'") and neutralise_formula(cell[1:]) == cell:
        return cell[1:]
    return cell


def to_csv(rows: Rows) -> str:
    """CSV with a header row; controls made visible and every cell (headers too) safe to
    open in a spreadsheet (``neutralise_formula``)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise_formula(visible(column)) for column in rows.columns])
    for row in rows.rows:
        writer.writerow([neutralise_formula(visible(cell)) for cell in row])
    return buffer.getvalue()


def to_markdown(rows: Rows) -> str:
    """A GitHub table; every cell escaped so no text can break it."""
    lines = [
        "| " + " | ".join(md(c) for c in rows.columns) + " |",
        "|" + "|".join("---" for _ in rows.columns) + "|",
    ]
    for row in rows.rows:
        lines.append("| " + " | ".join(md(cell) if cell else " " for cell in row) + " |")
    return "\n".join(lines) + "\n"


def join(values: Sequence[Any] | None, sep: str = ", ") -> str:
    """``values`` as text, joined by ``sep`` (nothing for None)."""
    return sep.join(str(v) for v in values or [])


def number(value: Any) -> str:
    """An amount for people: ``200,000,000,000``; nothing for a NaN or an infinity."""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value) if value is not None else ""
