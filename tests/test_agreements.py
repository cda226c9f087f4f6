"""Agreements: items two or more parties share (``kind: agreement``, ``party: [us, cn]``).

Through the command line: adding one, finding it by either party, showing, counting and
comparing it; validate and the schema on party lists; the merge driver and the parse cache
on a list-valued party.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tradedemands import cache, validation, yamlio
from tradedemands.fileschema import json_schema
from tradedemands.merge import merge

TWO = """\
version: 1
title: Talks
parties:
  us: {name: United States, aliases: [usa]}
  cn: {name: China, aliases: [prc]}
  eu: {name: European Union}
demands:
  - id: US-1
    party: us
    of: cn
    title: Cut the surplus
    topic: trade
    status: open
    history:
      - {date: 2018-05-03, status: open}
  - id: US-CN-1
    party: [us, cn]
    kind: agreement
    title: Resolve issues through dialogue
    topic: trade
    status: agreed
    history:
      - {date: 2018-05-04, status: agreed, note: Joint statement}
"""


@pytest.fixture
def talks(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = workspace / "talks.yaml"
    path.write_text(TWO, encoding="utf-8")
    monkeypatch.setenv("DEMANDS_FILE", str(path))
    return path


def ids(run: Any, *args: str) -> list[str]:
    r = run("list", *args, "-o", "ids")
    assert r.exit_code == 0, r.output
    return r.stdout.split()


# --- adding -------------------------------------------------------------------------------------


def test_add_with_several_parties_is_an_agreement_with_its_own_id(run: Any, data_file: Path) -> None:
    r = run("add", "--party", "cn", "--party", "usa", "--title", "Keep talking", "--date", "2018-05-04")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "US-CN-2\n", "added US-CN-2\n"), r.output
    text = data_file.read_text(encoding="utf-8")
    # Parties in the order the file declares them, kind agreement, recorded as agreed.
    assert text.endswith(
        "  - id: US-CN-2\n    party: [us, cn]\n    kind: agreement\n    title: Keep talking\n    status: agreed\n"
        "    history:\n      - {date: 2018-05-04, status: agreed}\n"
    ), text[-300:]
    r = run("add", "--party", "us", "--party", "prc", "--kind", "agreement", "--title", "Again", "--status", "open")
    assert (r.exit_code, r.stdout) == (0, "US-CN-3\n"), r.output
    r = run("validate")
    assert (r.exit_code, r.stderr) == (0, f"{data_file}: valid (19 items)\n"), r.output


def test_an_agreement_needs_two_parties(run: Any, data_file: Path) -> None:
    before = data_file.read_bytes()
    for args in (
        ("--party", "us", "--kind", "agreement"),
        ("--party", "us", "--party", "usa", "--kind", "agreement"),  # one party, named twice
    ):
        r = run("add", *args, "--title", "Alone")
        assert (r.exit_code, r.stdout) == (2, ""), r.output
        assert r.stderr == "demands: an agreement is a position two or more parties share: name each with --party\n"
    r = run("edit", "US-3", "--kind", "agreement")
    assert (r.exit_code, r.stderr) == (
        2,
        "demands: US-3 is raised by us alone: an agreement is a position two or more parties share "
        "(add it anew, naming each party)\n",
    ), r.output
    assert data_file.read_bytes() == before


def test_the_library_names_the_argument_its_own_way(data_file: Path) -> None:
    import tradedemands

    with pytest.raises(tradedemands.UsageError) as err:
        tradedemands.add(data_file, party="us", kind="agreement", title="Alone")
    assert str(err.value) == "an agreement is a position two or more parties share: name each with party=[...]"
    assert tradedemands.add(data_file, party=["prc", "us"], title="Together", date="2018-05-04") == "US-CN-2"


# --- reading ------------------------------------------------------------------------------------


def test_either_party_finds_it(run: Any, talks: Path) -> None:
    assert ids(run, "--party", "us") == ["US-1", "US-CN-1"]
    assert ids(run, "--party", "China") == ["US-CN-1"]
    assert ids(run, "--party", "eu") == []
    assert ids(run, "--kind", "agreement") == ["US-CN-1"]
    assert ids(run, "--sort", "party") == ["US-1", "US-CN-1"]
    r = run("log", "--party", "prc", "-o", "json")
    assert json.loads(r.stdout) == [
        {"id": "US-CN-1", "date": "2018-05-04", "status": "agreed", "note": "Joint statement"}
    ], r.output


def test_party_lists_are_written_one_way(run: Any, talks: Path) -> None:
    r = run("list", "-o", "csv")
    assert r.stdout.splitlines()[2].startswith("US-CN-1,us;cn,,agreement,Resolve issues through dialogue,"), r.output
    r = run("list", "-o", "markdown")
    assert "| US-CN-1 | us;cn |   | agreement | agreed |" in r.stdout, r.output
    r = run("list")
    assert "US-CN-1 │ us;cn │ agreement │ agreed │" in r.stdout, r.output
    r = run("list", "-o", "json")
    assert json.loads(r.stdout)[1]["party"] == ["us", "cn"]


def test_show_names_both_parties(run: Any, talks: Path) -> None:
    r = run("show", "US-CN-1")
    assert r.exit_code == 0, r.output
    assert "│ parties  us (United States), cn (China)" in r.stdout, r.stdout
    r = run("show", "US-CN-1", "-o", "markdown")
    assert "| US-CN-1 | party | \\['us', 'cn'\\] |" not in r.stdout
    assert "| US-CN-1 | party | us;cn |" in r.stdout, r.stdout


def test_summary_counts_it_for_each_party_and_once_in_all(run: Any, talks: Path) -> None:
    r = run("summary", "-o", "json")
    summary = json.loads(r.stdout)
    rows = {p["party"]: (p["counts"], p["total"]) for p in summary["parties"]}
    assert rows == {
        "us": ({"open": 1, "agreed": 1}, 2),
        "cn": ({"agreed": 1}, 1),
        "eu": ({}, 0),
    }
    assert (summary["total"], summary["closed"]) == (2, 0)
    r = run("summary", "-o", "csv")
    assert r.stdout.splitlines()[-1] == "all,1,0,0,1,0,0,0,0,2,0", r.output


def test_compare_shows_what_both_agreed(run: Any, talks: Path) -> None:
    r = run("compare", "us", "cn", "-o", "json")
    (topic,) = json.loads(r.stdout)["topics"]
    assert topic["agreed"] == [
        {
            "id": "US-CN-1",
            "title": "Resolve issues through dialogue",
            "status": "agreed",
            "kind": "agreement",
            "party": ["us", "cn"],
        }
    ]
    assert [e["id"] for e in topic["us"]["asks"]] == ["US-1"]
    assert topic["cn"] == {"asks": [], "offers": [], "refuses": []}
    r = run("compare", "us", "cn", "-o", "markdown")
    assert r.stdout.splitlines()[2:] == [
        "| topic | us asks | us offers | us refuses | cn asks | cn offers | cn refuses | agreed | conflicts |",
        "|---|---|---|---|---|---|---|---|---|",
        "| trade | US-1 Cut the surplus (open) |   |   |   |   |   | US-CN-1 Resolve issues through dialogue (agreed) |   |",
    ]
    # Compared with a third party, the agreement says who is party to it.
    r = run("compare", "us", "eu", "-o", "markdown")
    assert "US-CN-1 Resolve issues through dialogue (agreed, us;cn) |" in r.stdout, r.output
    r = run("compare", "us", "cn")
    assert "US-CN-1 Resolve issues" in r.stdout and "agreed" in r.stdout.splitlines()[0], r.output


# --- validate and the schema --------------------------------------------------------------------


def edit(old: str, new: str) -> str:
    assert TWO.count(old) == 1, old
    return TWO.replace(old, new)


ONE_PARTY_AGREEMENT = edit("party: [us, cn]", "party: us")
PARTY_PROBLEMS = [
    (ONE_PARTY_AGREEMENT, "US-CN-1 party: an agreement is a position two or more parties share: list them all, like party: [us, cn]"),
    (edit("party: [us, cn]", "party: [cn]"), "US-CN-1 party: an agreement is a position two or more parties share: list them all, like party: [cn, eu]"),
    (edit("party: [us, cn]\n    kind: agreement", "party: [us]\n    kind: demand"), "US-CN-1 party: party lists one party: write it as party: us (a list is for two or more)"),
    (edit("party: [us, cn]", "party: []"), "US-CN-1 party: party lists no party: name who raises it (party: us), or the parties to an agreement (party: [us, cn])"),
    (edit("party: [us, cn]", "party: [us, US]"), "US-CN-1 party: party 'US' is listed twice"),
    (edit("party: [us, cn]", "party: [us, mars]"), "US-CN-1 party: unknown party 'mars'; known: cn, eu, us"),
    (edit("party: [us, cn]", "party: [us, ~]"), "US-CN-1 party: party entry 2 is empty: remove it or write a value"),
]  # fmt: skip


def problems(text: str) -> list[str]:
    data, node = yamlio.parse(text, "t.yaml")
    return [m for _p, m in validation.check(copy.deepcopy(data), lambda p: yamlio.scalar_text(node, p))]


@pytest.mark.parametrize(("text", "message"), PARTY_PROBLEMS)
def test_validate_checks_party_lists(text: str, message: str) -> None:
    assert message in problems(text)


def test_validate_reports_it_at_its_line(run: Any, talks: Path) -> None:
    talks.write_text(ONE_PARTY_AGREEMENT, encoding="utf-8")
    r = run("validate")
    assert (r.exit_code, r.stderr) == (
        1,
        f"{talks}:17:5: US-CN-1 party: an agreement is a position two or more parties share: list them all, "
        "like party: [us, cn]\n",
    ), r.output


@pytest.fixture(scope="module")
def checker() -> Any:
    return jsonschema.Draft202012Validator(json_schema())


@pytest.mark.parametrize(
    ("text", "message"),
    [*PARTY_PROBLEMS[:4], (edit("party: [us, cn]", "party: [us, us]"), "a party twice (in any case: validate only)")],
)
def test_the_schema_rejects_the_party_lists_validate_rejects(checker: Any, text: str, message: str) -> None:
    data, _node = yamlio.parse(text, "t.yaml")
    assert list(checker.iter_errors(data)), message


def test_the_schema_accepts_an_agreement_and_a_joint_demand(checker: Any) -> None:
    joint = edit("party: [us, cn]\n    kind: agreement", "party: [us, eu]\n    kind: demand")
    for text in (TWO, joint):
        assert problems(text) == []
        data, _node = yamlio.parse(text, "t.yaml")
        assert list(checker.iter_errors(data)) == []


# --- merge and cache ----------------------------------------------------------------------------


def test_merge_renumbers_an_agreement_both_sides_added(tmp_path: Path) -> None:
    base = TWO
    ours = base + "  - id: US-CN-2\n    party: [us, cn]\n    kind: agreement\n    title: Ours\n    status: agreed\n"
    theirs = base + "  - id: US-CN-2\n    party: [cn, us]\n    kind: agreement\n    title: Theirs\n    status: agreed\n"
    result = merge(base, ours, theirs, "t.yaml")
    assert result.renumbered == [("US-CN-2", "US-CN-3")]
    assert result.text.endswith(
        "  - id: US-CN-3\n    party: [cn, us]\n    kind: agreement\n    title: Theirs\n    status: agreed\n"
    )


def test_merge_takes_a_party_list_as_a_set(tmp_path: Path) -> None:
    base = TWO
    ours = base.replace("    title: Resolve issues", "    priority: high\n    title: Resolve issues")
    theirs = base.replace("party: [us, cn]", "party: [us, cn, eu]")
    result = merge(base, ours, theirs, "t.yaml")
    assert result.conflicts == []
    assert "party: [us, cn, eu]\n    kind: agreement\n    priority: high" in result.text
    # Both sides changed the list: what each added comes in.
    base = TWO.replace("  eu: {name: European Union}\n", "  eu: {name: European Union}\n  uk: {name: United Kingdom}\n")
    ours = base.replace("party: [us, cn]", "party: [us, cn, eu]")
    theirs = base.replace("party: [us, cn]", "party: [us, cn, uk]")
    result = merge(base, ours, theirs, "t.yaml")
    assert result.conflicts == []
    assert "party: [us, cn, eu, uk]\n" in result.text
    # One side made it a single party's demand, the other added a party: a conflict, ours stays.
    theirs = base.replace("party: [us, cn]\n    kind: agreement", "party: us\n    kind: demand")
    result = merge(base, ours, theirs, "t.yaml")
    assert [str(c) for c in result.conflicts] == [
        "conflict in US-CN-1 party: ours [us, cn, eu], theirs 'us'",
    ]
    assert "party: [us, cn, eu]\n    kind: demand" in result.text


def test_the_parse_cache_keeps_a_party_list(talks: Path) -> None:
    from tradedemands.document import load

    raw = talks.read_bytes()
    load(talks)
    entry = cache.get(cache.key_of(raw), len(raw))
    assert entry is not None and entry.data["demands"][1]["party"] == ["us", "cn"]
