"""Every string from the file, table headers and status names included, is shown literally and
safely: control characters never reach the terminal raw, in any format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import demands_cmd

ESC, BEL = "\x1b", "\x07"
HOSTILE = f"open{ESC}[31mRED"

FILE = r"""version: 1
parties:
  us: {name: "US\e[2J"}
statuses:
  - {name: "open\e[31mRED"}
  - {name: "[bold]shut[/]\a", closed: true}
demands:
  - id: US-1
    party: us
    title: t
    status: "open\e[31mRED"
    history: [{date: 2020-01-01, status: "open\e[31mRED"}]
"""


@pytest.fixture
def hostile(workspace: Path) -> Path:
    path = workspace / "hostile.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_status_names_in_summary_headers_are_shown_safely_in_every_format(run, hostile: Path) -> None:
    done = demands_cmd("summary", "-f", str(hostile), env={"FORCE_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    assert "open␛[31mRED" in done.stdout
    assert "\x1b[31mRED" not in done.stdout and BEL not in done.stdout
    for fmt in ("table", "csv", "markdown", "json", "yaml"):
        r = run("summary", "-o", fmt, "-f", str(hostile))
        assert r.exit_code == 0, r.output
        assert ESC not in r.stdout and BEL not in r.stdout, f"{fmt}: {r.stdout!r}"
    csv_header = run("summary", "-o", "csv", "-f", str(hostile)).stdout.splitlines()[0]
    assert csv_header == "party,open␛[31mRED,[bold]shut[/]␇,total,closed"
    md_header = run("summary", "-o", "markdown", "-f", str(hostile)).stdout.splitlines()[0]
    assert md_header == "| party | open␛\\[31mRED | \\[bold\\]shut\\[/\\]␇ | total | closed |"
    assert json.loads(run("summary", "-o", "json", "-f", str(hostile)).stdout)["statuses"][0] == HOSTILE


def test_status_names_and_headers_in_other_tables_are_shown_safely(run, hostile: Path) -> None:
    for args in (["list"], ["list", "-o", "csv"], ["log"], ["show", "US-1"], ["brief"], ["compare", "us", "us"]):
        r = run(*args, "-f", str(hostile))
        assert ESC not in r.stdout + r.stderr and BEL not in r.stdout + r.stderr, f"{args}: {r.output!r}"
