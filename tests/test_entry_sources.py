"""Sourced changes: a history entry's own ``source`` (``mark``/``note`` ``--source-doc``,
``--source-quote``, ``--source-url``), checked as an item's source is, and shown by ``show``,
``log``, ``diff`` and the brief."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tradedemands
from tradedemands.validation import URL_RULE

SEED = "seeds/000_d2207b9ab7e38b47.txt"
QUOTE = "They also objected to United States demands for a specific cut in the bilateral surplus."


def journal_files(workspace: Path) -> set[Path]:
    undo = workspace / ".state" / "tradedemands" / "undo"  # (the cache's key may be made beside it)
    return set(undo.rglob("*")) if undo.exists() else set()


def test_mark_records_the_source_of_a_change(run: Any, data_file: Path) -> None:
    r = run(
        "mark", "US-3", "contested", "--date", "2018-05-05", "-m", "China objects",
        "--source-doc", SEED, "--source-quote", QUOTE,
    )  # fmt: skip
    assert (r.exit_code, r.stderr) == (0, "US-3: open -> contested\n"), r.output
    lines = data_file.read_text(encoding="utf-8").splitlines()
    entry = (
        f"      - {{date: 2018-05-05, status: contested, note: China objects, source: {{doc: {SEED}, quote: {QUOTE}}}}}"
    )
    assert entry in lines
    r = run("log", "--limit", "1", "-o", "json")
    assert json.loads(r.stdout) == [
        {
            "id": "US-3",
            "date": "2018-05-05",
            "status": "contested",
            "note": "China objects",
            "source": {"doc": SEED, "quote": QUOTE},
        }
    ]
    r = run("show", "US-3")
    assert "source: “They also objected to United States demands for a specific cut in the bilateral" in r.stdout
    r = run("log", "--limit", "2", "-o", "markdown")
    assert r.stdout.splitlines()[:3] == [
        "| date | id | status | round | note | source |",
        "|---|---|---|---|---|---|",
        "| 2018-05-05 | US-3 | contested |   | China objects | seeds/000\\_d2207b9ab7e38b47.txt |",
    ], r.output
    r = run("validate")
    assert r.exit_code == 0, r.output


def test_note_with_a_url(run: Any, data_file: Path) -> None:
    r = run("note", "CN-2", "Ban lifted", "--date", "2018-06-07", "--source-url", "https://example.org/zte")
    assert (r.exit_code, r.stderr) == (0, "CN-2: note added\n"), r.output
    assert (
        "      - {date: 2018-06-07, note: Ban lifted, source: {url: https://example.org/zte}}"
        in data_file.read_text(encoding="utf-8").splitlines()
    )
    r = run("log", "--limit", "1")
    assert "https://example.org/zte" in r.stdout, r.output


def test_a_quote_not_in_its_document_changes_nothing(run: Any, data_file: Path, workspace: Path) -> None:
    before = data_file.read_bytes()
    journal = journal_files(workspace)
    r = run("mark", "US-3", "rejected", "--source-doc", SEED, "--source-quote", "China rejected it outright.")
    assert (r.exit_code, r.stdout) == (1, ""), r.output
    assert r.stderr.startswith("demands: refusing to write: US-3 history ")
    assert r.stderr.endswith(f" source.quote: quote not found in {SEED}; nothing was changed\n"), r.output
    r = run("note", "US-3", "x", "--source-doc", "../outside.txt", "--source-quote", "x")
    assert r.exit_code == 1, r.output
    assert "source.doc: document '../outside.txt' is outside the project" in r.stderr, r.output
    assert data_file.read_bytes() == before
    assert journal_files(workspace) == journal
    assert sorted(p.name for p in data_file.parent.iterdir()) == ["demands.yaml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source-quote", "x"], "--source-quote needs the document it is quoted from (or its URL)"),
        (["--source-url", "example.org/a b"], f"--source-url {URL_RULE}, not 'example.org/a b'"),
        (["--source-url", "https://x.org/\x1b[31mred"], f"--source-url {URL_RULE}, not 'https://x.org/\\x1b[31mred'"),
        (["--source-doc", " "], "--source-doc must not be empty"),
    ],
)
def test_bad_source_options(run: Any, data_file: Path, args: list[str], message: str) -> None:
    before = data_file.read_bytes()
    for command in (["mark", "US-3", "agreed"], ["note", "US-3", "text"]):
        r = run(*command, *args)
        assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"demands: {message}\n"), r.output
    assert data_file.read_bytes() == before


def test_validate_checks_a_history_quote_like_an_items(run: Any, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    old = "      - {date: 2018-05-03, status: open, round: beijing-2018-05, note: Tabled in Beijing}\n\n  - id: US-4"
    assert text.count(old) == 1
    bad = (
        "      - {date: 2018-05-03, status: open, round: beijing-2018-05, note: Tabled in Beijing}\n"
        f'      - {{date: 2018-05-05, note: Objection, source: {{doc: {SEED}, quote: "China says no."}}}}\n'
        "      - {date: 2018-05-06, note: Elsewhere, source: {doc: /etc/hostname, quote: x, pages: 2}}\n\n  - id: US-4"
    )
    data_file.write_text(text.replace(old, bad), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 2
    r = run("validate")
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines() == [
        f"{data_file}:{line}:91: US-3 history 2018-05-05 source.quote: quote not found in {SEED}",
        f"{data_file}:{line + 1}:54: US-3 history 2018-05-06 source.doc: document '/etc/hostname' is an absolute "
        f"path; name a file inside the project ({data_file.parent.parent}), relative to the data file",
        f"{data_file}:{line + 1}:84: US-3 history.source.pages: unknown field 'pages'",
    ], r.output


def test_the_library_takes_the_same_source(data_file: Path) -> None:
    changed = tradedemands.mark(data_file, "US-3", "contested", date="2018-05-04", source_doc=SEED, source_quote=QUOTE)
    assert [(c.id, c.old, c.new) for c in changed] == [("US-3", "open", "contested")]
    assert tradedemands.load(data_file).item("US-3")["history"][-1]["source"] == {"doc": SEED, "quote": QUOTE}
    with pytest.raises(tradedemands.UsageError) as err:
        tradedemands.note(data_file, "US-3", "x", source_quote="x")
    assert str(err.value) == "source_quote needs the document it is quoted from (or its URL)"


def test_diff_shows_the_source_of_a_change(run: Any, data_file: Path) -> None:
    r = run("mark", "US-3", "contested", "--date", "2018-05-04", "--source-doc", SEED, "--source-quote", QUOTE)
    assert r.exit_code == 0, r.output
    r = run("diff", "--since", "2018-05-04")
    assert f"+ history  2018-05-04 → contested  [source: “{QUOTE}” — {SEED}]" in r.stdout, r.output
    r = run("diff", "--since", "2018-05-04", "-o", "json")
    change = next(c for c in json.loads(r.stdout)["changed"] if c["id"] == "US-3")
    assert change["changes"][1]["new"] == [
        {"date": "2018-05-04", "status": "contested", "source": {"doc": SEED, "quote": QUOTE}}
    ]
