"""Every DEMANDS_* variable is checked in one place: a bad value is a usage error naming it."""

from __future__ import annotations

import fcntl
import os
import re
import time
from pathlib import Path

import pytest

from conftest import ROOT, demands_cmd
from tradedemands import settings
from tradedemands.lock import lock_path

SIZE = "use a whole number of bytes from {low} to 1099511627776 (default {default}), or unset it"
BAD = [
    ("DEMANDS_LOCK_TIMEOUT", "nan", "use seconds from 0 to 86400 (default 10), or unset it"),
    ("DEMANDS_LOCK_TIMEOUT", "inf", "use seconds from 0 to 86400 (default 10), or unset it"),
    ("DEMANDS_LOCK_TIMEOUT", "-1", "use seconds from 0 to 86400 (default 10), or unset it"),
    ("DEMANDS_LOCK_TIMEOUT", "ten", "use seconds from 0 to 86400 (default 10), or unset it"),
    ("DEMANDS_LOCK_TIMEOUT", "1e9", "use seconds from 0 to 86400 (default 10), or unset it"),
    ("DEMANDS_MAX_BYTES", "abc", SIZE.format(low=1, default=536870912)),
    ("DEMANDS_MAX_BYTES", "0", SIZE.format(low=1, default=536870912)),
    ("DEMANDS_MAX_BYTES", "-5", SIZE.format(low=1, default=536870912)),
    ("DEMANDS_MAX_BYTES", "1.5", SIZE.format(low=1, default=536870912)),
    ("DEMANDS_MAX_BYTES", "9" * 30, SIZE.format(low=1, default=536870912)),
    ("DEMANDS_CACHE_MIN_BYTES", "abc", SIZE.format(low=0, default=65536)),
    ("DEMANDS_CACHE_MIN_BYTES", "-1", SIZE.format(low=0, default=65536)),
    ("DEMANDS_CACHE_MIN_BYTES", "nan", SIZE.format(low=0, default=65536)),
    ("DEMANDS_NO_CACHE", "maybe", "use 1 (on) or 0 (off), or unset it"),
    ("DEMANDS_DEBUG", "2", "use 1 (on) or 0 (off), or unset it"),
]


@pytest.mark.parametrize(("name", "value", "advice"), BAD)
def test_bad_value_is_a_usage_error_naming_the_variable(run, data_file: Path, name: str, value: str, advice) -> None:
    before = data_file.read_bytes()
    for command in (["list"], ["note", "US-1", "x"]):
        r = run(*command, env={name: value})
        shown = repr(value if len(value) <= 40 else value[:40] + "…")
        assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"demands: bad value {shown} in {name}: {advice}\n")
    assert data_file.read_bytes() == before


def test_bad_demands_file(run) -> None:
    r = run("list", env={"DEMANDS_FILE": "   "})
    assert (r.exit_code, r.stderr) == (
        2,
        "demands: bad value in DEMANDS_FILE: give the path of a demands file, or unset it\n",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEMANDS_LOCK_TIMEOUT", "0.5"),
        ("DEMANDS_LOCK_TIMEOUT", "0"),
        ("DEMANDS_MAX_BYTES", "1_000_000"),
        ("DEMANDS_CACHE_MIN_BYTES", "0"),
        ("DEMANDS_NO_CACHE", "1"),
        ("DEMANDS_NO_CACHE", "true"),
        ("DEMANDS_NO_CACHE", ""),
        ("DEMANDS_DEBUG", "0"),
    ],
)
def test_good_values_work(run, name: str, value: str) -> None:
    r = run("list", "-o", "ids", env={name: value})
    assert r.exit_code == 0, r.output


def test_lock_timeout_nan_no_longer_waits_forever(workspace: Path, data_file: Path) -> None:
    fd = os.open(lock_path(data_file), os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        r = demands_cmd("note", "US-1", "x", cwd=workspace, env={"DEMANDS_LOCK_TIMEOUT": "nan"}, timeout=20)
    finally:
        os.close(fd)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("demands: bad value 'nan' in DEMANDS_LOCK_TIMEOUT")
    assert time.monotonic() - started < 10


def test_every_variable_the_code_reads_is_checked() -> None:
    """grep the package for DEMANDS_* names: each must be one of the checked settings."""
    used = set()
    for path in (ROOT / "src" / "tradedemands").rglob("*.py"):
        used |= set(re.findall(r"(?<![A-Z_])DEMANDS_[A-Z_]+", path.read_text(encoding="utf-8")))
    assert used, "no DEMANDS_ variable found: the pattern is wrong"
    assert used <= set(settings.CHECKS), used - set(settings.CHECKS)
    for path in (ROOT / "src" / "tradedemands").rglob("*.py"):
        if path.name != "settings.py":
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"environ(?:\.get)?[\[(]\s*[\"']DEMANDS_", text), f"{path.name} reads a setting itself"
