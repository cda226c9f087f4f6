"""One rule for a source's URL, wherever one comes from: ``--source-url``, ``validate`` (an item's,
a history entry's and a round's source), ``import`` and ``$EDITOR``, and the library.

http or https with a host, no spaces, no control characters (ESC), no bidi controls: the tool
never writes, and the pre-commit check never passes, a source the tool would refuse when typed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import tradedemands
from conftest import demands_cmd
from tradedemands.validation import URL_RULE, url_problem

BAD = {
    "javascript:alert(1)": "'javascript:alert(1)'",
    "javascript://%0aalert(1)": "'javascript://%0aalert(1)'",
    "file:///etc/passwd": "'file:///etc/passwd'",
    "https://e.org/\x1b[31mred": "'https://e.org/\\x1b[31mred'",
    "https://x.org/\u202eevil": "'https://x.org/\\u202eevil'",
    "https://x.org/a b": "'https://x.org/a b'",
    "https:///no-host": "'https:///no-host'",
    "example.org/report": "'example.org/report'",
}
GOOD = ["https://example.org/report", "HTTP://EXAMPLE.ORG", "https://例え.jp/記事?q=1#x", "http://1.2.3.4:8080/"]


@pytest.mark.parametrize("url", GOOD)
def test_urls_taken(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize("url", list(BAD))
def test_the_command_line_refuses(run: Any, data_file: Path, url: str) -> None:
    before = data_file.read_bytes()
    r = run("note", "US-4", "x", "--source-url", url)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"demands: --source-url {URL_RULE}, not {BAD[url]}\n")
    assert data_file.read_bytes() == before


def test_validate_refuses_in_items_history_and_rounds(run: Any, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    text = text.replace(
        "      - {date: 2018-05-03, status: open, round: beijing-2018-05, note: Tabled in Beijing}\n\n  - id: US-5",
        "      - {date: 2018-05-03, status: open, round: beijing-2018-05, note: Tabled in Beijing}\n"
        '      - {date: 2018-05-05, note: x, source: {url: "javascript:alert(1)\\e[31m"}}\n\n  - id: US-5',
        1,
    )
    text = text.replace(
        'quote: "Strengthen intellectual property protections.", date: 2018-05-04}',
        'quote: "Strengthen intellectual property protections.", date: 2018-05-04, url: "file:///etc/passwd"}',
        1,
    )
    text = text.replace(
        '    source: {doc: seeds/000_d2207b9ab7e38b47.txt, quote: "does not rule',
        '    source: {url: ftp://x.org/a, doc: seeds/000_d2207b9ab7e38b47.txt, quote: "does not rule',
        1,
    )
    data_file.write_text(text, encoding="utf-8")
    r = run("validate")
    assert r.exit_code == 1, r.output
    said = [line.split(": ", 1)[1] for line in r.stderr.splitlines() if "URL" in line]
    assert said == [
        f"url {URL_RULE}, not 'ftp://x.org/a'",
        f"US-4 history.source.url: url {URL_RULE}, not 'javascript:alert(1)\\x1b[31m'",
        f"US-5 source.url: url {URL_RULE}, not 'file:///etc/passwd'",
    ], r.stderr


def test_import_refuses(workspace: Path, data_file: Path) -> None:
    before = data_file.read_bytes()
    (workspace / "u.csv").write_text(
        "id,source.url\nUS-5,javascript:alert(1)\nUS-6,https://ok.org/x\n", encoding="utf-8"
    )
    r = demands_cmd("import", "u.csv", cwd=workspace)
    assert (r.returncode, r.stderr) == (
        1,
        f"u.csv:2:source.url: US-5: url {URL_RULE}, not 'javascript:alert(1)'\n"
        f"demands: import refused: 1 problem in u.csv; nothing was imported, {data_file} is unchanged\n",
    )
    assert data_file.read_bytes() == before


def test_the_editor_reopens_with_the_rule(workspace: Path, data_file: Path) -> None:
    before = data_file.read_bytes()
    editor = workspace / "ed.sh"
    editor.write_text(
        "#!/bin/sh\n"
        '[ -e once ] && { head -2 "$1" > shown.txt; exit 0; }\n'
        "touch once\n"
        'sed -i "s|^  date: 2018-05-04|  date: 2018-05-04\\n  url: \\"ftp://x.org/a\\"|" "$1"\n',
        encoding="utf-8",
    )
    editor.chmod(0o755)
    r = demands_cmd("edit", "US-5", cwd=workspace, env={"EDITOR": str(editor), "VISUAL": str(editor)})
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines()[0] == f"US-5: source.url: url {URL_RULE}, not 'ftp://x.org/a'"
    assert (workspace / "shown.txt").read_text(encoding="utf-8").splitlines()[1] == (
        f"#   line 16: source.url: url {URL_RULE}, not 'ftp://x.org/a'"
    )
    assert data_file.read_bytes() == before


def test_the_library_refuses(data_file: Path) -> None:
    with pytest.raises(tradedemands.UsageError) as caught:
        tradedemands.note(os.fspath(data_file), "US-4", "x", source_url="javascript:x")
    assert str(caught.value) == f"source_url {URL_RULE}, not 'javascript:x'"
