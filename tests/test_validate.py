"""``demands validate`` and the loader: exact, located messages for every kind of broken file."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import demands_cmd

STATUSES = "open, discussing, contested, agreed, partial, met, rejected, withdrawn"
SEED = "seeds/000_d2207b9ab7e38b47.txt"


def item_span(text: str, item_id: str) -> tuple[int, int]:
    """Start and end offsets of an item's block in the shipped file (from its ``- id:`` line to the next)."""
    start = text.index(f"\n  - id: {item_id}\n") + 1
    following = text.find("\n  - id: ", start + 1)
    return start, len(text) if following < 0 else following + 1


def break_item(path: Path, item_id: str, old: str, new: str) -> str:
    """Replace the one occurrence of ``old`` inside item ``item_id``; returns the new text."""
    text = path.read_text(encoding="utf-8")
    start, end = item_span(text, item_id)
    block = text[start:end]
    assert block.count(old) == 1, f"{old!r} occurs {block.count(old)} times in {item_id}"
    text = text[:start] + block.replace(old, new) + text[end:]
    path.write_text(text, encoding="utf-8")
    return text


def where(text: str, needle: str, after: str | None = None, nth: int = 1) -> str:
    """``line:col`` (1-based) of the ``nth`` occurrence of ``needle`` (after the first ``after``, if given)."""
    at = text.index(after) if after else 0
    for _ in range(nth):
        at = text.index(needle, at + (1 if _ else 0))
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"{line}:{col}"


def fails_with(r: Any, *lines: str) -> None:
    assert r.exit_code == 1, r.output
    assert r.stdout == "", r.output
    assert r.stderr.splitlines() == list(lines), r.output


# --- the shipped file ---------------------------------------------------------------------------


def test_shipped_file_is_valid(run, data_file):
    r = run("validate")
    assert r.exit_code == 0, r.output
    assert r.stdout == "", r.output
    assert r.stderr == f"{data_file}: valid (17 items)\n", r.output


def test_shipped_file_is_valid_as_a_pre_commit_hook(workspace):
    r = demands_cmd("validate", "data/demands.yaml", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "data/demands.yaml: valid (17 items)\n"


def test_validate_json_on_the_shipped_file(run, data_file):
    r = run("validate", "--format", "json")
    assert r.exit_code == 0, r.output
    assert r.stderr == "", r.output
    assert json.loads(r.stdout) == [{"file": str(data_file), "valid": True, "items": 17, "problems": []}]


# --- one problem at a time ------------------------------------------------------------------


def test_unknown_status_suggests_the_closest(run, data_file):
    text = break_item(data_file, "US-4", "    status: open\n", "    status: opne\n")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'status: opne')}: US-4 status: unknown status 'opne' (did you mean 'open'?); "
        f"use one of: {STATUSES}",
    )


def test_unknown_status_in_history(run, data_file):
    text = break_item(data_file, "US-5", "status: open, round:", "status: pending, round:")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'status: pending')}: US-5 history.status: unknown status 'pending'; "
        f"use one of: {STATUSES}",
    )


def test_duplicate_id_any_case(run, data_file):
    # nothing links to US-9, so renaming it makes no other problem
    text = break_item(data_file, "US-9", "- id: US-9\n", "- id: us-4\n")
    fails_with(
        run("validate"), f"{data_file}:{where(text, 'id: us-4')}: us-4 id: duplicate id (also item 4 of demands)"
    )


def test_dangling_link(run, data_file):
    text = break_item(data_file, "CN-7", "{rel: related, id: US-8}", "{rel: related, id: US-80}")
    fails_with(run("validate"), f"{data_file}:{where(text, 'id: US-80')}: CN-7 links.id: link to unknown id 'US-80'")


def test_link_to_itself(run, data_file):
    text = break_item(data_file, "CN-5", "{rel: conflicts-with, id: US-1}", "{rel: related, id: cn-5}")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'id: cn-5')}: CN-5 links.id: an item cannot link to itself",
        # US-1 still says it conflicts with CN-5, which is fine: links are checked one way
    )


def test_unknown_link_relation(run, data_file):
    text = break_item(data_file, "CN-5", "{rel: conflicts-with, id: US-1}", "{rel: blocks, id: US-1}")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'rel: blocks')}: CN-5 links.rel: unknown rel 'blocks'; "
        "use one of: responds-to, conflicts-with, conditional-on, related",
    )


@pytest.mark.parametrize(
    ("bad", "why"), [("2018-13-01", "no such day"), ("2018-02-30", "no such day"), ("2018-5-4", "use YYYY-MM-DD")]
)
def test_bad_date_in_history(run, data_file, bad, why):
    text = break_item(data_file, "US-4", "{date: 2018-05-03,", f"{{date: {bad},")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'date: ' + bad)}: US-4 history.date: bad date '{bad}': {why}",
    )


def test_bad_dates_in_due_source_and_round(run, data_file):
    text = data_file.read_text(encoding="utf-8")
    text = text.replace("{id: beijing-2018-05, date: 2018-05-03,", "{id: beijing-2018-05, date: 2018-5-3,")
    data_file.write_text(text, encoding="utf-8")
    break_item(data_file, "US-9", "    status: open\n", "    status: open\n    due: 2018-13-01\n")
    text = break_item(data_file, "CN-1", "date: 2018-05-04}", "date: 04/05/2018}")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'date: 2018-5-3')}: bad date '2018-5-3': use YYYY-MM-DD",
        f"{data_file}:{where(text, 'due: 2018-13-01')}: US-9 due: bad date '2018-13-01': no such day",
        f"{data_file}:{where(text, 'date: 04/05/2018')}: CN-1 source.date: bad date '04/05/2018': use YYYY-MM-DD",
    )


def test_quote_not_in_its_document(run, data_file):
    text = break_item(data_file, "CN-7", "it would be willing to reduce", "it would gladly reduce")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'quote:', after='- id: CN-7')}: CN-7 source.quote: quote not found in {SEED}",
    )


def test_quote_is_matched_ignoring_whitespace(run, data_file):
    break_item(
        data_file, "CN-7", '"Beijing has said it would be willing', '"Beijing   has said\\n   it would\\tbe willing'
    )
    r = run("validate")
    assert r.exit_code == 0, r.output


def test_source_document_missing(run, data_file):
    text = break_item(data_file, "US-9", f"doc: {SEED}", "doc: seeds/missing.txt")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'doc: seeds/missing.txt')}: US-9 source.doc: document 'seeds/missing.txt' not found",
    )


def test_source_url_is_not_checked(run, data_file):
    break_item(data_file, "US-9", f"doc: {SEED}", "doc: https://example.com/article")
    r = run("validate")
    assert r.exit_code == 0, r.output


def test_yaml_syntax_error_has_line_and_column(run, data_file):
    text = break_item(data_file, "US-4", "    topic: cyberespionage\n", "   topic: cyberespionage\n")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'topic: cyberespionage')}: YAML syntax error: "
        "did not find expected '-' indicator (while parsing a block collection)",
    )


def test_yaml_syntax_error_in_a_flow_mapping(run, workspace):
    path = workspace / "flow.yaml"
    path.write_text("version: 1\nparties:\n  us: {name: United States\n  cn: {name: China}\n", encoding="utf-8")
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:4:5: YAML syntax error: did not find expected ',' or '}}' (while parsing a flow mapping)",
    )


def test_yaml_syntax_error_a_second_document(run, workspace):
    path = workspace / "two.yaml"
    path.write_text("parties: {us: {name: US}}\n---\nparties: {}\n", encoding="utf-8")
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:2:1: YAML syntax error: but found another document (expected a single document in the stream)",
    )


def test_unknown_item_field_suggests_the_closest(run, data_file):
    text = break_item(data_file, "US-4", "    topic: cyberespionage\n", "    topc: cyberespionage\n")
    fails_with(
        run("validate"), f"{data_file}:{where(text, 'topc:')}: US-4 topc: unknown field 'topc' (did you mean 'topic'?)"
    )


def test_unknown_fields_elsewhere(run, workspace):
    path = workspace / "fields.yaml"
    text = (
        "version: 1\n"
        "partys: {us: {name: US}}\n"
        "demands:\n"
        "  - {id: US-1, party: us, title: t, status: open, source: {doc: x, qoute: y}}\n"
    )
    path.write_text(text, encoding="utf-8")
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:1:1: missing required field 'parties'",
        f"{path}:2:1: unknown field 'partys' (did you mean 'parties'?)",
        f"{path}:{where(text, 'party: us')}: US-1 party: unknown party 'us'; known: none",
        f"{path}:{where(text, 'doc: x')}: US-1 source.doc: document 'x' not found",
        f"{path}:{where(text, 'qoute')}: US-1 source.qoute: unknown field 'qoute' (did you mean 'quote'?)",
    )


def test_unknown_party_field(run, workspace):
    path = workspace / "party.yaml"
    path.write_text("version: 1\nparties:\n  us: {nmae: United States}\n", encoding="utf-8")
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:3:3: missing required field 'name'",
        f"{path}:3:8: unknown field 'nmae' (did you mean 'name'?)",
    )


def test_status_must_equal_the_last_history_status(run, data_file):
    text = break_item(data_file, "US-5", "    status: open\n", "    status: discussing\n")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'status: discussing')}: US-5 status: status is 'discussing' but the latest-dated "
        "history entry (2018-05-03) sets 'open'; use 'demands mark' to change a status",
    )


def test_a_note_after_the_last_status_keeps_it(run, data_file):
    break_item(
        data_file,
        "US-5",
        "note: Tabled in Beijing}\n",
        "note: Tabled in Beijing}\n      - {date: 2018-05-05, note: Still on the table}\n",
    )
    r = run("validate")
    assert r.exit_code == 0, r.output


def test_wrong_types(run, workspace):
    path = workspace / "types.yaml"
    path.write_text(
        "version: 2\n"
        "parties: {us: {name: US}}\n"
        "demands:\n"
        "  - id: US-1\n"
        "    party: us\n"
        "    title: ''\n"
        "    status: open\n"
        "    priority: urgent\n"
        "    kind: ask\n"
        "    tags: hello\n"
        "    target: {amount: lots}\n"
        "    history:\n"
        "      - {date: 2018-05-03}\n"
        "  - just text\n",
        encoding="utf-8",
    )
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:1:1: unsupported version 2: this tool reads version 1",
        f"{path}:6:5: US-1 title: title must not be empty",
        f"{path}:8:5: US-1 priority: unknown priority 'urgent'; use one of: high, medium, low",
        f"{path}:9:5: US-1 kind: unknown kind 'ask'; use one of: demand, concession, red-line, agreement",
        f"{path}:10:5: US-1 tags: tags must be a list like [a, b], not text 'hello'",
        f"{path}:11:14: US-1 target.amount: amount must be a plain number like 200000000000, not 'lots'",
        f"{path}:13:9: US-1 history: a history entry needs a status or a note",
        f"{path}:14:5: an item must be a mapping (key: value lines), not text 'just text'",
    )


# --- several at once --------------------------------------------------------------------------


def test_every_problem_at_once_sorted_by_line(run, data_file):
    # broken from the bottom up, so that the report's order is not the order of breaking
    break_item(data_file, "CN-7", "{rel: related, id: US-8}", "{rel: related, id: US-80}")
    break_item(data_file, "CN-2", "    status: open\n", "    status: opened\n")
    break_item(data_file, "US-4", "    topic: cyberespionage\n", "    topc: cyberespionage\n")
    break_item(data_file, "US-6", "{date: 2018-05-03,", "{date: 2018-5-3,")
    text = break_item(data_file, "US-9", "- id: US-9\n", "- id: us-1\n")  # nothing links to US-9
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'topc:')}: US-4 topc: unknown field 'topc' (did you mean 'topic'?)",
        f"{data_file}:{where(text, 'date: 2018-5-3')}: US-6 history.date: bad date '2018-5-3': use YYYY-MM-DD",
        f"{data_file}:{where(text, 'id: us-1')}: us-1 id: duplicate id (also item 1 of demands)",
        f"{data_file}:{where(text, 'status: opened')}: CN-2 status: unknown status 'opened' (did you mean 'open'?); "
        f"use one of: {STATUSES}",
        f"{data_file}:{where(text, 'id: US-80')}: CN-7 links.id: link to unknown id 'US-80'",
    )


def test_quote_problems_are_reported_with_the_others(run, data_file):
    break_item(data_file, "CN-7", "it would be willing to reduce", "it would gladly reduce")
    text = break_item(data_file, "US-4", "    topic: cyberespionage\n", "    topc: cyberespionage\n")
    fails_with(
        run("validate"),
        f"{data_file}:{where(text, 'topc:')}: US-4 topc: unknown field 'topc' (did you mean 'topic'?)",
        f"{data_file}:{where(text, 'quote:', after='- id: CN-7')}: CN-7 source.quote: quote not found in {SEED}",
    )


def test_several_files_at_once(run, workspace, data_file):
    broken = workspace / "broken.yaml"
    broken.write_text("version: 1\nparties: {us: {name: US}}\ndemands: 5\n", encoding="utf-8")
    r = run("validate", str(data_file), str(broken))
    fails_with(
        r,
        f"{data_file}: valid (17 items)",
        f"{broken}:3:1: demands must be a list, not the number 5",
    )


def test_validate_json_reports_problems(run, data_file):
    text = break_item(data_file, "US-4", "    topic: cyberespionage\n", "    topc: cyberespionage\n")
    line, col = (int(n) for n in where(text, "topc:").split(":"))
    r = run("validate", "-o", "json")
    assert r.exit_code == 1, r.output
    assert r.stderr == "", r.output
    assert json.loads(r.stdout) == [
        {
            "file": str(data_file),
            "valid": False,
            "items": 0,
            "problems": [
                {"line": line, "column": col, "message": "US-4 topc: unknown field 'topc' (did you mean 'topic'?)"}
            ],
        }
    ]


def test_validate_json_on_a_directory(run, workspace):
    folder = workspace / "folder.yaml"
    folder.mkdir()
    r = run("validate", "-o", "json", "-f", str(folder))
    assert r.exit_code == 1, r.output
    assert json.loads(r.stdout) == [
        {
            "file": str(folder),
            "valid": False,
            "problems": [{"line": None, "column": None, "message": f"{folder}: is a directory, not a demands file"}],
        }
    ]


def test_validate_never_changes_the_file(run, data_file):
    text = break_item(data_file, "US-4", "    status: open\n", "    status: opne\n")
    assert run("validate").exit_code == 1
    assert data_file.read_text(encoding="utf-8") == text


def test_a_broken_file_fails_every_read_command(run, data_file):
    text = break_item(data_file, "US-4", "    status: open\n", "    status: opne\n")
    message = (
        f"{data_file}:{where(text, 'status: opne')}: US-4 status: unknown status 'opne' (did you mean 'open'?); "
        f"use one of: {STATUSES}"
    )
    for command in (["list"], ["show", "US-1"], ["summary"], ["export"]):
        fails_with(run(*command), message)


# --- YAML 1.2: what a person writes unquoted stays what they wrote ----------------------------

NORWAY = """\
version: 1
title: 2025
parties:
  no: {name: Norway, aliases: [nor]}
  on: {name: Ontario}
  yes: {name: Yes Land}
  off: {name: Off Shore}
  y: {name: Why}
rounds:
  - {id: 2019, date: 2019-01-10}
demands:
  - id: NO-1
    party: no
    of: on
    title: 2025
    text: 1.50
    topic: yes
    tags: [no, NO, off, y, n, True, 0755, 1e3, 0x1F, 12:30, .inf, 2018-05-04, ~x]
    status: open
    history:
      - {date: 2019-01-10, status: open, round: 2019, note: 2019-01-11}
  - id: ON-1
    party: on
    of: no
    title: 1.50
    status: open
  - id: Y-1
    party: y
    title: off
    status: open
"""


@pytest.fixture
def norway(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = workspace / "norway.yaml"
    path.write_text(NORWAY, encoding="utf-8")
    monkeypatch.setenv("DEMANDS_FILE", str(path))
    return path


def test_norway_validates(run, norway):
    r = run("validate")
    assert r.exit_code == 0, r.output
    assert r.stderr == f"{norway}: valid (3 items)\n"


@pytest.mark.parametrize("party", ["no", "NO", "No", "norway", "nor"])
def test_norway_lists_by_party(run, norway, party):
    r = run("list", "-p", party, "-o", "ids")
    assert r.exit_code == 0, r.output
    assert r.stdout == "NO-1\n"


def test_yaml_1_1_booleans_numbers_and_dates_stay_text_as_written(run, norway):
    r = run("list", "-o", "json")
    assert r.exit_code == 0, r.output
    no1, on1, y1 = json.loads(r.stdout)
    assert no1["party"] == "no" and no1["of"] == "on"
    assert no1["title"] == "2025"
    assert no1["text"] == "1.50"
    assert no1["topic"] == "yes"
    assert no1["tags"] == [
        "no",
        "NO",
        "off",
        "y",
        "n",
        "True",
        "0755",
        "1e3",
        "0x1F",
        "12:30",
        ".inf",
        "2018-05-04",
        "~x",
    ]
    assert no1["history"] == [{"date": "2019-01-10", "status": "open", "round": "2019", "note": "2019-01-11"}]
    assert on1["title"] == "1.50" and on1["of"] == "no"
    assert y1["party"] == "y" and y1["title"] == "off"


def test_norway_everywhere(run, norway):
    r = run("list", "-p", "no", "--round", "2019", "--topic", "YES", "--tag", "0755", "-o", "ids")
    assert r.stdout == "NO-1\n", r.output
    r = run("show", "no-1")
    assert r.exit_code == 0, r.output
    assert re.search(r"party\s+no \(Norway\)", r.stdout), r.output
    assert re.search(r"of\s+on \(Ontario\)", r.stdout), r.output
    summary = json.loads(run("summary", "-o", "json").stdout)
    assert [p["party"] for p in summary["parties"]] == ["no", "on", "yes", "off", "y"]
    data = json.loads(run("export").stdout)
    assert list(data["parties"]) == ["no", "on", "yes", "off", "y"]
    assert data["title"] == "2025"
    assert data["rounds"] == [{"id": "2019", "date": "2019-01-10"}]


def test_norway_round_trips_through_export_yaml(run, norway, workspace):
    path = workspace / "again.yaml"
    path.write_text(run("export", "-o", "yaml").stdout, encoding="utf-8")
    assert run("validate", "-f", str(path)).exit_code == 0
    assert run("export", "-f", str(path)).stdout == run("export").stdout


def test_true_and_false_are_booleans(run, workspace):
    path = workspace / "statuses.yaml"
    text = (
        "parties: {us: {name: US}}\n"
        "statuses: [{name: open, closed: false}, {name: done, closed: TRUE}, {name: gone, closed: yes}]\n"
    )
    path.write_text(text, encoding="utf-8")
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:{where(text, 'closed: yes')}: closed must be true or false, not 'yes'",
    )


# --- refused constructs -----------------------------------------------------------------------


def test_aliases_are_refused(run, workspace):
    path = workspace / "alias.yaml"
    path.write_text("version: 1\nparties:\n  us: &p {name: US}\n  cn: *p\n", encoding="utf-8")
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:3:7: anchors and aliases (&name, *name) are not allowed; write the value out",
    )


@pytest.mark.parametrize(
    ("content", "at"),
    [
        ("version: 1\nparties: {us: &a {name: US}, cn: &a {name: CN}}\n", "2:34"),  # the same anchor twice
        ("version: 1\nparties: {us: *nowhere}\n", "2:15"),  # an alias to nothing
    ],
)
def test_broken_anchors_are_refused_like_the_others(run, workspace, content, at):
    path = workspace / "anchors.yaml"
    path.write_text(content, encoding="utf-8")
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:{at}: anchors and aliases (&name, *name) are not allowed; write the value out",
    )


def test_billion_laughs_is_refused_at_once(run, workspace):
    path = workspace / "lol.yaml"
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[n]
        rows.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    path.write_text("\n".join(rows) + "\nparties: {us: {name: US}}\n", encoding="utf-8")
    started = time.monotonic()
    r = run("list", "-f", str(path), "-o", "json")
    assert time.monotonic() - started < 2
    fails_with(r, f"{path}:1:4: anchors and aliases (&name, *name) are not allowed; write the value out")


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object:os.system {name: US}", "tag:yaml.org,2002:python/object:os.system"),
        ('!!python/object/apply:os.system ["touch pwned"]', "tag:yaml.org,2002:python/object/apply:os.system"),
        ("!!python/name:os.system ''", "tag:yaml.org,2002:python/name:os.system"),
        ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
        ("!!set {a, b}", "tag:yaml.org,2002:set"),
        ("!custom {name: US}", "!custom"),
    ],
)
def test_object_tags_are_refused(run, workspace, value, tag):
    path = workspace / "tag.yaml"
    path.write_text(f"version: 1\nparties:\n  us: {value}\n", encoding="utf-8")
    fails_with(run("validate", "-f", str(path)), f"{path}:3:7: tag {tag!r} is not allowed in a demands file; remove it")
    assert not (workspace / "pwned").exists()


def test_plain_str_tag_is_fine(run, workspace):
    path = workspace / "str.yaml"
    path.write_text("version: 1\nparties:\n  us: {name: !!str 2025}\n", encoding="utf-8")
    assert run("validate", "-f", str(path)).exit_code == 0


@pytest.mark.parametrize("key", ["<<", "!!merge <<"])
def test_merge_keys_are_refused(run, workspace, key):
    path = workspace / "merge.yaml"
    path.write_text(f"version: 1\nparties:\n  us: {{name: US}}\n  cn:\n    {key}: {{name: CN}}\n", encoding="utf-8")
    fails_with(run("validate", "-f", str(path)), f"{path}:5:5: merge keys (<<) are not allowed; write the fields out")


def test_a_quoted_merge_key_is_just_an_unknown_field(run, workspace):
    path = workspace / "quoted.yaml"
    path.write_text('version: 1\nparties:\n  us: {name: US, "<<": x}\n', encoding="utf-8")
    fails_with(run("validate", "-f", str(path)), f"{path}:3:18: unknown field '<<'")


def test_deep_nesting_is_refused(run, workspace):
    path = workspace / "deep.yaml"
    path.write_text("parties: {us: {name: US}}\ntitle: " + "[" * 20 + "]" * 20 + "\n", encoding="utf-8")
    fails_with(
        run("validate", "-f", str(path)),
        f"{path}:2:24: nesting deeper than 16 levels; a demands file is never this deep",
    )


def test_very_deep_nesting_is_refused(run, workspace):
    path = workspace / "deeper.yaml"
    path.write_text("parties: {us: {name: US}}\ntitle: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    r = run("validate", "-f", str(path))
    assert r.exit_code == 1, r.output
    assert re.fullmatch(
        rf"{re.escape(str(path))}:2:\d+: YAML syntax error: exceeded maximum nesting depth.*\n", r.stderr
    )


def test_duplicate_keys_are_refused(run, data_file):
    text = break_item(
        data_file, "US-7", "    topic: trade-barriers\n", "    topic: trade-barriers\n    topic: tariffs\n"
    )
    fails_with(run("validate"), f"{data_file}:{where(text, 'topic: tariffs')}: duplicate key 'topic'")


def test_a_null_key(run, workspace):
    path = workspace / "null.yaml"
    path.write_text("parties: {us: {name: US}}\n~: x\n", encoding="utf-8")
    fails_with(run("validate", "-f", str(path)), f"{path}:2:1: unknown field '~'")


# --- files that are not demands files ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "1:1: the file is empty; run 'demands init' for a skeleton"),
        (b"# nothing but a comment\n\n", "1:1: the file is empty; run 'demands init' for a skeleton"),
        (b"---\n...\n", "1:1: the file is empty; run 'demands init' for a skeleton"),
        (b"version: 1\ntitle: caf\xe9\n", "2:1: not UTF-8 (byte 0xe9); save the file as UTF-8"),
        (b"\xff\xfev\x00e\x00r\x00", "1:1: not UTF-8 (byte 0xff); save the file as UTF-8"),
        (b"- us\n- cn\n", "1:1: the file must be a mapping (key: value lines), not a list"),
        (b"just some words\n", "1:1: the file must be a mapping (key: value lines), not text 'just some words'"),
        (b"42\n", "1:1: the file must be a mapping (key: value lines), not the number 42"),
    ],
)
def test_not_a_demands_file(run, workspace, content, message):
    path = workspace / "odd.yaml"
    path.write_bytes(content)
    for command in (["validate"], ["list"], ["summary", "-o", "json"]):
        fails_with(run(*command, "-f", str(path)), f"{path}:{message}")


def test_a_directory(run, workspace):
    folder = workspace / "folder"
    folder.mkdir()
    for command in (["validate"], ["list"], ["show", "US-1"]):
        fails_with(run(*command, "-f", str(folder)), f"demands: {folder}: is a directory, not a demands file")


def test_a_missing_file(run, workspace):
    fails_with(
        run("validate", "-f", "gone.yaml"),
        "demands: gone.yaml: no such file; run 'demands init gone.yaml' to start one",
    )


def test_a_utf8_bom_is_fine(run, workspace):
    path = workspace / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\nparties: {us: {name: US}}\n")
    r = run("validate", "-f", str(path))
    assert r.exit_code == 0, r.output


def test_crlf_line_endings_are_fine(run, data_file):
    data_file.write_bytes(data_file.read_bytes().replace(b"\n", b"\r\n"))
    r = run("validate")
    assert r.exit_code == 0, r.output
    assert run("list", "-o", "ids", "-s", "contested").stdout == "US-1\nUS-2\n"


def test_broken_file_in_a_subprocess(workspace, data_file):
    text = break_item(data_file, "US-4", "    status: open\n", "    status: opne\n")
    r = demands_cmd("validate", cwd=workspace)
    assert r.returncode == 1, r.stderr
    assert r.stdout == ""
    assert r.stderr == (
        f"{data_file}:{where(text, 'status: opne')}: US-4 status: unknown status 'opne' (did you mean 'open'?); "
        f"use one of: {STATUSES}\n"
    )
