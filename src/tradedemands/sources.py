"""Source documents: where a ``source.doc`` may be read from, and whether its quote is in it.

A local document is a regular file inside the project that holds the data file (the git
work tree, else the folder holding ``data/``, else the data file's folder), of at most
``MAX_DOC_BYTES``; anything else is refused with one line that never depends on what the
named file holds. A quote must occur in its document, compared as ``normalize_space`` says.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

from .errors import DemandsError, cause
from .escape import clip, quoted
from .files import NotRegular, TooLarge, read_regular, within
from .model import id_problem, plain
from .validation import Found

#: A local source document larger than this is refused unread.
MAX_DOC_BYTES = 64 * 1024 * 1024


def normalize_space(text: str) -> str:
    """``text`` as a source quote is compared: runs of whitespace as one space, Unicode NFC,
    curly quotes as straight ones, case kept (``model.plain``)."""
    return " ".join(plain(text).split())


def project_root(folder: Path) -> Path:
    """The project a data file in ``folder`` belongs to, as a real path.

    The git work tree that holds it (the nearest folder above with a ``.git``, found
    without running git), else the folder holding ``data/`` for a file in a folder named
    ``data``, else the folder itself.
    """
    real = Path(os.path.realpath(folder))
    for directory in (real, *real.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return real.parent if real.name == "data" else real


#: git's own rule for a repository folder (``is_git_directory``): HEAD beside objects/ and refs/,
#: or beside ``commondir`` (a linked worktree's folder).
_GIT_DIR_MARKS = (("HEAD", "objects", "refs"), ("HEAD", "commondir"))


def _git_dir_named(dot_git: str) -> str | None:
    """The real path of the git folder a ``.git`` file names (``gitdir: <path>``: a linked
    worktree, a submodule, ``--separate-git-dir``), None when it is not such a file."""
    try:
        raw = read_regular(dot_git, 4096, follow=False)
    except (OSError, DemandsError):
        return None
    line = raw.decode("utf-8", "replace").partition("\n")[0].rstrip("\r")
    if not line.startswith("gitdir:"):
        return None
    named = line[len("gitdir:") :].strip()
    return os.path.realpath(os.path.join(os.path.dirname(dot_git), named)) if named else None


def in_git_metadata(real: str, top: str) -> bool:
    """Whether ``real`` (a real path inside the project ``top``) lies in git's metadata rather
    than in the work tree: under a folder named ``.git`` at any depth (a nested repository's
    too; any case, as case-insensitive file systems see it), in a folder git takes for a
    repository (HEAD beside objects/ and refs/, or beside commondir: a bare or separate git
    folder, a worktree's), or in the git folder a ``.git`` file in the project names. Decided
    from names and folders only, never from what the file holds."""
    rel = os.path.relpath(real, top)
    parts = [] if rel == os.curdir else rel.split(os.sep)
    if any(part.rstrip(". ").casefold() == ".git" for part in parts):
        return True
    folders = [top]
    for part in parts[:-1]:
        folders.append(os.path.join(folders[-1], part))
    for n, folder in enumerate(folders):
        if n and any(all(os.path.lexists(os.path.join(folder, m)) for m in marks) for marks in _GIT_DIR_MARKS):
            return True
        named = _git_dir_named(os.path.join(folder, ".git"))
        if named is not None and within(real, named):
            return True
    return False


def resolve_doc(doc: str, base: Path, root: Path | None = None) -> Path | str:
    """A local source document: the real path of a file inside the project, or why not.

    ``doc`` is relative to the data file's folder ``base`` or a folder above it, up to
    the project ``root`` (default ``project_root(base)``) and never beyond. Returns the
    path, or the reason it is refused as words for a message: absolute, outside the
    project (by ``..`` or through a symlink; git's metadata, such as ``.git/config``, counts
    as outside: ``in_git_metadata``), not found, or a folder on the way that cannot be read. The reason never depends on what
    a file outside the project holds, nor on whether it exists. The caller still reads
    it with ``read_regular`` (regular files only, bounded).
    """
    base = Path(os.path.realpath(base))
    top = str(root if root is not None else project_root(base))
    if not doc or "\0" in doc:
        return "is not a file name"
    if os.path.isabs(doc) or doc == "~" or doc.startswith("~/"):
        return f"is an absolute path; name a file inside the project ({top}), relative to the data file"
    levels = [d for d in (base, *base.parents) if within(str(d), top)]
    outside = 0
    for directory in levels:
        real = os.path.realpath(directory / doc)
        if not within(real, top) or in_git_metadata(real, top):
            outside += 1
            continue
        try:
            os.lstat(real)
        except PermissionError:
            # Inside the project, saying so tells nothing a user of it cannot see.
            return f"cannot be read (Permission denied on the folder {quoted(_blocked(real, top))})"
        except OSError:
            continue
        return Path(real)
    if outside:
        return f"is outside the project ({top}); source documents must be inside it"
    return "not found"


def _blocked(real: str, top: str) -> str:
    """The first folder between ``top`` and ``real`` that this process may not search."""
    folder = top
    for part in os.path.relpath(real, top).split(os.sep)[:-1]:
        folder = os.path.join(folder, part)
        if not os.access(folder, os.X_OK):
            return os.path.relpath(folder, top)
    return os.path.relpath(os.path.dirname(real), top) or os.curdir


def read_doc(doc: str, base: Path, root: Path | None = None) -> str:
    """The text of a local source document, whitespace-normalised; DemandsError saying why not.

    Only a regular file inside the project, of at most ``MAX_DOC_BYTES``, checked before
    it is opened (no device, FIFO or symlink out of the project is ever opened); the
    message for a refused file never depends on what it holds.
    """
    top = root if root is not None else project_root(base)
    found = resolve_doc(doc, base, top)
    shown = f"document {quoted(doc)}"
    if isinstance(found, str):
        raise DemandsError(f"{shown} {found}")
    try:
        raw = read_regular(found, MAX_DOC_BYTES, label=shown, follow=False, inside=str(top))
    except NotRegular as err:
        raise DemandsError(f"{shown} is {err.kind}, not a regular file") from None
    except TooLarge:
        raise DemandsError(f"{shown} is larger than {MAX_DOC_BYTES // (1024 * 1024)} MiB") from None
    except FileNotFoundError:
        raise DemandsError(f"{shown} not found") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise DemandsError(f"{shown} changed while being opened; try again") from None
        raise DemandsError(f"{shown} cannot be read ({cause(err)})") from None
    try:
        return normalize_space(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DemandsError(f"{shown} is not UTF-8 text") from None


def quote_problems(data: Any, base: Path, only: set[str] | None = None) -> Found:
    """Every ``source.quote`` must occur in its local ``source.doc`` (whitespace-insensitive):
    the source of each item, of each of its history entries, and of each round.

    ``base`` is the data file's folder; documents are read only inside its project (see
    ``read_doc``), each once. ``only`` (folded item ids) checks those items and no round.
    Tolerates a file with other problems, so that ``validate`` reports everything at once.
    A document that cannot be read is one problem, where it is first cited, naming how many
    other places cite it.
    """
    root = project_root(base)
    texts: dict[str, str | DemandsError] = {}
    found: Found = []
    #: Per document that cannot be read: the places citing it, and where its one problem is.
    citing: dict[str, list[str]] = {}
    unreadable: dict[str, int] = {}

    def check(source: Any, path: tuple[Any, ...], label: str) -> None:
        doc = source.get("doc") if isinstance(source, dict) else None
        if not isinstance(doc, str) or not doc or "://" in doc:
            return
        if doc not in texts:
            try:
                texts[doc] = read_doc(doc, base, root)
            except DemandsError as err:
                texts[doc] = err
        text = texts[doc]
        if isinstance(text, DemandsError):
            # One document missing is one problem, however many places cite it: said at the first.
            citing.setdefault(doc, []).append(label)
            if len(citing[doc]) == 1:
                found.append((path + ("doc",), f"{label} source.doc: {text}"))
                unreadable[doc] = len(found) - 1
            return
        quote = source.get("quote")
        if isinstance(quote, str) and quote and normalize_space(quote) not in text:
            found.append((path + ("quote",), f"{label} source.quote: quote not found in {clip(doc)}"))

    if only is None:
        rounds = data.get("rounds") if isinstance(data, dict) else None
        for i, rnd in enumerate(rounds if isinstance(rounds, list) else []):
            if isinstance(rnd, dict):
                rid = rnd["id"] if isinstance(rnd.get("id"), str) else f"{i + 1}"
                check(rnd.get("source"), ("rounds", i, "source"), f"round {clip(rid, 60)}")
    items = data.get("demands") if isinstance(data, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        iid = item["id"] if isinstance(item.get("id"), str) else f"item {i + 1}"
        label = clip(iid, 60) if id_problem(iid) is None else quoted(iid, 60)
        if only is not None and iid.lower() not in only:
            continue
        check(item.get("source"), ("demands", i, "source"), label)
        history = item.get("history")
        for j, entry in enumerate(history if isinstance(history, list) else []):
            if isinstance(entry, dict) and entry.get("source") is not None:
                when = entry.get("date") if isinstance(entry.get("date"), str) else f"entry {j + 1}"
                check(entry["source"], ("demands", i, "history", j, "source"), f"{label} history {clip(when, 20)}")
    for doc, at in unreadable.items():
        others = citing[doc][1:]
        if others:
            shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
            where, message = found[at]
            found[at] = (
                where,
                f"{message} (also cited by {len(others)} other{'s' if len(others) > 1 else ''}: {shown})",
            )
    return found
