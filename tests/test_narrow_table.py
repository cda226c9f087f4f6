"""A terminal too narrow for an id and its title (attack-16 finding 6): the id is never cut and
no text is left out; each item becomes a block of lines, the same bytes from both renderers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import DEMANDS
from test_tabletext import MODES, both
from tradedemands import render
from tradedemands.formats import Rows

FILE = """\
version: 1
title: t
parties:
  european-union-commission: {name: EU}
demands:
  - id: EUROPEAN-UNION-COMMISSION-123
    party: european-union-commission
    kind: demand
    title: A title that is long enough to wrap
    status: open
  - id: EUROPEAN-UNION-COMMISSION-124
    party: european-union-commission
    kind: demand
    title: "Short\\tone"
    status: open
"""


def listed(tmp_path: Path, columns: int) -> subprocess.CompletedProcess[str]:
    (tmp_path / "eu.yaml").write_text(FILE, encoding="utf-8")
    env = {**os.environ, "COLUMNS": str(columns), "DEMANDS_FILE": str(tmp_path / "eu.yaml")}
    return subprocess.run([str(DEMANDS), "list", "--no-pager"], env=env, capture_output=True, text=True, timeout=60)


def test_at_20_and_30_columns_each_item_is_a_block(tmp_path: Path) -> None:
    # every column, labelled (attack-5 finding 2): the party, kind and status are not dropped
    assert listed(tmp_path, 30).stdout == (
        "EUROPEAN-UNION-COMMISSION-123\n"
        "  party:                      \n"
        "  european-union-commission   \n"
        "  kind: demand                \n"
        "  status: open                \n"
        "  title: A title that is long \n"
        "  enough to wrap              \n"
        "EUROPEAN-UNION-COMMISSION-124\n"
        "  party:                      \n"
        "  european-union-commission   \n"
        "  kind: demand                \n"
        "  status: open                \n"
        "  title: Short    one         \n"
    )


def test_with_room_for_a_narrow_title_it_stays_a_table(tmp_path: Path) -> None:
    lines = listed(tmp_path, 45).stdout.splitlines()
    assert lines[0] == "id                            ┃ title        "
    assert lines[2] == "EUROPEAN-UNION-COMMISSION-123 │ A title that "


ROWS = [
    Rows(["id", "title"], [["X" * 60, "a title"], ["Y-1", ""], ["Z-2", "中文 and\nmore"]], wide=("title",)),
    Rows(["date", "id", "status", "round", "note", "source"], [["2026-01-02", "A" * 25, "open", "r1", "a note", "seeds/x.txt"]], wide=("note",)),
]  # fmt: skip


@pytest.mark.parametrize("rows", ROWS, ids=["list", "log"])
@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("width", [1, 2, 3, 5, 20, 33])
def test_both_renderers_draw_the_blocks_alike(rows: Rows, mode: str, width: int) -> None:
    rich, fast = both(rows, width, mode)
    assert fast is not None
    assert fast == rich
    text = rich.decode("utf-8", "replace")
    ids = [row[rows.columns.index("id")] for row in rows.rows]
    for found in ids:
        assert found in text  # whole, never cut
    assert "━" not in text and "-+-" not in text  # blocks, not a table


def test_the_threshold() -> None:
    rows = Rows(["id", "title"], [["ABCDEFGHIJ", "a title long enough"]], wide=("title",))
    assert not render.stacks(rows, ["id", "title"], 10 + 3 + 10)  # the id, and 10 cells of title
    assert render.stacks(rows, ["id", "title"], 10 + 3 + 9)
    short = Rows(["id", "title"], [["ABCDEFGHIJ", "tiny"]], wide=("title",))
    assert not render.stacks(short, ["id", "title"], 10 + 3 + 5)  # a title narrower than 10 needs less
