"""The data file on disk, read safely: finding it, bounded reads of regular files, decoding.

Reading (``read_regular``): only a regular file is opened, and it is checked before it is
opened (a device such as ``/dev/zero`` or ``/dev/watchdog`` is never opened, a FIFO never
blocks), opened with ``O_NONBLOCK``, checked again with ``fstat`` on what was opened, and
read to at most ``limit + 1`` bytes: whatever the file claims, no read takes more than the
bound. The data file, versions for ``diff``, merge inputs, source documents, the undo
journal and cache entries are all read through it.

Finding (``find_file``): ``--file``, else ``$DEMANDS_FILE``, else ``data/demands.yaml`` or
``demands.yaml`` in the current folder or a parent, as git finds ``.git``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from . import settings
from .errors import OPTION, DemandsError, FileNotFound, InvalidFile, Problem, cause

CANDIDATES = ("data/demands.yaml", "demands.yaml")

# --- bounded reads ---------------------------------------------------------------------------


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words (``a FIFO``, ``a directory``...)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class NotRegular(DemandsError):
    """The path names a directory, FIFO, device or socket: refused before it is opened."""

    def __init__(self, label: str, mode: int) -> None:
        self.kind = kind_of(mode)
        super().__init__(f"{label}: is {self.kind}, not a regular file")


class TooLarge(DemandsError):
    """The file holds more than the bound; it was not read past the bound."""

    def __init__(self, label: str, limit: int, hint: str = "") -> None:
        super().__init__(f"{label}: larger than the limit of {limit:,} bytes{hint}")


def read_regular(
    path: str | os.PathLike[str],
    limit: int,
    *,
    label: str | None = None,
    hint: str = "",
    follow: bool = True,
    inside: str | None = None,
) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them.

    ``follow=False`` refuses a symlink (``lstat`` and ``O_NOFOLLOW``); ``inside`` (a real
    folder path) checks, on Linux, that the file actually opened lies under that folder,
    so that a folder swapped for a symlink after the caller resolved the path is caught.

    Raises NotRegular for anything but a regular file (checked before opening: nothing is
    opened that could block or act on being opened), TooLarge when the file holds more
    than ``limit`` bytes (``hint`` is added to its message), DemandsError when a read
    would block or the file changed between the check and the open, and OSError
    (FileNotFoundError, PermissionError...) for the rest, for the caller to word.
    """
    shown = label or os.fspath(path)
    before = os.stat(path, follow_symlinks=follow)
    if not stat.S_ISREG(before.st_mode):
        raise NotRegular(shown, before.st_mode)
    if before.st_size > limit:
        raise TooLarge(shown, limit, hint)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise NotRegular(shown, opened.st_mode)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise DemandsError(f"{shown}: the file changed while being opened; try again")
        if inside is not None and not _opened_inside(fd, inside):
            raise DemandsError(f"{shown}: the file changed while being opened; try again")
        chunks: list[bytes] = []
        total = 0
        # A regular file is read in one call; /proc files claim size 0 and come in pieces.
        want = opened.st_size + 1 if opened.st_size else 64 * 1024
        while total <= limit:
            try:
                chunk = os.read(fd, min(max(want, 64 * 1024), limit + 1 - total))
            except BlockingIOError:
                raise DemandsError(f"{shown}: reading it would block; it is not a regular file") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise TooLarge(shown, limit, hint)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (both absolute and normalised)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _opened_inside(fd: int, folder: str) -> bool:
    try:
        actual = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return True  # no /proc here: the caller's realpath check stands alone
    return within(actual, folder)


# --- the data file ---------------------------------------------------------------------------


def find_file(path: str | os.PathLike[str] | None = None, cwd: str | os.PathLike[str] | None = None) -> Path:
    """The data file: ``path`` when given, else ``$DEMANDS_FILE``, else the first
    ``data/demands.yaml`` or ``demands.yaml`` in ``cwd`` (default: the current folder) or a
    folder above it. ``path`` and ``cwd`` are text or path-likes (``pathlib.Path``). Raises
    FileNotFound saying where it looked when there is none, ArgumentTypeError when ``path`` or
    ``cwd`` is neither text nor a path, ArgumentValueError when one holds a NUL character."""
    for name, given, takes in (("path", path, "a file's path"), ("cwd", cwd, "a folder's path")):
        if given is not None and (type(given) is not str or "\0" in given):  # text, the usual call, costs nothing
            from .typed import path_argument

            path_argument(name, given, f"{takes} (text or a pathlib.Path)")
    if path:
        return Path(path)
    env = settings.data_file()
    if env:
        return Path(env)
    try:
        start = (Path(cwd) if cwd is not None else Path.cwd()).resolve()
    except FileNotFoundError:
        raise FileNotFound(
            f"the current folder no longer exists (it was deleted or moved); cd to a folder that exists, or pass {OPTION}",
            option="file",
            said="a data file",
        ) from None
    for directory in (start, *start.parents):
        for name in CANDIDATES:
            candidate = directory / name
            if candidate.is_file():
                shown = os.path.relpath(candidate)
                return Path(shown) if not shown.startswith("..") else candidate
    raise FileNotFound(
        f"no demands file: looked for {' or '.join(CANDIDATES)} in {start} and its parents; "
        f"run 'demands init' to start one, or pass {OPTION}",
        option="file",
        said="its path",
    )


def read_raw(path: Path) -> bytes:
    """The bytes of a data file, with one clear error for each way reading can fail.

    Only a regular file (or a symlink to one) is read, and never more than
    ``DEMANDS_MAX_BYTES``: a directory, FIFO or device is refused before it is opened.
    """
    try:
        return read_regular(path, settings.max_bytes(), label=str(path), hint="; set DEMANDS_MAX_BYTES to allow it")
    except NotRegular as err:
        raise DemandsError(f"{path}: is {err.kind}, not a demands file") from None
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileNotFound(
                f"{path}: is a symbolic link that leads to no file (it points to {_link_target(path)}); "
                "fix or remove the link, or create the file it names"
            ) from None
        raise FileNotFound(f"{path}: no such file; run 'demands init {path}' to start one") from None
    except IsADirectoryError:
        raise DemandsError(f"{path}: is a directory, not a demands file") from None
    except PermissionError:
        raise DemandsError(f"{path}: permission denied; check the file's permissions") from None
    except OSError as err:
        raise DemandsError(f"{path}: cannot read: {cause(err)}") from None


def _link_target(path: Path) -> str:
    from .escape import quoted

    try:
        return quoted(os.readlink(path))
    except OSError:
        return "a file"


def decode(raw: bytes, path: Path) -> tuple[str, bool, str]:
    """(text without BOM, had BOM, newline) of UTF-8 bytes."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    if bom:
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise InvalidFile(
            [Problem(str(path), line, 1, f"not UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8")]
        ) from None
    return text, bom, newline_of(text)


def read_text(path: Path) -> tuple[str, bool, str]:
    """(text without BOM, had BOM, newline) of a UTF-8 file, with clear errors."""
    return decode(read_raw(path), path)


def newline_of(text: str) -> str:
    """The line ending ``text`` uses: that of its first line (``\\r\\n`` or ``\\n``)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def encode(text: str, bom: bool) -> bytes:
    """``text`` as the file's UTF-8 bytes, with a byte-order mark when it had one."""
    return ("\ufeff" + text if bom else text).encode("utf-8")
