"""demands edit ID (no field option) and demands add --edit: the item in $VISUAL/$EDITOR, driven by scripts."""

from __future__ import annotations

import os
import shlex
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from conftest import DEMANDS, demands_cmd

TODAY = date.today().isoformat()


def editor(workspace: Path, body: str) -> dict[str, str]:
    """An $EDITOR that runs ``body`` (Python) with ``path`` the file to edit, ``text`` its text and
    ``n`` the how-manieth opening this is (from 0); it keeps each buffer it was given in buffers/."""
    script = workspace / "editor.py"
    script.write_text(
        textwrap.dedent(
            """\
            import pathlib, sys
            path = pathlib.Path(sys.argv[1])
            text = path.read_text(encoding="utf-8")
            seen = pathlib.Path(__file__).with_name("buffers")
            seen.mkdir(exist_ok=True)
            n = len(list(seen.iterdir()))
            (seen / f"{n}.yaml").write_text(text, encoding="utf-8")
            (seen.parent / "temp-path").write_text(str(path), encoding="utf-8")
            (seen.parent / "temp-mode").write_text(oct(path.stat().st_mode & 0o777), encoding="utf-8")
            """
        )
        + textwrap.dedent(body),
        encoding="utf-8",
    )
    # A command with arguments, as EDITOR="code --wait" is: split as a shell splits it.
    return {"EDITOR": f"{shlex.quote(sys.executable)} -I {shlex.quote(str(script))}", "VISUAL": ""}


def buffers(workspace: Path) -> list[str]:
    folder = workspace / "buffers"
    return [(folder / f"{n}.yaml").read_text(encoding="utf-8") for n in range(len(list(folder.iterdir())))]


def test_a_valid_edit_changes_only_that_line(workspace: Path, data_file: Path) -> None:
    env = editor(
        workspace, 'path.write_text(text.replace("topic: trade-barriers", "topic: tariffs"), encoding="utf-8")\n'
    )
    before = data_file.read_text(encoding="utf-8")
    r = demands_cmd("edit", "us-7", cwd=workspace, env=env)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "US-7: changed topic\n")
    assert data_file.read_text(encoding="utf-8") == before.replace(
        "    topic: trade-barriers\n", "    topic: tariffs\n", 1
    )
    [shown] = buffers(workspace)
    assert (
        shown.startswith("# US-7 in ") and "\nid: US-7\n" in shown and "\ntitle: Cut tariffs to the US level\n" in shown
    )
    temp = Path((workspace / "temp-path").read_text(encoding="utf-8"))
    assert not temp.exists(), "the temporary file was left behind"
    assert data_file.parent not in temp.parents and workspace not in temp.parents  # never beside the data
    assert (workspace / "temp-mode").read_text(encoding="utf-8") == "0o600"
    assert demands_cmd("undo", cwd=workspace).stderr == "undid: edit US-7\n"
    assert data_file.read_text(encoding="utf-8") == before


def test_an_invalid_save_reopens_with_the_problems_and_is_fixed(workspace: Path, data_file: Path) -> None:
    env = editor(
        workspace,
        """\
        if n == 0:
            text = text.replace("status: open", "status: agred", 1).replace("priority: high", "priority: urgent")
        else:
            text = text.replace("status: agred", "status: agreed").replace("priority: urgent", "priority: high")
        path.write_text(text, encoding="utf-8")
        """,
    )
    before = data_file.read_text(encoding="utf-8")
    r = demands_cmd("edit", "CN-1", cwd=workspace, env=env)
    assert (r.returncode, r.stderr) == (0, "CN-1: changed status, history\n"), r.stderr
    first, second = buffers(workspace)
    header = second.split("\nid: ", 1)[0].splitlines()
    lines = second.splitlines()
    assert header[0] == "# CN-1 was not saved: fix what is below and save, or quit without saving to give up."
    assert header[-1] == "#"
    problems = header[1:-1]
    assert len(problems) == 2, header
    for problem in problems:
        where, _, message = problem.removeprefix("#   line ").partition(": ")
        # Each problem names the line it is on in the text below it.
        assert lines[int(where) - 1].startswith(message.split(":")[0] + ":"), (problem, lines[int(where) - 1])
    assert problems == [
        "#   line 13: priority: unknown priority 'urgent'; use one of: high, medium, low",
        "#   line 14: status: unknown status 'agred' (did you mean 'agreed'?); use one of: open, discussing, contested, agreed, "
        "partial, met, rejected, withdrawn",
    ]
    assert second.endswith(
        first.split("\nid: ", 1)[1]
        .replace("status: open", "status: agred", 1)
        .replace("priority: high", "priority: urgent")
    )
    after = data_file.read_text(encoding="utf-8")
    assert after.count("\n") == before.count("\n") + 1
    assert f"      - {{date: {TODAY}, status: agreed}}\n" in after


def test_an_unchanged_buffer_changes_nothing(workspace: Path, data_file: Path) -> None:
    env = editor(workspace, "")
    before = data_file.read_bytes()
    r = demands_cmd("edit", "US-1", cwd=workspace, env=env)
    assert (r.returncode, r.stderr) == (0, "US-1: nothing changed\n")
    assert data_file.read_bytes() == before
    assert demands_cmd("undo", cwd=workspace).stderr.startswith("demands: nothing to undo")


def test_an_emptied_buffer_aborts(workspace: Path, data_file: Path) -> None:
    env = editor(workspace, 'path.write_text("# nothing\\n\\n", encoding="utf-8")\n')
    before = data_file.read_bytes()
    r = demands_cmd("edit", "US-1", cwd=workspace, env=env)
    assert (r.returncode, r.stderr) == (1, "demands: aborted: the text was emptied; nothing was changed\n")
    assert data_file.read_bytes() == before


def test_giving_up_after_problems_changes_nothing(workspace: Path, data_file: Path) -> None:
    env = editor(
        workspace, 'path.write_text(text.replace("kind: demand", "kind: wish") if n == 0 else text, encoding="utf-8")\n'
    )
    before = data_file.read_bytes()
    r = demands_cmd("edit", "US-2", cwd=workspace, env=env)
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines()[-1] == "demands: US-2 was not saved: the problems above remain; nothing was changed"
    assert "kind: unknown kind 'wish'" in r.stderr
    assert data_file.read_bytes() == before
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("demands-US-2-*.yaml"))


def test_the_id_cannot_be_changed(workspace: Path, data_file: Path) -> None:
    env = editor(
        workspace, 'path.write_text(text.replace("id: US-2", "id: US-22") if n == 0 else text, encoding="utf-8")\n'
    )
    r = demands_cmd("edit", "US-2", cwd=workspace, env=env)
    assert r.returncode == 1
    assert "US-2: the id stays US-2: links and history name it" in r.stderr


def test_the_editor_failing_or_missing(workspace: Path, data_file: Path) -> None:
    before = data_file.read_bytes()
    r = demands_cmd("edit", "US-1", cwd=workspace, env={"EDITOR": "false", "VISUAL": ""})
    assert (r.returncode, r.stderr) == (1, "demands: the editor (false) exited with status 1; nothing was changed\n")
    r = demands_cmd("edit", "US-1", cwd=workspace, env={"EDITOR": "no-such-editor --wait", "VISUAL": ""})
    assert r.stderr == (
        "demands: cannot run the editor 'no-such-editor': No such file or directory; "
        "set VISUAL or EDITOR to one that is installed\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    import subprocess

    from conftest import DEMANDS

    done = subprocess.run(
        [str(DEMANDS), "edit", "US-1"], cwd=workspace, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert (done.returncode, done.stderr) == (
        1,
        "demands: no editor to open (not on a terminal, and $VISUAL and $EDITOR are unset): set EDITOR "
        "(like EDITOR=nano), or give the fields as options (see --help)\n",
    )
    assert data_file.read_bytes() == before


def test_visual_wins_over_editor(workspace: Path, data_file: Path) -> None:
    env = editor(workspace, 'path.write_text(text.replace("priority: high", "priority: low"), encoding="utf-8")\n')
    r = demands_cmd("edit", "US-1", cwd=workspace, env={"VISUAL": env["EDITOR"], "EDITOR": "false"})
    assert (r.returncode, r.stderr) == (0, "US-1: changed priority\n")


def test_edit_dry_run_shows_the_diff(workspace: Path, data_file: Path) -> None:
    env = editor(workspace, 'path.write_text(text.replace("priority: high", "priority: low"), encoding="utf-8")\n')
    before = data_file.read_bytes()
    r = demands_cmd("edit", "US-1", "--dry-run", cwd=workspace, env=env)
    assert (r.returncode, r.stderr) == (0, "dry run: US-1: changed priority\n")
    assert "-    priority: high\n+    priority: low\n" in r.stdout
    assert data_file.read_bytes() == before


def test_add_edit_opens_a_template(workspace: Path, data_file: Path) -> None:
    env = editor(
        workspace, 'path.write_text(text.replace("title:\\n", "title: Lift the ZTE export ban\\n"), encoding="utf-8")\n'
    )
    before = data_file.read_text(encoding="utf-8")
    r = demands_cmd("add", "--edit", "--party", "China", "--tag", "zte", cwd=workspace, env=env)
    assert (r.returncode, r.stdout, r.stderr) == (0, "CN-8\n", "added CN-8\n")
    [template] = buffers(workspace)
    assert "\nparty: cn\n" in template and "\ntags: [zte]\n" in template and "\ntitle:\n" in template
    assert data_file.read_text(encoding="utf-8") == before + (
        "  - id: CN-8\n    party: cn\n    kind: demand\n    title: Lift the ZTE export ban\n    tags: [zte]\n"
        f"    status: open\n    history:\n      - {{date: {TODAY}, status: open}}\n"
    )


def test_add_edit_left_unchanged_adds_nothing(workspace: Path, data_file: Path) -> None:
    before = data_file.read_bytes()
    r = demands_cmd("add", "--edit", cwd=workspace, env=editor(workspace, ""))
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "demands: no item added: the text was saved unchanged\n")
    assert data_file.read_bytes() == before


def test_add_without_party_or_title_says_what_to_give(run) -> None:
    r = run("add", "--title", "x")
    assert (r.exit_code, r.stderr) == (
        2,
        "demands: missing option --party: give --party and --title, or --edit to write the item in your editor\n",
    )


@pytest.mark.parametrize("sig", ["TERM", "HUP"])
def test_a_signal_while_the_editor_runs_removes_the_temporary_file(workspace: Path, data_file: Path, sig: str) -> None:
    import signal
    import subprocess
    import time

    from conftest import DEMANDS

    env = {**os.environ, **editor(workspace, "import time; time.sleep(30)\n")}
    before = data_file.read_bytes()
    proc = subprocess.Popen([str(DEMANDS), "edit", "US-1"], cwd=workspace, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (workspace / "temp-path").exists():
        time.sleep(0.02)
    temp = Path((workspace / "temp-path").read_text(encoding="utf-8"))
    assert temp.exists()
    proc.send_signal(getattr(signal, f"SIG{sig}"))
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + getattr(signal, f"SIG{sig}"), err
    assert err == "demands: interrupted\n"
    assert not temp.exists()
    assert data_file.read_bytes() == before


def test_a_write_made_while_editing_is_kept(workspace: Path, data_file: Path) -> None:
    """Another command marks the item while its text is open: the edit lands, and so does the mark."""
    env = editor(
        workspace,
        f"""\
        import subprocess
        subprocess.run([{str(DEMANDS)!r}, "mark", "US-7", "discussing", "--date", "2018-05-17"], check=True)
        path.write_text(text.replace("topic: trade-barriers", "topic: tariffs"), encoding="utf-8")
        """,
    )
    r = demands_cmd("edit", "US-7", cwd=workspace, env=env)
    assert (r.returncode, r.stderr) == (0, "US-7: open -> discussing\nUS-7: changed topic\n"), r.stderr
    text = data_file.read_text(encoding="utf-8")
    assert "    topic: tariffs\n" in text and "      - {date: 2018-05-17, status: discussing}\n" in text
    assert "    status: discussing\n" in text


def test_a_field_changed_both_ways_is_said_and_saving_again_keeps_yours(workspace: Path, data_file: Path) -> None:
    env = editor(
        workspace,
        f"""\
        import subprocess
        if n == 0:
            subprocess.run([{str(DEMANDS)!r}, "edit", "US-7", "--title", "Theirs"], check=True)
            path.write_text(text.replace("title: Cut tariffs to the US level", "title: Mine"), encoding="utf-8")
        """,
    )
    r = demands_cmd("edit", "US-7", cwd=workspace, env=env)
    assert (r.returncode, r.stderr) == (0, "US-7: changed title\nUS-7: changed title\n"), r.stderr
    second = buffers(workspace)[1]
    assert (
        second.splitlines()[1] == "#   line 8: title: changed in the file while you edited it; save again to keep yours"
    )
    assert "    title: Mine\n" in data_file.read_text(encoding="utf-8")


def test_add_edit_puts_every_option_given_in_the_template(run, workspace: Path, data_file: Path) -> None:
    env = editor(
        workspace, 'path.write_text(text.replace("title:\\n", "title: Quarterly review\\n"), encoding="utf-8")\n'
    )
    quote = "Meet every quarter to review progress"
    r = run(
        "add", "-e", "-p", "us", "--date", "2018-05-04", "--round", "beijing-2018-05",
        "--source-doc", "seeds/000_d2207b9ab7e38b47.txt", "--source-quote", "meet every quarter", env=env,
    )  # fmt: skip
    assert (r.exit_code, r.stdout) == (0, "US-10\n"), r.output
    [template] = buffers(workspace)
    assert (
        "\nsource:\n  doc: seeds/000_d2207b9ab7e38b47.txt\n  quote: meet every quarter\n  date: 2018-05-04\n"
        in template
    )
    assert template.endswith("status: open\nhistory:\n  - {date: 2018-05-04, status: open, round: beijing-2018-05}\n")
    added = data_file.read_text(encoding="utf-8").split("  - id: US-10\n")[1]
    assert "      - {date: 2018-05-04, status: open, round: beijing-2018-05}\n" in added and quote not in added
