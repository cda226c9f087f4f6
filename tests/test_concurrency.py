"""Real processes writing one file: no lost update, a bounded wait for the lock, atomic replacement.

These run the installed ``demands`` script (see ``DEMANDS`` in conftest.py).
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
import stat
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import DEMANDS, demands_cmd
from tradedemands import document
from tradedemands.lock import lock_path


def spawn(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(DEMANDS), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sixteen_writers_all_land(workspace: Path, data_file: Path) -> None:
    env = {"DEMANDS_LOCK_TIMEOUT": "60"}
    procs = []
    for n in range(16):
        if n % 2:
            procs.append(spawn("note", "US-1", f"writer {n}", "--date", "2018-06-01", cwd=workspace, env=env))
        else:
            procs.append(
                spawn("add", "-p", "cn", "--title", f"writer {n}", "--date", "2018-06-01", cwd=workspace, env=env)
            )
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out, err))
    for n, (code, out, err) in enumerate(results):
        assert code == 0, f"writer {n}: exit {code}\n{out}\n{err}"
    doc = document.load(data_file)
    notes = [e.get("note") for e in doc.item("US-1")["history"]]
    assert sorted(n for n in notes if n and n.startswith("writer")) == sorted(f"writer {n}" for n in range(1, 16, 2))
    added = {i["title"]: i["id"] for i in doc.items if i["title"].startswith("writer")}
    assert sorted(added) == sorted(f"writer {n}" for n in range(0, 16, 2))
    # Every add got its own id, CN-8 to CN-15, and printed it.
    assert sorted(added.values(), key=lambda i: int(i.split("-")[1])) == [f"CN-{n}" for n in range(8, 16)]
    printed = {out.strip() for n, (_code, out, _err) in enumerate(results) if n % 2 == 0}
    assert printed == set(added.values())
    assert len(doc.items) == 17 + 8
    assert document.check_quotes(doc) == []


def test_writer_times_out_on_a_held_lock(workspace: Path, data_file: Path) -> None:
    original = data_file.read_bytes()
    lock = lock_path(data_file)
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        r = demands_cmd("note", "US-1", "blocked", cwd=workspace, env={"DEMANDS_LOCK_TIMEOUT": "0.5"})
        waited = time.monotonic() - started
    finally:
        os.close(fd)
    assert r.returncode == 1, r.stderr
    assert r.stderr == (
        f"demands: {data_file} is being changed by another process (waited 0.5 s); try again when it has "
        "finished, or set DEMANDS_LOCK_TIMEOUT to wait longer\n"
    )
    assert r.stdout == ""
    assert 0.5 <= waited < 10, waited
    assert data_file.read_bytes() == original


def test_writer_waits_for_a_lock_released_in_time(workspace: Path, data_file: Path) -> None:
    lock = lock_path(data_file)
    fd = os.open(lock, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = spawn("note", "US-1", "patient", cwd=workspace, env={"DEMANDS_LOCK_TIMEOUT": "20"})
        time.sleep(0.8)
        assert proc.poll() is None, "the writer did not wait for the lock"
        assert b"patient" not in data_file.read_bytes()
    finally:
        os.close(fd)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert err == "US-1: note added\n"
    assert document.load(data_file).item("US-1")["history"][-1]["note"] == "patient"


def big_file(items: int) -> str:
    """A demands file with ``items`` items in the shipped file's layout, comments and all."""
    head = (Path(__file__).resolve().parent.parent / "data" / "demands.yaml").read_text(encoding="utf-8")
    parts = [head.split("\ndemands:\n")[0], "\ndemands:\n"]
    for n in range(1, items + 1):
        party, other = ("us", "cn") if n % 2 else ("cn", "us")
        parts.append(
            f"  # item {n}\n"
            f"  - id: X-{n}\n"
            f"    party: {party}\n"
            f"    of: {other}\n"
            f"    kind: demand\n"
            f'    title: "Generated item {n}: cut tariffs on line {n}"\n'
            f"    text: >-\n"
            f"      A longer text for item {n}, folded over\n"
            f"      two lines.\n"
            f"    topic: topic-{n % 17}\n"
            f"    tags: [t{n % 5}, bulk]\n"
            f"    priority: {('high', 'medium', 'low')[n % 3]}\n"
            f"    status: open\n"
            f"    history:\n"
            f'      - {{date: 2018-05-03, status: open, round: beijing-2018-05, note: "Tabled: {n}"}}\n'
            f"\n"
        )
    return "".join(parts)


ITEMS = 2000
KILLS = 10


def test_sigkill_leaves_old_or_new_file(workspace: Path) -> None:
    """Kill writers at random moments of a write to a large file: the file is always whole."""
    rng = random.Random(os.environ.get("DEMANDS_KILL_SEED", "0"))
    text = big_file(ITEMS)
    old = text.encode("utf-8")
    folders = [workspace / "a", workspace / "b"]
    for folder in folders:
        folder.mkdir()
        (folder / "demands.yaml").write_bytes(old)
    args = ("note", "X-1", "killed?", "--date", "2018-06-01", "--file", "demands.yaml")
    env = {"DEMANDS_LOCK_TIMEOUT": "30"}

    started = time.monotonic()
    r = demands_cmd(*args, cwd=folders[0], env=env)
    duration = time.monotonic() - started
    assert r.returncode == 0, r.stderr
    new = (folders[0] / "demands.yaml").read_bytes()
    assert new != old
    print(f"\na write to a {ITEMS}-item file ({len(old):,} bytes) took {duration:.2f} s")

    def kill_one(folder: Path, mode: str, pause: float) -> str:
        """Start a writer and SIGKILL it: after ``pause`` s, or ``pause`` s after its temporary file appears."""
        (folder / "demands.yaml").write_bytes(old)
        before = set(os.listdir(folder))
        proc = spawn(*args, cwd=folder, env=env)
        begin = time.monotonic()
        if mode == "writing":
            while proc.poll() is None and not any(n.endswith(".tmp") for n in set(os.listdir(folder)) - before):
                time.sleep(0.0005)
        time.sleep(pause)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        now = (folder / "demands.yaml").read_bytes()
        when = f"{mode} +{pause * 1000:.0f} ms" if mode == "writing" else f"at {time.monotonic() - begin:.2f} s"
        assert now in (old, new), f"killed {when}: the file is neither the old nor the new version"
        return f"{when}: {'new' if now == new else 'old'}"

    # Half the kills at a random moment (mostly while parsing and checking), half just after the
    # writer created its temporary file, when it writes, fsyncs and renames. Two at a time: two cores.
    plans = []
    for n in range(KILLS):
        if n % 2:
            plans.append(("writing", rng.choice([0.0, 0.0005, 0.001, 0.002, 0.005, 0.01])))
        else:
            plans.append(("random", rng.uniform(0.1, 1.0) * duration))
    outcomes: list[str] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for pair in range(0, KILLS, 2):
            jobs = [pool.submit(kill_one, folders[k], *plans[pair + k]) for k in range(2)]
            outcomes += [job.result() for job in jobs]
    print("kills:", "; ".join(outcomes))
    # Killed writers leave their temporary file behind (SIGKILL cannot be caught) but never hold
    # the lock (on the folder): it is free at once, and nothing else is left beside the file.
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".tmp")) == ["demands.yaml"]
    # Both versions load (the new one was also checked by the write itself).
    (folders[0] / "demands.yaml").write_bytes(new)
    assert document.load(folders[0] / "demands.yaml").item("X-1")["history"][-1]["note"] == "killed?"


def test_symlinked_file_stays_a_symlink(workspace: Path, data_file: Path) -> None:
    real = workspace / "real" / "negotiation.yaml"
    real.parent.mkdir()
    os.replace(data_file, real)
    real.chmod(0o640)
    data_file.symlink_to(os.path.relpath(real, data_file.parent))
    r = demands_cmd("note", "US-1", "through the link", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert data_file.is_symlink()
    assert os.readlink(data_file) == os.path.relpath(real, data_file.parent)
    assert document.load(real).item("US-1")["history"][-1]["note"] == "through the link"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    # The lock is the real file's folder; nothing is left beside the link or the file.
    assert lock_path(data_file) == real.parent.resolve()
    assert sorted(p.name for p in data_file.parent.iterdir()) == ["demands.yaml"]
    assert [p.name for p in real.parent.iterdir() if p.suffix == ".tmp"] == []
    r = demands_cmd("undo", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert data_file.is_symlink()


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664, 0o2644])
def test_mode_is_kept(workspace: Path, data_file: Path, mode: int) -> None:
    data_file.chmod(mode)
    r = demands_cmd("mark", "US-3", "met", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(data_file.stat().st_mode) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_owner_is_kept_when_root_writes(workspace: Path, data_file: Path) -> None:
    os.chown(data_file, 4321, 4322)
    r = demands_cmd("note", "US-1", "by root", cwd=workspace)
    assert r.returncode == 0, r.stderr
    info = data_file.stat()
    assert (info.st_uid, info.st_gid) == (4321, 4322)
