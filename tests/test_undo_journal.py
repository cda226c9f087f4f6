"""The undo journal never fails a write silently, never gets stuck, and never is an internal error."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DEMANDS, demands_cmd
from safety_helpers import snapshot
from tradedemands.journal import journal_path, read_journal

LOST = "the change is written, but 'demands undo' cannot revert it"


def state_files(workspace: Path) -> list[str]:
    return sorted(p.name for p in (workspace / ".state").rglob("*") if p.is_file() and p.name != "cache-key")


@pytest.mark.parametrize(
    "damage", ["[1,2,3]", '[{"what": "note US-1", "before": "ab', "{}", '"x"', "", '[{"what": 1}]', "\xff\xfe"]
)
def test_damaged_journal_is_set_aside_by_undo(run, workspace: Path, data_file: Path, damage: str) -> None:
    journal = journal_path(data_file)
    journal.parent.mkdir(parents=True)
    journal.write_bytes(damage.encode("latin-1"))
    before = data_file.read_bytes()
    r = run("undo")
    [aside] = [name for name in state_files(workspace) if name != journal.name]
    assert r.exit_code == 1, r.output
    assert r.stderr == (
        f"demands: nothing to undo: the undo journal {journal} was damaged (not a journal demands wrote); "
        f"set aside as {aside}; use git to restore an older version\n"
    )
    assert aside.startswith(f"{journal.name}.damaged-")
    assert (journal.parent / aside).read_bytes() == damage.encode("latin-1")  # kept, for whoever wants it
    assert not journal.exists()
    assert data_file.read_bytes() == before
    r = run("undo")
    assert r.stderr == f"demands: nothing to undo: no write by demands to {data_file} is recorded\n"


def test_damaged_journal_is_set_aside_by_a_write_that_then_records_itself(run, workspace, data_file: Path) -> None:
    journal = journal_path(data_file)
    journal.parent.mkdir(parents=True)
    journal.write_text('[{"what": "trunc', encoding="utf-8")
    original = data_file.read_bytes()
    r = run("note", "US-1", "after the damage")
    [aside] = [name for name in state_files(workspace) if name != journal.name]
    assert r.exit_code == 0, r.output
    assert r.stderr == (
        f"demands: warning: the undo journal {journal} was damaged (not a journal demands wrote); "
        f"set aside as {aside}: older changes cannot be undone\n"
        "US-1: note added\n"
    )
    assert [e["what"] for e in read_journal(data_file)] == ["note US-1"]
    assert run("undo").stderr == "undid: note US-1\n"
    assert data_file.read_bytes() == original


def test_journal_that_cannot_be_written_is_a_warning(run, workspace: Path, data_file: Path) -> None:
    """The state folder cannot exist (XDG_STATE_HOME names a file): the change lands and says so."""
    blocker = workspace / "state-is-a-file"
    blocker.write_text("", encoding="utf-8")
    env = {"XDG_STATE_HOME": str(blocker)}
    r = run("mark", "US-3", "discussing", env=env)
    journal = blocker / "tradedemands" / "undo" / journal_path(data_file).name
    assert r.exit_code == 0, r.output
    assert r.stderr == (
        f"demands: warning: cannot write the undo journal {journal}: Not a directory; {LOST}\n"
        "US-3: open -> discussing\n"
    )
    assert "status: discussing" in data_file.read_text(encoding="utf-8")
    r = run("undo", env=env)
    assert (r.exit_code, r.stderr) == (
        1,
        f"demands: nothing to undo: no write by demands to {data_file} is recorded\n",
    )


def test_journal_that_cannot_be_read_is_a_warning_and_left_alone(run, workspace: Path, data_file: Path) -> None:
    journal = journal_path(data_file)
    journal.parent.mkdir(parents=True)
    os.mkfifo(journal)
    r = demands_cmd("note", "US-1", "x", cwd=workspace, timeout=20)
    assert r.returncode == 0, r.stderr
    assert r.stderr == (
        f"demands: warning: cannot read the undo journal {journal}: it is a FIFO (named pipe); {LOST}\n"
        "US-1: note added\n"
    )
    r = run("undo")
    assert (r.exit_code, r.stderr) == (
        1,
        f"demands: cannot read the undo journal {journal}: it is a FIFO (named pipe)\n",
    )
    assert state_files(workspace) == []  # the FIFO is not a file; nothing else was made


def test_an_undo_already_applied_is_recognised(run, data_file: Path) -> None:
    """A killed undo that renamed the file but kept its record: the next undo clears the record."""
    original = data_file.read_bytes()
    assert run("note", "US-1", "one").exit_code == 0
    after_one = data_file.read_bytes()
    assert run("note", "US-1", "two").exit_code == 0
    data_file.write_bytes(after_one)  # what the killed undo had written
    r = run("undo")
    assert (r.exit_code, r.stderr) == (
        0,
        "undid: note US-1 (the file was back to before it already: an earlier undo was cut short)\n",
    )
    assert data_file.read_bytes() == after_one
    assert run("undo").stderr == "undid: note US-1\n"  # the older level is still there
    assert data_file.read_bytes() == original


def _strace_works() -> bool:
    if not shutil.which("strace"):
        return False
    return subprocess.run(["strace", "-qq", "-o", os.devnull, "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _strace_works(), reason="strace is not installed or may not trace here")
def test_sigkill_between_the_undo_and_its_record(run, workspace: Path, data_file: Path) -> None:
    """SIGKILL right after undo's rename (at the folder's fsync): the next undo is not stuck."""
    env = {**os.environ, "DEMANDS_NO_CACHE": "1"}
    original = data_file.read_bytes()
    assert run("note", "US-1", "one").exit_code == 0
    assert run("note", "US-1", "two").exit_code == 0
    killed = subprocess.run(
        ["strace", "-qq", "-o", os.devnull, "-e", "trace=fsync", "-e", "inject=fsync:signal=KILL:when=2"]
        + [str(DEMANDS), "undo"],
        cwd=workspace,
        env=env,
        capture_output=True,
        timeout=30,
    )
    assert killed.returncode == -9
    assert [e["what"] for e in read_journal(data_file)] == ["note US-1", "note US-1"]
    r = demands_cmd("undo", cwd=workspace)
    assert (r.returncode, r.stderr) == (
        0,
        "undid: note US-1 (the file was back to before it already: an earlier undo was cut short)\n",
    )
    r = run("undo")
    assert (r.exit_code, r.stderr) == (0, "undid: note US-1\n")
    assert data_file.read_bytes() == original


def test_a_record_that_does_not_lead_back_is_set_aside(run, workspace: Path, data_file: Path) -> None:
    assert run("note", "US-1", "one").exit_code == 0
    journal = journal_path(data_file)
    entries = read_journal(data_file)
    entries[-1]["splices"] = [[0, 0, "# not what was there\n"]]
    journal.write_text(__import__("json").dumps(entries), encoding="utf-8")
    before = snapshot(workspace)
    r = run("undo")
    [aside] = [name for name in state_files(workspace) if name != journal.name]
    assert r.exit_code == 1
    assert r.stderr == (
        "demands: the undo record of note US-1 does not lead back to the file before it (damaged); "
        f"the journal is set aside as {aside}, {data_file} is unchanged: use git to restore an older version\n"
    )
    assert snapshot(workspace) == before


def test_no_journal_temporaries_pile_up(run, workspace: Path) -> None:
    for n in range(3):
        assert run("note", "US-1", f"n{n}").exit_code == 0
    assert state_files(workspace) == [journal_path(workspace / "data" / "demands.yaml").name]
