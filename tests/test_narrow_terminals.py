"""Narrow terminals (review of issue 16, attack-5 findings 1-4): every table command at
COLUMNS 1..45 keeps ids whole on one line, writes no control character, and the fast table
renderer writes Rich's bytes; a block shows every column, each value labelled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import demands_cmd
from tradedemands import tabletext

FILE = """\
version: 1
title: t
parties:
  european-union-commission: {name: EU}
  us: {name: US}
rounds:
  - id: r1
    date: 2018-05-03
demands:
  - id: EUROPEAN-UNION-COMMISSION-123
    party: european-union-commission
    kind: demand
    title: "A title"
    status: discussing
    topic: steel
    links: [{rel: responds-to, id: US-1}]
    history:
      - {date: 2018-05-03, status: open, note: "first", round: r1}
      - {date: 2018-05-04, status: discussing, note: "second"}
  - id: EUROPEAN-UNION-COMMISSION-LONGER-ID-9
    party: european-union-commission
    kind: concession
    title: "y\\tchanged"
    status: agreed
    topic: steel
  - id: US-1
    party: us
    kind: demand
    title: "Short\\tone"
    status: open
    topic: steel
"""
IDS = ["EUROPEAN-UNION-COMMISSION-123", "EUROPEAN-UNION-COMMISSION-LONGER-ID-9", "US-1"]
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "d.yaml"
    path.write_text(FILE, encoding="utf-8")
    old = tmp_path / "old.yaml"
    old.write_text(FILE.replace("status: agreed", "status: open").replace("A title", "Old title"), encoding="utf-8")
    monkeypatch.setenv("DEMANDS_FILE", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def test_show_never_cuts_the_id_in_its_title(data: Path) -> None:
    r = demands_cmd("show", "EUROPEAN-UNION-COMMISSION-LONGER-ID-9", env={"COLUMNS": "40"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "EUROPEAN-UNION-COMMISSION-LONGER-ID-9\n"
        "  y       changed                       \n"
        "  party: european-union-commission (EU) \n"
        "  kind: concession                      \n"
        "  status: agreed                        \n"
        "  topic: steel                          \n"
    )


def test_show_keeps_its_panel_while_every_id_fits(data: Path) -> None:
    r = demands_cmd("show", "US-1", env={"COLUMNS": "70"})
    assert r.stdout.splitlines()[0].startswith("╭─ US-1  Short     one ───")
    # at 40 the linked id would be cut inside the panel: a block instead
    r = demands_cmd("show", "US-1", env={"COLUMNS": "40"})
    assert r.stdout.splitlines()[0] == "US-1"
    assert "    responded-to-by EUROPEAN-UNION-COMMISSION-123" in r.stdout.splitlines()


def test_log_blocks_keep_date_status_and_round(data: Path) -> None:
    r = demands_cmd("log", "--no-pager", env={"COLUMNS": "30"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "EUROPEAN-UNION-COMMISSION-123",
        "  date: 2018-05-04            ",
        "  status: discussing          ",
        "  note: second                ",
        "EUROPEAN-UNION-COMMISSION-123",
        "  date: 2018-05-03            ",
        "  status: open                ",
        "  round: r1                   ",
        "  note: first                 ",
    ]


def test_list_at_one_column_expands_tabs_as_rich_does(data: Path) -> None:
    r = demands_cmd("list", "--no-pager", env={"COLUMNS": "1"})
    assert "\t" not in r.stdout
    assert "  title: y      changed\n" in r.stdout
    assert "  title: Short  one\n" in r.stdout


def test_compare_stacks_rather_than_fold_ids(data: Path) -> None:
    r = demands_cmd("compare", "european-union-commission", "us", env={"COLUMNS": "30"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "steel",
        "  european-union-commission:",
        "    asks EUROPEAN-UNION-COMMISSION-123",
        "      A title (discussing)    ",
        "    offers EUROPEAN-UNION-COMMISSION-LONGER-ID-9",
        "      y       changed (agreed)",
        "  us:",
        "    asks US-1",
        "      Short   one (open)      ",
    ]


def test_summary_stacks_rather_than_cut_a_party(data: Path) -> None:
    r = demands_cmd("summary", env={"COLUMNS": "30"})
    assert r.stdout.splitlines()[:4] == [
        "european-union-commission EU",
        "  discussing: 1",
        "  agreed: 1",
        "  total: 2, closed: 0/2",
    ]


COMMANDS = [
    ("list", "--no-pager"),
    ("log", "--no-pager"),
    ("show", *IDS),
    ("summary",),
    ("compare", "european-union-commission", "us"),
    ("diff", "old.yaml", "d.yaml"),
    ("validate",),
]


def test_every_table_command_at_1_to_45_columns(data: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids whole on one line (a line longer than the terminal is the id alone, or the
    terminal's wrapping of a soft-wrapped line), no control characters, fast == Rich."""
    fast_of = tabletext.Grid.of
    for width in range(1, 46):
        for args in COMMANDS:
            monkeypatch.setattr(tabletext.Grid, "of", fast_of)
            fast = run(*args, env={"COLUMNS": str(width)})
            assert fast.exit_code == 0, (args, width, fast.stderr)
            monkeypatch.setattr(tabletext.Grid, "of", classmethod(lambda cls, *a, **k: None))
            rich = run(*args, env={"COLUMNS": str(width)})
            assert fast.stdout == rich.stdout, (args, width)
            text = fast.stdout + fast.stderr
            assert not CONTROL.search(text), (args, width, text)
            if args[0] == "validate":
                continue
            for found in IDS if args[0] in ("list", "show", "compare") else ():
                whole = [line for line in text.splitlines() if found in line]
                assert whole, (args, width, found, text)
            for piece in re.findall(r"[A-Z]{2,}[A-Z0-9-]*", text):
                # every run of id characters is a whole id (or a word of a title), never a cut one
                assert piece in IDS or not any(i.startswith(piece) for i in IDS) or piece in ("EU", "US"), (
                    args,
                    width,
                    piece,
                    text,
                )
