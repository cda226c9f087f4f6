"""Every document of the public YAML test suite, given to ``demands validate``: exit 0 or 1, errors only
as ``path:line:col: message`` lines, never a traceback, never a hang.

The corpus lives beside the repository (../shared/yaml-test-suite) and is not copied into it. Without it
these tests skip, unless DEMANDS_REQUIRE_CORPUS=1 says it must be there.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import demands_cmd

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "yaml-test-suite"
CASES = sorted((CORPUS / "cases").glob("**/in.yaml")) if CORPUS.is_dir() else []
#: Seconds one document may take before it counts as a hang.
LIMIT = 5


def need_corpus() -> None:
    message = f"the YAML test suite is not at {CORPUS}"
    if os.environ.get("DEMANDS_REQUIRE_CORPUS") == "1":
        pytest.fail(f"{message}, and DEMANDS_REQUIRE_CORPUS=1 requires it")
    pytest.skip(message)


def case_id(path: Path | None) -> str:
    return "no-corpus" if path is None else path.parent.relative_to(CORPUS / "cases").as_posix()


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail a test that runs longer than LIMIT seconds instead of letting it hang the suite."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no answer within {LIMIT} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_report(path: Path, code: int, stdout: str, stderr: str, output: str) -> None:
    assert code in (0, 1), output
    assert stdout == "", output
    assert "Traceback" not in stderr and "internal error" not in stderr, output
    if code == 0:
        assert re.fullmatch(rf"{re.escape(str(path))}: valid \(\d+ items\)\n", stderr), output
        return
    lines = stderr.splitlines()
    assert lines, output
    located = re.compile(rf"{re.escape(str(path))}:(\d+):(\d+): (\S.*)")
    text = path.read_bytes()
    for line in lines:
        found = located.fullmatch(line)
        assert found, f"not a path:line:col: message line: {line!r}\n{output}"
        row, col = int(found.group(1)), int(found.group(2))
        assert 1 <= row <= text.count(b"\n") + 1, output
        assert col >= 1, output
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", line), output


@pytest.mark.parametrize("path", CASES or [None], ids=case_id)
def test_validate_any_yaml_document(run, deadline, path):
    if path is None:
        need_corpus()
    r = run("validate", "-f", str(path))
    check_report(path, r.exit_code, r.stdout, r.stderr, r.output)


@pytest.mark.parametrize("path", CASES or [None], ids=case_id)
def test_list_any_yaml_document(run, deadline, path):
    """The read commands load the same way: a table of items or the same located lines."""
    if path is None:
        need_corpus()
    r = run("list", "-f", str(path), "-o", "json")
    assert r.exit_code in (0, 1), r.output
    if r.exit_code == 1:
        check_report(path, 1, r.stdout, r.stderr, r.output)


#: A few documents of different kinds: errors, anchors, tags, flow, block scalars, multi-document.
SAMPLE = ["2JQS", "6KGN", "C4HZ", "CUP7", "DK95/00", "J7PZ", "RZP5", "U3XV", "ZWK4", "X4QW"]


def test_installed_script_on_a_handful(workspace):
    paths = [CORPUS / "cases" / name / "in.yaml" for name in SAMPLE]
    paths = [p for p in paths if p.is_file()]
    if not paths:
        need_corpus()
    r = demands_cmd("validate", *map(str, paths), cwd=workspace, timeout=60)
    assert r.returncode == 1, r.stderr
    assert r.stdout == ""
    assert "Traceback" not in r.stderr, r.stderr
    located = re.compile("(.+?):(\\d+):(\\d+): \\S.*|(.+?): valid \\(\\d+ items\\)")
    named = set()
    for line in r.stderr.splitlines():
        found = located.fullmatch(line)
        assert found, f"not a path:line:col: message line: {line!r}\n{r.stderr}"
        named.add(found.group(1) or found.group(4))
    assert named == {str(p) for p in paths}, r.stderr


def test_corpus_is_complete_when_present():
    if not CASES:
        need_corpus()
    assert len(CASES) >= 400, f"only {len(CASES)} documents in {CORPUS}"
