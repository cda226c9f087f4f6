"""The JSON Schema (`demands schema`) checked with the real `jsonschema` library against `validate`.

Every broken file below is rejected by `validate`; each must be rejected by the schema too,
except those whose rule no JSON Schema can express (listed apart, with the reason). Every
valid file is accepted by both: the shipped data set, a file with its own `statuses:`, and
values people write unquoted (`title: 2025`).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import ROOT
from tradedemands import validation, yamlio
from tradedemands.fileschema import DATE_PATTERN, json_schema
from tradedemands.skeleton import write_skeleton

SMALL = """\
version: 1
title: Talks
parties:
  us: {name: United States, aliases: [usa]}
  cn: {name: China}
rounds:
  - {id: r1, date: 2018-05-03, end: 2018-05-04}
demands:
  - id: US-1
    party: us
    of: cn
    kind: demand
    title: Cut the surplus
    tags: [surplus]
    priority: high
    status: open
    due: 2020-06-01
    target: {amount: 200, unit: USD, by: 2020-06-01, progress: [{date: 2019-01-01, amount: 20}]}
    source: {doc: seeds/a.txt, quote: cut, date: 2018-05-04}
    links: [{rel: related, id: CN-1}]
    history:
      - {date: 2018-05-03, status: open, round: r1, note: Tabled}
  - id: CN-1
    party: cn
    title: Lift the ban
    status: open
    history:
      - {date: 2018-05-03, status: open}
"""

OWN_STATUSES = SMALL.replace(
    "demands:\n", "statuses:\n  - {name: proposed}\n  - {name: settled, closed: true}\ndemands:\n"
).replace("status: open", "status: proposed")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


#: (what is wrong, the broken file): validate rejects each, and so must the schema.
BROKEN = [
    (
        "an unknown status on an item",
        edit(
            SMALL,
            "    status: open\n    history:\n      - {date: 2018-05-03, status: open}\n",
            "    status: pending\n    history:\n      - {date: 2018-05-03, status: pending}\n",
        ),
    ),
    ("an unknown status in history", edit(SMALL, "status: open, round: r1", "status: tabled, round: r1")),
    (
        "an unknown status with the defaults spelt out as null",
        edit(SMALL, "demands:\n", "statuses:\ndemands:\n").replace("status: open, round", "status: tabled, round"),
    ),
    ("an empty title", edit(SMALL, "title: Cut the surplus", 'title: ""')),
    ("a title of spaces", edit(SMALL, "title: Cut the surplus", 'title: "   "')),
    ("an empty party name", edit(SMALL, "name: China", 'name: ""')),
    (
        "a history entry with neither status nor note",
        edit(SMALL, "{date: 2018-05-03, status: open}\n", "{date: 2018-05-03, round: r1}\n"),
    ),
    (
        "a history entry with an empty status and no note",
        edit(SMALL, "{date: 2018-05-03, status: open}\n", "{date: 2018-05-03, status: }\n"),
    ),
    ("a missing title", edit(SMALL, "    title: Lift the ban\n", "")),
    (
        "an empty status",
        edit(SMALL, "    title: Lift the ban\n    status: open\n", "    title: Lift the ban\n    status:\n"),
    ),
    ("an unknown field on an item", edit(SMALL, "    priority: high\n", "    priority: high\n    topc: trade\n")),
    ("an unknown field at the top", edit(SMALL, "title: Talks\n", "title: Talks\nowner: me\n")),
    ("an unknown field in a party", edit(SMALL, "{name: China}", "{name: China, nmae: PRC}")),
    ("an unknown field in a source", edit(SMALL, "quote: cut,", "quote: cut, page: 3,")),
    ("an unknown kind", edit(SMALL, "kind: demand", "kind: wish")),
    ("an unknown priority", edit(SMALL, "priority: high", "priority: urgent")),
    ("an unknown link relation", edit(SMALL, "rel: related", "rel: blocks")),
    ("a date in another format", edit(SMALL, "due: 2020-06-01", "due: 2020-6-1")),
    ("a date that is no day", edit(SMALL, "due: 2020-06-01", "due: 2020-02-30")),
    ("the 29th of February in a common year", edit(SMALL, "due: 2020-06-01", "due: 2100-02-29")),
    ("month 13", edit(SMALL, "date: 2018-05-04}", "date: 2018-13-04}")),
    ("year 0", edit(SMALL, "date: 2019-01-01, amount: 20", "date: 0000-01-01, amount: 20")),
    (
        "a date with a time",
        edit(SMALL, "{date: 2018-05-03, status: open}\n", "{date: 2018-05-03T10:00, status: open}\n"),
    ),
    ("an amount as text", edit(SMALL, "amount: 200,", "amount: lots,")),
    ("an amount that is true", edit(SMALL, "amount: 200,", "amount: true,")),
    ("a target without an amount", edit(SMALL, "{amount: 200, unit: USD,", "{unit: USD,")),
    ("a measurement without a date", edit(SMALL, "{date: 2019-01-01, amount: 20}", "{amount: 20}")),
    ("tags that are not a list", edit(SMALL, "tags: [surplus]", "tags: {surplus: 1}")),
    ("an empty tag in the list", edit(SMALL, "tags: [surplus]", "tags: [surplus, ~]")),
    ("a title that is a list", edit(SMALL, "title: Cut the surplus", "title: [Cut, the, surplus]")),
    (
        "history that is not a list",
        edit(SMALL, "    history:\n      - {date: 2018-05-03, status: open}\n", "    history: open\n"),
    ),
    ("version 2", edit(SMALL, "version: 1", "version: 2")),
    ("version as text", edit(SMALL, "version: 1", 'version: "1"')),
    ("version true", edit(SMALL, "version: 1", "version: true")),
    ("a party id with a space", edit(SMALL, "  cn: {name: China}", "  c n: {name: China}")),
    ("a party without a name", edit(SMALL, "{name: China}", "{lead: Liu He}")),
    ("a party that is not a mapping", edit(SMALL, "  cn: {name: China}", "  cn: China")),
    ("no parties", edit(SMALL, "parties:\n  us: {name: United States, aliases: [usa]}\n  cn: {name: China}\n", "")),
    ("an empty round id", edit(SMALL, "{id: r1, date: 2018-05-03, end: 2018-05-04}", '{id: "", date: 2018-05-03}')),
    ("an amount of 1e18", edit(SMALL, "amount: 200,", "amount: 1000000000000000000,")),
    ("a measurement below -1e18", edit(SMALL, "amount: 20}", "amount: -1.5e18}")),
    ("a round without a date", edit(SMALL, "{id: r1, date: 2018-05-03, end: 2018-05-04}", "{id: r1, end: 2018-05-04}")),
    ("an empty statuses list", edit(SMALL, "demands:\n", "statuses: []\ndemands:\n")),
    (
        "a status without a name",
        edit(OWN_STATUSES, "  - {name: proposed}\n", "  - {name: proposed}\n  - {closed: true}\n"),
    ),
    ("closed as text", edit(OWN_STATUSES, "closed: true", "closed: yes")),
    ("an item id with a slash", edit(SMALL, "  - id: CN-1\n", "  - id: CN/1\n").replace("id: CN-1}", "id: CN/1}")),
    (
        "an item id that is a negative number",
        edit(SMALL, "  - id: CN-1\n", "  - id: -1\n").replace("id: CN-1}", "id: -1}"),
    ),
    ("an item that is not a mapping", edit(SMALL, "demands:\n", "demands:\n  - just text\n")),
    ("a file that is a list", "- id: US-1\n"),
]

#: Rules validate checks that no JSON Schema can express: the schema accepts these files.
BEYOND_A_SCHEMA = [
    (
        "an unknown party",
        edit(SMALL, "    party: cn\n    title: Lift", "    party: eu\n    title: Lift"),
        "a value must name a key of another mapping",
    ),
    ("a duplicate id", edit(SMALL, "  - id: CN-1\n", "  - id: US-1\n"), "uniqueness of one field across list entries"),
    ("a link to an unknown id", edit(SMALL, "id: CN-1}", "id: CN-9}"), "a value must name another entry's id"),
    (
        "a status other than history's last",
        edit(SMALL, "    title: Lift the ban\n    status: open", "    title: Lift the ban\n    status: met"),
        "a field must equal the last of a list's values",
    ),
    ("a round that ends before it starts", edit(SMALL, "end: 2018-05-04", "end: 2018-05-01"), "comparing two fields"),
    (
        "an undeclared status of a file with its own",
        edit(
            edit(OWN_STATUSES, "status: proposed, round", "status: open, round"),
            "    priority: high\n    status: proposed",
            "    priority: high\n    status: open",
        ),
        "a value must be one of a list in the file",
    ),
    ("an unknown round", edit(SMALL, "round: r1", "round: r2"), "a value must name another entry's id"),
    (
        "an amount of 19 significant digits",
        edit(SMALL, "amount: 200,", "amount: 1.234567890123456789,"),
        "the digits as written",
    ),
    (
        "history out of date order",
        edit(
            SMALL,
            "      - {date: 2018-05-03, status: open}\n",
            "      - {date: 2018-05-04, status: open}\n      - {date: 2018-05-03, status: open}\n",
        ),
        "comparing list entries",
    ),
    (
        "party ids equal but for case",
        edit(SMALL, "  cn: {name: China}", "  cn: {name: China}\n  US: {name: Uncle Sam}"),
        "uniqueness ignoring case",
    ),
    ("an item linked to itself", edit(SMALL, "id: CN-1}", "id: US-1}"), "comparing two fields"),
]

#: Files validate accepts: the schema must accept them too.
VALID = [
    ("a small file", SMALL),
    ("a file with its own statuses", OWN_STATUSES),
    (
        "bare numbers and words in text fields",
        edit(
            SMALL,
            "title: Cut the surplus\n    tags: [surplus]",
            "title: 2025\n    text: true\n    topic: 12\n    tags: [surplus, 8471, rules of origin, 'hs:8471']",
        ).replace("{name: China}", "{name: 1984, lead: 3.5}"),
    ),
    (
        "ids written as numbers",
        edit(SMALL, "  - id: CN-1\n", "  - id: 2025\n").replace("id: CN-1}", "id: 2025}").replace("r1", "2018"),
    ),
    (
        "optional fields left empty",
        edit(SMALL, "    kind: demand\n", "    kind:\n    text:\n    due:\n    target:\n    links:\n")
        .replace(
            "    priority: high\n    status: open\n    due: 2020-06-01\n    target: {amount: 200, unit: USD, by: 2020-06-01, progress: [{date: 2019-01-01, amount: 20}]}\n",
            "    priority:\n    status: open\n",
        )
        .replace("    links: [{rel: related, id: CN-1}]\n", ""),
    ),
    (
        "statuses: spelt out as empty, and an empty list",
        edit(SMALL, "demands:\n", "statuses:\ndemands:\n").replace("tags: [surplus]", "tags: []"),
    ),
    (
        "a note without a status, and a status left empty beside a note",
        edit(
            SMALL,
            "      - {date: 2018-05-03, status: open}\n",
            "      - {date: 2018-05-03, status: open}\n      - {date: 2018-05-04, note: Asked again}\n      - {date: 2018-05-05, status: , note: Still asked}\n",
        ),
    ),
    (
        "round ids with spaces and letters of any script",
        edit(SMALL, "{id: r1, date:", "{id: Runde Ü 1, date:").replace("round: r1", "round: Runde Ü 1"),
    ),
    (
        "amounts just inside the bound",
        edit(SMALL, "amount: 200,", "amount: 999999999999999999,").replace("amount: 20}", "amount: -9.5e17}"),
    ),
    ("leap days", edit(SMALL, "due: 2020-06-01", "due: 2024-02-29").replace("by: 2020-06-01", "by: 2000-02-29")),
    ("a history entry by a person", edit(SMALL, "note: Tabled}", "note: Tabled, by: Liu He}")),
    ("no demands yet", "version: 1\nparties: {us: {name: United States}}\ndemands: []\n"),
]


@pytest.fixture(scope="module")
def checker() -> jsonschema.protocols.Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def loaded(text: str) -> Any:
    """The data as an editor's YAML 1.2 language server sees it (dates are text, 2025 is a number)."""
    data, _node = yamlio.parse(text, "test.yaml")
    return data


def validate_problems(text: str) -> list[str]:
    data, node = yamlio.parse(text, "test.yaml")
    return [message for _path, message in validation.check(copy.deepcopy(data), lambda p: yamlio.scalar_text(node, p))]


def schema_problems(checker: Any, text: str) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in checker.iter_errors(loaded(text))]


@pytest.mark.parametrize(("what", "text"), BROKEN, ids=[b[0] for b in BROKEN])
def test_the_schema_rejects_what_validate_rejects(checker: Any, what: str, text: str) -> None:
    assert validate_problems(text), f"validate accepts {what}"
    assert schema_problems(checker, text), f"the schema accepts {what}"


@pytest.mark.parametrize(("what", "text", "why"), BEYOND_A_SCHEMA, ids=[b[0] for b in BEYOND_A_SCHEMA])
def test_what_no_json_schema_can_express_is_left_to_validate(checker: Any, what: str, text: str, why: str) -> None:
    assert validate_problems(text), f"validate accepts {what}"
    # If this fails, the schema learnt the rule: move the case to BROKEN.
    assert schema_problems(checker, text) == [], f"{what}: {why}"


@pytest.mark.parametrize(("what", "text"), VALID, ids=[v[0] for v in VALID])
def test_the_schema_accepts_what_validate_accepts(checker: Any, what: str, text: str) -> None:
    assert validate_problems(text) == [], what
    assert schema_problems(checker, text) == [], what


def test_the_shipped_data_set_and_a_new_skeleton_pass(checker: Any, tmp_path: Path) -> None:
    shipped = (ROOT / "data" / "demands.yaml").read_text(encoding="utf-8")
    assert schema_problems(checker, shipped) == []
    write_skeleton(tmp_path / "talks.yaml", "Talks")
    assert schema_problems(checker, (tmp_path / "talks.yaml").read_text(encoding="utf-8")) == []


def test_the_schema_names_what_is_wrong(checker: Any) -> None:
    text = edit(SMALL, "status: open, round: r1", "status: tabled, round: r1")
    text = edit(text, "title: Cut the surplus", 'title: ""')
    text = edit(text, "kind: demand", "kind: wish")
    assert sorted(schema_problems(checker, text)) == [
        "demands/0/history/0/status: 'tabled' is not one of "
        "['open', 'discussing', 'contested', 'agreed', 'partial', 'met', 'rejected', 'withdrawn', None]",
        "demands/0/kind: 'wish' is not one of ['demand', 'concession', 'red-line', 'agreement', None]",
        "demands/0/title: '' does not match '\\\\S'",
    ]


def test_the_date_pattern_is_exactly_the_real_days() -> None:
    import re

    pattern = re.compile(DATE_PATTERN)
    for year in (1, 4, 100, 400, 1000, 1900, 1999, 2000, 2018, 2023, 2024, 2100, 2400, 9999):
        for month in range(0, 14):
            for day in range(0, 33):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    real = date.fromisoformat(text) is not None
                except ValueError:
                    real = False
                assert bool(pattern.match(text)) == real, text
    assert not pattern.match("0000-01-01")


def test_the_committed_schema_file_is_valid_json_schema() -> None:
    schema = json.loads((ROOT / "docs" / "demands.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == json_schema()


def test_validate_agrees_with_the_schema_on_empty_list_entries_and_version(run: Any, workspace: Path) -> None:
    path = workspace / "t.yaml"
    path.write_text(
        "version: true\nparties:\n  us: {name: United States, aliases: [usa, ~]}\ndemands: []\n",
        encoding="utf-8",
    )
    r = run("validate", "--file", str(path))
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines() == [
        f"{path}:1:1: unsupported version true/false: this tool reads version 1",
        f"{path}:3:44: aliases entry 2 is empty: remove it or write a value",
    ]
