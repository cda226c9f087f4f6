"""The write commands end to end through the CLI: exact results, messages, exit codes, layouts.

Every test works on the scratch copy of data/demands.yaml made by the ``workspace``
fixture. After every failed command the file must be byte-identical.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMANDS
from tradedemands import document

TODAY = date.today().isoformat()
STATUSES = "open, discussing, contested, agreed, partial, met, rejected, withdrawn"
QUOTE = "Strengthen intellectual property protections."
SEED = "seeds/000_d2207b9ab7e38b47.txt"


def load_items(path: Path) -> list[dict[str, Any]]:
    return document.load(path).items  # type: ignore[return-value]


def item_of(path: Path, item_id: str) -> dict[str, Any]:
    return document.load(path).item(item_id)  # type: ignore[return-value]


def assert_consistent(path: Path) -> None:
    """The file loads, validates, and every status equals the last status in its history."""
    doc = document.load(path)
    assert document.check_quotes(doc) == []
    for item in doc.items:
        statuses = [e["status"] for e in item.get("history") or [] if "status" in e]
        assert statuses, item["id"]
        assert item["status"] == statuses[-1], item["id"]


def ok(result: Any, stderr: str, stdout: str = "") -> None:
    assert result.exit_code == 0, result.output
    assert result.stderr == stderr, result.output
    assert result.stdout == stdout, result.output


# --- add ----------------------------------------------------------------------------------


def test_add_every_option(run, data_file: Path) -> None:
    before = load_items(data_file)
    r = run(
        "add",
        "--party",
        "usa",
        "--title",
        "Buy more soybeans: [draft] # now",
        "--kind",
        "concession",
        "--of",
        "China",
        "--text",
        "two\nlines",
        "--topic",
        "agriculture",
        "--tag",
        "soy",
        "--tag",
        "no",
        "--tag",
        "soy",
        "--priority",
        "HIGH",
        "--due",
        "2019-01-31",
        "--status",
        "Discussing",
        "--source-doc",
        SEED,
        "--source-quote",
        QUOTE,
        "--date",
        "2018-05-10",
        "--round",
        "BEIJING-2018-05",
    )
    ok(r, "added US-10\n", "US-10\n")
    items = load_items(data_file)
    assert items[:-1] == before
    assert items[-1] == {
        "id": "US-10",
        "party": "us",
        "of": "cn",
        "kind": "concession",
        "title": "Buy more soybeans: [draft] # now",
        "text": "two\nlines",
        "topic": "agriculture",
        "tags": ["soy", "no"],
        "priority": "high",
        "status": "discussing",
        "due": "2019-01-31",
        "source": {"doc": SEED, "quote": QUOTE, "date": "2018-05-10"},
        "history": [{"date": "2018-05-10", "status": "discussing", "round": "beijing-2018-05"}],
    }
    assert_consistent(data_file)


def test_add_minimal_defaults(run, data_file: Path) -> None:
    r = run("add", "-p", "cn", "--title", "no")
    ok(r, "added CN-8\n", "CN-8\n")
    assert load_items(data_file)[-1] == {
        "id": "CN-8",
        "party": "cn",
        "kind": "demand",
        "title": "no",
        "status": "open",
        "history": [{"date": TODAY, "status": "open"}],
    }
    assert run("add", "-p", "cn", "--title", "again").stdout == "CN-9\n"
    assert_consistent(data_file)


def test_add_with_explicit_id(run, data_file: Path) -> None:
    ok(run("add", "-p", "us", "--title", "Custom", "--id", "US-100"), "added US-100\n", "US-100\n")
    ok(run("add", "-p", "us", "--title", "Next"), "added US-101\n", "US-101\n")
    assert [i["id"] for i in load_items(data_file)][-2:] == ["US-100", "US-101"]


# --- mark ---------------------------------------------------------------------------------


def test_mark_appends_history(run, data_file: Path) -> None:
    before = item_of(data_file, "US-3")
    r = run(
        "mark", "us-3", "DISCUSSING", "--note", "Talks: resumed [x]", "--date", "2018-06-01", "-r", "beijing-2018-05"
    )
    ok(r, "US-3: open -> discussing\n")
    after = item_of(data_file, "US-3")
    assert after == {
        **before,
        "status": "discussing",
        "history": [
            *before["history"],
            {"date": "2018-06-01", "status": "discussing", "round": "beijing-2018-05", "note": "Talks: resumed [x]"},
        ],
    }
    assert_consistent(data_file)


def test_mark_defaults_to_today(run, data_file: Path) -> None:
    ok(run("mark", "CN-4", "withdrawn"), "CN-4: open -> withdrawn\n")
    assert item_of(data_file, "CN-4")["history"][-1] == {"date": TODAY, "status": "withdrawn"}
    assert_consistent(data_file)


def test_mark_several_ids(run, data_file: Path) -> None:
    others = {i["id"]: i for i in load_items(data_file) if i["id"] not in ("US-3", "US-4", "CN-1", "US-1")}
    r = run("mark", "US-3", "us-4", "CN-1", "US-1", "US-3", "agreed", "--date", "2018-07-01")
    ok(r, "US-3: open -> agreed\nUS-4: open -> agreed\nCN-1: open -> agreed\nUS-1: contested -> agreed\n")
    for item_id in ("US-3", "US-4", "CN-1", "US-1"):
        item = item_of(data_file, item_id)
        assert item["status"] == "agreed"
        assert item["history"][-1] == {"date": "2018-07-01", "status": "agreed"}
        assert [e.get("status") for e in item["history"]].count("agreed") == 1
    assert {i["id"]: i for i in load_items(data_file) if i["id"] in others} == others
    assert_consistent(data_file)


def test_mark_same_status_changes_nothing(run, data_file: Path) -> None:
    original = data_file.read_bytes()
    ok(run("mark", "US-1", "contested", "--note", "again"), "US-1 is already contested; nothing changed\n")
    assert data_file.read_bytes() == original
    r = run("undo")
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith("demands: nothing to undo"), r.output


def test_mark_some_already_in_status(run, data_file: Path) -> None:
    r = run("mark", "US-1", "US-2", "US-3", "contested", "--date", "2018-05-05")
    ok(
        r,
        "US-1 is already contested; nothing changed\nUS-2 is already contested; nothing changed\n"
        "US-3: open -> contested\n",
    )
    assert item_of(data_file, "US-3")["history"][-1] == {"date": "2018-05-05", "status": "contested"}
    assert len(item_of(data_file, "US-1")["history"]) == 2


# --- note ---------------------------------------------------------------------------------


def test_note(run, data_file: Path) -> None:
    before = item_of(data_file, "CN-7")
    ok(run("note", "cn-7", "Liu He: 'maybe' #1 [/]"), "CN-7: note added\n")
    ok(
        run("note", "CN-7", "yes", "--date", "2018-05-09", "--round", "beijing-2018-05"),
        "CN-7: note added (placed by date before 1 later entry)\n",
    )
    after = item_of(data_file, "CN-7")
    assert after == {
        **before,
        "history": [
            *before["history"],
            {"date": "2018-05-09", "round": "beijing-2018-05", "note": "yes"},
            {"date": TODAY, "note": "Liu He: 'maybe' #1 [/]"},
        ],
    }
    assert_consistent(data_file)


# --- edit ---------------------------------------------------------------------------------


def test_edit_fields(run, data_file: Path) -> None:
    before = item_of(data_file, "US-5")
    r = run(
        "edit",
        "US-5",
        "--title",
        "IP: stronger",
        "--text",
        "Line one\nline two",
        "--topic",
        "",
        "--priority",
        "Low",
        "--due",
        "2019-06-30",
        "--of",
        "prc",
        "--kind",
        "red-line",
        "--add-tag",
        "12",
        "--remove-tag",
        "ip",
    )
    ok(r, "US-5: changed title, text, -topic, priority, due, kind, tags\n")
    expected = {
        **before,
        "title": "IP: stronger",
        "text": "Line one\nline two",
        "priority": "low",
        "due": "2019-06-30",
        "kind": "red-line",
        "tags": ["12"],
    }
    del expected["topic"]
    assert item_of(data_file, "US-5") == expected
    assert_consistent(data_file)


def test_edit_removes_optional_fields(run, data_file: Path) -> None:
    before = item_of(data_file, "US-1")
    ok(run("edit", "US-1", "--text", "", "--priority", "", "--of", ""), "US-1: changed -text, -priority, -of\n")
    expected = dict(before)
    for key in ("text", "priority", "of"):
        del expected[key]
    assert item_of(data_file, "US-1") == expected
    ok(run("edit", "US-1", "--due", ""), "US-1: nothing to change\n")


def test_edit_tags(run, data_file: Path) -> None:
    ok(run("edit", "US-2", "--add-tag", "a", "--add-tag", "subsidies"), "US-2: changed tags\n")
    assert item_of(data_file, "US-2")["tags"] == ["subsidies", "advanced-manufacturing", "a"]
    ok(run("edit", "US-2", "--remove-tag", "subsidies", "--remove-tag", "a"), "US-2: changed tags\n")
    assert item_of(data_file, "US-2")["tags"] == ["advanced-manufacturing"]
    ok(run("edit", "US-2", "--remove-tag", "advanced-manufacturing"), "US-2: changed tags\n")
    assert item_of(data_file, "US-2")["tags"] == []
    ok(run("edit", "US-2", "--add-tag", "back"), "US-2: changed tags\n")
    assert item_of(data_file, "US-2")["tags"] == ["back"]
    assert_consistent(data_file)


def test_edit_nothing_to_change(run, data_file: Path) -> None:
    original = data_file.read_bytes()
    ok(run("edit", "US-5", "--title", "Strengthen intellectual property protections"), "US-5: nothing to change\n")
    ok(run("edit", "US-5", "--add-tag", "ip"), "US-5: nothing to change\n")
    assert data_file.read_bytes() == original


# --- link / unlink --------------------------------------------------------------------------


def test_link_and_unlink(run, data_file: Path) -> None:
    ok(run("link", "us-4", "RELATED", "us-5"), "US-4 related US-5\n")
    assert item_of(data_file, "US-4")["links"] == [{"rel": "related", "id": "US-5"}]
    ok(run("link", "US-4", "responds-to", "CN-1"), "US-4 responds-to CN-1\n")
    assert item_of(data_file, "US-4")["links"] == [
        {"rel": "related", "id": "US-5"},
        {"rel": "responds-to", "id": "CN-1"},
    ]
    original = data_file.read_bytes()
    ok(run("link", "US-4", "related", "US-5"), "US-4 already related US-5; nothing changed\n")
    assert data_file.read_bytes() == original
    ok(run("unlink", "US-4", "us-5"), "US-4: link to US-5 removed\n")
    assert item_of(data_file, "US-4")["links"] == [{"rel": "responds-to", "id": "CN-1"}]
    assert_consistent(data_file)


def test_unlink_only_link_under_a_comment(run, data_file: Path) -> None:
    """US-6's single link sits under a comment that holds a colon."""
    ok(run("unlink", "US-6", "CN-1"), "US-6: link to CN-1 removed\n")
    assert item_of(data_file, "US-6")["links"] == []
    assert_consistent(data_file)


def test_unlink_removes_every_link_to_the_other(run, data_file: Path) -> None:
    ok(run("link", "CN-7", "conflicts-with", "US-8"), "CN-7 conflicts-with US-8\n")
    ok(run("unlink", "CN-7", "US-8"), "CN-7: link to US-8 removed\n")
    assert item_of(data_file, "CN-7")["links"] == [
        {"rel": "responds-to", "id": "US-7"},
        {"rel": "conditional-on", "id": "CN-3"},
    ]
    assert_consistent(data_file)


# --- remove -------------------------------------------------------------------------------


def test_remove(run, data_file: Path) -> None:
    before = load_items(data_file)
    ok(run("remove", "us-9", "--yes"), "US-9 removed\n")
    assert load_items(data_file) == [i for i in before if i["id"] != "US-9"]
    assert_consistent(data_file)


def test_remove_linked_with_force(run, data_file: Path) -> None:
    before = {i["id"]: i for i in load_items(data_file)}
    ok(run("remove", "US-8", "--yes", "--force"), "US-8 removed (and the links from CN-6, CN-7)\n")
    after = {i["id"]: i for i in load_items(data_file)}
    assert "US-8" not in after
    assert after["CN-6"] == {**before["CN-6"], "links": []}
    assert after["CN-7"]["links"] == [{"rel": "responds-to", "id": "US-7"}, {"rel": "conditional-on", "id": "CN-3"}]
    assert {k: v for k, v in after.items() if k not in ("CN-6", "CN-7")} == {
        k: v for k, v in before.items() if k not in ("CN-6", "CN-7", "US-8")
    }
    assert_consistent(data_file)


def test_remove_item_linked_twice_from_one_item(run, data_file: Path) -> None:
    ok(run("link", "CN-7", "conflicts-with", "US-8"), "CN-7 conflicts-with US-8\n")
    ok(run("remove", "US-8", "--yes", "--force"), "US-8 removed (and the links from CN-6, CN-7)\n")
    assert item_of(data_file, "CN-7")["links"] == [
        {"rel": "responds-to", "id": "US-7"},
        {"rel": "conditional-on", "id": "CN-3"},
    ]
    assert_consistent(data_file)


# --- bad input: exit code, one exact line, the file untouched ------------------------------------

BAD = [
    (["mark", "US-33", "open"], 1, "no item with id 'US-33'; did you mean US-3, US-9, US-8?"),
    (["mark", "US-1", "US-33", "met"], 1, "no item with id 'US-33'; did you mean US-3, US-9, US-8?"),
    (["mark", "US-1", "done"], 2, f"unknown status 'done'; valid statuses: {STATUSES}"),
    (
        ["mark", "US-1", "open", "--date", "2018-02-30"],
        2,
        f"bad date '2018-02-30' for --date: use YYYY-MM-DD like {TODAY}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)",
    ),
    (
        ["mark", "US-1", "open", "--date", "5/4/2018"],
        2,
        f"bad date '5/4/2018' for --date: use YYYY-MM-DD like {TODAY}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)",
    ),
    (["mark", "US-3", "met", "--round", "geneva"], 2, "unknown round 'geneva'; rounds held: beijing-2018-05"),
    (["mark", "US-1"], 2, "give one or more ids and then the status, like: demands mark US-1 rejected"),
    (["note", "XX-1", "hello"], 1, "no item with id 'XX-1'; did you mean US-1, CN-1?"),
    (["note", "US-1", "  "], 2, "the note is empty; say what happened"),
    (["note", "US-1", "x", "--round", "nope"], 2, "unknown round 'nope'; rounds held: beijing-2018-05"),
    (["add", "-p", "eu", "--title", "t"], 2, "unknown party 'eu'; known parties: us (United States), cn (China)"),
    (
        ["add", "-p", "us", "--title", "t", "--round", "r9"],
        2,
        "unknown round 'r9'; rounds held: beijing-2018-05",
    ),
    (
        ["add", "-p", "us", "--title", "t", "--date", "2018-5-4"],
        2,
        f"bad date '2018-5-4' for --date: use YYYY-MM-DD like {TODAY}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)",
    ),
    (
        ["add", "-p", "us", "--title", "t", "--kind", "wish"],
        2,
        "unknown kind 'wish'; use one of: demand, concession, red-line, agreement",
    ),
    (["add", "-p", "us", "--title", "t", "--status", "done"], 2, f"unknown status 'done'; valid statuses: {STATUSES}"),
    (["add", "-p", "us", "--title", "t", "--id", "us-1"], 1, "id 'us-1' is taken; leave out --id to get US-10"),
    (
        ["add", "-p", "us", "--title", "t", "--id", "a b"],
        2,
        "bad id 'a b': use letters, digits, '.', '_' and '-', like US-12",
    ),
    (["add", "-p", "us", "--title", " "], 2, "--title must not be empty"),
    (
        ["add", "-p", "us", "--title", "t", "--source-doc", SEED, "--source-quote", "not in the article"],
        1,
        f"refusing to write: US-10 source.quote: quote not found in {SEED}; nothing was changed",
    ),
    (["edit", "US-5", "--remove-tag", "nope"], 2, "US-5 has no tag 'nope'; its tags: ip"),
    (["edit", "US-5", "--kind", ""], 2, "--kind cannot be removed; use demand, concession, red-line or agreement"),
    (["edit", "US-5", "--priority", "urgent"], 2, "unknown priority 'urgent'; use one of: high, medium, low"),
    (
        ["edit", "US-5", "--due", "2020-1-1"],
        2,
        f"bad date '2020-1-1' for --due: use YYYY-MM-DD like {TODAY}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)",
    ),
    (["edit", "US-5", "--of", "eu"], 2, "unknown party 'eu'; known parties: us (United States), cn (China)"),
    (["edit", "US-5", "--title", ""], 2, "--title must not be empty"),
    (["edit", "US-55", "--title", "x"], 1, "no item with id 'US-55'; did you mean US-5, US-9, US-8?"),
    (
        ["link", "US-4", "friends", "US-5"],
        2,
        "unknown relation 'friends'; use one of: responds-to, conflicts-with, conditional-on, related",
    ),
    (["link", "US-4", "related", "US-55"], 1, "no item with id 'US-55'; did you mean US-5, US-9, US-8?"),
    (["link", "US-4", "related", "us-4"], 2, "an item cannot link to itself"),
    (["unlink", "US-4", "US-5"], 1, "US-4 has no link to 'US-5'; it links to nothing"),
    (["unlink", "US-3", "US-5"], 1, "US-3 has no link to 'US-5'; it links to CN-4, US-2"),
    (["remove", "US-8", "--yes"], 1, "US-8 is linked from CN-6, CN-7; unlink those first or pass --force"),
    (["remove", "US-99", "--yes"], 1, "no item with id 'US-99'; did you mean US-9, US-8, US-7?"),
    (["remove", "US-9"], 2, "not removing US-9 without confirmation: pass --yes"),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_bad_input_changes_nothing(run, data_file: Path, args: list[str], code: int, message: str) -> None:
    original = data_file.read_bytes()
    r = run(*args)
    assert r.exit_code == code, r.output
    assert r.stderr == f"demands: {message}\n", r.output
    assert r.stdout == "", r.output
    assert data_file.read_bytes() == original
    left = [p.name for p in data_file.parent.iterdir() if p.name != "demands.yaml"]
    assert left == [], "a temporary file was left behind"
    assert run("undo").stderr.startswith("demands: nothing to undo"), "a failed command left an undo record"


@pytest.mark.parametrize(
    ("answer", "code", "message"), [("n", 1, "demands: nothing removed"), ("y", 0, "US-9 removed")]
)
def test_remove_asks_on_a_terminal(data_file: Path, answer: str, code: int, message: str) -> None:
    """On a terminal, remove asks first: 'n' changes nothing (exit 1), 'y' removes."""
    import pty

    original = data_file.read_bytes()
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [str(DEMANDS), "remove", "US-9"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        os.write(master, f"{answer}\n".encode())
        out, err = proc.communicate(timeout=30)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == code, (out, err)
    assert out == "Remove US-9 (Meet every quarter to review progress)? [y/N]: ", (out, err)
    assert err == message + "\n", (out, err)
    if code:
        assert data_file.read_bytes() == original
    else:
        assert "US-9" not in [i["id"] for i in load_items(data_file)]


def test_unknown_file(run, workspace: Path) -> None:
    r = run("note", "US-1", "x", "--file", "nofile.yaml")
    assert r.exit_code == 1, r.output
    assert r.stderr == "demands: nofile.yaml: no such file; run 'demands init nofile.yaml' to start one\n", r.output
    assert not (workspace / "nofile.yaml").exists()


def test_refuses_a_result_that_would_not_load(run, data_file: Path) -> None:
    """A source document that is missing makes the new item invalid: nothing is written."""
    original = data_file.read_bytes()
    r = run("add", "-p", "us", "--title", "t", "--source-doc", "seeds/nope.txt")
    assert r.exit_code == 1, r.output
    assert r.stderr == (
        "demands: refusing to write: US-10 source.doc: document 'seeds/nope.txt' not found; nothing was changed\n"
    ), r.output
    assert data_file.read_bytes() == original


def test_invalid_file_is_not_written(run, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8").replace("status: contested\n", "status: rejectd\n", 1)
    data_file.write_text(text, encoding="utf-8")
    original = data_file.read_bytes()
    r = run("note", "US-3", "x")
    assert r.exit_code == 1, r.output
    assert "unknown status 'rejectd'" in r.stderr, r.output
    assert data_file.read_bytes() == original


# --- layouts: line endings, BOM, last line, flow and block styles ------------------------------

WRITES = [
    ["mark", "US-3", "discussing", "--date", "2018-06-01", "--note", "a: b"],
    ["mark", "CN-7", "agreed", "--date", "2018-06-01"],
    ["note", "CN-7", "last item", "--date", "2018-06-01"],
    ["add", "-p", "cn", "--title", "New: one", "--tag", "x", "--text", "two\nlines", "--date", "2018-06-01"],
    [
        "edit",
        "US-1",
        "--title",
        "T",
        "--text",
        "multi\nline",
        "--add-tag",
        "t",
        "--priority",
        "",
        "--due",
        "2020-01-01",
    ],
    ["edit", "CN-7", "--due", "2020-01-01", "--remove-tag", "trade-barriers"],
    ["link", "US-4", "related", "US-5"],
    ["link", "CN-7", "related", "CN-1"],
    ["unlink", "US-6", "CN-1"],
    ["remove", "US-9", "--yes"],
    ["remove", "CN-7", "--yes", "--force"],
    ["remove", "US-8", "--yes", "--force"],
]


def _reference(run, data_file: Path, args: list[str]) -> str:
    """The file's text after ``args`` on the shipped (LF, no BOM) file; the file is restored after."""
    original = data_file.read_bytes()
    r = run(*args)
    assert r.exit_code == 0, r.output
    text = data_file.read_text(encoding="utf-8")
    data_file.write_bytes(original)
    shutil.rmtree(data_file.parent.parent / ".state", ignore_errors=True)
    return text


@pytest.mark.parametrize("args", WRITES, ids=[" ".join(a[:2]) for a in WRITES])
def test_crlf_and_bom_are_kept(run, data_file: Path, args: list[str]) -> None:
    expected = _reference(run, data_file, args)
    crlf = b"\xef\xbb\xbf" + data_file.read_bytes().replace(b"\n", b"\r\n")
    data_file.write_bytes(crlf)
    r = run(*args)
    assert r.exit_code == 0, r.output
    raw = data_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the BOM was lost"
    assert b"\n" not in raw.replace(b"\r\n", b""), "a bare LF was written"
    assert raw[3:].decode("utf-8").replace("\r\n", "\n") == expected
    assert_consistent(data_file)
    r = run("undo")
    assert r.exit_code == 0, r.output
    assert data_file.read_bytes() == crlf


@pytest.mark.parametrize("args", WRITES, ids=[" ".join(a[:2]) for a in WRITES])
def test_last_line_without_newline(run, data_file: Path, args: list[str]) -> None:
    expected = _reference(run, data_file, args)
    bare = data_file.read_bytes().rstrip(b"\n")
    data_file.write_bytes(bare)
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert data_file.read_text(encoding="utf-8") in (expected, expected.rstrip("\n")), data_file.read_text()
    assert_consistent(data_file)


STYLES = """\
version: 1
parties:
  us: {name: United States}
  cn: {name: China}
demands:
  - {id: US-1, party: us, title: Flow item, tags: [a], status: open, links: [{rel: related, id: CN-1}], history: [{date: 2020-01-01, status: open}]}
  - id: CN-1
    party: cn
    title: Block item
    tags:
      - a
      - b
    status: open
    links:
      - rel: related
        id: US-1
    history:
      - date: 2020-01-01
        status: open
"""


@pytest.mark.parametrize(
    ("args", "old", "new"),
    [
        (["edit", "US-1", "--add-tag", "b"], "tags: [a]", "tags: [a, b]"),
        (["edit", "US-1", "--remove-tag", "a"], "tags: [a]", "tags: []"),
        (["edit", "US-1", "--title", "a: b"], "title: Flow item", 'title: "a: b"'),
        (
            ["edit", "US-1", "--priority", "high"],
            "tags: [a], status: open",
            "tags: [a], priority: high, status: open",
        ),
        (
            ["note", "US-1", "n", "--date", "2020-02-02"],
            "status: open}]}",
            "status: open}, {date: 2020-02-02, note: n}]}",
        ),
        (
            ["mark", "US-1", "met", "--date", "2020-02-02"],
            "status: open, links: [{rel: related, id: CN-1}], history: [{date: 2020-01-01, status: open}]}",
            "status: met, links: [{rel: related, id: CN-1}], history: [{date: 2020-01-01, status: open}, "
            "{date: 2020-02-02, status: met}]}",
        ),
        (["link", "US-1", "responds-to", "CN-1"], "id: CN-1}]", "id: CN-1}, {rel: responds-to, id: CN-1}]"),
        (["unlink", "US-1", "CN-1"], "links: [{rel: related, id: CN-1}]", "links: []"),
        (["edit", "CN-1", "--add-tag", "c"], "      - b\n", "      - b\n      - c\n"),
        (["edit", "CN-1", "--remove-tag", "a"], "      - a\n      - b\n", "      - b\n"),
        (
            ["edit", "CN-1", "--remove-tag", "a", "--remove-tag", "b"],
            "    tags:\n      - a\n      - b\n",
            "    tags: []\n",
        ),
        (["edit", "CN-1", "--title", "12"], "title: Block item", 'title: "12"'),
        (
            ["note", "CN-1", "n", "--date", "2020-02-02"],
            "        status: open\n",
            "        status: open\n      - date: 2020-02-02\n        note: n\n",
        ),
        (
            ["link", "CN-1", "responds-to", "US-1"],
            "        id: US-1\n",
            "        id: US-1\n      - rel: responds-to\n        id: US-1\n",
        ),
        (["unlink", "CN-1", "US-1"], "    links:\n      - rel: related\n        id: US-1\n", "    links: []\n"),
    ],
)
def test_flow_and_block_styles(run, data_file: Path, args: list[str], old: str, new: str) -> None:
    data_file.write_text(STYLES, encoding="utf-8")
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert STYLES.count(old) == 1
    assert data_file.read_text(encoding="utf-8") == STYLES.replace(old, new), data_file.read_text()
    assert_consistent(data_file)


def test_add_matches_block_items(run, data_file: Path) -> None:
    block_only = STYLES.replace(STYLES.splitlines(keepends=True)[5], "")
    block_only = block_only.replace("    links:\n      - rel: related\n        id: US-1\n", "")
    data_file.write_text(block_only, encoding="utf-8")
    ok(run("add", "-p", "us", "--title", "Third", "--tag", "x", "--date", "2020-03-03"), "added US-1\n", "US-1\n")
    assert data_file.read_text(encoding="utf-8") == block_only + (
        "  - id: US-1\n"
        "    party: us\n"
        "    kind: demand\n"
        "    title: Third\n"
        "    tags: [x]\n"
        "    status: open\n"
        "    history:\n"
        "      - {date: 2020-03-03, status: open}\n"
    )


def test_add_matches_flow_items(run, data_file: Path) -> None:
    flow_only = STYLES.split("  - id: CN-1")[0].replace(", links: [{rel: related, id: CN-1}]", "")
    data_file.write_text(flow_only, encoding="utf-8")
    ok(run("add", "-p", "cn", "--title", "Second", "--date", "2020-03-03"), "added CN-1\n", "CN-1\n")
    assert data_file.read_text(encoding="utf-8") == flow_only + (
        "  - {id: CN-1, party: cn, kind: demand, title: Second, status: open, history: [{date: 2020-03-03, status: open}]}\n"
    )


EMPTY = """\
version: 1
parties:
  us: {name: United States}
# the items
demands: []   # none yet
"""


@pytest.mark.parametrize(
    "text",
    [EMPTY, EMPTY.replace("demands: []   # none yet\n", "demands:\n"), EMPTY.replace("demands: []   # none yet\n", "")],
    ids=["empty-list", "null", "absent"],
)
def test_add_to_an_empty_file(run, data_file: Path, text: str) -> None:
    data_file.write_text(text, encoding="utf-8")
    ok(run("add", "-p", "us", "--title", "First", "--date", "2020-03-03"), "added US-1\n", "US-1\n")
    assert load_items(data_file) == [
        {
            "id": "US-1",
            "party": "us",
            "kind": "demand",
            "title": "First",
            "status": "open",
            "history": [{"date": "2020-03-03", "status": "open"}],
        }
    ]
    new_text = data_file.read_text(encoding="utf-8")
    assert new_text.startswith("version: 1\nparties:\n  us: {name: United States}\n"), new_text
    assert "  - id: US-1\n    party: us\n" in new_text, new_text
    ok(run("remove", "US-1", "--yes"), "US-1 removed\n")
    assert load_items(data_file) == []


# --- init ---------------------------------------------------------------------------------


def test_init_writes_a_valid_file_and_never_overwrites(run, workspace: Path) -> None:
    target = workspace / "new" / "demands.yaml"
    target.parent.mkdir()
    r = run("init", str(target), "--title", "Talks: round 2")
    ok(r, f"wrote {target}: edit the parties, then 'demands add --party ... --title ...'\n")
    r = run("validate", str(target))
    assert r.exit_code == 0, r.output
    assert r.stderr == f"{target}: valid (0 items)\n", r.output
    doc = document.load(target)
    assert doc.data["title"] == "Talks: round 2"
    assert doc.items == []
    assert doc.text.startswith("# ")
    ok(run("add", "-p", "us", "--title", "First", "--file", str(target)), "added US-1\n", "US-1\n")
    written = target.read_bytes()
    r = run("init", str(target))
    assert r.exit_code == 1, r.output
    assert r.stderr == f"demands: {target} exists already; init never overwrites a file\n", r.output
    assert target.read_bytes() == written


def test_init_default_path_and_missing_folder(run, workspace: Path) -> None:
    ok(run("init"), "wrote demands.yaml: edit the parties, then 'demands add --party ... --title ...'\n")
    assert document.load(workspace / "demands.yaml").items == []
    r = run("init", "nowhere/demands.yaml")
    assert r.exit_code == 1, r.output
    assert r.stderr == "demands: folder nowhere does not exist; create it first\n", r.output
    assert not (workspace / "nowhere").exists()


# --- permissions --------------------------------------------------------------------------


def test_read_only_file(run, data_file: Path) -> None:
    original = data_file.read_bytes()
    data_file.chmod(0o444)
    r = run("note", "US-1", "x")
    assert r.exit_code == 1, r.output
    assert r.stderr == f"demands: cannot write {data_file}: the file is read-only; {data_file} is unchanged\n", r.output
    assert data_file.read_bytes() == original
    assert stat.S_IMODE(data_file.stat().st_mode) == 0o444
    assert [p.name for p in data_file.parent.iterdir() if p.name.endswith(".tmp")] == []


def _immutable(folder: Path) -> bool:
    if not shutil.which("chattr"):
        return False
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    return done.returncode == 0


@pytest.mark.parametrize("lock_exists", [False, True], ids=["first-write", "after-a-write"])
def test_read_only_folder(run, data_file: Path, lock_exists: bool) -> None:
    """Root writes into a mode-0555 folder anyway; an immutable folder (chattr +i) stops even root."""
    folder = data_file.parent
    if lock_exists:
        ok(run("note", "US-1", "first"), "US-1: note added\n")
    original = data_file.read_bytes()
    if os.geteuid() == 0:
        if not _immutable(folder):
            pytest.skip("running as root and chattr +i is not available here")
    else:
        folder.chmod(0o555)
    try:
        r = run("note", "US-1", "x")
        after = data_file.read_bytes()
        listing = sorted(p.name for p in folder.iterdir())
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
    assert r.exit_code == 1, r.output
    reason = "Operation not permitted" if os.geteuid() == 0 else "Permission denied"
    assert r.stderr == f"demands: cannot write {data_file}: {reason} in its folder; {data_file} is unchanged\n", (
        r.output
    )
    assert after == original
    assert listing == ["demands.yaml"]


# --- undo ---------------------------------------------------------------------------------


def test_undo_several_levels(run, data_file: Path) -> None:
    original = data_file.read_bytes()
    ok(run("note", "US-1", "one"), "US-1: note added\n")
    after_note = data_file.read_bytes()
    ok(run("mark", "US-3", "US-4", "met"), "US-3: open -> met\nUS-4: open -> met\n")
    after_mark = data_file.read_bytes()
    ok(run("add", "-p", "cn", "--title", "three"), "added CN-8\n", "CN-8\n")
    ok(run("remove", "US-9", "--yes"), "US-9 removed\n")
    ok(run("undo"), "undid: remove US-9\n")
    r = run("undo")
    assert r.exit_code == 0, r.output
    assert r.stderr in ("undid: add cn\n", "undid: add CN-8\n"), r.output
    assert data_file.read_bytes() == after_mark
    ok(run("undo"), "undid: mark US-3 US-4 met\n")
    assert data_file.read_bytes() == after_note
    ok(run("undo"), "undid: note US-1\n")
    assert data_file.read_bytes() == original
    r = run("undo")
    assert r.exit_code == 1, r.output
    assert r.stderr == f"demands: nothing to undo: no write by demands to {data_file} is recorded\n", r.output
    assert data_file.read_bytes() == original


def test_undo_refuses_after_other_changes(run, data_file: Path) -> None:
    ok(run("note", "US-1", "one"), "US-1: note added\n")
    edited = data_file.read_bytes() + b"# a hand edit\n"
    data_file.write_bytes(edited)
    r = run("undo")
    assert r.exit_code == 1, r.output
    assert r.stderr == (
        f"demands: {data_file} changed since demands last wrote it (note US-1); "
        "undo refuses to overwrite those changes: use git to restore an older version\n"
    ), r.output
    assert data_file.read_bytes() == edited


def test_undo_after_a_write_through_another_path(run, data_file: Path, workspace: Path) -> None:
    """The journal follows the real file: a write through a symlink is undone through the real path."""
    link = workspace / "link.yaml"
    link.symlink_to(data_file)
    original = data_file.read_bytes()
    ok(run("note", "US-1", "via link", "--file", str(link)), "US-1: note added\n")
    ok(run("undo"), "undid: note US-1\n")
    assert data_file.read_bytes() == original
    assert link.is_symlink()
