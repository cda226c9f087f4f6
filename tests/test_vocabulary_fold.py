"""Names are unique the way commands match them: statuses and round ids that fold equal (``open``
and ``OPEN``, NFD and NFC, curly and straight quotes) are a located ``validate`` problem, as
party ids, names and aliases are; an id is the whole text (``A-1`` and ``A-1`` + newline are
not two ids); a bad id says why."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

CASE = """\
version: 1
statuses:
  - {name: open, closed: false}
  - {name: OPEN, closed: true, description: "final: off the table"}
parties: {a: {name: A}}
demands:
  - {id: A-1, party: a, title: t, status: OPEN, history: [{date: 2020-01-01, status: open}, {date: 2020-01-02, status: OPEN}]}
"""


def test_statuses_that_differ_only_in_case_are_a_problem_and_no_command_answers(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "demands.yaml"
    path.write_text(CASE, encoding="utf-8")
    done = run("validate", "--file", str(path))
    assert (done.exit_code, done.stderr) == (
        1,
        f"{path}:4:6: duplicate status 'OPEN': commands take it for 'open' (names match in any case, "
        "Unicode form and quote style); rename one of them\n",
    )
    for args in (["list", "-s", "open", "-o", "ids"], ["mark", "A-1", "open"]):
        r = run(*args, "--file", str(path))
        assert r.exit_code == 1 and "duplicate status 'OPEN'" in r.stderr, r.output
    assert path.read_text(encoding="utf-8") == CASE


def test_unicode_forms_quotes_and_round_ids(run: Any, tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Côte")
    path = tmp_path / "demands.yaml"
    path.write_text(
        "version: 1\nstatuses:\n"
        f"  - {{name: Côte}}\n  - {{name: {nfd}}}\n"
        '  - {name: "d\'accord"}\n  - {name: "D’ACCORD"}\n'
        "rounds:\n  - {id: r1, date: 2020-01-01}\n  - {id: R1, date: 2020-01-02}\n"
        "parties: {a: {name: A}}\ndemands: []\n",
        encoding="utf-8",
    )
    r = run("validate", "--file", str(path))
    assert r.exit_code == 1
    assert [line.split(": ", 1)[1] for line in r.stderr.splitlines()] == [
        f"duplicate status '{nfd}': commands take it for 'Côte' (names match in any case, Unicode form and "
        "quote style); rename one of them",
        "duplicate status 'D’ACCORD': commands take it for \"d'accord\" (names match in any case, Unicode form "
        "and quote style); rename one of them",
        "duplicate round id 'R1': commands take it for 'r1' (names match in any case, Unicode form and quote "
        "style); rename one of them",
    ]


def test_an_id_is_its_whole_text(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "demands.yaml"
    path.write_text(
        'version: 1\nparties: {"a\\n": {name: A}, "-x": {name: X}, b: {name: B}}\n'
        'demands:\n  - {id: "A-1\\n", party: b, title: t, status: open}\n  - {id: A-1, party: b, title: t, status: open}\n',
        encoding="utf-8",
    )
    r = run("validate", "--file", str(path))
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{path}:2:11: party id 'a\\n' may hold only letters, digits, '.', '_' and '-'",
        f"{path}:2:29: party id '-x' must begin with a letter or digit",
        f"{path}:4:6: 'A-1\\n' id: id 'A-1\\n' may hold only letters, digits, '.', '_' and '-'",
    ]


def test_add_with_a_bad_id_says_why(run: Any) -> None:
    r = run("add", "--party", "us", "--title", "t", "--id", ".x")
    assert (r.exit_code, r.stderr) == (2, "demands: bad id '.x': an id must begin with a letter or digit, like US-12\n")
    r = run("add", "--party", "us", "--title", "t", "--id", "US-1\n")
    assert (r.exit_code, r.stderr) == (
        2,
        "demands: bad id 'US-1\\n': use letters, digits, '.', '_' and '-', like US-12\n",
    )
