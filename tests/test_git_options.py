"""Nothing a user types reaches git as an option: revisions go after --end-of-options, and a
revision that begins with '-' is refused before git runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from safety_helpers import snapshot


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(workspace: Path) -> Path:
    git(workspace, "init", "-q")
    git(workspace, "add", "data", "seeds")
    git(workspace, "commit", "-q", "-m", "data set")
    return workspace


@pytest.mark.parametrize(
    "spec",
    ["--output=/tmp/x:data/demands.yaml", "--output=/tmp/x", "-p", "--exec=touch pwned:data/demands.yaml"],
)
def test_revision_that_looks_like_an_option(run, repo: Path, spec: str) -> None:
    before = snapshot(repo)
    r = run("diff", "--", spec)
    assert r.exit_code == 2, r.output
    assert r.stderr == (
        f"demands: {spec!r} is not a file, and a revision cannot begin with '-'; to name a file that does, "
        "write ./ before it\n"
    )
    assert snapshot(repo) == before


def test_rev_colon_path_whose_revision_begins_with_dash(run, repo: Path) -> None:
    r = run("diff", "--", "HEAD", "-x:data/demands.yaml")
    assert (r.exit_code, r.stderr) == (
        2,
        "demands: '-x:data/demands.yaml' is not a file, and a revision cannot begin with '-'; "
        "to name a file that does, write ./ before it\n",
    )


def test_a_file_whose_name_begins_with_dash_is_still_a_file(run, repo: Path, data_file: Path) -> None:
    (repo / "-old.yaml").write_bytes(data_file.read_bytes())
    r = run("diff", "--", "-old.yaml")
    assert (r.exit_code, r.stderr) == (0, ""), r.output
    assert r.stdout.endswith("no differences\n")


def test_every_revision_reaches_git_after_end_of_options(run, repo: Path, workspace: Path) -> None:
    """A git on PATH that logs its arguments: each user-supplied revision comes after --end-of-options."""
    shim = workspace / "bin"
    shim.mkdir()
    log = workspace / "git.log"
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    (shim / "git").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    (shim / "git").chmod(0o755)
    git(repo, "tag", "v1")
    env = {"PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    for spec in ("v1", "HEAD:data/demands.yaml", "HEAD:./data/demands.yaml"):
        r = run("diff", spec, env=env)
        assert r.exit_code == 0, r.output
    calls = log.read_text(encoding="utf-8").splitlines()
    with_revisions = [c for c in calls if "rev-parse --show-toplevel" not in c]
    assert with_revisions, calls
    for call in with_revisions:
        words = call.split()
        assert "--end-of-options" in words, call
        assert words.index("--end-of-options") == len(words) - 2, call  # the revision is the last word
    r = run("diff", "nosuchrev")
    assert (r.exit_code, r.stderr) == (
        1,
        f"demands: unknown revision 'nosuchrev': not a commit, branch or tag in {repo.resolve()}\n",
    )
