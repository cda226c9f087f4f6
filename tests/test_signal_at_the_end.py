"""A signal at any moment after a write landed ends the command with its confirmation and exit 0.

Once the file is renamed into place, the command's end (putting back signal handlers, the
interpreter's own shutdown, which sets the default action again for the signals it handles) must
not open a window where SIGTERM ends the process with 143: a script that saw 143 would make the
change twice. ``strace -e inject=rt_sigaction:signal=TERM:when=K+`` delivers SIGTERM at every
``rt_sigaction`` call from the first one after the last rename (or link, for a new file) on:
each such moment at once.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import DEMANDS
from safety_helpers import temporaries
from test_signals import needs_strace

QUIET = {"DEMANDS_NO_CACHE": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def _strace(cwd: Path, env: dict[str, str], *options: str, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    # No -f: the $EDITOR's own process is not traced (nor signalled).
    return subprocess.run(
        ["strace", "-qq", *options, str(DEMANDS), *args],
        cwd=cwd,
        env={**os.environ, **QUIET, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def first_call_after_landing(cwd: Path, env: dict[str, str], args: tuple[str, ...]) -> int:
    """The number of the first ``rt_sigaction`` call after the command's last rename or link (a probe run)."""
    trace = cwd / "probe.trace"
    _strace(cwd, env, "-o", str(trace), "-e", "trace=rt_sigaction,rename,renameat,renameat2,link,linkat", args=args)
    calls = trace.read_text(encoding="utf-8").splitlines()
    trace.unlink()
    landed = max(n for n, line in enumerate(calls) if re.match(r"(rename|link)", line))
    return sum(1 for line in calls[: landed + 1] if line.startswith("rt_sigaction")) + 1


EDITOR = "#!/bin/sh\nsed -i 's/^title: .*/title: Halt all cyberespionage/' \"$1\"\n"

CASES = {
    "note": (("note", "US-1", "call with Liu He"), "US-1: note added\n"),
    "import": (("import", "rows.csv"), "US-4: changed title\nrows.csv: 0 added, 1 changed, 0 unchanged\n"),
    "edit in $EDITOR": (("edit", "US-4"), "US-4: changed title\n"),
    "brief --output": (("brief", "--output", "brief.md"), "wrote brief.md\n"),
    "init": (
        ("init", "fresh.yaml"),
        "wrote fresh.yaml: edit the parties, then 'demands add --party ... --title ...'\n",
    ),
}

#: The cases that write a file of their own (their probe's file is removed before the real run).
OUTPUTS = {"brief --output": "brief.md", "init": "fresh.yaml"}


@needs_strace
@pytest.mark.parametrize("case", list(CASES))
def test_a_signal_after_the_write_landed_never_exits_143(workspace: Path, data_file: Path, case: str) -> None:
    args, confirmation = CASES[case]
    (workspace / "rows.csv").write_text("id,title\nUS-4,Halt all cyberespionage\n", encoding="utf-8")
    editor = workspace / "ed.sh"
    editor.write_text(EDITOR, encoding="utf-8")
    editor.chmod(0o755)
    env = {"EDITOR": str(editor), "VISUAL": str(editor)}
    original = data_file.read_bytes()
    k = first_call_after_landing(workspace, env, args)
    # The probe's change undone (init: its file removed), so that the real run makes it again.
    if case in OUTPUTS:
        (workspace / OUTPUTS[case]).unlink()
    data_file.write_bytes(original)
    r = _strace(workspace, env, "-o", os.devnull, "-e", f"inject=rt_sigaction:signal=TERM:when={k}+", args=args)
    assert (r.returncode, r.stderr) == (0, confirmation)
    if case in OUTPUTS:  # a new file, the data file untouched
        assert (workspace / OUTPUTS[case]).read_text(encoding="utf-8").startswith("#")
        assert data_file.read_bytes() == original
    else:
        assert data_file.read_bytes() != original
    assert temporaries(workspace) == []
