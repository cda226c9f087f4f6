"""Every command's help ends with real examples, as gh's does, and every example runs."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from tradedemands.cli import app

COMMAND = typer.main.get_command(app)
NAMES = list(COMMAND.commands)  # type: ignore[attr-defined]
#: An editor that retitles the item it is given (the examples of edit and add --edit open one).
EDITOR = "import re, sys; p = sys.argv[1]; t = open(p).read(); open(p, 'w').write(re.sub(r'(?m)^title:.*$', 'title: Edited', t))"


def examples_of(name: str) -> list[str]:
    epilog = COMMAND.commands[name].epilog or ""  # type: ignore[attr-defined]
    return [line[2:] for line in epilog.splitlines() if line.startswith("$ ")]


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def setup(name: str, workspace: Path, run) -> None:
    """What an example needs beyond the shipped data: a repository, versions, a write to undo."""
    if name in ("diff", "git-setup", "merge-driver"):
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        git("init", "-q", cwd=workspace)
        git("-c", "user.name=t", "-c", "user.email=t@t", "add", "data", "seeds", cwd=workspace)
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one", cwd=workspace)
        assert run("mark", "US-7", "discussing", "--date", "2018-05-17").exit_code == 0
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "two", cwd=workspace)
        assert run("note", "US-1", "Talks about talks", "--date", "2018-05-20").exit_code == 0
    if name == "merge-driver":
        for version in ("base", "ours", "theirs"):
            shutil.copy(workspace / "data" / "demands.yaml", workspace / f"{version}.yaml")
    if name == "undo":
        assert run("mark", "US-7", "discussing").exit_code == 0


@pytest.mark.parametrize("name", NAMES)
def test_help_ends_with_examples(run, name: str) -> None:
    found = examples_of(name)
    assert 2 <= len(found) <= 4, f"{name}: give two or three examples, found {found}"
    assert all(line.startswith("demands ") for line in found), found
    assert any(line.startswith(f"demands {name}") for line in found), f"no example of {name} itself: {found}"
    r = run(name, "--help")
    assert r.exit_code == 0, r.output
    assert "Examples:" in r.stdout and f"$ demands {name}" in r.stdout, r.stdout[-600:]


@pytest.mark.parametrize("name", NAMES)
def test_every_example_runs(run, workspace: Path, name: str) -> None:
    """Each example line, on a scratch copy of the shipped data: ``a && b`` runs both, ``| ...``
    runs what comes before the pipe, ``> FILE`` writes stdout to FILE."""
    setup(name, workspace, run)
    env = {"EDITOR": f"{shlex.quote(sys.executable)} -c {shlex.quote(EDITOR)}", "VISUAL": ""}
    for line in examples_of(name):
        for part in line.split(" && "):
            words = shlex.split(part.split(" | ")[0])
            target = None
            if ">" in words:
                at = words.index(">")
                words, target = words[:at], words[at + 1]
            assert words[0] == "demands", line
            r = run(*words[1:], env=env)
            assert r.exit_code == 0, f"{line}\n{r.output}"
            if target is not None:
                (workspace / target).write_text(r.stdout, encoding="utf-8")


def test_the_reference_shows_the_examples() -> None:
    reference = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in NAMES:
        for line in examples_of(name):
            assert f"$ {line}\n" in reference, (name, line)
