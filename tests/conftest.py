"""Every test works on a scratch copy of the shipped data set; nothing touches data/ in place."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from tradedemands.cli import app

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEMANDS = Path(shutil.which("demands") or Path(sys.executable).with_name("demands"))


@pytest.fixture(autouse=True)
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of data/demands.yaml and seeds/ in a temporary folder, found through $DEMANDS_FILE."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "data" / "demands.yaml", tmp_path / "data" / "demands.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEMANDS_FILE", str(tmp_path / "data" / "demands.yaml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / ".state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    # Cache even small files, so that every write test also exercises the warm write path.
    monkeypatch.setenv("DEMANDS_CACHE_MIN_BYTES", "0")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("DEMANDS_DEBUG", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    yield tmp_path


@pytest.fixture
def data_file(workspace: Path) -> Path:
    return workspace / "data" / "demands.yaml"


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def output(self) -> str:
        return f"--- exit {self.exit_code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@functools.cache
def _command(app: typer.Typer) -> Any:
    return typer.main.get_command(app)


@pytest.fixture(autouse=True)
def cli_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """CliRunner rebuilds the click command on every call (30-90 ms); build it once a session."""
    monkeypatch.setattr(typer.testing, "_get_command", _command)


@pytest.fixture
def run() -> object:
    """``run("list", "--party", "us")``: invoke the CLI in-process; stdout and stderr apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False, prog_name="demands")
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


def demands_cmd(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``demands`` script in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(DEMANDS), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
