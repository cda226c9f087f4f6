"""Editing an item in ``$VISUAL``/``$EDITOR``, as ``git commit``, ``kubectl edit`` and ``task edit`` do.

``edit ID`` with no field option opens the item's YAML; ``add --edit`` opens an item to fill
in. On save the text is checked as a write checks the file; on a problem the editor opens
again with the problems as comments at the top (their line numbers those of the text below
them). A text saved unchanged, or emptied, changes nothing. The text lives in a temporary
file of the system's temporary folder (never the data file's), readable by its owner only,
removed on every way out (an error, Ctrl-C, SIGTERM, SIGHUP). While the editor runs, Ctrl-C
is the editor's, as git leaves it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from .output import done, echo, fail

T = TypeVar("T")

EDIT_INTRO = (
    "# {what} in {file}: change it, save and quit. Saving it unchanged, or emptied, changes nothing.\n"
    "# Only the fields you change are written; comments here are not kept. A status changed\n"
    "# without a history entry that sets it gets one dated today.\n"
)
ADD_INTRO = "# A new item for {file}: fill it in, save and quit. Saving it unchanged, or emptied, adds nothing.\n"


def editor_command() -> list[str]:
    """``$VISUAL``, else ``$EDITOR`` (a command with arguments, split as a shell splits words:
    ``code --wait``), else ``vi`` on a terminal. DemandsError when there is none to run."""
    import shlex

    from ..errors import DemandsError

    for name in ("VISUAL", "EDITOR"):
        raw = os.environ.get(name, "")
        if not raw.strip():
            continue
        try:
            words = shlex.split(raw)
        except ValueError:
            raise DemandsError(f"${name} has an unbalanced quote ({raw[:60]!r}); fix it, or unset it") from None
        if words:
            return words
    if sys.stdin.isatty() and sys.stdout.isatty():
        return ["vi"]
    raise DemandsError(
        "no editor to open (not on a terminal, and $VISUAL and $EDITOR are unset): set EDITOR "
        "(like EDITOR=nano), or give the fields as options (see --help)"
    )


def run_editor(text: str, name: str) -> str:
    """Open ``text`` in the editor, in a new temporary file named for ``name``; the text as saved."""
    import subprocess
    import tempfile

    from .. import settings
    from ..errors import DemandsError, cause
    from ..files import read_regular
    from .pager import ended_with

    command = editor_command()
    fd, path = tempfile.mkstemp(prefix=f"demands-{name}-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        try:
            editor = subprocess.Popen([*command, path])
        except OSError as err:
            raise DemandsError(
                f"cannot run the editor {command[0]!r}: {cause(err)}; set VISUAL or EDITOR to one that is installed"
            ) from None
        with _editor_owns_ctrl_c(), ended_with(editor):
            code = editor.wait()
        if code < 0:
            import signal

            try:
                name = f" ({signal.Signals(-code).name})"
            except ValueError:
                name = ""
            raise DemandsError(f"the editor ({command[0]}) was killed by signal {-code}{name}; nothing was changed")
        if code != 0:
            raise DemandsError(f"the editor ({command[0]}) exited with status {code}; nothing was changed")
        try:
            raw = read_regular(path, settings.max_bytes(), label="the edited text")
        except (OSError, DemandsError) as err:
            raise DemandsError(f"cannot read what the editor saved: {err}; nothing was changed") from None
        try:
            return raw.decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            raise DemandsError("the editor saved text that is not UTF-8; nothing was changed") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


@contextlib.contextmanager
def _editor_owns_ctrl_c() -> Any:
    import signal

    previous = {}
    for signum in (signal.SIGINT, getattr(signal, "SIGQUIT", None)):
        if signum is not None:
            with contextlib.suppress(ValueError, OSError):
                previous[signum] = signal.signal(signum, signal.SIG_IGN)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(signum, handler)


def _has_content(text: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def _problems_header(what: str, problems: list[tuple[int, str]], removed: int) -> str:
    """The comment lines atop a text re-opened after problems, lines counted as in the new text."""
    from ..escape import clip, one_line

    first = f"# {what} was not saved: fix what is below and save, or quit without saving to give up.\n"
    shift = 2 + len(problems) - removed
    lines = [
        f"#   line {line + shift}: {one_line(clip(message))}\n" if line else f"#   {one_line(clip(message))}\n"
        for line, message in problems
    ]
    return first + "".join(lines) + "#\n"


def compose(intro: str, body: str, name: str, what: str, save: Callable[[str], T]) -> T | None:
    """Open ``intro`` + ``body`` in the editor until ``save`` takes what was saved; None when it
    was saved unchanged. Problems (``itemtext.BufferProblems``) re-open it with them on top; a
    text saved unchanged after that, or emptied, ends the command (exit 1), nothing changed,
    except after fields the file changed meanwhile: saving again keeps yours."""
    from ..itemtext import BufferProblems

    header, shown, problems = intro, intro + body, None
    while True:
        text = run_editor(shown, name)
        if text == shown and (problems is None or problems.base is None):
            if problems is None:
                return None
            for _line, message in problems.problems:
                done(f"{what}: {message}")
            fail(f"{what} was not saved: the problems above remain; nothing was changed")
        if not _has_content(text):
            fail("aborted: the text was emptied; nothing was changed")
        try:
            return save(text)
        except BufferProblems as err:
            problems = err
            removed = header.count("\n") if text.startswith(header) else 0
            body = text[len(header) :] if removed else text
            header = _problems_header(what, err.problems, removed)
            shown = header + body


def edit(file: str | None, item_id: str, dry_run: bool) -> None:
    """``demands edit ID`` with no field option: the item in the editor, then written."""
    from .. import write
    from ..document import load
    from ..files import find_file
    from ..itemtext import BufferProblems, render
    from . import wording
    from .write import change

    path = find_file(file)
    item = load(path).item(item_id)
    name = item["id"]
    opened = {"base": render(item)}

    def save(text: str) -> Any:
        try:
            return change(write.edit_text, str(path), name, text, base=opened["base"], dry_run=dry_run)
        except BufferProblems as err:
            if err.base is not None:  # the item changed in the file meanwhile: the next save is against it
                opened["base"] = err.base
            raise

    result = compose(EDIT_INTRO.format(what=name, file=path), opened["base"], name, name, save)
    done(wording.edited(result) if result is not None else f"{name}: nothing changed")


def add(file: str | None, given: dict[str, Any], dry_run: bool) -> None:
    """``demands add --edit``: an item to fill in, in the editor, then added; its id on stdout."""
    from .. import write
    from ..files import find_file
    from .write import change

    path = find_file(file)
    body = write.new_item_text(path, **given)
    intro = ADD_INTRO.format(file=path)
    new_id = compose(
        intro, body, "new", "the new item", lambda text: change(write.add_text, str(path), text, dry_run=dry_run)
    )
    if new_id is None:
        fail("no item added: the text was saved unchanged")
    done(f"added {new_id}")
    echo(new_id)
