"""Every read takes a regular file only, never blocks, and never reads past its bound; no error
quotes more than about 200 characters of what it read.

Real processes throughout: a FIFO that blocked would hang the test, so each has a timeout that
fails it instead; /dev/zero runs under an address-space limit (``resource.setrlimit`` in the
child), so reading it whole would fail with a MemoryError instead of eating the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest

from conftest import DEMANDS, demands_cmd
from safety_helpers import snapshot, temporaries

#: Enough for the tool (about 20 MB resident), far too little for an unbounded read of /dev/zero.
MEMORY = 400 * 1024 * 1024


def limited(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    return subprocess.run(
        [str(DEMANDS), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=20,
        preexec_fn=cap,
    )


def test_dev_zero_as_the_data_file_or_a_version(run, workspace: Path) -> None:
    before = snapshot(workspace)
    for command in (["list", "-f", "/dev/zero"], ["note", "US-1", "x", "-f", "/dev/zero"], ["diff", "/dev/zero"]):
        r = limited(*command, cwd=workspace)
        assert (r.returncode, r.stdout) == (1, ""), r.stderr
        assert r.stderr == "demands: /dev/zero: is a character device, not a demands file\n"
    for command in (["validate", "/dev/zero"], ["export", "-f", "/dev/zero"]):
        r = run(*command)
        assert r.exit_code == 1
        assert r.stderr.endswith("/dev/zero: is a character device, not a demands file\n"), r.output
    assert snapshot(workspace) == before


def test_fifo_as_the_data_file(run, workspace: Path) -> None:
    fifo = workspace / "data" / "pipe.yaml"
    os.mkfifo(fifo)
    before = snapshot(workspace)
    for command in (["list"], ["note", "US-1", "x"]):
        r = demands_cmd(*command, "-f", str(fifo), cwd=workspace, timeout=20)  # fails the test, never hangs it
        assert (r.returncode, r.stderr) == (1, f"demands: {fifo}: is a FIFO (named pipe), not a demands file\n")
    r = run("validate", str(fifo))
    assert (r.exit_code, r.stderr) == (1, f"demands: {fifo}: is a FIFO (named pipe), not a demands file\n")
    r = run("undo", "-f", str(fifo))
    assert (r.exit_code, r.stderr) == (1, f"demands: nothing to undo: no write by demands to {fifo} is recorded\n")
    assert snapshot(workspace) == before


def test_fifo_as_a_diff_version_and_merge_input(run, workspace: Path, data_file: Path) -> None:
    fifo = workspace / "pipe.yaml"
    os.mkfifo(fifo)
    r = run("diff", str(fifo))
    assert (r.exit_code, r.stderr) == (1, f"demands: {fifo}: is a FIFO (named pipe), not a demands file\n")
    ours = workspace / "ours.yaml"
    ours.write_bytes(data_file.read_bytes())
    before = snapshot(workspace)
    r = demands_cmd("merge-driver", str(fifo), str(ours), str(data_file), cwd=workspace, timeout=20)
    assert r.returncode == 1
    assert r.stderr == (
        f"demands merge-driver: cannot merge {ours}: {fifo}: is a FIFO (named pipe), not a demands file; "
        f"{ours} holds ours only and theirs is NOT applied: merge it by hand (git show :3:{ours} shows theirs)\n"
    )
    assert snapshot(workspace) == before


def test_a_directory(run, workspace: Path) -> None:
    r = run("list", "-f", str(workspace))
    assert (r.exit_code, r.stderr) == (1, f"demands: {workspace}: is a directory, not a demands file\n")


def test_proc_file_claims_size_zero_but_is_still_bounded(run) -> None:
    """/proc files report st_size 0: the bound is on the bytes read, not on what stat says."""
    r = run("list", "-f", "/proc/self/maps", env={"DEMANDS_MAX_BYTES": "100"})
    assert (r.exit_code, r.stderr) == (
        1,
        "demands: /proc/self/maps: larger than the limit of 100 bytes; set DEMANDS_MAX_BYTES to allow it\n",
    )


def test_file_over_the_bound_is_refused_unread(run, workspace: Path, data_file: Path) -> None:
    size = data_file.stat().st_size
    env = {"DEMANDS_MAX_BYTES": str(size - 1)}
    for command in (["list"], ["note", "US-1", "x"], ["diff", str(data_file), str(data_file)]):
        before = snapshot(workspace)
        r = run(*command, env=env)
        assert (r.exit_code, r.stderr) == (
            1,
            f"demands: {data_file}: larger than the limit of {size - 1:,} bytes; set DEMANDS_MAX_BYTES to allow it\n",
        )
        assert snapshot(workspace) == before
    assert run("list", env={"DEMANDS_MAX_BYTES": str(size)}).exit_code == 0


def test_git_version_over_the_bound_is_not_read(run, workspace: Path, data_file: Path) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for args in (["init", "-q"], ["add", "data"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=workspace, env=env, check=True)
    size = data_file.stat().st_size
    data_file.write_bytes(data_file.read_bytes()[: size // 2])  # the working file fits; HEAD's does not
    r = run("diff", "HEAD", env={"DEMANDS_MAX_BYTES": str(size - 1)})
    assert (r.exit_code, r.stderr) == (
        1,
        f"demands: HEAD:data/demands.yaml: larger than the limit of {size - 1:,} bytes; "
        "set DEMANDS_MAX_BYTES to allow it\n",
    )


# --- short errors -----------------------------------------------------------------------------


def short(stderr: str) -> None:
    """Every line short: at most about 200 characters of content plus the message around it."""
    assert stderr.count("\n") <= 3, stderr[:2000]
    for line in stderr.splitlines():
        assert len(line) <= 600, line[:1000]


def test_diff_etc_passwd_does_not_print_the_file(run) -> None:
    passwd = Path("/etc/passwd").read_text(encoding="utf-8")
    r = run("diff", "/etc/passwd")
    assert r.exit_code == 1
    short(r.stderr)
    flat = " ".join(passwd.split())
    assert r.stderr.startswith(
        "demands: /etc/passwd does not load: /etc/passwd:1:1: the file must be a mapping (key: value lines), "
        f"not text {flat[:200]!r}"
    )
    if len(flat) > 200:
        assert r.stderr.endswith(f"… ({len(flat) - 200:,} more characters)\n")


def test_a_megabyte_line_gives_a_short_error(run, workspace: Path) -> None:
    path = workspace / "big.yaml"
    path.write_text("x" * 1_000_000, encoding="utf-8")
    for command in (["list", "-f", str(path)], ["validate", str(path)], ["diff", str(path), str(path)]):
        r = run(*command)
        assert r.exit_code == 1, r.stderr[:1000]
        short(r.stderr)
        assert r.stderr.endswith(f"not text {'x' * 200!r}… (999,800 more characters)\n"), r.stderr[:1000]


LONG = "z" * 20_000


@pytest.mark.parametrize(
    "content",
    [
        "version: 1\nparties: {}\n" + LONG + ": 1\n",  # an unknown field
        "version: 1\nparties:\n  " + LONG + ": {name: P}\n",  # a party id
        "version: !" + LONG + " 1\n",  # a tag
        "version: 1\nparties: {us: {name: U}}\ndemands:\n  - {id: US-1, party: us, title: T, status: " + LONG + "}\n",
        "version: 1\nparties: {us: {name: U}}\ndemands:\n  - {id: US-1, party: us, title: T, status: open, source: "
        "{doc: " + LONG + ", quote: q}}\n",
        "version: 1\nparties: {us: {name: U}}\ndemands:\n  - {id: US-1, party: " + LONG + ", title: T, status: open}\n",
        "version: 1\nparties: {us: {name: U}}\ndemands:\n  - {id: " + LONG + "/, party: us, title: T, status: open}\n",
        "version: 1\nparties: {us: {name: U}}\ndemands:\n  - {id: US-1, party: us, title: T, status: open, "
        "links: [{rel: related, id: " + LONG + "}]}\n",
    ],
    ids=["unknown-field", "party-id", "tag", "status", "source-doc", "party", "id", "link"],
)
def test_long_values_in_errors_are_clipped(run, workspace: Path, content: str) -> None:
    path = workspace / "long.yaml"
    path.write_text(content, encoding="utf-8")
    r = run("validate", str(path))
    assert r.exit_code == 1, r.stderr[:1000]
    short(r.stderr)
    assert "z" * 201 not in r.stderr, r.stderr[:1000]
    assert "more characters)" in r.stderr or "z" not in r.stderr, r.stderr[:1000]


def test_nothing_left_behind_by_refused_reads(workspace: Path) -> None:
    assert temporaries(workspace) == []
