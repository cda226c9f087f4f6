"""Amounts are finite, below 1e18, at most 18 significant digits: anything else is a
located ``validate`` problem or a usage error, never a crash, and no output holds NaN or Infinity."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import demands_cmd
from tradedemands import document
from tradedemands.model import amount_problem, percent_of

ITEM = """\
parties: {us: {name: US}}
demands:
  - id: US-1
    party: us
    title: Cut
    status: open
    target: {amount: AMOUNT, baseline: BASELINE, progress: [{date: 2020-01-01, amount: 5}]}
    history: [{date: 2020-01-01, status: open}]
"""


def write(workspace: Path, amount: str, baseline: str = "0") -> Path:
    path = workspace / "target.yaml"
    path.write_text(ITEM.replace("AMOUNT", amount).replace("BASELINE", baseline), encoding="utf-8")
    return path


def test_validate_reports_amounts_out_of_range_where_they_are(workspace: Path) -> None:
    path = write(workspace, "1e308", "-1e308")
    done = demands_cmd("validate", "-f", str(path))
    assert (done.returncode, done.stderr.splitlines()) == (
        1,
        [
            f"{path}:7:14: US-1 target.amount: 1e308 is out of range: amounts are below 1e18 in magnitude",
            f"{path}:7:29: US-1 target.baseline: -1e308 is out of range: amounts are below 1e18 in magnitude",
        ],
    )
    # Reading commands say the same instead of "internal error: OverflowError".
    for command in ("show", "summary"):
        done = demands_cmd(command, *(["US-1"] if command == "show" else []), "-f", str(path))
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith(f"{path}:7:14: US-1 target.amount: 1e308 is out of range"), done.stderr


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("9" * 401, "a 401-digit number is out of range: amounts are below 1e18 in magnitude"),
        ("9" * 5000, "a 5000-digit number is out of range: amounts are below 1e18 in magnitude"),
        ("1000000000000000000", "1000000000000000000 is out of range: amounts are below 1e18 in magnitude"),
        ("1.234567890123456789", "1.234567890123456789 has 19 significant digits: amounts have at most 18"),
        (".inf", ".inf is not a finite number"),
        (".nan", ".nan is not a finite number"),
    ],
    ids=["401 digits", "5000 digits", "1e18", "19 digits", "inf", "nan"],
)
def test_validate_reports_any_amount_beyond_the_bound(run, workspace: Path, written: str, message: str) -> None:
    path = write(workspace, written)
    r = run("validate", "-f", str(path))
    assert (r.exit_code, r.stderr) == (1, f"{path}:7:14: US-1 target.amount: {message}\n"), r.output


def test_the_largest_amounts_allowed_load(run, workspace: Path) -> None:
    path = write(workspace, "999999999999999999", "-999999999999999999")
    assert run("validate", "-f", str(path)).exit_code == 0
    path = write(workspace, "0.00000000000000000012345678901234567")
    assert run("validate", "-f", str(path)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["target", "US-4", "--amount", "1e308"], "--amount: 1e308 is out of range: amounts are below 1e18 in magnitude"),
        (["target", "US-4", "--amount", "5", "--baseline", "-1e18"], "--baseline: -1e18 is out of range: amounts are below 1e18 in magnitude"),
        (["target", "US-4", "--amount", "1e400"], "--amount: 1e400 is out of range: amounts are below 1e18 in magnitude"),
        (["target", "US-4", "--amount", "1.2345678901234567891"], "--amount: 1.2345678901234567891 has 20 significant digits: amounts have at most 18"),
        (["progress", "US-1", "9" * 401], "AMOUNT: a 401-digit number is out of range: amounts are below 1e18 in magnitude"),
        (["progress", "US-1", "9" * 5000], "AMOUNT: a 5000-digit number is out of range: amounts are below 1e18 in magnitude"),
        (["progress", "US-1", "--", "-inf"], "AMOUNT must be a finite number"),
        (["target", "US-4", "--amount", "lots"], "--amount must be a plain number like 200000000000, not 'lots'"),
    ],
    ids=["1e308", "baseline -1e18", "1e400", "20 digits", "401 digits", "5000 digits", "-inf", "text"],
)  # fmt: skip
def test_the_command_line_refuses_amounts_beyond_the_bound(run, data_file: Path, args: list[str], message: str) -> None:
    before = data_file.read_bytes()
    r = run(*args)
    assert (r.exit_code, r.stderr) == (2, f"demands: {message}\n"), r.output
    assert data_file.read_bytes() == before


def test_amounts_typed_are_kept_exactly(run, data_file: Path) -> None:
    r = run("target", "US-4", "--amount", "123456789012345678", "--baseline", "2e11")
    assert r.exit_code == 0, r.output
    target = document.load(data_file, tree=True).item("US-4")["target"]
    assert (target["amount"], target["baseline"]) == (123456789012345678, 200000000000)
    assert "amount: 123456789012345678" in data_file.read_text(encoding="utf-8")


# --- percent of target: never overflows, never NaN or Infinity in any output -------------------

NON_FINITE = re.compile(r"\b(?:NaN|Infinity|inf|nan)\b|∞", re.IGNORECASE)


@pytest.mark.parametrize("goal", ["1e-300", "5e-324"], ids=["tiny", "subnormal"])
def test_no_output_holds_nan_or_infinity(run, workspace: Path, goal: str) -> None:
    """A goal a hair's breadth from its baseline: 100 * 5 / 1e-300 is beyond any meaningful percent."""
    path = write(workspace, goal)
    outputs = []
    for args in (
        ["show", "US-1", "-o", "json"],
        ["show", "US-1", "-o", "yaml"],
        ["show", "US-1", "-o", "csv"],
        ["show", "US-1", "-o", "markdown"],
        ["show", "US-1"],
        ["summary", "-o", "json"],
        ["summary", "-o", "yaml"],
        ["summary"],
        ["brief"],
        ["export", "-o", "json"],
        ["export", "-o", "csv"],
    ):
        r = run(*args, "-f", str(path))
        assert r.exit_code == 0, f"{args}: {r.output}"
        assert not NON_FINITE.search(r.stdout), f"{args}:\n{r.stdout}"
        outputs.append(r.stdout)
    record = json.loads(outputs[0])[0]
    assert record["target_progress"] == {"latest": 5, "percent": None}
    assert json.loads(outputs[5])["parties"][0]["targets"][0]["percent"] is None


def test_percent_arithmetic_cannot_overflow() -> None:
    assert percent_of(5, 10) == 50.0
    assert percent_of(5, 5e-324) is None
    assert percent_of(5, 1e-300) is None  # 5e302 %: beyond PERCENT_LIMIT
    assert percent_of(10**17, 10**17 + 1, 10**17) == 0.0
    assert percent_of(-999999999999999999, 999999999999999999, -999999999999999999) == 0.0
    assert percent_of(1, 1) == 100.0
    assert percent_of(5, 3, 3) is None


def test_amount_problem_names_the_fault_in_a_few_words() -> None:
    assert amount_problem(200000000000) is None
    assert (
        amount_problem(10**400) == "a number of about 401 digits is out of range: amounts are below 1e18 in magnitude"
    )
    assert amount_problem(True) == "not a number"
    assert amount_problem(float("nan")) == "nan is not a finite number"
