"""The Markdown brief and every Markdown output: structure checked on the token stream of a
CommonMark parser with GitHub tables, and hostile text that must stay text."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parent.parent


SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


# --- checking Markdown ------------------------------------------------------------------------


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def walk(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out += walk(token.children or [])
    return out


def tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Every table as rows of cell texts (header row first)."""
    found: list[list[list[str]]] = []
    rows: list[list[str]] | None = None
    row: list[str] | None = None
    in_cell = False
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "table_close":
            assert rows is not None
            found.append(rows)
            rows = None
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            assert rows is not None and row is not None
            rows.append(row)
            row = None
        elif token.type in ("th_open", "td_open"):
            in_cell = True
        elif token.type in ("th_close", "td_close"):
            in_cell = False
        elif token.type == "inline" and in_cell:
            assert row is not None
            row.append(inline_text(token))
    return found


def inline_text(token: Token) -> str:
    """What a reader sees of an inline token: text and code, markup removed."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "text_special"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def check_markdown(text: str) -> list[Token]:
    """Valid for a reader: no HTML at all, no raw control characters, every table whole."""
    assert "\x1b" not in text, text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", text), text
    tokens = parse(text)
    html = [t for t in walk(tokens) if t.type in ("html_block", "html_inline")]
    assert html == [], f"HTML in the Markdown: {[t.content for t in html]}\n{text}"
    lines = text.splitlines()
    separators = [n for n, line in enumerate(lines) if SEPARATOR.match(line)]
    opened = [t for t in tokens if t.type == "table_open"]
    assert len(opened) == len(separators), f"{len(separators)} tables written, {len(opened)} parsed\n{text}"
    for table_open in opened:
        assert table_open.map is not None
        start, end = table_open.map
        written = [line for line in lines[start:end] if line.strip()]
        assert all(line.startswith("|") and line.rstrip().endswith("|") for line in written), written
        # As written (the parser pads or drops cells silently): the same number of cell separators
        # in every line, counted as GitHub (cmark-gfm: backslash escapes any character) and as
        # markdown-it (a pipe right after a backslash) count them, which must agree.
        gfm = [sum(1 for piece in re.findall(r"\\.|\|", line) if piece == "|") for line in written]
        mdit = [len(re.findall(r"(?<!\\)\|", line)) for line in written]
        assert len(set(gfm)) == 1 and gfm == mdit, f"ragged table at line {start + 1}: {written}"
    for rows, table_open in zip(tables(tokens), opened, strict=True):
        assert table_open.map is not None
        start, end = table_open.map
        width = len(rows[0])
        assert all(len(r) == width for r in rows), f"ragged table at line {start + 1}: {rows}"
        assert len(rows) == len([line for line in lines[start:end] if line.strip()]) - 1, rows
        # The cells per row also agree with the raw token stream (th/td per tr).
    for cells in _cells_per_row(tokens):
        assert len(set(cells)) <= 1, cells
    return tokens


def _cells_per_row(tokens: list[Token]) -> list[list[int]]:
    per_table: list[list[int]] = []
    count = 0
    for token in tokens:
        if token.type == "table_open":
            per_table.append([])
        elif token.type == "tr_open":
            count = 0
        elif token.type in ("th_open", "td_open"):
            count += 1
        elif token.type == "tr_close":
            per_table[-1].append(count)
    return per_table


def headings(tokens: list[Token], level: int) -> list[str]:
    tag = f"h{level}"
    return [inline_text(tokens[n + 1]) for n, t in enumerate(tokens) if t.type == "heading_open" and t.tag == tag]


def all_text(tokens: list[Token]) -> str:
    """Every piece of text a reader sees, one per line."""
    return "\n".join(inline_text(t) for t in tokens if t.type == "inline")


def table_after(tokens: list[Token], heading: str) -> list[list[str]]:
    """The first table after the heading with this text."""
    for n, token in enumerate(tokens):
        if token.type == "heading_open" and inline_text(tokens[n + 1]) == heading:
            rest = tokens[n:]
            return tables(rest)[0]
    raise AssertionError(f"no heading {heading!r}")


# --- the brief of the shipped data set -----------------------------------------------------------


def brief_of(run, *args: str) -> tuple[str, list[Token]]:
    r = run("brief", *args)
    assert r.exit_code == 0, r.output
    assert r.stderr == "", r.output
    return r.stdout, check_markdown(r.stdout)


def test_brief_structure(run) -> None:
    text, tokens = brief_of(run)
    assert tokens[0].type == "heading_open" and tokens[0].tag == "h1", text[:200]
    assert headings(tokens, 1) == ["US–China trade talks, 2018"]
    # The answers first (state of play, agreed, conflicts, next steps, the chart), then the inventory.
    assert headings(tokens, 2) == [
        "State of play",
        "Agreed",
        "Conflicts",
        "Next steps",
        "Positions by status",
        "Changes since the last round (beijing-2018-05, 2018-05-03)",
        "United States",
        "China",
        "Sources",
    ]
    assert headings(tokens, 3) == [
        "Open demands",
        "Open demands (all open)",
        "Concessions on the table (all open)",
        "Red lines (all open)",
    ]
    assert f"*As of {date.today().isoformat()}.*" in text.splitlines()


def state_of_play(tokens: list[Token]) -> list[str]:
    """The lines of the state of play, as a reader sees them."""
    start = next(
        n for n, t in enumerate(tokens) if t.type == "heading_open" and inline_text(tokens[n + 1]) == "State of play"
    )
    end = next(n for n, t in enumerate(tokens) if n > start + 2 and t.type == "heading_open")
    return [inline_text(t) for t in tokens[start + 2 : end] if t.type == "inline"]


def test_the_brief_says_what_was_agreed_what_is_contested_and_what_comes_next(run) -> None:
    _text, tokens = brief_of(run, "--as-of", "2018-05-31")
    assert state_of_play(tokens) == [
        "Last round: beijing-2018-05, 2018-05-03 to 2018-05-04, Diaoyutai, Beijing: Two days of talks ended on "
        "Friday with no deal and no date set for further talks.",
        "Agreed: US-CN-1 (Sound and stable trade relations; resolve issues through dialogue).",
        "Contested (the other side objects; still on the table): US-1 (Cut the trade surplus by $200 billion in "
        "two years); US-2 (Halt all subsidies to Made in China 2025 industries).",
        "In conflict: 3 pairs of positions (below).",
        "Positions: 17 positions: 14 open, 2 contested, 1 agreed; none closed.",
        "Next: possible round, United States, 2018-06; see next steps.",
    ]
    seen = all_text(tokens)
    assert (
        "US-CN-1 Sound and stable trade relations; resolve issues through dialogue: agreed by United States and "
        "China, 2018-05-04 [1]"
    ) in seen
    assert (
        "Possible round united-states-2018-06: United States, 2018-06; expected: China and United States. Chinese "
        "negotiators may visit for further talks; American officials have considered whether China might send Vice "
        "President Wang Qishan. [1]"
    ) in seen
    assert (
        "US-1 Cut the trade surplus by $200 billion in two years: due 2020-06-01; target 200,000,000,000 USD, "
        "no measurement yet (contested)."
    ) in seen


def test_brief_tables(run) -> None:
    _, tokens = brief_of(run, "--as-of", "2018-05-31")
    us_open = table_after(tokens, "United States")
    assert us_open[0] == ["id", "title", "status", "priority"]
    # Priority first, then by id.
    assert [row[0] for row in us_open[1:]] == [f"US-{n}" for n in range(1, 10)]
    assert us_open[1] == ["US-1", "Cut the trade surplus by $200 billion in two years", "contested", "high"]
    cn_open = table_after(tokens, "China")
    assert cn_open[0] == ["id", "title", "priority"]  # every one open: the heading says so
    assert [row[0] for row in cn_open[1:]] == ["CN-1", "CN-2", "CN-3"]
    assert table_after(tokens, "Red lines (all open)") == [
        ["id", "title"],
        ["CN-4", "No limits on Made in China 2025"],
        ["CN-5", "No specific surplus-cut figure"],
    ]
    conflicts = table_after(tokens, "Conflicts")
    assert conflicts == [
        ["United States", "China"],
        ["US-1 Cut the trade surplus by $200 billion in two years (contested)", "CN-5 No specific surplus-cut figure (open)"],
        ["US-2 Halt all subsidies to Made in China 2025 industries (contested)", "CN-4 No limits on Made in China 2025 (open)"],
        ["US-3 Accept US import restrictions on Made in China 2025 industries (open)", "CN-4 No limits on Made in China 2025 (open)"],
    ]  # fmt: skip
    changes = table_after(tokens, "Changes since the last round (beijing-2018-05, 2018-05-03)")
    assert changes[0] == ["position", "change", "note", "source"]
    assert [(row[0].split()[0], row[1]) for row in changes[1:]] == [
        ("US-1", "open → contested"),
        ("US-2", "open → contested"),
        ("US-CN-1", "new → agreed"),
    ]
    assert (
        changes[1][3]
        == "“They also objected to United States demands for a specific cut in the bilateral surplus.” [1]"
    )


def test_brief_mermaid_pies_have_a_legend_and_one_colour_per_status(run) -> None:
    text, tokens = brief_of(run, "--as-of", "2018-05-31")
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid", "mermaid"], text
    us, cn = (fence.content.splitlines() for fence in fences)
    assert us[1:] == [
        "pie showData title United States: 10 positions by status",
        '    "open" : 7',
        '    "contested" : 2',
        '    "agreed" : 1',
    ]
    assert cn[1:] == ["pie showData title China: 8 positions by status", '    "open" : 7', '    "agreed" : 1']
    us_colours = json.loads(us[0][len("%%{init: ") : -len("}%%")])["themeVariables"]
    cn_colours = json.loads(cn[0][len("%%{init: ") : -len("}%%")])["themeVariables"]
    # Slices take pie1, pie2... in order: each status keeps its colour from one pie to the next.
    assert (us_colours["pie1"], us_colours["pie3"]) == (cn_colours["pie1"], cn_colours["pie2"])
    assert len({us_colours["pie1"], us_colours["pie2"], us_colours["pie3"]}) == 3
    assert "```mermaid\n" in text


def test_docs_example_is_current(run) -> None:
    """docs/brief-example.md is `demands brief --as-of 2018-05-31` on the shipped data; after a
    deliberate change to the brief, regenerate it with that command (and docs/brief.png with
    docs/render_brief.py)."""
    r = run("brief", "--as-of", "2018-05-31")
    assert r.exit_code == 0, r.output
    committed = (ROOT / "docs" / "brief-example.md").read_text(encoding="utf-8")
    assert r.stdout == committed, "docs/brief-example.md is stale: run `demands brief --as-of 2018-05-31`"
    check_markdown(committed)


def test_brief_as_of(run) -> None:
    text, tokens = brief_of(run, "--as-of", "2018-05-03")
    assert "*As of 2018-05-03.*" in text.splitlines()
    lines = state_of_play(tokens)
    assert "Positions: 16 positions: 16 open; none closed." in lines
    # The follow-up round was reported on 2018-05-04: on the 3rd nothing is planned yet.
    assert lines[-1] == "Next: no round planned."
    assert "Agreed" not in headings(tokens, 2)
    text, tokens = brief_of(run, "--as-of", "2018-01-01")
    assert state_of_play(tokens) == [
        "Rounds held: none yet.",
        "Positions: 0 positions: none open; none closed.",
        "Next: no round planned.",
    ]
    assert [t for t in tokens if t.type == "fence"] == []


def test_brief_output_file(run, workspace: Path) -> None:
    expected = run("brief").stdout
    r = run("brief", "--output", "brief.md")
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert r.stderr == "wrote brief.md\n", r.output
    assert (workspace / "brief.md").read_text(encoding="utf-8") == expected
    r = run("brief", "--output", str(workspace / "nowhere" / "b.md"))
    assert r.exit_code == 1, r.output
    assert r.stderr == (
        f"demands: cannot write {workspace / 'nowhere' / 'b.md'}: the folder {workspace / 'nowhere'} does not exist; "
        "create it first\n"
    ), r.output
    r = run("brief", "--output", "-")
    assert (r.exit_code, r.stdout) == (0, expected), r.output


def test_brief_party(run) -> None:
    text, tokens = brief_of(run, "--party", "prc")
    assert "*As of " in text and " Positions of China." in text
    h2 = headings(tokens, 2)
    assert "China" in h2 and "United States" not in h2
    # The agreement is China's too; the conflicts show what China's positions oppose.
    assert "Agreed" in h2 and "Conflicts" in h2
    assert "Positions: 8 positions: 7 open, 1 agreed; none closed." in state_of_play(tokens)
    assert [t.content.splitlines()[1] for t in tokens if t.type == "fence"] == [
        "pie showData title China: 8 positions by status"
    ]
    r = run("brief", "--party", "mars")
    assert r.exit_code == 2, r.output
    assert r.stderr == "demands: unknown party 'mars'; known parties: us (United States), cn (China)\n", r.output


def test_brief_since_and_round(run) -> None:
    _, tokens = brief_of(run, "--since", "2018-05-04")
    assert "Changes since 2018-05-04" in headings(tokens, 2)
    changes = table_after(tokens, "Changes since 2018-05-04")
    assert changes[0] == ["position", "change", "note", "source"]
    assert [(row[0].split()[0], row[1]) for row in changes[1:]] == [
        ("US-1", "open → contested"),
        ("US-2", "open → contested"),
        ("US-CN-1", "new → agreed"),
    ]
    text, tokens = brief_of(run, "--since", "2018-06-01")
    assert "Changes since 2018-06-01" in headings(tokens, 2)
    assert "No changes recorded." in text.splitlines()

    text, tokens = brief_of(run, "--round", "beijing-2018-05")
    assert "Changes since beijing-2018-05 (2018-05-03)" in headings(tokens, 2)
    assert "- 16 positions tabled at beijing-2018-05: US-1 to US-9, CN-1 to CN-7." in text.splitlines()
    assert len(table_after(tokens, "Changes since beijing-2018-05 (2018-05-03)")) == 4

    r = run("brief", "--since", "2018-05-04", "--round", "beijing-2018-05")
    assert r.exit_code == 2, r.output
    assert r.stderr == "demands: give --since or --round, not both\n", r.output
    r = run("brief", "--round", "geneva")
    assert r.exit_code == 2, r.output
    r = run("brief", "--since", "last week")
    assert r.exit_code == 2, r.output


def test_brief_title(run) -> None:
    _, tokens = brief_of(run, "--title", "Brief for the minister")
    assert headings(tokens, 1) == ["Brief for the minister"]
    _, tokens = brief_of(run, "--title", "# *Not* <b>bold</b> | `x`")
    assert headings(tokens, 1) == ["# *Not* <b>bold</b> | `x`"]


# --- hostile text ---------------------------------------------------------------------------------

HOSTILE = (
    "A|B\nC <script>alert(1)</script> `tick` ``two`` *bold* _under_ [link](http://x) "
    "# heading \x1b[31mred &amp; <!-- c --> ![img](http://y) \\ ~~s~~"
)
#: How the hostile text must read once rendered: one line, ESC shown as a picture.
HOSTILE_SEEN = HOSTILE.replace("\n", " ").replace("\x1b", "␛")
LINE_STARTS = ["# heading", "1. item", "- item", "> quote", "+ plus", "=== under", "| pipe |", "```fence"]


def hostile_data() -> dict[str, Any]:
    return {
        "version": 1,
        "title": "Talks | <script>alert(1)</script> *bold*",
        "parties": {
            "us": {"name": "U|S <script>alert(1)</script> *bold*", "aliases": ["usa"]},
            "cn": {"name": "# heading\n- item `x`"},
        },
        "rounds": [
            {"id": "r1", "date": "2018-05-03", "place": "P|lace <i>x</i>", "outcome": "1. item\n- item | x"},
        ],
        "demands": [
            {
                "id": "US-1",
                "party": "us",
                "of": "cn",
                "kind": "demand",
                "title": HOSTILE,
                "topic": "trade|<b>",
                "tags": ["a|b", "<t>"],
                "status": "open",
                "due": "2018-06-01",
                "target": {
                    "amount": 10,
                    "unit": "U|SD <u>",
                    "by": "2018-06-01",
                    "metric": "m|etric *x*",
                    "progress": [{"date": "2018-05-04", "amount": 5}],
                },
                "source": {"doc": "d|oc <x>.md", "quote": "q|uote `x` <script>", "date": "2018-05-04"},
                "links": [{"rel": "conflicts-with", "id": "CN-1"}],
                "history": [
                    {"date": "2018-05-03", "status": "open", "round": "r1", "note": HOSTILE},
                    {
                        "date": "2018-05-04",
                        "note": "[link](http://x) \x1b[31m | <b>",
                        "source": {"doc": "d|oc <x>.md", "quote": "q|uote `x` <script>"},
                    },
                ],
            },
            *[
                {
                    "id": f"CN-{n}",
                    "party": "cn",
                    "of": "us",
                    "kind": kind,
                    "title": start,
                    "topic": "trade|<b>",
                    "status": "open",
                    "links": [{"rel": "conflicts-with", "id": "US-1"}],
                    "history": [{"date": "2018-05-04", "status": "open", "note": start}],
                }
                for n, (start, kind) in enumerate(
                    zip(LINE_STARTS, ["red-line", "demand", "concession"] * 3, strict=False), start=1
                )
            ],
        ],
    }


@pytest.fixture
def hostile(data_file: Path) -> Path:
    data_file.write_text(yaml.safe_dump(hostile_data(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data_file


#: The fields whose text the hostile data set makes hostile (ids, dates and statuses stay valid).
TEXT_FIELDS = {"title", "name", "place", "outcome", "note", "metric", "unit", "quote", "doc", "topic", "text"}


def plain_twin(value: Any, words: dict[str, str]) -> Any:
    """``value`` with the text of every hostile field replaced by a plain word (equal texts alike)."""
    if isinstance(value, dict):
        return {
            k: words.setdefault(v, f"plain{len(words)}")
            if k in TEXT_FIELDS and isinstance(v, str)
            else plain_twin(v, words)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [plain_twin(v, words) for v in value]
    return value


def plain_brief(run: Any, data_file: Path, *args: str) -> str:
    """The brief (with ``args``) of the plain twin of the file, the file left as it was."""
    hostile_text = data_file.read_text(encoding="utf-8")
    twin = plain_twin(yaml.safe_load(hostile_text), {})
    data_file.write_text(yaml.safe_dump(twin, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        r = run("brief", *args)
        assert r.exit_code == 0, r.output
        return r.stdout
    finally:
        data_file.write_text(hostile_text, encoding="utf-8")


def structure(tokens: list[Token]) -> list[str]:
    """The shape of a rendered document: every block and inline element it opens, in order."""
    return [t.type for t in walk(tokens) if t.type.endswith("_open") or t.type in ("fence", "hr", "image")]


def check_hostile(text: str, *expected: str, plain: str | None = None) -> list[Token]:
    """``text`` shows ``expected`` as written and nothing from the data became markup. A brief has
    lists and bold labels of its own: it is compared with ``plain``, the brief of the same data
    with plain words for the hostile text, which must have the very same shape."""
    tokens = check_markdown(text)
    seen = all_text(tokens)
    for piece in expected:
        assert piece in seen, f"{piece!r} not shown as written in:\n{seen}\n--- source:\n{text}"
    if plain is not None:
        assert structure(tokens) == structure(parse(plain)), f"{text}\n--- plain:\n{plain}"
    else:
        # Nothing from the data became a link, an image, a list, a quote, code or a heading of its own.
        injected = {
            "link_open",
            "image",
            "bullet_list_open",
            "ordered_list_open",
            "blockquote_open",
            "code_inline",
            "hr",
        }
        assert [t.type for t in walk(tokens) if t.type in injected] == [], text
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    for tag in ("<script", "<b>", "<i>", "<u>", "<a ", "<img", "<!--", "<s>", "<del>"):
        assert tag not in rendered, f"{tag} in\n{rendered}"
    return tokens


def test_hostile_brief(run, hostile: Path) -> None:
    r = run("brief")
    assert r.exit_code == 0, r.output
    plain = plain_brief(run, hostile)
    tokens = check_hostile(
        r.stdout,
        HOSTILE_SEEN,
        "U|S <script>alert(1)</script> *bold*",
        "# heading - item `x`",
        "Talks | <script>alert(1)</script> *bold*",
        "“q|uote `x` <script>” [1]",
        "d|oc <x>.md (2018-05-04)",
        "[link](http://x) ␛[31m | <b>",
        "10 U|SD <u>",
        "P|lace <i>x</i>: 1. item - item | x",
        *LINE_STARTS,
        plain=plain,
    )
    assert headings(tokens, 1) == ["Talks | <script>alert(1)</script> *bold*"]
    h2 = headings(tokens, 2)
    assert h2[:3] == ["State of play", "Conflicts", "Next steps"]
    assert h2[-3:] == ["U|S <script>alert(1)</script> *bold*", "# heading - item `x`", "Sources"]
    assert f"US-1 {HOSTILE_SEEN}: overdue since 2018-06-01; target 10 U|SD <u>, █████░░░░░ 50% (5) (open)." in (
        all_text(tokens)
    )
    # The Mermaid pies hold nothing from the data but letters, digits, spaces and a few marks.
    fences = [t for t in tokens if t.type == "fence"]
    assert [f.info for f in fences] == ["mermaid", "mermaid"]
    for fence in fences:
        init, title, *slices = fence.content.splitlines()
        assert re.fullmatch(r'%%\{init: \{"themeVariables": \{[^{}]*\}\}\}%%', init), init
        assert re.fullmatch(r"pie showData title [\w .\-'()&/:;,]+", title), title
        assert all(re.fullmatch(r'    "[\w .\-\'()&/:;,]+" : \d+', line) for line in slices), slices
    assert "```" not in "".join(f.content for f in fences)


def test_hostile_brief_options(run, hostile: Path) -> None:
    r = run("brief", "--party", "cn", "--since", "2018-05-04", "--title", HOSTILE)
    assert r.exit_code == 0, r.output
    plain = plain_brief(run, hostile, "--party", "cn", "--since", "2018-05-04", "--title", "plain")
    tokens = check_hostile(r.stdout, HOSTILE_SEEN, *LINE_STARTS, plain=plain)
    assert headings(tokens, 1) == [HOSTILE_SEEN]
    r = run("brief", "--round", "r1")
    assert r.exit_code == 0, r.output
    check_hostile(r.stdout, HOSTILE_SEEN, plain=plain_brief(run, hostile, "--round", "r1"))


def test_hostile_compare(run, hostile: Path) -> None:
    r = run("compare", "us", "cn", "--format", "markdown")
    assert r.exit_code == 0, r.output
    tokens = check_hostile(r.stdout, HOSTILE_SEEN, "trade|<b>", *LINE_STARTS)
    (table,) = tables(tokens)
    assert len(table[0]) == 8
    assert len(table) == 2  # one topic


def test_hostile_diff(run, hostile: Path, workspace: Path) -> None:
    r = run("diff", "--since", "2018-05-04", "--format", "markdown")
    assert r.exit_code == 0, r.output
    check_hostile(r.stdout, HOSTILE_SEEN, "[link](http://x) ␛[31m | <b>", *LINE_STARTS)

    # Two files: items added, removed and retitled, all with hostile text.
    old = hostile_data()
    old["demands"] = old["demands"][:5]
    old["demands"][1]["title"] = "<img src=x onerror=alert(1)> | old"
    (workspace / "old.yaml").write_text(yaml.safe_dump(old, allow_unicode=True), encoding="utf-8")
    new = hostile_data()
    del new["demands"][0]["links"]
    for item in new["demands"][1:]:
        del item["links"]
    new["demands"] = [new["demands"][0], *new["demands"][2:]]
    (workspace / "new.yaml").write_text(yaml.safe_dump(new, allow_unicode=True), encoding="utf-8")
    r = run("diff", "old.yaml", "new.yaml", "--format", "markdown")
    assert r.exit_code == 0, r.output
    tokens = check_hostile(r.stdout, "<img src=x onerror=alert(1)> | old", *LINE_STARTS[1:])
    h3 = headings(tokens, 3)
    assert h3 == ["Changed", "Added", "Removed"], r.stdout


def test_hostile_log(run, hostile: Path) -> None:
    r = run("log", "--format", "markdown")
    assert r.exit_code == 0, r.output
    tokens = check_hostile(r.stdout, HOSTILE_SEEN, "[link](http://x) ␛[31m | <b>", *LINE_STARTS)
    (table,) = tables(tokens)
    assert len(table) == 1 + 2 + len(LINE_STARTS)


def test_hostile_list_and_export(run, hostile: Path) -> None:
    r = run("list", "--format", "markdown")
    assert r.exit_code == 0, r.output
    tokens = check_hostile(r.stdout, HOSTILE_SEEN, "trade|<b>", *LINE_STARTS)
    (table,) = tables(tokens)
    assert len(table) == 1 + 1 + len(LINE_STARTS)
    r = run("export", "--format", "markdown")
    assert r.exit_code == 0, r.output
    check_hostile(r.stdout, HOSTILE_SEEN, "U|S <script>alert(1)</script> *bold*", "P|lace <i>x</i>")


@pytest.mark.parametrize(
    "piece",
    [
        "|",
        "line one\nline two",
        "<script>alert(1)</script>",
        "`",
        "*bold*",
        "[link](http://x)",
        "# heading",
        "1. item",
        "- item",
        "\x1b[31m",
        "trailing backslash\\",
        "\\|\\\\|",
    ],
)
def test_each_hostile_piece_alone_in_a_title(run, hostile: Path, piece: str) -> None:
    r = run("add", "--party", "us", "--title", piece, "--date", "2018-05-04")
    assert r.exit_code == 0, r.output
    new_id = r.stdout.strip()
    r = run("note", new_id, "--date", "2018-05-05", "--", piece)
    assert r.exit_code == 0, r.output
    seen = piece.replace("\n", " ").replace("\x1b", "␛")
    for args in (
        ("brief",),
        ("compare", "us", "cn", "--format", "markdown"),
        ("list", "--format", "markdown"),
        ("log", "--format", "markdown"),
        ("diff", "--since", "2018-05-04", "--format", "markdown"),
        ("show", new_id, "--format", "markdown"),
    ):
        r = run(*args)
        assert r.exit_code == 0, r.output
        check_hostile(r.stdout, seen, plain=plain_brief(run, hostile) if args == ("brief",) else None)


def test_changes_since_the_latest_round_whatever_the_file_order(run, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    later = '  - {id: washington-2018-05, date: 2018-05-17, end: 2018-05-18, place: "Washington"}\n'
    data_file.write_text(text.replace("\nrounds:\n", "\nrounds:\n" + later, 1), encoding="utf-8")
    r = run("note", "US-1", "Raised again in Washington", "--date", "2018-05-17")
    assert r.exit_code == 0, r.output
    _, tokens = brief_of(run)
    heading = "Changes since the last round (washington-2018-05, 2018-05-17)"
    assert heading in headings(tokens, 2)
    rows = table_after(tokens, heading)
    assert rows == [
        ["date", "position", "change", "note"],
        ["2018-05-17", "US-1 Cut the trade surplus by $200 billion in two years", "note", "Raised again in Washington"],
    ]
