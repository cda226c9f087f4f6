"""A dry run's diff counts the file's lines as git does and shows text from the file safely.

A quoted YAML value may hold NEL (U+0085), U+2028, U+2029 or a lone CR raw: they are text on
their line, not line ends (``str.splitlines`` would split there, putting "\\ No newline at end of
file" mid-hunk and miscounting the hunk headers). Bidi overrides and C1 controls are shown as
stand-ins, in a pipe as on a terminal, like every other output.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import tradedemands
from tradedemands.transaction import Preview

TITLE = "title: Halt cyberespionage into US commercial networks"
HOSTILE = 'title: "Halt \u202eyrtnuoc\u202c cyberespionage \u0085 into US \u2028 networks\u2029\r end"'
SHOWN = 'title: "Halt <U+202E>yrtnuoc<U+202C> cyberespionage <U+0085> into US <U+2028> networks<U+2029>\u240d end"'


def hostile(data_file: Path) -> str:
    text = data_file.read_bytes().decode("utf-8").replace(TITLE, HOSTILE, 1)
    data_file.write_bytes(text.encode("utf-8"))
    return text


def git_hunk_headers(workspace: Path, before: str, after: str) -> list[str]:
    (workspace / "a.yaml").write_bytes(before.encode("utf-8"))
    (workspace / "b.yaml").write_bytes(after.encode("utf-8"))
    out = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", "a.yaml", "b.yaml"], cwd=workspace, capture_output=True
    ).stdout.decode("utf-8")
    return [line.split(" @@")[0] + " @@" for line in out.split("\n") if line.startswith("@@")]


def test_file_lines_split_at_newlines_only() -> None:
    from tradedemands.transaction import file_lines

    assert file_lines("a\u0085b\u2028c\rd\r\ne\n\nf") == ["a\u0085b\u2028c\rd\r\n", "e\n", "\n", "f"]
    assert file_lines("") == [] and file_lines("\n") == ["\n"]


def test_the_dry_run_diff_counts_lines_as_git_and_shows_controls_safely(run, workspace: Path, data_file: Path) -> None:
    before = hostile(data_file)
    r = run("remove", "US-4", "--yes", "--dry-run")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "\\ No newline" not in out
    assert not any(ch in out for ch in "\u202e\u202c\u0085\u2028\u2029\r")
    assert f"-    {SHOWN}\n" in out
    assert run("remove", "US-4", "--yes").exit_code == 0
    after = data_file.read_bytes().decode("utf-8")
    headers = [line for line in out.split("\n") if line.startswith("@@")]
    assert headers == git_hunk_headers(workspace, before, after) == ["@@ -179,20 +179,6 @@"]


def test_a_note_s_hunk_is_where_git_puts_it(run, workspace: Path, data_file: Path) -> None:
    before = hostile(data_file)
    out = run("note", "US-4", "hi", "--date", "2018-05-20", "--dry-run").stdout
    assert run("note", "US-4", "hi", "--date", "2018-05-20").exit_code == 0
    after = data_file.read_bytes().decode("utf-8")
    headers = [line for line in out.split("\n") if line.startswith("@@")]
    assert headers == git_hunk_headers(workspace, before, after) == ["@@ -193,6 +193,7 @@"]


def test_text_typed_on_the_command_line_is_shown_safely(run) -> None:
    r = run("note", "US-4", "call \u202eevil\u202c \u0085 back", "--date", "2018-05-20", "--dry-run")
    assert r.exit_code == 0, r.output
    assert '+      - {date: 2018-05-20, note: "call <U+202E>evil<U+202C> \\x85 back"}\n' in r.stdout


def test_the_library_diff_keeps_the_file_s_text_and_its_crlf(workspace: Path, data_file: Path) -> None:
    before = hostile(data_file).replace("\n", "\r\n")
    data_file.write_bytes(before.encode("utf-8"))
    with tradedemands.dry_run() as previews:
        tradedemands.note(str(data_file), "US-4", "hi", date="2018-05-20")
    (preview,) = previews
    assert isinstance(preview, Preview)
    assert "\n@@ -193,6 +193,7 @@\n" in preview.diff() and preview.diff().count("\n@@ ") == 1
    diff = preview.diff(context=20)
    assert f"\n     {HOSTILE}\r\n" in diff  # the library returns the file's own text
    assert diff.count("\n@@ ") == 1 and "\n@@ -176,40 +176,41 @@\n" in diff
