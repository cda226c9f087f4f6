"""Writing files atomically: a temporary file in the same folder, fsynced, renamed over the target.

The data file, ``--output``, the merge driver's result, ``undo`` and ``init`` go through
``replace`` (or ``create_new`` for a file that must not exist yet); the files of this tool's
own folders (cache entries, the undo journal, the cache's key) through ``write_private``,
which never follows a symlink. Temporary files are named ``.<name>.demands-<host>-<pid>-<random>.tmp``:
only this tool makes such names, and ``sweep`` deletes one only when the process named in
it is gone. Conditions of the machine (disk full, read-only file system, permission
denied, quota, I/O error) become one ``DemandsError`` naming the file and the cause, and
saying that the file is unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from . import portable
from .errors import OPTION, DemandsError, UsageError, cause
from .files import kind_of
from .signals import deferred, replaced, writing

if TYPE_CHECKING:
    from .versioncheck import Expected

#: Temporary files that exist now (removed on failure, signal or exit: ``remove_temps``).
_TEMPS: set[str] = set()

# --- conditions of the machine ---------------------------------------------------------------


class CannotWrite(DemandsError):
    """A file could not be written and is unchanged; ``reason`` says why, in a few words."""

    def __init__(self, label: str, reason: str) -> None:
        self.reason = reason
        super().__init__(f"cannot write {label}: {reason}; {label} is unchanged")


def cannot_write(label: str, err: OSError, folder: str | None = None) -> CannotWrite:
    """``cannot write X: cause[ in its folder]; X is unchanged``.

    ``folder``: the failure was in making a file there (permissions, read-only, full).
    """
    where = ""
    if folder is not None:
        same = os.path.realpath(os.path.dirname(os.path.abspath(label))) == os.path.realpath(folder)
        where = " in its folder" if same else f" in {folder}"
    return CannotWrite(label, f"{cause(err)}{where}")


# --- temporary files -------------------------------------------------------------------------


def _host() -> str:
    """This machine, as 8 hex digits: a folder shared over the network is swept only of our own."""
    import zlib

    uname = getattr(os, "uname", None)
    node = uname().nodename if uname is not None else os.environ.get("COMPUTERNAME", "")
    return f"{zlib.crc32(node.encode('utf-8', 'replace')) & 0xFFFFFFFF:08x}"


_TEMP = re.compile(r"\.demands-([0-9a-f]{8})-([0-9]{1,10})-[a-z0-9_]{8}\.tmp")


def _stem(name: str) -> str:
    """``name`` as it appears in temporary file names: short enough that a name near the file
    system's limit of 255 bytes still leaves room for the rest."""
    return name[:100]


def temp_prefix(name: str) -> str:
    """How this process's temporary files for ``name`` begin."""
    return f".{_stem(name)}.demands-{_host()}-{os.getpid()}-"


def create_temp(directory: str | os.PathLike[str], name: str) -> tuple[int, str]:
    """A new temporary file beside ``name`` in ``directory`` (fd, path), registered for cleanup."""
    import tempfile

    with deferred():
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(name), suffix=".tmp", dir=directory)
        _TEMPS.add(tmp)
    return fd, tmp


def discard_temp(tmp: str) -> None:
    """Delete a temporary file (gone already is fine)."""
    with deferred():
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _TEMPS.discard(tmp)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if portable.windows():
        return True  # os.kill(pid, 0) there sends CTRL_C_EVENT: never; a killed writer's file stays
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, OSError):
        return True  # someone else's process, or a number we cannot check: leave it
    return True


def sweep(directory: str | os.PathLike[str], name: str | None) -> list[str]:
    """Delete temporary files for ``name`` (None: for any name) in ``directory`` that a
    killed writer left.

    Only names this tool makes (``.<name>.demands-<host>-<pid>-<random>.tmp``), made on
    this machine, by a process that no longer runs; never a file a user named
    ``.demands.yaml.x.tmp``. Returns the names deleted.
    """
    host = _host()
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        if name is not None:
            prefix = f".{_stem(name)}"
            match = _TEMP.fullmatch(entry.name, len(prefix)) if entry.name.startswith(prefix) else None
        else:
            found = _TEMP.search(entry.name)
            match = found if found and found.end() == len(entry.name) and entry.name.startswith(".") else None
        if not match or match.group(1) != host or _alive(int(match.group(2))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def remove_temps() -> None:
    """Delete every temporary file this process still has (after an interruption)."""
    for tmp in list(_TEMPS):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _TEMPS.discard(tmp)


# --- replacing a file ------------------------------------------------------------------------

Content = bytes | Callable[[IO[bytes]], None]


def _stat(path: str, label: str) -> os.stat_result | None:
    """What ``path`` is (through symlinks), None when there is nothing there; CannotWrite
    naming ``label`` when it cannot be told (permissions, I/O error)."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise cannot_write(label, err) from None


def _umask() -> int:
    """This process's umask (read by setting it and setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fill(fd: int, content: Content, owner: tuple[int, int] | None, mode: int, durable: bool) -> None:
    """Write ``content`` to the temporary file ``fd`` (and close it), give it ``owner`` and
    ``mode``, and with ``durable`` fsync it: everything before its rename (or link) into place."""
    with os.fdopen(fd, "wb") as handle:
        if callable(content):
            content(handle)
        else:
            handle.write(content)
        handle.flush()
        portable.keep_owner_and_mode(handle.fileno(), owner, mode)
        if durable:
            os.fsync(handle.fileno())


def replace(
    path: str | os.PathLike[str],
    content: Content,
    *,
    label: str | None = None,
    durable: bool = True,
    then: Callable[[], None] | None = None,
    expected: Expected | None = None,
) -> None:
    """Replace ``path`` (through a symlink, its target) with ``content``, atomically.

    ``content`` is the bytes, or a function that writes them to a binary handle. The file
    keeps its mode (and owner, where allowed); a new one gets 0666 less the umask.
    ``durable`` fsyncs the file before and its folder after the rename. ``then`` runs right
    after the rename with signals held off (the undo record of a write). ``expected``: the
    version of the file the content was made from; just before the rename the file must still
    be it, else FileChanged and nothing is written.

    Raises DemandsError, naming ``label`` (default: the path), the cause and that the file
    is unchanged, for a read-only file, something that is not a regular file, and every
    condition of the machine (disk full, read-only file system, permission denied...).
    """
    shown = label or os.fspath(path)
    target = os.path.realpath(path)
    directory, name = os.path.split(target)
    info = _stat(target, shown)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise CannotWrite(shown, f"it is {kind_of(info.st_mode)}")
    mode = info.st_mode & 0o7777 if info is not None else 0o666 & ~_umask()
    # Root passes os.access whatever the mode, so a file with no write bit counts as read-only too.
    if info is not None and (not os.access(target, os.W_OK) or not mode & 0o222):
        raise CannotWrite(shown, "Read-only file system" if _read_only_fs(directory) else "the file is read-only")
    if not os.path.isdir(directory):
        raise DemandsError(f"cannot write {shown}: the folder {directory} does not exist; create it first")
    sweep(directory, name)
    try:
        fd, tmp = create_temp(directory, name)
    except OSError as err:
        raise cannot_write(shown, err, directory) from None
    done = False
    try:
        # Keep the owner too (root editing someone's file; others may only keep a group), and the mode.
        _fill(fd, content, (info.st_uid, info.st_gid) if info else None, mode, durable)
        if expected is not None:
            expected.check(shown)  # the file read whole again if need be, while signals may come
        with deferred():
            if expected is not None:
                expected.check(shown)  # a stat: the last moment before the rename
            os.replace(tmp, target)
            done = True
            _TEMPS.discard(tmp)
            replaced()
            if durable:
                _sync_folder(directory)
            if then is not None:
                then()
    except BaseException as err:
        if not done:
            discard_temp(tmp)
            if isinstance(err, OSError):
                raise cannot_write(shown, err) from None
        raise


def open_folder(folder: str | os.PathLike[str], create: bool = True) -> int:
    """A descriptor of ``folder`` (made first with ``create``, mode 0700; -1 where descriptors
    of folders cannot be used: Windows), which must be a folder this user owns: one that
    another user made or a link leads to (a shared ``XDG_CACHE_HOME`` under /tmp) is refused.
    A link the user made to a folder of their own (a cache on a bigger disk) is followed.

    Raises OSError (ENOTDIR for something else than a folder, EPERM for another user's) for
    the caller to treat as "cannot write there"."""
    if create:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    if portable.windows() or not {os.open, os.rename, os.link, os.unlink} <= os.supports_dir_fd:  # (replace: as rename)
        if not os.path.isdir(folder):
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", os.fspath(folder))
        return -1
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", os.fspath(folder))
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            raise PermissionError(errno.EPERM, "the folder belongs to another user", os.fspath(folder))
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private(
    folder: str | os.PathLike[str], name: str, content: Content, *, exclusive: bool = False, mode: int = 0o600
) -> None:
    """Put ``content`` (bytes, or a function writing them to a binary handle) in the file
    ``name`` of ``folder`` (a folder of this tool's own: cache, state), atomically, never
    through a symlink: a new temporary file is created there (``O_EXCL|O_NOFOLLOW``, ``mode``)
    and renamed onto ``name``, which replaces whatever ``name`` was (a link itself, never
    its target). ``exclusive``: never replace an existing ``name`` (FileExistsError then).
    The folder is made if missing and must be this user's (``open_folder``); the file is
    made and renamed through the folder's descriptor, so a folder swapped meanwhile is not
    written to.

    Raises OSError for every condition of the machine; no temporary file is left behind."""
    import secrets

    if os.sep in name or (os.altsep and os.altsep in name) or name in ("", ".", ".."):
        raise ValueError(f"not a file name: {name!r}")
    dir_fd = open_folder(folder)
    at = {"dir_fd": dir_fd} if dir_fd >= 0 else {}
    place = (lambda n: n) if dir_fd >= 0 else (lambda n: os.path.join(folder, n))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        tmp = temp_prefix(name) + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789_") for _ in range(8))
        tmp += ".tmp"
        whole = os.path.join(os.fspath(folder), tmp)
        with deferred():
            fd = os.open(place(tmp), flags, mode, **at)
            _TEMPS.add(whole)
        done = False
        try:
            with os.fdopen(fd, "wb") as handle:
                if callable(content):
                    content(handle)
                else:
                    handle.write(content)
            with deferred():
                if exclusive:  # a hard link fails on an existing name; the temporary name then goes
                    if dir_fd >= 0:
                        os.link(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                    else:
                        os.link(place(tmp), place(name))
                else:
                    if dir_fd >= 0:
                        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                    else:
                        os.replace(place(tmp), place(name))
                    done = True
                    _TEMPS.discard(whole)
        finally:
            if not done:
                with deferred():
                    with contextlib.suppress(OSError):
                        os.unlink(place(tmp), **at)
                    _TEMPS.discard(whole)
    finally:
        if dir_fd >= 0:
            os.close(dir_fd)


def _read_only_fs(directory: str) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & getattr(os, "ST_RDONLY", 1))
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _sync_folder(directory: str) -> None:
    """Make a rename in ``directory`` durable; file systems that cannot are let be."""
    with contextlib.suppress(OSError):
        portable.fsync_folder(Path(directory))


# --- --output --------------------------------------------------------------------------------


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file (through symlinks, hard links and any spelling)."""
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


#: An entry of a process's table of open files: /proc/<pid>/fd/N (also of a thread), /dev/fd/N.
_DESCRIPTOR = re.compile(r"/proc/(self|thread-self|[0-9]+)(?:/task/[0-9]+)?/fd/([0-9]+)|/dev/fd/([0-9]+)")


def through_descriptor(path: str) -> tuple[int | None, int, str] | None:
    """Whether ``path`` names an open file of a process rather than a file: ``/dev/stdout``,
    ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``, ``/proc/<pid>/fd/N``, or a symlink
    (at any step) to one of them.

    Returns (the process id, None for this process; the descriptor's number; the entry
    reached), else None. Symlinks are followed one step at a time, so the entry is seen
    before the kernel's link behind it leads to the file it has open (a regular file when
    the shell redirected output there). Nothing is opened or read but symlinks.
    """
    if os.name != "posix":
        return None
    parts = os.fspath(path).split("/")
    try:
        current = "/" if path.startswith("/") else os.getcwd()
    except OSError:  # the current folder is gone: the write will say so
        return None
    todo = list(reversed(parts))
    hops = 0
    while todo:
        part = todo.pop()
        if part in ("", "."):
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, part)
        found = _DESCRIPTOR.fullmatch(candidate)
        if found is not None and not [p for p in todo if p not in ("", ".")]:
            pid = found.group(1)
            own = pid is None or pid in ("self", "thread-self") or int(pid) == os.getpid()
            return (None if own else int(pid or 0)), int(found.group(2) or found.group(3)), candidate
        try:
            target = os.readlink(candidate)
        except OSError:  # not a symlink (or not there): go on below it
            current = candidate
            continue
        hops += 1
        if hops > 40:  # a symlink loop: let the write report it
            return None
        if target.startswith("/"):
            current = "/"
        todo.extend(reversed(target.split("/")))
    return None


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` where it stands (its offset, its append mode). An error
    or a signal that stops it carries ``sent``: how many bytes went out before."""
    sent = 0
    view = memoryview(data)
    try:
        while sent < len(data):
            sent += os.write(fd, view[sent : sent + 1024 * 1024])
    except BaseException as err:
        err.sent = sent  # type: ignore[attr-defined]
        raise


def _in_place(output: str, write: Callable[[], object]) -> None:
    """Run ``write`` (a write to ``output`` where it stands, no rename), wording its failures:
    an interruption after the first byte says the output holds only part of it."""
    from .signals import Interrupted

    try:
        write()
    except Interrupted as err:
        if err.file is None and getattr(err, "sent", None):
            err.file, err.partial = output, True
        raise
    except BrokenPipeError:
        raise  # a reader that stopped reading (| head): as for standard output, no message
    except OSError as err:
        part = " (part of it was written)" if getattr(err, "sent", None) else ""
        raise DemandsError(f"cannot write {output}: {cause(err)}{part}") from None
    replaced()


def write_output(output: str, data: bytes, *, protect: str | os.PathLike[str] | None = None) -> None:
    """Write ``data`` to the file ``output`` (``--output``) atomically, as the data file is
    written; never over ``protect``.

    Only a plain path to a regular file is replaced (a temporary file renamed over it).
    Anything else is written in place, never renamed over: a path that leads through a
    process's table of open files (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``,
    ``/proc/self/fd/N``, a symlink to one) is that descriptor, written where it stands, so
    ``>> log`` appends and ``{ ...; } > f`` keeps what the others wrote (another process's
    descriptor is opened to append); a FIFO or character device (a process substitution,
    ``/dev/tty``) is opened and written. Raises UsageError for an empty ``output`` or one
    that names the file in ``protect`` (the data file, by any path), DemandsError for a
    folder, a socket or block device, and the conditions of ``replace``.
    """
    if not output:
        raise UsageError(f"{OPTION} is empty: give a file name", option="output", said="the output path")
    if protect is not None and same_file(output, protect):
        raise UsageError(
            f"refusing to write over the data file {os.fspath(protect)}: choose another {OPTION}; nothing was changed",
            option="output",
            said="output path",
        )
    descriptor = through_descriptor(output)
    with writing(output):
        if descriptor is not None:
            pid, number, entry = descriptor
            if pid is None:
                _in_place(output, lambda: _write_all(number, data))
            else:
                _in_place(output, lambda: _open_and_write(entry, data, os.O_APPEND))
            return
        info = _stat(output, output)
        if info is not None and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
            _in_place(output, lambda: _open_and_write(output, data, 0))
            return
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise DemandsError(f"cannot write {output}: it is a directory; give a file name")
        replace(output, data, label=output)


def _open_and_write(path: str, data: bytes, flags: int) -> None:
    fd = os.open(path, os.O_WRONLY | flags | getattr(os, "O_CLOEXEC", 0))
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


# --- making a file that must not exist yet -----------------------------------------------------


def create_new(path: str | os.PathLike[str], data: bytes, *, label: str | None = None) -> None:
    """Create ``path`` with ``data``, never replacing a file that exists (FileExistsError).

    The content is written to a temporary file first and linked into place, so the file
    appears whole or not at all. File systems without hard links get an exclusive create.
    """
    shown = label or os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    try:
        fd, tmp = create_temp(directory, name)
    except OSError as err:
        raise DemandsError(f"cannot create {shown}: {cause(err)}") from None
    try:
        _fill(fd, data, None, 0o666 & ~_umask(), durable=True)
        try:
            with deferred():
                os.link(tmp, path)
                replaced()
        except FileExistsError:
            raise
        except OSError:
            # No hard links here (some network and FAT file systems): create exclusively.
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            try:
                with os.fdopen(out, "wb") as handle:
                    handle.write(data)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                raise
    except FileExistsError:
        raise
    except OSError as err:
        raise DemandsError(f"cannot create {shown}: {cause(err)}") from None
    finally:
        discard_temp(tmp)
    _sync_folder(directory)
