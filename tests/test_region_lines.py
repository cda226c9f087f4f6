"""Warm writes number the lines of many items in one pass (attack-16 finding 4): ``regions.Lines``."""

from __future__ import annotations

import random

from tradedemands import regions
from tradedemands.regions import Lines, compose_region


def test_lines_counts_as_the_whole_count_does_in_any_order() -> None:
    rng = random.Random(16)
    text = "".join(rng.choice(["a", "b\n", "\n", "cc"]) for _ in range(5000))
    lines = Lines(text)
    for index in [*rng.sample(range(len(text) + 1), 800), 0, len(text), 17, 17]:
        assert lines.at(index) == text.count("\n", 0, index), index


class Counting(str):
    """A text that adds up how many characters ``count`` scanned."""

    scanned = 0

    def count(self, sub: str, start: int = 0, end: int | None = None) -> int:  # type: ignore[override]
        stop = len(self) if end is None else end
        Counting.scanned += stop - start
        return str.count(self, sub, start, end)


def test_numbering_many_items_scans_the_text_about_once() -> None:
    items = [f"  - id: X-{n}\n    title: t\n" for n in range(2000)]
    text = Counting("demands:\n" + "".join(items))
    spans, at = [], len("demands:\n")
    for item in items:
        spans.append([at, at + len(item)])
        at += len(item)
    root = regions.lazy_root(text, spans)
    Counting.scanned = 0
    seq = root.value[0][1].value
    for n in [*range(1000, 2000), *range(999, -1, -1)]:  # forwards from the middle, then backwards
        assert seq[n].start_mark.line == 1 + 2 * n
    # Counting from the start for each item would scan ~2000 · len/2 characters.
    assert Counting.scanned <= 2 * len(text), (Counting.scanned, len(text))
    assert compose_region(text, *spans[5]).value[0].start_mark.line == 11
