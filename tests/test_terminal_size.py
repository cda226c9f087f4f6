"""COLUMNS and LINES are read as ASCII digits only, before Rich sees them (attack-16 finding 9)."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from conftest import DEMANDS
from tradedemands import render, tabletext


def demands(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run([str(DEMANDS), *args], env={**clean, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("columns", ["²", "٤٠", "40x", "", " 40"])
def test_a_columns_that_is_not_ascii_digits_is_ignored(data_file: Path, columns: str) -> None:
    plain = demands("list", "--no-pager")
    shown = demands("show", "US-1", "--no-pager")
    assert plain.returncode == 0 and shown.returncode == 0
    assert plain.stdout.splitlines()[0].startswith("id ")  # drawn at 80 columns: not a terminal
    for args, expected in ((("list", "--no-pager"), plain), (("show", "US-1", "--no-pager"), shown)):
        done = demands(*args, COLUMNS=columns, LINES="²")
        assert (done.returncode, done.stderr) == (0, ""), done
        assert done.stdout == expected.stdout


def test_ascii_digits_still_set_the_width(data_file: Path) -> None:
    done = demands("show", "US-1", "--no-pager", COLUMNS="50")
    assert max(map(len, done.stdout.splitlines())) == 50


def test_the_library_reads_them_alike() -> None:
    assert tabletext.size_setting("²") is None and tabletext.size_setting("٤٠") is None
    assert tabletext.size_setting("120") == 120
    quiet = io.StringIO()
    assert tabletext.screen(quiet, {"COLUMNS": "²", "LINES": "3"}).width == 80  # type: ignore[union-attr]
    assert tabletext.screen(quiet, {"COLUMNS": "٤٠", "LINES": "3"}).width == 80  # type: ignore[union-attr]
    assert tabletext.screen(quiet, {"COLUMNS": "40", "LINES": "3"}).width == 40  # type: ignore[union-attr]


def test_the_rich_console_is_not_given_what_int_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "²")
    monkeypatch.setenv("LINES", "²")
    assert render.console().size == (80, 25)
    monkeypatch.setenv("COLUMNS", "٤٠")
    assert render.console().width == 80  # as the table renderer reads it
