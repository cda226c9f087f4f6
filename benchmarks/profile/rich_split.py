"""(a) Where ``console.print(table)`` spends its time for ``list --party us`` (2,000 rows).

    XDG_CACHE_HOME=/tmp/prof-cache COLUMNS=120 python benchmarks/profile/fresh.py 5 benchmarks/profile/rich_split.py FILE

1 is Table._calculate_column_widths alone (every cell measured); 2 renders every cell to lines
as Table._render does (Padding around Text, wrapped); 3 is the whole render to segments (1, 2
and assembling rows: alignment, set_shape, dividers); 4 joins the segments into text; 5 writes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from rich.table import Table

from tradedemands import document, query, render, views

phases: dict[str, Any] = {}


def lap(name: str, fn: Any, *args: Any) -> Any:
    began = time.perf_counter()
    value = fn(*args)
    phases[name] = time.perf_counter() - began
    return value


def main() -> None:
    doc = document.load(Path(sys.argv[1]))
    items = query.sort_items(query.select(doc.data, doc.vocab, query.Filters(parties=["us"])), "id", doc.vocab)
    rows = views.list_rows(items, compact=True)
    real = sys.stdout
    with open("/dev/null", "w", encoding="utf-8") as sys.stdout:
        out = render.console()
        shown = render.fitting_columns(rows, out.width)
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
            table.add_row(*[render.cell(row[at[c]]) for c in shown])
        options = out.options
        widths = lap("1 column widths (measure every cell) per row", table._calculate_column_widths, out, options)

        def cells_to_lines() -> int:
            lines = 0
            for index, column in enumerate(table.columns):
                for cell in table._get_cells(out, index, column):
                    cell_options = options.update(
                        width=widths[index], justify=column.justify, no_wrap=column.no_wrap, overflow=column.overflow
                    )
                    lines += len(out.render_lines(cell.renderable, cell_options, style=None))
            return lines

        lap("2 wrap and render each cell to lines per row", cells_to_lines)
        segments = lap("3 whole table to segments (1 + 2 + row assembly) per row", lambda: list(out.render(table)))
        text = lap("4 segments to text (_render_buffer) per row", out._render_buffer, segments)
        lap("5 write per row", sys.stdout.write, text)
    sys.stdout = real
    phases["_rows"] = len(rows.rows)
    print(f"{len(segments):,} segments, {len(text):,} characters, {len(rows.rows) * len(shown):,} cells")
    print(json.dumps(phases))


if __name__ == "__main__":
    main()
