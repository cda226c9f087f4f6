"""The ``list`` and ``log`` tables written as lines (``tabletext``) are what Rich prints, byte for byte:
random tables of hostile text at random widths, with and without colour, NO_COLOR, ASCII
terminals, compared with Rich's own rendering; and what ``tabletext`` leaves to Rich goes to Rich."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tradedemands import render, tabletext
from tradedemands.formats import Rows
from tradedemands.model import Vocabulary

#: Pieces of hostile text: CJK, emoji (wide, with a variation selector, joined), combining marks,
#: zero-width and right-to-left characters, control characters, markup, long words, breaks.
PIECES = [
    "a", "b", "Z", "0", " ", "  ", "-", "[bold]", "[/]", "|", "→", "é", "e\u0301", "中", "文字", "ｆｕｌｌ",
    "😀", "❤\ufe0f", "👩\u200d💻", "\u200b", "\u05e9\u05dc\u05d5\u05dd", "\u202e", "\x1b[31m", "\x00", "\r",
    "\n", "\x85", "\u2028", "\u00a0", "\u3000", "tariff", "schedule", "x" * 30, "中" * 15, "-" * 25,
]  # fmt: skip
STATUSES = ["open", "discussing", "agreed", "partial", "met", "rejected", "withdrawn", "draft", ""]
KINDS = ["demand", "concession", "red-line", "other", ""]
LIST_COLUMNS = ["id", "party", "kind", "status", "priority", "topic", "title", "due"]
LOG_COLUMNS = ["date", "id", "status", "round", "note"]

text = st.lists(st.sampled_from(PIECES) | st.characters(codec="utf-8"), max_size=12).map("".join)
ident = st.from_regex(r"[A-Z]{1,3}-[0-9]{1,4}|[a-z0-9._-]{1,40}", fullmatch=True)


@st.composite
def tables(draw: Any) -> Rows:
    columns = draw(st.sampled_from([LIST_COLUMNS, LOG_COLUMNS]))
    keep = draw(st.lists(st.sampled_from(columns), unique=True, min_size=1))
    shown = [c for c in columns if c in keep or c in ("id", "title", "note")]
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = []
        for column in shown:
            if column == "id":
                row.append(draw(ident))
            elif column == "status":
                row.append(draw(st.sampled_from(STATUSES) | text))
            elif column == "kind":
                row.append(draw(st.sampled_from(KINDS)))
            else:
                row.append(draw(text))
        rows.append(row)
    return Rows(shown, rows, wide=("title", "note"))


@contextmanager
def terminal(width: int, env: dict[str, str], encoding: str = "utf-8") -> Iterator[io.TextIOWrapper]:
    """stdout into a buffer as ``encoding`` writes it, ``width`` columns, ``env`` set."""
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM")}
    clean.update({"COLUMNS": str(width), "LINES": "50", **env})
    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, newline="\n")
    with mock.patch.dict(os.environ, clean, clear=True), redirect_stdout(stream):
        yield stream


def printed(stream: io.TextIOWrapper) -> bytes:
    stream.flush()
    return stream.buffer.getvalue()  # type: ignore[attr-defined]


MODES = {
    "pipe": ({}, "utf-8"),
    "colour": ({"FORCE_COLOR": "1"}, "utf-8"),
    "256 colours": ({"FORCE_COLOR": "1", "TERM": "xterm-256color"}, "utf-8"),
    "truecolor": ({"FORCE_COLOR": "1", "COLORTERM": "truecolor"}, "utf-8"),
    "NO_COLOR": ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, "utf-8"),
    "dumb terminal": ({"TTY_COMPATIBLE": "1", "TERM": "dumb"}, "utf-8"),
    "ascii": ({}, "ascii"),
    "ascii in colour": ({"FORCE_COLOR": "1"}, "ascii"),
    "latin-1": ({}, "latin-1"),
}


def both(rows: Rows, width: int, mode: str, vocab: Vocabulary | None = None) -> tuple[bytes, bytes | None]:
    """(what Rich prints, what tabletext prints or None where it leaves the table to Rich)."""
    env, encoding = MODES[mode]
    with terminal(width, env, encoding) as stream:
        render._print_rows(rows, vocab, None)
        rich = printed(stream)
    with terminal(width, env, encoding) as stream:
        done = render._print_lines(rows, vocab)
        fast = printed(stream)
    if not done:
        assert fast == b"", "nothing may be written when the table is left to Rich"
        return rich, None
    return rich, fast


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=tables(), width=st.integers(20, 250), mode=st.sampled_from(sorted(MODES)))
def test_the_same_bytes_as_rich(rows: Rows, width: int, mode: str) -> None:
    rich, fast = both(rows, width, mode, Vocabulary())
    event("left to Rich" if fast is None else "drawn as lines")
    if fast is not None:
        assert fast == rich


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("width", [20, 33, 57, 80, 120, 250])
def test_the_shipped_file_as_rich_prints_it(data_file: Path, mode: str, width: int) -> None:
    """The shipped items, every column, each mode: the fast path is taken and gives Rich's bytes."""
    from tradedemands import read

    listed = read.list_items(data_file)
    for rows in (listed.table_rows(), read.log(data_file).rows()):
        rich, fast = both(rows, width, mode, listed.vocab)
        assert fast is not None, f"fell back to Rich at width {width}, {mode}"
        assert fast == rich


def test_every_status_and_kind_style_is_written_as_rich_writes_it() -> None:
    statuses = [*render.STATUS_STYLES, "custom-closed", "custom-open"]
    vocab = Vocabulary(
        [{"name": s, "closed": s in ("met", "rejected", "withdrawn", "custom-closed")} for s in statuses]
    )
    rows = Rows(
        ["id", "kind", "status", "title"],
        [[f"X-{n}", [*render.KIND_STYLES][n % 3], status, "t"] for n, status in enumerate(statuses)],
        wide=("title",),
    )
    for mode in ("colour", "256 colours", "truecolor", "NO_COLOR"):
        rich, fast = both(rows, 80, mode, vocab)
        assert fast == rich
        assert b"\x1b[" in fast


def test_a_tab_is_drawn_as_rich_draws_it() -> None:
    rows = Rows(["id", "title"], [["X-1", "a\ttab"]], wide=("title",))
    rich, fast = both(rows, 80, "pipe")
    assert fast == rich
    # Rich measures the cell unexpanded (a tab has no width) and wraps it expanded.
    assert rich.decode().splitlines()[2:] == ["X-1 │ a    ", "    │ tab  "]


def test_an_id_wider_than_the_terminal_is_drawn_whole_by_both() -> None:
    """An id longer than the terminal is never cut: each row is a block (tests/test_narrow_table.py)."""
    rows = Rows(["id", "title"], [["X" * 60, "a title"]], wide=("title",))
    rich, fast = both(rows, 40, "pipe")
    assert fast == rich == b"X" * 60 + b"\n  title: a title" + b" " * 24 + b"\n"


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"FORCE_COLOR": "1"},
        {"FORCE_COLOR": ""},
        {"FORCE_COLOR": "0"},
        {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
        {"TTY_COMPATIBLE": "1"},
        {"TTY_COMPATIBLE": "1", "TERM": "dumb"},
        {"TTY_COMPATIBLE": "1", "TERM": "UNKNOWN", "LINES": ""},
        {"FORCE_COLOR": "1", "TERM": "xterm-kitty"},
        {"FORCE_COLOR": "1", "TERM": "xterm-16color"},
        {"FORCE_COLOR": "1", "COLORTERM": "24bit", "TERM": "xterm-256color"},
        {"FORCE_COLOR": "1", "NO_COLOR": "yes"},
        {"COLUMNS": "", "LINES": ""},
        {"COLUMNS": "abc"},
        {"COLUMNS": "90", "LINES": "x"},
        {"COLUMNS": "0"},
    ],
    ids=repr,
)
@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
def test_the_screen_is_what_richs_console_decides(env: dict[str, str], tty: bool, encoding: str) -> None:
    from rich.console import Console

    class Stream(io.TextIOWrapper):
        def isatty(self) -> bool:
            return tty

    stream = Stream(io.BytesIO(), encoding=encoding)
    full = {"COLUMNS": "77", "LINES": "20", **env}
    full = {k: v for k, v in full.items() if v != "" or k not in ("COLUMNS", "LINES") or k in env}
    console = Console(file=stream, _environ=full)
    shown = tabletext.screen(stream, full)
    assert shown is not None
    assert shown.width == console.size.width
    assert shown.colors == console.color_system
    assert shown.no_color == console.no_color
    assert shown.ascii_only == (not console.encoding.startswith("utf"))


def test_the_cli_draws_lists_and_logs_without_importing_richs_console(workspace: Path) -> None:
    import subprocess

    code = (
        "import sys, runpy; sys.argv = ['demands', {args}]\n"
        "try:\n    runpy.run_module('tradedemands', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in ('rich.console', 'rich.table', 'rich.text') if m in sys.modules))"
    )
    for args in ("'list'", "'list', '--party', 'us'", "'log'"):
        r = subprocess.run(
            [sys.executable, "-c", code.format(args=args)], cwd=workspace, capture_output=True, text=True
        )
        assert r.returncode == 0, r.stderr
        assert "US-1" in r.stdout
        assert r.stderr == "", f"{args} imported {r.stderr}"
