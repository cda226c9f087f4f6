"""(a) Phases of a warm ``demands list --party us`` (table) in one process, as the CLI runs them.

    export XDG_CACHE_HOME=/tmp/prof-cache COLUMNS=120
    demands list -o ids -f FILE > /dev/null                         # warm the cache
    python benchmarks/profile/fresh.py 5 benchmarks/profile/list_phases.py FILE

The collector is paused as the CLI pauses it (``collector.paused``); NOGC=0 leaves it on. The
table is drawn both ways, to benchmarks/out/list_phases.out (``tabletext``, what the CLI
prints) and to benchmarks/out/list_phases.rich.out (Rich's Table, the fallback), and the two
must be the same bytes.
"""

from __future__ import annotations

import gc
import os

if os.environ.get("NOGC", "1") != "0":
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
from tradedemands import cache, files, query, render, tabletext, views  # noqa: E402
from tradedemands.escape import visible  # noqa: E402

phases["import tradedemands (no Rich console)"] = time.perf_counter() - start


def lap(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    began = time.perf_counter()
    value = fn(*args, **kwargs)
    phases[name] = time.perf_counter() - began
    return value


def main() -> None:
    path = Path(sys.argv[1])
    raw = lap("read the file", files.read_raw, path)
    key = lap("sha256 of the file (the cache key)", cache.key_of, raw)
    entry = lap("cache.get: read, decode, check the entry (hash in a thread)", cache.get, key, len(raw))
    assert entry is not None, "warm the cache first (see the module doc)"
    lap("decode UTF-8", files.decode, raw, path)
    from tradedemands.model import vocabulary

    vocab = vocabulary(entry.data)
    items = lap("filter (query.select) per row", query.select, entry.data, vocab, query.Filters(parties=["us"]))
    items = lap("sort by natural id per row", query.sort_items, items, "id", vocab)
    rows = lap("build rows (views.list_rows) per row", views.list_rows, items, compact=True)
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    real = sys.stdout
    with open("benchmarks/out/list_phases.out", "w", encoding="utf-8") as sys.stdout:
        screen = tabletext.screen()
        assert screen is not None
        cells = lap(
            "visible() of every cell per row",
            lambda: [[visible(str(v)) if v is not None else "" for v in row] for row in rows.rows],
        )
        grid = lap("measure every cell once (tabletext.Grid) per row", tabletext.Grid.of, cells, len(rows.columns))
        assert grid is not None
        shown = render.fitting_columns(rows, screen.width, widest=dict(zip(rows.columns, grid.widest, strict=True)).get)
        at = [rows.columns.index(c) for c in shown]
        table = lap("widths, wrap, lines (Grid.lines) per row", grid.lines, [visible(c) for c in shown], at, screen)
        lap("write", sys.stdout.write, table)
    with open("benchmarks/out/list_phases.rich.out", "w", encoding="utf-8") as sys.stdout:
        lap("(for comparison) Rich's Table for the same rows per row", render._print_rows, rows, vocab, None)
    sys.stdout = real
    same = (
        Path("benchmarks/out/list_phases.out").read_bytes() == Path("benchmarks/out/list_phases.rich.out").read_bytes()
    )
    phases["total in process (tabletext)"] = sum(v for k, v in phases.items() if not k.startswith("(for"))
    phases["_rows"] = len(rows.rows)
    print(f"{len(rows.rows)} rows, {len(raw) / 1e6:.1f} MB file, width {screen.width}, same bytes as Rich: {same}")
    print(json.dumps(phases))


if __name__ == "__main__":
    main()
