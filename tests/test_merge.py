"""Merging two branches of a demands file: the library, the merge driver, and real ``git merge``.

The library tests run ``merge.merge`` on small hand-written files. The git tests commit the
shipped data set in a temporary repository, register the driver with the installed
``demands git-setup``, change the file on two branches with the CLI and run ``git merge``,
which runs ``demands merge-driver`` the way git does.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMANDS, ROOT, demands_cmd
from tradedemands import document
from tradedemands.errors import DemandsError
from tradedemands.gitsetup import driver_command, register
from tradedemands.merge import Conflict, merge

DATE = "2018-05-20"
NAME = "data/demands.yaml"


# --- the library on small files -----------------------------------------------------------------

BASE = """\
version: 1
title: Talks
parties:
  us: {name: United States}
  cn: {name: China}
rounds:
  - {id: r1, date: 2018-05-03}
demands:
  # The US list.
  - id: US-1
    party: us
    title: Cut the surplus
    tags: [surplus]
    status: open
    history:
      - {date: 2018-05-03, status: open}

  - id: US-2
    party: us
    title: Halt subsidies
    status: open
    links:
      - {rel: related, id: US-1}
    history:
      - {date: 2018-05-03, status: open}
"""

CN_1 = """
  # China's answer, added on a branch.
  - id: CN-1
    party: cn
    title: Lift the ZTE ban   # the main ask
    status: open
    history:
      - {date: 2018-05-04, status: open}
"""

US_1_HISTORY = "      - {date: 2018-05-03, status: open}\n\n  - id: US-2"


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def us_1_status(text: str, status: str) -> str:
    return edit(text, "    tags: [surplus]\n    status: open\n", f"    tags: [surplus]\n    status: {status}\n")


def history_entry(text: str, entry: str) -> str:
    """``text`` with ``entry`` appended to US-1's history."""
    return edit(text, US_1_HISTORY, f"      - {{date: 2018-05-03, status: open}}\n      - {entry}\n\n  - id: US-2")


def test_an_item_theirs_added_comes_over_verbatim_with_its_comment() -> None:
    ours = edit(BASE, "    title: Cut the surplus\n", "    # ours: a comment\n    title: Cut the surplus\n")
    result = merge(BASE, ours, BASE + CN_1)
    assert result.conflicts == []
    assert result.text == ours + CN_1
    assert result.changed and result.taken == 1


def test_changes_to_different_fields_of_one_item_merge() -> None:
    ours = edit(BASE, "    title: Halt subsidies\n", "    title: Halt all subsidies\n")
    theirs = edit(BASE, "    tags: [surplus]\n", "    tags: [surplus]\n    priority: high\n")
    theirs = edit(theirs, "  - id: US-2\n    party: us\n", "  - id: US-2\n    party: us\n    of: cn\n")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == []
    # Each new field where theirs wrote it, and add writes it (after tags; of after party).
    expected = edit(ours, "    tags: [surplus]\n", "    tags: [surplus]\n    priority: high\n")
    expected = edit(expected, "  - id: US-2\n    party: us\n", "  - id: US-2\n    party: us\n    of: cn\n")
    assert result.text == expected


def test_history_added_on_both_sides_keeps_both_in_date_order() -> None:
    ours = history_entry(BASE, "{date: 2018-05-20, note: ours}")
    theirs = us_1_status(history_entry(BASE, "{date: 2018-05-19, status: agreed, note: theirs}"), "agreed")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == []
    expected = edit(
        ours,
        "      - {date: 2018-05-20, note: ours}\n",
        "      - {date: 2018-05-19, status: agreed, note: theirs}\n      - {date: 2018-05-20, note: ours}\n",
    )
    assert result.text == us_1_status(expected, "agreed")


def test_history_of_one_date_on_both_sides_keeps_ours_first() -> None:
    ours = history_entry(BASE, "{date: 2018-05-20, note: ours}")
    theirs = us_1_status(history_entry(BASE, "{date: 2018-05-20, status: agreed, note: theirs}"), "agreed")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == []
    expected = edit(
        ours,
        "      - {date: 2018-05-20, note: ours}\n",
        "      - {date: 2018-05-20, note: ours}\n      - {date: 2018-05-20, status: agreed, note: theirs}\n",
    )
    assert result.text == us_1_status(expected, "agreed")


def test_the_same_entry_appended_on_both_sides_is_kept_once() -> None:
    both = history_entry(BASE, "{date: 2018-05-20, note: same}")
    both = edit(both, "    title: Halt subsidies\n", "    title: Halt all subsidies\n")
    theirs = history_entry(BASE, "{date: 2018-05-20, note: same}")
    assert merge(BASE, both, theirs).text == both


def test_statuses_set_on_both_sides_merge_by_date() -> None:
    """Each side's status change is an event on the timeline: the later-dated one is the status."""
    ours = us_1_status(history_entry(BASE, "{date: 2018-05-20, status: agreed}"), "agreed")
    theirs = history_entry(BASE, "{date: 2018-05-19, status: rejected, note: No}")
    theirs = us_1_status(theirs, "rejected")
    theirs = edit(theirs, "note: No}\n", "note: No}\n      - {date: 2018-05-21, note: Press reports}\n")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == []
    assert result.text == edit(
        ours,
        "      - {date: 2018-05-20, status: agreed}\n",
        "      - {date: 2018-05-19, status: rejected, note: No}\n"
        "      - {date: 2018-05-20, status: agreed}\n"
        "      - {date: 2018-05-21, note: Press reports}\n",
    )
    # The other way round, theirs is the later one and its status wins.
    result = merge(BASE, theirs, ours)
    assert result.conflicts == []
    assert document.parse(result.text, Path("x")).item("US-1")["status"] == "agreed"


def test_statuses_set_differently_on_the_same_latest_date_are_a_conflict_and_ours_stays() -> None:
    ours = us_1_status(history_entry(BASE, "{date: 2018-05-20, status: agreed}"), "agreed")
    theirs = history_entry(BASE, "{date: 2018-05-20, status: rejected, note: No}")
    theirs = us_1_status(theirs, "rejected")
    theirs = edit(theirs, "note: No}\n", "note: No}\n      - {date: 2018-05-21, note: Press reports}\n")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == [Conflict("US-1 status", "ours 'agreed', theirs 'rejected'")]
    assert str(result.conflicts[0]) == "conflict in US-1 status: ours 'agreed', theirs 'rejected'"
    # Theirs' note comes over; its status entry of that date does not (the status must match the history).
    assert result.text == edit(
        ours,
        "status: agreed}\n",
        "status: agreed}\n      - {date: 2018-05-21, note: Press reports}\n",
    )


def test_a_status_theirs_changed_and_changed_back_earlier_merges_by_date() -> None:
    ours = us_1_status(history_entry(BASE, "{date: 2018-05-20, status: rejected}"), "rejected")
    theirs = history_entry(BASE, "{date: 2018-05-18, status: agreed}")
    theirs = edit(
        theirs, "status: agreed}\n", "status: agreed}\n      - {date: 2018-05-19, status: open, note: Reopened}\n"
    )
    result = merge(BASE, ours, theirs)
    assert result.conflicts == []
    assert result.text == edit(
        ours,
        "      - {date: 2018-05-20, status: rejected}\n",
        "      - {date: 2018-05-18, status: agreed}\n"
        "      - {date: 2018-05-19, status: open, note: Reopened}\n"
        "      - {date: 2018-05-20, status: rejected}\n",
    )


def test_the_same_field_changed_differently_is_a_conflict() -> None:
    ours = edit(BASE, "title: Talks\n", "title: Talks in Beijing\n")
    ours = edit(ours, "    title: Halt subsidies\n", "    title: Halt subsidies now\n")
    theirs = edit(BASE, "title: Talks\n", "title: Talks in Washington\n")
    theirs = edit(theirs, "    title: Halt subsidies\n", "    title: Stop subsidies\n")
    result = merge(BASE, ours, theirs)
    assert [str(c) for c in result.conflicts] == [
        "conflict in title: ours 'Talks in Beijing', theirs 'Talks in Washington'",
        "conflict in US-2 title: ours 'Halt subsidies now', theirs 'Stop subsidies'",
    ]
    assert result.text == ours and not result.changed


def test_the_same_item_added_on_both_sides_is_one() -> None:
    result = merge(BASE, BASE + CN_1, BASE + CN_1)
    assert (result.text, result.conflicts, result.renumbered) == (BASE + CN_1, [], [])


def test_one_id_added_on_both_sides_differently_renumbers_theirs() -> None:
    different = CN_1.replace("Lift the ZTE ban", "Buy soybeans").replace("2018-05-04", "2018-05-05")
    result = merge(BASE, BASE + CN_1, BASE + different)
    assert result.conflicts == []
    assert result.renumbered == [("CN-1", "CN-2")]
    assert result.renumbering() == "both sides added CN-1: theirs is renumbered CN-2, and their links to it follow"
    # Theirs comes over as they wrote it, less the comment above it, which ours has already.
    theirs_item = different[different.index("  - id: CN-1") :]
    assert result.text == BASE + CN_1 + theirs_item.replace("  - id: CN-1\n", "  - id: CN-2\n")


def test_renumbering_rewrites_theirs_links_to_the_renumbered_items() -> None:
    """Theirs adds CN-1 and CN-2 (ours added other ones under those ids), CN-3 linking to both, and
    links its changed US-2 to CN-1; the next free CN ids are 4 and 5, whatever side used 3."""
    cn = "  - id: {id}\n    party: cn\n    title: {title}\n    status: open\n{links}    history:\n      - {{date: 2018-05-04, status: open}}\n"
    ours = BASE + cn.format(id="CN-1", title="Ours one", links="") + cn.format(id="CN-2", title="Ours two", links="")
    theirs_added = (
        cn.format(id="CN-1", title="Theirs one", links="")
        + cn.format(id="CN-2", title="Theirs two", links="    links: [{rel: responds-to, id: cn-1}]\n")
        + cn.format(
            id="CN-3", title="Theirs three", links="    links: [{rel: related, id: CN-1}, {rel: related, id: CN-2}]\n"
        )
    )
    theirs = edit(
        BASE,
        "      - {rel: related, id: US-1}\n",
        "      - {rel: related, id: US-1}\n      - {rel: responds-to, id: CN-1}\n",
    )
    result = merge(BASE, ours, theirs + theirs_added)
    assert result.conflicts == []
    assert result.renumbered == [("CN-1", "CN-4"), ("CN-2", "CN-5")]
    assert result.renumbering() == (
        "both sides added CN-1, CN-2: theirs are renumbered CN-4, CN-5, and their links to them follow"
    )
    renumbered = (
        cn.format(id="CN-4", title="Theirs one", links="")
        + cn.format(id="CN-5", title="Theirs two", links="    links: [{rel: responds-to, id: CN-4}]\n")
        + cn.format(
            id="CN-3", title="Theirs three", links="    links: [{rel: related, id: CN-4}, {rel: related, id: CN-5}]\n"
        )
    )
    expected = edit(
        ours,
        "      - {rel: related, id: US-1}\n",
        "      - {rel: related, id: US-1}\n      - {rel: responds-to, id: CN-4}\n",
    )
    assert result.text == expected + renumbered


def test_an_item_both_added_alike_but_linking_to_a_renumbered_one_stays_one_with_both_links() -> None:
    """Which items are one is decided before links are rewritten (no cascade): CN-2 is the same
    on both sides, so it stays one item; theirs' link to their CN-1 (now CN-3) comes over too."""
    cn_2 = (
        "  - id: CN-2\n    party: cn\n    title: Follow-up\n    status: open\n    links: [{rel: related, id: CN-1}]\n"
    )
    theirs_cn_1 = CN_1.replace("Lift the ZTE ban", "Buy soybeans").replace("# China's answer", "# Theirs")
    result = merge(BASE, BASE + CN_1 + cn_2, BASE + theirs_cn_1 + cn_2)
    assert result.conflicts == []
    assert result.renumbered == [("CN-1", "CN-3")]
    assert result.text == (
        BASE
        + CN_1
        + cn_2.replace("id: CN-1}]", "id: CN-1}, {rel: related, id: CN-3}]")
        + theirs_cn_1.replace("id: CN-1\n", "id: CN-3\n")
    )


def test_ids_match_in_any_case() -> None:
    theirs = edit(BASE, "  - id: US-2\n", "  - id: us-2\n")
    theirs = edit(theirs, "    title: Halt subsidies\n", "    title: Stop subsidies\n")
    ours = edit(BASE, "    title: Cut the surplus\n", "    title: Cut it\n")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == []
    assert result.text == edit(edit(ours, "  - id: US-2\n", "  - id: us-2\n"), "Halt subsidies", "Stop subsidies")


def test_an_item_deleted_on_one_side_and_changed_on_the_other_is_a_conflict() -> None:
    without_us_2 = BASE[: BASE.index("\n  - id: US-2")] + "\n"
    changed = edit(BASE, "    title: Halt subsidies\n", "    title: Stop subsidies\n")
    kept = merge(BASE, changed, without_us_2)
    assert [str(c) for c in kept.conflicts] == [
        "conflict in US-2: ours changed it (title), theirs deleted it: the result keeps it"
    ]
    assert kept.text == changed
    gone = merge(BASE, without_us_2, changed)
    assert [str(c) for c in gone.conflicts] == [
        "conflict in US-2: ours deleted it, theirs changed it (title): the result leaves it out"
    ]
    assert gone.text == without_us_2


def test_an_item_theirs_deleted_goes() -> None:
    without_us_2 = BASE[: BASE.index("\n  - id: US-2")] + "\n"
    ours = edit(BASE, "# The US list.", "# The US list, as tabled.")
    result = merge(BASE, ours, without_us_2)
    assert result.conflicts == []
    assert result.text == ours[: ours.index("  - id: US-2")]


def test_tags_and_links_merge_as_sets() -> None:
    ours = edit(BASE, "tags: [surplus]", "tags: [surplus, deficit]")
    ours = edit(
        ours,
        "      - {rel: related, id: US-1}\n",
        "      - {rel: related, id: US-1}\n      - {rel: related, id: CN-1}\n",
    )
    ours = ours + CN_1
    theirs = edit(BASE, "tags: [surplus]", "tags: [trade]")
    theirs = edit(theirs, "      - {rel: related, id: US-1}\n", "      - {rel: conflicts-with, id: US-1}\n")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == []
    expected = edit(ours, "tags: [surplus, deficit]", "tags: [deficit, trade]")
    expected = edit(
        expected,
        "      - {rel: related, id: US-1}\n      - {rel: related, id: CN-1}\n",
        "      - {rel: related, id: CN-1}\n      - {rel: conflicts-with, id: US-1}\n",
    )
    assert result.text == expected


def test_title_parties_and_rounds_merge_by_key() -> None:
    ours = edit(BASE, "  us: {name: United States}", "  us: {name: United States, lead: Steven Mnuchin}")
    theirs = edit(BASE, "title: Talks\n", "title: Trade talks\n")
    theirs = edit(theirs, "  cn: {name: China}\n", "  cn: {name: China, lead: Liu He}\n  eu: {name: European Union}\n")
    theirs = edit(
        theirs, "  - {id: r1, date: 2018-05-03}\n", "  - {id: r1, date: 2018-05-03}\n  - {id: r2, date: 2018-05-17}\n"
    )
    result = merge(BASE, ours, theirs)
    assert result.conflicts == []
    expected = edit(ours, "title: Talks\n", "title: Trade talks\n")
    expected = edit(
        expected, "  cn: {name: China}\n", "  cn: {name: China, lead: Liu He}\n  eu: {name: European Union}\n"
    )
    expected = edit(
        expected, "  - {id: r1, date: 2018-05-03}\n", "  - {id: r1, date: 2018-05-03}\n  - {id: r2, date: 2018-05-17}\n"
    )
    assert result.text == expected
    assert result.taken == 4


def test_both_sides_adding_the_file_merge_from_an_empty_base() -> None:
    assert merge("", BASE, BASE).text == BASE
    result = merge("", BASE, BASE + CN_1)
    assert result.conflicts == [] and result.text == BASE + CN_1


def test_an_empty_list_of_ours_takes_theirs_entries_as_written() -> None:
    empty = BASE[: BASE.index("demands:\n")] + "demands: []\n"
    ours = edit(empty, "title: Talks\n", "title: Talks  # renamed later\n")
    entries = CN_1 + CN_1.replace("CN-1", "CN-2")
    result = merge(empty, ours, edit(empty, "demands: []\n", "demands:" + entries))
    assert result.conflicts == []
    assert result.text == edit(ours, "demands: []\n", "demands:" + entries)


def test_a_result_that_would_not_validate_is_refused() -> None:
    """Theirs deletes US-1 (and the link to it); ours adds an item that links to US-1."""
    without_us_1 = edit(BASE, BASE[BASE.index("  - id: US-1") : BASE.index("  - id: US-2")], "")
    without_us_1 = edit(without_us_1, "    links:\n      - {rel: related, id: US-1}\n", "")
    ours = BASE + CN_1.replace("    status: open\n", "    status: open\n    links: [{rel: responds-to, id: US-1}]\n")
    with pytest.raises(DemandsError) as err:
        merge(BASE, ours, without_us_1, NAME)
    assert str(err.value) == (
        f"cannot merge {NAME}: the merged file would not be valid (CN-1 links.id: link to unknown id 'US-1'); "
        f"{NAME} holds ours only and theirs is NOT applied: merge it by hand (git show :3:{NAME} shows theirs)"
    )


@pytest.mark.parametrize(("side", "label"), [(1, "our"), (2, "their"), (0, "the common ancestor's")])
def test_a_version_that_does_not_load_is_reported_in_one_line(side: int, label: str) -> None:
    texts = [BASE, BASE, BASE + CN_1]
    texts[side] = texts[side].replace("  - id: US-2\n", "  - id: US-2\n  bad: [\n")
    with pytest.raises(DemandsError) as err:
        merge(*texts, NAME)
    message = str(err.value)
    assert message.startswith(f"cannot merge {NAME}: {label} version does not load (line 19, column "), message
    assert message.endswith(
        f"; {NAME} holds ours only and theirs is NOT applied: merge it by hand (git show :3:{NAME} shows theirs)"
    ), message
    assert "\n" not in message


def test_a_comment_theirs_added_that_cannot_be_placed_is_a_conflict() -> None:
    theirs = edit(BASE, "    title: Halt subsidies\n", "    # Confirmed by Xinhua.\n    title: Stop subsidies\n")
    result = merge(BASE, edit(BASE, "title: Talks", "title: Trade talks"), theirs)
    assert [str(c) for c in result.conflicts] == [
        "conflict in comments: theirs added a comment line the merge cannot place "
        "(their line 20: '# Confirmed by Xinhua.'): copy it by hand"
    ]
    assert "title: Stop subsidies" in result.text


def test_history_rewritten_on_both_sides_is_a_conflict() -> None:
    ours = edit(BASE, "      - {date: 2018-05-03, status: open}\n\n", "      - {date: 2018-05-02, status: open}\n\n")
    theirs = edit(BASE, "      - {date: 2018-05-03, status: open}\n\n", "      - {date: 2018-05-01, status: open}\n\n")
    result = merge(BASE, ours, theirs)
    assert [str(c) for c in result.conflicts] == [
        "conflict in US-1 history: both sides changed it, not only by adding entries: the result keeps ours"
    ]


def test_line_endings_and_shortcuts() -> None:
    crlf = BASE.replace("\n", "\r\n")
    result = merge(crlf, crlf.replace("Talks", "Trade talks"), BASE + CN_1)
    assert result.text == (crlf.replace("Talks", "Trade talks") + CN_1.replace("\n", "\r\n"))
    assert merge(BASE, BASE, BASE + CN_1).text == BASE + CN_1
    unchanged = merge(BASE, BASE + CN_1, BASE)
    assert unchanged.text == BASE + CN_1 and not unchanged.changed and unchanged.taken == 0


# --- the merge driver on files --------------------------------------------------------------------


def write_versions(folder: Path, base: str, ours: str, theirs: str) -> list[str]:
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    return paths


def test_driver_writes_the_merge_into_ours(run: Any, tmp_path: Path) -> None:
    base, ours, theirs = write_versions(tmp_path, BASE, BASE.replace("Talks", "Trade talks"), BASE + CN_1)
    r = run("merge-driver", base, ours, theirs, "--path", NAME, "-L", "7")
    assert r.exit_code == 0, r.output
    assert r.stderr == f"demands merge-driver: {NAME}: merged 1 change from theirs, no conflicts\n"
    assert Path(ours).read_text(encoding="utf-8") == BASE.replace("Talks", "Trade talks") + CN_1


def test_driver_exits_1_on_a_conflict_and_keeps_ours_there(run: Any, tmp_path: Path) -> None:
    ours_text = edit(BASE, "    title: Halt subsidies\n", "    title: Halt subsidies now\n")
    theirs_text = edit(BASE, "    title: Halt subsidies\n", "    title: Stop subsidies\n") + CN_1
    base, ours, theirs = write_versions(tmp_path, BASE, ours_text, theirs_text)
    r = run("merge-driver", base, ours, theirs, "--path", NAME, "--marker-size", "7")
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines() == [
        "demands merge-driver: conflict in US-2 title: ours 'Halt subsidies now', theirs 'Stop subsidies'",
        f"demands merge-driver: {NAME}: 1 conflict, ours kept there; the rest is merged: "
        f"settle them (demands mark, demands edit), then 'git add {NAME}'",
    ]
    assert Path(ours).read_text(encoding="utf-8") == ours_text + CN_1


def test_driver_leaves_ours_untouched_when_a_version_does_not_load(run: Any, tmp_path: Path) -> None:
    base, ours, theirs = write_versions(tmp_path, BASE, BASE + CN_1, "demands: [\n")
    r = run("merge-driver", base, ours, theirs, "--path", NAME)
    assert r.exit_code == 1, r.output
    assert r.stderr.count("\n") == 1, r.output
    assert r.stderr.startswith(f"demands merge-driver: cannot merge {NAME}: their version does not load (line 2,")
    assert Path(ours).read_text(encoding="utf-8") == BASE + CN_1


def test_driver_keeps_a_byte_order_mark(run: Any, tmp_path: Path) -> None:
    base, ours, theirs = write_versions(tmp_path, BASE, BASE, BASE + CN_1)
    Path(ours).write_bytes(b"\xef\xbb\xbf" + BASE.replace("Talks", "Trade talks").encode())
    r = run("merge-driver", base, ours, theirs)
    assert r.exit_code == 0, r.output
    assert Path(ours).read_bytes() == b"\xef\xbb\xbf" + (BASE.replace("Talks", "Trade talks") + CN_1).encode()


# --- real git merges --------------------------------------------------------------------------------
#
# `demands git-setup` runs in the virtual environment (the installed script, PATH as the tests have
# it); every `git merge` runs with PATH reduced to /usr/bin:/bin, as a GUI client, an IDE or a shell
# without the environment runs it: `demands` is not on it, so git reaches the driver only through
# the interpreter git-setup registered.

REDUCED = "/usr/bin:/bin"
#: PATH with the installed `demands` on it (the environment active).
ON_PATH = {"PATH": f"{DEMANDS.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
#: The interpreter the installed script runs, which git-setup registers.
PYTHON = DEMANDS.read_text(encoding="utf-8", errors="replace").splitlines()[0].removeprefix("#!").strip()

if not (shutil.which("git", path=REDUCED) and shutil.which("sh", path=REDUCED)):  # pragma: no cover
    pytest.skip("git and sh are not in /usr/bin or /bin here", allow_module_level=True)
if shutil.which("demands", path=REDUCED):  # pragma: no cover
    pytest.skip("demands is installed in /usr/bin or /bin: PATH cannot be reduced to lack it", allow_module_level=True)


def git(cwd: Path, *args: str, check: bool = True, path: str = REDUCED) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "PATH": path}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    if check:
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding the shipped data set, set up once with the installed `demands git-setup`."""
    folder = tmp_path_factory.mktemp("template")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    (folder / "data").mkdir()
    shutil.copy(ROOT / "data" / "demands.yaml", folder / "data" / "demands.yaml")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Analyst")
    git(folder, "config", "user.email", "analyst@example.org")
    done = demands_cmd("git-setup", "--file", NAME, cwd=folder, env=ON_PATH)
    assert done.returncode == 0, done.stderr
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "data set")
    return folder


@pytest.fixture
def repo(template: Path, workspace: Path) -> Path:
    """A copy of the template repository in the workspace, where $DEMANDS_FILE points."""
    shutil.rmtree(workspace / "data")
    shutil.rmtree(workspace / "seeds")
    shutil.copytree(template, workspace, dirs_exist_ok=True)
    return workspace


Change = Callable[[], None]


def commands(run: Any, *lines: list[str]) -> Change:
    def change() -> None:
        for args in lines:
            r = run(*args)
            assert r.exit_code == 0, r.output

    return change


def text_change(path: Path, old: str, new: str) -> Change:
    def change() -> None:
        path.write_text(edit(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")

    return change


def diverge(
    repo: Path, ours: list[Change], theirs: list[Change], path: str = REDUCED
) -> subprocess.CompletedProcess[str]:
    """Commit ``theirs`` on a branch and ``ours`` on main, then merge the branch into main (PATH=``path``)."""
    git(repo, "checkout", "-q", "-b", "theirs")
    for change in theirs:
        change()
    git(repo, "commit", "-q", "-a", "-m", "theirs")
    git(repo, "checkout", "-q", "main")
    for change in ours:
        change()
    git(repo, "commit", "-q", "-a", "-m", "ours")
    return git(repo, "merge", "--no-edit", "theirs", check=False, path=path)


def validates(repo: Path, name: str = NAME) -> None:
    """The merged file passes `demands validate` (source quotes included)."""
    done = demands_cmd("validate", "--file", name, cwd=repo)
    assert done.returncode == 0, done.stderr


def one_after_the_other(run: Any, tmp_path: Path, *changes: list[str]) -> str:
    """The text that making ``changes`` one after the other in one file gives."""
    scratch = tmp_path / "sequential.yaml"
    shutil.copy(ROOT / "data" / "demands.yaml", scratch)
    for args in changes:
        r = run(*args, "--file", str(scratch))
        assert r.exit_code == 0, r.output
    return scratch.read_text(encoding="utf-8")


def test_git_merge_of_items_added_on_two_branches(run: Any, repo: Path, data_file: Path) -> None:
    ours = ["add", "-p", "us", "--title", "Buy more US soybeans", "--date", DATE]
    theirs = ["add", "-p", "cn", "--title", "Lift the ZTE export ban", "--tag", "zte", "--date", DATE]
    done = diverge(repo, [commands(run, ours)], [commands(run, theirs)])
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"demands merge-driver: {NAME}: merged 1 change from theirs, no conflicts" in done.stderr
    assert data_file.read_text(encoding="utf-8") == one_after_the_other(run, repo, ours, theirs)
    assert [i["id"] for i in document.load(data_file).items][-2:] == ["US-10", "CN-8"]
    assert git(repo, "status", "--porcelain", "--untracked-files=no").stdout == ""


def test_git_merge_of_different_items_and_fields(run: Any, repo: Path, data_file: Path) -> None:
    ours = [
        ["mark", "US-3", "discussing", "--date", DATE, "--note", "Lighthizer: talks go on"],
        ["edit", "CN-2", "--priority", "high"],
    ]
    theirs = [["mark", "CN-6", "agreed", "--date", DATE], ["edit", "CN-2", "--due", "2018-06-30"]]
    done = diverge(repo, [commands(run, *ours)], [commands(run, *theirs)])
    assert done.returncode == 0, done.stdout + done.stderr
    validates(repo)
    assert data_file.read_text(encoding="utf-8") == one_after_the_other(run, repo, *ours, *theirs)


def test_git_merge_of_history_appended_on_both_sides(run: Any, repo: Path, data_file: Path) -> None:
    ours = [["note", "US-5", "Raised again at dinner", "--date", "2018-05-21"]]
    theirs = [["mark", "US-5", "discussing", "--date", DATE, "--note", "Liu He: open to talks"]]
    done = diverge(repo, [commands(run, *ours)], [commands(run, *theirs)])
    assert done.returncode == 0, done.stdout + done.stderr
    item = document.load(data_file).item("US-5")
    assert item["status"] == "discussing"
    # In date order: theirs' entry of the 20th before our note of the 21st.
    assert [e.get("note") for e in item["history"]][-2:] == ["Liu He: open to talks", "Raised again at dinner"]
    assert data_file.read_text(encoding="utf-8") == one_after_the_other(run, repo, *ours, *theirs)


def test_git_merge_conflict_in_one_field(run: Any, repo: Path, data_file: Path) -> None:
    ours = [["mark", "US-3", "agreed", "--date", DATE]]
    theirs = [["mark", "US-3", "rejected", "--date", DATE], ["note", "CN-1", "ZTE still banned", "--date", DATE]]
    done = diverge(repo, [commands(run, *ours)], [commands(run, *theirs)])
    assert done.returncode == 1, done.stdout + done.stderr
    assert "demands merge-driver: conflict in US-3 status: ours 'agreed', theirs 'rejected'\n" in done.stderr
    assert f"CONFLICT (content): Merge conflict in {NAME}" in done.stdout
    # The file in the work tree is ours plus theirs' other change, and it loads.
    assert data_file.read_text(encoding="utf-8") == one_after_the_other(run, repo, *ours, theirs[1])
    assert document.load(data_file).item("US-3")["status"] == "agreed"
    assert git(repo, "diff", "--name-only", "--diff-filter=U").stdout == f"{NAME}\n"
    validates(repo)


def test_git_merge_of_the_same_id_added_on_both_sides(run: Any, repo: Path, data_file: Path) -> None:
    """Both add CN-8; theirs also adds CN-9 linking to its CN-8 and links US-3 to it: theirs' CN-8 becomes CN-10."""
    ours = ["add", "-p", "cn", "--title", "Lift the ZTE export ban", "--date", DATE]
    theirs = [
        ["add", "-p", "cn", "--title", "Buy more US soybeans", "--date", DATE],
        ["add", "-p", "cn", "--title", "Soybean purchases reviewed quarterly", "--date", DATE],
        ["link", "CN-9", "related", "CN-8"],
        ["link", "US-3", "responds-to", "CN-8"],
    ]
    done = diverge(repo, [commands(run, ours)], [commands(run, *theirs)])
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"demands merge-driver: {NAME}: both sides added CN-8: theirs is renumbered CN-10, and their links to it follow",
        f"demands merge-driver: {NAME}: merged 3 changes from theirs, no conflicts",
    ]
    validates(repo)
    items = {i["id"]: i for i in document.load(data_file).items}
    assert [i for i in items if i.startswith("CN-")][-3:] == ["CN-8", "CN-10", "CN-9"]  # theirs in their order
    assert (items["CN-8"]["title"], items["CN-10"]["title"]) == ("Lift the ZTE export ban", "Buy more US soybeans")
    assert items["CN-9"]["links"] == [{"rel": "related", "id": "CN-10"}]
    assert items["US-3"]["links"][-1] == {"rel": "responds-to", "id": "CN-10"}


def test_git_merge_when_their_version_does_not_load(run: Any, repo: Path, data_file: Path) -> None:
    ours = commands(run, ["mark", "US-3", "agreed", "--date", DATE])
    broken = text_change(data_file, "  - id: CN-7\n", "  - id: CN-7\n   oops: [\n")
    done = diverge(repo, [ours], [broken])
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("demands")]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"demands merge-driver: cannot merge {NAME}: their version does not load (line ")
    assert data_file.read_text(encoding="utf-8") == git(repo, "show", f"HEAD:{NAME}").stdout


def test_git_merge_keeps_every_comment(repo: Path, data_file: Path) -> None:
    """Ours adds comments and changes a field; theirs adds an item under a comment and changes another field."""
    shipped = data_file.read_text(encoding="utf-8")
    cn_7_tags = '    tags: [reciprocity, trade-barriers]\n    status: open\n    source: {doc: seeds/000_d2207b9ab7e38b47.txt, quote: "Beijing'
    us_2 = '    status: contested\n    source: {doc: seeds/000_d2207b9ab7e38b47.txt, quote: "Halt all'
    ours = [
        text_change(data_file, "# Conventions\n", "# Conventions (ours: reviewed 2018-05-20)\n"),
        text_change(data_file, "  - id: CN-5\n", "  # Ours: watch this one.\n  - id: CN-5\n"),
        text_change(data_file, cn_7_tags, cn_7_tags.replace("trade-barriers]", "trade-barriers, wto]")),
    ]
    new_item = (
        "\n"
        "  # Theirs: reported by Reuters on 20 May; not in the seed article.\n"
        "  - id: CN-8\n"
        "    party: cn\n"
        "    of: us\n"
        "    kind: demand\n"
        "    title: Lift the ZTE export ban   # the main ask\n"
        "    status: open\n"
        "    history:\n"
        "      - {date: 2018-05-20, status: open}\n"
    )
    theirs = [
        text_change(
            data_file, us_2, us_2.replace("    status: contested\n", "    status: contested\n    due: 2018-06-01\n")
        ),
        lambda: data_file.write_text(data_file.read_text(encoding="utf-8") + new_item, encoding="utf-8"),
    ]
    done = diverge(repo, ours, theirs)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = edit(shipped, "# Conventions\n", "# Conventions (ours: reviewed 2018-05-20)\n")
    expected = edit(expected, "  - id: CN-5\n", "  # Ours: watch this one.\n  - id: CN-5\n")
    expected = edit(expected, cn_7_tags, cn_7_tags.replace("trade-barriers]", "trade-barriers, wto]"))
    us_2 = "  - id: US-2\n"  # due where theirs wrote it (and add writes it): after the status
    at = expected.index(us_2) + expected[expected.index(us_2) :].index("    status: contested\n")
    expected = (
        expected[:at] + "    status: contested\n    due: 2018-06-01\n" + expected[at + len("    status: contested\n") :]
    )
    assert data_file.read_text(encoding="utf-8") == expected + new_item


def test_git_merge_of_one_item_changed_in_different_fields(run: Any, repo: Path, data_file: Path) -> None:
    ours = [["edit", "US-3", "--priority", "high", "--add-tag", "tariffs"]]
    theirs = [["mark", "US-3", "rejected", "--date", DATE, "--note", "Wang Shouwen: no"]]
    done = diverge(repo, [commands(run, *ours)], [commands(run, *theirs)])
    assert done.returncode == 0, done.stdout + done.stderr
    validates(repo)
    item = document.load(data_file).item("US-3")
    assert (item["priority"], item["status"], item["history"][-1]["note"]) == ("high", "rejected", "Wang Shouwen: no")
    assert "tariffs" in item["tags"]


def use_driver(repo: Path, python: str) -> None:
    git(repo, "config", "merge.demands.driver", driver_command(python))


def test_when_the_registered_python_is_gone_demands_on_path_merges(run: Any, repo: Path, data_file: Path) -> None:
    use_driver(repo, "/gone/venv/bin/python")
    ours = commands(run, ["mark", "US-3", "discussing", "--date", DATE])
    theirs = commands(run, ["note", "CN-2", "ZTE still banned", "--date", DATE])
    done = diverge(repo, [ours], [theirs], path=f"{DEMANDS.parent}:{REDUCED}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "demands merge-driver: /gone/venv/bin/python is gone or lacks tradedemands; running 'demands' from PATH "
        "(run 'demands git-setup' again to register it)",
        f"demands merge-driver: {NAME}: merged 1 change from theirs, no conflicts",
    ]
    validates(repo)
    assert document.load(data_file).item("CN-2")["history"][-1]["note"] == "ZTE still banned"


@pytest.mark.parametrize("python", ["/gone/venv/bin/python", "/usr/bin/python3"])
def test_when_no_driver_can_run_git_says_the_file_holds_ours_only(
    run: Any, repo: Path, data_file: Path, python: str
) -> None:
    """The registered interpreter is gone (or lacks tradedemands) and `demands` is not on PATH."""
    if python == "/usr/bin/python3" and (
        not os.access(python, os.X_OK)
        or subprocess.run([python, "-c", "import tradedemands"], capture_output=True).returncode == 0
    ):
        pytest.skip("no /usr/bin/python3 without tradedemands here")
    use_driver(repo, python)
    ours = commands(run, ["mark", "US-3", "discussing", "--date", DATE])
    theirs = commands(run, ["note", "CN-2", "ZTE still banned", "--date", DATE])
    done = diverge(repo, [ours], [theirs])
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"demands merge-driver: cannot run: {python} is gone or lacks tradedemands, and 'demands' is not on PATH; "
        f"{NAME} holds ours only and theirs is NOT applied: install tradedemands, run 'demands git-setup', "
        f"then redo the merge with: git checkout -m -- {NAME}",
    ]
    assert f"CONFLICT (content): Merge conflict in {NAME}" in done.stdout
    assert data_file.read_text(encoding="utf-8") == git(repo, "show", f"HEAD:{NAME}").stdout
    # As the message says: with the set-up repaired, checkout -m merges again.
    done = demands_cmd("git-setup", cwd=repo, env=ON_PATH)
    assert done.returncode == 0, done.stderr
    git(repo, "checkout", "-m", "--", NAME)
    validates(repo)
    assert document.load(data_file).item("CN-2")["history"][-1]["note"] == "ZTE still banned"
    git(repo, "add", NAME)
    git(repo, "commit", "-q", "--no-edit")


def test_an_interpreter_and_a_file_with_spaces_quotes_and_percent_signs(run: Any, repo: Path, workspace: Path) -> None:
    """git-setup quotes the interpreter for sh (and % for git); git quotes %P itself."""
    odd = workspace / "it's 100% a dir"
    odd.mkdir()
    python = odd / "python"
    python.write_text(f'#!/bin/sh\nexec {shlex.quote(PYTHON)} "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    name = "talks 2018/it's %P.yaml"
    (workspace / "talks 2018").mkdir()
    git(repo, "mv", NAME, name)
    git(repo, "commit", "-q", "-m", "moved")
    path = workspace / name
    assert register(path, python=str(python))[0] == 'added to .gitattributes: "talks 2018/it\'s %P.yaml" merge=demands'
    git(repo, "commit", "-q", "-m", "driver for the new name", ".gitattributes")
    ours = commands(run, ["mark", "US-3", "discussing", "--date", DATE, "--file", str(path)])
    theirs = commands(run, ["note", "CN-2", "ZTE still banned", "--date", DATE, "--file", str(path)])
    done = diverge(repo, [ours], [theirs])
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == f"demands merge-driver: {name}: merged 1 change from theirs, no conflicts\n"
    validates(repo, name)
    doc = document.load(path)
    assert (doc.item("US-3")["status"], doc.item("CN-2")["history"][-1]["note"]) == ("discussing", "ZTE still banned")


def test_git_setup_is_idempotent(workspace: Path) -> None:
    git(workspace, "init", "-q")
    (workspace / ".gitattributes").write_text("*.txt text", encoding="utf-8")
    first = demands_cmd("git-setup", env=ON_PATH)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    driver = f"{shlex.quote(PYTHON)} -m tradedemands merge-driver %O %A %B --path %P (else 'demands' on PATH)"
    assert first.stderr.splitlines() == [
        f"added to .gitattributes: {NAME} merge=demands",
        "git config merge.demands.name 'tradedemands item-by-item merge'",
        f"git config merge.demands.driver {driver}",
    ]
    again = demands_cmd("git-setup", env=ON_PATH)
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines() == [
        f".gitattributes: {NAME} has merge=demands already",
        "git config merge.demands.name: 'tradedemands item-by-item merge' already",
        f"git config merge.demands.driver: {driver} already",
    ]
    assert (workspace / ".gitattributes").read_text(encoding="utf-8") == f"*.txt text\n{NAME} merge=demands\n"
    assert git(workspace, "config", "--local", "merge.demands.driver").stdout == driver_command(PYTHON) + "\n"


def test_git_setup_replacing_an_older_driver_says_what_it_was(workspace: Path) -> None:
    git(workspace, "init", "-q")
    git(workspace, "config", "merge.demands.driver", "demands merge-driver %O %A %B --path %P")
    done = demands_cmd("git-setup", env=ON_PATH)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"git config merge.demands.driver {shlex.quote(PYTHON)} -m tradedemands merge-driver %O %A %B --path %P "
        "(else 'demands' on PATH) (was 'demands merge-driver %O %A %B --path %P')"
    )


def test_git_setup_names_a_file_anywhere_in_the_repository(run: Any, workspace: Path) -> None:
    git(workspace, "init", "-q")
    (workspace / "talks 2018").mkdir()
    shutil.copy(workspace / "data" / "demands.yaml", workspace / "talks 2018" / "g7*.yaml")
    r = run("git-setup", "--file", "talks 2018/g7*.yaml")
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines()[0] == 'created .gitattributes: "talks 2018/g7\\\\*.yaml" merge=demands'
    attr = git(workspace, "check-attr", "merge", "--", "talks 2018/g7*.yaml", "talks 2018/g7x.yaml").stdout
    assert attr == "talks 2018/g7*.yaml: merge: demands\ntalks 2018/g7x.yaml: merge: unspecified\n"


def test_git_setup_outside_a_repository(run: Any, workspace: Path) -> None:
    r = run("git-setup", env={"GIT_CEILING_DIRECTORIES": str(workspace)})
    assert r.exit_code == 1, r.output
    assert r.stderr == (
        f"demands: {workspace / 'data'} is not in a git repository; "
        "run 'git init' there first, or pass --file with a file in a repository\n"
    )
    assert not (workspace / ".gitattributes").exists()
