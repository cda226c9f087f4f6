"""Files on disk, safely: bounded reads of regular files, atomic replacement, signals.

Reading (``read_regular``): only a regular file is opened, and it is checked before it is
opened (a device such as ``/dev/zero`` or ``/dev/watchdog`` is never opened, a FIFO never
blocks), opened with ``O_NONBLOCK``, checked again with ``fstat`` on what was opened, and
read to at most ``limit + 1`` bytes: whatever the file claims, no read takes more than the
bound.

Writing (``replace``): a temporary file in the target's folder, written, fsynced, renamed
over the target, folder fsynced. The data file, ``--output``, the undo journal, the merge
driver, ``undo`` and cache entries all go through it. Temporary files are named
``.<name>.demands-<host>-<pid>-<random>.tmp``: only this tool makes such names, and
``sweep`` deletes one only when the process named in it is gone.

Signals (``install_signal_handlers``): SIGINT, SIGTERM and SIGHUP raise ``Interrupted``
where the program is, so the ``finally`` blocks remove temporary files and the command
says which file is unchanged. From the rename on, signals wait until the write and its
undo record are complete (``deferred``), so the file is never renamed without its record.

Conditions of the machine (disk full, read-only file system, permission denied, quota,
I/O error) become one ``DemandsError`` naming the file and the cause, and saying that the
file is unchanged.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from . import portable
from .errors import DemandsError, UsageError

# --- reading ---------------------------------------------------------------------------------


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


# --- signals ---------------------------------------------------------------------------------

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(BaseException):
    """A signal (SIGINT, SIGTERM, SIGHUP) stopped the command.

    ``file`` is the file being written when it came (None for reads), and ``written``
    whether it had been replaced already. A BaseException, so ``except Exception`` never
    swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.file: str | None = None
        self.written = False

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def message(self) -> str:
        if self.file is None:
            return "interrupted"
        if self.written:
            return f"interrupted after {self.file} was written"
        return f"interrupted; {self.file} is unchanged"


class _State:
    deferring = 0
    pending: int | None = None
    interrupted = False
    #: Temporary files that exist now (removed on failure, signal or exit).
    temps: set[str] = set()
    #: The files being written, innermost last: [label, replaced yet].
    targets: list[list[Any]] = []


def _handler(signum: int, _frame: Any) -> None:
    if _State.interrupted or _State.deferring:
        _State.pending = _State.pending or signum
        return
    _State.interrupted = True
    raise Interrupted(signum)


def install_signal_handlers() -> dict[int, Any]:
    """Turn SIGINT, SIGTERM and SIGHUP into ``Interrupted``; returns the handlers replaced.

    Only the main thread may do this; elsewhere nothing changes (and {} is returned).
    """
    reset()
    previous: dict[int, Any] = {}
    for signum in SIGNALS:
        try:
            previous[signum] = signal.signal(signum, _handler)
        except (ValueError, OSError):  # not the main thread, or not allowed here
            break
    return previous


def restore_signal_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        with contextlib.suppress(ValueError, OSError, TypeError):
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def reset() -> None:
    """Forget a signal already handled (a new command starts in this process)."""
    _State.deferring = 0
    _State.pending = None
    _State.interrupted = False
    _State.targets.clear()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A stretch no signal may cut: one that comes waits until the stretch has ended."""
    _State.deferring += 1
    try:
        yield
    finally:
        _State.deferring -= 1
    if not _State.deferring and _State.pending is not None and not _State.interrupted:
        _State.interrupted = True
        raise Interrupted(_State.pending)


@contextlib.contextmanager
def writing(label: str) -> Iterator[None]:
    """Name the file being changed, so that an interruption says it is unchanged (or written)."""
    state = [label, False]
    _State.targets.append(state)
    try:
        yield
    except Interrupted as err:
        if err.file is None:
            err.file, err.written = label, bool(state[1])
        raise
    finally:
        with contextlib.suppress(ValueError):
            _State.targets.remove(state)


def _replaced() -> None:
    if _State.targets:
        _State.targets[-1][1] = True


def remove_temps() -> None:
    """Delete every temporary file this process still has (after an interruption)."""
    for tmp in list(_State.temps):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _State.temps.discard(tmp)


# --- conditions of the machine ---------------------------------------------------------------


def cause(err: OSError) -> str:
    """The system's words for what went wrong (``No space left on device``)."""
    return err.strerror or type(err).__name__


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
        _State.temps.add(tmp)
    return fd, tmp


def discard_temp(tmp: str) -> None:
    """Delete a temporary file (gone already is fine)."""
    with deferred():
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _State.temps.discard(tmp)


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


# --- replacing a file ------------------------------------------------------------------------

Content = bytes | Callable[[IO[bytes]], None]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace(
    path: str | os.PathLike[str],
    content: Content,
    *,
    label: str | None = None,
    durable: bool = True,
    then: Callable[[], None] | None = None,
) -> None:
    """Replace ``path`` (through a symlink, its target) with ``content``, atomically.

    ``content`` is the bytes, or a function that writes them to a binary handle. The file
    keeps its mode (and owner, where allowed); a new one gets 0666 less the umask.
    ``durable`` fsyncs the file before and its folder after the rename. ``then`` runs right
    after the rename with signals held off (the undo record of a write).

    Raises DemandsError, naming ``label`` (default: the path), the cause and that the file
    is unchanged, for a read-only file, something that is not a regular file, and every
    condition of the machine (disk full, read-only file system, permission denied...).
    """
    shown = label or os.fspath(path)
    target = os.path.realpath(path)
    directory, name = os.path.split(target)
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise cannot_write(shown, err) from None
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
        with os.fdopen(fd, "wb") as handle:
            if callable(content):
                content(handle)
            else:
                handle.write(content)
            handle.flush()
            # Keep the owner too (root editing someone's file; others may only keep a group), and the mode.
            portable.keep_owner_and_mode(handle.fileno(), (info.st_uid, info.st_gid) if info else None, mode)
            if durable:
                os.fsync(handle.fileno())
        with deferred():
            os.replace(tmp, target)
            done = True
            _State.temps.discard(tmp)
            _replaced()
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


def write_output(output: str, data: bytes, *, protect: str | os.PathLike[str] | None = None) -> None:
    """Write ``--output`` atomically, as the data file is written; never over ``protect``.

    A FIFO or character device (``/dev/stdout``, a process substitution) is written in
    place: renaming over it would replace the device. Raises UsageError when ``output``
    names the file in ``protect`` (the data file, by any path), DemandsError for a folder,
    a socket or block device, and the conditions of ``replace``.
    """
    if protect is not None and same_file(output, protect):
        raise UsageError(
            f"refusing to write over the data file {os.fspath(protect)}: choose another --output; nothing was changed"
        )
    try:
        info: os.stat_result | None = os.stat(output)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise cannot_write(output, err) from None
    with writing(output):
        if info is not None and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
            try:
                fd = os.open(output, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            except OSError as err:
                raise DemandsError(f"cannot write {output}: {cause(err)}") from None
            return
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise DemandsError(f"cannot write {output}: it is a directory; give a file name")
        replace(output, data, label=output)


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
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            portable.keep_owner_and_mode(handle.fileno(), None, 0o666 & ~_umask())
            os.fsync(handle.fileno())
        try:
            with deferred():
                os.link(tmp, path)
                _replaced()
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
