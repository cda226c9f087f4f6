"""Helpers for the safety tests: what a folder holds, byte for byte, before and after a command."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from conftest import DEMANDS

#: Folders the tool keeps for itself in the test workspace (XDG state and cache).
OWN = (".state", ".cache")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (the tool's own state and cache aside) -> sha256 of its bytes."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) == folder and d in OWN)]
        for name in filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(folder))
            try:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "special"
            except OSError:
                found[rel] = "unreadable"
    return found


def temporaries(folder: Path) -> list[str]:
    """Temporary files anywhere under ``folder``, the tool's own folders included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name.endswith(".tmp"))


def spawn(*args: str, cwd: Path, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.Popen[str]:
    """The installed ``demands`` in a subprocess, stdout and stderr piped."""
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [str(DEMANDS), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )
