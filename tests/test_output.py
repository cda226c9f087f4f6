"""``--output`` (brief, export) replaces its file atomically, never the data file; ``-o`` is ``--format``."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import demands_cmd
from safety_helpers import snapshot, temporaries


@pytest.mark.parametrize("command", [["brief"], ["export", "-o", "csv"]])
@pytest.mark.parametrize("spelling", ["plain", "dotdot", "absolute", "symlink", "hardlink"])
def test_refuses_to_write_over_the_data_file(run, workspace: Path, data_file: Path, command, spelling) -> None:
    target = {
        "plain": "data/demands.yaml",
        "dotdot": "data/../data/./demands.yaml",
        "absolute": str(data_file),
        "symlink": "link.yaml",
        "hardlink": "hard.yaml",
    }[spelling]
    if spelling == "symlink":
        (workspace / "link.yaml").symlink_to(data_file)
    if spelling == "hardlink":
        os.link(data_file, workspace / "hard.yaml")
    before = snapshot(workspace)
    r = run(*command, "--output", target)
    assert r.exit_code == 2, r.output
    assert r.stderr == (
        f"demands: refusing to write over the data file {data_file}: choose another --output; nothing was changed\n"
    )
    assert snapshot(workspace) == before


def test_brief_dash_o_is_format(run, workspace: Path) -> None:
    """``brief -o json`` wrote a file named ``json``; ``-o`` is --format on every command now."""
    before = snapshot(workspace)
    r = run("brief", "-o", "json")
    assert r.exit_code == 2, r.output
    assert r.stderr == (
        "demands brief: Invalid value for '--format' / '-o': 'json' is not one of 'markdown'. "
        "(see 'demands brief --help')\n"
    )
    assert snapshot(workspace) == before
    markdown = run("brief", "-o", "markdown")
    assert markdown.exit_code == 0 and markdown.stdout == run("brief").stdout
    assert markdown.stdout.startswith("# ")


def test_output_replaces_an_old_file_keeping_its_mode_and_symlink(run, workspace: Path) -> None:
    real = workspace / "reports" / "brief.md"
    real.parent.mkdir()
    real.write_text("yesterday's brief\n", encoding="utf-8")
    real.chmod(0o640)
    link = workspace / "latest.md"
    link.symlink_to(real)
    inode = real.stat().st_ino
    r = run("brief", "--output", "latest.md")
    assert (r.exit_code, r.stderr) == (0, "wrote latest.md\n"), r.output
    assert real.read_text(encoding="utf-8") == run("brief").stdout
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert real.stat().st_ino != inode  # a new file renamed into place, not the old one cut and rewritten
    assert temporaries(workspace) == []


def test_output_to_devices_and_pipes_writes_in_place(run, workspace: Path) -> None:
    """Renaming over /dev/null (we run as root in CI) would replace the device with a file."""
    r = run("export", "--output", "/dev/null")
    assert (r.exit_code, r.stderr) == (0, "wrote /dev/null\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    r = demands_cmd("export", "-o", "csv", "--output", "/dev/stdout", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert r.stdout == run("export", "-o", "csv").stdout


def test_output_to_a_folder_or_a_read_only_file(run, workspace: Path) -> None:
    r = run("export", "--output", "data")
    assert (r.exit_code, r.stderr) == (1, "demands: cannot write data: it is a directory; give a file name\n")
    locked = workspace / "locked.json"
    locked.write_text("old\n", encoding="utf-8")
    locked.chmod(0o444)
    r = run("export", "--output", "locked.json")
    assert (r.exit_code, r.stderr) == (
        1,
        "demands: cannot write locked.json: the file is read-only; locked.json is unchanged\n",
    )
    assert locked.read_text(encoding="utf-8") == "old\n"
