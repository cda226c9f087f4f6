"""The parse cache's key file (review of issue 16, attack 5 finding 6).

A key the tool will not use used to turn the cache off for good, silently (30,000 items:
validate 0.22 s -> 1.1 s on every run). Now a key of this user's that is merely too open (or
malformed) is replaced by a fresh private one; anything else at its name (a directory, a FIFO,
a symlink, another user's file) is left alone, and each run says so in one warning line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import tradedemands as td
from conftest import demands_cmd
from tradedemands import cache


def _key(workspace: Path) -> Path:
    return workspace / ".state" / "tradedemands" / "cache-key"


def _warning(key: Path, problem: str) -> str:
    return (
        f"demands: warning: the parse cache is off: its key file {key} {problem}; remove it, and the next run "
        "makes a new key (DEMANDS_NO_CACHE=1 turns it off without this warning)\n"
    )


def test_a_key_readable_by_others_is_replaced(
    workspace: Path, data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = demands_cmd("summary", "--format", "json")
    key = _key(workspace)
    old = key.read_bytes()
    key.chmod(0o644)  # a backup restored, a sync tool ignoring the umask
    again = demands_cmd("summary", "--format", "json")
    assert (again.returncode, again.stderr, again.stdout) == (0, "", first.stdout)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes() != old and len(key.read_bytes()) == 64
    # The entry this run wrote is signed with the new key: the next run reads it.
    monkeypatch.setattr(cache, "_SECRETS", {})
    assert cache.get(cache.key_of(data_file.read_bytes())) is not None


def test_a_malformed_key_of_ours_is_replaced(workspace: Path) -> None:
    demands_cmd("summary")
    key = _key(workspace)
    key.write_bytes(b"not a key\n")
    result = demands_cmd("summary")
    assert (result.returncode, result.stderr) == (0, "")
    assert key.read_bytes() != b"not a key\n" and len(key.read_bytes()) == 64


def _directory(key: Path) -> str:
    key.mkdir()
    return "is a directory, not a key file"


def _fifo(key: Path) -> str:
    os.mkfifo(key)
    return "is a FIFO (named pipe), not a key file"


def _symlink(key: Path) -> str:
    target = key.parent.parent / "elsewhere"  # a scratch file holding a well-formed, private key
    target.write_bytes(b"ab" * 32)
    target.chmod(0o600)
    key.symlink_to(target)
    return "is a symbolic link (never followed)"


def _another_users(key: Path) -> str:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    key.write_bytes(b"ab" * 32)
    key.chmod(0o600)
    os.chown(key, 54321, -1)
    return "belongs to another user (uid 54321)"


@pytest.mark.parametrize("make", [_directory, _fifo, _symlink, _another_users], ids=lambda f: f.__name__.strip("_"))
def test_a_key_that_cannot_be_used_is_left_alone_and_said(workspace: Path, data_file: Path, make: object) -> None:
    key = _key(workspace)
    key.parent.mkdir(parents=True)
    problem = make(key)  # type: ignore[operator]
    before = os.lstat(key)
    result = demands_cmd("list", "--format", "ids")
    assert (result.returncode, result.stderr) == (0, _warning(key, problem))
    assert result.stdout == demands_cmd("list", "--format", "ids", env={"DEMANDS_NO_CACHE": "1"}).stdout
    after = os.lstat(key)
    assert (after.st_ino, after.st_mode, after.st_uid) == (before.st_ino, before.st_mode, before.st_uid)
    assert not list((workspace / ".cache" / "tradedemands").glob("*.demands-cache.json"))


def test_once_a_run_on_writes_and_never_with_the_cache_off(workspace: Path, data_file: Path) -> None:
    key = _key(workspace)
    key.parent.mkdir(parents=True)
    key.mkdir()
    result = demands_cmd("mark", "US-7", "agreed", "--date", "2018-06-01")
    assert result.returncode == 0
    assert result.stderr == _warning(key, "is a directory, not a key file") + "US-7: open -> agreed\n"
    off = demands_cmd("mark", "US-7", "discussing", "--date", "2018-06-02", env={"DEMANDS_NO_CACHE": "1"})
    assert (off.returncode, off.stderr) == (0, "US-7: agreed -> discussing\n")


def test_the_library_warns_through_warnings(workspace: Path, data_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "_SECRETS", {})
    key = _key(workspace)
    key.parent.mkdir(parents=True)
    key.mkdir()
    with pytest.warns(cache.CacheWarning) as caught:
        td.summary(data_file)
        td.list_items(data_file)
    assert [str(w.message) for w in caught] == [_warning(key, "is a directory, not a key file")[18:-1]]
