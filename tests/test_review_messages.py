"""What the command says, where the hostile review found it saying the wrong thing: each message
names the real cause, in one short line, with the right exit code."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import DEMANDS, demands_cmd
from tradedemands.fileschema import json_schema


def test_a_back_dated_mark_with_the_current_status_says_the_status_stays(run: Any) -> None:
    r = run("mark", "US-1", "contested", "--date", "2018-05-03")
    assert (r.exit_code, r.stderr) == (
        0,
        "US-1: contested on 2018-05-03 recorded in its place by date; status stays contested (set on 2018-05-04)\n",
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["add", "--party", "us", "--title", b"caf\xe9"], "--title"),
        (["add", "--party", "us", b"--title=caf\xe9"], "--title"),
        (["list", b"-qcaf\xe9"], "--search"),
        (["note", "US-1", b"caf\xe9"], "TEXT"),
        (["mark", "US-1", b"caf\xe9"], "ID... STATUS"),
    ],
)
def test_an_argument_that_is_not_utf8_is_a_usage_error_naming_it(
    workspace: Path, data_file: Path, args: list[Any], named: str
) -> None:
    before = data_file.read_bytes()
    done = subprocess.run([os.fsencode(DEMANDS), *args], cwd=workspace, capture_output=True, timeout=60)
    assert (done.returncode, done.stderr.decode()) == (
        2,
        f"demands: {named} is not valid UTF-8 text: 'caf\\xe9'; type it in a UTF-8 terminal (LANG=C.UTF-8)\n",
    )
    assert data_file.read_bytes() == before


def test_a_file_name_that_is_not_utf8_is_still_a_file_name(workspace: Path) -> None:
    done = subprocess.run(
        [os.fsencode(DEMANDS), "list", "-f", b"caf\xe9.yaml"], cwd=workspace, capture_output=True, timeout=60
    )
    assert done.returncode == 1
    assert b"no such file" in done.stderr


def test_a_deleted_current_folder_is_named_as_the_cause(workspace: Path) -> None:
    (workspace / "gone").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DEMANDS_FILE"}
    done = subprocess.run(
        ["sh", "-c", f'cd gone && rmdir ../gone && exec "{DEMANDS}" list'],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (
        1,
        "demands: the current folder no longer exists (it was deleted or moved); cd to a folder that exists, "
        "or pass --file PATH\n",
    )


def test_clicks_own_errors_are_clipped_to_one_short_line(workspace: Path) -> None:
    done = demands_cmd("x" * 20000, cwd=workspace)
    assert done.returncode == 2
    assert done.stderr == f"demands: No such command '{'x' * 283}… (19,719 more characters) (see 'demands --help')\n"


def test_a_dangling_symlink_is_said_to_be_one(workspace: Path) -> None:
    (workspace / "d.yaml").symlink_to("nowhere")
    listed = demands_cmd("list", "-f", "d.yaml", cwd=workspace)
    assert (listed.returncode, listed.stderr) == (
        1,
        "demands: d.yaml: is a symbolic link that leads to no file (it points to 'nowhere'); "
        "fix or remove the link, or create the file it names\n",
    )
    init = demands_cmd("init", "d.yaml", cwd=workspace)
    assert (init.returncode, init.stderr) == (
        1,
        "demands: d.yaml is a symbolic link that leads to no file; init never writes through a link: remove it first\n",
    )


def test_an_index_stage_revision_shows_what_was_typed(workspace: Path) -> None:
    env = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True, env={**os.environ, **env})
    for spec in (":0:data/demands.yaml", ":/etc"):
        done = demands_cmd("diff", spec, cwd=workspace, env=env)
        assert (done.returncode, done.stderr) == (
            1,
            f"demands: unknown revision '{spec}': nothing before ':' names a commit (git's index and ':/text' "
            "searches are not versions here); write REV:path, like HEAD:path\n",
        )


@pytest.mark.parametrize("shell", ["fish", "zsh"])
def test_completion_never_offers_a_tag_the_shell_cannot_type_back(run: Any, data_file: Path, shell: str) -> None:
    text = data_file.read_text(encoding="utf-8")
    data_file.write_text(
        text.replace("tags: [surplus]", 'tags: [surplus, "x\\ny", "e\\e[31m", "rules of origin"]', 1), encoding="utf-8"
    )
    env = {"_DEMANDS_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    done = demands_cmd(env={**env, "_TYPER_COMPLETE_ARGS": "demands list --tag "})
    values = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert "rules of origin" in values and "surplus" in values
    assert not [v for v in values if v in ("x", "y", "x y", "e", "e[31m")], values
    assert all(ch >= " " for v in values for ch in v)
    bash = demands_cmd(
        env={"_DEMANDS_COMPLETE": "complete_bash", "COMP_LINE": "demands list --tag ", "COMP_POINT": "19"}
    )
    assert "$'x\\x0ay'" in bash.stdout.splitlines()  # bash quotes it: the value comes back as it is


BLANK = """\
version: 1
parties: {a: {name: A, aliases: [" "]}}
demands:
  - {id: A-1, party: a, title: t, status: open, tags: ["", "  ", ok], history: [{date: 2020-01-01, note: ""}, {date: 2020-01-02, status: open, note: " "}]}
"""


def test_blank_tags_and_empty_notes_are_validate_and_schema_problems(tmp_path: Path) -> None:
    path = tmp_path / "demands.yaml"
    path.write_text(BLANK, encoding="utf-8")
    done = demands_cmd("validate", "--file", str(path), cwd=tmp_path)
    assert done.returncode == 1
    assert [line.split(": ", 1)[1] for line in done.stderr.splitlines()] == [
        "aliases entry 1 is empty: remove it or write a value",
        "A-1 tags: tags entry 1 is empty: remove it or write a value",
        "A-1 tags: tags entry 2 is empty: remove it or write a value",
        "A-1 history.note: note must not be empty",
        "A-1 history.note: note must not be empty",
    ]
    data = json.loads(json.dumps(yaml.safe_load(BLANK), default=str))
    wrong = sorted(list(e.absolute_path) for e in jsonschema.Draft202012Validator(json_schema()).iter_errors(data))
    assert wrong == [
        ["demands", 0, "history", 0, "note"],
        ["demands", 0, "history", 1, "note"],
        ["demands", 0, "tags", 0],
        ["demands", 0, "tags", 1],
        ["parties", "a", "aliases", 0],
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["add", "--party", "us", "--title", "t", "--tag", " "], "--tag holds an empty tag; give each tag some text"),
        (["edit", "US-1", "--add-tag", ""], "--add-tag holds an empty tag; give each tag some text"),
        (["mark", "US-3", "agreed", "--note", ""], "--note is empty; leave it out or say what happened"),
        (["progress", "US-1", "5", "--note", " "], "--note is empty; leave it out or say what happened"),
    ],
)
def test_commands_refuse_blank_tags_and_empty_notes(run: Any, data_file: Path, args: list[str], said: str) -> None:
    before = data_file.read_bytes()
    r = run(*args)
    assert (r.exit_code, r.stderr) == (2, f"demands: {said}\n")
    assert data_file.read_bytes() == before
