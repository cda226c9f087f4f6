"""The merge driver never duplicates an item.

An item identical on both sides is one; one that both sides added where one side has more (a
note, progress, a tag) is one item, merged field by field; only truly different items are
renumbered, and which are which is decided before any link is rewritten (no cascade). Real
``git merge`` and ``git cherry-pick`` with PATH reduced to /usr/bin:/bin, and git's add/add case
(an empty BASE).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT, demands_cmd
from test_merge import BASE, CN_1, NAME, git, repo, template  # noqa: F401 - fixtures
from tradedemands.merge import merge
from tradedemands.merger import MISSING, one_entry


def ok(run: Any, *args: str) -> None:
    r = run(*args)
    assert r.exit_code == 0, r.output


def listed(folder: Path) -> list[tuple[str, str, Any, list[Any]]]:
    """(id, title, links, notes) of every CN item from CN-8 on, as `demands list -o json` gives them."""
    done = demands_cmd("list", "-p", "cn", "-o", "json", "--file", NAME, cwd=folder)
    assert done.returncode == 0, done.stderr
    return [
        (i["id"], i["title"], i.get("links"), [h.get("note") for h in i["history"]])
        for i in json.loads(done.stdout)
        if i["id"].startswith("CN-") and int(i["id"][3:]) >= 8
    ]


def test_a_cherry_picked_pair_then_a_note_merges_as_one_of_each(run: Any, repo: Path) -> None:  # noqa: F811
    """The review's path: CN-8 and CN-9 (CN-9 responds to CN-8) cherry-picked onto main; a note
    on CN-8 on the branch. The merge keeps one CN-8 (with the note) and one CN-9."""
    git(repo, "checkout", "-q", "-b", "feature")
    ok(run, "add", "--party", "cn", "--title", "Lift ZTE ban", "--date", "2018-05-20")
    ok(run, "add", "--party", "cn", "--title", "Follow-up on ZTE", "--date", "2018-05-20")
    ok(run, "link", "CN-9", "responds-to", "CN-8")
    git(repo, "commit", "-q", "-am", "add CN-8, CN-9")
    ok(run, "note", "CN-8", "Commerce says no", "--date", "2018-05-21")
    git(repo, "commit", "-q", "-am", "note on CN-8")
    git(repo, "checkout", "-q", "main")
    ok(run, "note", "US-1", "main work", "--date", "2018-05-21")
    git(repo, "commit", "-q", "-am", "main1")
    git(repo, "cherry-pick", "feature~1")
    done = git(repo, "merge", "--no-edit", "feature", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "renumbered" not in done.stderr
    assert f"demands merge-driver: {NAME}: merged 1 change from theirs, no conflicts" in done.stderr
    assert listed(repo) == [
        ("CN-8", "Lift ZTE ban", None, [None, "Commerce says no"]),
        ("CN-9", "Follow-up on ZTE", [{"rel": "responds-to", "id": "CN-8"}], [None]),
    ]
    assert demands_cmd("validate", "--file", NAME, cwd=repo).returncode == 0


def test_an_empty_base_keeps_items_alike_on_both_sides_as_one(run: Any, tmp_path: Path) -> None:
    """git's add/add: both created the file. Notes on US-1 and US-2 merge; nothing is renumbered."""
    for side, item in (("ours", "US-1"), ("theirs", "US-2")):
        path = tmp_path / f"{side}.yaml"
        path.write_bytes((ROOT / "data" / "demands.yaml").read_bytes())
        ok(run, "note", item, f"{side} note", "--date", "2018-05-21", "--file", str(path))
    (tmp_path / "empty").write_text("", encoding="utf-8")
    r = run("merge-driver", str(tmp_path / "empty"), str(tmp_path / "ours.yaml"), str(tmp_path / "theirs.yaml"))
    assert (r.exit_code, r.stderr) == (
        0,
        f"demands merge-driver: {tmp_path / 'ours.yaml'}: merged 1 change from theirs, no conflicts\n",
    )
    merged = json.loads(run("list", "-o", "json", "--file", str(tmp_path / "ours.yaml")).stdout)
    assert len(merged) == 17
    notes = {i["id"]: i["history"][-1].get("note") for i in merged}
    assert (notes["US-1"], notes["US-2"]) == ("ours note", "theirs note")


def test_both_added_one_with_more_is_merged_field_by_field() -> None:
    ours = BASE + CN_1
    theirs = BASE + CN_1.replace(
        "      - {date: 2018-05-04, status: open}\n",
        "      - {date: 2018-05-04, status: open}\n      - {date: 2018-05-06, status: rejected, note: No}\n",
    ).replace("    status: open\n", "    status: rejected\n    tags: [zte]\n")
    result = merge(BASE, ours, theirs)
    assert (result.conflicts, result.renumbered) == ([], [])
    assert yaml.safe_load(result.text) == yaml.safe_load(theirs)  # one CN-1: theirs' note, status and tag
    assert result.text.count("id: CN-1") == 1


def test_truly_different_items_are_still_two() -> None:
    theirs = BASE + CN_1.replace("Lift the ZTE ban", "Buy soybeans")
    result = merge(BASE, BASE + CN_1, theirs)
    assert result.renumbered == [("CN-1", "CN-2")]


def test_one_entry() -> None:
    item = {"id": "CN-1", "title": "t", "status": "open", "history": [{"date": "2018-05-04", "status": "open"}]}
    later = {**item, "status": "agreed", "history": [*item["history"], {"date": "2018-05-05", "status": "agreed"}]}
    assert one_entry(item, dict(item))
    assert one_entry(item, later)  # status follows the merged history
    assert one_entry(item, {**item, "tags": ["x"]})  # a field on one side only
    assert one_entry({**item, "tags": ["a"]}, {**item, "tags": ["b"]})  # lists merge as sets
    assert not one_entry(item, {**item, "title": "other"})
    assert not one_entry({**item, "due": None}, {**item, "due": "2020-01-01"})
    assert not one_entry({"id": "X", "status": "open"}, {"id": "X", "status": "agreed"})  # no history says which
    assert one_entry(MISSING, item)
