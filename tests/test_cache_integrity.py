"""The parse cache never shows anything but the file: an entry is checked whole before use, and
pruning deletes only the cache's own entries, even in a folder full of the user's files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import demands_cmd
from tradedemands import cache, document


def the_entry(workspace: Path) -> Path:
    [entry] = sorted((workspace / ".cache" / "tradedemands").glob("*" + cache.SUFFIX))
    return entry


def forge(entry: Path, payload: Any) -> None:
    """Rewrite an entry with ``payload`` and an HMAC that matches it (only someone holding the
    user's key could do this; the cache must still not crash on what it holds)."""
    import hmac

    key = entry.name.removesuffix(cache.SUFFIX)
    body = json.dumps(payload, separators=(",", ":")).encode()
    secret = cache.secret()
    assert secret is not None
    digest = hmac.new(secret, body, "sha256").hexdigest().encode()
    entry.write_bytes(cache._header(key) + digest + cache._PAYLOAD + body + b"}")


def titles(workspace: Path) -> dict[str, str]:
    """The titles the installed ``demands`` lists."""
    done = demands_cmd("list", "-o", "json", cwd=workspace)
    assert done.returncode == 0, done.stderr
    return {i["id"]: i["title"] for i in json.loads(done.stdout)}


def listed(run: Any) -> str:
    r = run("list", "-o", "json")
    assert r.exit_code == 0, r.output
    return str(r.stdout)


def test_an_entry_edited_on_disk_is_not_shown_and_is_rewritten(workspace: Path, data_file: Path) -> None:
    shipped = titles(workspace)
    entry = the_entry(workspace)
    text = entry.read_text(encoding="utf-8")
    assert text.count("Cut tariffs to the US level") == 1
    entry.write_text(text.replace("Cut tariffs to the US level", "Cut tariffs to zero, now!!"), encoding="utf-8")
    assert titles(workspace) == shipped
    assert "Cut tariffs to the US level" in entry.read_text(encoding="utf-8"), "the entry was not rewritten"
    assert document.load(data_file).node is None, "the rewritten entry should be used again"


@pytest.mark.parametrize("where", ["a title", "the hash", "the format", "the last byte"])
def test_a_flipped_bit_anywhere_makes_the_entry_a_miss(run, workspace: Path, where: str) -> None:
    shipped = listed(run)
    entry = the_entry(workspace)
    raw = bytearray(entry.read_bytes())
    at = {
        "a title": raw.index(b"Cut tariffs to the US level"),  # 'C' -> 'B': still valid JSON
        "the hash": raw.index(b'"hmac":"') + 10,
        "the format": raw.index(b'"format":"') + 10,
        "the last byte": len(raw) - 1,
    }[where]
    raw[at] ^= 1
    entry.write_bytes(bytes(raw))
    assert listed(run) == shipped


def test_a_truncated_entry_is_a_miss(run, workspace: Path) -> None:
    shipped = listed(run)
    entry = the_entry(workspace)
    entry.write_bytes(entry.read_bytes()[:-40] + b"}")
    assert listed(run) == shipped


def test_a_corrupt_entry_does_not_survive_into_the_next_write(run, workspace: Path, data_file: Path) -> None:
    listed(run)
    entry = the_entry(workspace)
    entry.write_text(entry.read_text(encoding="utf-8").replace("Halt cyberespionage", "Forged title"), "utf-8")
    r = run("mark", "US-7", "discussing", "--date", "2018-05-20")
    assert r.exit_code == 0, r.output
    assert "Forged title" not in data_file.read_text(encoding="utf-8")
    for cached in (workspace / ".cache" / "tradedemands").glob("*" + cache.SUFFIX):
        assert "Forged title" not in cached.read_text(encoding="utf-8"), cached.name
    assert document.load(data_file).data == document.load(data_file, tree=True).data


def shapes(good: dict[str, Any]) -> dict[str, Any]:
    items = good["items"]
    n = len(items)
    return {
        "extra key": {**good, "more": 1},
        "data not a mapping": {**good, "data": []},
        "no parties": {**good, "data": {**good["data"], "parties": None}},
        "items not a list": {**good, "items": {}},
        "items in the data too": {**good, "data": {**good["data"], "demands": items}},
        "an item without an id": {**good, "items": [{"title": "x"}, *items[1:]]},
        "an item without a required field": {
            **good,
            "items": [{k: v for k, v in items[0].items() if k != "status"}, *items[1:]],
        },
        "a status that is a number": {**good, "items": [{**items[0], "status": 3}, *items[1:]]},
        "too few spans": {**good, "spans": good["spans"][:-1]},
        "a span past the end": {**good, "spans": [*good["spans"][:-1], [good["spans"][-1][0], 10**9]]},
        "spans out of order": {**good, "spans": list(reversed(good["spans"]))},
        "a span of text": {**good, "spans": [["0", "1"]] * n},
        "too few chunk records": {**good, "chunks": good["chunks"][:-1]},
    }


@pytest.mark.parametrize("shape", list(shapes({"data": {}, "items": [{}], "spans": [[0, 1]], "chunks": [[0, 1]]})))
def test_an_entry_of_an_odd_shape_is_a_miss_even_with_a_matching_hash(
    run, workspace: Path, data_file: Path, shape: str
) -> None:
    shipped = listed(run)
    entry = the_entry(workspace)
    good = json.loads(entry.read_bytes())["payload"]
    assert good["chunks"], "the shipped file is read in chunks"
    forge(entry, shapes(good)[shape])
    assert cache.get(entry.name.removesuffix(cache.SUFFIX), data_file.stat().st_size) is None
    assert listed(run) == shipped
    forge(entry, shapes(good)[shape])
    r = run("mark", "US-7", "discussing", "--date", "2018-05-20")
    assert (r.exit_code, r.stderr) == (0, "US-7: open -> discussing\n"), r.output


@pytest.mark.parametrize("record", [["not-a-key", 1], ["0" * 32, -2], ["0" * 32], "0" * 32, ["0" * 32, 1.5]], ids=repr)
def test_chunk_records_of_another_shape_are_not_used(run, workspace: Path, data_file: Path, record: Any) -> None:
    """The entry still gives the file's data (checked whole), but no item is reused by its chunks."""
    shipped = listed(run)
    entry = the_entry(workspace)
    good = json.loads(entry.read_bytes())["payload"]
    forge(entry, {**good, "chunks": [record, *good["chunks"][1:]]})
    got = cache.get(entry.name.removesuffix(cache.SUFFIX), data_file.stat().st_size)
    assert got is not None and got.chunks == [] and got.known() == {}
    assert listed(run) == shipped
    text = data_file.read_text(encoding="utf-8")
    data_file.write_text(text.replace("Cut tariffs to the US level", "Cut tariffs"), encoding="utf-8")
    assert "Cut tariffs" in listed(run)


def test_pruning_deletes_only_the_caches_own_entries(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache folder is a symlink to a folder of the user's files, some of them JSON named
    like the old entries; an old entry of this tool is there too."""
    mine = workspace / "my-files"
    mine.mkdir()
    keys = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(4)]
    theirs = {
        f"{keys[0]}.json": b'{"checksum": "a content-addressed file of the user"}',
        f"{keys[1]}.json": b"{}",
        "notes.json": b"[]",
        "report.txt": b"text",
        f"{keys[2]}{cache.SUFFIX}.bak": b"a backup",
    }
    for name, body in theirs.items():
        (mine / name).write_bytes(body)
    os.symlink(workspace / "elsewhere.json", mine / f"{keys[3]}{cache.SUFFIX}")  # a dangling link, not ours
    old = mine / f"{'e' * 64}.json"
    old.write_bytes(b'{"format":"2:0.1.0","key":"' + b"e" * 64 + b'","data":{},"spans":[]}')
    (workspace / ".cache").mkdir()
    (workspace / ".cache" / "tradedemands").symlink_to(mine)
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for n in range(6):
        cache.put(f"{n:064d}", {"parties": {}}, [])
    left = sorted(p.name for p in mine.iterdir())
    assert left == sorted([*theirs, f"{keys[3]}{cache.SUFFIX}", *(f"{n:064d}{cache.SUFFIX}" for n in (3, 4, 5))])
    for name, body in theirs.items():
        assert (mine / name).read_bytes() == body


def test_entries_are_one_json_document_named_by_their_key(run, workspace: Path, data_file: Path) -> None:
    listed(run)
    entry = the_entry(workspace)
    key = cache.key_of(data_file.read_bytes())
    assert entry.name == f"{key}.demands-cache.json"
    document = json.loads(entry.read_bytes())
    assert list(document) == ["format", "key", "hmac", "payload"]
    assert document["key"] == key
    body = entry.read_bytes()[entry.read_bytes().index(b'"payload":') + 10 : -1]
    import hmac

    secret = cache.secret()
    assert secret is not None
    assert document["hmac"] == hmac.new(secret, body, "sha256").hexdigest()
