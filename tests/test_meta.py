"""Every command has help text, is documented in the README, and errors are one line."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from tradedemands.cli import app

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands if c.callback)  # type: ignore[union-attr]


def test_there_are_commands():
    assert {"list", "show", "summary", "validate", "export", "schema", "add", "mark", "undo", "diff", "brief"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_and_is_in_readme(name, run):
    command = typer.main.get_command(app)
    sub = command.commands[name]  # type: ignore[attr-defined]
    assert sub.help and sub.help.strip(), f"{name} has no help text"
    r = run(name, "--help")
    assert r.exit_code == 0, r.output
    assert f"demands {name}" in (ROOT / "README.md").read_text(encoding="utf-8"), f"README never shows `demands {name}`"


def test_no_arguments_prints_help(run):
    r = run()
    assert r.exit_code == 0, r.output
    assert "Usage" in r.stdout and "list" in r.stdout


def test_unknown_option_is_one_line(run):
    r = run("list", "--bogus")
    assert r.exit_code == 2, r.output
    assert r.stderr.strip().count("\n") == 0, r.output
    assert r.stderr.startswith("demands list: No such option: --bogus"), r.output


def test_unknown_command_is_one_line(run):
    r = run("lst")
    assert r.exit_code == 2, r.output
    assert r.stderr.strip().count("\n") == 0, r.output
    assert "lst" in r.stderr, r.output
