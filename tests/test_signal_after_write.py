"""A signal that comes after the change landed never makes the command say it was interrupted.

``strace -e inject=write:signal=TERM:when=N`` delivers SIGTERM at each ``write(2)`` of a write in
turn: the temporary file, the undo journal, the confirmation on stderr. Whatever the window, the
answer tells the truth: either the file is unchanged and the command says so (exit 143), or the
change landed and the command confirms it and exits 0, so that a script never runs it again.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import DEMANDS
from safety_helpers import temporaries
from test_signals import needs_strace
from tradedemands.journal import read_journal

#: No parse cache and no bytecode: the write(2) calls are then only the command's own.
QUIET = {"DEMANDS_NO_CACHE": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def term_at_write(when: int, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["strace", "-qq", "-f", "-o", os.devnull, "-e", "trace=write", "-e", f"inject=write:signal=TERM:when={when}"]
        + [str(DEMANDS), *args],
        cwd=cwd,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_strace
@pytest.mark.parametrize("when", [1, 2, 3, 4])
def test_note_tells_the_truth_at_every_write(workspace: Path, data_file: Path, when: int) -> None:
    before = data_file.read_bytes()
    r = term_at_write(when, "note", "US-1", "call with Liu He", cwd=workspace)
    landed = data_file.read_bytes() != before
    if when == 1:  # the temporary file: nothing has replaced the data file yet
        assert not landed
        assert (r.returncode, r.stderr) == (143, f"demands: interrupted; {data_file} is unchanged\n")
        assert read_journal(data_file) == []
    else:  # the journal, or the confirmation itself: the note is in, and the command says so
        assert landed
        assert (r.returncode, r.stderr) == (0, "US-1: note added\n")
        assert [e["what"] for e in read_journal(data_file)] == ["note US-1"]
    assert temporaries(workspace) == []


@needs_strace
def test_add_prints_its_id_when_the_signal_comes_after_the_write(workspace: Path, data_file: Path) -> None:
    r = term_at_write(3, "add", "--party", "cn", "--title", "Lift the ZTE ban", cwd=workspace)
    assert (r.returncode, r.stdout, r.stderr) == (0, "CN-8\n", "added CN-8\n")
    assert b"Lift the ZTE ban" in data_file.read_bytes()


@needs_strace
@pytest.mark.parametrize("when", [1, 2])
def test_an_output_tells_the_truth(workspace: Path, when: int) -> None:
    out = workspace / "brief.md"
    out.write_text("yesterday's brief\n", encoding="utf-8")
    r = term_at_write(when, "brief", "--output", "brief.md", cwd=workspace)
    if when == 1:
        assert (r.returncode, r.stderr) == (143, "demands: interrupted; brief.md is unchanged\n")
        assert out.read_text(encoding="utf-8") == "yesterday's brief\n"
    else:
        assert (r.returncode, r.stderr) == (0, "wrote brief.md\n")
        assert out.read_text(encoding="utf-8").startswith("# ")
    assert temporaries(workspace) == []
