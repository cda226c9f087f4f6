"""The cyclic garbage collector is paused while the tool parses, loads, writes and draws, and left
as it was found: on for a program that had it on, off for one that turned it off."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

import tradedemands
from tradedemands import collector, document


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_turns_it_off_inside_and_back_on_after(collector_on: None) -> None:
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner pause must not turn it back on early"
    assert gc.isenabled()


def test_paused_restores_it_after_an_error(collector_on: None) -> None:
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_paused_leaves_it_off_for_a_program_that_turned_it_off(collector_on: None) -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_parsing_runs_with_it_off(collector_on: None, data_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    original = document.validation.check

    def check(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(document.validation, "check", check)
    monkeypatch.setenv("DEMANDS_NO_CACHE", "1")
    document.load(data_file)
    assert seen and not any(seen)
    assert gc.isenabled()


def test_library_calls_and_commands_leave_it_on(collector_on: None, run, data_file: Path) -> None:
    tradedemands.list_items(data_file)
    assert gc.isenabled()
    tradedemands.mark(data_file, ["US-7"], "discussing", date="2018-05-20")
    assert gc.isenabled()
    for args in (["list"], ["show", "US-1"], ["mark", "US-7", "agreed"], ["show", "NOPE-1"]):
        run(*args)
        assert gc.isenabled(), args
