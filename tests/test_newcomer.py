"""What a first-time user tripped over: help once, hints that say what to type, counts in English."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import demands_cmd


def test_no_arguments_prints_the_help_once(run, workspace: Path) -> None:
    r = run()
    assert r.exit_code == 0, r.output
    assert r.stdout.count("Usage: demands") == 1, r.stdout
    done = demands_cmd(cwd=workspace)
    assert done.returncode == 0 and done.stdout.count("Usage: demands") == 1, done.stdout
    assert "import" in done.stdout


def test_a_topic_no_item_has_says_it_is_a_tag(run) -> None:
    r = run("list", "--topic", "tariffs")
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == "no items match: no item has the topic 'tariffs', but 1 has it as a tag\n"


def test_a_topic_misspelt_lists_the_topics(run) -> None:
    r = run("list", "--topic", "trade-barrier")
    assert r.stderr == (
        "no items match: no item has the topic 'trade-barrier' (did you mean 'trade-barriers'?); topics: "
        "cyberespionage, export-controls, intellectual-property, investment-restrictions, made-in-china-2025, "
        "market-access, review-mechanism, trade-balance, trade-barriers, trade-relations\n"
    )
    assert run("list", "--tag", "trade-balance").stderr == (
        "no items match: no item has the tag 'trade-balance', but 2 have it as a topic\n"
    )
    # Other filters that match nothing say only that.
    assert run("list", "--topic", "trade-balance", "-s", "met").stderr == "no items match\n"


def test_an_unquoted_note_is_told_to_quote(run, data_file: Path) -> None:
    before = data_file.read_bytes()
    r = run("mark", "US-7", "discussing", "--note", "Talks", "continue")
    assert (r.exit_code, r.stderr) == (
        2,
        "demands: unknown status 'continue' after the status 'discussing': if 'continue' belongs to the note, "
        'quote the note: --note "Talks continue"\n',
    )
    r = run("note", "US-7", "Talks", "continue")
    assert r.exit_code == 2
    assert r.stderr == (
        'demands note: Got unexpected extra argument(s) (continue): quote text that has spaces, like "a note with '
        "spaces\" (see 'demands note --help')\n"
    )
    assert data_file.read_bytes() == before
    # A status that is simply wrong stays the plain message.
    assert run("mark", "US-7", "continue").stderr.startswith("demands: unknown status 'continue'; valid statuses:")


def test_a_missing_source_document_is_said_once_with_the_count(run, workspace: Path) -> None:
    shutil.rmtree(workspace / "seeds")
    r = run("validate")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].endswith(
        "round united-states-2018-06 source.doc: document 'seeds/000_d2207b9ab7e38b47.txt' not found "
        "(also cited by 19 others: US-1, US-1 history 2018-05-04, US-2, US-2 history 2018-05-04, US-3 and 14 more)"
    )


def test_one_item_is_one_item(run, workspace: Path) -> None:
    path = workspace / "one.yaml"
    path.write_text(
        "version: 1\nparties:\n  us: {name: United States}\ndemands:\n"
        "  - {id: US-1, party: us, title: t, status: open}\n",
        encoding="utf-8",
    )
    assert run("validate", str(path)).stderr == f"{path}: valid (1 item)\n"
    assert run("validate").stderr.endswith("valid (17 items)\n")
