"""History is a dated timeline: back-dated entries go in their place by date, and every answer
(status, --as-of, log, diff --since, the brief, the merge driver) is by date, never by position.

On the shipped file US-1 was tabled on 2018-05-03 (open) and contested on 2018-05-04. Today's
code appended a back-dated ``mark`` after the 05-04 entry and made it the current status.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEMANDS, ROOT, demands_cmd
from tradedemands import changes as ops
from tradedemands import delta, document, timeline, transaction

US_1 = [
    {"date": "2018-05-03", "status": "open", "round": "beijing-2018-05", "note": "Tabled in Beijing"},
    {
        "date": "2018-05-04",
        "status": "contested",
        "round": "beijing-2018-05",
        "note": "China objected to any specific cut in the bilateral surplus (see CN-5); the US is not backing down.",
        "source": {
            "doc": "seeds/000_d2207b9ab7e38b47.txt",
            "quote": "They also objected to United States demands for a specific cut in the bilateral surplus.",
        },
    },
]


def demands(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``demands``, on the workspace's file (found through $DEMANDS_FILE)."""
    return demands_cmd(*args, cwd=cwd)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def statuses_as_of(run: Any, day: str) -> dict[str, str]:
    return {i["id"]: i["status"] for i in json.loads(run("list", "--as-of", day, "-o", "json").stdout)}


# --- mark, note and progress put a back-dated entry in its place -------------------------------


def test_a_back_dated_mark_goes_in_its_place_and_the_status_stays(run, data_file: Path) -> None:
    done = demands("mark", "US-1", "discussing", "--date", "2018-05-01", "--note", "Talks about talks")
    assert (done.returncode, done.stderr) == (
        0,
        "US-1: discussing on 2018-05-01 recorded in its place by date; status stays contested (set on 2018-05-04)\n",
    )
    item = document.load(data_file).item("US-1")
    assert item["status"] == "contested"
    assert item["history"] == [{"date": "2018-05-01", "status": "discussing", "note": "Talks about talks"}, *US_1]
    # Every dated answer now agrees with the timeline.
    listed = json.loads(ok(demands("list", "--as-of", "2018-05-04", "-o", "json")))
    assert next(i["status"] for i in listed if i["id"] == "US-1") == "contested"
    assert statuses_as_of(run, "2018-05-03")["US-1"] == "open"
    assert statuses_as_of(run, "2018-05-02")["US-1"] == "discussing"
    assert "US-1" not in statuses_as_of(run, "2018-04-30")
    changes = json.loads(ok(demands("diff", "--since", "2018-05-02", "-o", "json")))["changed"]
    us_1 = next(c for c in changes if c["id"] == "US-1")
    assert us_1["changes"] == [
        {"field": "status", "old": "discussing", "new": "contested"},
        {"field": "history", "old": None, "new": US_1},
    ]
    log = json.loads(run("log", "--since", "2018-05-01", "--party", "us", "-o", "json").stdout)
    assert [(r["id"], r["date"]) for r in log if r["id"] == "US-1"] == [
        ("US-1", "2018-05-04"),
        ("US-1", "2018-05-03"),
        ("US-1", "2018-05-01"),
    ]
    brief = run("brief", "--since", "2018-05-02").stdout
    rows = [line for line in brief.splitlines() if line.startswith("| 2018-05-0") and "| US-1 " in line]
    assert [row.split(" | ")[2] for row in rows] == ["discussing → open", "open → contested"]
    r = run("validate")
    assert (r.exit_code, r.stderr) == (0, f"{data_file}: valid (17 items)\n"), r.output


def test_a_back_dated_mark_that_is_the_latest_status_changes_it(run, data_file: Path) -> None:
    ok(demands("note", "US-3", "Raised at dinner", "--date", "2018-05-10"))
    done = demands("mark", "US-3", "discussing", "--date", "2018-05-05")
    assert (done.returncode, done.stderr) == (0, "US-3: open -> discussing (placed by date before 1 later entry)\n")
    item = document.load(data_file).item("US-3")
    assert item["status"] == "discussing"
    assert [(e["date"], e.get("status")) for e in item["history"]] == [
        ("2018-05-03", "open"),
        ("2018-05-05", "discussing"),
        ("2018-05-10", None),
    ]


def test_a_status_already_in_effect_on_that_date_changes_nothing(run, data_file: Path) -> None:
    before = data_file.read_bytes()
    r = run("mark", "US-1", "open", "--date", "2018-05-03")
    assert (r.exit_code, r.stderr) == (0, "US-1 was already open on 2018-05-03; nothing changed\n"), r.output
    r = run("mark", "US-1", "contested", "--date", "2018-05-20")
    assert (r.exit_code, r.stderr) == (0, "US-1 is already contested; nothing changed\n"), r.output
    assert data_file.read_bytes() == before


def test_equal_dates_keep_the_order_they_were_written_in(run, data_file: Path) -> None:
    """A new entry dated like the latest goes after it, and so is the latest."""
    r = run("mark", "US-1", "discussing", "--date", "2018-05-04")
    assert (r.exit_code, r.stderr) == (0, "US-1: contested -> discussing\n"), r.output
    r = run("note", "US-1", "Same day, later", "--date", "2018-05-03")
    assert (r.exit_code, r.stderr) == (0, "US-1: note added (placed by date before 2 later entries)\n"), r.output
    item = document.load(data_file).item("US-1")
    assert [(e["date"], e.get("status"), e.get("note")) for e in item["history"]] == [
        ("2018-05-03", "open", "Tabled in Beijing"),
        ("2018-05-03", None, "Same day, later"),
        ("2018-05-04", "contested", US_1[1]["note"]),
        ("2018-05-04", "discussing", None),
    ]
    assert item["status"] == "discussing"


def test_a_back_dated_measurement_goes_in_its_place_and_the_latest_stays_current(run, data_file: Path) -> None:
    r = run("progress", "US-1", "50000000000", "--date", "2019-06-30")
    assert (r.exit_code, r.stderr) == (0, "US-1: 50,000,000,000 recorded, 25% of target\n"), r.output
    r = run("progress", "US-1", "20000000000", "--date", "2019-01-31")
    assert (r.exit_code, r.stderr) == (
        0,
        "US-1: 20,000,000,000 recorded, 10% of target; "
        "the latest measurement (2019-06-30: 50,000,000,000) stays the current one\n",
    ), r.output
    target = document.load(data_file).item("US-1")["target"]
    assert [m["date"] for m in target["progress"]] == ["2019-01-31", "2019-06-30"]
    record = json.loads(run("show", "US-1", "-o", "json").stdout)[0]
    assert record["target_progress"] == {"latest": 50000000000, "percent": 25.0}
    record = json.loads(run("show", "US-1", "--as-of", "2019-03-01", "-o", "json").stdout)[0]
    assert record["target_progress"] == {"latest": 20000000000, "percent": 10.0}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def added_and_removed(repo: Path) -> tuple[list[str], list[str]]:
    out = git(repo, "diff", "-U0", "--no-color", "--", "data/demands.yaml")
    added = [line[1:] for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in out.splitlines() if line.startswith("-") and not line.startswith("---")]
    return added, removed


def test_git_diff_of_a_back_dated_mark_shows_only_the_inserted_lines(workspace: Path) -> None:
    for args in (["-c", "user.name=T", "-c", "user.email=t@example.org", "init", "-q"], ["add", "data"]):
        git(workspace, *args)
    git(workspace, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "data")
    ok(demands("mark", "US-1", "discussing", "--date", "2018-05-01"))
    assert added_and_removed(workspace) == (["      - {date: 2018-05-01, status: discussing}"], [])
    # The entry lands right above the 05-03 one: the hunk starts at the line before it.
    out = git(workspace, "diff", "-U0", "--", "data/demands.yaml")
    shipped = (ROOT / "data" / "demands.yaml").read_text(encoding="utf-8").splitlines()
    line = shipped.index("      - {date: 2018-05-03, status: open, round: beijing-2018-05, note: Tabled in Beijing}")
    assert re.search(rf"^@@ -{line},0 \+{line + 1} @@", out, re.MULTILINE), out
    git(workspace, "checkout", "-q", "--", "data")
    # Back-dated but still the latest status: the status line changes too, nothing else.
    ok(demands("note", "US-3", "Raised at dinner", "--date", "2018-05-10"))
    git(workspace, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-a", "-m", "note")
    ok(demands("mark", "US-3", "discussing", "--date", "2018-05-05", "-m", "Lighthizer: maybe"))
    assert added_and_removed(workspace) == (
        ["    status: discussing", '      - {date: 2018-05-05, status: discussing, note: "Lighthizer: maybe"}'],
        ["    status: open"],
    )


BACK_DATED = [
    ["mark", "US-1", "discussing", "--date", "2018-05-01"],
    ["note", "US-9", "Raised before the round", "--date", "2018-05-02"],
    ["mark", "US-3", "agreed", "--date", "2018-05-03", "-m", "same day, written later"],
]


@pytest.mark.parametrize("variant", ["crlf-bom", "no-final-newline"])
def test_back_dated_writes_keep_line_endings_bom_and_a_missing_final_newline(
    run, data_file: Path, variant: str
) -> None:
    shipped = data_file.read_bytes()
    for args in BACK_DATED:
        assert run(*args).exit_code == 0
    expected = data_file.read_bytes()
    if variant == "crlf-bom":
        start, expected = (b"\xef\xbb\xbf" + x.replace(b"\n", b"\r\n") for x in (shipped, expected))
    else:
        start, expected = shipped.rstrip(b"\n"), expected.rstrip(b"\n")
    data_file.write_bytes(start)
    for args in BACK_DATED:
        assert run(*args).exit_code == 0
    assert data_file.read_bytes() == expected
    for _ in BACK_DATED:
        assert run("undo").exit_code == 0
    assert data_file.read_bytes() == start


HAND = """\
version: 1
parties:
  us: {name: United States}
demands:
- id: US-1
  party: us
  title: Block entries
  status: agreed
  history:
  # the first entry
  -   date: 2020-01-01
      status: open
  # the second entry
  -   date: 2020-03-01
      status: agreed
- {id: US-2, party: us, title: Flow, status: agreed, history: [{date: 2020-01-01, status: open}, {date: 2020-03-01, status: agreed}]}
"""


def test_back_dated_entries_follow_a_hand_written_layout(run, workspace: Path) -> None:
    path = workspace / "hand.yaml"
    path.write_text(HAND, encoding="utf-8")
    assert run("mark", "US-1", "US-2", "discussing", "--date", "2020-02-01", "-f", str(path)).exit_code == 0
    assert run("note", "US-1", "first of all", "--date", "2019-12-31", "-f", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8") == HAND.replace(
        "  history:\n  # the first entry\n",
        "  history:\n  -   date: 2019-12-31\n      note: first of all\n  # the first entry\n",
    ).replace(
        "      status: open\n  # the second entry\n",
        "      status: open\n  -   date: 2020-02-01\n      status: discussing\n  # the second entry\n",
    ).replace(
        "{date: 2020-01-01, status: open}, {date: 2020-03-01",
        "{date: 2020-01-01, status: open}, {date: 2020-02-01, status: discussing}, {date: 2020-03-01",
    )


# --- validate: the timeline as hand edits can leave it -----------------------------------------


def test_validate_reports_history_out_of_date_order_and_a_status_that_is_not_the_latest(data_file: Path) -> None:
    """What the old tool wrote for a back-dated mark: the entry last, and its status current."""
    text = data_file.read_text(encoding="utf-8")
    last = 'quote: "They also objected to United States demands for a specific cut in the bilateral surplus."}}\n'
    assert text.count(last) == 1
    text = text.replace(last, last + "      - {date: 2018-05-01, status: discussing}\n")
    text = text.replace(
        "    priority: high\n    status: contested\n", "    priority: high\n    status: discussing\n", 1
    )
    data_file.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    status_line = lines.index("    status: discussing") + 1
    entry_line = lines.index("      - {date: 2018-05-01, status: discussing}") + 1
    done = demands("validate")
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"{data_file}:{status_line}:5: US-1 status: status is 'discussing' but the latest-dated history entry "
        "(2018-05-04) sets 'contested'; use 'demands mark' to change a status",
        f"{data_file}:{entry_line}:10: US-1 history.date: history entry dated 2018-05-01 comes after one dated "
        "2018-05-04: history is kept in date order; move this entry up to its place by date",
    ]


def test_validate_reads_equal_dates_in_file_order(run, workspace: Path) -> None:
    path = workspace / "same-day.yaml"
    text = (
        "parties: {us: {name: US}}\n"
        "demands:\n"
        "  - id: US-1\n"
        "    party: us\n"
        "    title: t\n"
        "    status: open\n"
        "    history:\n"
        "      - {date: 2020-01-01, status: open}\n"
        "      - {date: 2020-01-01, status: rejected}\n"
    )
    path.write_text(text, encoding="utf-8")
    r = run("validate", "-f", str(path))
    assert (r.exit_code, r.stderr) == (
        1,
        f"{path}:6:5: US-1 status: status is 'open' but the latest-dated history entry (2020-01-01) sets "
        "'rejected'; use 'demands mark' to change a status\n",
    ), r.output
    path.write_text(text.replace("    status: open\n", "    status: rejected\n"), encoding="utf-8")
    assert run("validate", "-f", str(path)).exit_code == 0


def test_validate_reports_measurements_out_of_date_order(run, workspace: Path) -> None:
    path = workspace / "progress.yaml"
    path.write_text(
        "parties: {us: {name: US}}\n"
        "demands:\n"
        "  - id: US-1\n"
        "    party: us\n"
        "    title: t\n"
        "    status: open\n"
        "    target: {amount: 10, progress: [{date: 2020-02-01, amount: 5}, {date: 2020-01-01, amount: 2}]}\n",
        encoding="utf-8",
    )
    r = run("validate", "-f", str(path))
    assert (r.exit_code, r.stderr) == (
        1,
        f"{path}:7:69: US-1 target.progress.date: measurement dated 2020-01-01 comes after one dated 2020-02-01: "
        "progress is kept in date order; move this entry up to its place by date\n",
    ), r.output


# --- --as-of never claims a state nothing in the file supports ---------------------------------

UNDATED = """\
parties: {us: {name: US}}
demands:
  - {id: US-1, party: us, title: No dates at all, status: rejected}
  - {id: US-2, party: us, title: Dated by its source, status: rejected, source: {date: 1999-06-01}}
  - {id: US-3, party: us, title: Raised later by its source, status: rejected, source: {date: 2001-06-01}}
  - {id: US-4, party: us, title: A note only, status: agreed, history: [{date: 1999-01-01, note: rumour}]}
  - {id: US-5, party: us, title: Dated history, status: open, history: [{date: 1999-01-01, status: open}]}
"""


def test_as_of_leaves_out_what_nothing_dates_and_says_so_once(run, workspace: Path) -> None:
    path = workspace / "undated.yaml"
    path.write_text(UNDATED, encoding="utf-8")
    done = demands_cmd("list", "--as-of", "2000-01-01", "-o", "json", "-f", str(path))
    assert done.returncode == 0, done.stderr
    assert [(i["id"], i["status"]) for i in json.loads(done.stdout)] == [("US-2", "rejected"), ("US-5", "open")]
    assert done.stderr == (
        "demands: --as-of 2000-01-01: left out US-1 and US-4: nothing in the file dates their status "
        "(no history entry sets one, no source date)\n"
    )
    r = run("summary", "--as-of", "2000-01-01", "-o", "json", "-f", str(path))
    assert json.loads(r.stdout)["total"] == 2
    assert r.stderr.count("left out") == 1
    r = run("show", "US-1", "--as-of", "2000-01-01", "-f", str(path))
    assert (r.exit_code, r.stderr) == (
        1,
        "demands: US-1: nothing in the file dates its status (no history entry sets one, no source date), "
        "so its state on 2000-01-01 is unknown\n",
    )
    done = demands_cmd("diff", "--since", "2000-01-01", "-o", "json", "-f", str(path))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert ([i["id"] for i in result["added"]], result["changed"], result["removed"]) == (["US-3"], [], [])
    assert done.stderr == (
        "demands: changes since 2000-01-01: left out US-1 and US-4: nothing in the file dates their status "
        "(no history entry sets one, no source date)\n"
    )
    # Without --as-of nothing is left out and nothing is said.
    r = run("list", "-o", "ids", "-f", str(path))
    assert (r.stdout.split(), r.stderr) == (["US-1", "US-2", "US-3", "US-4", "US-5"], "")


def test_the_library_returns_what_it_left_out() -> None:
    import yaml

    data = yaml.safe_load(UNDATED.replace("1999-06-01", "'1999-06-01'").replace("2001-06-01", "'2001-06-01'"))
    for item in data["demands"]:
        for entry in item.get("history") or []:
            entry["date"] = str(entry["date"])
    state, undated = timeline.as_of_state(data, "2000-01-01")
    assert undated == ["US-1", "US-4"]
    assert [i["id"] for i in state["demands"]] == ["US-2", "US-5"]


# --- any date the tool accepts works everywhere ------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_first_and_last_dates_work_everywhere(run, data_file: Path, day: str) -> None:
    r = run("diff", "--since", day, "-o", "json")
    assert r.exit_code == 0, r.output
    added = [i["id"] for i in json.loads(r.stdout)["added"]]
    assert len(added) == (17 if day == "0001-01-01" else 0)
    for args in (
        ["list", "--as-of", day, "-o", "ids"],
        ["list", "--due-before", day],
        ["summary", "--as-of", day],
        ["show", "US-1", "--as-of", "9999-12-31"],
        ["log", "--since", day, "--until", day],
        ["brief", "--since", day, "--as-of", day],
        ["compare", "us", "cn", "--as-of", day],
        ["mark", "US-3", "discussing", "--date", day],
        ["note", "US-4", "edge", "--date", day],
        ["edit", "US-5", "--due", day],
        ["target", "US-6", "--amount", "5", "--by", day],
        ["progress", "US-6", "1", "--date", day],
        ["add", "-p", "us", "--title", "At the edge", "--date", day, "--due", day],
    ):
        r = run(*args)
        assert r.exit_code == 0, f"{args}\n{r.output}"
        assert "internal error" not in r.stderr
    assert run("validate").exit_code == 0
    state = timeline.as_of(document.load(data_file).data, day)
    assert {i["id"]: i["status"] for i in state["demands"]}["US-3"] == "discussing"


# --- the merge driver merges timelines by date -------------------------------------------------


OURS = [
    ["mark", "US-1", "open", "--date", "2018-05-01", "-m", "Ours: floated in April"],
    ["mark", "CN-1", "discussing", "--date", "2018-05-20"],
]
THEIRS = [
    ["mark", "US-1", "discussing", "--date", "2018-05-02", "-m", "Theirs: talks about talks"],
    ["note", "CN-1", "Theirs: ZTE raised first", "--date", "2018-05-01"],
]


def test_git_merge_of_two_branches_that_each_back_date_an_entry(run, workspace: Path, data_file: Path) -> None:
    on_path = {"PATH": f"{DEMANDS.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    who = ["-c", "user.name=Analyst", "-c", "user.email=analyst@example.org"]
    git(workspace, "init", "-q", "-b", "main")
    assert demands_cmd("git-setup", cwd=workspace, env=on_path).returncode == 0
    git(workspace, "add", ".gitattributes", "data", "seeds")
    git(workspace, *who, "commit", "-q", "-m", "data set")
    git(workspace, "checkout", "-q", "-b", "theirs")
    for args in THEIRS:
        assert run(*args).exit_code == 0
    git(workspace, *who, "commit", "-q", "-a", "-m", "theirs")
    git(workspace, "checkout", "-q", "main")
    for args in OURS:
        assert run(*args).exit_code == 0
    git(workspace, *who, "commit", "-q", "-a", "-m", "ours")
    done = subprocess.run(
        ["git", *who, "merge", "--no-edit", "theirs"],
        cwd=workspace,
        capture_output=True,
        text=True,
        env={**os.environ, **on_path},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "demands merge-driver: data/demands.yaml: merged 2 changes from theirs, no conflicts" in done.stderr
    doc = document.load(data_file)
    us_1 = doc.item("US-1")
    assert [(e["date"], e.get("status")) for e in us_1["history"]] == [
        ("2018-05-01", "open"),
        ("2018-05-02", "discussing"),
        ("2018-05-03", "open"),
        ("2018-05-04", "contested"),
    ]
    assert us_1["status"] == "contested"
    cn_1 = doc.item("CN-1")
    assert [(e["date"], e.get("status")) for e in cn_1["history"]] == [
        ("2018-05-01", None),
        ("2018-05-03", "open"),
        ("2018-05-20", "discussing"),
    ]
    assert cn_1["status"] == "discussing"
    assert run("validate").exit_code == 0
    # The merge is what making both sides' changes one after the other in one file gives.
    scratch = Path(tempfile.mkdtemp(dir=workspace)) / "demands.yaml"
    shutil.copy(ROOT / "data" / "demands.yaml", scratch)
    for args in OURS + THEIRS:
        assert run(*args, "-f", str(scratch)).exit_code == 0
    assert data_file.read_text(encoding="utf-8") == scratch.read_text(encoding="utf-8")


# --- a property: any sequence of dated marks and notes gives the answers of a sorted model -----

START = """\
version: 1
parties:
  us: {name: United States}
demands:
  - id: US-1
    party: us
    title: The item
    status: open
    history:
      - {date: 2020-06-01, status: open}
  - {id: US-2, party: us, title: Bystander, status: open, history: [{date: 2020-01-01, status: open}]}
"""
STATUSES = ["open", "discussing", "agreed", "rejected"]
DAYS = ["2020-03-01", "2020-06-01", "2020-06-02", "2020-09-01", "2021-01-01"]
step = st.tuples(st.sampled_from(["mark", "note"]), st.sampled_from(DAYS), st.sampled_from(STATUSES))


def expected_after(steps: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """US-1's history by a plain model: entries kept sorted by date (stable), a mark skipped when
    its status is already in effect on its date."""
    history: list[dict[str, Any]] = [{"date": "2020-06-01", "status": "open"}]
    for n, (kind, day, status) in enumerate(steps):
        if kind == "note":
            history.append({"date": day, "note": f"n{n}"})
        else:
            in_effect = [e["status"] for e in history if e["date"] <= day and "status" in e]
            if in_effect and in_effect[-1] == status:
                continue
            history.append({"date": day, "status": status})
        history.sort(key=lambda e: e["date"])
    return history


def status_on(history: list[dict[str, Any]], day: str | None = None) -> str | None:
    found = [e["status"] for e in history if "status" in e and (day is None or e["date"] <= day)]
    return found[-1] if found else None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=6))
def test_dated_marks_and_notes_in_any_order_answer_like_a_sorted_model(run, steps: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demands.yaml"
        path.write_text(START, encoding="utf-8")
        for n, (kind, day, status) in enumerate(steps):
            if kind == "mark":
                transaction.transact(
                    path, lambda d, e, day=day, status=status: ops.mark(d, e, ["US-1"], status, date=day), "m"
                )
            else:
                transaction.transact(
                    path, lambda d, e, day=day, n=n: ops.add_note(d, e, "US-1", f"n{n}", date=day), "n"
                )
        history = expected_after(steps)
        doc = document.load(path)
        item = doc.item("US-1")
        assert item["history"] == history
        assert item["status"] == status_on(history)
        for day in ["2019-12-31", *DAYS]:
            state = {i["id"]: i for i in timeline.as_of(doc.data, day)["demands"]}
            if status_on(history, day) is None:
                assert "US-1" not in state, day
            else:
                assert state["US-1"]["status"] == status_on(history, day), day
                assert state["US-1"]["history"] == [e for e in history if e["date"] <= day]
            old, undated = delta.since_state(doc.data, day)
            assert undated == []
            result = delta.diff_data(old, doc.data, "old", "new")
            before = [e for e in history if e["date"] < day]
            since = [e for e in history if e["date"] >= day]
            if not before or status_on(before) is None:
                assert "US-1" in [i["id"] for i in result.added], day
                continue
            changes = next((c.changes for c in result.changed if c.id == "US-1"), [])
            expected = []
            if status_on(before) != status_on(history):
                expected.append({"field": "status", "old": status_on(before), "new": status_on(history)})
            if since:
                expected.append({"field": "history", "old": None, "new": since})
            assert changes == expected, day
        # And the same through the command line, for one of the days.
        day = DAYS[len(steps) % len(DAYS)]
        r = run("list", "--as-of", day, "-o", "json", "-f", str(path))
        assert {i["id"]: i["status"] for i in json.loads(r.stdout)}.get("US-1") == status_on(history, day), r.output
        r = run("diff", "--since", day, "-o", "json", "-f", str(path))
        old, _ = delta.since_state(doc.data, day)
        assert json.loads(r.stdout)["changed"] == delta.diff_data(old, doc.data, "", "").as_json()["changed"], r.output
