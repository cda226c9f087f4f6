"""A change made by another program while a write runs is never overwritten (attack-16 finding 3).

Each test runs the real ``demands`` command in a child process whose write is paused at the
worst moment (the new text is in its temporary file, the rename is next) while another real
program (``sed -i``, ``touch``, a rename) changes the data file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tradedemands import versioncheck

#: Runs ``demands ARGS`` with ``atomic._fill`` followed by the shell command in $RACE (the
#: other program), so that it lands between the write's read and its rename.
DRIVER = textwrap.dedent(
    """
    import os, subprocess, sys
    from tradedemands import atomic
    fill = atomic._fill
    def racing(*args, **kwargs):
        fill(*args, **kwargs)
        race = os.environ.get("RACE")
        if race:
            subprocess.run(race, shell=True, check=True)
            os.environ.pop("RACE")
    atomic._fill = racing
    from tradedemands.cli import app
    sys.argv[0] = "demands"
    app()
    """
)

TITLE = re.compile(r"^    title: Cut the trade surplus by .*$", re.M)


def demands(*args: str, race: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RACE": race}
    return subprocess.run(
        [sys.executable, "-c", DRIVER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("cache", ["0", "1"])
def test_a_hand_edit_during_a_write_is_kept_and_the_write_refused(
    data_file: Path, cache: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMANDS_NO_CACHE", cache)  # warm (through the cache's key) and cold (the bytes)
    subprocess.run([sys.executable, "-m", "tradedemands", "list", "-o", "ids"], capture_output=True, check=True)
    hand_edited = TITLE.sub("    title: EDITED BY HAND", data_file.read_text(encoding="utf-8"), count=1)
    sed = f"sed -i 's/^    title: Cut the trade surplus by .*$/    title: EDITED BY HAND/' {data_file}"
    done = demands("mark", "US-1", "agreed", race=sed, cwd=data_file.parent)
    assert done.returncode == 1, done
    assert done.stdout == ""
    assert done.stderr == (
        f"demands: {data_file} changed while demands was writing it (by another program); "
        "nothing was written: run the command again\n"
    )
    assert data_file.read_text(encoding="utf-8") == hand_edited  # the other program's change, and only it
    assert leftovers(data_file.parent) == []  # ...and no temporary file is left
    # Nothing was recorded to undo.
    undo = subprocess.run([sys.executable, "-m", "tradedemands", "undo"], capture_output=True, text=True)
    assert undo.returncode == 1 and "nothing to undo" in undo.stderr


def test_the_same_bytes_saved_again_during_a_write_do_not_stop_it(data_file: Path) -> None:
    """``touch``, or a ``git checkout`` that writes the same version again, is no change."""
    before = data_file.read_bytes()
    copy = data_file.with_name("copy.yaml")
    copy.write_bytes(before)
    again = f"touch {data_file} && cp {copy} {data_file}.new && mv {data_file}.new {data_file}"
    done = demands("mark", "US-1", "agreed", race=again, cwd=data_file.parent)
    assert done.returncode == 0, done
    assert done.stderr == "US-1: contested -> agreed\n"
    assert data_file.read_bytes() != before
    assert leftovers(data_file.parent) == []


def test_a_file_removed_during_a_write_is_not_brought_back(data_file: Path) -> None:
    done = demands("note", "US-1", "a note", race=f"rm {data_file}", cwd=data_file.parent)
    assert done.returncode == 1, done
    assert done.stderr.endswith("changed while demands was writing it (by another program); "
                                "nothing was written: run the command again\n")  # fmt: skip
    assert not data_file.exists()
    assert leftovers(data_file.parent) == []


def test_undo_refuses_too(data_file: Path) -> None:
    subprocess.run([sys.executable, "-m", "tradedemands", "mark", "US-1", "agreed"], capture_output=True, check=True)
    hand_edited = TITLE.sub("    title: EDITED BY HAND", data_file.read_text(encoding="utf-8"), count=1)
    edit = f"sed -i 's/^    title: Cut the trade surplus by .*$/    title: EDITED BY HAND/' {data_file}"
    done = demands("undo", race=edit, cwd=data_file.parent)
    assert done.returncode == 1, done
    assert "changed while demands was writing it" in done.stderr
    assert data_file.read_text(encoding="utf-8") == hand_edited
    assert leftovers(data_file.parent) == []


def test_an_unchanged_file_is_checked_by_its_stat_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is read again only when its stat changed or its last change was too recent to tell."""
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n")
    old = 1_000_000_000
    os.utime(path, (old, old))
    reads: list[bytes] = []
    expected = versioncheck.Expected(path).holds(lambda raw: reads.append(raw) or raw == b"a: 1\n")
    expected.check("f.yaml")
    # Settable mtime, but the ctime is now: a change in this clock tick could hide, so the bytes are read.
    assert reads == [b"a: 1\n"]
    expected.started += 10 * versioncheck._RACY_NS  # as if the read began well after the last change
    expected.info = os.stat(path)
    reads.clear()
    expected.check("f.yaml")
    assert reads == []
    path.write_bytes(b"a: 2\n")  # a new size: read, and refused
    with pytest.raises(versioncheck.FileChanged):
        expected.check("f.yaml")
    assert reads == [b"a: 2\n"]
