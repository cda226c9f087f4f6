"""When the machine says no (disk full, read-only file system, permission denied), each command
says so in one line naming the file and the cause, and that the file is unchanged; never
"internal error". The undo journal and the cache are extras: a write goes through without them.

Disk full is a real tmpfs of 300 KB (``mount`` as root; skipped with the reason where mounting is
not allowed), filled up before the command runs.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DEMANDS, demands_cmd
from safety_helpers import snapshot, temporaries
from tradedemands.journal import journal_path


def _mount(folder: Path) -> str | None:
    """Mount a 300 KB tmpfs on ``folder``; why not, or None when mounted."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return "mounting a tmpfs needs root and mount(8)"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k,mode=0755", "tmpfs", str(folder)], capture_output=True, text=True
    )
    return None if done.returncode == 0 else f"mount is not permitted here: {done.stderr.strip()}"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    folder.mkdir()
    reason = _mount(folder)
    if reason:
        pytest.skip(reason)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> None:
    """Use up every byte of the file system holding ``folder``."""
    with open(folder / "filler", "ab", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as err:
            assert err.errno == errno.ENOSPC


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


@pytest.fixture
def full_project(small_disk: Path, data_file: Path) -> Path:
    """The data set on a full disk: its data file, and an old export beside it."""
    (small_disk / "data").mkdir()
    target = small_disk / "data" / "demands.yaml"
    shutil.copy(data_file, target)
    (small_disk / "export.json").write_text('{"old": true}\n', encoding="utf-8")
    fill(small_disk)
    return target


def test_disk_full_on_a_write(run, full_project: Path) -> None:
    folder = full_project.parent.parent
    before = snapshot(folder)
    r = demands_cmd("note", "US-1", "x" * 5000, "-f", str(full_project), cwd=folder)  # a real process
    assert (r.returncode, r.stdout) == (1, ""), r.stderr
    assert r.stderr == f"demands: cannot write {full_project}: No space left on device; {full_project} is unchanged\n"
    for command in (["add", "-p", "us", "--title", "y" * 5000], ["edit", "US-1", "--text", "z" * 5000]):
        r = run(*command, "-f", str(full_project))
        assert (r.exit_code, r.stdout) == (1, ""), r.stderr
        assert r.stderr == (
            f"demands: cannot write {full_project}: No space left on device; {full_project} is unchanged\n"
        )
        assert snapshot(folder) == before
        assert temporaries(folder) == []


def test_disk_full_on_an_output(run, full_project: Path) -> None:
    folder = full_project.parent.parent
    out = folder / "export.json"
    before = snapshot(folder)
    for command in (["export", "-o", "csv", "--output", str(out)], ["brief", "--output", str(out)]):
        r = run(*command, "-f", str(full_project))
        assert (r.exit_code, r.stderr) == (
            1,
            f"demands: cannot write {out}: No space left on device; {out} is unchanged\n",
        )
        assert snapshot(folder) == before  # yesterday's export is still there, whole
        assert temporaries(folder) == []


def test_disk_full_in_the_merge_driver(run, full_project: Path) -> None:
    folder = full_project.parent.parent
    text = full_project.read_text(encoding="utf-8")
    ours = folder / "data" / "demands.yaml"
    theirs = folder / "theirs.yaml"
    base = folder / "base.yaml"
    for path, content in ((theirs, text.replace("Tabled in Beijing", "x" * 9000)), (base, text)):
        (folder / "filler").unlink()
        path.write_text(content, encoding="utf-8")
        fill(folder)
    before = snapshot(folder)
    r = run("merge-driver", str(base), str(ours), str(theirs), "--path", "data/demands.yaml")
    assert (r.exit_code, r.stderr) == (
        1,
        "demands merge-driver: cannot write data/demands.yaml: No space left on device; "
        "data/demands.yaml holds ours only and theirs is NOT applied: "
        "merge it by hand (git show :3:data/demands.yaml shows theirs)\n",
    )
    assert snapshot(folder) == before
    assert temporaries(folder) == []


def test_read_only_file_system(run, small_disk: Path, data_file: Path) -> None:
    (small_disk / "data").mkdir()
    target = small_disk / "data" / "demands.yaml"
    shutil.copy(data_file, target)
    remount_read_only(small_disk)
    before = snapshot(small_disk)
    r = demands_cmd("mark", "US-3", "agreed", "-f", str(target), cwd=small_disk)
    assert (r.returncode, r.stderr) == (
        1,
        f"demands: cannot write {target}: Read-only file system; {target} is unchanged\n",
    )
    r = run("export", "--output", str(small_disk / "out.json"), "-f", str(target))
    assert (r.exit_code, r.stderr) == (
        1,
        f"demands: cannot write {small_disk / 'out.json'}: Read-only file system in its folder; "
        f"{small_disk / 'out.json'} is unchanged\n",
    )
    assert run("list", "-f", str(target)).exit_code == 0  # reads still work
    assert snapshot(small_disk) == before


def test_journal_on_a_full_disk_is_a_warning(small_disk: Path, workspace: Path, data_file: Path) -> None:
    """The change is written; undo of it is not available, and the command says so."""
    fill(small_disk)
    env = {"XDG_STATE_HOME": str(small_disk)}
    journal = journal_path(data_file).relative_to(workspace / ".state")
    r = demands_cmd("note", "US-1", "recorded nowhere", cwd=workspace, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr == (
        f"demands: warning: cannot write the undo journal {small_disk / journal}: No space left on device; "
        "the change is written, but 'demands undo' cannot revert it\n"
        "US-1: note added\n"
    )
    assert b"recorded nowhere" in data_file.read_bytes()
    assert [p.name for p in small_disk.rglob("*") if p.is_file()] == ["filler"]  # no empty .journal.* pile


def test_journal_on_a_read_only_disk_is_a_warning(run, small_disk: Path, data_file: Path) -> None:
    remount_read_only(small_disk)
    r = run("note", "US-1", "x", env={"XDG_STATE_HOME": str(small_disk)})
    assert r.exit_code == 0, r.output
    journal = small_disk / "tradedemands" / "undo" / journal_path(data_file).name
    assert r.stderr == (
        f"demands: warning: cannot write the undo journal {journal}: Read-only file system; "
        "the change is written, but 'demands undo' cannot revert it\n"
        "US-1: note added\n"
    )


def test_cache_on_a_full_disk_is_ignored(run, small_disk: Path) -> None:
    fill(small_disk)
    env = {"XDG_CACHE_HOME": str(small_disk), "DEMANDS_CACHE_MIN_BYTES": "0"}
    listed = run("list", "-o", "json", env=env)
    assert (listed.exit_code, listed.stderr) == (0, "")
    assert len(json.loads(listed.stdout)) == 17
    assert run("note", "US-1", "x", env=env).exit_code == 0
    assert [p.name for p in small_disk.rglob("*") if p.is_file()] == ["filler"]


def test_permission_denied(workspace: Path, data_file: Path) -> None:
    """A folder the user may not write (root in CI runs the command without CAP_DAC_OVERRIDE)."""
    folder = workspace / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root, and setpriv (to drop CAP_DAC_OVERRIDE) is not installed")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    folder.chmod(0o555)
    try:
        before = snapshot(workspace)
        done = subprocess.run(
            [*prefix, str(DEMANDS), "note", "US-1", "x"],
            cwd=workspace,
            env={**os.environ, "DEMANDS_NO_CACHE": "1"},
            capture_output=True,
            text=True,
            timeout=30,
        )
        after = snapshot(workspace)
    finally:
        folder.chmod(0o755)
    assert (done.returncode, done.stderr) == (
        1,
        f"demands: cannot write {data_file}: Permission denied in its folder; {data_file} is unchanged\n",
    )
    assert after == before
    assert temporaries(workspace) == []
