"""source.doc reads only regular files inside the project: ``validate`` is no oracle on the machine.

Each refusal is one line whose wording does not depend on what the named file holds, nor on
whether it exists: the same line whether the quote would have matched or not.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import demands_cmd
from tradedemands import sources

FILE = """\
version: 1
parties:
  us: {{name: United States}}
demands:
  - id: US-1
    party: us
    title: Sourced
    status: open
    source: {{doc: {doc}, quote: {quote}}}
"""


def project(root: Path, doc: str, quote: str = "anything", where: str = "data/demands.yaml") -> Path:
    """A data file at ``root/where`` whose one item cites ``doc`` for ``quote``."""
    path = root / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FILE.format(doc=json.dumps(doc), quote=json.dumps(quote)), encoding="utf-8")
    return path


def problems(run, path: Path) -> list[str]:
    r = run("validate", "-f", str(path), "-o", "json")
    assert r.exit_code in (0, 1), r.output
    return [p["message"] for p in json.loads(r.stdout)[0]["problems"]]


def same_answer_whatever_it_holds(run, root: Path, doc: str, secret_quote: str) -> list[str]:
    """The problems for a quote the file holds and for one it does not: they must be equal."""
    holds = problems(run, project(root, doc, secret_quote))
    lacks = problems(run, project(root, doc, "certainly not in there"))
    assert holds == lacks
    return holds


def test_absolute_path_is_refused_whatever_it_holds(run, workspace: Path) -> None:
    root = workspace / "talks"
    for doc in ("/etc/passwd", "/proc/self/environ", "/no/such/file"):
        assert same_answer_whatever_it_holds(run, root, doc, "root:") == [
            f"US-1 source.doc: document '{doc}' is an absolute path; name a file inside the project "
            f"({root}), relative to the data file"
        ]


def test_dotdot_leaving_the_project_is_refused(run, workspace: Path) -> None:
    root = workspace / "talks"
    (workspace / "secret.txt").write_text("CI_TOKEN=hunter2\n", encoding="utf-8")
    for doc in ("../secret.txt", "../../../../../etc/passwd", "../no-such-file.txt", "seeds/../../secret.txt"):
        assert same_answer_whatever_it_holds(run, root, doc, "CI_TOKEN=hunter2") == [
            f"US-1 source.doc: document '{doc}' is outside the project ({root}); source documents must be inside it"
        ]


def test_symlink_leaving_the_project_is_refused(run, workspace: Path) -> None:
    root = workspace / "talks"
    (workspace / "secret.txt").write_text("CI_TOKEN=hunter2\n", encoding="utf-8")
    root.mkdir()
    (root / "leak.txt").symlink_to(workspace / "secret.txt")
    (root / "dangling.txt").symlink_to(workspace / "nothing-here.txt")
    (root / "etc").symlink_to("/etc")
    for doc in ("leak.txt", "dangling.txt", "etc/passwd", "etc/no-such-file"):
        assert same_answer_whatever_it_holds(run, root, doc, "CI_TOKEN=hunter2") == [
            f"US-1 source.doc: document '{doc}' is outside the project ({root}); source documents must be inside it"
        ]


def test_no_walking_up_past_the_project(run, workspace: Path) -> None:
    """A relative doc was once found in any folder up to /; now the search stops at the project."""
    (workspace / "above.txt").write_text("the quote\n", encoding="utf-8")
    root = workspace / "talks"
    assert problems(run, project(root, "above.txt", "the quote")) == ["US-1 source.doc: document 'above.txt' not found"]


def test_the_project_is_the_git_work_tree(run, workspace: Path) -> None:
    """Inside a git work tree a doc is found from the data file's folder up to the top, not beyond."""
    repo = workspace / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sources").mkdir()
    (repo / "sources" / "article.txt").write_text("Talks ended\nwith no deal.\n", encoding="utf-8")
    (workspace / "outside.txt").write_text("Talks ended\n", encoding="utf-8")
    deep = "negotiations/2018/beijing.yaml"
    assert problems(run, project(repo, "sources/article.txt", "Talks ended with no deal.", deep)) == []
    assert problems(run, project(repo, "../outside.txt", "Talks ended", deep)) == [
        f"US-1 source.doc: document '../outside.txt' is outside the project ({repo}); source documents must be inside it"
    ]
    assert sources.project_root(repo / "negotiations" / "2018") == repo.resolve()


def test_project_without_git(workspace: Path) -> None:
    (workspace / "a" / "data").mkdir(parents=True)
    (workspace / "b").mkdir()
    assert sources.project_root(workspace / "a" / "data") == (workspace / "a").resolve()
    assert sources.project_root(workspace / "b") == (workspace / "b").resolve()


def test_fifo_device_and_huge_file_are_refused_unread(run, workspace: Path) -> None:
    """Inside the project, still only a regular file of at most 64 MiB; none of these is opened or read."""
    root = workspace / "talks"
    root.mkdir()
    os.mkfifo(root / "pipe.txt")
    with open(root / "huge.txt", "wb") as handle:  # sparse: no disk used
        handle.truncate(64 * 1024 * 1024 + 1)
    device = root / "zero.txt"
    try:
        os.mknod(device, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero's numbers
    except (PermissionError, OSError):
        device = None  # type: ignore[assignment]
    path = project(root, "pipe.txt")
    text = path.read_text(encoding="utf-8")
    cases = {
        "pipe.txt": "is a FIFO (named pipe), not a regular file",
        "huge.txt": "is larger than 64 MiB",
        "data": "is a directory, not a regular file",
    }
    if device is not None:
        cases["zero.txt"] = "is a character device, not a regular file"
    for doc, reason in cases.items():
        path.write_text(text.replace('"pipe.txt"', json.dumps(doc)), encoding="utf-8")
        if doc == "pipe.txt":
            # A real process with a timeout: a FIFO opened for reading would block it forever.
            done = demands_cmd("validate", "-f", str(path), cwd=workspace, timeout=20)
            code, err = done.returncode, done.stderr
        else:
            result = run("validate", "-f", str(path))
            code, err = result.exit_code, result.stderr
        assert (code, err) == (1, f"{path}:9:14: US-1 source.doc: document '{doc}' {reason}\n")


def test_unreadable_and_not_text(run, workspace: Path) -> None:
    root = workspace / "talks"
    root.mkdir()
    (root / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    assert problems(run, project(root, "latin1.txt")) == ["US-1 source.doc: document 'latin1.txt' is not UTF-8 text"]


def test_proc_file_through_a_symlink_is_refused(run, workspace: Path) -> None:
    """The attack of the issue: /proc/self/environ holds CI secrets; the answer must not depend on them."""
    root = workspace / "talks"
    root.mkdir()
    (root / "env.txt").symlink_to("/proc/self/environ")
    key = next(iter(os.environ))
    assert same_answer_whatever_it_holds(run, root, "env.txt", f"{key}=") == [
        f"US-1 source.doc: document 'env.txt' is outside the project ({root}); source documents must be inside it"
    ]


def test_writes_check_sources_the_same_way(run, data_file: Path, workspace: Path) -> None:
    before = data_file.read_bytes()
    r = run("add", "-p", "us", "--title", "x", "--source-doc", "/etc/passwd", "--source-quote", "root:x:0:0")
    assert r.exit_code == 1, r.output
    assert r.stderr == (
        "demands: refusing to write: US-10 source.doc: document '/etc/passwd' is an absolute path; "
        f"name a file inside the project ({workspace}), relative to the data file; nothing was changed\n"
    )
    assert data_file.read_bytes() == before


def test_the_shipped_file_still_validates_in_a_git_clone(run, workspace: Path, data_file: Path) -> None:
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    r = run("validate")
    assert (r.exit_code, r.stderr) == (0, f"{data_file}: valid (17 items)\n")


@pytest.mark.parametrize("doc", ["", "a\0b"])
def test_odd_names(doc: str, workspace: Path) -> None:
    found = sources.resolve_doc(doc, workspace)
    assert isinstance(found, str)
