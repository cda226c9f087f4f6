"""(a) Phases of a warm ``demands list --party us`` (table) in one process, as the CLI runs them.

    export XDG_CACHE_HOME=/tmp/prof-cache COLUMNS=120
    demands list -o ids -f FILE > /dev/null                         # warm the cache
    python benchmarks/profile/fresh.py 5 benchmarks/profile/list_phases.py FILE
    NOGC=1 python benchmarks/profile/fresh.py 5 ...                  # the same with the cyclic GC off

The table goes to benchmarks/out/list_phases.out, byte for byte what the CLI prints.
"""

from __future__ import annotations

import gc
import os

if os.environ.get("NOGC"):
    gc.disable()

import json
import sys
import time
from pathlib import Path
from typing import Any

start = time.perf_counter()
import typer  # noqa: E402,F401

phases: dict[str, Any] = {"import typer": time.perf_counter() - start}
start = time.perf_counter()
from tradedemands import cache, query, store, views  # noqa: E402

phases["import tradedemands store/query/views"] = time.perf_counter() - start
start = time.perf_counter()
from tradedemands import render  # noqa: E402

phases["import rich (tradedemands.render)"] = time.perf_counter() - start


def lap(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    began = time.perf_counter()
    value = fn(*args, **kwargs)
    phases[name] = time.perf_counter() - began
    return value


def main() -> None:
    from rich.table import Table

    path = Path(sys.argv[1])
    raw = lap("read the file", store.read_raw, path)
    key = lap("sha256 of the file (the cache key)", cache.key_of, raw)
    blob = lap("read the cache entry", Path(cache.directory() / f"{key}.json").read_bytes)
    entry = lap("json.loads of the cache entry (all 10,000 items)", json.loads, blob)
    text, bom, newline = lap("decode UTF-8", store.decode, raw, path)
    doc = store.Document(path, text, entry["data"], None, bom, newline, entry["spans"])
    items = lap("filter (query.select) per row", query.select, doc.data, doc.vocab, query.Filters(parties=["us"]))
    items = lap("sort by natural id per row", query.sort_items, items, "id", doc.vocab)
    rows = lap("build rows (views.list_rows) per row", views.list_rows, items, compact=True)
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    real = sys.stdout
    with open("benchmarks/out/list_phases.out", "w", encoding="utf-8") as sys.stdout:
        out = render.console()
        shown = lap("fitting_columns (widest of each column) per row", render.fitting_columns, rows, out.width)

        def build() -> Table:  # render.print_rows up to out.print
            table = Table(header_style="bold", show_edge=False, pad_edge=False, expand=False)
            for column in shown:
                if column == "id":
                    table.add_column(column, no_wrap=True, min_width=render._widest(rows, column))
                elif column in rows.wide:
                    table.add_column(column, overflow="fold", ratio=1)
                else:
                    table.add_column(column, overflow="fold")
            at = {c: rows.columns.index(c) for c in shown}
            for row in rows.rows:
                cells = []
                for column in shown:
                    value = row[at[column]]
                    style = ""
                    if column == "status":
                        style = render.status_style(value, doc.vocab)
                    elif column == "kind":
                        style = render.KIND_STYLES.get(value, "")
                    cells.append(render.cell(value, style))
                table.add_row(*cells)
            return table

        table = lap("Table + Text cells (add_row) per row", build)
        lap("console.print(table) per row", out.print, table)
    sys.stdout = real
    phases["total in process"] = sum(v for k, v in phases.items())
    phases["_rows"] = len(rows.rows)
    print(
        f"{len(rows.rows)} rows, {len(raw) / 1e6:.1f} MB file, cache entry {len(blob) / 1e6:.1f} MB, width {out.width}"
    )
    print(json.dumps(phases))


if __name__ == "__main__":
    main()
