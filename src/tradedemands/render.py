"""Rich output for people at a terminal: the only module that imports Rich.

``table(result)`` draws any read command's result as a table (or panels) on stdout,
from what the result already holds. Every string that came from the data file reaches
Rich as ``Text`` built from ``visible(...)``: never parsed as markup, never able to emit
a control sequence.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection
from functools import singledispatch
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from .collector import paused
from .escape import visible
from .formats import Rows, number
from .model import Vocabulary, kind_of
from .results import Result
from .views import ItemDetails, ItemList, ItemView, Log, Summary, bar, source_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .delta import Diff
    from .positions import Comparison

STATUS_STYLES = {
    "open": "yellow",
    "discussing": "cyan",
    "contested": "dark_orange",
    "agreed": "green",
    "partial": "blue",
    "met": "bold green",
    "rejected": "red",
    "withdrawn": "dim",
}
KIND_STYLES = {"demand": "", "concession": "green", "red-line": "bold red", "agreement": "bold green"}


@singledispatch
def table(result: Result) -> None:
    """Draw ``result`` for a person at a terminal, on stdout."""
    draw = _drawn_late().get(type(result))
    if draw is None:
        raise NotImplementedError(f"no table for {type(result).__name__}")
    draw(result)


def _drawn_late() -> dict[type, Callable[[Any], None]]:
    """The tables of results whose modules this one does not import (``diff``, ``compare``):
    a table of ``list`` should not pay for them."""
    from .delta import Diff
    from .positions import Comparison

    return {Diff: print_diff, Comparison: print_compare}


@table.register
def _(result: ItemList) -> None:
    print_rows(result.table_rows(), result.vocab)


@table.register
def _(result: ItemDetails) -> None:
    for view in result.views:
        print_show(view, result.vocab)


@table.register
def _(result: Log) -> None:
    print_rows(result.rows(), result.vocab)


def console(stderr: bool = False) -> Console:
    """A Rich console for stdout (or stderr) that never reads markup or emoji in what it prints."""
    import os

    from rich.console import Console

    from .tabletext import sized_environ

    _fit_encoding(sys.stderr if stderr else sys.stdout)
    env = sized_environ(os.environ)
    if env is os.environ:
        return Console(stderr=stderr, highlight=False, emoji=False, markup=False)
    # COLUMNS=² passes Rich's isdigit() and fails its int(): it reads the size without them.
    return Console(stderr=stderr, highlight=False, emoji=False, markup=False, _environ=env)


def _fit_encoding(stream: Any) -> None:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
    if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
        # A table is for reading: on an ASCII or Latin-1 terminal Rich draws ASCII borders, and a
        # character the encoding lacks (CJK, →, █) shows as '?' instead of failing the command.
        stream.reconfigure(errors=_register_replace_by_width())


def _register_replace_by_width() -> str:
    """An encoding error handler writing one '?' per terminal cell, so columns stay aligned."""
    import codecs

    def replace(err: UnicodeError) -> tuple[str, int]:
        if not isinstance(err, UnicodeEncodeError):
            raise err
        return "?" * cell_len(err.object[err.start : err.end]), err.end

    codecs.register_error("tradedemands.cells", replace)
    return "tradedemands.cells"


def cell(value: Any, style: str = "") -> Text:
    """``value`` as a table cell: literal text, controls made visible."""
    from rich.text import Text

    return Text(visible(str(value)) if value is not None else "", style=style)


def status_style(status: str, closed: Collection[str]) -> str:
    """How a status is coloured: its own style, else dim when it is ``closed``."""
    return STATUS_STYLES.get(status, "dim" if status in closed else "")


#: Columns left out, in this order, when a table would not fit the terminal; ids and text never are.
OPTIONAL_COLUMNS = ("priority", "topic", "round", "kind", "party", "updated", "due", "status", "date")
#: The width a text column (a title, a note) needs before optional columns are given room.
TEXT_MIN_WIDTH = 20
#: The narrowest a text column is drawn beside a whole id: narrower, each item is a block of lines.
TEXT_NARROWEST = 10


def print_rows(rows: Rows, vocab: Vocabulary | None = None, title: str | None = None) -> None:
    """``rows`` as a table fitted to the terminal (``fitting_columns``), statuses coloured: written
    as lines by ``tabletext`` (what Rich prints, byte for byte, at a fraction of the cost), or
    by Rich for what ``tabletext`` leaves to it."""
    with paused():
        if title is None and _print_lines(rows, vocab):
            return
        _print_rows(rows, vocab, title)


def _print_lines(rows: Rows, vocab: Vocabulary | None) -> bool:
    """``rows`` written by ``tabletext``; False (nothing written) where it leaves them to Rich."""
    from . import tabletext

    screen = tabletext.screen()
    cells = [[visible(str(v)) if v is not None else "" for v in row] for row in rows.rows]
    grid = tabletext.Grid.of(cells, len(rows.columns))
    if screen is None or grid is None:
        return False
    widest = dict(zip(rows.columns, grid.widest, strict=True)).get
    shown = fitting_columns(rows, screen.width, widest=widest)
    at = [rows.columns.index(column) for column in shown]
    if stacks(rows, shown, screen.width, widest):
        labels = [f"{visible(column)}: " for column in rows.columns]
        lines = grid.stacked(rows.columns.index("id"), labels, screen)
        _fit_encoding(sys.stdout)
        sys.stdout.write(lines)
        sys.stdout.flush()
        return True
    styles = None
    if screen.colors and ("kind" in shown or ("status" in shown and vocab is not None)):
        styles = [
            [_cell_style(column, row[n], vocab) for column, n in zip(shown, at, strict=True)] for row in rows.rows
        ]
    text = grid.lines([visible(column) for column in shown], at, screen, "id", styles)
    if text is None:
        return False
    _fit_encoding(sys.stdout)
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def _cell_style(column: str, value: Any, vocab: Vocabulary | None) -> str:
    """The style of a table cell: a status's colour, a kind's."""
    if column == "status" and vocab is not None:
        return status_style(value, vocab.closed)
    if column == "kind":
        return KIND_STYLES.get(value, "")
    return ""


def _print_rows(rows: Rows, vocab: Vocabulary | None, title: str | None) -> None:
    """``rows`` drawn by Rich's ``Table``."""
    from rich.table import Table

    out = console()
    shown = fitting_columns(rows, out.width)
    if stacks(rows, shown, out.width):
        _print_stacked(rows, title)
        return
    table = Table(
        title=cell(title) if title else None, header_style="bold", show_edge=False, pad_edge=False, expand=False
    )
    for column in shown:
        header = cell(column)
        if column == "id":
            # An id is never wrapped or cut: it is what the reader copies into the next command.
            table.add_column(header, no_wrap=True, min_width=_widest(rows, column))
        elif column in rows.wide:
            table.add_column(header, overflow="fold", ratio=1)
        else:
            table.add_column(header, overflow="fold")
    at = {c: rows.columns.index(c) for c in shown}
    for row in rows.rows:
        table.add_row(*[cell(row[at[column]], _cell_style(column, row[at[column]], vocab)) for column in shown])
    out.print(table)


def fitting_columns(rows: Rows, width: int, widest: Callable[[str], int | None] | None = None) -> list[str]:
    """The columns of ``rows`` to show in ``width`` cells: all of them, unless text columns would
    be squeezed below TEXT_MIN_WIDTH; then optional columns go, least useful first. Long text
    wraps in what is left. ``widest(column)``: each column's widest line, when already measured."""

    def need(column: str) -> int:
        known = widest(column) if widest is not None else None
        widest_line = max(cell_len(column), known if known is not None else _widest(rows, column))
        return min(widest_line, TEXT_MIN_WIDTH) if column in rows.wide else widest_line

    shown = list(rows.columns)
    needs = {c: need(c) for c in shown}
    for column in OPTIONAL_COLUMNS:
        if sum(needs[c] for c in shown) + 3 * (len(shown) - 1) <= width:
            break
        if column in shown:
            shown.remove(column)
    return shown


def stacks(rows: Rows, shown: list[str], width: int, widest: Callable[[str], int | None] | None = None) -> bool:
    """Whether the ``shown`` columns of ``rows`` cannot be a table ``width`` cells wide: the id
    column whole (an id is never cut) and every other column at least TEXT_NARROWEST cells (or
    its widest line, when narrower) do not fit. ``print_rows`` then draws each row as a block
    (``_print_stacked``). ``widest(column)``: each column's widest line, when already measured."""
    if "id" not in shown or len(shown) < 2:
        return False

    def need(column: str) -> int:
        known = widest(column) if widest is not None else None
        line = max(cell_len(column), known if known is not None else _widest(rows, column))
        return line if column == "id" else min(line, TEXT_NARROWEST)

    return sum(map(need, shown)) + 3 * (len(shown) - 1) > width


def _print_stacked(rows: Rows, title: str | None) -> None:
    """``rows`` as blocks of lines, for a terminal too narrow for their table (``stacks``): the
    id alone on its line, in bold and whole (wider than the terminal, the terminal wraps it),
    then every other column of ``rows`` (all of them: a block has room for each) as
    ``column: value``, indented by two and wrapped (whole below 3 cells), empty values left
    out. ``tabletext.Grid.stacked`` writes the same bytes."""
    from rich.padding import Padding
    from rich.text import Text

    out = console()
    if title:
        out.print(cell(title), soft_wrap=True)
    n = rows.columns.index("id")
    others = [k for k, column in enumerate(rows.columns) if column != "id"]
    for row in rows.rows:
        out.print(Text(visible(str(row[n] or "")), style="bold"), soft_wrap=True)
        for k in others:
            if row[k] is None or not str(row[k]):
                continue
            value = cell(f"{rows.columns[k]}: ") + cell(row[k])
            if out.width < 3:  # no room for a column: the text whole, as the id is
                out.print(Text("  ") + value, soft_wrap=True)
            else:
                out.print(Padding(value, (0, 0, 0, 2)))


def _widest(rows: Rows, column: str) -> int:
    n = rows.columns.index(column)
    return max((cell_len(line) for row in rows.rows for line in visible(str(row[n] or "")).splitlines()), default=0)


def _listing() -> Table:
    """A grid for lines of a panel: two short columns, then text that wraps."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def print_show(view: ItemView, vocab: Vocabulary) -> None:
    """One item in a panel: fields, text, source quote, links both ways, history, target progress."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    item = view.item
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("parties" if isinstance(item.get("party"), list) else "party", cell(view.party))
    if view.of:
        grid.add_row("of", cell(view.of))
    grid.add_row("kind", cell(kind_of(item), KIND_STYLES.get(kind_of(item), "")))
    grid.add_row("status", cell(item["status"], status_style(item["status"], vocab.closed)))
    for key in ("priority", "topic", "due"):
        if item.get(key):
            grid.add_row(key, cell(item.get(key)))
    if item.get("tags"):
        grid.add_row("tags", cell(", ".join(item.get("tags") or [])))
    if item.get("target"):
        grid.add_row("target", cell(view.target))
        if view.latest is not None:
            shown = Text(f"{number(view.latest)}")
            if view.percent is not None:
                shown.append(f"  {bar(view.percent, 100, 20)} {view.percent:.0f}%")
            grid.add_row("progress", shown)
    parts: list[Any] = [grid]
    if item.get("text"):
        parts += [Text(""), cell(item["text"])]
    source = item.get("source") or {}
    if source:
        parts.append(Text(""))
        if source.get("quote"):
            parts.append(Text("“") + cell(source["quote"], "italic") + Text("”"))
        where = ", ".join(str(source[k]) for k in ("doc", "url", "date") if source.get(k))
        if where:
            parts.append(cell(f"— {where}", "dim"))
    if view.links:
        parts.append(Text(""))
        parts.append(Text("links", style="bold"))
        grid_links = _listing()
        for rel, other, title in view.links:
            grid_links.add_row(cell(f"  {rel}", "cyan"), cell(other, "bold"), cell(title, "dim"))
        parts.append(grid_links)
    if view.history:
        parts.append(Text(""))
        parts.append(Text("history", style="bold"))
        timeline = _listing()
        for entry in view.history:
            state = (
                Text("→ ") + cell(entry["status"], status_style(entry["status"], vocab.closed))
                if entry.get("status")
                else Text("")
            )
            note = cell(entry.get("note") or "")
            if entry.get("round"):
                note = cell(f"[{entry['round']}] ", "dim") + note
            if entry.get("source"):
                note += Text("\n" if entry.get("note") or entry.get("round") else "") + cell(
                    f"source: {source_text(entry['source'])}", "dim italic"
                )
            timeline.add_row(cell(f"  {entry.get('date', '')}"), state, note)
        parts.append(timeline)
    out = console()
    if _show_stacks(view, out.width):
        _print_show_stacked(view, vocab)
        return
    heading = Text(visible(item["id"]), style="bold") + Text("  ") + cell(item["title"])
    if heading.cell_len > out.width - 5:
        # A panel's title is one line, cut at the border: a title that long goes in full atop the body.
        heading = Text(visible(item["id"]), style="bold")
        parts[:0] = [cell(item["title"], "bold"), Text("")]
    out.print(Panel(Group(*parts), title=heading, title_align="left"))


def _show_stacks(view: ItemView, width: int) -> bool:
    """Whether ``show``'s panel, ``width`` cells wide, would cut an id: the item's in its title
    (a title keeps ``width - 5`` cells), a linked item's in the links, or a history entry's date
    and status, with TEXT_NARROWEST cells left beside them for text (the panel's inside is
    ``width - 4``). ``print_show`` then writes the item as a block of lines instead."""
    inside = width - 4
    if cell_len(visible(view.item["id"])) > width - 5:
        return True
    for rel, other, _title in view.links:
        if cell_len(visible(f"  {rel}")) + 1 + cell_len(visible(other)) + 1 + TEXT_NARROWEST > inside:
            return True
    for entry in view.history:
        state = cell_len(visible(f"→ {entry['status']}")) if entry.get("status") else 0
        if cell_len(visible(f"  {entry.get('date', '')}")) + 1 + state + 1 + TEXT_NARROWEST > inside:
            return True
    return inside < 8 + 2 + TEXT_NARROWEST  # the fields: "progress" and its value


def _print_show_stacked(view: ItemView, vocab: Vocabulary) -> None:
    """``show`` on a terminal too narrow for its panel (``_show_stacks``): no border; the id
    alone on its first line in bold, whole (wider than the terminal, the terminal wraps it),
    then, indented by two as ``list``'s blocks are, the title, each field as ``name: value``,
    the text, the source, each link as ``relation ID`` (whole) with its title below, each
    history entry as ``date → status`` (whole) with its round and note below. Text wraps at
    the width; an id or a date never does."""
    from rich.padding import Padding
    from rich.text import Text

    item = view.item
    out = console()

    def whole(text: Text) -> None:
        out.print(text, soft_wrap=True)

    def wrapped(text: Text, indent: int = 2) -> None:
        if out.width - indent < 3:
            whole(Text(" " * indent) + text)
        else:
            out.print(Padding(text, (0, 0, 0, indent)))

    whole(Text(visible(item["id"]), style="bold"))
    wrapped(cell(item["title"], "bold"))
    fields: list[tuple[str, Text]] = [("parties" if isinstance(item.get("party"), list) else "party", cell(view.party))]
    if view.of:
        fields.append(("of", cell(view.of)))
    fields.append(("kind", cell(kind_of(item), KIND_STYLES.get(kind_of(item), ""))))
    fields.append(("status", cell(item["status"], status_style(item["status"], vocab.closed))))
    fields += [(key, cell(item.get(key))) for key in ("priority", "topic", "due") if item.get(key)]
    if item.get("tags"):
        fields.append(("tags", cell(", ".join(item.get("tags") or []))))
    if item.get("target"):
        fields.append(("target", cell(view.target)))
        if view.latest is not None:
            shown = Text(f"{number(view.latest)}")
            if view.percent is not None:
                shown.append(f"  {bar(view.percent, 100, 20)} {view.percent:.0f}%")
            fields.append(("progress", shown))
    for name, value in fields:
        wrapped(Text(f"{name}: ", style="bold") + value)
    if item.get("text"):
        whole(Text(""))
        wrapped(cell(item["text"]))
    source = item.get("source") or {}
    if source:
        whole(Text(""))
        if source.get("quote"):
            wrapped(Text("“") + cell(source["quote"], "italic") + Text("”"))
        where = ", ".join(str(source[k]) for k in ("doc", "url", "date") if source.get(k))
        if where:
            wrapped(cell(f"— {where}", "dim"))
    if view.links:
        whole(Text(""))
        whole(Text("  ") + Text("links", style="bold"))
        for rel, other, title in view.links:
            whole(Text("    ") + cell(f"{rel} ", "cyan") + cell(other, "bold"))
            if title:
                wrapped(cell(title, "dim"), 6)
    if view.history:
        whole(Text(""))
        whole(Text("  ") + Text("history", style="bold"))
        for entry in view.history:
            line = cell(f"    {entry.get('date', '')}")
            if entry.get("status"):
                line += Text(" → ") + cell(entry["status"], status_style(entry["status"], vocab.closed))
            whole(line)
            note = cell(entry.get("note") or "")
            if entry.get("round"):
                note = cell(f"[{entry['round']}] ", "dim") + note
            if note:
                wrapped(note, 6)
            if entry.get("source"):
                wrapped(cell(f"source: {source_text(entry['source'])}", "dim italic"), 6)


@table.register
def print_summary(summary: Summary) -> None:
    """Counts per party and status, a bar of closed/total per party, then target progress."""
    from rich.table import Table
    from rich.text import Text

    table = Table(header_style="bold", show_edge=False, pad_edge=False)
    table.add_column("party", no_wrap=True)
    shown = [s for s in summary.statuses if any(p["counts"].get(s) for p in summary.parties)]
    for status in shown:
        table.add_column(cell(status), justify="right", style=status_style(status, summary.closed))
    table.add_column("total", justify="right")
    table.add_column("closed", no_wrap=True)
    for p in summary.parties:
        counts = [str(p["counts"].get(s, 0) or "·") for s in shown]
        done = f"{bar(p['closed'], p['total'], 10)} {p['closed']}/{p['total']}"
        table.add_row(cell(f"{p['party']} {p['name']}"), *[cell(c) for c in counts], cell(p["total"]), cell(done))
    totals = summary.totals

    def counts_of(status: str) -> list[str]:
        return [str(p["counts"].get(status, 0) or "·") for p in [*summary.parties, totals]]

    table.add_row(
        Text("all", style="bold"),
        *[cell(str(totals["counts"][s] or "·")) for s in shown],
        cell(totals["total"]),
        cell(f"{bar(totals['closed'], totals['total'], 10)} {totals['closed']}/{totals['total']}"),
    )
    out = console()
    labels = [f"{p['party']} {p['name']}" for p in summary.parties]
    columns = [[*labels, "party", "all"], *([s, *counts_of(s)] for s in shown), ["total", str(totals["total"])]]
    need = (
        sum(max(cell_len(visible(str(v))) for v in column) for column in columns) + 15 + len(str(totals["total"])) * 2
    )
    if need + 3 * (len(columns)) > out.width:
        # Too narrow for the table (a party cut, counts squeezed out): a block per party.
        for label, p in [*zip(labels, summary.parties, strict=True), ("all", totals)]:
            out.print(cell(label, "bold"), soft_wrap=True)
            for s in shown:
                if p["counts"].get(s):
                    out.print(
                        Text("  ") + cell(f"{s}: {p['counts'][s]}", status_style(s, summary.closed)), soft_wrap=True
                    )
            out.print(Text(f"  total: {p['total']}, closed: {p['closed']}/{p['total']}"), soft_wrap=True)
    else:
        out.print(table)
    for p in summary.parties:
        for t in p["targets"]:
            if t["percent"] is None:
                continue
            out.print(
                Text("target ")
                + cell(t["id"], "bold")
                + Text(f"  {bar(t['percent'], 100, 20)} {t['percent']:.0f}% of {number(t['amount'])} ")
                + cell(t.get("unit") or "")
            )


def print_diff(diff: Diff) -> None:
    """Status transitions first (toward closure / reopening), then other changes, added, removed."""
    from rich.text import Text

    from .delta import describe_value

    vocab = diff.vocab
    out = console()
    out.soft_wrap = True  # a diff line is never broken (or cut) at the terminal's width
    out.print(Text("--- ") + cell(diff.old, "red") + Text("\n+++ ") + cell(diff.new, "green"))
    if not diff:
        out.print(Text("no differences", style="dim"))
        return
    for change in diff.changed:
        head = Text("~ ", style="yellow") + cell(change.id, "bold") + Text("  ") + cell(change.title)
        if change.direction:
            head += Text(
                f"  ({'toward closure' if change.direction == 'closing' else 'reopened'})",
                style="green" if change.direction == "closing" else "magenta",
            )
        out.print(head)
        for c in change.changes:
            if c["field"] == "history":
                for entry in c["new"]:
                    line = Text("    + history  ") + cell(entry.get("date", ""))
                    if entry.get("status"):
                        line += Text(" → ") + cell(entry["status"], status_style(entry["status"], vocab.closed))
                    if entry.get("note"):
                        line += Text("  ") + cell(entry["note"])
                    if entry.get("source"):
                        line += Text("  ") + cell(f"[source: {source_text(entry['source'])}]", "dim")
                    out.print(line)
            elif c["field"] == "status":
                out.print(
                    Text("    status  ")
                    + cell(c["old"], status_style(str(c["old"]), vocab.closed))
                    + Text(" → ")
                    + cell(c["new"], status_style(str(c["new"]), vocab.closed))
                )
            else:
                out.print(
                    Text(f"    {c['field']}  ")
                    + cell(describe_value(c["old"]), "red")
                    + Text(" → ")
                    + cell(describe_value(c["new"]), "green")
                )
    for item in diff.added:
        out.print(
            Text("+ ", style="green")
            + cell(item["id"], "bold")
            + Text("  ")
            + cell(item["title"])
            + Text("  ")
            + cell(item.get("status", ""), status_style(item.get("status", ""), vocab.closed))
        )
    for item in diff.removed:
        out.print(Text("- ", style="red") + cell(item["id"], "bold") + Text("  ") + cell(item["title"]))
    out.print(Text(f"{len(diff.changed)} changed, {len(diff.added)} added, {len(diff.removed)} removed", style="dim"))


def print_compare(result: Comparison) -> None:
    """Per topic, what each party asks, offers and refuses, what they agreed, and where they conflict."""
    from rich.table import Table
    from rich.text import Text

    from .positions import agreement_text

    a, b, vocab = result.a, result.b, result.vocab
    agreed = any(row["agreed"] for row in result.topics)
    out = console()
    if _compare_stacks(result, out.width):
        _print_compare_stacked(result, agreed)
        return
    table = Table(header_style="bold", show_lines=True, show_edge=False, pad_edge=False)
    table.add_column("topic", overflow="fold")
    table.add_column(cell(f"{a} asks / offers / refuses"), overflow="fold", ratio=1)
    table.add_column(cell(f"{b} asks / offers / refuses"), overflow="fold", ratio=1)
    if agreed:
        table.add_column("agreed", overflow="fold", ratio=1, style="green")
    table.add_column("conflicts", no_wrap=True)
    conflicted = {x.lower() for pair in (p for row in result.topics for p in row["conflicts"]) for x in pair}
    for row in result.topics:
        sides = []
        for pid in (a, b):
            text = Text()
            for column in ("asks", "offers", "refuses"):
                for entry in row[pid][column]:
                    if text:
                        text.append("\n")
                    mark = {"asks": "asks ", "offers": "offers ", "refuses": "refuses "}[column]
                    text.append(mark, style={"asks": "", "offers": "green", "refuses": "bold red"}[column])
                    text.append(
                        visible(entry["id"]), style="bold reverse" if entry["id"].lower() in conflicted else "bold"
                    )
                    text.append(" ")
                    text.append(visible(entry["title"]))
                    text.append(" (")
                    text.append(visible(entry["status"]), style=status_style(entry["status"], vocab.closed))
                    text.append(")")
            sides.append(text)
        if agreed:
            sides.append(cell("\n".join(agreement_text(e, a, b) for e in row["agreed"])))
        conflicts = Text("\n".join(f"{x} ↔ {y}" for x, y in row["conflicts"]), style="bold red")
        table.add_row(cell(row["topic"]), *sides, conflicts)
    out.print(table)


def _entry_text(entry: dict[str, Any], column: str, conflicted: set[str], closed: Collection[str]) -> Text:
    """One of a party's positions in ``compare``: ``asks ID title (status)``, styled."""
    from rich.text import Text

    text = Text()
    text.append(column + " ", style={"asks": "", "offers": "green", "refuses": "bold red"}[column])
    text.append(visible(entry["id"]), style="bold reverse" if entry["id"].lower() in conflicted else "bold")
    text.append(" ")
    text.append(visible(entry["title"]))
    text.append(" (")
    text.append(visible(entry["status"]), style=status_style(entry["status"], closed))
    text.append(")")
    return text


def _compare_stacks(result: Comparison, width: int) -> bool:
    """Whether ``compare``'s table, ``width`` cells wide, would wrap or cut an id or a party:
    the topic column needs its widest topic, the conflicts column its widest line, and each
    side (and ``agreed``: they share what is left equally) the longest id or party id of
    either side, at least TEXT_NARROWEST; three cells between columns."""
    topic = max([cell_len("topic"), *(cell_len(visible(str(row["topic"]))) for row in result.topics)])
    words = [cell_len(visible(pid)) for pid in (result.a, result.b)] + [
        cell_len(visible(e["id"]))
        for row in result.topics
        for pid in (result.a, result.b)
        for column in ("asks", "offers", "refuses")
        for e in row[pid][column]
    ]
    shares = 3 if any(row["agreed"] for row in result.topics) else 2
    lines = [cell_len(visible(f"{x} ↔ {y}")) for row in result.topics for x, y in row["conflicts"]]
    conflicts = max([cell_len("conflicts"), *lines])
    need = topic + shares * max([TEXT_NARROWEST, *words]) + conflicts + 3 * (shares + 1)
    return need > width


def _print_compare_stacked(result: Comparison, agreed: bool) -> None:
    """``compare`` on a terminal too narrow for its table (``_compare_stacks``): each topic a
    block, its name in bold, then per party ``PARTY:`` and its positions (``asks ID`` whole on
    its line, the terminal wrapping a longer one; the title and status below, wrapped), then
    what the two agreed and where they conflict. Ids and party ids are never wrapped or cut."""
    from rich.padding import Padding
    from rich.text import Text

    from .positions import agreement_text

    a, b, vocab = result.a, result.b, result.vocab
    out = console()
    conflicted = {x.lower() for pair in (p for row in result.topics for p in row["conflicts"]) for x in pair}

    def wrapped(text: Text, indent: int) -> None:
        if out.width - indent < 3:
            out.print(Text(" " * indent) + text, soft_wrap=True)
        else:
            out.print(Padding(text, (0, 0, 0, indent)))

    for row in result.topics:
        out.print(cell(row["topic"], "bold"), soft_wrap=True)
        for pid in (a, b):
            out.print(Text("  ") + cell(pid, "bold") + Text(":"), soft_wrap=True)
            for column in ("asks", "offers", "refuses"):
                for entry in row[pid][column]:
                    text = _entry_text(entry, column, conflicted, vocab.closed)
                    head = len(column) + 1 + len(visible(entry["id"]))
                    out.print(Text("    ") + text[:head], soft_wrap=True)
                    wrapped(text[head + 1 :], 6)
        if agreed and row["agreed"]:
            out.print(Text("  ") + Text("agreed:", style="bold"), soft_wrap=True)
            for e in row["agreed"]:
                wrapped(cell(agreement_text(e, a, b), "green"), 4)
        if row["conflicts"]:
            out.print(Text("  ") + Text("conflicts:", style="bold"), soft_wrap=True)
            for x, y in row["conflicts"]:
                out.print(Text("    ") + cell(f"{x} ↔ {y}", "bold red"), soft_wrap=True)
