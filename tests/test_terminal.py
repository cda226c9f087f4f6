"""Terminal manners: colour only where wanted, tables that fit, text that wraps, odd locales and paths."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import DEMANDS, demands_cmd
from tradedemands.model import natural_key

IDS = [f"US-{n}" for n in range(1, 10)] + [f"CN-{n}" for n in range(1, 8)] + ["US-CN-1"]
#: Any SGR sequence that sets a colour: 30-37/90-97 foreground, 40-47/100-107 background, 38;/48; extended.
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
CJK_TITLE = "放宽对两用高科技产品的出口限制"
PLAIN = {"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm-256color"}


def at_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the installed script with its stdout on a pseudo-terminal; what it wrote there."""
    master, slave = os.openpty()
    full_env = {**os.environ, "COLUMNS": "100", "DEMANDS_PAGER": "cat", **env}  # paging: tests/test_pager.py
    full_env = {k: v for k, v in full_env.items() if v != ""}
    proc = subprocess.Popen([str(DEMANDS), *args], stdout=slave, stderr=subprocess.PIPE, env=full_env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    return b"".join(chunks).decode("utf-8")


def with_env(env: dict[str, str]) -> dict[str, str]:
    """``os.environ`` plus ``env``, where an empty value removes the variable."""
    full = {**os.environ, **env}
    return {k: v for k, v in full.items() if v != ""}


def run_clean(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEMANDS), *args], env=with_env(env), capture_output=True, text=True, encoding="utf-8", timeout=30
    )


# --- colour -----------------------------------------------------------------------------------


def test_a_terminal_gets_colour_and_no_color_takes_it_away() -> None:
    coloured = at_a_terminal("list", env=PLAIN)
    assert COLOUR.search(coloured), "expected colour at a terminal"
    plain = at_a_terminal("list", env={**PLAIN, "NO_COLOR": "1"})
    assert not COLOUR.search(plain), repr(plain[:300])
    assert all(i in plain for i in IDS)


@pytest.mark.parametrize("args", [("list",), ("--help",)])
def test_piped_output_has_no_escapes_at_all(args: tuple[str, ...]) -> None:
    r = run_clean(*args, env=PLAIN)
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout + r.stderr


@pytest.mark.parametrize("args", [("show", "US-1", "CN-6"), ("summary",), ("log",), ("compare", "us", "cn")])
def test_other_tables_have_no_escapes_in_a_pipe_either(
    run, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout + r.stderr


def test_force_color_colours_even_a_pipe() -> None:
    r = run_clean("list", env={**PLAIN, "FORCE_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    assert COLOUR.search(r.stdout), r.stdout[:300]


# --- width --------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [40, 60, 200])
@pytest.mark.parametrize("args", [("list",), ("log",), ("summary",), ("compare", "us", "cn"), ("show", "US-6")])
def test_tables_fit_the_terminal_and_keep_every_id_whole(run, width: int, args: tuple[str, ...]) -> None:
    r = run(*args, env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    widest = max(cell_len(line) for line in lines)
    assert widest <= width, f"{widest} > {width}:\n{r.stdout}"
    if args == ("list",):
        assert [line.split()[0] for line in lines if re.match(r"[A-Z]{2}(-[A-Z]{2})?-\d", line)] == sorted(
            IDS, key=natural_key
        )
    if args == ("log",):
        assert {m for line in lines for m in re.findall(r"\b(?:US|CN)-\d\b", line)} >= {"US-1", "US-2", "CN-6"}


@pytest.mark.parametrize("width", [60, 200])
def test_list_wraps_titles_and_loses_no_word(run, width: int) -> None:
    r = run("list", env={"COLUMNS": str(width)})
    words = set(r.stdout.split())
    for title in ("Accept US investment restrictions in sensitive technologies without retaliating",):
        assert set(title.split()) <= words, r.stdout


def test_show_wraps_long_text_and_loses_no_word(run) -> None:
    title = "A title far longer than the terminal is wide, so that the panel cannot hold it on its border"
    text = " ".join(f"word{n}" for n in range(120)) + " " + "x" * 70
    assert run("edit", "US-7", "--title", title, "--text", text).exit_code == 0
    r = run("show", "US-7", env={"COLUMNS": "60"})
    assert r.exit_code == 0, r.output
    assert max(cell_len(line) for line in r.stdout.splitlines()) <= 60, r.stdout
    shown = r.stdout.split()
    for word in (title + " " + " ".join(f"word{n}" for n in range(120))).split():
        assert word in shown, f"{word!r} missing:\n{r.stdout}"
    assert "x" * 70 in "".join(line.strip("│ ") for line in r.stdout.splitlines()), r.stdout


# --- locales and paths ---------------------------------------------------------------------------


@pytest.fixture
def cjk(data_file: Path) -> Path:
    text = data_file.read_text(encoding="utf-8")
    data_file.write_text(
        text.replace("title: Relax restrictions on exports of dual-use high-tech goods", f"title: {CJK_TITLE}"),
        encoding="utf-8",
    )
    return data_file


def test_a_c_locale_still_shows_cjk_text(cjk: Path) -> None:
    r = demands_cmd("show", "CN-1", env={"LC_ALL": "C", "LANG": "C", "COLUMNS": "80"})
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    assert CJK_TITLE in r.stdout


def test_an_ascii_terminal_gets_a_table_with_question_marks_still_aligned(cjk: Path) -> None:
    r = run_clean("list", "-p", "cn", env={"PYTHONIOENCODING": "ascii", "COLUMNS": "80"})
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    lines = r.stdout.splitlines()
    assert re.match(r"id +\| party", lines[0]), r.stdout  # Rich's ASCII borders
    arrows = r.stdout.count("cn?us")  # cn→us
    assert r.stdout.count("?") == 2 * len(CJK_TITLE) + arrows, r.stdout  # one '?' per terminal cell
    assert len({len(line) for line in lines[:4]}) == 1, r.stdout


@pytest.mark.parametrize("args", [("list", "-o", "json"), ("brief",)])
def test_an_ascii_terminal_gets_one_clear_line_for_machine_formats(cjk: Path, args: tuple[str, ...]) -> None:
    r = run_clean(*args, env={"PYTHONIOENCODING": "ascii"})
    assert r.returncode == 1, r.stdout
    assert r.stderr == (
        "demands: the output holds characters the ascii encoding cannot write; "
        "use a UTF-8 locale (LANG=C.UTF-8) or set PYTHONIOENCODING=utf-8\n"
    )


def test_windows_style_paths(workspace: Path, data_file: Path) -> None:
    missing = r"C:\data\demands.yaml"
    r = demands_cmd("list", "-f", missing)
    assert (r.returncode, r.stdout) == (1, ""), r.stderr
    assert r.stderr == f"demands: {missing}: no such file; run 'demands init {missing}' to start one\n"
    odd = workspace / r"data\copy [1].yaml"
    odd.write_bytes(data_file.read_bytes())
    r = demands_cmd("list", "-o", "ids", env={"DEMANDS_FILE": str(odd)})
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    assert len(r.stdout.split()) == len(IDS)
