"""Registering the merge driver with git: ``.gitattributes`` and the repository's config.

``register`` makes git merge a data file with ``demands merge-driver``: a line
``<path> merge=demands`` in the repository's top-level ``.gitattributes`` (once) and
``merge.demands.name`` / ``merge.demands.driver`` in its local config. The driver runs the
Python that registered it, by its absolute path (``driver_command``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from . import gitrepo
from .atomic import replace
from .errors import OPTION, DemandsError, FileNotFound
from .files import read_regular
from .signals import writing

DRIVER = "demands"
DRIVER_NAME = "tradedemands item-by-item merge"
#: What git runs when no interpreter can be named: ``demands`` on the PATH git runs with.
DRIVER_COMMAND = "demands merge-driver %O %A %B --path %P"
#: What to say when git is not installed.
NO_GIT = "git is not installed (or not on PATH); install it and run 'demands git-setup' again"


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return gitrepo.run(args, cwd, missing=NO_GIT)


def _attribute_pattern(relpath: str) -> str:
    """``relpath`` as a .gitattributes pattern matching exactly that file."""
    pattern = "".join("\\" + c if c in "*?[]\\!#" else c for c in relpath)
    if any(c in pattern for c in ' \t"'):
        pattern = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return pattern


def _merge_attribute(top: Path, relpath: str) -> str:
    """The ``merge`` attribute git gives ``relpath`` (``unspecified`` when none)."""
    done = _git(["check-attr", "-z", "merge", "--", relpath], top)
    parts = done.stdout.split("\0")
    return parts[2] if done.returncode == 0 and len(parts) > 2 else "unspecified"


def driver_command(python: str) -> str:
    """The ``merge.demands.driver`` that runs the driver with ``python`` (an absolute path).

    Git runs it with ``sh -c`` (Git for Windows too, with its own sh), after putting the
    temporary files' names for ``%O %A %B`` and the quoted path for ``%P``. The interpreter is
    named by its path, as pre-commit names its interpreter in the hooks it installs, so the
    driver runs whatever PATH git has (a GUI client, an IDE, a shell without the virtual
    environment). If that interpreter is gone or no longer has tradedemands, ``demands`` on
    PATH runs instead, with a line saying so; if neither can, a line says that the file holds
    ours only and theirs is NOT applied, and how to merge again.
    """
    if os.name == "nt":  # pragma: no cover - Git for Windows' sh takes C:/... paths
        python = Path(python).as_posix()
    # Git turns %% into %, and %O, %A, %B, %L, %P into the merge's files: a path keeps its % signs.
    quoted = shlex.quote(python).replace("%", "%%")
    run = "merge-driver %O %A %B --path %P"
    return (
        f"p={quoted}; "
        f'if "$p" -c \'import tradedemands\' 2>/dev/null; then exec "$p" -m tradedemands {run}; fi; '
        "if command -v demands >/dev/null 2>&1; then "
        "printf '%%s\\n' \"demands merge-driver: $p is gone or lacks tradedemands; running 'demands' from PATH "
        "(run 'demands git-setup' again to register it)\" >&2; "
        f"exec demands {run}; fi; "
        "printf '%%s %%s %%s %%s\\n' \"demands merge-driver: cannot run: $p is gone or lacks tradedemands, and "
        "'demands' is not on PATH;\" %P \"holds ours only and theirs is NOT applied: install tradedemands, run "
        "'demands git-setup', then redo the merge with: git checkout -m --\" %P >&2; "
        "exit 1"
    )


def driver_python(command: str) -> str | None:
    """The interpreter a registered driver command names (None for ``demands`` on PATH or another)."""
    if not command.startswith("p="):
        return None
    try:
        words = shlex.split(command[2 : command.find("; if ")].replace("%%", "%"))
    except ValueError:
        return None
    return words[0] if len(words) == 1 else None


def _describe(command: str) -> str:
    """A registered driver command, short: the interpreter it runs, or the command itself."""
    python = driver_python(command)
    if python is not None:
        return f"{shlex.quote(python)} -m tradedemands merge-driver %O %A %B --path %P (else 'demands' on PATH)"
    return repr(command) if len(command) <= 100 else repr(command[:97] + "...")


def register(data_file: Path, python: str | None = None) -> list[str]:
    """Make git merge ``data_file`` with ``demands merge-driver``; returns one line per action.

    Adds ``<path> merge=demands`` to the repository's top-level .gitattributes (once)
    and sets ``merge.demands.name`` and ``merge.demands.driver`` in the local config.
    The driver runs ``python`` (default: the interpreter running this, ``sys.executable``)
    by its absolute path, falling back to ``demands`` on PATH (see ``driver_command``).
    """
    if python is None:
        python = sys.executable
    usable = bool(python) and os.path.isabs(python) and os.access(python, os.X_OK)
    command = driver_command(python) if usable else DRIVER_COMMAND
    if not data_file.is_file():
        raise FileNotFound(
            f"{data_file}: no such file; run 'demands init {data_file}' first, or pass {OPTION}",
            option="file",
            said="its path",
        )
    folder = Path(os.path.abspath(data_file)).parent.resolve()
    found = gitrepo.toplevel(folder, missing=NO_GIT)
    if found is None:
        raise DemandsError(
            f"{folder} is not in a git repository; run 'git init' there first, or {OPTION}",
            option="file_in_repository",
            said="give the path of a file in a repository",
        )
    top = found.resolve()
    relpath = Path(os.path.relpath(folder / data_file.name, top)).as_posix()
    actions = []
    attributes = top / ".gitattributes"
    line = f"{_attribute_pattern(relpath)} merge={DRIVER}"
    if _merge_attribute(top, relpath) == DRIVER:
        actions.append(f".gitattributes: {relpath} has merge={DRIVER} already")
    else:
        existed = os.path.lexists(attributes)
        try:
            old = read_regular(attributes, 1 << 20).decode("utf-8") if existed else ""
            text = old + ("\n" if old and not old.endswith("\n") else "") + line + "\n"
            with writing(str(attributes)):
                replace(attributes, text.encode("utf-8"), label=str(attributes))
        except (OSError, UnicodeDecodeError) as err:
            raise DemandsError(f"cannot update {attributes}: {getattr(err, 'strerror', None) or err}") from None
        except DemandsError as err:
            raise DemandsError(f"cannot update {attributes}: {err}") from None
        actions.append(f"{'added to' if existed else 'created'} .gitattributes: {line}")
        now = _merge_attribute(top, relpath)
        if now != DRIVER:
            actions.append(
                f"warning: git still merges {relpath} with merge={now}: a .gitattributes nearer the file "
                "or .git/info/attributes says so; remove that line"
            )
    for key, value in (("name", DRIVER_NAME), ("driver", command)):
        setting = f"merge.{DRIVER}.{key}"
        current = _git(["config", "--local", "--get", setting], top)
        was = current.stdout.rstrip("\n") if current.returncode == 0 else None
        shown = _describe(value) if key == "driver" else repr(value)
        if was == value:
            actions.append(f"git config {setting}: {shown} already")
            continue
        done = _git(["config", "--local", setting, value], top)
        if done.returncode != 0:
            raise DemandsError(f"git config {setting} failed: {done.stderr.strip() or 'no reason given'}")
        before = f" (was {_describe(was) if key == 'driver' else repr(was)})" if was is not None else ""
        actions.append(f"git config {setting} {shown}{before}")
    if not usable:
        actions.append(
            f"warning: cannot name this Python ({python or 'unknown'}) to git, so the driver is 'demands' on "
            "the PATH git runs with"
            + ("" if shutil.which(DRIVER) else f"; '{DRIVER}' is not on PATH now: install tradedemands there")
        )
    return actions
