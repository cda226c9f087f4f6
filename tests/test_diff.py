"""`demands diff` between versions in real git repositories, `demands log`, and `--as-of`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import demands_cmd

ITEM_KEYS = {"id", "title", "changes"}
CHANGE_KEYS = {"field", "old", "new"}


# --- helpers --------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture
def isolated_git(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user or system git configuration, no repository above the workspace."""
    for name in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(name, "Test Analyst")
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(name, "analyst@example.org")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(workspace / ".no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(workspace.parent))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    return workspace


@pytest.fixture
def repo(isolated_git: Path, run) -> Path:
    """The workspace as a git repository with this history (HEAD = main):

    bare   seeds only, no data file
    v1     the shipped data set
    c2     US-3 marked rejected on 2018-05-10             (branch ``alt`` points here)
    c3     US-10 added on 2018-05-20, a note on CN-1 on 2018-05-21
    """
    ws = isolated_git
    git(ws, "init", "-q", "-b", "main")
    # The write lock sits next to the file (lock.py); keep it out of `git status`.
    (ws / ".gitignore").write_text(".state/\n.cache/\n.*.lock\n")
    git(ws, "add", "seeds", ".gitignore")
    git(ws, "commit", "-q", "-m", "seeds")
    git(ws, "tag", "bare")
    git(ws, "add", "data")
    git(ws, "commit", "-q", "-m", "v1")
    git(ws, "tag", "v1")
    r = run("mark", "US-3", "rejected", "--note", "Refused outright", "--date", "2018-05-10")
    assert r.exit_code == 0, r.output
    git(ws, "commit", "-q", "-am", "c2")
    git(ws, "branch", "alt")
    r = run("add", "--party", "us", "--title", "Buy more soybeans", "--date", "2018-05-20")
    assert (r.exit_code, r.stdout) == (0, "US-10\n"), r.output
    r = run("note", "CN-1", "Follow-up call", "--date", "2018-05-21")
    assert r.exit_code == 0, r.output
    git(ws, "commit", "-q", "-am", "c3")
    assert git(ws, "status", "--porcelain") == ""
    return ws


def diff_json(run, *args: str) -> dict:
    r = run("diff", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    assert r.stderr == "", r.output
    result = json.loads(r.stdout)
    check_contract(result)
    return result


def check_contract(result: dict) -> None:
    assert set(result) == {"old", "new", "added", "removed", "changed"}, result
    assert isinstance(result["old"], str) and isinstance(result["new"], str)
    for key in ("added", "removed"):
        assert all(isinstance(item, dict) and "id" in item and "title" in item for item in result[key]), result
    for change in result["changed"]:
        assert set(change) == ITEM_KEYS, change
        assert change["changes"], change
        for c in change["changes"]:
            assert set(c) == CHANGE_KEYS, c


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


US3_CHANGES = [
    {"field": "status", "old": "open", "new": "rejected"},
    {
        "field": "history",
        "old": None,
        "new": [{"date": "2018-05-10", "status": "rejected", "note": "Refused outright"}],
    },
]
CN1_CHANGES = [{"field": "history", "old": None, "new": [{"date": "2018-05-21", "note": "Follow-up call"}]}]
US3_TITLE = "Accept US import restrictions on Made in China 2025 industries"
CN1_TITLE = "Relax restrictions on exports of dual-use high-tech goods"


# --- versions from git ------------------------------------------------------------------------


def test_no_argument_compares_working_file_with_head(repo: Path, run, data_file: Path) -> None:
    clean = diff_json(run)
    assert clean == {"old": "HEAD:data/demands.yaml", "new": str(data_file), "added": [], "removed": [], "changed": []}

    r = run("mark", "US-4", "discussing", "--date", "2018-06-01")
    assert r.exit_code == 0, r.output
    result = diff_json(run)
    assert result["old"] == "HEAD:data/demands.yaml"
    assert result["changed"] == [
        {
            "id": "US-4",
            "title": "Halt cyberespionage into US commercial networks",
            "changes": [
                {"field": "status", "old": "open", "new": "discussing"},
                {"field": "history", "old": None, "new": [{"date": "2018-06-01", "status": "discussing"}]},
            ],
        }
    ]
    assert result["added"] == result["removed"] == []


def test_one_revision_against_working_file(repo: Path, run) -> None:
    # HEAD~1 is c2: since then US-10 was added and CN-1 got a note.
    result = diff_json(run, "HEAD~1")
    assert result["old"] == "HEAD~1:data/demands.yaml"
    assert ids(result["added"]) == ["US-10"]
    assert result["added"][0]["title"] == "Buy more soybeans"
    assert result["removed"] == []
    assert result["changed"] == [{"id": "CN-1", "title": CN1_TITLE, "changes": CN1_CHANGES}]


def test_tag_against_working_file_lists_status_changes_first(repo: Path, run) -> None:
    result = diff_json(run, "v1")
    assert result["old"] == "v1:data/demands.yaml"
    assert ids(result["added"]) == ["US-10"]
    # US-3 changed status, CN-1 only got a note: US-3 comes first although CN-1 sorts before it.
    assert result["changed"] == [
        {"id": "US-3", "title": US3_TITLE, "changes": US3_CHANGES},
        {"id": "CN-1", "title": CN1_TITLE, "changes": CN1_CHANGES},
    ]


def test_branch_against_working_file(repo: Path, run) -> None:
    result = diff_json(run, "alt")
    assert result["old"] == "alt:data/demands.yaml"
    assert ids(result["added"]) == ["US-10"]
    assert ids(result["changed"]) == ["CN-1"]


def test_rev_colon_path(repo: Path, run) -> None:
    result = diff_json(run, "v1:data/demands.yaml")
    assert result["old"] == "v1:data/demands.yaml"
    assert ids(result["changed"]) == ["US-3", "CN-1"]
    assert ids(result["added"]) == ["US-10"]


def test_rev_colon_path_from_a_subdirectory_is_relative_to_the_top_like_git(
    repo: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "data")
    assert ids(diff_json(run, "v1:data/demands.yaml")["changed"]) == ["US-3", "CN-1"]
    # ./path is relative to the current directory, as in git.
    assert ids(diff_json(run, "v1:./demands.yaml")["changed"]) == ["US-3", "CN-1"]


def test_plain_file_path_against_working_file(repo: Path, run, workspace: Path) -> None:
    old = workspace / "old.yaml"
    old.write_text(git(repo, "show", "v1:data/demands.yaml"), encoding="utf-8")
    result = diff_json(run, "old.yaml")
    assert result["old"] == "old.yaml"
    assert ids(result["changed"]) == ["US-3", "CN-1"]
    assert ids(result["added"]) == ["US-10"]


def test_two_revisions(repo: Path, run) -> None:
    result = diff_json(run, "v1", "HEAD~1")
    assert (result["old"], result["new"]) == ("v1:data/demands.yaml", "HEAD~1:data/demands.yaml")
    assert result["changed"] == [{"id": "US-3", "title": US3_TITLE, "changes": US3_CHANGES}]
    assert result["added"] == result["removed"] == []

    backwards = diff_json(run, "HEAD", "v1")
    assert ids(backwards["removed"]) == ["US-10"]
    assert backwards["added"] == []
    # Going back, the history entries disappear: the whole history is the change.
    us3 = backwards["changed"][0]
    assert us3["id"] == "US-3"
    assert us3["changes"][0] == {"field": "status", "old": "rejected", "new": "open"}


def test_two_file_paths_outside_any_repository(isolated_git: Path, run, workspace: Path, data_file: Path) -> None:
    old = workspace / "old.yaml"
    shutil.copy(data_file, old)
    r = run("remove", "US-9", "--yes")
    assert r.exit_code == 0, r.output
    new = workspace / "new.yaml"
    shutil.copy(data_file, new)
    result = diff_json(run, "old.yaml", "new.yaml")
    assert (result["old"], result["new"]) == ("old.yaml", "new.yaml")
    assert ids(result["removed"]) == ["US-9"]
    assert result["removed"][0]["title"] == "Meet every quarter to review progress"
    assert result["added"] == result["changed"] == []


def test_removed_item_in_working_file(repo: Path, run) -> None:
    r = run("remove", "US-9", "--yes")
    assert r.exit_code == 0, r.output
    result = diff_json(run)
    assert ids(result["removed"]) == ["US-9"]
    assert result["added"] == result["changed"] == []


# --- formats ------------------------------------------------------------------------------------


def test_table_format(repo: Path, run) -> None:
    r = run("diff", "v1")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "--- v1:data/demands.yaml", r.output
    assert lines[1].startswith("+++ ") and lines[1].endswith("data/demands.yaml"), r.output
    body = "\n".join(lines[2:])
    assert body.index("US-3") < body.index("CN-1") < body.index("US-10"), r.output
    assert "toward closure" in body
    assert "open → rejected" in body
    assert "Refused outright" in body
    assert "Follow-up call" in body
    assert lines[-1] == "2 changed, 1 added, 0 removed", r.output


def test_table_format_without_differences(repo: Path, run) -> None:
    r = run("diff")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == "no differences", r.output


def test_markdown_format(repo: Path, run) -> None:
    from markdown_it import MarkdownIt

    r = run("diff", "v1", "--format", "markdown")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("## Changes: v1:data/demands.yaml → "), r.output
    for heading in ("### Changed", "### Added"):
        assert heading in r.stdout.splitlines(), r.output
    assert "### Removed" not in r.stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(r.stdout)
    assert sum(t.type == "table_open" for t in tokens) == 2, r.output
    changed = r.stdout.split("### Changed")[1].split("### Added")[0]
    assert (
        "| US-3 | Accept US import restrictions on Made in China 2025 industries | status | open | rejected (toward closure) |"
        in changed
    ), r.output
    assert changed.index("US-3") < changed.index("CN-1")

    r = run("diff", "--format", "markdown")
    assert r.exit_code == 0, r.output
    assert r.stdout.endswith("No differences.\n"), r.output


# --- from history in one file -----------------------------------------------------------------


def test_since_date_rebuilds_the_change_from_history(repo: Path, run, data_file: Path) -> None:
    result = diff_json(run, "--since", "2018-05-10")
    assert result["old"] == "before 2018-05-10"
    assert result["new"] == f"{data_file} (now)"
    assert ids(result["added"]) == ["US-10"]
    assert result["changed"] == [
        {"id": "US-3", "title": US3_TITLE, "changes": US3_CHANGES},
        {"id": "CN-1", "title": CN1_TITLE, "changes": CN1_CHANGES},
    ]
    later = diff_json(run, "--since", "2018-05-21")
    assert later["changed"] == [{"id": "CN-1", "title": CN1_TITLE, "changes": CN1_CHANGES}]
    assert later["added"] == []
    assert diff_json(run, "--since", "2018-05-22")["changed"] == []


def test_round_rebuilds_the_change_since_the_round_began(run) -> None:
    result = diff_json(run, "--round", "beijing-2018-05")
    assert result["old"] == "before beijing-2018-05 (2018-05-03)"
    # Everything in the shipped file was tabled (or agreed) in that round.
    assert len(result["added"]) == 17
    assert ids(result["added"])[:2] == ["CN-1", "CN-2"]
    assert result["removed"] == result["changed"] == []


def test_since_after_the_round_shows_the_objections(run) -> None:
    result = diff_json(run, "--since", "2018-05-04")
    assert ids(result["changed"]) == ["US-1", "US-2"]
    assert result["changed"][0]["changes"][0] == {"field": "status", "old": "open", "new": "contested"}
    # The joint statement was first reported on the second day.
    assert ids(result["added"]) == ["US-CN-1"]


def test_since_and_versions_together_is_a_usage_error(repo: Path, run) -> None:
    r = run("diff", "v1", "--since", "2018-05-10")
    assert r.exit_code == 2, r.output
    assert r.stderr == "demands: give versions or --since/--round, not both\n", r.output


def test_bad_since_date_and_unknown_round(run) -> None:
    r = run("diff", "--since", "2018-13-01")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("demands: bad date '2018-13-01' for --since"), r.output
    r = run("diff", "--round", "geneva")
    assert r.exit_code == 2, r.output
    assert r.stderr == "demands: unknown round 'geneva'; rounds held: beijing-2018-05\n", r.output


# --- --exit-code ------------------------------------------------------------------------------


def test_exit_code(repo: Path, run) -> None:
    r = run("diff", "--exit-code")
    assert r.exit_code == 0, r.output
    r = run("diff", "HEAD", "HEAD", "--exit-code", "--format", "json")
    assert r.exit_code == 0, r.output
    r = run("diff", "v1", "--exit-code")
    assert r.exit_code == 1, r.output
    assert "US-3" in r.stdout, r.output  # the diff is still shown
    r = run("diff", "v1", "--exit-code", "--format", "json")
    assert r.exit_code == 1, r.output
    assert ids(json.loads(r.stdout)["added"]) == ["US-10"]
    r = run("diff", "--since", "2018-05-10", "--exit-code")
    assert r.exit_code == 1, r.output
    r = run("diff", "--since", "2030-01-01", "--exit-code")
    assert r.exit_code == 0, r.output
    # Without --exit-code a difference is still success.
    assert run("diff", "v1").exit_code == 0


def test_installed_script_exit_code(repo: Path) -> None:
    r = demands_cmd("diff", "v1", "--exit-code", "-o", "json", cwd=repo)
    assert r.returncode == 1, r.stderr
    assert ids(json.loads(r.stdout)["changed"]) == ["US-3", "CN-1"]
    r = demands_cmd("diff", "--exit-code", cwd=repo)
    assert r.returncode == 0, r.stderr


# --- errors -----------------------------------------------------------------------------------


def one_line_error(r, code: int = 1) -> str:
    assert r.exit_code == code, r.output
    assert r.stdout == "", r.output
    assert r.stderr.endswith("\n") and r.stderr.count("\n") == 1, r.output
    assert "Traceback" not in r.stderr
    return r.stderr.rstrip("\n")


def test_not_a_git_repository(isolated_git: Path, run, data_file: Path) -> None:
    message = one_line_error(run("diff"))
    assert message == (
        f"demands: 'HEAD' is not a file, and {data_file.parent.resolve()} is not in a git repository; "
        "give a file path or run inside the repository"
    )
    message = one_line_error(run("diff", "v1"))
    assert message.startswith("demands: 'v1' is not a file, and "), message


def test_unknown_revision(repo: Path, run) -> None:
    message = one_line_error(run("diff", "no-such-rev"))
    assert message == f"demands: unknown revision 'no-such-rev': not a commit, branch or tag in {repo.resolve()}"
    message = one_line_error(run("diff", "v1", "nope:data/demands.yaml"))
    assert message == f"demands: unknown revision 'nope': not a commit, branch or tag in {repo.resolve()}"


def test_file_absent_at_revision(repo: Path, run) -> None:
    message = one_line_error(run("diff", "bare"))
    assert message == "demands: data/demands.yaml does not exist at revision 'bare'"
    message = one_line_error(run("diff", "v1:data/other.yaml"))
    assert message == "demands: data/other.yaml does not exist at revision 'v1'"


def test_version_that_does_not_parse(repo: Path, run, data_file: Path) -> None:
    good = data_file.read_bytes()
    data_file.write_text("version: 1\ntitle: broken\nparties: {us: {name: US}\ndemands: [\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    git(repo, "tag", "broken")
    data_file.write_bytes(good)
    message = one_line_error(run("diff", "broken"))
    assert message.startswith("demands: broken:data/demands.yaml does not load: "), message
    message = one_line_error(run("diff", "broken", "v1"))
    assert message.startswith("demands: broken:data/demands.yaml does not load: "), message


def test_version_that_is_not_utf8(repo: Path, run, data_file: Path) -> None:
    good = data_file.read_bytes()
    data_file.write_bytes(b"version: 1\ntitle: \xff\xfe\n")
    git(repo, "commit", "-q", "-am", "binary")
    data_file.write_bytes(good)
    message = one_line_error(run("diff", "HEAD"))
    assert (
        message
        == "demands: HEAD:data/demands.yaml does not load: HEAD:data/demands.yaml:2:1: not UTF-8 (byte 0xff); save the file as UTF-8"
    )


def test_failed_diff_never_changes_the_file(repo: Path, run, data_file: Path) -> None:
    before = data_file.read_bytes()
    for args in (("no-such-rev",), ("bare",), ("v1", "--since", "2018-01-01")):
        assert run("diff", *args).exit_code != 0
    assert data_file.read_bytes() == before


# --- log --------------------------------------------------------------------------------------


def log_json(run, *args: str) -> list[dict]:
    r = run("log", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    records = json.loads(r.stdout)
    assert isinstance(records, list)
    for record in records:
        assert {"id", "date"} <= set(record) <= {"id", "date", "status", "note", "round", "source"}, record
        assert all(value not in (None, "") for value in record.values()), record
    dates = [rec["date"] for rec in records]
    assert dates == sorted(dates, reverse=True), dates
    return records


def test_log_newest_first(run) -> None:
    records = log_json(run)
    assert len(records) == 19
    assert records[:3] == [
        {
            "id": "US-CN-1",
            "date": "2018-05-04",
            "status": "agreed",
            "note": "Reported by Xinhua soon after the talks ended; the US side released no statement.",
            "round": "beijing-2018-05",
        },
        {
            "id": "US-2",
            "date": "2018-05-04",
            "status": "contested",
            "note": "Chinese officials said they would not agree to any limits on the Made in China program (see CN-4); "
            "the US is not backing down.",
            "round": "beijing-2018-05",
            "source": {
                "doc": "seeds/000_d2207b9ab7e38b47.txt",
                "quote": "have said they would not agree to any limits on the Made in China program",
            },
        },
        {
            "id": "US-1",
            "date": "2018-05-04",
            "status": "contested",
            "note": "China objected to any specific cut in the bilateral surplus (see CN-5); the US is not backing down.",
            "round": "beijing-2018-05",
            "source": {
                "doc": "seeds/000_d2207b9ab7e38b47.txt",
                "quote": "They also objected to United States demands for a specific cut in the bilateral surplus.",
            },
        },
    ]
    assert records[-1] == {
        "id": "US-1",
        "date": "2018-05-03",
        "status": "open",
        "note": "Tabled in Beijing",
        "round": "beijing-2018-05",
    }


def test_log_after_writes(repo: Path, run) -> None:
    records = log_json(run, "--limit", "3")
    assert records == [
        {"id": "CN-1", "date": "2018-05-21", "note": "Follow-up call"},
        {"id": "US-10", "date": "2018-05-20", "status": "open"},
        {"id": "US-3", "date": "2018-05-10", "status": "rejected", "note": "Refused outright"},
    ]


def test_log_filters(run) -> None:
    assert [(r["id"], r["date"]) for r in log_json(run, "--since", "2018-05-04")] == [
        ("US-CN-1", "2018-05-04"),
        ("US-2", "2018-05-04"),
        ("US-1", "2018-05-04"),
    ]
    until = log_json(run, "--until", "2018-05-03")
    assert len(until) == 16 and {r["date"] for r in until} == {"2018-05-03"}
    assert log_json(run, "--since", "2018-05-05") == []
    assert log_json(run, "--until", "2018-05-02") == []
    cn = log_json(run, "--party", "China")
    # China's items, and the agreement it is a party to
    assert [r["id"] for r in cn] == ["US-CN-1", *(f"CN-{n}" for n in range(7, 0, -1))]
    assert log_json(run, "--party", "PRC") == cn
    both = log_json(run, "--party", "cn", "--party", "us")
    assert len(both) == 19
    assert len(log_json(run, "--round", "beijing-2018-05")) == 19
    assert [r["id"] for r in log_json(run, "--limit", "3")] == ["US-CN-1", "US-2", "US-1"]
    assert log_json(run, "--limit", "0") == []
    combined = log_json(run, "--party", "us", "--since", "2018-05-03", "--until", "2018-05-03", "--limit", "2")
    assert [r["id"] for r in combined] == ["US-9", "US-8"]


def test_log_round_filter_excludes_entries_without_round(repo: Path, run) -> None:
    records = log_json(run, "--round", "beijing-2018-05")
    assert len(records) == 19
    assert all(r["round"] == "beijing-2018-05" for r in records)
    assert log_json(run, "--since", "2018-05-10", "--round", "beijing-2018-05") == []


def test_log_bad_options(run) -> None:
    r = run("log", "--party", "mars")
    assert r.exit_code == 2, r.output
    assert r.stderr == "demands: unknown party 'mars'; known parties: us (United States), cn (China)\n", r.output
    r = run("log", "--since", "May 4")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("demands: bad date 'May 4' for --since"), r.output
    r = run("log", "--round", "geneva")
    assert r.exit_code == 2, r.output
    r = run("log", "--limit", "-1")
    assert r.exit_code == 2, r.output


def test_log_table(run) -> None:
    r = run("log", "--limit", "3")
    assert r.exit_code == 0, r.output
    header = r.stdout.splitlines()[0]
    # A source column, as entries in these rows cite their sources
    assert re.findall(r"\w+", header) == ["date", "id", "status", "round", "note", "source"], r.output
    rows = [line for line in r.stdout.splitlines() if re.match(r"^\d{4}-\d{2}-\d{2} ", line)]
    assert [re.split(r"\s+│\s+|\s+", row)[1] for row in rows] == ["US-CN-1", "US-2", "US-1"], r.output
    r = run("log", "--until", "2018-05-03", "--limit", "2")
    assert re.findall(r"\w+", r.stdout.splitlines()[0]) == ["date", "id", "status", "round", "note"], r.output

    r = run("log", "--since", "2030-01-01")
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert r.stderr == "no history entries match\n", r.output


def test_log_markdown(run) -> None:
    r = run("log", "--limit", "2", "--format", "markdown", "--party", "us", "--since", "2018-05-04")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[:3] == [
        "| date | id | status | round | note | source |",
        "|---|---|---|---|---|---|",
        "| 2018-05-04 | US-CN-1 | agreed | beijing-2018-05 | Reported by Xinhua soon after the talks ended; the US side released no statement. |   |",
    ], r.output
    assert r.stdout.splitlines()[3].endswith(" | seeds/000\\_d2207b9ab7e38b47.txt |"), r.output
    assert len(r.stdout.splitlines()) == 4


# --- --as-of ----------------------------------------------------------------------------------


def list_json(run, *args: str) -> list[dict]:
    r = run("list", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_as_of_list(run) -> None:
    items = {i["id"]: i for i in list_json(run, "--as-of", "2018-05-03")}
    assert len(items) == 16  # the agreement came on the second day
    assert items["US-1"]["status"] == "open"
    assert items["US-1"]["history"] == [
        {"date": "2018-05-03", "status": "open", "round": "beijing-2018-05", "note": "Tabled in Beijing"}
    ]
    assert {i["status"] for i in items.values()} == {"open"}

    items = {i["id"]: i for i in list_json(run, "--as-of", "2018-05-04")}
    assert items["US-1"]["status"] == "contested"
    assert items["US-2"]["status"] == "contested"
    assert items["US-CN-1"]["status"] == "agreed"
    assert len(items["US-1"]["history"]) == 2

    assert list_json(run, "--as-of", "2018-01-01") == []
    r = run("list", "--as-of", "2018-01-01", "--format", "ids")
    assert (r.exit_code, r.stdout) == (0, ""), r.output

    contested = list_json(run, "--as-of", "2018-05-03", "--status", "contested")
    assert contested == []
    assert [i["id"] for i in list_json(run, "--as-of", "2018-05-04", "--status", "contested")] == ["US-1", "US-2"]
    assert list_json(run, "--as-of", "2018-05-04", "--closed") == []  # nothing in the shipped file is closed


def test_as_of_hides_items_raised_later(repo: Path, run) -> None:
    # US-10 was added on 2018-05-20 (in the repo fixture).
    ids_then = [i["id"] for i in list_json(run, "--as-of", "2018-05-19")]
    assert "US-10" not in ids_then and len(ids_then) == 17
    assert "US-10" in [i["id"] for i in list_json(run, "--as-of", "2018-05-20")]
    items = {i["id"]: i for i in list_json(run, "--as-of", "2018-05-09")}
    assert items["US-3"]["status"] == "open"
    items = {i["id"]: i for i in list_json(run, "--as-of", "2018-05-10")}
    assert items["US-3"]["status"] == "rejected"


def test_as_of_show(run) -> None:
    r = run("show", "US-1", "--as-of", "2018-05-03", "--format", "json")
    assert r.exit_code == 0, r.output
    (record,) = json.loads(r.stdout)
    assert record["status"] == "open"
    assert len(record["history"]) == 1

    r = run("show", "US-1", "--as-of", "2018-05-04", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["status"] == "contested"

    r = run("show", "US-1", "--as-of", "2018-05-03")
    assert r.exit_code == 0, r.output
    assert "contested" not in r.stdout, r.output
    assert "Tabled in Beijing" in r.stdout
    assert "China objected" not in r.stdout

    r = run("show", "US-1", "--as-of", "2018-01-01")
    assert r.exit_code == 1, r.output
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "US-1" in r.stderr, r.output


def test_as_of_summary(run) -> None:
    def summary(when: str) -> dict:
        r = run("summary", "--as-of", when, "--format", "json")
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)

    early = summary("2018-05-03")
    assert (early["total"], early["closed"]) == (16, 0)
    assert early["parties"][0]["counts"] == {"open": 9}
    late = summary("2018-05-04")
    assert (late["total"], late["closed"]) == (17, 0)
    assert late["parties"][0]["counts"] == {"open": 7, "contested": 2, "agreed": 1}
    nothing = summary("2018-01-01")
    assert (nothing["total"], nothing["closed"]) == (0, 0)

    r = run("summary", "--as-of", "2018-05-03")
    assert r.exit_code == 0, r.output
    assert "rejected" not in r.stdout, r.output


def test_as_of_bad_date(run) -> None:
    for command in (("list",), ("show", "US-1"), ("summary",), ("brief",)):
        r = run(*command, "--as-of", "2018-02-30")
        assert r.exit_code == 2, r.output
        assert r.stderr.startswith("demands: bad date '2018-02-30' for --as-of"), r.output


def test_as_of_does_not_change_the_file(run, data_file: Path) -> None:
    before = data_file.read_bytes()
    run("list", "--as-of", "2018-05-03")
    run("summary", "--as-of", "2018-01-01")
    assert data_file.read_bytes() == before


def test_nested_values_read_as_flow_yaml_not_python(repo: Path, run) -> None:
    r = run("progress", "US-1", "50000000000", "--date", "2019-06-01", "--note", "first year")
    assert r.exit_code == 0, r.output
    result = diff_json(run)
    (change,) = result["changed"]
    assert change["changes"] == [
        {
            "field": "target",
            "old": {
                "amount": 200000000000,
                "unit": "USD",
                "by": "2020-06-01",
                "metric": "reduction of the US trade deficit with China (China's bilateral surplus)",
            },
            "new": {
                "amount": 200000000000,
                "unit": "USD",
                "by": "2020-06-01",
                "metric": "reduction of the US trade deficit with China (China's bilateral surplus)",
                "progress": [{"date": "2019-06-01", "amount": 50000000000, "note": "first year"}],
            },
        }
    ]
    expected = "progress: [{date: 2019-06-01, amount: 50000000000, note: first year}]"
    for fmt in ("table", "markdown"):
        r = run("diff", "--format", fmt)
        assert r.exit_code == 0, r.output
        flat = " ".join(r.stdout.split())
        assert "{'" not in flat and "':" not in flat, r.stdout
        assert expected in flat.replace("\\", ""), r.stdout
