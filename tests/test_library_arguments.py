"""Every public function of the library checks its arguments on the way in.

A wrong type is an ``ArgumentTypeError`` naming the argument (a UsageError, so a DemandsError,
and a TypeError), never an AttributeError from deep inside; a value no argument takes is an
``ArgumentValueError`` (a UsageError and a ValueError); a ``datetime.date`` is taken wherever a
date is. A refused call changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tradedemands as td

D = datetime.date(2018, 5, 20)

TYPE_ERRORS: list[tuple[str, Callable[[str], Any], str]] = [
    ("mark status None", lambda p: td.mark(p, ["US-7"], None), "status must be text, not None"),
    ("mark note 5", lambda p: td.mark(p, ["US-7"], "met", note=5), "note must be text, not the number 5"),
    (
        "mark date 5",
        lambda p: td.mark(p, "US-7", "met", date=5),
        "date must be 'YYYY-MM-DD' text or a datetime.date, not the number 5",
    ),
    ("mark ids 7", lambda p: td.mark(p, 7, "met"), "ids must be text or a list of text, not the number 7"),
    ("mark ids [7]", lambda p: td.mark(p, [7], "met"), "ids must be text or a list of text, not the number 7"),
    (
        "mark warn",
        lambda p: td.mark(p, "US-7", "met", warn=1),
        "warn must be a function that takes one line of text, not the number 1",
    ),
    ("note ids list", lambda p: td.note(p, ["US-7"], "hello"), "item_id must be text, not a list"),
    ("add title 5", lambda p: td.add(p, party="us", title=5), "title must be text, not the number 5"),
    (
        "add party [1]",
        lambda p: td.add(p, party=[1], title="t"),
        "party must be text or a list of text, not the number 1",
    ),
    (
        "edit tags 3",
        lambda p: td.edit(p, "US-1", add_tags=3),
        "add_tags must be text or a list of text, not the number 3",
    ),
    ("link rel None", lambda p: td.link(p, "US-1", None, "CN-1"), "rel must be text, not None"),
    ("unlink other 2", lambda p: td.unlink(p, "US-1", 2), "other must be text, not the number 2"),
    ("remove force", lambda p: td.remove(p, "US-1", force="yes"), "force must be True or False, not a str"),
    (
        "set_target amount bool",
        lambda p: td.set_target(p, "US-1", amount=True),
        "amount must be a number (or a number as text), not True (a bool)",
    ),
    (
        "record_progress amount list",
        lambda p: td.record_progress(p, "US-1", []),
        "amount must be a number (or a number as text), not a list",
    ),
    (
        "import source 5",
        lambda p: td.import_items(p, 5),
        "source must be a file's path (text or a pathlib.Path), not the number 5",
    ),
    ("edit_text text None", lambda p: td.edit_text(p, "US-1", None), "text must be text, not None"),
    ("add_text text 1", lambda p: td.add_text(p, 1), "text must be text, not the number 1"),
    ("undo file 1", lambda p: td.undo(1), "file must be a file's path (text or a pathlib.Path), not the number 1"),
    ("init title 1", lambda p: td.init(str(Path(p).with_name("new.yaml")), 1), "title must be text, not the number 1"),
    ("load 5", lambda p: td.load(5), "path must be a file's path (text or a pathlib.Path), not the number 5"),
    ("item 1", lambda p: td.load(p).item(1), "item_id must be text, not the number 1"),
    ("as_of 1", lambda p: td.load(p).as_of(1), "when must be 'YYYY-MM-DD' text or a datetime.date, not the number 1"),
    ("find_file 1", lambda p: td.find_file(1), "path must be a file's path (text or a pathlib.Path), not the number 1"),
    (
        "list filters dict",
        lambda p: td.list_items(p, {"parties": ["us"]}),
        "filters must be a tradedemands.Filters, not a dict",
    ),
    ("list sort 1", lambda p: td.list_items(p, sort=1), "sort must be text, not the number 1"),
    ("Filters parties", lambda p: td.Filters(parties=[1]), "parties must be text or a list of text, not the number 1"),
    ("Filters only_open", lambda p: td.Filters(only_open="yes"), "only_open must be True or False, not a str"),
    ("show ids 5", lambda p: td.show(p, 5), "ids must be text or a list of text, not the number 5"),
    (
        "summary as_of 5",
        lambda p: td.summary(p, as_of=5),
        "as_of must be 'YYYY-MM-DD' text or a datetime.date, not the number 5",
    ),
    ("validate [5]", lambda p: td.validate([5]), "paths must be a file's path or a list of paths, not a list"),
    (
        "diff old 1",
        lambda p: td.diff(p, old=1),
        "old must be a file's path or a git revision (text or a pathlib.Path), not the number 1",
    ),
    ("log limit True", lambda p: td.log(p, limit=True), "limit must be a whole number, not True (a bool)"),
    ("brief title 1", lambda p: td.brief(p, title=1), "title must be text, not the number 1"),
    (
        "compare topics",
        lambda p: td.compare(p, "us", "cn", topics=[None]),
        "topics must be text or a list of text, not None",
    ),
    (
        "last_round_held list",
        lambda p: td.last_round_held([]),
        "data must be a demands file's data (a dict, as load(...).data), not a list",
    ),
]


@pytest.mark.parametrize(("label", "call", "message"), TYPE_ERRORS, ids=[t[0] for t in TYPE_ERRORS])
def test_a_wrong_type_names_the_argument(data_file: Path, label: str, call: Callable[[str], Any], message: str) -> None:
    before = data_file.read_bytes()
    with pytest.raises(td.ArgumentTypeError) as caught:
        call(str(data_file))
    assert str(caught.value) == message
    assert isinstance(caught.value, td.UsageError) and isinstance(caught.value, TypeError)
    assert data_file.read_bytes() == before


VALUE_ERRORS: list[tuple[str, Callable[[str], Any], str]] = [
    ("log limit -1", lambda p: td.log(p, limit=-1), "limit must be 0 or more, not -1"),
    ("list limit -1", lambda p: td.list_items(p, limit=-1), "limit must be 0 or more, not -1"),
    (
        "serialise xml",
        lambda p: td.summary(p).serialise("xml"),
        "no xml form of Summary: fmt is json, yaml, csv, markdown or ids",
    ),
]


@pytest.mark.parametrize(("label", "call", "message"), VALUE_ERRORS, ids=[t[0] for t in VALUE_ERRORS])
def test_a_value_no_argument_takes(data_file: Path, label: str, call: Callable[[str], Any], message: str) -> None:
    with pytest.raises(td.ArgumentValueError) as caught:
        call(str(data_file))
    assert str(caught.value) == message
    assert isinstance(caught.value, td.UsageError) and isinstance(caught.value, ValueError)


def test_log_limit_keeps_the_newest(data_file: Path) -> None:
    every = td.log(str(data_file)).records
    assert td.log(str(data_file), limit=0).records == []
    assert td.log(str(data_file), limit=2).records == every[:2]
    assert td.log(str(data_file), limit=len(every) + 5).records == every


def test_dates_may_be_datetime_dates(data_file: Path) -> None:
    p = str(data_file)
    (change,) = td.mark(p, ["US-7"], "agreed", date=D)
    assert (change.date, change.new) == ("2018-05-20", "agreed")
    assert td.note(p, "US-7", "call", date=datetime.datetime(2018, 5, 21, 9, 30)).id == "US-7"
    assert td.log(p, limit=2).records[0] == {"id": "US-7", "date": "2018-05-21", "note": "call"}
    assert td.log(p, since=D, until=D).records == [{"id": "US-7", "date": "2018-05-20", "status": "agreed"}]
    assert td.summary(p, as_of=datetime.date(2018, 5, 3)).as_json() == td.summary(p, as_of="2018-05-03").as_json()
    assert td.last_round_held(td.load(p).data, datetime.date(2018, 5, 10))["id"] == "beijing-2018-05"
    assert td.load(p).as_of(datetime.date(2018, 5, 3))[0].item("US-7")["status"] == "open"
    assert td.Filters(due_before=datetime.date(2019, 1, 1)).due_before == "2019-01-01"
    assert td.edit(p, "US-7", due=datetime.date(2019, 1, 31)).id == "US-7"
    assert td.load(p).item("US-7")["due"] == "2019-01-31"


def test_paths_may_be_pathlib_paths(data_file: Path) -> None:
    assert [r["id"] for r in td.show(data_file, ("US-1", "CN-1")).as_json()] == ["US-1", "CN-1"]


def test_preview_context_is_checked(data_file: Path) -> None:
    with td.dry_run() as previews:
        td.note(str(data_file), "US-1", "x", date="2018-05-20")
    with pytest.raises(td.ArgumentValueError, match=r"^context must be 0 or more, not -1$"):
        previews[0].diff(-1)
    assert previews[0].diff(0).endswith("\n@@ -134,0 +135 @@\n+      - {date: 2018-05-20, note: x}\n")
