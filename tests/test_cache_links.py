"""The tool's own files outside the project (cache entries, the cache's key, the undo journal)
are never written or read through a symlink, and a cache entry forged with its hash recomputed
is not trusted (review of issue 16, findings 1 and 8). Real processes, real files; every link
points at a scratch file of the test."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from conftest import demands_cmd
from tradedemands import cache
from tradedemands.journal import journal_path

PRECIOUS = b"precious: do not overwrite\n"


def cache_folder(workspace: Path) -> Path:
    return workspace / ".cache" / "tradedemands"


def listing(workspace: Path, **env: str) -> str:
    done = demands_cmd("list", "-o", "json", cwd=workspace, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def the_entry(workspace: Path) -> Path:
    [entry] = sorted(cache_folder(workspace).glob("*" + cache.SUFFIX))
    return entry


def test_an_entry_name_that_is_a_link_is_replaced_not_written_through(workspace: Path) -> None:
    shipped = listing(workspace)
    entry = the_entry(workspace)
    precious = workspace / "precious.txt"
    precious.write_bytes(PRECIOUS)
    entry.unlink()
    entry.symlink_to(precious)
    assert listing(workspace) == shipped
    assert precious.read_bytes() == PRECIOUS, "the link's target was overwritten"
    assert not entry.is_symlink() and entry.is_file(), "the entry should be a file of the cache's own again"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert [p.name for p in cache_folder(workspace).iterdir() if p.name.endswith(".tmp")] == []


def test_an_entry_that_is_a_link_to_a_valid_entry_is_not_read(workspace: Path, data_file: Path) -> None:
    """The link leads to a well-signed entry holding another title: it must not be shown."""
    shipped = listing(workspace)
    entry = the_entry(workspace)
    elsewhere = workspace / "elsewhere.json"
    elsewhere.write_bytes(entry.read_bytes().replace(b"Cut tariffs to the US level", b"Cut tariffs to the EU level"))
    _resign(elsewhere)
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert listing(workspace) == shipped
    assert b"EU level" in elsewhere.read_bytes()


def _resign(entry: Path) -> None:
    """Give an entry the HMAC of its payload under this user's key (what only the user can do)."""
    import hmac

    raw = entry.read_bytes()
    at = raw.index(b'","payload":')
    body = raw[at + len(b'","payload":') : -1]
    secret = cache.secret()
    assert secret is not None
    start = raw.index(b'"hmac":"') + len(b'"hmac":"')
    entry.write_bytes(raw[:start] + hmac.new(secret, body, "sha256").hexdigest().encode() + raw[at:])


def test_an_entry_edited_with_its_hash_recomputed_is_not_trusted(workspace: Path) -> None:
    """The reproduction of finding 8: a forger recomputes a SHA-256 of the payload."""
    shipped = listing(workspace)
    entry = the_entry(workspace)
    raw = entry.read_bytes()
    head, sep, payload = raw.partition(b'","payload":')
    payload = payload[:-1].replace(b"Cut tariffs to the US level", b"FORGED TITLE", 1)
    assert b"FORGED TITLE" in payload
    prefix = head[: head.rindex(b'"hmac":"') + len(b'"hmac":"')]
    entry.write_bytes(prefix + hashlib.sha256(payload).hexdigest().encode() + sep + payload + b"}")
    assert listing(workspace) == shipped
    assert b"FORGED TITLE" not in entry.read_bytes(), "the forged entry should have been rewritten"


def test_the_key_is_private_and_made_once(workspace: Path) -> None:
    listing(workspace)
    key = workspace / ".state" / "tradedemands" / cache.SECRET_NAME
    text = key.read_bytes()
    assert len(text) == 64 and all(c in b"0123456789abcdef" for c in text)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    listing(workspace, DEMANDS_CACHE_MIN_BYTES="0")
    assert key.read_bytes() == text


def test_a_linked_key_turns_the_cache_off_and_one_others_can_read_is_replaced(workspace: Path) -> None:
    folder = workspace / ".state" / "tradedemands"
    folder.mkdir(parents=True)
    shared = workspace / "shared-key"
    shared.write_bytes(b"ab" * 32)
    shared.chmod(0o600)
    (folder / cache.SECRET_NAME).symlink_to(shared)
    done = demands_cmd("list", "-o", "json", cwd=workspace)
    assert done.returncode == 0 and "is a symbolic link (never followed); remove it" in done.stderr
    shipped = done.stdout
    assert not cache_folder(workspace).exists() or list(cache_folder(workspace).iterdir()) == []
    assert (folder / cache.SECRET_NAME).is_symlink() and shared.read_bytes() == b"ab" * 32
    (folder / cache.SECRET_NAME).unlink()
    (folder / cache.SECRET_NAME).write_bytes(b"ab" * 32)
    (folder / cache.SECRET_NAME).chmod(0o644)
    assert listing(workspace) == shipped  # a key others could read is replaced, never used (tests/test_cache_key.py)
    assert (folder / cache.SECRET_NAME).read_bytes() != b"ab" * 32
    assert stat.S_IMODE((folder / cache.SECRET_NAME).stat().st_mode) == 0o600
    assert shared.read_bytes() == b"ab" * 32


def test_a_cache_folder_of_another_user_is_not_used(workspace: Path) -> None:
    if os.geteuid() != 0:
        import pytest

        pytest.skip("needs root to give the folder away")
    folder = cache_folder(workspace)
    folder.mkdir(parents=True)
    os.chown(folder, 12345, 12345)
    shipped = listing(workspace)
    assert list(folder.iterdir()) == []
    assert listing(workspace, DEMANDS_NO_CACHE="1") == shipped


def test_an_undo_journal_that_is_a_link_is_set_aside_not_written_through(workspace: Path, data_file: Path) -> None:
    """Even when the link leads to a file that reads as an empty journal (``[]``)."""
    journal = journal_path(data_file)
    journal.parent.mkdir(parents=True)
    target = workspace / "looks-like-a-journal.json"
    target.write_bytes(b"[]")
    journal.symlink_to(target)
    done = demands_cmd("note", "US-1", "through a link?", cwd=workspace)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == b"[]", "the link's target was written"
    [aside] = [p for p in journal.parent.iterdir() if p.name.startswith(journal.name + ".damaged-")]
    assert aside.is_symlink()
    assert done.stderr.startswith(
        f"demands: warning: the undo journal {journal} was a symbolic link, not a journal demands wrote; "
        f"set aside as {aside.name}"
    ), done.stderr
    assert not journal.is_symlink() and stat.S_IMODE(journal.stat().st_mode) == 0o600
    assert json.loads(journal.read_bytes())[0]["what"].startswith("note US-1")


def test_an_undo_journal_of_another_user_is_not_applied(workspace: Path, data_file: Path) -> None:
    if os.geteuid() != 0:
        import pytest

        pytest.skip("needs root to give the journal away")
    assert demands_cmd("note", "US-1", "mine", cwd=workspace).returncode == 0
    journal = journal_path(data_file)
    os.chown(journal, 12345, 12345)
    before = data_file.read_bytes()
    done = demands_cmd("undo", cwd=workspace)
    assert (done.returncode, done.stderr) == (
        1,
        f"demands: the undo journal {journal} belongs to another user; remove it\n",
    )
    assert data_file.read_bytes() == before
