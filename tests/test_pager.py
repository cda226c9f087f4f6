"""A table longer than the terminal goes through a pager, as git's output does; only on a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import DEMANDS


def fake_pager(folder: Path) -> str:
    """A pager that records that it ran and what it was given, and shows it."""
    script = folder / "pager.py"
    script.write_text(
        textwrap.dedent(
            """\
            import os, sys
            data = sys.stdin.buffer.read()
            open(os.environ["PAGED"], "wb").write(data)
            sys.stdout.buffer.write(b"[paged]" + data)
            """
        ),
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def on_a_terminal(args: list[str], env: dict[str, str], cwd: Path, lines: int = 10) -> tuple[int, str, str]:
    """Run the installed command with stdout on a pseudo-terminal of ``lines`` lines."""
    master, slave = os.openpty()
    full = {**os.environ, "COLUMNS": "100", "LINES": str(lines), "TERM": "xterm", **env}
    full = {k: v for k, v in full.items() if v is not None}
    proc = subprocess.Popen([str(DEMANDS), *args], cwd=cwd, stdout=slave, stderr=subprocess.PIPE, env=full)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    _out, err = proc.communicate(timeout=30)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace"), err.decode()


@pytest.fixture
def pager(workspace: Path) -> dict[str, str]:
    return {"DEMANDS_PAGER": fake_pager(workspace), "PAGED": str(workspace / "paged.txt"), "NO_COLOR": "1"}


def test_a_long_table_on_a_terminal_is_paged(workspace: Path, pager: dict[str, str]) -> None:
    code, shown, err = on_a_terminal(["list"], pager, workspace)
    assert (code, err) == (0, ""), err
    assert shown.startswith("[paged]")
    paged = (workspace / "paged.txt").read_text(encoding="utf-8")
    assert "US-1" in paged and "CN-7" in paged and paged.count("\n") > 10


@pytest.mark.parametrize(
    "args",
    [
        ["list", "-p", "us", "-s", "contested"],  # fits the terminal
        ["list", "-o", "json"],  # machine formats never
        ["list", "-o", "csv"],
        ["list", "--no-pager"],
        ["--no-pager", "list"],  # as git --no-pager log
        ["log", "--no-pager"],
    ],
)
def test_no_pager_for_what_fits_machine_formats_or_no_pager(
    workspace: Path, pager: dict[str, str], args: list[str]
) -> None:
    lines = 30 if "contested" in args else 10
    code, shown, err = on_a_terminal(args, pager, workspace, lines=lines)
    assert (code, err) == (0, ""), err
    assert not (workspace / "paged.txt").exists(), args
    assert not shown.startswith("[paged]")


def test_a_pipe_is_never_paged(workspace: Path, pager: dict[str, str]) -> None:
    done = subprocess.run(
        [str(DEMANDS), "list"], cwd=workspace, env={**os.environ, "LINES": "5", **pager}, capture_output=True, text=True
    )
    assert done.returncode == 0 and "CN-7" in done.stdout
    assert not (workspace / "paged.txt").exists()


def test_pager_falls_back_to_pager_then_less(workspace: Path, pager: dict[str, str]) -> None:
    env = {**pager, "DEMANDS_PAGER": None, "PAGER": pager["DEMANDS_PAGER"]}
    code, shown, _err = on_a_terminal(["show", "US-1"], env, workspace)  # type: ignore[arg-type]
    assert code == 0 and shown.startswith("[paged]")


@pytest.mark.parametrize("value", ["no-such-pager-program", "/nonexistent/less -R", str(Path(__file__))])
def test_a_pager_that_cannot_start_means_plain_output(workspace: Path, value: str) -> None:
    code, shown, err = on_a_terminal(["list"], {"DEMANDS_PAGER": value}, workspace)
    assert (code, err) == (0, ""), err
    assert "US-1" in shown and "CN-7" in shown


def test_a_dumb_terminal_is_not_paged(workspace: Path, pager: dict[str, str]) -> None:
    code, shown, err = on_a_terminal(["list"], {**pager, "TERM": "dumb"}, workspace)
    assert (code, err) == (0, "") and "CN-7" in shown
    assert not (workspace / "paged.txt").exists()


@pytest.mark.parametrize("value", ["cat", ""])
def test_cat_or_empty_turns_paging_off(workspace: Path, pager: dict[str, str], value: str) -> None:
    code, shown, err = on_a_terminal(["list"], {**pager, "DEMANDS_PAGER": value}, workspace)
    assert (code, err) == (0, "") and "CN-7" in shown
    assert not (workspace / "paged.txt").exists()


def test_a_bad_demands_pager_is_a_usage_error(run) -> None:
    r = run("list", env={"DEMANDS_PAGER": "less '-R"})
    assert (r.exit_code, r.stderr) == (
        2,
        'demands: bad value "less \'-R" in DEMANDS_PAGER: an unbalanced quote; fix it, or unset it\n',
    )
