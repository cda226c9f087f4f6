"""Every path argument of the library takes text or any ``os.PathLike`` and refuses, by name,
what no file can be called (review of issue 16, attack 5 finding 5).

``find_file(cwd=".")`` was an AttributeError from inside, ``diff(old=Path(...))`` was refused
though its docstring takes paths, and a NUL in a path was Python's bare ``ValueError: embedded
null byte`` from deep inside (for writes too, past ``atomic.Expected``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tradedemands as td


class FsPath:
    """A path-like that is not a pathlib.Path (as a third-party path class would be)."""

    def __init__(self, text: str | bytes) -> None:
        self.text = text

    def __fspath__(self) -> str | bytes:
        return self.text


def test_find_file_takes_a_folder_as_text_or_a_path(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMANDS_FILE")
    (workspace / "sub" / "deeper").mkdir(parents=True)
    found = Path("data/demands.yaml")
    assert td.find_file(cwd=".") == found
    assert td.find_file(cwd="sub/deeper") == found
    assert td.find_file(cwd=workspace / "sub") == found
    assert td.find_file(cwd=FsPath(str(workspace / "sub"))) == found
    with pytest.raises(td.ArgumentTypeError) as caught:
        td.find_file(cwd=1)
    assert str(caught.value) == "cwd must be a folder's path (text or a pathlib.Path), not the number 1"


def test_diff_takes_path_objects_as_files(data_file: Path, workspace: Path) -> None:
    old = workspace / "old.yaml"
    shutil.copy(data_file, old)
    td.mark(data_file, "US-7", "agreed", date="2018-06-01")
    for given in (old, FsPath(str(old))):
        result = td.diff(data_file, old=given, new=data_file)
        (changed,) = result.as_json()["changed"]
        assert changed["id"] == "US-7"
        assert changed["changes"][0] == {"field": "status", "old": "open", "new": "agreed"}
        assert result.as_json()["old"] == str(old)
    # A path object is a file, never a git revision: a missing one says so.
    with pytest.raises(td.FileNotFound, match=r"^HEAD: no such file"):
        td.diff(data_file, old=Path("HEAD"))


NUL_CALLS: list[tuple[str, Callable[[str], Any], str]] = [
    ("list_items", lambda p: td.list_items("a\0b"), "file"),
    ("show Path", lambda p: td.show(Path("a\0b"), "US-1"), "file"),
    ("summary", lambda p: td.summary(FsPath("a\0b")), "file"),
    ("export", lambda p: td.export("a\0b"), "file"),
    ("log", lambda p: td.log("a\0b"), "file"),
    ("brief", lambda p: td.brief("a\0b"), "file"),
    ("compare", lambda p: td.compare("a\0b", "us", "cn"), "file"),
    ("validate one", lambda p: td.validate("a\0b"), "paths"),
    ("validate list", lambda p: td.validate([p, Path("a\0b")]), "paths"),
    ("validate file", lambda p: td.validate(file="a\0b"), "file"),
    ("diff file", lambda p: td.diff("a\0b"), "file"),
    ("diff old", lambda p: td.diff(p, old="a\0b"), "old"),
    ("diff new", lambda p: td.diff(p, new=Path("a\0b")), "new"),
    ("mark", lambda p: td.mark("a\0b", ["US-1"], "agreed"), "file"),
    ("add", lambda p: td.add("a\0b", party="us", title="t"), "file"),
    ("note", lambda p: td.note("a\0b", "US-1", "x"), "file"),
    ("edit", lambda p: td.edit("a\0b", "US-1", title="x"), "file"),
    ("link", lambda p: td.link("a\0b", "US-1", "relates", "CN-1"), "file"),
    ("unlink", lambda p: td.unlink("a\0b", "US-1", "CN-1"), "file"),
    ("remove", lambda p: td.remove("a\0b", "US-1", force=True), "file"),
    ("set_target", lambda p: td.set_target("a\0b", "US-1", amount=5), "file"),
    ("record_progress", lambda p: td.record_progress("a\0b", "US-1", 5), "file"),
    ("undo", lambda p: td.undo("a\0b"), "file"),
    ("init", lambda p: td.init("a\0b"), "path"),
    ("import file", lambda p: td.import_items("a\0b", p), "file"),
    ("import source", lambda p: td.import_items(p, "a\0b"), "source"),
    ("edit_text", lambda p: td.edit_text("a\0b", "US-1", "x"), "file"),
    ("add_text", lambda p: td.add_text("a\0b", "x"), "file"),
    ("new_item_text", lambda p: td.new_item_text("a\0b"), "file"),
    ("load", lambda p: td.load("a\0b"), "path"),
    ("find_file", lambda p: td.find_file(Path("a\0b")), "path"),
    ("find_file cwd", lambda p: td.find_file(cwd="a\0b"), "cwd"),
]


@pytest.mark.parametrize(("label", "call", "name"), NUL_CALLS, ids=[c[0] for c in NUL_CALLS])
def test_a_nul_in_a_path_names_the_argument(
    data_file: Path, label: str, call: Callable[[str], Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if name == "cwd":
        monkeypatch.delenv("DEMANDS_FILE")
    before = sorted(os.listdir(data_file.parent)), data_file.read_bytes()
    with pytest.raises(td.ArgumentValueError) as caught:
        call(str(data_file))
    assert str(caught.value) == f"{name} must be a path without a NUL character, not 'a\\x00b'"
    assert isinstance(caught.value, td.UsageError) and isinstance(caught.value, ValueError)
    assert (sorted(os.listdir(data_file.parent)), data_file.read_bytes()) == before


def test_a_path_like_giving_bytes_is_refused_by_name(data_file: Path) -> None:
    with pytest.raises(td.ArgumentTypeError) as caught:
        td.list_items(FsPath(os.fsencode(data_file)))
    assert (
        str(caught.value) == "file must be a file's path (text or a pathlib.Path), not a path given as bytes (FsPath)"
    )
    with pytest.raises(td.ArgumentTypeError) as caught:
        td.diff(data_file, old=str(data_file).encode())
    assert str(caught.value) == "old must be a file's path or a git revision (text or a pathlib.Path), not a bytes"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["list", "--file", "a\0b"], "--file PATH"),
        (["mark", "US-1", "agreed", "--file", "a\0b"], "--file PATH"),
        (["validate", "a\0b"], "paths"),
    ],
)
def test_the_command_line_says_it_in_one_line_exit_2(run: Any, data_file: Path, args: list[str], said: str) -> None:
    # No real argv can hold a NUL; in-process, the command line still maps the error to a usage error.
    before = data_file.read_bytes()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"demands: {said} must be a path without a NUL character, not 'a\\x00b'\n"
    assert data_file.read_bytes() == before
