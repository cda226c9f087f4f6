"""Amounts are judged on their decimal text, never through a float that rounded them: the same
rule on the command line and in ``validate`` (one function, ``model.amount_problem``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tradedemands.model import amount_problem, exact_amount

FILE = """\
version: 1
parties: {{a: {{name: A}}}}
demands:
  - {{id: A-1, party: a, title: t, status: open, target: {{amount: {amount}}}}}
"""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9.99999999999999999e17", 999999999999999999),
        ("-9.99999999999999999e17", -999999999999999999),
        ("999999999999999999", 999999999999999999),
        ("2e11", 200000000000),
    ],
)
def test_an_amount_below_the_bound_is_accepted_whatever_its_form(run: Any, typed: str, stored: int) -> None:
    r = run("target", "US-4", f"--amount={typed}")
    assert r.exit_code == 0, r.output
    shown = json.loads(run("show", "US-4", "-o", "json").stdout)[0]["target"]["amount"]
    assert (shown, type(shown)) == (stored, int)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("999999999999999999.9", "999999999999999999.9 has 19 significant digits: amounts have at most 18"),
        ("1e18", "1e18 is out of range: amounts are below 1e18 in magnitude"),
        ("1.0000000000000000e18", "1.0000000000000000e18 is out of range: amounts are below 1e18 in magnitude"),
        ("1e-400", "1e-400 is too close to 0 to be held: it would read as 0"),
    ],
)
def test_the_command_line_says_the_real_reason(run: Any, typed: str, message: str) -> None:
    r = run("target", "US-4", f"--amount={typed}")
    assert (r.exit_code, r.stderr) == (2, f"demands: --amount: {message}\n")


def test_validate_judges_the_text_in_the_file(run: Any, tmp_path: Path) -> None:
    for amount, problem in (
        ("9.99999999999999999e17", None),
        ("999999999999999999.9", "999999999999999999.9 has 19 significant digits: amounts have at most 18"),
        ("1.0e18", "1.0e18 is out of range: amounts are below 1e18 in magnitude"),
    ):
        path = tmp_path / "demands.yaml"
        path.write_text(FILE.format(amount=amount), encoding="utf-8")
        done = run("validate", "--file", str(path))
        if problem is None:
            assert done.exit_code == 0, done.output
            shown = run("show", "A-1", "-o", "json", "--file", str(path))
            assert json.loads(shown.stdout)[0]["target"]["amount"] == 999999999999999999
        else:
            assert (done.exit_code, done.stderr) == (1, f"{path}:4:58: A-1 target.amount: {problem}\n")


def test_amount_problem_on_the_text() -> None:
    assert amount_problem(1e18, "9.99999999999999999e17") is None
    assert amount_problem(1e18) == "1e+18 is out of range: amounts are below 1e18 in magnitude"
    assert amount_problem(float("inf"), "1e400") == "1e400 is out of range: amounts are below 1e18 in magnitude"
    assert amount_problem(float("inf"), ".inf") == ".inf is not a finite number"
    assert exact_amount(" 2.50 ") is not None and str(exact_amount("2.50")) == "2.50"
    assert exact_amount("0x10") is None and exact_amount("1_000") is None
