"""Text from the file is data: markup, escapes, controls, CJK, right-to-left and long words are shown
literally in every output, and nothing from the file can drive the terminal or break a table."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

WORD = "W" * 500

# Double-quoted YAML escapes: \e is ESC, \0 NUL, \a BEL, \b backspace, \x9b the C1 CSI.
HOSTILE = r"""version: 1
title: "Hostile [draft] \x1b[31m talks"
parties:
  us: {name: "United [bold]States[/bold]", aliases: ["[usa]"]}
  cn: {name: "China \x1b]0;pwned\x07", lead: "李 [/]"}
rounds:
  - {id: r1, date: 2018-05-03, place: "a | b", outcome: "\x9b31m outcome"}
demands:
  - id: US-1
    party: us
    of: cn
    title: "Improve widget [draft]"
    text: "ESC \x1b[31mred\x1b[0m NUL \0 BEL \a BS \b C1 \x9b31m end"
    topic: "t|o|p"
    tags: ["[x]", "a|b"]
    status: open
    source: {doc: "https://example.com/[x]", quote: "quote [/] with \x1b[2J clear"}
    links: [{rel: related, id: CN-1}]
    history:
      - {date: 2018-05-03, status: open, note: "[bold]x[/bold] and | pipe \x1b[31m red"}
  - id: CN-1
    party: cn
    title: "[/]"
    text: "中文文本 עברית مرحبا \u202eevil\u202c"
    status: rejected
    history:
      - {date: 2018-05-03, status: rejected, note: "WORD"}
  - id: US-2
    party: us
    title: "back\\|slash `tick` *star* _under_ <b>bold</b> &amp; line one\nline two # hash"
    status: open
  - id: US-3
    party: us
    title: "WORD"
    status: open
""".replace("WORD", WORD)

COMMANDS = [
    ["list"],
    ["list", "-o", "json"],
    ["list", "-o", "yaml"],
    ["list", "-o", "csv"],
    ["list", "-o", "markdown"],
    ["list", "-o", "ids"],
    ["show", "US-1", "CN-1", "US-2", "US-3"],
    ["show", "US-1", "CN-1", "US-2", "US-3", "-o", "json"],
    ["show", "US-1", "CN-1", "US-2", "US-3", "-o", "yaml"],
    ["show", "US-1", "CN-1", "US-2", "US-3", "-o", "csv"],
    ["show", "US-1", "CN-1", "US-2", "US-3", "-o", "markdown"],
    ["summary"],
    ["summary", "-o", "json"],
    ["summary", "-o", "yaml"],
    ["summary", "-o", "csv"],
    ["summary", "-o", "markdown"],
    ["export"],
    ["export", "-o", "yaml"],
    ["export", "-o", "csv"],
    ["export", "-o", "markdown"],
    ["validate"],
    ["validate", "-o", "json"],
]
#: What no output may hold raw: C0 controls but newline, DEL, C1 controls, bidi overrides and isolates.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = workspace / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    monkeypatch.setenv("DEMANDS_FILE", str(path))
    return path


def ok(r: Any) -> str:
    assert r.exit_code == 0, r.output
    return str(r.stdout)


def test_the_hostile_file_is_valid(run, hostile):
    r = run("validate")
    assert r.exit_code == 0, r.output
    assert r.stderr == f"{hostile}: valid (4 items)\n"


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_no_control_character_reaches_any_output(run, hostile, args):
    r = run(*args)
    assert r.exit_code == 0, r.output
    for stream in (r.stdout, r.stderr):
        assert "\x1b" not in stream, r.output
        assert "\x9b" not in stream, r.output
        found = UNSAFE.search(stream)
        assert found is None, f"raw {found.group()!r} in: {r.output}"


@pytest.mark.parametrize("args", [["list"], ["show", "US-1"], ["summary"]], ids=lambda a: " ".join(a))
def test_no_control_character_even_with_forced_colour(run, hostile, args):
    # Rich's own styles may use ESC here; what must never appear is the file's: its CSI and OSC sequences.
    r = run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert r.exit_code == 0, r.output
    assert "\x1b]0;pwned" not in r.stdout
    assert "\x1b[2J" not in r.stdout
    assert "\x9b" not in r.stdout
    assert "\x07" not in r.stdout


# --- shown literally --------------------------------------------------------------------------


def test_list_table_shows_markup_literally(run, hostile):
    out = ok(run("list"))
    assert "Improve widget [draft]" in out
    assert re.search(r"│ \[/\]\s", out), out
    assert "t|o|p" in out
    assert "line one" in out


def test_show_shows_everything_literally(run, hostile):
    out = ok(run("show", "US-1", "CN-1"))
    assert "US-1  Improve widget [draft]" in out
    assert "United [bold]States[/bold]" in out
    assert "China ␛]0;pwned␇" in out
    assert "ESC ␛[31mred␛[0m NUL ␀ BEL ␇ BS ␈ C1 <U+009B>31m end" in out
    assert "“quote [/] with ␛[2J clear”" in out
    assert "https://example.com/[x]" in out
    assert "[x], a|b" in out
    assert "[bold]x[/bold] and | pipe ␛[31m red" in out
    assert "CN-1  [/]" in out
    assert "中文文本 עברית مرحبا <U+202E>evil<U+202C>" in out
    assert out.count("W") == 500


def test_a_very_long_word_is_folded_not_cut(run, hostile):
    for args in (["list"], ["show", "US-3"], ["show", "CN-1"]):
        out = ok(run(*args))
        assert out.count("W") == 500, out
        assert max(len(line) for line in out.splitlines()) <= 120


def test_summary_shows_party_names_literally(run, hostile):
    out = ok(run("summary"))
    assert "us United [bold]States[/bold]" in out
    assert "cn China ␛]0;pwned␇" in out


def test_show_with_a_narrow_terminal(run, hostile):
    r = run("show", "US-1", "CN-1", env={"COLUMNS": "30"})
    out = ok(r)
    assert max(len(line) for line in out.splitlines()) <= 30
    assert out.count("W") == 500


# --- machine formats keep the exact value ---------------------------------------------------------


def test_json_escapes_controls_but_keeps_the_value(run, hostile):
    out = ok(run("show", "US-1", "CN-1", "-o", "json"))
    assert "\\u001b[31m" in out
    assert "\\u009b31m" in out
    assert "\\u202eevil\\u202c" in out
    us1, cn1 = json.loads(out)
    assert us1["text"] == "ESC \x1b[31mred\x1b[0m NUL \0 BEL \a BS \b C1 \x9b31m end"
    assert us1["source"]["quote"] == "quote [/] with \x1b[2J clear"
    assert us1["history"][0]["note"] == "[bold]x[/bold] and | pipe \x1b[31m red"
    assert cn1["title"] == "[/]"
    assert cn1["text"] == "中文文本 עברית مرحبا \u202eevil\u202c"
    assert cn1["history"][0]["note"] == WORD
    assert "中文文本 עברית مرحبا" in out  # readable text stays readable


def test_export_json_keeps_every_value(run, hostile):
    data = json.loads(ok(run("export")))
    assert data["title"] == "Hostile [draft] \x1b[31m talks"
    assert data["parties"]["cn"]["name"] == "China \x1b]0;pwned\x07"
    assert data["rounds"][0]["outcome"] == "\x9b31m outcome"
    assert data["demands"][2]["title"] == (
        "back\\|slash `tick` *star* _under_ <b>bold</b> &amp; line one\nline two # hash"
    )


def test_yaml_escapes_controls_but_keeps_the_value(run, hostile):
    for args in (["list", "-o", "yaml"], ["export", "-o", "yaml"], ["show", "US-1", "CN-1", "-o", "yaml"]):
        out = ok(run(*args))
        json_args = [a if a != "yaml" else "json" for a in args]
        if args[0] == "export":
            json_args = ["export"]
        assert yaml.safe_load(out) == json.loads(ok(run(*json_args))), args


def test_csv_keeps_its_shape(run, hostile):
    for args in (["list", "-o", "csv"], ["export", "-o", "csv"], ["show", "US-1", "US-2", "-o", "csv"]):
        rows = list(csv.reader(io.StringIO(ok(run(*args)))))
        assert len({len(row) for row in rows}) == 1, rows
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(ok(run("list", "-o", "csv"))))}
    assert rows["US-1"]["title"] == "Improve widget [draft]"
    assert rows["US-1"]["topic"] == "t|o|p"
    # Cells carry text exactly, for import: a tag that begins with '[' makes the list a JSON array,
    # and text with control characters is a JSON string with them escaped (nothing raw reaches a terminal).
    assert rows["US-1"]["tags"] == '["[x]", "a|b"]'
    assert rows["US-1"]["text"] == '"ESC \\u001b[31mred\\u001b[0m NUL \\u0000 BEL \\u0007 BS \\b C1 \\u009b31m end"'
    assert json.loads(rows["US-1"]["text"]) == "ESC \x1b[31mred\x1b[0m NUL \0 BEL \a BS \b C1 \x9b31m end"
    assert rows["CN-1"]["title"] == "[/]"
    assert rows["US-3"]["title"] == WORD


# --- Markdown: one escaping, tables that hold ------------------------------------------------------


def md_tables(text: str) -> list[list[list[str]]]:
    """Every table in ``text`` as rows of cell texts, as a CommonMark + GFM-tables reader sees them.

    Formatting the text asked for (emphasis, links, HTML) shows as ``<token type>`` in the cell text.
    """
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert not [t for t in tokens if t.type == "html_block"], text
    tables: list[list[list[str]]] = []
    row: list[str] = []
    inside = False
    for token in tokens:
        if token.type in ("table_open", "table_close"):
            inside = token.type == "table_open"
            if inside:
                tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            tables[-1].append(row)
        elif token.type == "inline" and inside:
            cell = ""
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    cell += child.content
                elif child.type in ("softbreak", "hardbreak"):
                    cell += "\n"
                else:
                    cell += f"<{child.type}>"
            row.append(cell)
    return tables


@pytest.mark.parametrize(
    "args",
    [["list", "-o", "markdown"], ["show", "US-1", "CN-1", "US-2", "US-3", "-o", "markdown"], ["summary", "-o", "markdown"], ["export", "-o", "markdown"]],
    ids=lambda a: " ".join(a),
)  # fmt: skip
def test_markdown_tables_keep_a_constant_column_count(run, hostile, args):
    out = ok(run(*args))
    tables = md_tables(out)
    assert tables, out
    for table in tables:
        widths = {len(row) for row in table}
        assert len(widths) == 1, table
    # and the lines themselves: every row of a table has as many unescaped pipes as its header
    for block in re.split(r"\n(?!\|)", out):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        counts = {len(re.findall(r"(?<!\\)(?:\\\\)*\|", line)) for line in lines}
        assert len(counts) <= 1, lines


def test_markdown_shows_text_literally(run, hostile):
    (table,) = md_tables(ok(run("list", "-o", "markdown")))
    header, *rows = table
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_id["US-1"]["title"] == "Improve widget [draft]"
    assert by_id["US-1"]["topic"] == "t|o|p"
    assert by_id["CN-1"]["title"] == "[/]"
    assert by_id["US-2"]["title"] == "back\\|slash `tick` *star* _under_ <b>bold</b> &amp; line one line two # hash"
    assert by_id["US-3"]["title"] == WORD


def test_markdown_show_shows_text_literally(run, hostile):
    (table,) = md_tables(ok(run("show", "US-1", "CN-1", "-o", "markdown")))
    cells = {(row[0], row[1]): row[2] for row in table[1:]}
    assert cells[("US-1", "text")] == "ESC ␛[31mred␛[0m NUL ␀ BEL ␇ BS ␈ C1 <U+009B>31m end"
    assert cells[("US-1", "history 2018-05-03")] == "→ open [bold]x[/bold] and | pipe ␛[31m red"
    assert cells[("US-1", "source.quote")] == "quote [/] with ␛[2J clear"
    assert cells[("CN-1", "text")] == "中文文本 עברית مرحبا <U+202E>evil<U+202C>"


def test_markdown_export_escapes_the_title_and_parties(run, hostile):
    out = ok(run("export", "-o", "markdown"))
    assert out.splitlines()[0].startswith("# "), out
    tables = md_tables(out)
    parties = next(t for t in tables if t[0][:2] == ["id", "name"])
    assert parties[1][1] == "United [bold]States[/bold]"
    assert parties[2][1] == "China ␛]0;pwned␇"
    rounds = next(t for t in tables if "place" in t[0])
    assert dict(zip(rounds[0], rounds[1], strict=True))["place"] == "a | b"


# --- errors that quote the user's input -----------------------------------------------------------


def test_unknown_party_from_the_command_line(run, hostile):
    r = run("list", "-p", "\x1b[31mred\x9b")
    assert r.exit_code == 2, r.output
    assert "\x1b" not in r.stderr and "\x9b" not in r.stderr, r.output
    assert r.stderr.count("\n") == 1, r.output
    assert "United [bold]States[/bold]" in r.stderr, r.output


def test_unknown_id_from_the_command_line(run, hostile):
    r = run("show", "[/]\x1b[2J")
    assert r.exit_code == 1, r.output
    assert r.stderr == "demands: no item with id '[/]\\x1b[2J'; 'demands list --format ids' lists them\n", r.output


def test_validation_errors_quote_bad_values_safely(run, hostile):
    text = HOSTILE.replace("    status: open\n", '    status: "\\x1b[2Jopen\\x9b"\n', 1)
    hostile.write_text(text, encoding="utf-8")
    r = run("validate")
    assert r.exit_code == 1, r.output
    assert "\x1b" not in r.stderr and "\x9b" not in r.stderr, r.output
    assert r.stderr.endswith(
        ": US-1 status: unknown status '\\x1b[2Jopen\\x9b' (did you mean 'open'?); use one of: "
        "open, discussing, contested, agreed, partial, met, rejected, withdrawn\n"
    ), r.output


def test_unknown_field_named_with_controls(run, hostile):
    text = HOSTILE.replace('    topic: "t|o|p"\n', '    "\\x1b[31mtopic": x\n', 1)
    hostile.write_text(text, encoding="utf-8")
    r = run("validate")
    assert r.exit_code == 1, r.output
    assert "\x1b" not in r.stderr, r.output
    assert "unknown field '\\x1b[31mtopic'" in r.stderr, r.output
