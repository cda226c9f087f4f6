"""The merge on the items that differ (``chunkmerge``) gives exactly the whole merge's result.

Random three-way edits of a generated 40-item file (the benchmark's layout: comments, folded
text, links, history): titles changed, notes and tags added, items deleted, added on one side or
both (the same id: renumbered or one), comment lines added, both sides editing one item. For
each, the reduced merge's bytes, conflicts, count and renumbering equal the whole merge's, or it
declines (None) and ``merge`` merges whole. Most cases must take the reduced path.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tradedemands.chunkmerge import item_id, reduce
from tradedemands.errors import DemandsError
from tradedemands.merge import MergeResult, _merge, _reduced_merge, merge

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate

BASE = generate(40, seed=3)
ITEM = re.compile(r"^  - id: (\S+)$", re.M)


def items(text: str) -> list[tuple[str, int, int]]:
    """(id, start, end) of each item's lines (up to the next item or the end of the list)."""
    found = list(ITEM.finditer(text))
    out = []
    for n, m in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else len(text)
        out.append((m.group(1), m.start(), end))
    return out


def edit(text: str, rng: random.Random, side: str, added: list[str]) -> str:
    """One random edit that keeps the file valid."""
    listed = items(text)
    targets = set(re.findall(r"rel: [\w-]+, id: ([\w-]+)", text))
    iid, start, end = rng.choice(listed)
    body = text[start:end]
    kind = rng.choice(["title", "note", "tag", "delete", "add", "comment", "priority"])
    if kind == "title":
        body = re.sub(r"title: [^\n]*", f"title: {side} retitled {rng.randint(1, 3)}", body, count=1)
    elif kind == "note":
        at = body.index("\n", body.rindex("      - {date:")) + 1
        body = body[:at] + f"      - {{date: 2018-07-0{rng.randint(1, 3)}, note: {side} note}}\n" + body[at:]
    elif kind == "tag":
        body = re.sub(r"tags: \[", f"tags: [{side}-{rng.randint(1, 2)}, ", body, count=1)
    elif kind == "priority":
        body = re.sub(r"priority: \w+", f"priority: {rng.choice(['low', 'medium', 'high'])}", body, count=1)
    elif kind == "comment":
        body = body + f"  # {side} comment {rng.randint(1, 2)}\n" if end < len(text) else body
    elif kind == "delete" and iid not in targets and len(listed) > 5:
        body = ""
    elif kind == "add":
        new = rng.choice(["US-900", "US-901", f"CN-9{len(added)}"])
        if new not in {i for i, _s, _e in listed}:
            added.append(new)
            link = f"    links: [{{rel: responds-to, id: {iid}}}]\n" if rng.random() < 0.5 else ""
            title = rng.choice(["Parallel add", f"{side} add"])
            extra = (
                f"  # {side} adds {new}\n  - id: {new}\n    party: {new.split('-')[0].lower()}\n    kind: demand\n"
                f"    title: {title}\n    status: open\n{link}    history:\n"
                "      - {date: 2018-07-01, status: open}\n"
            )
            return text + extra if text.endswith("\n") else text + "\n" + extra
    return text[:start] + body + text[end:]


def versions(seed: int) -> tuple[str, str, str]:
    rng = random.Random(seed)
    base = BASE
    ours, theirs = base, base
    for _ in range(rng.randint(1, 4)):
        ours = edit(ours, rng, "ours", [])
    for _ in range(rng.randint(1, 4)):
        theirs = edit(theirs, rng, "theirs", [])
    return base, ours, theirs


def outcome(result: MergeResult) -> tuple[Any, ...]:
    return (result.text, result.conflicts, result.taken, result.changed, result.renumbered, result.renumbering())


def whole(base: str, ours: str, theirs: str) -> tuple[Any, ...] | str:
    try:
        return outcome(_merge(base, ours, theirs, "demands.yaml"))
    except DemandsError as err:
        return str(err)


def test_the_reduced_merge_equals_the_whole_merge_on_random_edits() -> None:
    reduced_path = 0
    for seed in range(40):
        base, ours, theirs = versions(seed)
        expected = whole(base, ours, theirs)
        reduced = reduce(base, ours, theirs)
        assert reduced is not None, seed
        try:
            done = _reduced_merge(reduced, base, ours, theirs, "demands.yaml")
        except DemandsError as err:  # pragma: no cover - it declines instead
            pytest.fail(f"seed {seed}: the reduced merge raised {err}")
        if done is not None:
            reduced_path += 1
            assert outcome(done) == expected, seed
            continue
        got: Any
        try:
            got = outcome(merge(base, ours, theirs, "demands.yaml"))
        except DemandsError as err:
            got = str(err)
        assert got == expected, seed
    assert reduced_path >= 30


def test_a_parallel_add_is_renumbered_and_its_link_follows_in_the_reduced_merge() -> None:
    """Both sides add US-900, differently; theirs' links to it. The items left out still count:
    theirs' becomes the next US id after every version's (US-9 is the highest in the file)."""
    added = (
        "  - id: US-900\n    party: us\n    kind: demand\n    title: {title}\n    status: open\n"
        "    history:\n      - {{date: 2018-07-01, status: open}}\n"
    )
    ours = BASE + added.format(title="Ours")
    theirs = (
        BASE
        + added.format(title="Theirs")
        + added.format(title="Follow")
        .replace("US-900", "US-901")
        .replace("    history:", "    links: [{rel: responds-to, id: US-900}]\n    history:")
    )
    reduced = reduce(BASE, ours, theirs)
    assert reduced is not None and reduced.omitted > 30
    done = _reduced_merge(reduced, BASE, ours, theirs, "demands.yaml")
    assert done is not None
    assert done.renumbered == [("US-900", "US-902")]
    assert "  - id: US-902\n    party: us\n    kind: demand\n    title: Theirs\n" in done.text
    assert "links: [{rel: responds-to, id: US-902}]" in done.text
    assert outcome(done) == whole(BASE, ours, theirs)


def test_an_omitted_item_id_counts_when_renumbering() -> None:
    """The highest CN id is in an item every version has, untouched (left out of the reduced
    texts): both sides add CN-2, missing from BASE, differently, and theirs is renumbered after
    that highest id, as the whole merge does, not after the highest of the items kept."""
    listed = items(BASE)
    targets = set(re.findall(r"rel: [\w-]+, id: ([\w-]+)", BASE))
    assert "CN-2" not in targets
    _i, start, end = next(entry for entry in listed if entry[0] == "CN-2")
    base = BASE[:start] + BASE[end:]
    highest = max(int(i[3:]) for i, _s, _e in listed if i.startswith("CN-"))
    added = (
        "  - id: CN-2\n    party: cn\n    kind: demand\n    title: {title}\n    status: open\n"
        "    history:\n      - {{date: 2018-07-01, status: open}}\n"
    )
    ours, theirs = base + added.format(title="A"), base + added.format(title="B")
    reduced = reduce(base, ours, theirs)
    assert reduced is not None and f"cn-{highest}" in reduced.omitted_ids
    result = _reduced_merge(reduced, base, ours, theirs, "demands.yaml")
    assert result is not None
    assert result.renumbered == [("CN-2", f"CN-{highest + 1}")]
    assert outcome(result) == whole(base, ours, theirs)


@pytest.mark.parametrize(
    ("chunk", "expected"),
    [
        ("- id: US-1\n  title: x\n", "us-1"),
        ("  - id: 'CN-3'  # c\n    title: x\n", "cn-3"),
        ("- id: US-1\n    -2\n", None),  # a plain scalar going on: US-1 -2
        ("- id: US-1\n\n    more\n", None),
        ("- id: no\n  title: x\n", None),  # a YAML boolean
        ("- title: x\n  id: US-1\n", None),
        ('- id: "US-\\x31"\n', None),  # an escape
        ("- id: US-3.1\n  title: x\n", "us-3.1"),  # ids as validate takes them: dots, underscores
        ("- id: US_3\n  title: x\n", "us_3"),
        ("- id: A\n  title: x\n", "a"),
        ("- id: True\n  title: x\n", None),
        ("- id: US-3.\n  title: x\n", None),
    ],
)
def test_item_id_reads_only_what_is_certain(chunk: str, expected: str | None) -> None:
    assert item_id(chunk) == expected


def test_a_round_gone_on_one_side_is_checked_against_the_items_left_out() -> None:
    """THEIRS drops a round that only an item nobody touched uses: the whole merge refuses (their
    version does not load), and so must the reduced one, never writing a file that fails validate."""
    base = BASE.replace(
        "  - {id: r2, date: 2018-06-01, place: Washington}\n",
        "  - {id: r2, date: 2018-06-01, place: Washington}\n  - {id: r3, date: 2018-07-02, place: Geneva}\n",
    )
    listed = items(base)
    iid, _start, end = listed[len(listed) // 2]
    base = base[:end] + "      - {date: 2018-07-02, round: r3, note: geneva}\n" + base[end:]
    _first, start, end = listed[1]
    ours = base[:start] + re.sub(r"title: ", "title: Ours ", base[start:end], count=1) + base[end:]
    theirs = base.replace("  - {id: r3, date: 2018-07-02, place: Geneva}\n", "")
    reduced = reduce(base, ours, theirs)
    assert reduced is not None and iid.lower() not in {i.lower() for i in _kept_ids(reduced.ours)}
    assert _reduced_merge(reduced, base, ours, theirs, "demands.yaml") is None
    with pytest.raises(DemandsError, match=r"their version does not load \(line \d+, column \d+: .*unknown round 'r3'"):
        merge(base, ours, theirs, "demands.yaml")


def test_a_round_added_on_one_side_still_takes_the_reduced_path() -> None:
    """Adding a round keeps every left-out item valid: the merge stays reduced and equals the whole one."""
    listed = items(BASE)
    _first, start, end = listed[1]
    ours = BASE[:start] + re.sub(r"title: ", "title: Ours ", BASE[start:end], count=1) + BASE[end:]
    theirs = BASE.replace(
        "  - {id: r2, date: 2018-06-01, place: Washington}\n",
        "  - {id: r2, date: 2018-06-01, place: Washington}\n  - {id: r3, date: 2018-07-02, place: Geneva}\n",
    )
    reduced = reduce(BASE, ours, theirs)
    assert reduced is not None
    result = _reduced_merge(reduced, BASE, ours, theirs, "demands.yaml")
    assert result is not None and "Geneva" in result.text and "title: Ours " in result.text
    assert outcome(result) == whole(BASE, ours, theirs)


def _kept_ids(text: str) -> list[str]:
    return [m.group(1) for m in ITEM.finditer(text)]
