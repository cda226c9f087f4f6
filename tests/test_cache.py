"""The parse cache never changes a result, and the CLI's start-up imports only what it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import demands_cmd
from tradedemands import cache, document, transaction


def entries(workspace: Path) -> list[Path]:
    return sorted((workspace / ".cache" / "tradedemands").glob("*" + cache.SUFFIX))


def key(entry: Path) -> str:
    return entry.name.removesuffix(cache.SUFFIX)


def test_a_read_fills_the_cache_and_the_next_read_uses_it(run, workspace: Path, data_file: Path) -> None:
    first = run("list", "-o", "json")
    assert first.exit_code == 0, first.output
    [entry] = entries(workspace)
    assert key(entry) == cache.key_of(data_file.read_bytes())
    assert document.load(data_file).node is None, "the second load should come from the cache"
    assert run("list", "-o", "json").stdout == first.stdout


def test_same_size_same_mtime_change_gives_the_new_result(run, workspace: Path, data_file: Path) -> None:
    run("list")
    before = data_file.stat()
    text = data_file.read_text(encoding="utf-8")
    changed = text.replace("title: Cut tariffs to the US level", "title: Cut tariffs to the EU level")
    assert changed != text and len(changed) == len(text)
    data_file.write_text(changed, encoding="utf-8")
    os.utime(data_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert data_file.stat().st_size == before.st_size and data_file.stat().st_mtime_ns == before.st_mtime_ns
    r = run("show", "US-7", "-o", "json")
    assert json.loads(r.stdout)[0]["title"] == "Cut tariffs to the EU level", r.output


@pytest.mark.parametrize(
    "corrupt",
    [b"", b"{not json", b"[]", b'{"format": "0", "key": "x", "data": {}, "spans": []}', b"\xff\xfe"],
    ids=["empty", "truncated", "not-an-object", "old-format", "binary"],
)
def test_a_corrupt_entry_is_ignored(run, workspace: Path, data_file: Path, corrupt: bytes) -> None:
    expected = run("list", "-o", "json").stdout
    [entry] = entries(workspace)
    entry.write_bytes(corrupt)
    r = run("list", "-o", "json")
    assert r.exit_code == 0, r.output
    assert r.stdout == expected
    assert json.loads(entry.read_bytes())["key"] == key(entry), "the entry was not rewritten"


def test_an_entry_for_other_data_under_this_key_is_not_trusted_blindly(run, workspace: Path, data_file: Path) -> None:
    """An entry is trusted only with this format and its own key inside it."""
    run("list")
    [entry] = entries(workspace)
    forged = json.loads(entry.read_bytes())
    forged["key"] = "0" * 64
    entry.write_text(json.dumps(forged), encoding="utf-8")
    assert cache.get(key(entry)) is None, "a mismatched key must be a miss"
    assert document.load(data_file).data == document.load(data_file, tree=True).data


def test_unwritable_cache_folder_is_ignored(run, workspace: Path) -> None:
    (workspace / ".cache").write_text("a file where the cache folder should be", encoding="utf-8")
    r = run("list", "--party", "us", "-o", "ids")
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    assert r.stdout.split()[0] == "US-1"


def test_demands_no_cache_turns_it_off(run, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMANDS_NO_CACHE", "1")
    assert run("list").exit_code == 0
    assert entries(workspace) == []


def test_small_files_skip_the_cache_by_default(run, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMANDS_CACHE_MIN_BYTES")
    assert run("list").exit_code == 0
    assert entries(workspace) == []


def test_the_cache_is_bounded(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for n in range(6):
        cache.put(f"{n:064d}", {"n": n}, [])
    kept = entries(workspace)
    assert len(kept) == 3


def test_a_warm_write_gives_the_same_file_and_cache_as_a_cold_one(run, workspace: Path, data_file: Path) -> None:
    cold = workspace / "cold.yaml"
    cold.write_bytes(data_file.read_bytes())
    run("list")  # warm the cache for data_file only
    for target in (data_file, cold):
        env = {"DEMANDS_NO_CACHE": "1"} if target == cold else None
        for args in (["mark", "US-7", "discussing", "--date", "2018-05-20"], ["note", "CN-2", "still banned"],
                     ["add", "-p", "cn", "--title", "Lift the ZTE ban", "--date", "2018-05-21"],
                     ["remove", "US-9", "--yes"]):  # fmt: skip
            r = run(*args, "-f", str(target), env=env)
            assert r.exit_code == 0, r.output
    assert data_file.read_bytes() == cold.read_bytes()
    warm_doc = document.load(data_file)
    assert warm_doc.node is None, "the write should have left a cache entry for the new text"
    assert warm_doc.data == document.load(data_file, tree=True).data


def test_two_processes_filling_the_cache_at_once(workspace: Path, data_file: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tradedemands", "list", "-o", "json"],
            cwd=workspace,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ},
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    [entry] = entries(workspace)
    assert json.loads(entry.read_bytes())["key"] == key(entry)
    assert [p.name for p in entry.parent.iterdir() if p.name.endswith(".tmp")] == []
    r = demands_cmd("list", "-o", "json", cwd=workspace)
    assert r.stdout.encode() == outputs[0][0]


def test_importing_the_cli_stays_lean() -> None:
    """Start-up imports neither Rich, YAML, the editor, pydantic nor the git helpers."""
    code = "import sys, tradedemands.cli; print('\\n'.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    )
    for module in ("rich", "yaml", "pydantic", "tradedemands.document", "tradedemands.files",
                   "tradedemands.transaction", "tradedemands.atomic", "tradedemands.editor", "tradedemands.delta",
                   "tradedemands.gitrepo", "tradedemands.render", "csv", "tempfile", "hashlib"):  # fmt: skip
        assert module not in loaded, f"import tradedemands.cli pulls in {module}"


def test_machine_formats_do_not_import_rich(workspace: Path) -> None:
    code = (
        "import sys, runpy; sys.argv = ['demands', 'list', '-o', '{fmt}']\n"
        "try:\n    runpy.run_module('tradedemands', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in sys.modules if m.startswith('rich')))"
    )
    for fmt in ("json", "ids", "csv"):
        r = subprocess.run([sys.executable, "-c", code.format(fmt=fmt)], cwd=workspace, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert r.stderr == "", f"list -o {fmt} imported {r.stderr}"


@pytest.mark.parametrize(
    "args",
    [
        ["mark", "US-7", "discussing", "--note", "talks: continue # soon"],
        ["mark", "US-3", "US-4", "rejected"],
        ["note", "CN-2", "still banned"],
        ["add", "-p", "cn", "--title", "Lift the ZTE ban", "--text", "two\nlines"],
        ["edit", "US-5", "--title", "Protect IP", "--add-tag", "ip", "--priority", "low"],
        ["link", "US-9", "related", "CN-3"],
        ["unlink", "CN-7", "CN-3"],
        ["remove", "US-9", "--yes"],
        ["target", "US-1", "--amount", "100000000000"],
        ["progress", "US-1", "5000000000", "--date", "2019-06-30"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_warm_writes_check_only_the_touched_items(run, data_file: Path, monkeypatch: pytest.MonkeyPatch, args) -> None:
    """With a warm cache the shipped file's writes never need the whole-file re-parse."""
    assert run("list").exit_code == 0

    def whole(*_args: object) -> None:
        raise AssertionError("fell back to re-parsing the whole file")

    original = transaction.check_whole
    monkeypatch.setattr(transaction, "check_whole", whole)
    r = run(*args)
    assert r.exit_code == 0, r.output
    monkeypatch.setattr(transaction, "check_whole", original)
    monkeypatch.setenv("DEMANDS_NO_CACHE", "1")
    r = run("validate", "-f", str(data_file))
    assert r.exit_code == 0, r.output
