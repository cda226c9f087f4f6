"""``export -o markdown`` carries every field of the file once, and never a Python repr.

A planned round's ``parties``, ``note`` and ``source``; a history entry's source (cited once, in
the entry's line); a measurement; the file's description, a party's description, the statuses
the file declares: each shown as text, escaped like every other Markdown cell.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import tradedemands

SOURCE = "“does not rule out the possibility that Chinese negotiators will visit the United States next month for further talks” — seeds/000\\_d2207b9ab7e38b47.txt, 2018-05-04"
NO_REPR = re.compile(r"\{'|\['|': ")


def section(text: str, heading: str) -> list[str]:
    return text.split(f"{heading}\n\n", 1)[1].split("\n\n", 1)[0].splitlines()


def test_a_planned_round_shows_every_field(run: Any) -> None:
    out = run("export", "-o", "markdown").stdout
    assert section(out, "## Rounds") == [
        "| id | date | end | place | outcome | status | parties | note | source |",
        "|---|---|---|---|---|---|---|---|---|",
        "| beijing-2018-05 | 2018-05-03 | 2018-05-04 | Diaoyutai, Beijing | Two days of talks ended on Friday with no "
        "deal and no date set for further talks. | held |   |   |   |",
        "| united-states-2018-06 | 2018-06 |   | United States |   | planned possible | cn, us | Chinese negotiators "
        "may visit for further talks; American officials have considered whether China might send Vice President "
        f"Wang Qishan. | {SOURCE} |",
    ]
    assert not NO_REPR.search(out)


def test_a_history_source_is_cited_once(run: Any) -> None:
    out = run("export", "-o", "markdown").stdout
    (line,) = [
        x for x in out.splitlines() if x.startswith("| history | 2018-05-04 → contested (beijing-2018-05) China")
    ]
    assert line.endswith(
        "\\[source: “They also objected to United States demands for a specific cut in the bilateral surplus.” — "
        "seeds/000\\_d2207b9ab7e38b47.txt\\] |"
    )
    assert line.count("source") == 1


def test_measurements_descriptions_and_statuses(run: Any, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    text = text.replace(
        "title: US–China trade talks, 2018\n", "title: US–China trade talks, 2018\ndescription: The *2018* talks\n", 1
    )
    text = text.replace("lead: Liu He}", 'lead: Liu He, description: "Vice premier\'s team | MOFCOM"}', 1)
    text = text.replace(
        "\nparties:",
        "\nstatuses:\n  - {name: open}\n  - {name: discussing}\n  - {name: contested}\n  - {name: agreed}\n"
        "  - {name: met, closed: true, description: delivered}\n  - {name: rejected, closed: true}\n"
        "  - {name: withdrawn, closed: true}\n  - {name: partial}\n\nparties:",
        1,
    )
    data_file.write_text(text, encoding="utf-8")
    assert run("progress", "US-1", "35000000000", "--date", "2019-06-30", "--note", "first half").exit_code == 0
    out = run("export", "-o", "markdown").stdout
    assert out.startswith("# US–China trade talks, 2018\n\nThe \\*2018\\* talks\n\n## Parties\n")
    assert "| cn | China | prc | Liu He | Vice premier's team \\| MOFCOM |" in out.splitlines()
    assert section(out, "## Statuses")[:2] == ["| name | closed | description |", "|---|---|---|"]
    assert "| met | yes | delivered |" in section(out, "## Statuses")
    assert "| target.progress | date: 2019-06-30 amount: 35,000,000,000 note: first half |" in out.splitlines()
    assert not NO_REPR.search(out)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"doc": "a.txt", "quote": "q"}, "“q” — a.txt"),
        ({"a": [1, 2], "b": None}, "a: 1, 2; b: "),
        ([{"x": 1}, {"y": True}], "x: 1; y: yes"),
        (2.5e3, "2,500"),
        (None, ""),
    ],
)
def test_field_text_is_never_a_repr(value: Any, shown: str) -> None:
    from tradedemands.views import field_text

    assert field_text(value) == shown


def test_the_library_export_markdown_is_the_same(data_file: Path, run: Any) -> None:
    assert tradedemands.export(str(data_file)).markdown() == run("export", "-o", "markdown").stdout
