"""Random sequences of library-level writes keep the file loadable and equal to a plain-Python model.

Each example starts from a small hand-formatted file (block and flow items, block and
flow lists, comments; optionally CRLF + BOM or no final newline), applies a few
operations through ``transaction.transact`` exactly as the CLI does, and after every step
compares what the file loads as with the same change made to a model kept here.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tradedemands import changes as ops
from tradedemands import document, transaction
from tradedemands.errors import DemandsError

START = """\
# A small file to edit.
version: 1
title: Property test
parties:
  us: {name: United States}
  cn: {name: China}
  'no': {name: Norway}
rounds:
  - {id: r1, date: 2020-01-01}

demands:
  # The first item, in block style with block lists.
  - id: US-1
    party: us
    kind: demand
    title: First one
    tags:
      - alpha
      - beta
    status: open
    history:
      - date: 2020-01-01
        status: open

  - {id: CN-1, party: cn, kind: concession, title: "Flow: item", tags: [x, alpha, beta], status: open, history: [{date: 2020-01-01, status: open}]}

  - id: NO-1
    party: 'no'
    title: Norwegian
    text: |-
      Two
      lines
    status: open
    links:
      - {rel: related, id: US-1}
      # a comment: between links
      - {rel: responds-to, id: CN-1}
    history:
      - {date: 2020-01-02, status: open}  # trailing comment
  # a comment after the last item
"""

# Odd but legal layout: document markers, indentless lists, an item not starting with its id,
# a keep-chomped block scalar last, a key with its value on the next line, a flow list over two lines,
# fields left empty (null).
START_ODD = """\
---
version: 1
parties:
  us: {name: United States}
  cn: {name: China}
  'no': {name: Norway}
rounds: [{id: r1, date: 2020-01-01}]
demands:
- priority: high
  id: US-1
  party: us
  title:
    Title on the next line
  status: open
  tags:
  - alpha
  - beta   # comment
  history:
  - {date: 2020-01-01, status: open}
  text: |+
    kept trailing

- id: CN-1
  party: cn
  "title": 'Single: quoted'
  topic:   # empty: null
  priority: ~
  status:    open   # aligned
  history: [{date: 2020-01-01, status: open},
            {date: 2020-01-02, note: "multi-line flow"}]
- {id: NO-1, party: 'no',
   title: Flow across lines, status: open, links: [{rel: related, id: US-1}]}
...
"""

STATUSES = ["open", "discussing", "contested", "agreed", "partial", "met", "rejected", "withdrawn"]
HOSTILE = [
    "plain words",
    'with "double" quotes',
    "it's single",
    "colon: in the middle",
    "ends with colon:",
    "# starts with hash",
    "has # hash",
    "[bracketed] start",
    "{brace}",
    "  leading spaces",
    "trailing space ",
    "no",
    "NO",
    "yes",
    "on",
    "12",
    "1.5",
    "0x1F",
    "true",
    "null",
    "~",
    "2020-01-01",
    "12:30",
    "- dash start",
    "-",
    "? question",
    "& amp",
    "*star",
    "!bang",
    "|pipe",
    ">gt",
    "%percent",
    "@at",
    "`tick`",
    "Ünïcödé 中文 עברית",
    "emoji 🎉",
    "line one\nline two",
    "line one\n\nline three",
    "tab\there",
    "back\\slash",
    "cr\rhere",
    "nel\x85x",
    "trailing newline\n",
    "\nleading newline",
    "---",
    "...",
    "a,b",
]

text_value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12),
).filter(lambda s: s.strip() != "")
tag_value = st.sampled_from(["alpha", "beta", "x", "new", "no", "12", "a b", "c:d", "#t"])
date_value = st.sampled_from(["2020-01-01", "2021-06-30", "2024-02-29"])
# Mostly ids that exist (so most steps write); some that only exist after an add, or never.
ids_pool = ["US-1", "CN-1", "NO-1", "us-1", "no-1", "US-2", "CN-2", "NO-2", "US-9"]

step = st.one_of(
    st.tuples(
        st.just("add"),
        st.sampled_from(["us", "cn", "no", "US", "No"]),
        text_value,
        st.fixed_dictionaries(
            {},
            optional={
                "text": text_value,
                "topic": text_value,
                "tags": st.lists(tag_value, min_size=1, max_size=3),
                "priority": st.sampled_from(["high", "medium", "low"]),
                "kind": st.sampled_from(["demand", "concession", "red-line"]),
                "due": date_value,
                "of": st.sampled_from(["us", "cn", "no"]),
            },
        ),
    ),
    st.tuples(
        st.just("mark"),
        st.lists(st.sampled_from(ids_pool), min_size=1, max_size=2),
        st.sampled_from(STATUSES),
        st.none() | text_value,
        date_value,
    ),
    st.tuples(st.just("note"), st.sampled_from(ids_pool), text_value, date_value),
    st.tuples(
        st.just("edit"),
        st.sampled_from(ids_pool),
        st.fixed_dictionaries(
            {},
            optional={
                "title": text_value,
                "text": st.just("") | text_value,
                "topic": st.just("") | text_value,
                "priority": st.sampled_from(["", "high", "low"]),
                "due": st.sampled_from(["", "2022-02-02"]),
                "of": st.sampled_from(["", "us", "no"]),
                "kind": st.sampled_from(["demand", "red-line"]),
            },
        ),
        st.lists(tag_value, max_size=2),
        st.lists(st.sampled_from(["alpha", "beta", "x"]), max_size=2),
    ),
    st.tuples(
        st.just("link"),
        st.sampled_from(ids_pool[:4]),
        st.sampled_from(["related", "responds-to", "conflicts-with", "conditional-on"]),
        st.sampled_from(ids_pool[:4] + ["US-2"]),
    ),
    st.tuples(st.just("unlink"), st.sampled_from(["NO-1", "US-1", "CN-1"]), st.sampled_from(ids_pool[:4])),
    st.tuples(st.just("remove"), st.sampled_from(ids_pool)),
    st.tuples(st.just("undo")),
)


def _find(model: list[dict[str, Any]], item_id: str) -> dict[str, Any] | None:
    return next((i for i in model if i["id"].lower() == item_id.lower()), None)


def _apply_model(model: list[dict[str, Any]], op: tuple[Any, ...]) -> bool:
    """Make ``op``'s change to ``model``; False when the library must refuse it (and change nothing)."""
    kind = op[0]
    if kind == "add":
        _, party, title, extra = op
        party = party.lower()
        numbers = [int(i["id"].split("-")[1]) for i in model if i["id"].upper().startswith(party.upper() + "-")]
        item: dict[str, Any] = {"id": f"{party.upper()}-{max(numbers, default=0) + 1}", "party": party}
        if "of" in extra:
            item["of"] = extra["of"]
        item["kind"] = extra.get("kind", "demand")
        item["title"] = title
        for key in ("text", "topic", "priority", "due"):
            if key in extra:
                item[key] = extra[key]
        if "tags" in extra:
            item["tags"] = list(dict.fromkeys(extra["tags"]))
        item["status"] = "open"
        item["history"] = [{"date": "2020-05-05", "status": "open"}]
        model.append(item)
        return True
    if kind == "mark":
        _, ids, status, note, date = op
        if any(_find(model, i) is None for i in ids):
            return False
        for i in dict.fromkeys(_find(model, i)["id"] for i in ids):  # type: ignore[index]
            target = _find(model, i)
            assert target is not None
            history = list(target.get("history") or [])
            # The status in effect on that date: the last status entry dated on or before it.
            earlier = [e["status"] for e in history if e.get("status") and e["date"] <= date]
            in_effect = earlier[-1] if earlier else None
            if not any(e.get("status") for e in history):
                in_effect = target["status"]
            if in_effect == status:
                continue
            entry = {"date": date, "status": status}
            if note:
                entry["note"] = note
            history.insert(sum(1 for e in history if e["date"] <= date), entry)
            target["history"] = history
            target["status"] = [e["status"] for e in sorted(history, key=lambda e: e["date"]) if e.get("status")][-1]
        return True
    if kind == "note":
        _, item_id, text, date = op
        target = _find(model, item_id)
        if target is None:
            return False
        history = target.setdefault("history", [])
        history.insert(sum(1 for e in history if e["date"] <= date), {"date": date, "note": text})
        return True
    if kind == "edit":
        _, item_id, changes, add_tags, remove_tags = op
        target = _find(model, item_id)
        if target is None:
            return False
        tags = list(target.get("tags") or [])
        if any(t not in tags for t in remove_tags):
            return False
        for key, value in changes.items():
            if value == "":
                target.pop(key, None)
            else:
                target[key] = value
        kept = [t for t in tags if t not in remove_tags]
        wanted = kept + [t for t in dict.fromkeys(add_tags) if t not in kept]
        if wanted != tags:
            target["tags"] = wanted
        return True
    if kind == "link":
        _, item_id, rel, other_id = op
        target, other = _find(model, item_id), _find(model, other_id)
        if target is None or other is None or target is other:
            return False
        links = target.setdefault("links", [])
        if not any(li["id"].lower() == other["id"].lower() and li["rel"] == rel for li in links):
            links.append({"rel": rel, "id": other["id"]})
        return True
    if kind == "unlink":
        _, item_id, other_id = op
        target = _find(model, item_id)
        if target is None:
            return False
        links = target.get("links") or []
        kept = [li for li in links if li["id"].lower() != other_id.lower()]
        if len(kept) == len(links):
            return False
        target["links"] = kept
        return True
    if kind == "remove":
        _, item_id = op
        target = _find(model, item_id)
        if target is None:
            return False
        model.remove(target)
        for other in model:
            if "links" in other:
                other["links"] = [li for li in other["links"] if li["id"].lower() != target["id"].lower()]
        return True
    raise AssertionError(kind)


def _apply_library(path: Path, op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "add":
        _, party, title, extra = op
        transaction.transact(
            path,
            lambda d, e: ops.add(
                d,
                e,
                party=party,
                title=title,
                date="2020-05-05",
                kind=extra.get("kind"),
                of=extra.get("of"),
                text=extra.get("text"),
                topic=extra.get("topic"),
                tags=extra.get("tags"),
                priority=extra.get("priority"),
                due=extra.get("due"),
            ),
            "add",
        )
    elif kind == "mark":
        _, ids, status, note, date = op
        transaction.transact(path, lambda d, e: ops.mark(d, e, ids, status, date=date, note=note), "mark")
    elif kind == "note":
        _, item_id, text, date = op
        transaction.transact(path, lambda d, e: ops.add_note(d, e, item_id, text, date=date), "note")
    elif kind == "edit":
        _, item_id, changes, add_tags, remove_tags = op
        transaction.transact(path, lambda d, e: ops.edit(d, e, item_id, dict(changes), add_tags, remove_tags), "edit")
    elif kind == "link":
        _, item_id, rel, other_id = op
        transaction.transact(path, lambda d, e: ops.link(d, e, item_id, rel, other_id), "link")
    elif kind == "unlink":
        _, item_id, other_id = op
        transaction.transact(path, lambda d, e: ops.unlink(d, e, item_id, other_id), "unlink")
    elif kind == "remove":
        _, item_id = op
        transaction.transact(path, lambda d, e: ops.remove(d, e, item_id, force=True), "remove")


def _variant(text: str, style: str) -> bytes:
    if style == "crlf-bom":
        return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    if style == "no-final-newline":
        return text.rstrip("\n").encode()
    return text.encode()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.sampled_from([START, START_ODD]),
    style=st.sampled_from(["lf", "crlf-bom", "no-final-newline"]),
    steps=st.lists(step, min_size=1, max_size=5),
)
def test_random_writes_match_the_model(start: str, style: str, steps: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demands.yaml"
        path.write_bytes(_variant(start, style))
        model = copy.deepcopy(document.load(path).items)
        undo: list[tuple[bytes, list[dict[str, Any]]]] = []  # (file, model) before each recorded write
        for op in steps:
            before = path.read_bytes()
            if op[0] == "undo":
                if not undo:
                    with pytest.raises(DemandsError, match=r"^nothing to undo"):
                        transaction.undo(path)
                    assert path.read_bytes() == before
                    continue
                transaction.undo(path)
                previous, model = undo.pop()
                assert path.read_bytes() == previous, "undo did not restore the file byte for byte"
                assert document.load(path).items == model
                event("undo written")
                continue
            expected = copy.deepcopy(model)
            allowed = _apply_model(expected, op)
            try:
                _apply_library(path, op)
            except DemandsError as err:
                assert not allowed, f"{op!r} was refused: {err}\n--- file before\n{before.decode()}"
                assert path.read_bytes() == before, f"{op!r} failed but changed the file"
                event(f"{op[0]} refused")
                continue
            event(f"{op[0]} written")
            assert allowed, f"{op!r} should have been refused\n--- file\n{path.read_text()}"
            text = path.read_bytes()
            assert text.startswith(b"\xef\xbb\xbf") == (style == "crlf-bom"), op
            if style == "crlf-bom":
                assert b"\n" not in text.replace(b"\r\n", b""), f"{op!r} wrote a bare LF\n{text.decode()}"
            doc = document.load(path)
            assert doc.items == expected, f"{op!r}\n--- file\n{doc.text}"
            if text != before:
                undo.append((before, model))
            model = expected
