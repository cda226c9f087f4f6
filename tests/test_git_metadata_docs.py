"""A ``source.doc`` in git's metadata gets the refusal a file outside the project gets.

``.git/config`` holds CI credentials (``http.<url>.extraheader``) after ``actions/checkout``:
the answer must be the same line whatever the file holds and whether it exists, for the
project's own ``.git``, a nested repository's, a separate git folder, a submodule's and a
worktree's. A source folder the user may not read is said to be so (inside the project).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DEMANDS
from tradedemands import sources

ITEM = "  - {{id: A-{n}, party: a, title: t, status: open, source: {{doc: {doc}, quote: {quote}}}}}\n"
SECRET = "AUTHORIZATION: basic c2VjcmV0dG9rZW4="


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def validate(repo: Path, docs: list[tuple[str, str]]) -> list[str]:
    """`demands validate` (the installed command) on a file citing each (doc, quote): its lines."""
    path = repo / "data" / "demands.yaml"
    path.parent.mkdir(exist_ok=True)
    items = "".join(ITEM.format(n=n, doc=json.dumps(d), quote=json.dumps(q)) for n, (d, q) in enumerate(docs, 1))
    path.write_text(f"version: 1\nparties: {{a: {{name: A}}}}\ndemands:\n{items}", encoding="utf-8")
    done = subprocess.run(
        [str(DEMANDS), "validate", "-f", str(path)], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    return [line.split(": ", 1)[1] for line in done.stderr.splitlines()]


def refused(n: int, doc: str, repo: Path) -> str:
    return f"A-{n} source.doc: document '{doc}' is outside the project ({repo}); source documents must be inside it"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    git(folder, "config", "http.https://github.com/.extraheader", SECRET)
    return folder


def test_the_projects_git_config_is_no_oracle(repo: Path) -> None:
    right, wrong = SECRET[:24], SECRET[:23] + "X"
    assert validate(repo, [("../.git/config", right), ("../.git/config", wrong), ("../.git/no-such-file", "x")]) == [
        # One refusal per document (said where it is first cited), the same whatever it holds.
        refused(1, "../.git/config", repo) + " (also cited by 1 other: A-2)",
        refused(3, "../.git/no-such-file", repo),
    ]


def test_git_metadata_at_any_depth_and_in_any_case(repo: Path) -> None:
    nested = repo / "vendor" / "lib"
    nested.mkdir(parents=True)
    git(nested, "init", "-q")
    git(nested, "config", "user.secret", "s3cret")
    (repo / "seeds").mkdir()
    (repo / "seeds" / "cfg").symlink_to("../.git/config")
    docs = ["../vendor/lib/.git/config", "../.GIT/config", ".git/config", "../seeds/cfg", "../.git./config"]
    assert validate(repo, [(d, "s3cret") for d in docs]) == [refused(n, d, repo) for n, d in enumerate(docs, 1)]


def test_a_separate_git_folder_and_a_gitdir_file_inside_the_project(tmp_path: Path) -> None:
    """`git init --separate-git-dir` inside the work tree: a `.git` file names it; git's own rule
    (HEAD beside objects/ and refs/) also tells it is a repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", f"--separate-git-dir={repo / 'meta'}")
    git(repo, "config", "user.secret", "s3cret")
    assert (repo / ".git").is_file()
    assert validate(repo, [("../meta/config", "s3cret"), ("../meta/HEAD", "ref")]) == [
        refused(1, "../meta/config", repo),
        refused(2, "../meta/HEAD", repo),
    ]


def test_a_submodules_git_folder(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    git(other, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "sub")
    assert (repo / "sub" / ".git").is_file()
    docs = ["../.git/modules/sub/config", "../sub/.git"]
    assert validate(repo, [(d, "gitdir") for d in docs]) == [refused(n, d, repo) for n, d in enumerate(docs, 1)]


def test_a_worktrees_git_folder_is_outside_its_project(repo: Path, tmp_path: Path) -> None:
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x")
    tree = tmp_path / "tree"
    git(repo, "worktree", "add", "-q", str(tree))
    assert validate(tree, [("../.git", "gitdir"), (f"../../repo/.git/worktrees/{tree.name}/HEAD", "ref")]) == [
        refused(1, "../.git", tree),
        refused(2, f"../../repo/.git/worktrees/{tree.name}/HEAD", tree),
    ]


def test_a_work_tree_file_beside_git_metadata_is_read(repo: Path) -> None:
    """Only metadata is refused: `.github/`, `.gitignore` and a folder named `objects` are files of the project."""
    (repo / ".github").mkdir()
    (repo / ".github" / "notes.txt").write_text("the quote is here\n", encoding="utf-8")
    (repo / "objects").mkdir()
    (repo / "objects" / "a.txt").write_text("another quote\n", encoding="utf-8")
    assert validate(repo, [("../.github/notes.txt", "the quote is here"), ("../objects/a.txt", "nope")]) == [
        "A-2 source.quote: quote not found in ../objects/a.txt"
    ]


def test_in_git_metadata_decides_from_names_and_folders(tmp_path: Path) -> None:
    top = str(tmp_path)
    (tmp_path / "bare" / "objects").mkdir(parents=True)
    (tmp_path / "bare" / "refs").mkdir()
    (tmp_path / "bare" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    assert sources.in_git_metadata(f"{top}/.git/config", top)
    assert sources.in_git_metadata(f"{top}/a/.Git/x", top)
    assert sources.in_git_metadata(f"{top}/bare/config", top)
    assert not sources.in_git_metadata(f"{top}/bare", top)  # the folder itself is no document
    assert not sources.in_git_metadata(f"{top}/seeds/a.txt", top)
    assert not sources.in_git_metadata(f"{top}/.gitignore", top)


def test_a_source_folder_without_permission_is_said_to_be_so(workspace: Path) -> None:
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root, and setpriv (to drop CAP_DAC_OVERRIDE) is not installed")
        prefix = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--"]
    (workspace / "seeds").chmod(0o000)
    try:
        done = subprocess.run(
            [*prefix, str(DEMANDS), "validate"], cwd=workspace, capture_output=True, text=True, timeout=60
        )
    finally:
        (workspace / "seeds").chmod(0o755)
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and lines, done.stderr
    assert len(lines) == 1, lines
    assert (
        " source.doc: document 'seeds/000_d2207b9ab7e38b47.txt' cannot be read (Permission denied on the folder 'seeds')"
        " (also cited by 19 others: " in lines[0]
    ), lines
