"""Writes touch only the lines of what they change: checked with ``git diff`` in a real repository.

The shipped data set (commented, hand-formatted) and a hand-written file with odd
indentation, comments between items, quoted scalars and flow items are committed;
each write command then runs once and ``git diff -U0`` must show exactly the lines
expected, nothing else.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tradedemands import document

DATE = "2018-06-01"
Hunk = tuple[int, list[str], list[str]]


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture
def repo(workspace: Path) -> Path:
    git(workspace, "init", "-q")
    git(workspace, "add", "data", "seeds")
    git(workspace, "commit", "-q", "-m", "data set")
    return workspace


def commit(repo: Path, text: str) -> None:
    (repo / "data" / "demands.yaml").write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-a", "-m", "hand-written")


def hunks(repo: Path) -> list[Hunk]:
    """``git diff -U0`` of the data file as (old start line, removed lines, added lines) per hunk."""
    out = git(repo, "diff", "-U0", "--no-color", "--no-ext-diff", "--", "data/demands.yaml")
    result: list[Hunk] = []
    for line in out.splitlines():
        header = re.match(r"@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@", line)
        if header:
            result.append((int(header.group(1)), [], []))
        elif result and line.startswith("-"):
            result[-1][1].append(line[1:])
        elif result and line.startswith("+"):
            result[-1][2].append(line[1:])
    return result


def numstat(repo: Path) -> tuple[int, int]:
    out = git(repo, "diff", "--numstat", "--", "data/demands.yaml").split()
    return (int(out[0]), int(out[1])) if out else (0, 0)


def line_no(text: str, needle: str, after: str | None = None) -> int:
    """1-based number of the first line equal to ``needle`` (after the line equal to ``after``)."""
    lines = text.splitlines()
    start = lines.index(after) + 1 if after is not None else 0
    return lines.index(needle, start) + 1


def run_ok(run: Any, *args: str) -> None:
    r = run(*args)
    assert r.exit_code == 0, r.output


def check(repo: Path, expected: list[Hunk]) -> None:
    found = hunks(repo)
    assert found == expected, "\n".join(map(repr, found))
    assert numstat(repo) == (sum(len(h[2]) for h in expected), sum(len(h[1]) for h in expected))
    doc = document.load(repo / "data" / "demands.yaml")
    assert document.check_quotes(doc) == []


# --- the shipped data set ----------------------------------------------------------------------


@pytest.fixture
def shipped(repo: Path) -> str:
    return (repo / "data" / "demands.yaml").read_text(encoding="utf-8")


def test_mark_touches_the_status_line_and_adds_one(run, repo: Path, shipped: str) -> None:
    run_ok(run, "mark", "US-3", "discussing", "--note", "a: b", "--date", DATE)
    status = line_no(shipped, "    status: open", after="  - id: US-3")
    last_history = line_no(
        shipped,
        "      - {date: 2018-05-03, status: open, round: beijing-2018-05, note: Tabled in Beijing}",
        after="  - id: US-3",
    )
    check(
        repo,
        [
            (status, ["    status: open"], ["    status: discussing"]),
            (last_history, [], [f'      - {{date: {DATE}, status: discussing, note: "a: b"}}']),
        ],
    )


def test_mark_several_ids(run, repo: Path, shipped: str) -> None:
    run_ok(run, "mark", "US-4", "CN-5", "met", "--date", DATE)
    found = hunks(repo)
    assert len(found) == 4, found
    assert [h[1] for h in found] == [["    status: open"], [], ["    status: open"], []]
    assert [h[2] for h in found] == [
        ["    status: met"],
        [f"      - {{date: {DATE}, status: met}}"],
        ["    status: met"],
        [f"      - {{date: {DATE}, status: met}}"],
    ]
    assert numstat(repo) == (4, 2)


def test_note_adds_one_line(run, repo: Path, shipped: str) -> None:
    run_ok(run, "note", "CN-6", "Xi: more later", "--date", DATE, "--round", "beijing-2018-05")
    last = line_no(
        shipped,
        "      - {date: 2018-05-03, status: open, round: beijing-2018-05, note: On the table going into the Beijing round}",
    )
    check(repo, [(last, [], [f'      - {{date: {DATE}, round: beijing-2018-05, note: "Xi: more later"}}'])])


def test_note_on_the_last_item(run, repo: Path, shipped: str) -> None:
    run_ok(run, "note", "US-CN-1", "[draft] # not a comment", "--date", DATE)
    last = len(shipped.splitlines())
    check(repo, [(last, [], [f'      - {{date: {DATE}, note: "[draft] # not a comment"}}'])])


def test_add_only_adds_at_the_end(run, repo: Path, shipped: str) -> None:
    run_ok(run, "add", "-p", "cn", "--title", "Buy: more", "--tag", "x", "--priority", "low", "--date", DATE)
    check(
        repo,
        [
            (
                len(shipped.splitlines()),
                [],
                [
                    "  - id: CN-8",
                    "    party: cn",
                    "    kind: demand",
                    '    title: "Buy: more"',
                    "    tags: [x]",
                    "    priority: low",
                    "    status: open",
                    "    history:",
                    f"      - {{date: {DATE}, status: open}}",
                ],
            )
        ],
    )


def test_remove_takes_only_the_items_lines(run, repo: Path, shipped: str) -> None:
    lines = shipped.splitlines()
    first = line_no(shipped, "  - id: US-9")
    end = lines.index("", first)  # the blank line after the item stays
    run_ok(run, "remove", "US-9", "--yes")
    check(repo, [(first, lines[first - 1 : end], [])])
    assert lines[end - 1].startswith("      - {date: 2018-05-03")


def test_remove_with_force_takes_the_links_too(run, repo: Path, shipped: str) -> None:
    lines = shipped.splitlines()
    first = line_no(shipped, "  - id: US-8")
    end = lines.index("", first)
    run_ok(run, "remove", "US-8", "--yes", "--force")
    cn6 = line_no(shipped, "    links:", after="  - id: CN-6")
    cn7 = line_no(shipped, "      - {rel: related, id: US-8}", after="  - id: CN-7")
    found = hunks(repo)
    assert found[0] == (first, lines[first - 1 : end], [])
    # CN-6's only link (under a four-line comment) goes and its list becomes []; CN-7 loses one line.
    assert found[1] == (cn6, lines[cn6 - 1 : cn6 + 5], ["    links: []"])
    assert found[2] == (cn7, ["      - {rel: related, id: US-8}"], [])
    assert len(found) == 3


def test_link_adds_one_line_to_a_list(run, repo: Path, shipped: str) -> None:
    run_ok(run, "link", "US-7", "conflicts-with", "CN-5")
    at = line_no(shipped, "      - {rel: related, id: CN-3}", after="  - id: US-7")
    check(repo, [(at, [], ["      - {rel: conflicts-with, id: CN-5}"])])


def test_link_without_links_adds_the_key(run, repo: Path, shipped: str) -> None:
    run_ok(run, "link", "US-4", "related", "US-5")
    # Where add writes links: after the source, before the history.
    at = line_no(shipped, "    history:", after="  - id: US-4") - 1
    check(repo, [(at, [], ["    links:", "      - {rel: related, id: US-5}"])])


def test_unlink_removes_one_line(run, repo: Path, shipped: str) -> None:
    run_ok(run, "unlink", "CN-1", "CN-2")
    at = line_no(shipped, "      - {rel: related, id: CN-2}", after="  - id: CN-1")
    check(repo, [(at, ["      - {rel: related, id: CN-2}"], [])])


@pytest.mark.parametrize(
    ("args", "old", "new"),
    [
        (
            ["--title", "IP: stronger"],
            ["    title: Strengthen intellectual property protections"],
            ['    title: "IP: stronger"'],
        ),
        (["--topic", ""], ["    topic: intellectual-property"], []),
        (["--add-tag", "no"], ["    tags: [ip]"], ["    tags: [ip, no]"]),
        (["--remove-tag", "ip"], ["    tags: [ip]"], ["    tags: []"]),
        (["--kind", "red-line"], ["    kind: demand"], ["    kind: red-line"]),
        (["--of", ""], ["    of: cn"], []),
    ],
)
def test_edit_changes_just_the_field_line(
    run, repo: Path, shipped: str, args: list[str], old: list[str], new: list[str]
) -> None:
    run_ok(run, "edit", "US-5", *args)
    at = line_no(shipped, old[0], after="  - id: US-5")
    check(repo, [(at, old, new)])


def test_edit_adds_a_missing_field_where_add_writes_it(run, repo: Path, shipped: str) -> None:
    run_ok(run, "edit", "US-5", "--priority", "high", "--due", "2019-01-01")
    # priority after tags (before status), due after status: the order add writes, not the item's end.
    at = line_no(shipped, "    status: open", after="  - id: US-5")
    check(repo, [(at - 1, [], ["    priority: high"]), (at, [], ["    due: 2019-01-01"])])


def test_edit_replaces_a_folded_text(run, repo: Path, shipped: str) -> None:
    run_ok(run, "edit", "US-1", "--text", "Short now")
    lines = shipped.splitlines()
    at = line_no(shipped, "    text: >-", after="  - id: US-1")
    check(repo, [(at, lines[at - 1 : at + 3], ["    text: Short now"])])


def test_failed_write_leaves_no_diff(run, repo: Path) -> None:
    r = run("mark", "US-1", "nonsense")
    assert r.exit_code == 2, r.output
    # Nothing at all: the data file is untouched and the lock leaves no file behind.
    assert git(repo, "status", "--porcelain", "--", "data") == ""


# --- a hand-written file -------------------------------------------------------------------------

HAND = """\
# Hand-written, with its own habits.
version: 1
title: 'Odd: layout'
parties:
    us:   {name: "United States", aliases: [usa]}
    cn:
        name: China
rounds:
-   id: r1
    date: 2020-01-01

demands:
# a comment at column 0 before the first item
-   id: US-1
    party: us
    title: "Quoted: title"   # trailing comment
    tags: [a, 'b']
    status: open
    links: [{rel: related, id: CN-1}]
    history:
    -   {date: 2020-01-01, status: open}

    # a comment between items, indented


-   {id: CN-1, party: cn, title: 'Flow item', status: open, history: [{date: 2020-01-01, status: open}]}
# a comment right above an item
-   id: CN-2
    party: "cn"
    title: >-
        Folded
        title
    status: 'open'
    history:
    -   date: 2020-01-01
        status: open
        note: "first: entry"
"""


#: After the hand-written file's last history entry (2020-01-01): these writes append.
LATER = "2020-06-01"


@pytest.fixture
def hand(repo: Path) -> str:
    commit(repo, HAND)
    return HAND


def test_hand_mark_block_item(run, repo: Path, hand: str) -> None:
    run_ok(run, "mark", "US-1", "agreed", "--date", LATER)
    check(
        repo,
        [
            (line_no(hand, "    status: open"), ["    status: open"], ["    status: agreed"]),
            (
                line_no(hand, "    -   {date: 2020-01-01, status: open}"),
                [],
                [f"    - {{date: {LATER}, status: agreed}}"],
            ),
        ],
    )


def test_hand_mark_flow_item(run, repo: Path, hand: str) -> None:
    run_ok(run, "mark", "CN-1", "met", "--date", LATER, "--note", "it's done")
    old = "-   {id: CN-1, party: cn, title: 'Flow item', status: open, history: [{date: 2020-01-01, status: open}]}"
    new = (
        "-   {id: CN-1, party: cn, title: 'Flow item', status: met, history: [{date: 2020-01-01, status: open}, "
        f"{{date: {LATER}, status: met, note: it's done}}]}}"
    )
    check(repo, [(line_no(hand, old), [old], [new])])


def test_hand_note_block_history_entry(run, repo: Path, hand: str) -> None:
    run_ok(run, "note", "CN-2", "second", "--date", LATER)
    check(repo, [(len(hand.splitlines()), [], [f"    -   date: {LATER}", "        note: second"])])


def test_hand_add_follows_the_items_layout(run, repo: Path, hand: str) -> None:
    run_ok(run, "add", "-p", "us", "--title", "x", "--date", DATE)
    check(
        repo,
        [
            (
                len(hand.splitlines()),
                [],
                [
                    "-   id: US-2",
                    "    party: us",
                    "    kind: demand",
                    "    title: x",
                    "    status: open",
                    "    history:",
                    f"      - {{date: {DATE}, status: open}}",
                ],
            )
        ],
    )


def test_hand_edit_flow_list_line(run, repo: Path, hand: str) -> None:
    run_ok(run, "edit", "US-1", "--add-tag", "c", "--remove-tag", "a", "--title", "Plain now")
    check(
        repo,
        [
            (
                line_no(hand, '    title: "Quoted: title"   # trailing comment'),
                ['    title: "Quoted: title"   # trailing comment', "    tags: [a, 'b']"],
                ["    title: Plain now   # trailing comment", "    tags: ['b', c]"],
            )
        ],
    )


def test_hand_link_changes_the_list_line(run, repo: Path, hand: str) -> None:
    run_ok(run, "link", "US-1", "responds-to", "CN-2")
    old = "    links: [{rel: related, id: CN-1}]"
    check(repo, [(line_no(hand, old), [old], ["    links: [{rel: related, id: CN-1}, {rel: responds-to, id: CN-2}]"])])


def test_hand_edit_folded_title(run, repo: Path, hand: str) -> None:
    run_ok(run, "edit", "CN-2", "--title", "Unfolded")
    at = line_no(hand, "    title: >-")
    check(repo, [(at, ["    title: >-", "        Folded", "        title"], ["    title: Unfolded"])])


def test_hand_remove_block_item(run, repo: Path, hand: str) -> None:
    run_ok(run, "remove", "CN-2", "--yes")
    lines = hand.splitlines()
    at = line_no(hand, "-   id: CN-2")
    check(repo, [(at, lines[at - 1 :], [])])


def test_hand_remove_flow_item_with_force(run, repo: Path, hand: str) -> None:
    run_ok(run, "remove", "CN-1", "--yes", "--force")
    flow = "-   {id: CN-1, party: cn, title: 'Flow item', status: open, history: [{date: 2020-01-01, status: open}]}"
    check(
        repo,
        [
            (
                line_no(hand, "    links: [{rel: related, id: CN-1}]"),
                ["    links: [{rel: related, id: CN-1}]"],
                ["    links: []"],
            ),
            (line_no(hand, flow), [flow], []),
        ],
    )
