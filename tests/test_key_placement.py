"""Lines inserted at one place go deepest first: a tag appended to a block list before a key
added after that list, and that key before an item appended after its item.

Found by the property test: ``edit US-1 --priority high --add-tag x`` on an item whose tags are a
block list inserted ``priority: high`` above ``- x``, which then read as ``priority: high - x``.
"""

from __future__ import annotations

from pathlib import Path

from conftest import demands_cmd
from tradedemands.splices import Splice, apply_splices, reverse_splices

FILE = """\
version: 1
parties:
  us: {name: United States}
demands:
  - id: US-1
    party: us
    kind: demand
    title: First one
    tags:
      - alpha
      - beta
    status: open
    history:
      - date: 2020-01-01
        status: open
"""


def test_edit_adding_a_tag_and_a_key_after_a_block_list(tmp_path: Path) -> None:
    data = tmp_path / "d.yaml"
    data.write_text(FILE)
    run = demands_cmd("edit", "US-1", "-f", str(data), "--priority", "high", "--add-tag", "x", "--due", "2020-02-01")
    assert run.returncode == 0, run.stderr
    assert data.read_text() == FILE.replace(
        "      - beta\n    status: open\n",
        "      - beta\n      - x\n    priority: high\n    status: open\n    due: 2020-02-01\n",
    )


def test_inserts_at_one_place_go_deepest_first_and_reverse_exactly() -> None:
    text = "a:\n  - 1\nb: 2\n"
    at = text.index("b:")
    splices = [
        Splice(at, at, "c: 3\n", 0),  # made first, shallowest
        Splice(at, at, "  - 2\n", 1),
        Splice(at, at, "  - 3\n", 2),  # same depth: the order made
    ]
    new = apply_splices(text, splices)
    assert new == "a:\n  - 1\n  - 2\n  - 3\nc: 3\nb: 2\n"
    assert apply_splices(new, reverse_splices(text, splices)) == text
