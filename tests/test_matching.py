"""Text is matched as people type it (NFC, any case, curly or straight quotes), and a party name
or alias never silently names the wrong party."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from conftest import demands_cmd
from tradedemands import query
from tradedemands.errors import UsageError
from tradedemands.model import fold


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- parties: ids, names and aliases name one party each ---------------------------------------

CLASH = """\
version: 1
parties:
  ec: {name: European Commission, aliases: [eu]}
  eu: {name: European Union}
  kr: {name: South Korea, aliases: [korea]}
  kp: {name: North Korea, aliases: [Korea]}
  ci: {name: "Côte d’Ivoire"}
  cv: {name: Cabo Verde, aliases: ["CÔTE D'IVOIRE"]}
demands:
  - {id: EC-1, party: ec, title: Tariffs, status: open, history: [{date: 2020-01-01, status: open}]}
"""


ALIAS = "CÔTE D'IVOIRE"


def test_validate_reports_a_name_or_alias_that_names_two_parties(workspace: Path) -> None:
    path = workspace / "clash.yaml"
    path.write_text(CLASH.replace(ALIAS, nfd(ALIAS)), encoding="utf-8")
    done = demands_cmd("validate", "-f", str(path))
    tail = "ids, names and aliases must each name one party (in any case); change one of them"
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"{path}:4:3: party id 'eu' is also the alias of party 'ec': {tail}",
        f"{path}:6:37: party 'kp' alias 'Korea' is also the alias of party 'kr': {tail}",
        f"{path}:8:36: party 'cv' alias {nfd(ALIAS)!r} is also the name of party 'ci': {tail}",
    ]


def test_a_write_never_files_an_item_under_the_wrong_party(workspace: Path) -> None:
    path = workspace / "clash.yaml"
    path.write_text(CLASH, encoding="utf-8")
    before = path.read_bytes()
    done = demands_cmd("add", "--party", "eu", "--title", "Steel", "-f", str(path))
    assert done.returncode == 1
    assert "party id 'eu' is also the alias of party 'ec'" in done.stderr
    assert path.read_bytes() == before


def test_resolution_an_id_wins_then_a_unique_name_or_alias() -> None:
    data = {
        "parties": {
            "ec": {"name": "European Commission", "aliases": ["eu"]},
            "eu": {"name": "European Union"},
            "kr": {"name": "South Korea", "aliases": ["korea"]},
            "kp": {"name": "North Korea", "aliases": ["Korea"]},
        }
    }
    assert query.resolve_party(data, "EU") == "eu"  # type: ignore[arg-type]
    assert query.resolve_party(data, "european commission") == "ec"  # type: ignore[arg-type]
    assert query.resolve_party(data, "south KOREA") == "kr"  # type: ignore[arg-type]
    with pytest.raises(UsageError) as caught:
        query.resolve_party(data, "korea")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "party 'korea' is ambiguous: it names kr (South Korea), kp (North Korea); give the party id"
    )


def test_a_party_is_found_by_a_name_typed_in_any_form(run, workspace: Path) -> None:
    path = workspace / "ci.yaml"
    path.write_text(
        "parties:\n"
        '  ci: {name: "Côte d’Ivoire", aliases: [rci]}\n'
        "  us: {name: United States}\n"
        "demands:\n"
        "  - {id: CI-1, party: ci, title: Cocoa, status: open, history: [{date: 2020-01-01, status: open}]}\n",
        encoding="utf-8",
    )
    for typed in ("Côte d'Ivoire", nfd("CÔTE D’IVOIRE"), "côte d’ivoire", "RCI"):
        r = run("list", "--party", typed, "-o", "ids", "-f", str(path))
        assert (r.exit_code, r.stdout) == (0, "CI-1\n"), f"{typed!r}: {r.output}"
    r = run("add", "--party", nfd("côte d'ivoire"), "--title", "Rubber", "--date", "2020-02-01", "-f", str(path))
    assert (r.exit_code, r.stdout) == (0, "CI-2\n"), r.output


# --- search, statuses, topics and tags ---------------------------------------------------------


def test_search_finds_text_as_people_type_it(run, workspace: Path) -> None:
    path = workspace / "search.yaml"
    path.write_text(
        "parties: {ci: {name: Ivory Coast}}\n"
        "demands:\n"
        f'  - {{id: CI-1, party: ci, title: "{nfd("Côte d’Ivoire cocoa quota")}", status: open,\n'
        '     history: [{date: 2020-01-01, status: open, note: "Minister’s “final” offer"}]}\n'
        "  - {id: CI-2, party: ci, title: Rubber, status: open, history: [{date: 2020-01-01, status: open}]}\n",
        encoding="utf-8",
    )
    done = demands_cmd("list", "-q", "Côte d'Ivoire", "-o", "ids", "-f", str(path))
    assert (done.returncode, done.stdout) == (0, "CI-1\n"), done.stderr
    for typed in ("Côte", "d'Ivoire", "CÔTE D'IVOIRE", nfd("côte"), 'minister\'s "final"', "MINISTER’S"):
        r = run("list", "-q", typed, "-o", "ids", "-f", str(path))
        assert (r.exit_code, r.stdout) == (0, "CI-1\n"), f"{typed!r}: {r.output}"


def test_statuses_topics_tags_and_rounds_match_in_any_form(run, workspace: Path) -> None:
    path = workspace / "vocab.yaml"
    path.write_text(
        "parties: {de: {name: Deutschland}}\n"
        "statuses: [{name: offen}, {name: Überprüft}, {name: erledigt, closed: true}]\n"
        "rounds: [{id: Runde-Ü, date: 2020-01-01}]\n"
        "demands:\n"
        "  - {id: DE-1, party: de, title: Zölle, topic: Straße, tags: [Maß], status: offen,\n"
        "     history: [{date: 2020-01-01, status: offen, round: Runde-Ü}]}\n",
        encoding="utf-8",
    )
    for args in (["--topic", "STRASSE"], ["--tag", nfd("maß")], ["--round", nfd("runde-ü")], ["--status", "OFFEN"]):
        r = run("list", *args, "-o", "ids", "-f", str(path))
        assert (r.exit_code, r.stdout) == (0, "DE-1\n"), f"{args}: {r.output}"
    r = run("mark", "de-1", nfd("überprüft"), "--date", "2020-02-01", "-f", str(path))
    assert (r.exit_code, r.stderr) == (0, "DE-1: offen -> Überprüft\n"), r.output


def test_fold_is_one_function_for_every_comparison() -> None:
    assert fold(nfd("Côte d’Ivoire")) == fold("CÔTE D'IVOIRE") == "côte d'ivoire"
    assert fold("“Quoted”") == fold('"quoted"')
    assert fold("Straße") == fold("STRASSE")
    assert fold("US-1") == "us-1"


# --- source quotes -----------------------------------------------------------------------------


def test_a_source_quote_matches_as_typed_case_kept(run, workspace: Path) -> None:
    """NFC or NFD, curly or straight quotes, any whitespace: the same quote. Case is not folded:
    a quote is verbatim (only whitespace, Unicode normalization and quote style may differ)."""
    (workspace / "seeds" / "ci.txt").write_text("The Côte d’Ivoire’s “final” offer on cocoa.\n", encoding="utf-8")
    path = workspace / "quote.yaml"
    quote = nfd("Côte d'Ivoire's  \"final\"\n offer")
    path.write_text(
        "parties: {ci: {name: Ivory Coast}}\n"
        "demands:\n"
        f"  - {{id: CI-1, party: ci, title: Cocoa, status: open, source: {{doc: seeds/ci.txt, quote: {json.dumps(quote)}}},\n"
        "     history: [{date: 2020-01-01, status: open}]}\n",
        encoding="utf-8",
    )
    done = demands_cmd("validate", "-f", str(path))
    assert (done.returncode, done.stderr) == (0, f"{path}: valid (1 item)\n")
    r = run(
        "add", "-p", "ci", "--title", "Rubber", "--source-doc", "seeds/ci.txt",
        "--source-quote", "The Côte d'Ivoire’s", "-f", str(path),
    )  # fmt: skip
    assert (r.exit_code, r.stdout) == (0, "CI-2\n"), r.output
    r = run(
        "add",
        "-p",
        "ci",
        "--title",
        "Cotton",
        "--source-doc",
        "seeds/ci.txt",
        "--source-quote",
        "THE CÔTE D'IVOIRE'S",
        "-f",
        str(path),
    )
    assert r.exit_code == 1, r.output
    assert "quote not found in seeds/ci.txt" in r.stderr
