"""Shell completion: ids, parties, statuses, topics, tags and rounds from the file on the line.

A few tests drive the installed script through the shell protocol (``_DEMANDS_COMPLETE``,
``COMP_WORDS``, ``COMP_CWORD``), the way bash and zsh call it; the rest run the same protocol
in-process for speed.
"""

from __future__ import annotations

import functools
import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import typer
from typer.testing import CliRunner

from conftest import demands_cmd
from tradedemands.cli import _typer, app
from tradedemands.complete import file_in

US = [f"US-{n}" for n in range(1, 10)]
#: The agreement both sides share comes last in the file; its id begins with US- too.
AGREED = ["US-CN-1"]
CN = [f"CN-{n}" for n in range(1, 8)]
STATUSES = ["open", "discussing", "contested", "agreed", "partial", "met", "rejected", "withdrawn"]

SMALL = """\
version: 1
title: Small
parties:
  eu: {name: European Union}
  uk: {name: United Kingdom}
statuses:
  - {name: proposed}
  - {name: done, closed: true}
demands:
  - id: EU-1
    party: eu
    title: Fish
    topic: fisheries
    status: proposed
    history: [{date: 2020-01-01, status: proposed}]
"""


def bash_env(line: str) -> dict[str, str]:
    """What bash's completion function passes: the words, and the index of the one being typed."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return {"_DEMANDS_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}


@functools.cache
def command() -> Any:
    _typer.register_completion()  # what `demands` does when a shell asks (App.__call__)
    return typer.main.get_command(app)


def complete(line: str, env: dict[str, str] | None = None) -> list[str]:
    """The candidates bash gets for ``line`` (the word being typed is the last, or empty after a space).

    The same protocol as the shell's, in-process and on one built command, for speed."""
    out, err = io.StringIO(), io.StringIO()
    environ = mock.patch.dict(os.environ, {**bash_env(line), **(env or {})})
    with environ, redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exited:
        command().main(args=[], prog_name="demands")
    assert (exited.value.code, err.getvalue()) == (0, ""), err.getvalue()
    return out.getvalue().split()


@pytest.fixture
def small(workspace: Path) -> Path:
    path = workspace / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


# --- the real protocol, in a subprocess -----------------------------------------------------------


def test_bash_completes_item_ids() -> None:
    r = demands_cmd(env=bash_env("demands show US-"))
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    assert r.stdout.split() == US + AGREED


def test_zsh_completes_item_ids_with_their_titles() -> None:
    r = demands_cmd(env={"_DEMANDS_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "demands show CN-"})
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "CN-1\tRelax restrictions on exports of dual-use high-tech goods", r.stdout
    assert [line.split("\t")[0] for line in lines] == CN


def test_a_broken_file_gives_no_candidates_and_no_noise(workspace: Path) -> None:
    path = workspace / "broken.yaml"
    path.write_text("demands: [\n", encoding="utf-8")
    r = demands_cmd(env=bash_env(f"demands show -f {path} "))
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, "", "")


@pytest.mark.parametrize("content", [None, "version: 1\ndemands: [{id: X-1}]\n", "[]\n", "- 1\n"])
def test_a_missing_or_invalid_file_gives_no_candidates(workspace: Path, content: str | None) -> None:
    path = workspace / "other.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert complete(f"demands show -f {path} ") == []
    assert complete(f"demands list -f {path} --status ") == []


def test_no_file_anywhere_gives_no_candidates(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMANDS_FILE")
    (workspace / "data" / "demands.yaml").unlink()
    assert complete("demands show ") == []


def test_completing_builds_the_app_without_loading_the_completion_module() -> None:
    code = (
        "import sys, typer; from tradedemands.cli import app; typer.main.get_command(app); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'rich') or m.startswith("
        "('tradedemands.complete', 'tradedemands.document', 'tradedemands.files'))))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]", r.stdout


# --- what is completed where --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("demands show US-", US + AGREED),
        ("demands show us-", ["us" + i[2:] for i in US + AGREED]),  # in the case typed; ids match in any case
        ("demands show US-1 US-", US[1:] + AGREED),  # not the ids already given
        ("demands show CN-1 -o json CN-", CN[1:]),
        ("demands edit CN-", CN),
        ("demands note CN-", CN),
        ("demands remove CN-", CN),
        ("demands target CN-", CN),
        ("demands progress CN-", CN),
        ("demands unlink CN-1 CN-", CN[1:]),
        ("demands link CN-1 ", ["responds-to", "conflicts-with", "conditional-on", "related"]),
        ("demands link CN-1 conf", ["conflicts-with"]),
        ("demands link CN-1 conflicts-with US-1", ["US-1"]),
        ("demands mark ", US + CN + AGREED),  # nothing given yet: only an id fits
        ("demands mark US-1 ", STATUSES + US[1:] + CN + AGREED),  # another id, or the status
        ("demands mark US-1 US-2 rej", ["rejected"]),
        ("demands mark US-1 US-2 Rej", ["Rejected"]),
        ("demands list --status ", STATUSES),
        ("demands list -s w", ["withdrawn"]),
        ("demands add --party us --title x --status d", ["discussing"]),
        ("demands list --party ", ["us", "cn"]),
        ("demands list -p U", ["Us"]),
        ("demands add --of ", ["us", "cn"]),
        ("demands edit US-1 --of c", ["cn"]),
        ("demands log -p ", ["us", "cn"]),
        ("demands brief --party c", ["cn"]),
        ("demands compare ", ["us", "cn"]),
        ("demands compare us ", ["cn"]),
        ("demands list --topic trade-", ["trade-balance", "trade-barriers", "trade-relations"]),
        ("demands list -t TRADE-BAL", ["TRADE-BALance"]),
        ("demands add -p us --title x --topic cy", ["cyberespionage"]),
        ("demands edit US-1 -t cy", ["cyberespionage"]),
        ("demands compare us cn -t cy", ["cyberespionage"]),
        ("demands list --tag z", ["zte"]),
        ("demands edit US-1 --add-tag z", ["zte"]),
        ("demands edit US-1 --remove-tag z", ["zte"]),
        ("demands list --round ", ["beijing-2018-05"]),
        ("demands mark US-1 met --round b", ["beijing-2018-05"]),
        ("demands note US-1 hello -r b", ["beijing-2018-05"]),
        ("demands diff --round b", ["beijing-2018-05"]),
        ("demands brief -r b", ["beijing-2018-05"]),
        ("demands log --round b", ["beijing-2018-05"]),
        ("demands list --kind ", ["demand", "concession", "red-line", "agreement"]),
        ("demands edit US-1 --priority h", ["high"]),
        ("demands show XX-", []),
    ],
)
def test_candidates(line: str, expected: list[str]) -> None:
    assert complete(line) == expected


def test_the_file_named_on_the_line_is_read(small: Path) -> None:
    assert complete(f"demands show --file {small} ") == ["EU-1"]
    assert complete(f"demands list -f {small} --status ") == ["proposed", "done"]
    assert complete(f"demands list -f{small} -t ") == ["fisheries"]
    # bash splits --file=PATH at the '=' into three words
    assert complete(f"demands list --file = {small} -p ") == ["eu", "uk"]
    assert complete(f"demands compare eu -f {small} ") == ["uk"]


def test_a_file_named_after_the_cursor_is_read_too(small: Path) -> None:
    assert complete(f"demands show E --file {small}", env={"COMP_CWORD": "2"}) == ["EU-1"]


def test_file_in_the_words() -> None:
    assert file_in(["demands", "show", "-f", "a.yaml"]) == "a.yaml"
    assert file_in(["demands", "show", "--file=b.yaml", "-f", "c.yaml"]) == "c.yaml"
    assert file_in(["demands", "show", "-fd.yaml"]) == "d.yaml"
    assert file_in(["demands", "show", "--file", "=", "e.yaml"]) == "e.yaml"
    assert file_in(["demands", "show", "--", "-f", "x"]) is None
    assert file_in(["demands", "show", "-f"]) is None


def test_hostile_titles_reach_zsh_as_plain_one_line_help(data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    hostile = 'title: "[/] [bold]x $(touch pwned) `id` \\e[31mred\\nnext"'
    data_file.write_text(text.replace("title: Cut tariffs to the US level", hostile, 1), encoding="utf-8")
    env = {"_DEMANDS_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "demands show US-7"}
    r = CliRunner().invoke(app, [], env=env, prog_name="demands", catch_exceptions=False)
    assert r.exit_code == 0, r.output
    # One line of data for zsh's _describe, never evaluated: $(...) and backticks stay as written.
    assert r.stdout == "US-7\t[/] [bold]x $(touch pwned) `id` ␛[31mred next\n", repr(r.stdout)
