"""The review of issues 13-15 (findings 1-5, 8, 12): import and $EDITOR at their edges.

Items into a file with none, entries changed in a sheet, wrong shapes of nested fields,
numbering of many new rows, the agreement rules, CRLF cells, and the smaller faults (an id's
case, an editor killed by a signal, where new fields go, spreadsheet habits, every source
problem located, short errors, blocks kept as blocks, "tags entry 1").
"""

from __future__ import annotations

import csv
import io
import json
import shlex
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

import tradedemands
from tradedemands.errors import DemandsError
from tradedemands.escape import clip
from tradedemands.itemtext import BufferProblems
from tradedemands.updates import Numbering

TODAY = date.today().isoformat()
DOC = "seeds/000_d2207b9ab7e38b47.txt"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def export_rows(run) -> tuple[list[str], list[list[str]]]:  # type: ignore[no-untyped-def]
    r = run("export", "-o", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout, newline="")))
    return rows[0], rows[1:]


def save_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return path


def refused(r, name: str, data_file: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """The problem lines of a refused import (its closing line checked)."""
    assert r.exit_code == 1, r.output
    *lines, closing = r.stderr.splitlines()
    count = len(lines)
    assert closing == (
        f"demands: import refused: {count} problem{'s' if count != 1 else ''} in {name}; nothing was imported, "
        f"{data_file} is unchanged"
    )
    return lines


# --- 1. items into a file that has none --------------------------------------------------------

EMPTY = {
    "init": None,
    "null": "version: 1\nparties: {us: {name: US}, cn: {name: CN}}\ndemands:\n",
    "absent": "version: 1\nparties: {us: {name: US}, cn: {name: CN}}\n",
}


@pytest.mark.parametrize("shape", list(EMPTY))
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_two_new_items_go_into_a_file_without_items(run, workspace: Path, shape: str, fmt: str) -> None:
    target = workspace / "talks.yaml"
    if EMPTY[shape] is None:
        assert run("init", str(target)).exit_code == 0
    else:
        write(target, EMPTY[shape])
    if fmt == "csv":
        source = write(workspace / "pledges.csv", "party,title\nus,Cut tariffs on steel\ncn,Lift the export ban\n")
    else:
        source = write(workspace / "pledges.json", '[{"party": "us", "title": "A"}, {"party": "cn", "title": "B"}]')
    r = run("import", source.name, "-f", str(target))
    assert (r.exit_code, r.stderr) == (0, f"US-1: added\nCN-1: added\n{source.name}: 2 added, 0 changed, 0 unchanged\n")
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert [(i["id"], i["party"], i["status"]) for i in data["demands"]] == [
        ("US-1", "us", "open"),
        ("CN-1", "cn", "open"),
    ]
    assert run("validate", str(target)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.count("\ndemands:") == 1
    assert "  - id: US-1\n    party: us\n" in text and "  - id: CN-1\n    party: cn\n" in text


def test_hundreds_of_items_into_an_empty_file_keep_their_order(run, workspace: Path) -> None:
    target = write(workspace / "e.yaml", EMPTY["null"])
    write(workspace / "many.csv", "party,title\n" + "".join(f"us,Line {n}\n" for n in range(300)))
    assert run("import", "many.csv", "-f", str(target)).exit_code == 0
    items = yaml.safe_load(target.read_text(encoding="utf-8"))["demands"]
    assert [(i["id"], i["title"]) for i in items] == [(f"US-{n + 1}", f"Line {n}") for n in range(300)]


# --- 2. an entry changed in the sheet is refused, even an item's only one ----------------------

GROW = (
    "{what} can only grow: entry {n} ({when}) of the file is missing here and a new one has its date: change "
    "entries in the file itself (to add one that day, give the file's too)"
)


def test_changing_the_only_history_entry_in_a_sheet_is_refused(run, workspace: Path, data_file: Path) -> None:
    header, rows = export_rows(run)
    hi = header.index("history")
    for row in rows:
        entries = json.loads(row[hi])
        if row[0] == "US-4":
            entries[0]["note"] = "Tabled in Beijing on day one"
        if row[0] == "US-5":
            entries[0]["status"] = "discussing"
        row[hi] = json.dumps(entries)
    save_rows(workspace / "edited.csv", header, rows)
    before = data_file.read_bytes()
    lines = refused(run("import", "edited.csv"), "edited.csv", data_file)
    row4 = 2 + [r[0] for r in rows].index("US-4")
    assert lines == [
        f"edited.csv:{row4}:history: US-4: " + GROW.format(what="history", n=1, when="2018-05-03"),
        f"edited.csv:{row4 + 1}:history: US-5: " + GROW.format(what="history", n=1, when="2018-05-03"),
    ]
    assert data_file.read_bytes() == before


def test_a_bare_copy_of_an_entry_is_refused_and_a_later_one_added(run, workspace: Path, data_file: Path) -> None:
    write(workspace / "y.yaml", "- {id: US-1, history: [{date: 2018-05-04, status: contested}]}\n")
    lines = refused(run("import", "y.yaml"), "y.yaml", data_file)
    assert lines == ["y.yaml:1:history: US-1: " + GROW.format(what="history", n=2, when="2018-05-04")]
    write(workspace / "later.yaml", "- {id: US-1, history: [{date: 2018-06-04, note: Called again}]}\n")
    r = run("import", "later.yaml")
    assert (r.exit_code, r.stderr) == (0, "US-1: changed history\nlater.yaml: 0 added, 1 changed, 0 unchanged\n")
    assert tradedemands.load(data_file).item("US-1")["history"][-1] == {"date": "2018-06-04", "note": "Called again"}


def test_changing_the_only_measurement_in_a_sheet_is_refused(run, workspace: Path, data_file: Path) -> None:
    assert run("progress", "US-1", "35000000000", "--date", "2019-06-30").exit_code == 0
    header, rows = export_rows(run)
    column = header.index("target.progress")
    row = next(r for r in rows if r[0] == "US-1")
    row[column] = row[column].replace("35000000000", "53000000000")
    save_rows(workspace / "p.csv", header, rows)
    lines = refused(run("import", "p.csv"), "p.csv", data_file)
    number = 2 + rows.index(row)
    assert lines == [
        f"p.csv:{number}:target.progress: US-1: " + GROW.format(what="target.progress", n=1, when="2019-06-30")
    ]


# --- 3. wrong shapes of nested fields: located problems, never a crash --------------------------

MAPPING = "a history entry must be a mapping (key: value lines)"


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("a.csv", "id,history\nUS-4,[1]\n", f"a.csv:2:history: US-4: {MAPPING}, not the number 1"),
        ("b.csv", "id,history\nUS-4,[null]\n", f"b.csv:2:history: US-4: {MAPPING}, not empty"),
        ("c.csv", 'id,history\nUS-4,"[[]]"\n', f"c.csv:2:history: US-4: {MAPPING}, not a list"),
        (
            "d.json",
            '[{"id": "US-4", "history": {"date": "2018-05-05"}}]',
            "d.json:1:history: US-4: history must be a list, not a mapping",
        ),
        ("e.yaml", '- {id: US-4, history: "x"}\n', "e.yaml:1:history: US-4: history must be a list, not text 'x'"),
        (
            "f.yaml",
            '- {id: US-4, target: "x"}\n',
            "f.yaml:1:target: US-4: target must be a mapping (key: value lines), not text 'x'",
        ),
        ("g.yaml", "- {party: us, title: x, history: [[]]}\n", f"g.yaml:1:history: US-10: {MAPPING}, not a list"),
    ],
)
def test_a_history_of_the_wrong_shape_is_a_located_problem(
    run, workspace: Path, data_file: Path, name: str, text: str, problem: str
) -> None:
    write(workspace / name, text)
    before = data_file.read_bytes()
    assert refused(run("import", name, "--dry-run"), name, data_file) == [problem]
    assert refused(run("import", name), name, data_file) == [problem]
    assert data_file.read_bytes() == before


@pytest.mark.parametrize(
    ("history", "said"),
    [("[1]", "not the number 1"), ("[null]", "not empty"), ('["x"]', "not text 'x'"), ("[[]]", "not a list")],
)
def test_the_library_and_the_editor_paths_say_what_is_wrong_with_a_history(
    data_file: Path, history: str, said: str
) -> None:
    with pytest.raises(BufferProblems) as raised:
        tradedemands.edit_text(data_file, "US-4", f"id: US-4\nparty: us\ntitle: t\nstatus: open\nhistory: {history}\n")
    assert raised.value.problems == [(5, f"history: {MAPPING}, {said}")]
    assert isinstance(raised.value, DemandsError)
    with pytest.raises(BufferProblems) as added:
        tradedemands.add_text(data_file, f"party: us\ntitle: t\nhistory: {history}\n")
    assert added.value.problems == [(3, f"history: {MAPPING}, {said}")]
    with pytest.raises(BufferProblems) as mapping:
        tradedemands.add_text(data_file, "party: us\ntitle: t\nhistory: {a: 1}\n")
    assert mapping.value.problems == [(3, "history: history must be a list, not a mapping")]


def test_a_tag_that_is_a_list_is_named_as_an_entry(data_file: Path) -> None:
    with pytest.raises(BufferProblems) as raised:
        tradedemands.edit_text(data_file, "US-4", _us4(data_file, "tags: [[1]]"))
    assert [message for _line, message in raised.value.problems] == ["tags: tags entry 1 must be text, not a list"]


def _us4(data_file: Path, tags_line: str) -> str:
    from tradedemands.itemtext import render

    text = render(tradedemands.load(data_file).item("US-4"))
    return "\n".join(tags_line if line.startswith("tags:") else line for line in text.splitlines()) + "\n"


# --- 4. many new rows: numbered in one pass; a flood of problems bounded ------------------------


def test_numbering_tracks_the_highest_number_per_prefix() -> None:
    numbers = Numbering(["US-9", "us-12", "CN-3", "US-CN-1", "odd", "US-x"])
    assert [
        numbers.next("US-"),
        numbers.next("US-"),
        numbers.next("CN-"),
        numbers.next("US-CN-"),
        numbers.next("EU-"),
    ] == [
        "US-13",
        "US-14",
        "CN-4",
        "US-CN-2",
        "EU-1",
    ]


def test_rows_without_ids_are_numbered_after_ids_the_sheet_gives(run, workspace: Path) -> None:
    write(workspace / "mixed.csv", "id,party,title\n,us,First\nUS-10,us,Given\n,us,Third\n")
    r = run("import", "mixed.csv")
    assert (r.exit_code, r.stderr) == (
        0,
        "US-11: added\nUS-10: added\nUS-12: added\nmixed.csv: 3 added, 0 changed, 0 unchanged\n",
    )


def test_eight_thousand_rows_without_ids_import_in_seconds(run, workspace: Path) -> None:
    # Numbering was quadratic: 8,000 rows took 13 s (20,000 about 80 s); now about 1 s.
    write(workspace / "noid.csv", "party,title\n" + "".join(f"us,Tariff line {n}\n" for n in range(8000)))
    started = time.perf_counter()
    r = run("import", "noid.csv", "--dry-run")
    took = time.perf_counter() - started
    assert r.exit_code == 0
    assert r.stderr.splitlines()[-1] == "dry run: noid.csv: 8000 added, 0 changed, 0 unchanged"
    assert r.stderr.startswith("dry run: US-10: added\ndry run: US-11: added\n")
    assert took < 8, took


def test_a_flood_of_problems_lists_the_first_hundred_and_counts_them_all(run, workspace: Path, data_file: Path) -> None:
    write(workspace / "dup.csv", "id,title\n" + "US-1,x\n" * 1500)
    r = run("import", "dup.csv")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 101
    assert lines[0] == "dup.csv:3:id: US-1 is also in row 2: give each item once"
    assert lines[-1] == (
        f"demands: import refused: 1,499 problems in dup.csv (the first 100 listed); nothing was imported, "
        f"{data_file} is unchanged"
    )


# --- 5. agreements: one rule for add, import and $EDITOR ---------------------------------------


def test_import_numbers_and_completes_agreements_as_add_does(run, workspace: Path) -> None:
    write(
        workspace / "new.csv", "party,kind,title\nus;cn,agreement,Meet again\nus;cn,,Joint review\nprc;usa,,Aliases\n"
    )
    r = run("import", "new.csv")
    assert (r.exit_code, r.stderr) == (
        0,
        "US-CN-2: added\nUS-CN-3: added\nUS-CN-4: added\nnew.csv: 3 added, 0 changed, 0 unchanged\n",
    )
    doc = tradedemands.load()
    for item_id in ("US-CN-2", "US-CN-3", "US-CN-4"):
        item = doc.item(item_id)
        assert (item["party"], item["kind"], item["status"], item["history"]) == (
            ["us", "cn"],
            "agreement",
            "agreed",
            [{"date": TODAY, "status": "agreed"}],
        )


@pytest.mark.parametrize(
    ("name", "text", "item_id", "column", "said"),
    [
        ("both.csv", "id,party,kind\nUS-4,us;cn,agreement\n", "US-4", "party", "raised by us alone"),
        ("kind.csv", "id,kind\nUS-4,agreement\n", "US-4", "kind", "raised by us alone"),
        ("party.yaml", "- {id: US-4, party: [us, cn]}\n", "US-4", "party", "raised by us alone"),
        ("back.csv", "id,party\nUS-CN-1,us\n", "US-CN-1", "party", "shared by us, cn"),
    ],
)
def test_import_never_turns_one_partys_item_into_an_agreement(
    run, workspace: Path, data_file: Path, name: str, text: str, item_id: str, column: str, said: str
) -> None:
    write(workspace / name, text)
    rest = (
        "an agreement is a position two or more parties share (add it anew, naming each party)"
        if said.startswith("raised")
        else "it cannot become one party's (add that party's position anew)"
    )
    row = 2 if name.endswith(".csv") else 1
    assert refused(run("import", name), name, data_file) == [f"{name}:{row}:{column}: {item_id}: {said}: {rest}"]


def test_the_editor_keeps_the_agreement_rules(data_file: Path) -> None:
    text = _us4(data_file, "tags: [cyber, verification]").replace("party: us\n", "party: [us, cn]\n")
    with pytest.raises(BufferProblems) as raised:
        tradedemands.edit_text(data_file, "US-4", text.replace("kind: demand", "kind: agreement"))
    assert raised.value.problems == [
        (2, "raised by us alone: an agreement is a position two or more parties share (add it anew, naming each party)")
    ]
    assert tradedemands.add_text(data_file, "party: [usa, prc]\nkind: agreement\ntitle: Meet again\n") == "US-CN-2"
    assert tradedemands.add_text(data_file, "party: [cn, us]\ntitle: Meet once more\n") == "US-CN-3"
    item = tradedemands.load(data_file).item("US-CN-3")
    assert (item["party"], item["kind"], item["status"]) == (["us", "cn"], "agreement", "agreed")


# --- 8. CRLF inside cells of a CRLF file ---------------------------------------------------------


def test_a_crlf_export_reimported_changes_nothing(run, workspace: Path) -> None:
    target = write(
        workspace / "t.yaml",
        "version: 1\nparties: {us: {name: US}}\ndemands:\n  - id: US-1\n    party: us\n    title: Cut tariffs\n"
        "    text: |\n      First paragraph.\n      Second line.\n    status: open\n",
    )
    assert run("export", "-f", str(target), "-o", "csv", "--output", "items.csv").exit_code == 0
    lf = (workspace / "items.csv").read_bytes()
    assert b"\r" not in lf
    (workspace / "crlf.csv").write_bytes(lf.replace(b"\n", b"\r\n"))
    before = target.read_bytes()
    r = run("import", "-f", str(target), "crlf.csv")
    assert (r.exit_code, r.stderr) == (0, "crlf.csv: 0 added, 0 changed, 1 unchanged\n")
    assert target.read_bytes() == before


# --- 12. the smaller faults ------------------------------------------------------------------------


def test_the_editor_refuses_a_change_of_the_ids_case(data_file: Path) -> None:
    from tradedemands.itemtext import render

    text = render(tradedemands.load(data_file).item("CN-5")).replace("id: CN-5", "id: cn-5")
    with pytest.raises(BufferProblems) as raised:
        tradedemands.edit_text(data_file, "CN-5", text)
    assert raised.value.problems == [(1, "the id stays CN-5: links and history name it")]


def test_an_editor_killed_by_a_signal_says_so(run) -> None:
    command = f"{shlex.quote(sys.executable)} -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'"
    r = run("edit", "US-4", env={"EDITOR": command, "VISUAL": ""})
    assert (r.exit_code, r.stderr) == (
        1,
        f"demands: the editor ({sys.executable}) was killed by signal 15 (SIGTERM); nothing was changed\n",
    )


def test_new_fields_go_where_add_writes_them(run, workspace: Path, data_file: Path) -> None:
    before = data_file.read_text(encoding="utf-8")
    assert run("edit", "US-4", "--priority", "high", "--due", "2018-06-30").exit_code == 0
    after = data_file.read_text(encoding="utf-8")
    assert after == before.replace(
        "    tags: [cyber, verification]\n    status: open\n",
        "    tags: [cyber, verification]\n    priority: high\n    status: open\n    due: 2018-06-30\n",
        1,
    )
    assert run("undo").exit_code == 0
    assert run("edit", "US-CN-1", "--of", "cn").exit_code == 0
    assert data_file.read_text(encoding="utf-8") == before.replace(
        "  - id: US-CN-1\n    party: [us, cn]\n", "  - id: US-CN-1\n    party: [us, cn]\n    of: cn\n", 1
    )
    assert run("undo").exit_code == 0
    write(workspace / "p.csv", "id,priority\nUS-4,low\n")
    assert run("import", "p.csv").exit_code == 0
    assert data_file.read_text(encoding="utf-8") == before.replace(
        "    tags: [cyber, verification]\n    status: open\n",
        "    tags: [cyber, verification]\n    priority: low\n    status: open\n",
        1,
    )


def test_new_keys_of_a_flow_item_go_in_their_place(run, workspace: Path) -> None:
    target = write(
        workspace / "flow.yaml",
        "version: 1\nparties: {us: {name: US}}\ndemands:\n"
        "  - {id: US-1, party: us, title: t, tags: [a], status: open, history: [{date: 2018-05-03, status: open}]}\n",
    )
    assert run("edit", "US-1", "--priority", "low", "-f", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").endswith(
        "  - {id: US-1, party: us, title: t, tags: [a], priority: low, status: open, history: [{date: 2018-05-03, status: open}]}\n"
    )


def test_spreadsheet_habits_are_read(run, workspace: Path, data_file: Path) -> None:
    write(workspace / "trail.csv", "id,status,\nUS-4,agreed,\n")
    r = run("import", "trail.csv")
    assert (r.exit_code, r.stderr) == (0, "US-4: changed status, history\ntrail.csv: 0 added, 1 changed, 0 unchanged\n")
    write(workspace / "cap.csv", "id,status,kind,priority\nUS-5,Agreed, Concession ,HIGH\n")
    r = run("import", "cap.csv")
    assert (r.exit_code, r.stderr) == (
        0,
        "US-5: changed kind, priority, status, history\ncap.csv: 0 added, 1 changed, 0 unchanged\n",
    )
    item = tradedemands.load(data_file).item("US-5")
    assert (item["status"], item["kind"], item["priority"], item["history"][-1]) == (
        "agreed",
        "concession",
        "high",
        {"date": TODAY, "status": "agreed"},
    )
    write(workspace / "mid.csv", "id,,title\nUS-4,x,T\n")
    assert refused(run("import", "mid.csv"), "mid.csv", data_file) == [
        "mid.csv:1:column 2: a column with no name holds values: name it (id, title, ...) or delete it"
    ]


def test_every_history_source_problem_is_located(run, workspace: Path, data_file: Path) -> None:
    entry6 = {"date": "2018-05-05", "note": "x", "source": {"doc": DOC, "quote": "not in there"}}
    entry7 = {"date": "2018-05-05", "note": "y", "source": {"doc": "/etc/passwd", "quote": "root"}}
    save_rows(workspace / "q.csv", ["id", "history"], [["US-6", json.dumps([entry6])], ["US-7", json.dumps([entry7])]])
    lines = refused(run("import", "q.csv"), "q.csv", data_file)
    assert lines == [
        f"q.csv:2:history: US-6: history 2018-05-05 source.quote: quote not found in {DOC}",
        "q.csv:3:history: "
        + clip(
            f"US-7: history 2018-05-05 source.doc: document '/etc/passwd' is an absolute path; name a file inside "
            f"the project ({workspace}), relative to the data file"
        ),
    ]


def test_a_huge_header_cell_is_echoed_briefly(run, workspace: Path, data_file: Path) -> None:
    write(workspace / "wide.csv", "id," + "x" * 100000 + "\n")
    [line] = refused(run("import", "wide.csv"), "wide.csv", data_file)
    assert line == (
        f"wide.csv:1:column 2: unknown column '{'x' * 60}'… (99,940 more characters); the columns are those "
        "'demands export -o csv' writes"
    )
    assert len(line) < 200


@pytest.mark.parametrize("via", ["import", "editor"])
def test_literal_and_folded_blocks_stay_blocks(run, workspace: Path, via: str) -> None:
    target = write(
        workspace / "f.yaml",
        "version: 1\nparties: {us: {name: US}}\ndemands:\n"
        "  - id: US-1\n    party: us\n    title: t\n    text: |\n      line one\n      line two\n    status: open\n"
        "  - id: US-2\n    party: us\n    title: t\n    text: >-\n"
        "      A long folded paragraph that goes on and on about tariffs and steel and aluminium and\n"
        "      more.\n    status: open\n",
    )
    before = target.read_text(encoding="utf-8")
    new_one, new_two = (
        "line one\nline 2\n",
        "A long folded paragraph that goes on and on about tariffs and steel and aluminium and much more.",
    )
    if via == "import":
        save_rows(workspace / "f.csv", ["id", "text"], [["US-1", new_one], ["US-2", new_two]])
        assert run("import", "-f", str(target), "f.csv").exit_code == 0
    else:
        from tradedemands.itemtext import render

        for item_id, new in (("US-1", new_one), ("US-2", new_two)):
            item = dict(tradedemands.load(target).item(item_id))
            item["text"] = new
            tradedemands.edit_text(target, item_id, render(item))
    assert target.read_text(encoding="utf-8") == before.replace("      line two\n", "      line 2\n").replace(
        "      A long folded paragraph that goes on and on about tariffs and steel and aluminium and\n      more.\n",
        "      A long folded paragraph that goes on and on about tariffs and steel and\n      aluminium and much more.\n",
    )
    items = tradedemands.load(target).items
    assert [i["text"] for i in items] == [new_one, new_two]


def test_a_comment_after_an_empty_list_stays_on_its_line(run, workspace: Path) -> None:
    target = write(workspace / "c.yaml", "version: 1\nparties: {us: {name: US}}\ndemands: []   # none yet\n# end\n")
    write(workspace / "two.csv", "party,title\nus,A\nus,B\n")
    assert run("import", "two.csv", "-f", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == (
        "version: 1\nparties: {us: {name: US}}\ndemands:   # none yet\n"
        f"  - id: US-1\n    party: us\n    title: A\n    status: open\n    history:\n      - {{date: {TODAY}, status: open}}\n"
        f"  - id: US-2\n    party: us\n    title: B\n    status: open\n    history:\n      - {{date: {TODAY}, status: open}}\n"
        "# end\n"
    )
