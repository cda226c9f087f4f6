"""With the cache off (``DEMANDS_NO_CACHE=1``), a large file is still read item by item, which
keeps its memory that of one item's node tree, not the whole file's; nothing is stored; and the
answers are the whole parse's (review of issue 16, finding 5). So is a file that starts with a
``%YAML`` directive, which the split used to decline."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

from conftest import demands_cmd
from tradedemands import chunks, document


def test_the_cache_off_reads_in_chunks_and_stores_nothing(workspace: Path, data_file: Path) -> None:
    with mock.patch.dict("os.environ", {"DEMANDS_NO_CACHE": "1"}):
        doc = document.load(data_file)
        whole = document.parse(data_file.read_text(encoding="utf-8"), data_file)
    assert doc.node is None, "read in chunks: no node tree of the whole file"
    assert doc.cached is None and len(doc.spans) == len(doc.items) > 1
    assert json.dumps(doc.data) == json.dumps(whole.data)
    assert not (workspace / ".cache").exists() and not (workspace / ".state").exists()


def test_a_write_with_the_cache_off_is_the_write_with_it_on(workspace: Path, data_file: Path) -> None:
    original = data_file.read_bytes()
    results = []
    for env in ({"DEMANDS_NO_CACHE": "1"}, {}):
        data_file.write_bytes(original)
        done = demands_cmd("mark", "US-1", "met", cwd=workspace, env=env)
        assert (done.returncode, done.stderr) == (0, "US-1: contested -> met\n"), done.stderr
        results.append(data_file.read_bytes())
        if env:
            assert not (workspace / ".cache").exists(), "nothing is stored with the cache off"
            journal = json.loads(next((workspace / ".state" / "tradedemands" / "undo").iterdir()).read_bytes())
            assert len(journal[0]["before"]) == 64, "the undo record names the version before"
    assert results[0] == results[1] != original
    undone = demands_cmd("undo", cwd=workspace, env={"DEMANDS_NO_CACHE": "1"})
    assert undone.returncode == 0, undone.stderr


def test_a_file_with_a_yaml_directive_reads_in_chunks(workspace: Path, data_file: Path) -> None:
    text = "%YAML 1.2\n---\n" + data_file.read_text(encoding="utf-8")
    data_file.write_text(text, encoding="utf-8")
    with mock.patch.object(chunks, "load", wraps=chunks.load) as spy:
        doc = document.load(data_file)
    assert spy.call_count == 1 and doc.node is None and doc.spans
    assert json.dumps(doc.data) == json.dumps(document.parse(text, data_file).data)
    cold = demands_cmd("list", "-o", "json", cwd=workspace, env={"DEMANDS_NO_CACHE": "1"})
    warm = demands_cmd("list", "-o", "json", cwd=workspace)
    assert cold.returncode == warm.returncode == 0 and cold.stdout == warm.stdout


def test_an_invalid_file_with_the_cache_off_is_located_by_the_whole_parse(workspace: Path, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8").replace("status: agreed", "status: nonsense", 1)
    data_file.write_text(text, encoding="utf-8")
    line = text[: text.index("status: nonsense")].count("\n") + 1
    done = demands_cmd("validate", cwd=workspace, env={"DEMANDS_NO_CACHE": "1"})
    assert done.returncode == 1
    assert done.stderr.startswith(f"{data_file}:{line}:"), done.stderr
