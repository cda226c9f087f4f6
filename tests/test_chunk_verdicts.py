"""Read item by item, a file gets the verdict and the data a whole parse gives it, also when it
holds what the YAML stream shares across items: anchors (the same name twice is refused whole),
aliases, tags, merge keys and directives (review of issue 16, finding 2)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import demands_cmd
from test_chunks import cached, edits, files, fresh_cache, same, whole
from tradedemands import chunks

ALIASES = "anchors and aliases (&name, *name) are not allowed; write the value out"


def test_the_same_anchor_in_two_items_is_refused_read_in_chunks_too(workspace: Path, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    lines = text.split("\n")
    titles = [n for n, line in enumerate(lines) if re.match(r" +title: ", line)][:2]
    for n in titles:
        lines[n] = lines[n].replace("title: ", "title: &dup ", 1)
    data_file.write_text("\n".join(lines), encoding="utf-8")
    line, column = titles[1] + 1, lines[titles[1]].index("&dup") + 1
    want = f"{data_file}:{line}:{column}: {ALIASES}\n"
    for env in ({"DEMANDS_NO_CACHE": "1"}, {}, {}):  # cold, then a fresh cache twice
        done = demands_cmd("validate", cwd=workspace, env=env)
        assert (done.returncode, done.stderr) == (1, want), env


def test_an_anchor_above_the_items_and_again_in_one_is_refused(workspace: Path, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    text = re.sub(r"^title: ", "title: &t ", text, count=1, flags=re.M)
    text = re.sub(r"^( +)title: ", r"\1title: &t ", text, count=1, flags=re.M)
    data_file.write_text(text, encoding="utf-8")
    cold = demands_cmd("list", "-o", "json", cwd=workspace, env={"DEMANDS_NO_CACHE": "1"})
    warm = demands_cmd("list", "-o", "json", cwd=workspace)
    assert cold.returncode == warm.returncode == 1
    assert warm.stderr == cold.stderr and ALIASES in warm.stderr


def test_anchored_tells_anchors_from_ampersands() -> None:
    assert not chunks.anchored("- id: X-1\n  title: R&D & more\n  text: '&quoted'\n")
    assert chunks.anchored("- id: X-1\n  title: &a R&D\n")
    assert chunks.anchored("- id: X-1\n  title: *a\n")
    assert chunks.anchored("- id: X-1\n  title: 'unterminated &\n")  # cannot tell: parsed whole


def test_a_yaml_version_directive_still_splits_and_a_tag_directive_does_not() -> None:
    body = "version: 1\ntitle: t\nparties: {}\ndemands:\n  - id: X-1\n    title: a\n  - id: X-2\n    title: b\n"
    assert chunks.split("%YAML 1.2\n---\n" + body) is not None
    assert chunks.split("%YAML 1.1 # old\n---\n" + body) is not None
    assert chunks.split("%TAG !! tag:example.com,2000:\n---\n" + body) is None
    assert chunks.split("%YAML 1.2\n%TAG ! tag:yaml.org,2002:\n---\n" + body) is None


#: Mostly what a whole parse accepts (an anchor used once, the str tag), so that both verdicts occur.
SHARED = ["&a ", "&a ", "&a ", "&b ", "!!str ", "!!str ", "! ", "&a !!str ", "*a", "!foo ", "!!int "]
DIRECTIVES = [
    "",
    "",
    "",
    "%YAML 1.2\n---\n",
    "%YAML 1.1\n---\n",
    "%TAG ! tag:yaml.org,2002:\n---\n",
    "%TAG !! tag:x:\n---\n",
]


@st.composite
def shared_constructs(draw: Any, text: str) -> str:
    """``text`` with anchors, aliases and tags put before a few values (the title of the file or
    of items, any ``key: value`` line), maybe a merge key in an item, maybe a directive on top."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    values = [n for n, line in enumerate(lines) if re.match(r" +-? ?(?:title|text|topic): [^ |>#{\[&*!]", line)]
    values = values or [n for n, line in enumerate(lines) if re.match(r"-? ?(?:title|text): [^ |>#{\[&*!]", line)]
    for n in draw(st.lists(st.sampled_from(values), max_size=3, unique=True)) if values else []:
        construct = draw(st.sampled_from(SHARED))
        key_end = lines[n].index(": ") + 2
        value = lines[n][key_end:]
        lines[n] = lines[n][:key_end] + (construct if not construct.startswith("*") else construct + " #") + value
    if draw(st.integers(0, 4)) == 0:
        items = [n for n, line in enumerate(lines) if line.lstrip(" ").startswith("- id: ")]
        if items:
            n = draw(st.sampled_from(items))
            indent = len(lines[n]) - len(lines[n].lstrip(" ")) + 2
            lines.insert(n + 1, " " * indent + draw(st.sampled_from(["<<: {x: 1}", "<<: *a", "'<<': 1"])))
    directive = draw(st.sampled_from(DIRECTIVES)) if not text.startswith("%") else ""
    return directive.replace("\n", newline) + newline.join(lines)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_chunked_verdict_and_data_are_the_whole_parse(data: st.DataObject) -> None:
    before = data.draw(shared_constructs(data.draw(files())))
    after = data.draw(shared_constructs(data.draw(edits(before)) if data.draw(st.integers(0, 2)) == 0 else before))
    path = Path("demands.yaml")
    with fresh_cache() as seen:
        same(cached(before.encode(), path), whole(before, path))
        seen.clear()
        same(cached(after.encode(), path), whole(after, path))  # from the version before
        chunked = bool(seen and seen[-1])
        same(cached(after.encode(), path), whole(after, path))  # and from its own entry
    valid = not isinstance(whole(after, path), list)
    event(f"{'valid' if valid else 'refused'}, {'read in chunks' if chunked else 'parsed whole'}")


def test_a_core_tag_on_text_that_is_not_of_its_kind_is_a_located_problem(workspace: Path, data_file: Path) -> None:
    """``!!int Cut`` made the whole parse an internal error (int('Cut')); ``!!bool yes`` was False."""
    text = data_file.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.split("\n")) if re.match(r" +title: ", row))
    for tag, message in (("!!int", "is not an int; remove its tag '!!int'"), ("!!bool", "is not a bool;")):
        lines = text.split("\n")
        column = lines[line].index("title: ") + len("title: ") + 1
        lines[line] = lines[line].replace("title: ", f"title: {tag} ", 1)
        data_file.write_text("\n".join(lines), encoding="utf-8")
        for env in ({"DEMANDS_NO_CACHE": "1"}, {}):
            done = demands_cmd("validate", cwd=workspace, env=env)
            assert done.returncode == 1, done.stderr
            assert done.stderr.startswith(f"{data_file}:{line + 1}:{column}: '"), done.stderr
            assert message in done.stderr and done.stderr.count("\n") == 1
