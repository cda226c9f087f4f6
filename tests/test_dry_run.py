"""--dry-run on every write command: the confirmation and the file's lines that would change; nothing written."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
from pathlib import Path

import pytest

import tradedemands
from conftest import DEMANDS, demands_cmd

#: Each write command, with --dry-run, as a user types it; and the confirmation it gives.
COMMANDS = [
    (["add", "--party", "cn", "--title", "Lift the ZTE export ban"], "dry run: added CN-8"),
    (["mark", "US-7", "discussing", "--date", "2018-05-17"], "dry run: US-7: open -> discussing"),
    (["note", "US-1", "Talks about talks", "--date", "2018-05-01"], "dry run: US-1: note added (placed by date before 2 later entries)"),
    (["edit", "US-9", "--priority", "low"], "dry run: US-9: changed priority"),
    (["link", "US-4", "related", "US-5"], "dry run: US-4 related US-5"),
    (["unlink", "US-1", "CN-5"], "dry run: US-1: link to CN-5 removed"),
    (["remove", "CN-5", "--force"], "dry run: CN-5 removed (and the links from US-1)"),
    (["target", "US-1", "--unit", "EUR"], "dry run: US-1: target unit updated"),
    (["progress", "US-1", "35000000000", "--date", "2019-06-30"], "dry run: US-1: 35,000,000,000 recorded, 18% of target"),
    (["import", "items.csv"], "dry run: US-3: changed priority\ndry run: items.csv: 0 added, 1 changed, 16 unchanged"),
    (["undo"], "dry run: undid: mark US-6 discussing"),
    (["init", "new.yaml"], "dry run: wrote new.yaml: edit the parties, then 'demands add --party ... --title ...'"),
]  # fmt: skip


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (the data, the undo journal, the cache) and its sha256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def prepared(run, workspace: Path) -> Path:
    """A real write to undo, and a spreadsheet export with one cell changed."""
    assert run("mark", "US-6", "discussing", "--date", "2018-05-10").exit_code == 0
    rows = list(csv.reader(io.StringIO(run("export", "-o", "csv").stdout)))
    header = rows[0]
    next(row for row in rows if row[0] == "US-3")[header.index("priority")] = "low"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (workspace / "items.csv").write_text(out.getvalue(), encoding="utf-8")
    return workspace


@pytest.mark.parametrize(("args", "said"), COMMANDS, ids=[c[0][0] for c in COMMANDS])
def test_dry_run_says_what_it_would_do_and_writes_nothing(run, prepared: Path, args: list[str], said: str) -> None:
    before = digest(prepared)
    r = run(*args, "--dry-run")
    assert r.exit_code == 0, r.output
    assert r.stderr == said + "\n", r.output
    assert r.stdout.startswith("--- ") and "\n+++ " in r.stdout and "\n@@ -" in r.stdout, r.output
    assert digest(prepared) == before
    # No undo level was taken: undo still reverts the real write before.
    assert run("undo").stderr == "undid: mark US-6 discussing\n"


def test_the_diff_is_the_change_the_write_makes(run, workspace: Path, data_file: Path) -> None:
    r = run("mark", "US-7", "discussing", "--date", "2018-05-17", "-n")
    assert r.stdout == (
        f"--- {data_file}\n+++ {data_file}\n"
        "@@ -233,12 +233,13 @@\n"
        "       percent on average for all noncritical sectors.\n"
        "     topic: trade-barriers\n"
        "     tags: [tariffs]\n"
        "-    status: open\n"
        "+    status: discussing\n"
        '     source: {doc: seeds/000_d2207b9ab7e38b47.txt, quote: "Cut its tariffs, which currently average 10 percent, '
        'to the same level as in the United States, where they average 3.5 percent for all noncritical sectors.", '
        "date: 2018-05-04}\n"
        "     links:\n"
        "       - {rel: related, id: CN-3}\n"
        "     history:\n"
        "       - {date: 2018-05-03, status: open, round: beijing-2018-05, note: Tabled in Beijing}\n"
        "+      - {date: 2018-05-17, status: discussing}\n"
        " \n"
        "   - id: US-8\n"
        "     party: us\n"
    )
    before = data_file.read_text(encoding="utf-8")
    assert run("mark", "US-7", "discussing", "--date", "2018-05-17").exit_code == 0
    import difflib

    after = data_file.read_text(encoding="utf-8")
    name = str(data_file)
    expected = "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), name, name))
    assert r.stdout == expected


def test_nothing_to_change_prints_no_diff(run, data_file: Path) -> None:
    r = run("mark", "US-1", "contested", "--dry-run")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "dry run: US-1 is already contested; nothing changed\n")


def test_a_dry_run_that_would_fail_fails_as_the_write_would(run, data_file: Path) -> None:
    before = data_file.read_bytes()
    r = run("link", "US-1", "related", "US-99", "--dry-run")
    assert r.exit_code == 1 and r.stderr.startswith("demands: no item with id 'US-99'"), r.output
    r = run("add", "-p", "us", "--title", "t", "--source-doc", "seeds/nope.txt", "--dry-run")
    assert (r.exit_code, r.stdout) == (1, ""), r.output
    assert r.stderr.startswith("demands: refusing to write: US-10 source.doc: document 'seeds/nope.txt' not found")
    assert data_file.read_bytes() == before


def test_a_dry_run_needs_no_write_access_and_takes_no_lock(run, workspace: Path, data_file: Path) -> None:
    import fcntl

    from tradedemands.lock import lock_path

    fd = os.open(lock_path(data_file), os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        r = run("mark", "US-7", "agreed", "--dry-run", env={"DEMANDS_LOCK_TIMEOUT": "0"})
    finally:
        os.close(fd)
    assert r.exit_code == 0, r.output


def test_the_library_previews_too(data_file: Path) -> None:
    before = data_file.read_bytes()
    with tradedemands.dry_run() as previews:
        changes = tradedemands.mark(data_file, "US-7", "agreed", date="2018-06-01")
        tradedemands.note(data_file, "US-1", "Later", date="2018-06-02")
    assert changes[0].new == "agreed"
    assert [p.changed for p in previews] == [True, True]
    assert "+    status: agreed\n" in previews[0].diff()
    assert data_file.read_bytes() == before


def test_every_write_command_through_the_installed_command(prepared: Path, data_file: Path) -> None:
    """All of them at once (a dry run takes no lock): every file keeps its bytes."""
    before = digest(prepared)
    procs = [
        subprocess.Popen(
            [str(DEMANDS), *args, "--dry-run"], cwd=prepared, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for args, _said in COMMANDS
    ]
    for proc, (args, said) in zip(procs, COMMANDS, strict=True):
        out, err = proc.communicate(timeout=60)
        assert (proc.returncode, err) == (0, said + "\n"), (args, err)
        assert f"--- {data_file if args[0] != 'init' else '/dev/null'}\n" in out, (args, out)
    assert digest(prepared) == before
    assert demands_cmd("undo", cwd=prepared).stderr == "undid: mark US-6 discussing\n"
