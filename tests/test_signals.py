"""SIGINT, SIGTERM and SIGHUP at the worst moment of every write leave the old file and no temporary file.

Real processes: ``strace -e inject=fsync:signal=TERM:when=1`` delivers the signal at the first
fsync, when the temporary file is complete and not yet renamed (skipped where strace is absent or
may not trace). Without strace, a writer waiting for the lock is signalled directly. After each,
the data file's bytes (sha256) and the folder's listing are what they were.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import DEMANDS
from safety_helpers import snapshot, spawn, temporaries
from tradedemands import atomic
from tradedemands.journal import read_journal
from tradedemands.lock import lock_path

SIGNALS = {"INT": 130, "TERM": 143, "HUP": 129}
#: No parse cache: the system calls of a write are then only the data file's and the journal's.
QUIET = {"DEMANDS_NO_CACHE": "1"}


def _strace_works() -> bool:
    if not shutil.which("strace"):
        return False
    done = subprocess.run(["strace", "-qq", "-o", os.devnull, "true"], capture_output=True)
    return done.returncode == 0


needs_strace = pytest.mark.skipif(not _strace_works(), reason="strace is not installed or may not trace here")


def traced(
    call: str, sig: str, when: int, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``demands ARGS`` with signal ``sig`` delivered at the ``when``-th ``call`` system call."""
    return subprocess.run(
        [
            "strace",
            "-qq",
            "-f",
            "-o",
            os.devnull,
            "-e",
            f"trace={call}",
            "-e",
            f"inject={call}:signal={sig}:when={when}",
            str(DEMANDS),
            *args,
        ],
        cwd=cwd,
        env={**os.environ, **QUIET, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_strace
@pytest.mark.parametrize("sig", list(SIGNALS))
def test_signal_at_fsync_of_the_data_file(workspace: Path, data_file: Path, sig: str) -> None:
    (workspace / "data" / ".demands.yaml.mine.tmp").write_text("a user's own file\n", encoding="utf-8")
    before = snapshot(workspace)
    r = traced("fsync", sig, 1, "note", "US-1", "cut short", cwd=workspace)
    assert (r.returncode, r.stderr) == (SIGNALS[sig], f"demands: interrupted; {data_file} is unchanged\n")
    assert snapshot(workspace) == before
    assert temporaries(workspace) == ["data/.demands.yaml.mine.tmp"]
    assert read_journal(data_file) == []


@needs_strace
def test_signal_at_fsync_of_an_output(workspace: Path) -> None:
    old = workspace / "brief.md"
    old.write_text("yesterday's brief\n", encoding="utf-8")
    before = snapshot(workspace)
    r = traced("fsync", "TERM", 1, "brief", "--output", "brief.md", cwd=workspace)
    assert (r.returncode, r.stderr) == (143, "demands: interrupted; brief.md is unchanged\n")
    assert snapshot(workspace) == before
    assert temporaries(workspace) == []


@needs_strace
def test_signal_at_fsync_of_undo(run, workspace: Path, data_file: Path) -> None:
    assert run("note", "US-1", "to undo", env=QUIET).exit_code == 0
    before = snapshot(workspace)
    journal = read_journal(data_file)
    r = traced("fsync", "HUP", 1, "undo", cwd=workspace)
    assert (r.returncode, r.stderr) == (129, f"demands: interrupted; {data_file} is unchanged\n")
    assert snapshot(workspace) == before
    assert read_journal(data_file) == journal
    assert temporaries(workspace) == []


@needs_strace
def test_signal_at_fsync_of_the_merge_driver(workspace: Path, data_file: Path) -> None:
    base = data_file.read_text(encoding="utf-8")
    (workspace / "base.yaml").write_text(base, encoding="utf-8")
    (workspace / "ours.yaml").write_text(base.replace("Cut tariffs to the US level", "Cut tariffs"), encoding="utf-8")
    (workspace / "theirs.yaml").write_text(base.replace("Tabled in Beijing", "Tabled in Diaoyutai"), encoding="utf-8")
    before = snapshot(workspace)
    r = traced("fsync", "TERM", 1, "merge-driver", "base.yaml", "ours.yaml", "theirs.yaml", cwd=workspace)
    assert (r.returncode, r.stderr) == (
        143,
        "demands merge-driver: interrupted; ours.yaml holds ours only and theirs is NOT applied: "
        "merge it by hand (git show :3:ours.yaml shows theirs)\n",
    )
    assert snapshot(workspace) == before
    assert temporaries(workspace) == []


@needs_strace
@pytest.mark.parametrize("when", [1, 2], ids=["data-rename", "journal-rename"])
def test_signal_after_the_rename_completes_the_write_and_its_undo_record(
    run, workspace: Path, data_file: Path, when: int
) -> None:
    """From the rename on, a signal is held: the write, its undo record and its confirmation
    finish, and the command succeeds (the change landed); undo can revert it."""
    original = data_file.read_bytes()
    r = traced("rename", "TERM", when, "note", "US-1", "landed", cwd=workspace)
    assert (r.returncode, r.stderr) == (0, "US-1: note added\n")
    assert b"landed" in data_file.read_bytes()
    assert [e["what"] for e in read_journal(data_file)] == ["note US-1"]
    assert temporaries(workspace) == []
    assert run("undo").exit_code == 0
    assert data_file.read_bytes() == original


@needs_strace
def test_sigkill_leaves_a_temporary_file_that_the_next_writer_removes(run, workspace: Path, data_file: Path) -> None:
    """SIGKILL cannot be caught: the next write sweeps what it left, and nothing a user made."""
    mine = workspace / "data" / ".demands.yaml.x.tmp"
    mine.write_text("mine\n", encoding="utf-8")
    alive = workspace / "data" / f"{atomic.temp_prefix('demands.yaml')}abcdefgh.tmp"  # this process: alive
    alive.write_text("", encoding="utf-8")
    original = data_file.read_bytes()
    r = traced("fsync", "KILL", 1, "note", "US-1", "killed", cwd=workspace)
    assert r.returncode == -signal.SIGKILL
    assert data_file.read_bytes() == original
    left = [t for t in temporaries(workspace) if t not in ("data/.demands.yaml.x.tmp", f"data/{alive.name}")]
    assert len(left) == 1 and left[0].startswith("data/.demands.yaml.demands-"), left
    assert run("note", "US-1", "after").exit_code == 0
    assert temporaries(workspace) == sorted(["data/.demands.yaml.x.tmp", f"data/{alive.name}"])


@pytest.mark.parametrize("sig", ["HUP"])
def test_signal_while_waiting_for_the_lock(workspace: Path, data_file: Path, sig: str) -> None:
    """No strace needed: a writer blocked on the lock is signalled directly."""
    before = snapshot(workspace)
    fd = os.open(lock_path(data_file), os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = spawn("mark", "US-1", "open", cwd=workspace, env={"DEMANDS_LOCK_TIMEOUT": "30"})
        deadline = time.monotonic() + 10
        # Wait until it is inside the command (its handlers installed): it has opened the folder to lock it.
        while time.monotonic() < deadline and not _holds_open(proc.pid, lock_path(data_file)):
            time.sleep(0.02)
        proc.send_signal(getattr(signal, f"SIG{sig}"))
        _out, err = proc.communicate(timeout=20)
    finally:
        os.close(fd)
    assert (proc.returncode, err) == (SIGNALS[sig], f"demands: interrupted; {data_file} is unchanged\n")
    assert snapshot(workspace) == before


def _holds_open(pid: int, folder: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(folder) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def test_sweep_removes_only_its_own_names_of_dead_writers(tmp_path: Path) -> None:
    tmp_path = tmp_path / "folder"
    tmp_path.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    prefix_dead = atomic.temp_prefix("demands.yaml").replace(f"-{os.getpid()}-", f"-{dead.pid}-")
    names = {
        f"{prefix_dead}abcd_123.tmp": False,  # ours, writer gone: removed
        f"{atomic.temp_prefix('demands.yaml')}abcd_123.tmp": True,  # ours, writer alive: kept
        ".demands.yaml.x.tmp": True,  # a user's
        ".demands.yaml.12345.tmp": True,  # the old naming: not provably ours
        f"{prefix_dead}abcd_123.tmp.bak": True,
        prefix_dead.replace(".demands.yaml.", ".other.yaml.") + "abcd_123.tmp": True,  # another file's
    }
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert atomic.sweep(tmp_path, "demands.yaml") == [f"{prefix_dead}abcd_123.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, kept in names.items() if kept)
