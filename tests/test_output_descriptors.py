"""``--output`` that names a descriptor (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``...) is
written where it stands, never renamed over the file behind it.

Real shells run the installed ``demands``: ``>>`` must append, and in ``{ ...; } > f`` what the
other commands wrote must stay (a rename would unlink the file the shell holds open).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMANDS
from tradedemands import atomic

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")


def sh(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` in a real shell, with ``demands`` the installed command."""
    return subprocess.run(
        ["sh", "-c", script],
        cwd=cwd,
        env={**os.environ, "DEMANDS": str(DEMANDS)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", ["/dev/stdout", "/proc/self/fd/1", "link"])
def test_appending_to_a_log_keeps_what_it_held(run: Any, workspace: Path, name: str) -> None:
    log = workspace / "log.txt"
    log.write_text("IMPORTANT LINE 1\nIMPORTANT LINE 2\n", encoding="utf-8")
    (workspace / "link").symlink_to("/dev/stdout")
    r = sh(f'"$DEMANDS" export -o csv --output {name} >> log.txt', workspace)
    assert (r.returncode, r.stderr) == (0, f"wrote {name}\n")
    ids = run("export", "-o", "csv").stdout
    assert log.read_text(encoding="utf-8") == "IMPORTANT LINE 1\nIMPORTANT LINE 2\n" + ids
    assert not log.is_symlink()


def test_a_grouped_redirect_keeps_the_other_commands_output(run: Any, workspace: Path) -> None:
    r = sh('{ echo HEADER; "$DEMANDS" brief --output /dev/stdout; echo FOOTER; } > combined.md', workspace)
    assert r.returncode == 0, r.stderr
    text = (workspace / "combined.md").read_text(encoding="utf-8")
    brief = run("brief").stdout
    assert text == "HEADER\n" + brief + "FOOTER\n"


def test_stderr_is_written_where_it_stands(run: Any, workspace: Path) -> None:
    (workspace / "err.txt").write_text("before\n", encoding="utf-8")
    r = sh('"$DEMANDS" export -o csv --output /dev/stderr 2>> err.txt', workspace)
    assert r.returncode == 0
    ids = run("export", "-o", "csv").stdout
    assert (workspace / "err.txt").read_text(encoding="utf-8") == "before\n" + ids + "wrote /dev/stderr\n"


def test_another_process_descriptor_is_appended_to(run: Any, workspace: Path) -> None:
    log = workspace / "log.txt"
    log.write_text("kept\n", encoding="utf-8")
    with open(log, "ab") as handle:
        holder = subprocess.Popen(["sleep", "30"], stdout=handle)
    try:
        r = sh(f'"$DEMANDS" export -o csv --output /proc/{holder.pid}/fd/1', workspace)
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 0, r.stderr
    ids = run("export", "-o", "csv").stdout
    assert log.read_text(encoding="utf-8") == "kept\n" + ids


def test_a_descriptor_not_open_is_one_line(workspace: Path) -> None:
    r = sh('"$DEMANDS" export -o csv --output /dev/fd/9', workspace)
    assert (r.returncode, r.stderr) == (1, "demands: cannot write /dev/fd/9: Bad file descriptor\n")


def test_an_empty_output_is_a_usage_error(workspace: Path) -> None:
    r = sh('"$DEMANDS" export -o json --output ""', workspace)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", "demands: --output is empty: give a file name\n")


def test_a_plain_file_is_still_replaced_atomically(run: Any, workspace: Path) -> None:
    """A regular file named by its path (or a symlink to one) is replaced, as before."""
    out = workspace / "out.txt"
    out.write_text("yesterday\n", encoding="utf-8")
    inode = out.stat().st_ino
    r = sh('"$DEMANDS" export -o csv --output out.txt', workspace)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_ino != inode
    assert out.read_text(encoding="utf-8") == run("export", "-o", "csv").stdout


def test_which_paths_lead_through_a_descriptor(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("", encoding="utf-8")
    (tmp_path / "to-stdout").symlink_to("/dev/stdout")
    (tmp_path / "chain").symlink_to(tmp_path / "to-stdout")
    me = os.getpid()
    assert atomic.through_descriptor("/dev/stdout") == (None, 1, f"/proc/{me}/fd/1")
    assert atomic.through_descriptor("/dev/stderr")[:2] == (None, 2)  # type: ignore[index]
    assert atomic.through_descriptor("/dev/fd/7")[:2] == (None, 7)  # type: ignore[index]
    assert atomic.through_descriptor("/proc/self/fd/3")[:2] == (None, 3)  # type: ignore[index]
    assert atomic.through_descriptor("/proc/thread-self/fd/1")[:2] == (None, 1)  # type: ignore[index]
    assert atomic.through_descriptor(str(tmp_path / "chain"))[:2] == (None, 1)  # type: ignore[index]
    assert atomic.through_descriptor("/proc/1/fd/1") == (1, 1, "/proc/1/fd/1")
    assert atomic.through_descriptor(str(tmp_path / "plain")) is None
    assert atomic.through_descriptor(str(tmp_path / "missing" / "x")) is None
    assert atomic.through_descriptor("/proc/self/fd") is None  # the folder, not a descriptor
