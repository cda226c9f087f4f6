"""The ``list`` and ``log`` tables as lines of text: what Rich prints, without Rich's per-cell machinery.

Rich draws a table by measuring every cell twice through a tree of objects and rendering each
through another (about 0.56 ms a row: ``benchmarks/PROFILE.md``). Here the columns' widths are
computed once from the cells, the way Rich's ``Table`` computes them (each cell's widest line and
longest word, the collapse of the widest wrapping columns, the last-resort even reduction, the id
column's minimum), and each row is written as lines: text wrapped with Rich's own word division
(``rich._wrap.divide_line``) and cell widths (``rich.cells``), padded and joined by the same box
characters (``rich.box``), each styled span written with the escape codes Rich would write. For
the tables ``render.print_rows`` draws (header in bold, left-justified columns, ids never
wrapped, the rest folded, no outer edge) the output is Rich's byte for byte; the tests compare
the two on random tables (``tests/test_tabletext.py``).

``screen()`` decides what Rich's ``Console`` would: width (``COLUMNS``, else the terminal's size,
else 80), whether to write escape codes (a terminal, ``FORCE_COLOR``, ``TTY_COMPATIBLE``, not
``TERM=dumb``), colour or not (``NO_COLOR`` keeps bold and dim), and ASCII borders when the
output's encoding is not UTF. Neither this module nor the uncoloured path imports ``rich.console``
(about 25 ms of start-up); colour imports ``rich.style`` for the codes.

``Grid.of(cells)`` measures a table's cells once (``render.fitting_columns`` chooses the columns
from those widths) and ``Grid.lines`` draws the chosen columns. What is left to Rich (either
returns None): a header holding a tab, a column too narrow to hold one character, a table wider
than the terminal (Rich crops it), consoles Rich treats specially (``screen``: Windows, Jupyter,
IDLE), or a Rich without the text-measuring functions used here.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import IO, Any

_TRAILING_SPACE = re.compile(r"\s+$")
#: The colour systems Rich picks from ``TERM``'s suffix (``xterm-256color``); the rest are standard.
_TERM_COLORS = {"kitty": "256", "256color": "256", "16color": "standard"}


def _rich() -> Any:
    """Rich's text-measuring functions (``rich.cells``, ``rich._wrap``), or None on a Rich that
    lacks those this module was checked against (its grapheme-aware cell widths)."""
    try:
        from rich import cells
        from rich._wrap import divide_line
    except ImportError:  # pragma: no cover - a Rich far from the one tested
        return None
    if not hasattr(cells, "split_graphemes"):  # pragma: no cover - Rich before 14
        return None
    return cells, divide_line


class Screen:
    """What Rich's ``Console`` decides about stdout: ``width`` in cells, ``colors`` (the colour
    system: ``standard``, ``256``, ``truecolor``, or None for no escape codes at all),
    ``no_color`` (``NO_COLOR``: bold and dim stay, colours go) and ``ascii_only`` (an encoding
    that is not UTF: ASCII borders)."""

    __slots__ = ("ascii_only", "colors", "no_color", "width")

    def __init__(self, width: int, colors: str | None = None, no_color: bool = False, ascii_only: bool = False):
        self.width = width
        self.colors = colors
        self.no_color = no_color
        self.ascii_only = ascii_only

    def __repr__(self) -> str:
        return f"Screen({self.width}, {self.colors!r}, no_color={self.no_color}, ascii_only={self.ascii_only})"


def screen(stream: IO[str] | None = None, environ: Mapping[str, str] | None = None) -> Screen | None:
    """What Rich's ``Console()`` would decide for ``stream`` (default: stdout) under ``environ``
    (default: the process's), or None where Rich does something this module does not repeat
    (a Windows console, Jupyter, IDLE)."""
    env = os.environ if environ is None else environ
    out: Any = sys.stdout if stream is None else stream
    if sys.platform == "win32" or hasattr(builtins, "get_ipython"):
        return None
    if getattr(sys.stdin, "__module__", "").startswith("idlelib"):  # pragma: no cover - IDLE's shell
        return None
    out = getattr(out, "rich_proxied_file", out)
    terminal = _is_terminal(out, env)
    dumb = terminal and env.get("TERM", "").lower() in ("dumb", "unknown")
    colors = None
    if terminal and not dumb:
        if env.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
            colors = "truecolor"
        else:
            colors = _TERM_COLORS.get(env.get("TERM", "").strip().lower().rpartition("-")[2], "standard")
    encoding = (getattr(out, "encoding", "utf-8") or "utf-8").lower()
    return Screen(_width(env, dumb), colors, env.get("NO_COLOR", "") != "", not encoding.startswith("utf"))


def _is_terminal(out: Any, env: Mapping[str, str]) -> bool:
    """``Console.is_terminal``: ``TTY_COMPATIBLE``, else ``FORCE_COLOR``, else ``isatty()``."""
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = env.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    isatty = getattr(out, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:
        return False


def size_setting(value: str | None) -> int | None:
    """``COLUMNS`` or ``LINES`` as a number: ASCII digits only, anything else ignored (None), as
    Rich ignores ``40x``. (Rich's own test, ``str.isdigit``, also passes ``²``, which ``int``
    refuses, and reads ``٤٠`` as 40, which no terminal sets: ``sized_environ`` keeps both from it.)"""
    return int(value) if value and value.isascii() and value.isdigit() else None


def sized_environ(env: Mapping[str, str]) -> Mapping[str, str]:
    """``env`` without a ``COLUMNS`` or ``LINES`` that ``size_setting`` ignores (``env`` itself
    when there is none): what Rich's ``Console`` is given to read."""
    bad = [name for name in ("COLUMNS", "LINES") if name in env and size_setting(env[name]) is None]
    return {k: v for k, v in env.items() if k not in bad} if bad else env


def _width(env: Mapping[str, str], dumb: bool) -> int:
    """``Console.size.width``: ``COLUMNS`` and ``LINES`` both given win; a dumb terminal is 80;
    else the first of stdin, stdout, stderr that is a terminal, ``COLUMNS`` over it, else 80."""
    fixed = size_setting(env.get("COLUMNS"))
    if fixed is not None and size_setting(env.get("LINES")) is not None:
        return fixed
    if dumb:
        return 80
    width = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd)[0]
        except (AttributeError, ValueError, OSError):
            continue
        break
    if fixed is not None:
        width = fixed
    width = width or 80
    return width if fixed is None else fixed


# --- widths ------------------------------------------------------------------------------------


def _normal(low: int, high: int) -> tuple[int, int]:
    """``Measurement.normalize``."""
    low = min(max(0, low), high)
    return max(0, low), max(0, max(low, high))


def _cell_range(low: int, high: int, extra: int, limit: int) -> tuple[int, int]:
    """``Measurement.get`` of a padded text (``Padding`` around ``Text``) at most ``limit`` wide:
    ``low``/``high`` are the text's longest word and widest line, ``extra`` the padding."""
    if limit < 1:
        return 0, 0
    if limit - extra < 1:
        low = high = limit
    else:
        low, high = _normal(low, high)
        low, high = min(low, limit), min(high, limit)
        low, high = (0, 0) if high < 1 else _normal(low, high)
        low, high = min(low + extra, limit), min(high + extra, limit)
    low, high = _normal(low, high)
    low, high = min(low, limit), min(high, limit)
    return (0, 0) if high < 1 else _normal(low, high)


class _Column:
    """One column: its cells' distinct (longest word, widest line) pairs, its padding, and the
    minimum width of an id column (its widest id)."""

    __slots__ = ("extra", "minimum", "sizes")

    def __init__(self, sizes: set[tuple[int, int]], extra: int, minimum: int | None) -> None:
        self.sizes = sizes
        self.extra = extra
        self.minimum = minimum

    def range(self, limit: int) -> tuple[int, int]:
        """``Table._measure_column`` at most ``limit`` wide."""
        if limit < 1:
            return 0, 0
        measured = [_cell_range(low, high, self.extra, limit) for low, high in self.sizes]
        low = max(m[0] for m in measured) if measured else 1
        high = max(m[1] for m in measured) if measured else limit
        low, high = min(low, limit), min(high, limit)
        if self.minimum is not None:
            least = max(0, self.minimum + self.extra)
            low, high = max(low, least), max(high, least)
        return low, high


def _reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """``rich._ratio.ratio_reduce``."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, most, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(most, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], wrapable: list[bool], limit: int) -> list[int]:
    """``Table._collapse_widths``: narrow the widest wrapping columns until the total fits."""
    total = sum(widths)
    excess = total - limit
    if any(wrapable):
        while total and excess > 0:
            widest = max(w for w, wraps in zip(widths, wrapable, strict=True) if wraps)
            second = max(w if wraps and w != widest else 0 for w, wraps in zip(widths, wrapable, strict=True))
            difference = widest - second
            ratios = [1 if (w == widest and wraps) else 0 for w, wraps in zip(widths, wrapable, strict=True)]
            if not any(ratios) or not difference:
                break
            widths = _reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
            total = sum(widths)
            excess = total - limit
    return widths


def _widths(columns: list[_Column], wrapable: list[bool], limit: int) -> list[int]:
    """``Table._calculate_column_widths`` (not expanded) in ``limit`` cells."""
    limit = max(0, limit)
    widths = [column.range(limit)[1] or 1 for column in columns]
    if sum(widths) > limit:
        widths = _collapse(widths, wrapable, limit)
        if sum(widths) > limit:
            widths = _reduce(sum(widths) - limit, [1] * len(widths), widths, widths)
        widths = [column.range(width)[1] or 0 for column, width in zip(columns, widths, strict=True)]
    return widths


# --- lines -------------------------------------------------------------------------------------


def _measure(text: str, cell_len: Callable[[str], int]) -> tuple[int, int]:
    """``Text.__rich_measure__``: (longest word, widest line) in cells (a tab measured as Rich
    measures it, unexpanded: no cell)."""
    if text.isascii() and "\n" not in text and "\t" not in text:
        words = text.split()
        return (max(map(len, words)) if words else len(text)), len(text)
    lines = text.splitlines()
    widest = max(map(cell_len, lines)) if lines else 0
    words = text.split()
    return (max(map(cell_len, words)) if words else widest), widest


def _wrap(text: str, width: int, fold: bool, rich: Any) -> list[str]:
    """``Text.wrap`` then ``Lines.justify("left")``: the lines of a cell, each exactly ``width``
    cells. ``fold`` wraps long words (an id column is never wrapped; too long, it ends in "…").
    Tabs are expanded on each line first, as ``Text.wrap`` does."""
    if text.isascii() and len(text) <= width and "\n" not in text and "\t" not in text:
        return [text + " " * (width - len(text))]
    cells, divide_line = rich
    cell_len = cells.cell_len
    out = []
    for line in text.split("\n"):
        if "\t" in line:
            line = _expand_tabs(line, cell_len)
        if fold:
            breaks = _divide_ascii(line, width) if line.isascii() else divide_line(line, width, fold=True)
            bounds = [0, *breaks, len(line)]
            pieces = []
            for start, end in pairwise(bounds):
                piece = line[start:end]
                if len(piece) > width:  # Text.rstrip_end counts characters, as Rich does
                    space = _TRAILING_SPACE.search(piece)
                    if space is not None:
                        piece = piece[: len(piece) - min(len(space.group()), len(piece) - width)]
                pieces.append(piece)
        else:
            pieces = [line]
        for piece in pieces:
            if piece.isascii() and len(piece) <= width:
                out.append(piece + " " * (width - len(piece)))
                continue
            for _ in range(2):  # Lines.justify's truncate(pad=True), then Text.wrap's truncate
                size = cell_len(piece)
                if size > width:
                    piece = cells.set_cell_size(piece, width) if fold else cells.set_cell_size(piece, width - 1) + "…"
                elif size < width:
                    piece += " " * (width - size)
            out.append(piece)
    return out


def _expand_tabs(line: str, cell_len: Callable[[str], int], size: int = 8) -> str:
    """``Text.expand_tabs``: each tab of a line becomes a space, then more up to the next
    multiple of ``size`` cells (counted in cells, each piece between tabs measured alone)."""
    pieces = line.split("\t")
    position = 0
    out = []
    for piece in pieces[:-1]:
        piece += " "
        position += cell_len(piece)
        remainder = position % size
        if remainder:
            piece += " " * (size - remainder)
            position += size - remainder
        out.append(piece)
    out.append(pieces[-1])
    return "".join(out)


def _whole(text: str, cell_len: Callable[[str], int]) -> list[str]:
    """``text`` as Rich prints it with ``soft_wrap``: its lines, never wrapped, tabs expanded."""
    return [_expand_tabs(line, cell_len) if "\t" in line else line for line in text.split("\n")]


_WORD = re.compile(r"\s*\S+\s*")


def _divide_ascii(text: str, width: int) -> list[int]:
    """``rich._wrap.divide_line(text, width, fold=True)`` for printable ASCII, where every
    character is one cell: where to break ``text`` into lines of at most ``width`` cells."""
    breaks: list[int] = []
    offset = 0
    for word in _WORD.finditer(text):
        start, chars = word.start(), word.group()
        length = len(chars.rstrip())
        if width - offset >= length:
            offset += len(chars)
        elif length > width:  # a word longer than a line is folded
            pieces = [chars[n : n + width] for n in range(0, len(chars), width)]
            for n, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if n == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(chars)
    return breaks


class Grid:
    """A table's cells as they are shown (``escape.visible`` of each value), measured once:
    ``widest[i]``, the widest line of column ``i``'s body cells in terminal cells (for choosing
    columns: ``render.fitting_columns``), and what ``lines`` needs to draw any of its columns.
    None when this module cannot draw them (Rich lacks what it uses)."""

    def __init__(self, rows: Sequence[Sequence[str]], count: int, rich: Any) -> None:
        self.rows = rows
        self.rich = rich
        cell_len = rich[0].cell_len
        self.sizes: list[set[tuple[int, int]]] = [set() for _ in range(count)]
        seen: dict[str, tuple[int, int]] = {}  # most columns repeat a few values: measure each once
        for row in rows:
            for size, text in zip(self.sizes, row, strict=True):
                known = seen.get(text)
                if known is None:
                    known = seen[text] = _measure(text, cell_len)
                size.add(known)
        self.widest = [max((high for _low, high in size), default=0) for size in self.sizes]

    @classmethod
    def of(cls, rows: Sequence[Sequence[str]], count: int) -> Grid | None:
        """The grid of ``rows`` (the shown text of each of ``count`` cells a row), or None when
        Rich lacks what is used here (this module then leaves them to Rich)."""
        rich = _rich()
        if rich is None:
            return None
        return cls(rows, count, rich)

    def stacked(self, id_at: int, labels: Sequence[str], shown: Screen) -> str:
        """The rows as ``render._print_stacked`` has Rich print them, for a terminal too narrow
        for their table: each row's id (column ``id_at``) alone on a line, in bold, whole; then
        every other column's value after its label (``labels[i]``, as shown: ``"date: "``),
        indented by two and folded to the width, empty values left out (below 3 cells, each
        whole on its line, as the id is). Tabs are expanded as Rich expands them."""
        bold = _painter(shown)("bold")
        width = shown.width - 2
        cell_len = self.rich[0].cell_len
        others = [k for k in range(len(labels)) if k != id_at]
        out: list[str] = []
        for row in self.rows:
            out.extend(bold(line) for line in _whole(row[id_at], cell_len))
            for k in others:
                if not row[k]:
                    continue
                if width < 1:
                    out.extend(_whole("  " + labels[k] + row[k], cell_len))
                else:
                    out.extend("  " + line for line in _wrap(labels[k] + row[k], width, True, self.rich))
        return "".join(line + "\n" for line in out)

    def lines(
        self,
        headers: Sequence[str],
        at: Sequence[int],
        shown: Screen,
        id_column: str | None = "id",
        styles: Sequence[Sequence[str]] | None = None,
        header_style: str = "bold",
    ) -> str | None:
        """The table Rich draws for ``render.print_rows``, as text (with escape codes where
        ``shown.colors`` says so), or None for what this module leaves to Rich (see the module doc).

        ``headers`` are the shown columns' headers (as shown); ``at`` their indexes in the rows;
        the column headed ``id_column`` is never wrapped and as wide as its widest id; ``styles``
        (one list per row, one style per shown column) gives each body cell's Rich style
        ("yellow", "bold red", ""), none by default; the header is in ``header_style``.
        """
        rich = self.rich
        cell_len = rich[0].cell_len
        count = len(headers)
        if not count or any("\t" in header for header in headers):
            return None
        left = [0 if i == 0 else 1 for i in range(count)]
        right = [0 if i == count - 1 else 1 for i in range(count)]
        columns = []
        for i, (header, n) in enumerate(zip(headers, at, strict=True)):
            minimum = self.widest[n] if header == id_column else None
            columns.append(_Column({_measure(header, cell_len), *self.sizes[n]}, left[i] + right[i], minimum))
        wrapable = [header != id_column for header in headers]
        widths = _widths(columns, wrapable, shown.width - (count - 1))
        inner = [width - left[i] - right[i] for i, width in enumerate(widths)]
        if min(inner) < 1 or sum(widths) + count - 1 > shown.width:
            return None

        from rich.box import ASCII, HEAVY_HEAD

        box = ASCII if shown.ascii_only else HEAVY_HEAD
        paint = _painter(shown)
        out: list[str] = []
        fillers = [" " * width for width in widths]
        lefts = [" " * n for n in left]
        rights = [" " * n for n in right]

        memo: list[dict[tuple[str, str | None], list[str]]] = [{} for _ in range(count)]

        def cell(i: int, text: str, style: str | None, header: bool) -> list[str]:
            """Column ``i``'s cell of ``text`` as lines of text: padded, styled (None: plain)."""
            found = memo[i].get((text, style))
            if found is None:
                wrapped = _wrap(text, inner[i], wrapable[i], rich)
                if style is None:
                    found = [lefts[i] + line + rights[i] for line in wrapped]
                else:
                    pad = paint(header_style if header else "")
                    found = [pad(lefts[i]) + paint(style)(line) + pad(rights[i]) for line in wrapped]
                memo[i][(text, style)] = found
            return found

        def row_lines(cells: list[list[str]], fill: list[str], divider: str, bottom: bool) -> None:
            height = max(map(len, cells))
            if height == 1:
                out.append(divider.join([lines[0] for lines in cells]))
                return
            # A shorter cell is filled with blank lines: below it, or above it in the header.
            cells = [
                lines if len(lines) == height
                else [fill[i]] * (height - len(lines)) + lines if bottom
                else lines + [fill[i]] * (height - len(lines))
                for i, lines in enumerate(cells)
            ]  # fmt: skip
            out.extend(map(divider.join, zip(*cells, strict=True)))

        head = header_style if shown.colors else None
        head_fill = [paint(header_style)(filler) for filler in fillers]
        row_lines([cell(i, text, head, True) for i, text in enumerate(headers)], head_fill, box.head_vertical, True)
        out.append(box.get_row(widths, "head", edge=False))
        plain = shown.colors is None or styles is None
        for n, row in enumerate(self.rows):
            if plain:
                cells = [cell(i, row[k], None, False) for i, k in enumerate(at)]
            else:
                cells = [cell(i, row[k], styles[n][i], False) for i, k in enumerate(at)]  # type: ignore[index]
            row_lines(cells, fillers, box.mid_vertical, False)
        return "\n".join(out) + "\n"


def _painter(shown: Screen) -> Callable[[str], Callable[[str], str]]:
    """``paint(style)(text)``: ``text`` as Rich writes a segment of that style (nothing added
    without escape codes, nor for empty text or a style that sets nothing)."""

    def plain(text: str) -> str:
        return text

    if shown.colors is None:
        return lambda style: plain
    from rich.color import ColorSystem
    from rich.style import Style

    system = {
        "standard": ColorSystem.STANDARD,
        "256": ColorSystem.EIGHT_BIT,
        "truecolor": ColorSystem.TRUECOLOR,
    }[shown.colors]
    made: dict[str, Callable[[str], str]] = {}

    def paint(style: str) -> Callable[[str], str]:
        found = made.get(style)
        if found is None:
            parsed = Style.parse(style)
            if shown.no_color:
                parsed = parsed.without_color
            before, _, after = parsed.render("\0", color_system=system).partition("\0")
            if not before:
                found = plain
            else:

                def found(text: str, before: str = before, after: str = after) -> str:
                    return before + text + after if text else text

            made[style] = found
        return found

    return paint
