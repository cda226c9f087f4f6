"""Git, for the few things this tool asks of it: one way to run it, and versions of a file.

Every git command runs through ``run``; anything a user typed (a revision) reaches git
after ``--end-of-options``, and one that begins with ``-`` is refused before git sees it.
``read_version`` reads a version of the data file: a file path, or a revision of the
working file (``HEAD~1``, a tag, ``REV:path``), read to at most ``DEMANDS_MAX_BYTES``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from . import settings
from .errors import DemandsError, UsageError
from .escape import clip
from .files import TooLarge, read_raw

#: What to say when git is not installed, by default.
NO_GIT = "git is not installed; give two file paths instead of revisions"


def run(args: list[str], cwd: Path, *, missing: str = NO_GIT) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``cwd``, its output as text (stdout, stderr) and its exit code.

    Raises DemandsError saying ``missing`` when git is not installed.
    """
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise DemandsError(missing) from None


def toplevel(folder: Path, *, missing: str = NO_GIT) -> Path | None:
    """The top of the git work tree that holds ``folder``; None when it is in none."""
    found = run(["rev-parse", "--show-toplevel"], folder, missing=missing)
    if found.returncode != 0 or not found.stdout.strip():
        return None
    return Path(found.stdout.strip())


def read_blob(rev: str, relpath: str, root: Path, limit: int) -> bytes | None:
    """The bytes of ``rev:relpath`` from git, read to at most ``limit`` (None: no such file).

    git's output is read from a pipe to ``limit + 1`` bytes at most; a larger file stops
    git and is refused, so ``diff`` of a 1 GB version never holds it in memory.
    """
    try:
        proc = subprocess.Popen(
            ["git", "cat-file", "blob", "--end-of-options", f"{rev}:{relpath}"],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise DemandsError(NO_GIT) from None
    try:
        assert proc.stdout is not None
        data = proc.stdout.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(f"{rev}:{relpath}", limit, "; set DEMANDS_MAX_BYTES to allow it")
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    return data if code == 0 else None


def read_version(spec: str, working: Path) -> tuple[str, bytes]:
    """The bytes of a version: a file path, ``REV`` (the working file at REV) or ``REV:path``.

    A path that exists is read as a file (regular files only, at most ``DEMANDS_MAX_BYTES``);
    anything else is a git revision, which reaches git after ``--end-of-options`` and is
    refused (UsageError) when it begins with ``-``.
    """
    if os.path.lexists(spec) and not os.path.isdir(spec):
        return spec, read_raw(Path(spec))
    if spec.startswith("-"):
        raise UsageError(
            f"{clip(spec, 60)!r} is not a file, and a revision cannot begin with '-'; "
            "to name a file that does, write ./ before it"
        )
    directory = working.resolve().parent
    root = toplevel(directory)
    if root is None:
        raise DemandsError(
            f"{spec!r} is not a file, and {directory} is not in a git repository; give a file path or run inside the repository"
        )
    if ":" in spec:
        # As in git: REV:path is relative to the top of the repository, REV:./path to the
        # current directory. A plain path absent there is also tried from the current directory.
        rev, _, rel = spec.partition(":")
        relpath = rel.lstrip("/")
        here = (Path.cwd() / rel).resolve()
        from_here = here.relative_to(root.resolve()).as_posix() if here.is_relative_to(root.resolve()) else None
        if rel.startswith(("./", "../")) or rel in (".", ".."):
            relpath = from_here or relpath
        elif (
            from_here
            and run(["cat-file", "-e", "--end-of-options", f"{rev}:{relpath}"], root).returncode != 0
            and run(["cat-file", "-e", "--end-of-options", f"{rev}:{from_here}"], root).returncode == 0
        ):
            relpath = from_here
    else:
        rev = spec
        relpath = working.resolve().relative_to(root.resolve()).as_posix()
    if not rev:
        raise DemandsError(
            f"unknown revision {clip(spec, 60)!r}: nothing before ':' names a commit (git's index and "
            "':/text' searches are not versions here); write REV:path, like HEAD:path"
        )
    if rev.startswith("-"):
        raise UsageError(f"bad revision {clip(rev, 60)!r}: a revision cannot begin with '-'")
    check = run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root)
    if check.returncode != 0:
        raise DemandsError(f"unknown revision {clip(rev, 60)!r}: not a commit, branch or tag in {root}")
    shown = read_blob(rev, relpath, root, settings.max_bytes())
    if shown is None:
        raise DemandsError(f"{clip(relpath, 100)} does not exist at revision {clip(rev, 60)!r}")
    return f"{rev}:{relpath}", shown
