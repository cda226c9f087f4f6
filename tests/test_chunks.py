"""The parse cache reads a changed file item by item (``chunks``) and gives exactly what a whole
parse gives: the same data (in the same order), the same spans for edits, the same errors, after
random edits of random items; and where the layout does not split safely it parses whole."""

from __future__ import annotations

import json
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tradedemands import cache, chunks, document
from tradedemands.errors import InvalidFile
from tradedemands.regions import item_spans

HEAD = """\
# A file written by hand
version: 1
title: Talks
parties:
  us: {name: United States, aliases: [usa]}
  cn: {name: China}
rounds:
  - {id: r1, date: 2018-05-03}
"""


def item_lines(n: int, draw: Any) -> list[str]:
    """One item's lines (at indentation 0: the caller indents them), in a layout drawn at random."""
    lines = [f"- id: X-{n}", f"  party: {draw(st.sampled_from(['us', 'cn']))}"]
    title = draw(st.sampled_from(["Cut tariffs", "2025", "1.50", "'quoted: yes'", '"dq # not a comment"', "no"]))
    lines.append(f"  title: {title}")
    status = draw(st.sampled_from(["open", "agreed"]))
    lines.append(f"  status: {status}")
    style = draw(st.integers(0, 3))
    if style == 1:
        lines += ["  text: >-", "    Folded text", "    on two lines."]
    elif style == 2:
        lines += ["  text: |+", "    Kept", ""]
    elif style == 3:
        lines += ["  tags: [a, b]  # a comment", "  target: {amount: 2e11, unit: USD}"]
    if n > 1 and draw(st.booleans()):
        lines.append(f"  links: [{{rel: related, id: X-{n - 1}}}]")
    if draw(st.booleans()):
        lines += ["  history:", f"    - {{date: 2018-05-03, status: {status}, round: r1, note: Tabled}}"]
    if draw(st.booleans()):
        lines.append("  # a comment after the item")
    return lines


@st.composite
def files(draw: Any) -> str:
    """A valid demands file: the items at indentation 0 or 2, comments and blank lines between
    them, maybe keys after the list, maybe CRLF line ends."""
    indent = draw(st.sampled_from([0, 2, 4]))
    body = []
    for n in range(1, draw(st.integers(1, 6)) + 1):
        if draw(st.booleans()):
            body.append(draw(st.sampled_from(["", "# between items", "  # indented comment"])))
        body += [" " * indent + line if line else "" for line in item_lines(n, draw)]
    tail = draw(st.sampled_from(["", "statuses:\n  - {name: open}\n  - {name: agreed, closed: true}\n"]))
    text = HEAD + "demands:\n" + "\n".join(body) + "\n" + tail
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


FRAGMENTS = [
    "Cut tariffs", "2025", "1.50", "true", "no", "null", "'x'", '"unterminated', "'also", "[a, b", "{a: 1",
    "[a, b]", "{a: 1}", "&anchor x", "*anchor", "!!python/object:os.system x", "|", ">-", "- x", "# c", "x: y",
    "\t", "a\tb", "\u2028", "\x85", "...", "---", "%YAML 1.1", "? k", ": v", "-", "  - id: X-9", "- id: X-1",
    "demands:", "parties: {}", "id: X-1", "links: [{rel: related, id: X-404}]", "status: nope", "amount: 1e400",
]  # fmt: skip


@st.composite
def edits(draw: Any, text: str) -> str:
    """``text`` after one to three random edits: a value replaced, a line inserted at any
    indentation, a line deleted, an item copied or removed, a line re-indented."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        what = draw(st.sampled_from(["value", "insert", "delete", "copy", "indent", "title", "title", "title",
                                     "note", "item", "drop"]))  # fmt: skip
        fragment = draw(st.sampled_from(FRAGMENTS) | st.text(max_size=12))
        if what == "value" and ":" in lines[at]:
            lines[at] = lines[at][: lines[at].index(":") + 1] + " " + fragment
        elif what == "title":
            titles = [n for n, line in enumerate(lines) if "title:" in line]
            if titles:
                n = draw(st.sampled_from(titles))
                lines[n] = lines[n] + " " + draw(st.sampled_from(["(pulled)", "v2", "and more"]))
        elif what == "insert":
            lines.insert(at, " " * draw(st.integers(0, 6)) + fragment)
        elif what == "delete" and len(lines) > 1:
            del lines[at]
        elif what == "copy":
            end = min(len(lines), at + draw(st.integers(1, 8)))
            lines[end:end] = lines[at:end]
        elif what == "indent":
            lines[at] = " " * draw(st.integers(0, 5)) + lines[at].lstrip(" ")
        elif what == "note":  # a comment, or a blank line, anywhere in the list
            lines.insert(at, draw(st.sampled_from(["", "# note", "  # note", "      # deep note"])))
        elif what in ("item", "drop"):  # a whole item added after another, or removed
            starts = [n for n, line in enumerate(lines) if line.lstrip(" ").startswith("- id: ")]
            if starts:
                k = draw(st.integers(0, len(starts) - 1))
                end = starts[k + 1] if k + 1 < len(starts) else len(lines) - 1
                block = lines[starts[k] : end]
                if what == "drop":
                    del lines[starts[k] : end]
                else:
                    fresh = f"X-{100 + draw(st.integers(0, 50))}"
                    lines[end:end] = [line.replace(block[0].split("id: ")[1], fresh, 1) for line in block]
    return newline.join(lines)


@contextmanager
def fresh_cache() -> Iterator[list[bool]]:
    """A cache folder of its own; yields a list that records, for each load that read the file in
    chunks (or tried to), whether that worked (True) or fell back to the whole parse (False)."""
    seen: list[bool] = []
    real = chunks.load

    def spy(*args: Any, **kwargs: Any) -> Any:
        loaded = real(*args, **kwargs)
        seen.append(loaded is not None)
        return loaded

    with tempfile.TemporaryDirectory() as folder:
        env = {"XDG_CACHE_HOME": folder, "DEMANDS_CACHE_MIN_BYTES": "0"}
        with mock.patch.dict(os.environ, env), mock.patch.object(chunks, "load", spy):
            yield seen


def whole(text: str, path: Path) -> tuple[Any, list[list[int]]] | list[str]:
    """What a whole parse gives: (data, spans), or the problems it reports."""
    try:
        doc = document.parse(text, path)
    except InvalidFile as err:
        return [str(p) for p in err.problems]
    return doc.data, item_spans(text, doc.node)


def cached(raw: bytes, path: Path) -> tuple[Any, list[list[int]]] | list[str]:
    try:
        doc = document.from_bytes(raw, path)
    except InvalidFile as err:
        return [str(p) for p in err.problems]
    return doc.data, doc.spans


def same(got: Any, want: Any) -> None:
    if isinstance(want, list):
        assert got == want
        return
    assert not isinstance(got, list), got
    assert json.dumps(got[0]) == json.dumps(want[0]), "the same data, in the same order"
    assert got[1] == want[1], "the same spans"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_changed_file_reads_as_a_whole_parse_reads_it(data: st.DataObject) -> None:
    before = data.draw(files())
    after = data.draw(edits(before))
    path = Path("demands.yaml")
    with fresh_cache() as seen:
        want_before = whole(before, path)
        same(cached(before.encode(), path), want_before)
        if not isinstance(want_before, list):
            assert seen and seen[-1], f"a valid file in the generated layouts reads in chunks:\n{before}"
        seen.clear()
        same(cached(after.encode(), path), whole(after, path))
        same(cached(after.encode(), path), whole(after, path))  # and again, from the entry it left
    valid = not isinstance(whole(after, path), list)
    event(
        f"{'valid' if valid else 'invalid'} after the edit, {'read in chunks' if seen and seen[0] else 'parsed whole'}"
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_chain_of_changes_each_reusing_the_last(data: st.DataObject) -> None:
    text = data.draw(files())
    path = Path("talks.yaml")
    with fresh_cache():
        for _ in range(4):
            same(cached(text.encode(), path), whole(text, path))
            changed = data.draw(edits(text))
            if not isinstance(whole(changed, path), list):
                text = changed


def test_one_title_changed_parses_one_item(data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    with fresh_cache() as seen:
        document.from_bytes(text.encode(), data_file)
        parsed = []
        real = chunks.parse_chunk

        def spy(chunk: str, label: str) -> Any:
            parsed.append(chunk)
            return real(chunk, label)

        changed = text.replace("title: Cut tariffs to the US level", "title: Cut tariffs to zero")
        with mock.patch.object(chunks, "parse_chunk", spy):
            doc = document.from_bytes(changed.encode(), data_file)
        assert seen == [True, True]
        assert len(parsed) == 1 and "id: US-7" in parsed[0]
        assert doc.item("US-7")["title"] == "Cut tariffs to zero"
        same((doc.data, doc.spans), whole(changed, data_file))


@pytest.mark.parametrize(
    "name, text",
    [
        ("flow-style list", HEAD + "demands: [{id: X-1, party: us, title: t, status: open}]\n"),
        ("items at two indentations", HEAD + "demands:\n  - {id: X-1, party: us, title: t, status: open}\n"
         " - {id: X-2, party: us, title: t, status: open}\n"),
        ("an item not on its dash line", HEAD + "demands:\n  -\n    id: X-1\n    party: us\n    title: t\n    status: open\n"),
        ("a tag directive", "%TAG ! tag:yaml.org,2002:\n---\n" + HEAD + "demands:\n  - {id: X-1, party: us, title: t, status: open}\n"),
        ("a lone carriage return", HEAD + "demands:\n  - id: X-1\r    party: us\n    title: t\n    status: open\n"),
        ("a comment after demands: with a tab", HEAD + "demands:\t# tab\n  - {id: X-1, party: us, title: t, status: open}\n"),
    ],
)  # fmt: skip
def test_layouts_that_do_not_split_are_parsed_whole(name: str, text: str) -> None:
    path = Path("demands.yaml")
    assert chunks.split(text) is None, name
    with fresh_cache() as seen:
        same(cached(text.encode(), path), whole(text, path))
        assert seen == [False] or seen == [], name


@pytest.mark.parametrize(
    "name, text",
    [
        ("a quoted title running into the next item", 'demands:\n  - id: X-1\n    title: "a\n  - id: X-2"\n'),
        ("an alias to another item's anchor", "demands:\n  - id: &i X-1\n  - id: *i\n"),
        ("a flow list running on", "demands:\n  - id: X-1\n    tags: [a,\n  - b]\n"),
        ("an item that is not a mapping", "demands:\n  - just text\n  - id: X-2\n"),
        (
            "an item indented deeper",
            "demands:\n  - {id: X-1, party: us, title: t, status: open}\n"
            "   - {id: X-2, party: us, title: t, status: open}\n",
        ),
    ],
)
def test_chunks_that_do_not_parse_alone_send_the_file_to_the_whole_parse(name: str, text: str) -> None:
    full = HEAD + text
    path = Path("demands.yaml")
    assert chunks.split(full) is not None, name
    with fresh_cache() as seen:
        same(cached(full.encode(), path), whole(full, path))
        assert seen == [False], name


def test_a_byte_order_mark_and_crlf_read_in_chunks(tmp_path: Path) -> None:
    text = (
        HEAD
        + "demands:\n  - {id: X-1, party: us, title: t, status: open}\n  - id: X-2\n    party: cn\n"
        + ("    title: u\n    status: open\n")
    )
    for raw in (b"\xef\xbb\xbf" + text.encode(), text.replace("\n", "\r\n").encode()):
        with fresh_cache() as seen:
            doc = document.from_bytes(raw, tmp_path / "d.yaml")
            assert seen == [True]
            assert doc.data == document.parse(raw.decode("utf-8-sig"), tmp_path / "d.yaml").data


def test_entries_of_other_files_lend_their_items(tmp_path: Path) -> None:
    """A copy of a file under another name reuses the items of the original's entry (a chunk
    is keyed by its text), and checks every item, since its context is another file's."""
    text = (
        HEAD
        + "demands:\n"
        + "".join(f"  - id: X-{n}\n    party: us\n    title: t{n}\n    status: open\n" for n in range(1, 6))
    )
    with fresh_cache():
        document.from_bytes(text.encode(), tmp_path / "a.yaml")
        other = text.replace("title: Talks", "title: Other talks").replace("title: t3", "title: changed")
        parsed = []
        real = chunks.parse_chunk
        with mock.patch.object(chunks, "parse_chunk", lambda c, label: parsed.append(c) or real(c, label)):
            doc = document.from_bytes(other.encode(), tmp_path / "b.yaml")
        assert len(parsed) == 1
        same((doc.data, doc.spans), whole(other, tmp_path / "b.yaml"))


def test_a_removed_item_that_others_link_to_is_an_error_as_in_a_whole_parse(tmp_path: Path) -> None:
    text = (
        HEAD
        + "demands:\n"
        + "".join(
            f"  - id: X-{n}\n    party: us\n    title: t\n    status: open\n"
            + (f"    links: [{{rel: related, id: X-{n - 1}}}]\n" if n > 1 else "")
            for n in range(1, 5)
        )
    )
    path = tmp_path / "d.yaml"
    with fresh_cache():
        document.from_bytes(text.encode(), path)
        gone = text.replace("  - id: X-2\n    party: us\n    title: t\n    status: open\n", "")
        got = cached(gone.encode(), path)
        assert isinstance(got, list) and got == whole(gone, path)
        assert any("link to unknown id 'X-2'" in p for p in got)


def test_a_parties_change_checks_every_reused_item(tmp_path: Path) -> None:
    text = (
        HEAD
        + "demands:\n"
        + "".join(f"  - id: X-{n}\n    party: cn\n    title: t\n    status: open\n" for n in range(1, 4))
    )
    path = tmp_path / "d.yaml"
    with fresh_cache():
        document.from_bytes(text.encode(), path)
        renamed = text.replace("  cn: {name: China}", "  prc: {name: China}")
        got = cached(renamed.encode(), path)
        assert isinstance(got, list) and got == whole(renamed, path)
        assert len([p for p in got if "unknown party 'cn'" in p]) == 3


def test_a_forged_item_line_of_the_previous_entry_is_never_shown(tmp_path: Path) -> None:
    """Entries are checked whole before their items are reused: one edited by hand is ignored."""
    text = (
        HEAD
        + "demands:\n"
        + "".join(f"  - id: X-{n}\n    party: us\n    title: title {n}\n    status: open\n" for n in range(1, 4))
    )
    path = tmp_path / "d.yaml"
    with fresh_cache():
        document.from_bytes(text.encode(), path)
        [entry] = list(cache.directory().iterdir())
        entry.write_bytes(entry.read_bytes().replace(b"title 2", b"FORGED!"))
        changed = text.replace("title: title 1", "title: title one")
        doc = document.from_bytes(changed.encode(), path)
        assert doc.item("X-2")["title"] == "title 2"


def write(path: Path, op: str, target: str, value: str) -> str:
    """One write through the library, as a command makes it: ``written``, or why it refused."""
    import tradedemands
    from tradedemands.errors import DemandsError

    try:
        if op == "mark":
            tradedemands.mark(path, [target], value, date="2018-06-01")
        elif op == "note":
            tradedemands.note(path, target, value, date="2018-06-01")
        elif op == "edit":
            tradedemands.edit(path, target, title=value)
        elif op == "text":
            tradedemands.edit(path, target, text=value)
        elif op == "add":
            tradedemands.add(path, party="us", title=value, date="2018-06-01")
        elif op == "remove":
            tradedemands.remove(path, target, force=True)
        elif op == "link":
            tradedemands.link(path, target, "related", value)
    except DemandsError as err:
        return f"refused: {err}"
    return "written"


VALUES = {
    "mark": ["agreed", "open"],
    "note": ["a note", "2025", "x: y # z"],
    "edit": ["New title", "1.50", "no", "two\nlines"],
    "text": ["two\nlines", "one line", ""],
    "add": ["Added", "[draft] 2025"],
    "remove": [""],
    "link": ["X-1", "X-2", "X-3"],
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_warm_writes_leave_what_cold_writes_leave(data: st.DataObject) -> None:
    """The same writes on a file read in chunks (warm) and with the cache off (cold): the same
    answers, the same file byte for byte, and an entry that reads as the whole parse reads."""
    text = data.draw(files())
    if isinstance(whole(text, Path("d.yaml")), list):
        return
    ops = data.draw(st.lists(st.sampled_from(sorted(VALUES)), min_size=1, max_size=3))
    with tempfile.TemporaryDirectory() as folder:
        warm, cold = Path(folder) / "warm.yaml", Path(folder) / "cold.yaml"
        warm.write_bytes(text.encode())
        cold.write_bytes(text.encode())
        with fresh_cache(), mock.patch.dict(os.environ, {"XDG_STATE_HOME": folder + "/state"}):
            document.load(warm)
            for op in ops:
                target = data.draw(st.sampled_from([i["id"] for i in document.load(warm).items] or ["X-1"]))
                value = data.draw(st.sampled_from(VALUES[op]))
                got = []
                for path, off in ((warm, "0"), (cold, "1")):
                    with mock.patch.dict(os.environ, {"DEMANDS_NO_CACHE": off}):
                        got.append(write(path, op, target, value))
                assert got[0] == got[1].replace(str(cold), str(warm))
                assert warm.read_bytes() == cold.read_bytes(), op
                event(f"{op} {got[0].split(':')[0]}")
                loaded = document.load(warm)
                same((loaded.data, loaded.spans), whole(warm.read_bytes().decode("utf-8"), warm))
                assert_chunked_as_split(warm)


def assert_chunked_as_split(path: Path) -> None:
    """The entry of ``path``'s text records the chunks ``split`` finds in it (a write works them
    out from its splices alone: ``chunks.after_edit``)."""
    raw = path.read_bytes()
    entry = cache.get(cache.key_of(raw), keep=True)
    text = raw.decode("utf-8-sig")
    layout = chunks.split(text)
    if entry is None or not entry.chunks:
        return
    assert layout is not None
    assert [k for k, _ in entry.chunks] == [chunks.key_of(text[a:b]) for a, b in layout.bounds()]
    assert entry.end == layout.end
    assert [[a, a + end] for (a, _b), (_k, end) in zip(layout.bounds(), entry.chunks, strict=True)] == entry.spans
    assert [json.loads(bytes(line)) for line in entry.lines()] == entry.data["demands"]


def test_a_warm_write_does_not_split_the_whole_text_again(data_file: Path) -> None:
    import tradedemands

    with fresh_cache():
        document.load(data_file)
        with mock.patch.object(chunks, "split", side_effect=AssertionError("split the whole text")):
            tradedemands.mark(data_file, ["US-7", "CN-2"], "discussing", date="2018-05-20")
            tradedemands.add(data_file, party="cn", title="Added", date="2018-05-21")
            tradedemands.remove(data_file, "US-1", force=True)
        assert_chunked_as_split(data_file)


def test_chunk_records_are_checked_once_per_entry(data_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write walks every chunk record: checking them must not be repeated per record."""
    import tradedemands

    calls = []
    real = cache._chunks_shaped
    monkeypatch.setattr(cache, "_chunks_shaped", lambda records: calls.append(1) or real(records))
    with fresh_cache():
        document.load(data_file)
        calls.clear()
        tradedemands.mark(data_file, ["US-7"], "discussing", date="2018-05-20")
    assert len(calls) <= 2


def test_a_fifo_or_a_link_named_like_an_entry_is_passed_over(tmp_path: Path) -> None:
    """Looking for the entry of the version before never opens what is not a regular file (a
    FIFO would block) and never follows a link someone left in the cache folder."""
    text = (
        HEAD
        + "demands:\n"
        + "".join(f"  - id: X-{n}\n    party: us\n    title: t{n}\n    status: open\n" for n in range(1, 4))
    )
    path = tmp_path / "d.yaml"
    with fresh_cache() as seen:
        folder = cache.directory()
        folder.mkdir(parents=True)
        os.mkfifo(folder / f"{'a' * 64}{cache.SUFFIX}")
        (folder / f"{'b' * 64}{cache.SUFFIX}").symlink_to(tmp_path / "elsewhere")
        (tmp_path / "elsewhere").write_bytes(b"not an entry")
        document.from_bytes(text.encode(), path)
        changed = text.replace("title: t2", "title: two")

        def hung(*_args: object) -> None:
            raise AssertionError("blocked on the FIFO")

        previous = signal.signal(signal.SIGALRM, hung)
        signal.alarm(10)
        try:
            doc = document.from_bytes(changed.encode(), path)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        assert seen == [True, True]
        assert doc.item("X-2")["title"] == "two"
        assert (folder / f"{'a' * 64}{cache.SUFFIX}").exists()
