"""Completion in real interactive shells: bash, zsh and fish under tmux, installed as a user would.

Each shell gets a fresh HOME where `demands --install-completion SHELL` writes what it writes;
tmux runs the shell, `send-keys` types, `capture-pane` reads the screen (polled against a
deadline, never a fixed sleep). A shell that is not installed is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMANDS, demands_cmd
from tradedemands.cli.shells import bash_reply, readline_word, split_line

#: The prompt each shell shows ("READY> "; the screen as captured drops the trailing space).
PROMPT = "READY>"
TAGS = "tags: [surplus, rules of origin, 'hs:8471', \"it's\"]"
DEADLINE = 10.0


class Terminal:
    """One interactive shell in a private tmux server."""

    def __init__(self, shell: str, home: Path, cwd: Path, env: dict[str, str]) -> None:
        self.tmux = ["tmux", "-L", f"demands-test-{os.getpid()}-{shell}", "-f", os.devnull]
        command = {"bash": ["bash", "-i"], "zsh": ["zsh", "-i"], "fish": ["fish", "-i"]}[shell]
        environment = [f"{k}={v}" for k, v in env.items()]
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-x",
                "160",
                "-y",
                "40",
                "-c",
                str(cwd),
                "env",
                "-i",
                *environment,
                *command,
            ],
            check=True,
            timeout=30,
        )

    def screen(self) -> str:
        return subprocess.run([*self.tmux, "capture-pane", "-p"], capture_output=True, text=True, timeout=30).stdout

    def line(self) -> str:
        """The last prompt line on the screen, less the prompt."""
        lines = [line for line in self.screen().splitlines() if line.startswith(PROMPT)]
        return lines[-1][len(PROMPT) :].removeprefix(" ").rstrip() if lines else ""

    def wait(self, ready: Any, what: str) -> str:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            screen = self.screen()
            if ready(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"waited {DEADLINE:g} s for {what}; the screen:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run([*self.tmux, "send-keys", *(["-l"] if literal else []), *keys], check=True, timeout=30)

    def complete(self, typed: str) -> str:
        """Type ``typed``, press TAB once, and return the command line once it changed."""
        self.keys("C-u")
        self.wait(lambda _s: self.line() == "", "an empty prompt")
        self.keys(typed, literal=True)
        self.wait(lambda _s: self.line() == typed.rstrip(), f"{typed!r} on the line")
        before = self.screen()
        self.keys("Tab")
        return self.wait(lambda s: s != before, f"TAB to complete {typed!r}")

    def run(self, line: str, expect: str) -> str:
        """Finish the line with ``line`` and Enter; wait for ``expect`` in the output."""
        self.keys(line, literal=True)
        self.keys("Enter")
        return self.wait(lambda s: expect in s.split(PROMPT)[-2] if s.count(PROMPT) > 1 else False, repr(expect))

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def data(data_file: Path) -> Path:
    text = data_file.read_text(encoding="utf-8")
    assert "tags: [surplus]" in text
    data_file.write_text(text.replace("tags: [surplus]", TAGS, 1), encoding="utf-8")
    return data_file


def open_shell(shell: str, workspace: Path, data: Path) -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (apt-get install {shell})")
    home = workspace / f"home-{shell}"
    (home / ".config" / "fish").mkdir(parents=True)
    (home / ".bashrc").write_text(f"PS1='{PROMPT} '\n", encoding="utf-8")
    (home / ".zshrc").write_text(f"PROMPT='{PROMPT} '\nunsetopt BEEP\n", encoding="utf-8")
    (home / ".config" / "fish" / "config.fish").write_text(
        f"set -g fish_greeting\nset -g fish_autosuggestion_enabled 0\nfunction fish_prompt\n    echo -n '{PROMPT} '\nend\n",
        encoding="utf-8",
    )
    env = {
        "HOME": str(home),
        "ZDOTDIR": str(home),
        "PATH": f"{DEMANDS.parent}:/usr/bin:/bin",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "DEMANDS_FILE": str(data),
        "NO_COLOR": "1",
    }
    installed = demands_cmd("--install-completion", shell, env={"HOME": str(home)})
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.startswith(f"{shell} completion installed in {home}"), installed.stdout
    terminal = Terminal(shell, home, workspace, env)
    try:
        terminal.wait(lambda s: PROMPT in s, f"{shell}'s prompt")
        yield terminal
    finally:
        terminal.close()


@pytest.fixture(params=["bash", "zsh", "fish"])
def terminal(request: pytest.FixtureRequest, workspace: Path, data: Path) -> Iterator[Terminal]:
    yield from open_shell(request.param, workspace, data)


def test_completion_in_a_real_shell(request: pytest.FixtureRequest, terminal: Terminal) -> None:
    """The first TAB of a new shell completes; values with spaces, colons and quotes come out
    quoted so that the command runs as completed."""
    # A unique candidate: the first TAB of the session puts it on the line.
    terminal.complete("demands list --tag zt")
    assert terminal.line() == "demands list --tag zte"
    for typed, completed, run in (
        ("demands list --tag rul", "demands list --tag rules\\ of\\ origin", True),
        ("demands list --tag hs:", "demands list --tag hs:8471", True),
        ("demands list --tag it", "demands list --tag it\\'s", False),
    ):
        terminal.complete(typed)
        assert terminal.line() == completed, terminal.screen()
        if run:
            screen = terminal.run(" -o ids", "US-1")
            assert screen.split(PROMPT)[-2].splitlines()[1:] == ["US-1"], screen
    if request.node.callspec.params["terminal"] != "bash":  # bash lists on a second TAB only
        screen = terminal.complete("demands show CN-")
        assert "CN-7" in screen and "Reduce some trade barriers if the US lowers its own" in screen, screen


# --- the pieces, without a shell ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "words", "typed"),
    [
        ("demands show US-", ["demands", "show", "US-"], "US-"),
        ("demands show ", ["demands", "show", ""], ""),
        ("demands list --tag rules\\ o", ["demands", "list", "--tag", "rules o"], "rules\\ o"),
        ("demands list --tag 'rules o", ["demands", "list", "--tag", "rules o"], "'rules o"),
        (
            'demands -f "my file.yaml" list --tag "it\\"s',
            ["demands", "-f", "my file.yaml", "list", "--tag", 'it"s'],
            '"it\\"s',
        ),
        ("demands list --tag=z", ["demands", "list", "--tag=z"], "--tag=z"),
    ],
)
def test_split_line(line: str, words: list[str], typed: str) -> None:
    assert split_line(line) == (words, typed)


@pytest.mark.parametrize(
    ("value", "typed", "reply"),
    [
        ("rules of origin", "rul", "rules\\ of\\ origin"),
        ("rules of origin", "rules\\ o", "rules\\ of\\ origin"),
        ("rules of origin", "'rules o", "'rules of origin'"),
        ("hs:8471", "hs:", "8471"),
        ("hs:8471", "hs:84", "8471"),
        ("it's", "it", "it\\'s"),
        ("zte", "--tag=z", "zte"),
        ("US-1", "us-", "US-1"),
        ("中文", "中", "中文"),
        ("two\nlines", "tw", "$'two\\x0alines'"),
    ],
)
def test_bash_reply(value: str, typed: str, reply: str) -> None:
    assert bash_reply(value, typed) == reply


def test_readline_word() -> None:
    assert readline_word("hs:84") == "84"
    assert readline_word("a\\:b") == "a\\:b"
    assert readline_word("'a:b") == "'a:b"


def test_install_completion_honours_the_shell_named(workspace: Path) -> None:
    home = workspace / "home"
    home.mkdir()
    done = demands_cmd("--install-completion", "zsh", env={"HOME": str(home), "SHELL": "/bin/bash"})
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert (
        done.stdout
        == f"zsh completion installed in {home}/.zfunc/_demands; open a new shell (or: exec zsh) to use it\n"
    )
    assert (home / ".zfunc" / "_demands").read_text(encoding="utf-8").startswith("#compdef demands\n\n_demands() {")
    assert not (home / ".bash_completions").exists()
    done = demands_cmd("--install-completion=fish", env={"HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert (home / ".config" / "fish" / "completions" / "demands.fish").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--install-completion", "tcsh"],
            "demands: cannot complete for 'tcsh'; use one of: bash, zsh, fish, powershell, pwsh, "
            "as in 'demands --install-completion zsh'",
        ),
        (
            ["--install-completion="],
            "demands: --install-completion= names no shell; use one of: bash, zsh, fish, powershell, pwsh, "
            "as in 'demands --install-completion zsh'",
        ),
        (
            ["--show-completion", "zsh", "bash"],
            "demands: --show-completion takes one shell, not 'bash'; use one of: bash, zsh, fish, powershell, pwsh, "
            "as in 'demands --show-completion zsh'",
        ),
    ],
)
def test_an_unknown_shell_is_refused(workspace: Path, args: list[str], message: str) -> None:
    done = demands_cmd(*args, env={"HOME": str(workspace)})
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n")
    assert not (workspace / ".zfunc").exists()


def test_show_completion_prints_the_script_for_the_shell_named() -> None:
    done = demands_cmd("--show-completion", "bash")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("_demands_completion() {\n") and "COMP_LINE=" in done.stdout
