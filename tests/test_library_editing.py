"""Direct tests of the file side of the library: yamlio, validation, splices, editor, regions,
changes, files, sources, document, transaction. Plain calls on small texts, no CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradedemands import changes, document, files, regions, sources, splices, transaction, validation, yamlio
from tradedemands.editor import Editor
from tradedemands.errors import FileNotFound, InvalidFile, UnknownId, UsageError

TEXT = """\
# talks
parties:
  us: {name: US}
  cn: {name: China}
demands:
  - id: US-1
    party: us
    title: Cut it    # why
    status: open
    tags: [a, b]
    history:
      - {date: 2018-05-03, status: open}
  # the second
  - id: CN-1
    party: cn
    title: No
    status: open
"""


def doc_of(text: str = TEXT) -> document.Document:
    return document.parse(text, Path("t.yaml"))


def edited(change, text: str = TEXT):  # type: ignore[no-untyped-def]
    doc = doc_of(text)
    assert doc.node is not None
    editor = Editor.of(doc.text, doc.node, doc.data, doc.newline)
    result = change(doc, editor)
    new_text = editor.result()
    assert document.parse(new_text, Path("t.yaml")).data == editor.data, "the text reads back as intended"
    return result, new_text


# --- yamlio ----------------------------------------------------------------------------------


def test_yaml_1_2_values_and_positions() -> None:
    data, node = yamlio.parse("no: no\nn: 012\nd: 2018-05-03\nt: true\nx: .inf\n", "t.yaml")
    assert data == {"no": "no", "n": 12, "d": "2018-05-03", "t": True, "x": float("inf")}
    assert yamlio.scalar_text(node, ("d",)) == "2018-05-03"
    target, key = yamlio.node_at(node, ("t",))
    assert (target.start_mark.line, key.value) == (3, "t")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: &x 1\nb: *x\n", "t.yaml:1:4: anchors and aliases (&name, *name) are not allowed; write the value out"),
        (
            "a: !!python/name:os.system x\n",
            "t.yaml:1:4: tag 'tag:yaml.org,2002:python/name:os.system' is not allowed in a demands file; remove it",
        ),
        ("a: 1\na: 2\n", "t.yaml:2:1: duplicate key 'a'"),
        ("a: {<<: {b: 1}}\n", "t.yaml:1:5: merge keys (<<) are not allowed; write the fields out"),
    ],
)
def test_yaml_refuses_what_a_demands_file_never_holds(text: str, problem: str) -> None:
    with pytest.raises(InvalidFile) as caught:
        yamlio.parse(text, "t.yaml")
    assert [str(p) for p in caught.value.problems] == [problem]


@pytest.mark.parametrize(
    "value", ["no", "12", "a: b", " lead", "x\ny", "- dash", "2018-05-03", "", "\x07", True, 1.5, None]
)
def test_a_scalar_reads_back_as_itself(value: object) -> None:
    data, _node = yamlio.parse(f"k: {yamlio.scalar(value)}\n", "t.yaml")
    assert data == {"k": value}


# --- validation ------------------------------------------------------------------------------


def test_validation_reports_each_problem_where_it_is() -> None:
    data, node = yamlio.parse(TEXT.replace("status: open\n    tags", "status: opne\n    colour: red\n    tags"), "t")
    found = validation.check(data, lambda p: yamlio.scalar_text(node, p))
    assert found == [
        (("demands", 0, "colour"), "US-1 colour: unknown field 'colour'"),
        (
            ("demands", 0, "status"),
            "US-1 status: unknown status 'opne' (did you mean 'open'?); use one of: open, discussing, contested, agreed, partial, met, rejected, withdrawn",
        ),
    ]
    assert validation.check({"parties": {}, "demands": [{"id": "X-1"}]}) == [
        (("demands", 0), "X-1: missing required field 'party'"),
        (("demands", 0), "X-1: missing required field 'title'"),
        (("demands", 0), "X-1: missing required field 'status'"),
    ]


def test_validation_reads_a_bare_number_in_a_text_field_as_written() -> None:
    data, node = yamlio.parse("parties: {us: {name: 1.50}}\n", "t")
    assert validation.check(data, lambda p: yamlio.scalar_text(node, p)) == []
    assert data["parties"]["us"]["name"] == "1.50"


# --- splices and the editor ------------------------------------------------------------------


def test_splices_apply_in_order_and_reverse_exactly() -> None:
    text = "abcdef"
    made = [splices.Splice(1, 3, "XY"), splices.Splice(4, 4, "-", 1), splices.Splice(4, 4, "+", 2)]
    result = splices.apply_splices(text, made)
    assert result == "aXYd-+ef"
    assert splices.apply_splices(result, splices.reverse_splices(text, made)) == text
    assert splices.line_start("ab\ncd", 4) == 3 and splices.line_end("ab\ncd", 1) == 3


def test_an_entry_span_covers_its_lines_and_comment_but_not_the_next_one() -> None:
    doc = doc_of()
    seq = yamlio.node_at(doc.node, ("demands",))[0]
    start, end = splices.entry_span(doc.text, seq, 0)  # type: ignore[arg-type,misc]
    assert doc.text[start:end].startswith("  - id: US-1\n") and doc.text[start:end].endswith("status: open}\n")


def test_the_editor_changes_only_the_lines_of_what_it_changes() -> None:
    def change(doc: document.Document, editor: Editor) -> None:
        editor.set(("demands", 0, "title"), "Cut it now")
        editor.append(("demands", 0, "tags"), "c")

    _result, text = edited(change)
    assert text == TEXT.replace("title: Cut it    # why", "title: Cut it now    # why").replace("[a, b]", "[a, b, c]")


def test_the_editor_inserts_in_a_list_and_removes_an_item_with_its_lines() -> None:
    def change(doc: document.Document, editor: Editor) -> None:
        editor.insert(("demands", 0, "history"), 0, {"date": "2018-05-01", "note": "first"})
        editor.remove(("demands", 1))

    _result, text = edited(change)
    assert "      - {date: 2018-05-01, note: first}\n      - {date: 2018-05-03, status: open}\n" in text
    assert "CN-1" not in text and "# the second" in text


# --- regions (warm writes) -------------------------------------------------------------------


def test_item_spans_and_a_region_check_of_a_warm_edit() -> None:
    doc = doc_of()
    spans = regions.item_spans(doc.text, doc.node)
    assert [doc.text[a:b].split("\n")[0] for a, b in spans] == ["  - id: US-1", "  - id: CN-1"]
    warm = document.Document(doc.path, doc.text, doc.data, None, spans=spans)
    editor = Editor.of(warm.text, regions.lazy_root(warm.text, spans), warm.data, "\n")
    editor.set(("demands", 1, "status"), "agreed")
    new_spans = regions.check_regions(warm, editor, editor.result())
    assert new_spans is not None and len(new_spans) == 2
    editor.set(("demands", 1, "party"), "nobody")
    with pytest.raises(Exception, match="refusing to write: the result would not be valid"):
        regions.check_regions(warm, editor, editor.result())


# --- changes: what each write does, as data --------------------------------------------------


def test_mark_says_what_changed_and_when_nothing_did() -> None:
    result, _text = edited(lambda d, e: changes.mark(d, e, ["us-1", "CN-1", "US-1"], "agreed", date="2018-05-05"))
    assert [(c.id, c.old, c.new, c.changed, c.later) for c in result] == [
        ("US-1", "open", "agreed", True, 0),
        ("CN-1", "open", "agreed", True, 0),
    ]
    result, _text = edited(lambda d, e: changes.mark(d, e, ["US-1"], "OPEN", date="2018-05-05"))
    assert [(c.status, c.changed) for c in result] == [("open", False)]
    result, _text = edited(lambda d, e: changes.mark(d, e, ["US-1"], "agreed", date="2018-05-01"))
    assert (result[0].new, result[0].set_on, result[0].later) == ("open", "2018-05-03", 1)


def test_the_other_changes_return_their_data() -> None:
    assert edited(lambda d, e: changes.add(d, e, party="cn", title="New", date="2018-05-06"))[0] == "CN-2"
    assert edited(lambda d, e: changes.add_note(d, e, "us-1", "x", date="2018-05-01"))[0] == changes.Noted("US-1", 1)
    edit = edited(lambda d, e: changes.edit(d, e, "US-1", {"title": "T", "priority": "HIGH"}, [], ["a"]))[0]
    assert (edit.changed, edit.removed) == (["title", "priority", "tags"], [])
    assert edited(lambda d, e: changes.link(d, e, "US-1", "related", "cn-1"))[0] == changes.Linked(
        "US-1", "related", "CN-1"
    )
    target = edited(lambda d, e: changes.set_target(d, e, "US-1", {"amount": 5, "unit": None}))[0]
    assert target == changes.TargetSet("US-1", created=True)
    with pytest.raises(UsageError, match=r"^title must not be empty$"):
        edited(lambda d, e: changes.add(d, e, party="cn", title=" ", date="2018-05-06"))
    with pytest.raises(UnknownId, match=r"^no item with id 'US-9'; did you mean US-1\?$"):
        edited(lambda d, e: changes.remove(d, e, "US-9"))


# --- files, sources, documents, transactions -------------------------------------------------


def test_finding_reading_and_decoding_the_file(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEMANDS_FILE")
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "demands.yaml").write_bytes(b"\xef\xbb\xbfparties: {}\r\n")
    # Found upward from a/b; shown relative to the current folder (the workspace, tmp_path) when below it.
    assert files.find_file(cwd=tmp_path / "a" / "b") == Path("a/demands.yaml")
    assert files.read_text(tmp_path / "a" / "demands.yaml") == ("parties: {}\r\n", True, "\r\n")
    assert files.encode("x", True) == b"\xef\xbb\xbfx" and files.newline_of("a\nb\r\n") == "\n"
    with pytest.raises(FileNotFound) as caught:
        files.find_file(cwd=tmp_path_factory.mktemp("nothing-here"))
    assert str(caught.value).endswith("run 'demands init' to start one, or pass its path")
    assert caught.value.worded("--file PATH").endswith("or pass --file PATH")


def test_quotes_are_compared_as_people_write_them(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("He said “no  deal”\nat all.", encoding="utf-8")
    assert sources.normalize_space(" a\n  “b” ") == 'a "b"'
    data = {"demands": [{"id": "X-1", "source": {"doc": "doc.txt", "quote": 'said "no deal" at'}}]}
    assert sources.quote_problems(data, tmp_path) == []
    data["demands"][0]["source"]["quote"] = "Said"
    assert sources.quote_problems(data, tmp_path) == [
        (("demands", 0, "source", "quote"), "X-1 source.quote: quote not found in doc.txt")
    ]


def test_a_document_as_of_a_date_is_a_new_document() -> None:
    doc = doc_of()
    past, undated = doc.as_of("2018-05-02")
    assert (undated, [i["id"] for i in past.items], [i["id"] for i in doc.items]) == (["CN-1"], [], ["US-1", "CN-1"])
    assert doc.item("cn-1")["title"] == "No" and past.text == doc.text


def test_a_transaction_writes_records_and_undoes(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TEXT, encoding="utf-8")
    result, written = transaction.transact(
        path, lambda d, e: changes.add_note(d, e, "US-1", "n", date="2018-05-04"), "note US-1"
    )
    assert (result, written) == (changes.Noted("US-1", 0), True)
    assert transaction.transact(path, lambda d, e: changes.edit(d, e, "US-1", {}, [], []), "edit")[1] is False
    assert transaction.undo(path) == transaction.Undone("note US-1")
    assert path.read_text(encoding="utf-8") == TEXT
