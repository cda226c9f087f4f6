"""A tab in a cell is drawn by the fast table renderer, as Rich draws it (attack-16 finding 7):
one tab no longer sends the whole table back to Rich."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_tabletext import MODES, PIECES, both
from tradedemands.formats import Rows
from tradedemands.model import Vocabulary

TABBED = st.lists(st.sampled_from(["\t", "\t\t", "a\t", "中\t", "x" * 7, *PIECES]), max_size=10).map("".join)


@st.composite
def tabbed_tables(draw: Any) -> Rows:
    columns = draw(st.sampled_from([["id", "status", "title"], ["date", "id", "note"], ["id", "kind", "title", "due"]]))
    rows = [
        [draw(st.from_regex(r"[A-Z]{1,3}-[0-9]{1,4}", fullmatch=True)) if c == "id" else draw(TABBED) for c in columns]
        for _ in range(draw(st.integers(1, 5)))
    ]
    return Rows(columns, rows, wide=("title", "note"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=tabbed_tables(), width=st.integers(20, 160), mode=st.sampled_from(sorted(MODES)))
def test_tabs_the_same_bytes_as_rich(rows: Rows, width: int, mode: str) -> None:
    rich, fast = both(rows, width, mode, Vocabulary())
    if fast is not None:
        assert fast == rich


@pytest.mark.parametrize("width", [20, 24, 31, 80])
@pytest.mark.parametrize("mode", ["pipe", "colour"])
def test_a_tab_is_drawn_as_lines_and_expanded(width: int, mode: str) -> None:
    rows = Rows(
        ["id", "status", "title"],
        [["X-1", "open", "Financial\tsurplus with a tab"], ["X-22", "met", "中\t|\tend\t"], ["X-3", "\t", "plain"]],
        wide=("title",),
    )
    rich, fast = both(rows, width, mode, Vocabulary())
    assert fast is not None, "a tab sent the table to Rich"
    assert fast == rich
    if width == 80 and mode == "pipe":
        assert b"Financial       surplus" in fast  # to the next multiple of 8 cells
        assert "中      |       end".encode() in fast
