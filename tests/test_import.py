"""demands import: spreadsheets (and JSON, YAML) in, merged by id, exactly the edited lines changed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

import tradedemands
from conftest import demands_cmd
from tradedemands import flat, formats

TODAY = date.today().isoformat()


def read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]], **kwargs: str) -> None:
    with path.open("w", encoding=kwargs.pop("encoding", "utf-8"), newline="") as out:
        csv.writer(out, lineterminator=kwargs.pop("lineterminator", "\n"), **kwargs).writerows([header, *rows])


def cell(header: list[str], rows: list[list[str]], item: str, column: str) -> list[str]:
    """The row of ``item``, to change a cell of ``column`` in place (returned for chaining)."""
    return next(row for row in rows if row[header.index("id")] == item)


def changed_lines(before: bytes, after: bytes) -> list[tuple[int, str, str]]:
    """Lines that differ, by number, when the line count is the same."""
    old, new = before.decode().splitlines(), after.decode().splitlines()
    assert len(old) == len(new), "lines were added or removed"
    return [(n + 1, a, b) for n, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the spreadsheet round trip, through the installed command ----------------------------------


def test_a_spreadsheet_edit_changes_exactly_that_cells_line(workspace: Path, data_file: Path) -> None:
    exported = demands_cmd("export", "-o", "csv", "--output", "items.csv", cwd=workspace)
    assert exported.returncode == 0, exported.stderr
    header, rows = read_csv((workspace / "items.csv").read_text(encoding="utf-8"))
    row = cell(header, rows, "US-3", "title")
    row[header.index("title")] = "Accept US import limits on Made in China 2025 industries"
    # A spreadsheet saves with CRLF line ends and a byte-order mark.
    (workspace / "items.csv").write_bytes(b"\xef\xbb\xbf")
    with (workspace / "items.csv").open("a", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    before = data_file.read_bytes()
    r = demands_cmd("import", "items.csv", cwd=workspace)
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    assert r.stderr == "US-3: changed title\nitems.csv: 0 added, 1 changed, 16 unchanged\n"
    line = (
        before.decode().splitlines().index("    title: Accept US import restrictions on Made in China 2025 industries")
    )
    assert changed_lines(before, data_file.read_bytes()) == [
        (
            line + 1,
            "    title: Accept US import restrictions on Made in China 2025 industries",
            "    title: Accept US import limits on Made in China 2025 industries",
        )
    ]


def test_reimporting_an_unchanged_export_changes_nothing(run, workspace: Path, data_file: Path) -> None:
    for fmt in ("csv", "json", "yaml"):
        assert run("export", "-o", fmt, "--output", f"all.{fmt}").exit_code == 0
    before = data_file.read_bytes()
    for fmt in ("csv", "json", "yaml"):
        r = demands_cmd("import", f"all.{fmt}", cwd=workspace)
        assert (r.returncode, r.stderr) == (0, f"all.{fmt}: 0 added, 0 changed, 17 unchanged\n"), r.stderr
    assert data_file.read_bytes() == before
    assert demands_cmd("undo", cwd=workspace).stderr.startswith("demands: nothing to undo")


def test_new_items_are_added_numbered_as_add_numbers_them(workspace: Path, data_file: Path) -> None:
    header = ["id", "party", "of", "title", "topic", "tags", "status"]
    write_csv(
        workspace / "new.csv",
        header,
        [
            ["", "cn", "us", "Lift the ZTE export ban", "export-controls", "zte;sanctions", ""],
            ["", "China", "us", "Ease visa rules for students", "", "", "discussing"],
            ["EU-1", "us", "", "Coordinate with allies", "", "", ""],
        ],
    )
    before = data_file.read_text(encoding="utf-8")
    r = demands_cmd("import", "new.csv", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "CN-8: added\nCN-9: added\nEU-1: added\nnew.csv: 3 added, 0 changed, 0 unchanged\n"
    after = data_file.read_text(encoding="utf-8")
    assert after.startswith(before)  # appended: nothing above them changed
    assert after[len(before) :] == (
        "  - id: CN-8\n    party: cn\n    of: us\n    title: Lift the ZTE export ban\n    topic: export-controls\n"
        f"    tags: [zte, sanctions]\n    status: open\n    history:\n      - {{date: {TODAY}, status: open}}\n"
        "  - id: CN-9\n    party: cn\n    of: us\n    title: Ease visa rules for students\n    status: discussing\n"
        f"    history:\n      - {{date: {TODAY}, status: discussing}}\n"
        "  - id: EU-1\n    party: us\n    title: Coordinate with allies\n    status: open\n"
        f"    history:\n      - {{date: {TODAY}, status: open}}\n"
    )
    assert demands_cmd("validate", cwd=workspace).returncode == 0


def test_an_import_with_errors_leaves_the_file_byte_identical(workspace: Path, data_file: Path) -> None:
    header = ["id", "party", "title", "status", "due", "target.amount", "links", "colour"]
    write_csv(
        workspace / "bad.csv",
        header,
        [
            ["US-4", "us", "Halt cyberespionage", "agred", "", "", "", "red"],
            ["US-2", "us", "Halt subsidies", "open", "5/4/2018", "lots", "", ""],
            ["", "us", "Dangling", "", "", "", '[{"rel": "related", "id": "US-99"}]', ""],
            ["", "", "No party", "", "", "", "", ""],
            ["US-3", "us", "x", "open", "", "", "[{oops", ""],
        ],
    )
    before, names = digest(data_file), sorted(p.name for p in data_file.parent.iterdir())
    r = demands_cmd("import", "bad.csv", cwd=workspace)
    assert (r.returncode, r.stdout) == (1, ""), r.stderr
    assert r.stderr.splitlines() == [
        "bad.csv:1:colour: unknown column 'colour'; the columns are those 'demands export -o csv' writes",
        "bad.csv:2:status: US-4: unknown status 'agred' (did you mean 'agreed'?); use one of: open, discussing, "
        "contested, agreed, partial, met, rejected, withdrawn",
        "bad.csv:3:target.amount: the amount must be a plain number like 200000000000, not 'lots'",
        "bad.csv:3:due: US-2: bad date '5/4/2018': use YYYY-MM-DD (a spreadsheet may have reformatted it: format "
        "date columns as text)",
        "bad.csv:4:links: US-10: link to unknown id 'US-99'",
        "bad.csv:5:party: a new item needs its party (and a title)",
        "bad.csv:6:links: not valid JSON (Expecting property name enclosed in double quotes at character 3)",
        f"demands: import refused: 7 problems in bad.csv; nothing was imported, {data_file} is unchanged",
    ]
    assert digest(data_file) == before
    assert sorted(p.name for p in data_file.parent.iterdir()) == names
    assert demands_cmd("undo", cwd=workspace).stderr.startswith("demands: nothing to undo")


# --- what a spreadsheet does to a CSV ------------------------------------------------------------


def test_excel_semicolons_bom_crlf_and_the_formula_prefix(run, workspace: Path, data_file: Path) -> None:
    """Excel in many locales saves ';'-separated CSV with a BOM and CRLF; the '=' prefix comes back off."""
    assert run("edit", "US-9", "--title", "=1+1 is not a formula").exit_code == 0
    exported = run("export", "-o", "csv").stdout
    header, rows = read_csv(exported)
    assert cell(header, rows, "US-9", "title")[header.index("title")] == "'=1+1 is not a formula"
    cell(header, rows, "US-9", "priority")[header.index("priority")] = "low"
    path = workspace / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    with path.open("a", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    before = data_file.read_text(encoding="utf-8")
    r = run("import", "excel.csv")
    assert r.exit_code == 0, r.output
    assert r.stderr.endswith("US-9: changed priority\nexcel.csv: 0 added, 1 changed, 16 unchanged\n"), r.output
    after = data_file.read_text(encoding="utf-8")
    assert "title: =1+1 is not a formula" in after
    assert after.replace("    priority: low\n", "", 1) == before  # one line added, nothing else


def test_numbers_as_a_spreadsheet_writes_them_are_the_same_number(run, workspace: Path, data_file: Path) -> None:
    header, rows = read_csv(run("export", "-o", "csv").stdout)
    cell(header, rows, "US-1", "target.amount")[header.index("target.amount")] = "2E+11"
    write_csv(workspace / "n.csv", header, rows)
    before = data_file.read_bytes()
    r = run("import", "n.csv")
    assert r.stderr == "n.csv: 0 added, 0 changed, 17 unchanged\n", r.output
    assert data_file.read_bytes() == before


def test_a_partial_sheet_changes_only_its_columns(run, workspace: Path, data_file: Path) -> None:
    write_csv(workspace / "s.csv", ["id", "status"], [["US-7", "discussing"], ["US-8", "open"]])
    r = run("import", "s.csv")
    assert r.stderr == "US-7: changed status, history\ns.csv: 0 added, 1 changed, 1 unchanged\n", r.output
    item = tradedemands.load(data_file).item("US-7")
    assert item["status"] == "discussing" and item["history"][-1] == {"date": TODAY, "status": "discussing"}
    assert item["title"] == "Cut tariffs to the US level"


def test_an_empty_cell_removes_an_optional_field(run, workspace: Path, data_file: Path) -> None:
    write_csv(workspace / "s.csv", ["id", "priority", "tags"], [["US-1", "", "surplus"]])
    before = data_file.read_text(encoding="utf-8")
    assert run("import", "s.csv").exit_code == 0
    assert data_file.read_text(encoding="utf-8") == before.replace("    priority: high\n", "", 1)


def test_history_only_grows_and_new_entries_go_in_their_place_by_date(run, workspace: Path, data_file: Path) -> None:
    header, rows = read_csv(run("export", "-o", "csv").stdout)
    row = cell(header, rows, "US-1", "history")
    history = json.loads(row[header.index("history")])
    history.append({"date": "2018-05-03", "note": "Raised on the first day too"})  # dated before the last
    row[header.index("history")] = json.dumps(history)
    write_csv(workspace / "h.csv", header, rows)
    before = data_file.read_text(encoding="utf-8")
    r = run("import", "h.csv")
    assert r.exit_code == 0, r.output
    entry = "      - {date: 2018-05-03, note: Raised on the first day too}\n"
    first = "      - {date: 2018-05-03, status: open, round: beijing-2018-05, note: Tabled in Beijing}\n"
    assert data_file.read_text(encoding="utf-8") == before.replace(first, first + entry, 1)
    # Changing or dropping an entry of the file is refused.
    history[0]["note"] = "Rewritten"
    row[header.index("history")] = json.dumps(history)
    write_csv(workspace / "h.csv", header, rows)
    kept = data_file.read_bytes()
    r = run("import", "h.csv")
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith(
        "h.csv:2:history: US-1: history can only grow: entry 1 (2018-05-03) of the file is missing here while "
        "others are new; change entries in the file itself, or export again if it gained some\n"
    ), r.output
    assert data_file.read_bytes() == kept


def test_an_older_export_keeps_what_was_written_since(run, workspace: Path, data_file: Path) -> None:
    """Export, someone marks US-7, then the old sheet comes back with one title edited: the mark stays."""
    header, rows = read_csv(run("export", "-o", "csv").stdout)
    assert run("mark", "US-7", "discussing", "--date", "2018-05-17").exit_code == 0
    cell(header, rows, "US-9", "title")[header.index("title")] = "Meet every quarter"
    write_csv(workspace / "old.csv", header, rows)
    before = data_file.read_text(encoding="utf-8")
    r = run("import", "old.csv")
    assert r.stderr == "US-9: changed title\nold.csv: 0 added, 1 changed, 16 unchanged\n", r.output
    assert data_file.read_text(encoding="utf-8") == before.replace(
        "    title: Meet every quarter to review progress\n", "    title: Meet every quarter\n", 1
    )


def test_json_and_yaml_as_export_and_list_write_them(run, workspace: Path, data_file: Path) -> None:
    items = json.loads(run("list", "-p", "cn", "-o", "json").stdout)
    items[0]["priority"] = "low"
    items.append({"party": "us", "title": "Buy more soybeans", "status": "discussing"})
    (workspace / "cn.json").write_text(json.dumps(items), encoding="utf-8")
    r = run("import", "cn.json")
    assert r.stderr == "US-10: added\nCN-1: changed priority\ncn.json: 1 added, 1 changed, 7 unchanged\n", r.output
    whole = yaml.safe_load(run("export", "-o", "yaml").stdout)
    whole["title"] = "Another title"
    whole["demands"][0]["topic"] = "surplus"
    (workspace / "all.yml").write_text(yaml.safe_dump(whole, sort_keys=False), encoding="utf-8")
    r = run("import", "all.yml")
    assert r.exit_code == 0, r.output
    assert r.stderr == (
        "US-1: changed topic\nall.yml: 0 added, 1 changed, 17 unchanged\n"
        "demands: warning: all.yml: title not imported (import merges items only): change them in the file\n"
    )
    shown = json.loads(run("show", "US-1", "-o", "json").stdout)[0]
    (workspace / "shown.json").write_text(json.dumps([shown]), encoding="utf-8")  # show's backlinks are ignored
    assert run("import", "shown.json").stderr == "shown.json: 0 added, 0 changed, 1 unchanged\n"


def test_the_format_comes_from_the_name_or_format(run, workspace: Path) -> None:
    (workspace / "items.txt").write_text("[]", encoding="utf-8")
    r = run("import", "items.txt")
    assert (r.exit_code, r.stderr) == (
        2,
        "demands: cannot tell the format of 'items.txt' from its name: name it .csv, .json or .yaml, or give --format\n",
    )
    assert run("import", "items.txt", "--format", "json").stderr == "items.txt: 0 added, 0 changed, 0 unchanged\n"
    assert run("import", "-", "-o", "json", input="[]").exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,title\n\xff\xfe,x\n", "demands: x.csv:2: not UTF-8 (byte 0xff); save it as UTF-8 (a spreadsheet's 'CSV UTF-8'); nothing was imported"),
        (b"id,title\nUS-1\n", "x.csv:2: 1 cells where the header has 2: each row has one per column"),
        (b"id,title,title\n", "x.csv:1:title: column 'title' is given twice"),
        (b"", "x.csv:1: no header row: the first row names the columns (id, party, title, ...)"),
    ],
)  # fmt: skip
def test_files_that_are_not_what_export_writes(
    run, workspace: Path, data_file: Path, content: bytes, message: str
) -> None:
    (workspace / "x.csv").write_bytes(content)
    before = data_file.read_bytes()
    r = run("import", "x.csv")
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines()[0] == message, r.output
    assert data_file.read_bytes() == before


def test_what_cannot_be_read_is_refused_at_once(run, workspace: Path) -> None:
    import os

    os.mkfifo(workspace / "fifo.csv")
    assert run("import", "fifo.csv").stderr == "demands: fifo.csv: is a FIFO (named pipe), not a file to import\n"
    assert run("import", "none.csv").stderr == "demands: none.csv: no such file\n"
    (workspace / "big.csv").write_text("id\n" + "US-1\n" * 100, encoding="utf-8")
    r = run("import", "big.csv", env={"DEMANDS_MAX_BYTES": "100"})
    assert r.stderr.startswith("demands: big.csv: larger than the limit of 100 bytes"), r.output


def test_dry_run_shows_the_change_and_writes_nothing(run, workspace: Path, data_file: Path) -> None:
    write_csv(workspace / "s.csv", ["id", "topic"], [["US-9", "review"]])
    before = data_file.read_bytes()
    r = run("import", "s.csv", "--dry-run")
    assert r.exit_code == 0, r.output
    assert r.stderr == "dry run: US-9: changed topic\ndry run: s.csv: 0 added, 1 changed, 0 unchanged\n"
    assert "-    topic: review-mechanism\n+    topic: review\n" in r.stdout
    assert data_file.read_bytes() == before


# --- the CSV shape, exactly -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "",
        "a\nb",
        "tab\there",
        "esc \x1b[31m",
        '"quoted"',
        '"',
        "=1+1",
        "'=x",
        "\u202eevil",
        "2025",
    ],
)
def test_text_cells_read_back_exactly(value: str) -> None:
    written = formats.neutralise_formula(flat.cell(value))
    assert not flat._CONTROL.search(written.replace("\t", "")) or written.startswith('"')
    assert flat.read_cell(formats.restore_formula(written), str) == (value or None)


@pytest.mark.parametrize(
    "tags", [["a", "b"], ["a;b", "c"], [" a"], ["[x]"], [""], [], ["x\ty"], ['"a"']]
)  # fmt: skip
def test_lists_of_text_read_back_exactly(tags: list[str]) -> None:
    assert flat.read_cell(flat.cell(tags), list[str]) == tags


def test_columns_follow_the_model() -> None:
    names = [name for name, _tp in flat.leaves()]
    assert names[:4] == ["id", "party", "of", "kind"]
    assert {"source.url", "source.doc", "target.amount", "target.by", "target.progress", "links", "history"} <= set(
        names
    )
    assert flat.read_cell("us;cn", str | list[str]) == ["us", "cn"]  # a party list, as issue 14 makes one
    assert flat.read_cell("us", str | list[str]) == "us"
