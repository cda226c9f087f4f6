"""The brief reads in two minutes: checked on its Markdown as a renderer parses it (markdown-it).

On the shipped file and on a busier one (three parties, two rounds held, a planned and a
cancelled round, three sources, an agreement of three parties, items agreed, met and
withdrawn): no table has a column that is empty or the same in every row, items merely
tabled are at most one line per round, every source document is listed once and every
citation points at one, and the shipped file's brief is under 1,000 words (the Mermaid
blocks aside).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it.token import Token

from test_brief import all_text, check_markdown, headings, inline_text, tables

BUSY = """\
version: 1
title: Three-way talks
parties:
  eu: {name: European Union}
  uk: {name: United Kingdom}
  no: {name: Norway}
rounds:
  - {id: london-1, date: 2021-01-10, end: 2021-01-11, place: London, outcome: Tariffs discussed.}
  - {id: brussels-2, date: 2021-02-14, place: Brussels}
  - {id: oslo-3, status: planned, likelihood: likely, date: 2021-03, parties: [no, eu], note: Fisheries first}
  - {id: bergen-x, status: cancelled, date: 2021-04}
demands:
  - id: EU-1
    party: eu
    of: uk
    title: Zero tariffs on steel
    priority: high
    status: contested
    source: {doc: docs/a.txt, quote: zero tariffs, date: 2021-01-10}
    history:
      - {date: 2021-01-10, status: open, round: london-1}
      - {date: 2021-02-14, status: contested, round: brussels-2, note: UK objects, source: {doc: docs/b.txt, quote: the UK objects}}
  - id: EU-2
    party: eu
    of: no
    title: Fishing quotas
    due: 2021-06-30
    status: open
    source: {doc: docs/a.txt, quote: quotas}
    history:
      - {date: 2021-01-10, status: open, round: london-1}
  - id: EU-3
    party: eu
    of: uk
    title: Level playing field
    status: withdrawn
    history:
      - {date: 2021-01-10, status: open, round: london-1}
      - {date: 2021-02-14, status: withdrawn, round: brussels-2, note: Dropped, source: {url: https://example.org/x}}
  - id: UK-1
    party: uk
    kind: red-line
    title: No alignment with EU rules
    status: open
    links: [{rel: conflicts-with, id: EU-3}]
    history:
      - {date: 2021-01-10, status: open, round: london-1}
  - id: UK-2
    party: uk
    kind: concession
    title: Phase out steel tariffs
    status: agreed
    source: {doc: docs/b.txt, quote: phase out}
    links: [{rel: responds-to, id: EU-1}]
    history:
      - {date: 2021-02-14, status: open, round: brussels-2}
      - {date: 2021-02-15, status: agreed, note: Signed off}
  - id: NO-1
    party: no
    of: eu
    title: Access for salmon
    status: met
    target: {amount: 100, unit: tonnes, by: 2021-12-31, progress: [{date: 2021-02-01, amount: 40}]}
    links: [{rel: conflicts-with, id: EU-2}]
    history:
      - {date: 2021-01-10, status: open, round: london-1}
      - {date: 2021-02-14, status: met, round: brussels-2}
  - id: EU-UK-NO-1
    party: [eu, uk, no]
    kind: agreement
    title: Keep talking every month
    status: agreed
    source: {doc: docs/a.txt, quote: every month}
    history:
      - {date: 2021-02-14, status: agreed, round: brussels-2}
"""


@pytest.fixture
def busy(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = workspace / "busy.yaml"
    path.write_text(BUSY, encoding="utf-8")
    (workspace / "docs").mkdir()
    (workspace / "docs" / "a.txt").write_text("zero tariffs; quotas; every month\n", encoding="utf-8")
    (workspace / "docs" / "b.txt").write_text("the UK objects; phase out\n", encoding="utf-8")
    monkeypatch.setenv("DEMANDS_FILE", str(path))
    return path


def brief(run: Any, *args: str) -> tuple[str, list[Token]]:
    r = run("brief", *args)
    assert (r.exit_code, r.stderr) == (0, ""), r.output
    return r.stdout, check_markdown(r.stdout)


def section(tokens: list[Token], prefix: str) -> list[Token]:
    """The tokens of the level-2 section whose heading starts with ``prefix``."""
    start = next(
        n
        for n, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2" and inline_text(tokens[n + 1]).startswith(prefix)
    )
    end = next(
        (n for n in range(start + 3, len(tokens)) if tokens[n].type == "heading_open" and tokens[n].tag == "h2"),
        len(tokens),
    )
    return tokens[start:end]


def list_items(tokens: list[Token]) -> list[str]:
    """The text of each item of the lists in ``tokens``."""
    found = []
    for n, t in enumerate(tokens):
        if t.type == "list_item_open":
            found.append(next(inline_text(x) for x in tokens[n:] if x.type == "inline"))
    return found


def check_reading(text: str, tokens: list[Token]) -> None:
    """The rules of a brief read in two minutes."""
    # No table column is empty, or the same in every row (a table of one row is a line instead).
    for table in tables(tokens):
        header, *rows = table
        assert rows, table
        for n, column in enumerate(header):
            values = [row[n] for row in rows]
            assert any(v.strip() for v in values), f"column {column!r} is empty: {table}"
            if len(rows) > 1:
                assert len(set(values)) > 1, f"column {column!r} says {values[0]!r} in every row: {table}"
    # Items merely tabled: one line per round at most, and never a row of the changes table.
    changes = section(tokens, "Changes since")
    tabled = [
        m.group(1) for line in list_items(changes) if (m := re.match(r"\d+ positions? tabled (at \S+|on \S+): ", line))
    ]
    assert len(tabled) == len(set(tabled)), tabled
    for table in tables(changes):
        assert not [row for row in table[1:] if "new → open" in row and not row[-1]], table
    # Every source document once; every citation points at one.
    sources = list_items(section(tokens, "Sources"))
    documents = [s.split(" (")[0].split(":")[0] if not s.startswith("http") else s.split(" ")[0] for s in sources]
    assert len(documents) == len(set(documents)), sources
    numbers = set(range(1, len(sources) + 1))
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", all_text(tokens))}
    assert cited <= numbers, (cited, sources)
    assert numbers <= cited | {n for n, s in enumerate(sources, 1) if "," in s or ";" in s or ":" in s}


def words(tokens: list[Token]) -> int:
    """What a reader reads: the words of the text, the Mermaid blocks aside."""
    return sum(len(inline_text(t).split()) for t in tokens if t.type == "inline")


@pytest.mark.parametrize(
    "args",
    [(), ("--as-of", "2018-05-31"), ("--as-of", "2018-05-03"), ("--party", "us"), ("--party", "cn"), ("--round", "beijing-2018-05")],
)  # fmt: skip
def test_the_shipped_brief_reads_in_two_minutes(run: Any, args: tuple[str, ...]) -> None:
    text, tokens = brief(run, *args)
    check_reading(text, tokens)
    assert words(tokens) < 1000, words(tokens)
    assert len(re.sub(r"```mermaid\n.*?```", "", text, flags=re.S).split()) < 1000
    sources = list_items(section(tokens, "Sources"))
    assert len(sources) == 1 and sources[0].startswith("seeds/000_d2207b9ab7e38b47.txt (2018-05-04): ")


def test_the_shipped_brief_collapses_what_was_merely_tabled(run: Any) -> None:
    _, tokens = brief(run)
    assert list_items(section(tokens, "Changes since")) == [
        "16 positions tabled at beijing-2018-05: US-1 to US-9, CN-1 to CN-7."
    ]
    assert list_items(section(tokens, "Sources")) == [
        "seeds/000_d2207b9ab7e38b47.txt (2018-05-04): US-1 to US-9, CN-1 to CN-7, US-CN-1; changes of US-1, "
        "US-2, US-CN-1 on 2018-05-04; round united-states-2018-06."
    ]


@pytest.mark.parametrize("args", [(), ("--as-of", "2021-02-01"), ("--party", "no"), ("--since", "2021-01-01")])
def test_a_busier_brief_keeps_the_rules(run: Any, busy: Path, args: tuple[str, ...]) -> None:
    text, tokens = brief(run, *args)
    check_reading(text, tokens)


def test_a_busier_brief(run: Any, busy: Path) -> None:
    text, tokens = brief(run, "--as-of", "2021-02-20")
    assert headings(tokens, 2) == [
        "State of play",
        "Agreed",
        "Conflicts",
        "Next steps",
        "Positions by status",
        "Changes since the last round (brussels-2, 2021-02-14)",
        "European Union",
        "United Kingdom",
        "Norway",
        "Sources",
    ]
    assert list_items(section(tokens, "Agreed")) == [
        # Sources are numbered in the order they are first cited.
        "UK-2 Phase out steel tariffs (concession of United Kingdom): agreed, 2021-02-15 [1]. Signed off.",
        "NO-1 Access for salmon (demand of Norway): met, 2021-02-14",
        "EU-UK-NO-1 Keep talking every month: agreed by European Union, United Kingdom and Norway, 2021-02-14 [2]",
    ]
    assert list_items(section(tokens, "Next steps")) == [
        "Likely round oslo-3: 2021-03; expected: Norway and European Union. Fisheries first.",
        "EU-2 Fishing quotas: due 2021-06-30 (open).",
        "NO-1 Access for salmon: due 2021-12-31; target 100 tonnes, ████░░░░░░ 40% (40) (met).",
    ]
    # Conflicts between different pairs of parties: the columns say position and what it conflicts with.
    assert tables(section(tokens, "Conflicts"))[0] == [
        ["position", "conflicts with"],
        ["EU-2 Fishing quotas (open)", "NO-1 Access for salmon (met)"],
        ["EU-3 Level playing field (withdrawn)", "UK-1 No alignment with EU rules (open)"],
    ]
    changes = section(tokens, "Changes since")
    assert list_items(changes) == ["1 position tabled at brussels-2: UK-2."]
    assert tables(changes)[0] == [
        ["date", "position", "change", "note", "source"],
        ["2021-02-14", "EU-1 Zero tariffs on steel", "open → contested", "UK objects", "“the UK objects” [1]"],
        ["2021-02-14", "EU-3 Level playing field", "open → withdrawn", "Dropped", "[3]"],
        ["2021-02-14", "NO-1 Access for salmon", "open → met", "", ""],
        ["2021-02-14", "EU-UK-NO-1 Keep talking every month", "new → agreed", "", "“every month” [2]"],
        ["2021-02-15", "UK-2 Phase out steel tariffs", "open → agreed", "Signed off", ""],
    ]
    eu = section(tokens, "European Union")
    assert headings(eu, 3) == ["Open demands", "Closed demands"]
    assert tables(eu)[0] == [
        ["id", "title", "status", "priority", "of"],
        ["EU-1", "Zero tariffs on steel", "contested", "high", "United Kingdom"],
        ["EU-2", "Fishing quotas", "open", "", "Norway"],
    ]
    assert list_items(eu) == ["EU-3 Level playing field (withdrawn, asked of United Kingdom)"]
    assert list_items(section(tokens, "Sources")) == [
        "docs/b.txt: UK-2; changes of EU-1 on 2021-02-14.",
        "docs/a.txt (2021-01-10): EU-1, EU-2, EU-UK-NO-1; changes of EU-UK-NO-1 on 2021-02-14.",
        "https://example.org/x: changes of EU-3 on 2021-02-14.",
    ]
    assert "No source: EU-3, UK-1, NO-1." in text
    assert (
        list_items(section(tokens, "State of play"))[0] == "Last round (of 2 held): brussels-2, 2021-02-14, Brussels."
    )
    # A round held on a later day is where the changes start; a cancelled round is nowhere.
    assert "bergen-x" not in text
    check_reading(text, tokens)


def test_status_names_reach_the_chart_as_plain_labels(run: Any, busy: Path) -> None:
    import yaml

    hostile = 'x" : 99\n    "y %%{init}%%'
    data = yaml.safe_load(BUSY)
    data["statuses"] = [{"name": n} for n in (hostile, "open", "contested", "agreed")] + [
        {"name": n, "closed": True} for n in ("met", "withdrawn")
    ]
    eu_2 = data["demands"][1]
    eu_2["status"] = hostile
    eu_2["history"][0]["status"] = hostile
    busy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = run("validate")
    assert r.exit_code == 0, r.output
    text, tokens = brief(run)
    for fence in (t for t in tokens if t.type == "fence"):
        _init, title, *slices = fence.content.splitlines()
        assert re.fullmatch(r"pie showData title [\w .\-'()&/:;,]+", title), title
        for line in slices:
            assert re.fullmatch(r'    "[\w .\-\'()&/:;,]+" : \d+', line), line
    assert '    "x : 99 y init" : 1' in text


def test_an_agreement_no_longer_in_force_is_listed_as_closed(run: Any, busy: Path) -> None:
    text = BUSY.replace(
        "    title: Keep talking every month\n    status: agreed",
        "    title: Keep talking every month\n    status: withdrawn",
    )
    text = text.replace(
        "      - {date: 2021-02-14, status: agreed, round: brussels-2}\n",
        "      - {date: 2021-02-14, status: agreed, round: brussels-2}\n      - {date: 2021-02-16, status: withdrawn}\n",
    )
    busy.write_text(text, encoding="utf-8")
    _text, tokens = brief(run)
    assert [line for line in list_items(section(tokens, "Agreed")) if "EU-UK-NO-1" in line] == []
    assert list_items(section(tokens, "United Kingdom"))[-1] == "EU-UK-NO-1 Keep talking every month (withdrawn)"
    assert headings(section(tokens, "Norway"), 3) == ["Closed"]
