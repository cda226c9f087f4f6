"""Windows and macOS, simulated on Linux, and the state and cache folders of each system.

Only Linux runs here. The Windows tests set ``sys.platform`` to ``win32`` and take away what
Windows lacks: ``import fcntl`` fails, ``os.geteuid``/``getegid``/``getuid``/``fchmod``/``fchown``
are gone, and opening a folder is refused (``PermissionError``, as Windows refuses it). An
``msvcrt`` stand-in locks with the semantics of the real one (an exclusive lock on a byte range of
a file, not waiting, ``EACCES`` while another descriptor holds it, released on close) on top of
``flock``. The write commands, undo and the merge driver then run in that simulation, in this
process and in several processes at once. The macOS tests set ``sys.platform`` to ``darwin``.
What a simulation cannot show (NTFS refusing to replace a file another program holds open,
Git for Windows' sh running the driver, the real msvcrt) is said in the README.
"""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from tradedemands import document, portable
from tradedemands.errors import LockTimeout
from tradedemands.lock import lock_path, locked

DATE = "2018-05-20"


def fake_msvcrt() -> types.ModuleType:
    """``msvcrt.locking`` as Windows has it, on ``flock`` (one lock per open file description)."""
    module = types.ModuleType("msvcrt")
    module.LK_UNLCK, module.LK_LOCK, module.LK_NBLCK, module.LK_RLCK, module.LK_NBRLCK = 0, 1, 2, 3, 4  # type: ignore[attr-defined]

    def locking(fd: int, mode: int, nbytes: int) -> None:
        assert nbytes == 1 and os.lseek(fd, 0, os.SEEK_CUR) == 0, "lock the first byte"
        if mode == module.LK_UNLCK:  # type: ignore[attr-defined]
            fcntl.flock(fd, fcntl.LOCK_UN)
            return
        assert mode == module.LK_NBLCK, "only the non-blocking lock is used"  # type: ignore[attr-defined]
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PermissionError(errno.EACCES, "Permission denied") from None

    module.locking = locking  # type: ignore[attr-defined]
    return module


def forget_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs picks its system when imported: let the next import see the simulated one.

    On Windows it asks the shell API through ctypes, else the registry (winreg), else reads
    %LOCALAPPDATA%; here neither API exists, so ctypes is taken away and it reads the variable.
    """
    for name in [m for m in sys.modules if m == "platformdirs" or m.startswith("platformdirs.")]:
        monkeypatch.delitem(sys.modules, name)
    if sys.platform == "win32":
        monkeypatch.setitem(sys.modules, "ctypes", None)


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> Iterator[list[int]]:
    """Windows, as far as this process can be made to look like it; yields the flags of each os.open."""
    import rich.console  # noqa: F401 - Rich decides its platform when imported: let it see Linux

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` raises ImportError
    monkeypatch.setitem(sys.modules, "msvcrt", fake_msvcrt())
    for name in ("geteuid", "getegid", "getuid", "fchmod", "fchown", "statvfs", "O_NONBLOCK", "O_NOFOLLOW"):
        monkeypatch.delattr(os, name, raising=False)
    monkeypatch.setattr(os, "O_BINARY", 0x8000, raising=False)

    def windows_kill(pid: int, sig: int) -> None:  # signal 0 is CTRL_C_EVENT there: never send it
        raise AssertionError(f"os.kill({pid}, {sig}) on Windows")

    monkeypatch.setattr(os, "kill", windows_kill)
    flags: list[int] = []
    real_open = os.open

    def windows_open(path: Any, flag: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if os.path.isdir(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        flags.append(flag)
        return real_open(path, flag & ~0x8000, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", windows_open)
    monkeypatch.setenv("LOCALAPPDATA", str(workspace / "AppData" / "Local"))
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.delenv("XDG_CACHE_HOME")
    forget_platformdirs(monkeypatch)
    yield flags


@pytest.fixture
def macos(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("HOME", str(workspace / "home"))
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.delenv("XDG_CACHE_HOME")
    forget_platformdirs(monkeypatch)


# --- Windows, simulated ------------------------------------------------------------------------------


def test_write_commands_and_undo_work_on_windows(run: Any, data_file: Path, windows: list[int]) -> None:
    before = data_file.read_text(encoding="utf-8")
    for args in (
        ["mark", "US-3", "discussing", "--date", DATE],
        ["note", "CN-2", "ZTE still banned", "--date", DATE],
        ["add", "-p", "cn", "--title", "Lift the ZTE export ban", "--date", DATE],
        ["edit", "CN-8", "--priority", "high"],
        ["link", "CN-8", "responds-to", "US-6"],
    ):
        r = run(*args)
        assert r.exit_code == 0, r.output
    doc = document.load(data_file)
    assert doc.item("US-3")["status"] == "discussing"
    assert doc.item("CN-8")["links"] == [{"rel": "responds-to", "id": "US-6"}]
    # The lock is a file beside the data file; the undo journal is under %LOCALAPPDATA%.
    assert sorted(p.name for p in data_file.parent.iterdir()) == [".tradedemands.lock", "demands.yaml"]
    local = Path(os.environ["LOCALAPPDATA"])
    assert [p.parent for p in (local / "tradedemands" / "undo").glob("*.json")] == [local / "tradedemands" / "undo"]
    for _ in range(5):
        r = run("undo")
        assert r.exit_code == 0, r.output
    assert data_file.read_text(encoding="utf-8") == before
    assert sys.modules["fcntl"] is None, "something imported fcntl"


def test_init_on_windows_opens_its_file_in_binary_mode(
    run: Any, monkeypatch: pytest.MonkeyPatch, workspace: Path, windows: list[int]
) -> None:
    """Without hard links (FAT, some shares), init creates its file with os.open: in binary mode."""

    def no_links(*_args: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    r = run("init", str(workspace / "talks.yaml"))
    assert r.exit_code == 0, r.output
    creating = [f for f in windows if f & os.O_EXCL and not f & os.O_RDWR]
    assert creating and all(f & 0x8000 for f in creating), "os.open without O_BINARY turns \\n into \\r\\n on Windows"
    assert b"\r\n" not in (workspace / "talks.yaml").read_bytes()


def test_the_merge_driver_works_on_windows(run: Any, tmp_path: Path, windows: list[int]) -> None:
    base = (ROOT / "data" / "demands.yaml").read_text(encoding="utf-8")
    ours = base.replace("title: US–China trade talks, 2018", "title: US–China trade talks, 2018 (ours)")
    theirs = base.replace("    title: Cut tariffs to the US level\n", "    title: Cut tariffs to US levels\n")
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    r = run("merge-driver", *paths, "--path", "data/demands.yaml")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "ours").read_text(encoding="utf-8") == ours.replace(
        "    title: Cut tariffs to the US level\n", "    title: Cut tariffs to US levels\n"
    )


def test_a_writer_on_windows_waits_for_the_lock_then_says_so(run: Any, data_file: Path, windows: list[int]) -> None:
    before = data_file.read_text(encoding="utf-8")
    held = portable.open_lock(lock_path(data_file))
    try:
        assert portable.try_lock(held)
        r = run("mark", "US-3", "discussing", env={"DEMANDS_LOCK_TIMEOUT": "0.2"})
        assert (r.exit_code, r.stderr) == (
            1,
            f"demands: {data_file} is being changed by another process (waited 0.2 s); "
            "try again when it has finished, or set DEMANDS_LOCK_TIMEOUT to wait longer\n",
        )
        with pytest.raises(LockTimeout), locked(data_file, timeout=0):
            pass
    finally:
        portable.close_lock(held, True)
    assert data_file.read_text(encoding="utf-8") == before
    with locked(data_file, timeout=0):  # released with its descriptor
        pass


#: Runs the CLI in a process that looks like Windows, as the fixture above makes this one look.
WINDOWS_PROCESS = textwrap.dedent(
    """
    import errno, fcntl, os, sys, types
    from tradedemands.cli import app  # click and Typer decide their platform when imported: Linux
    sys.platform = "win32"
    msvcrt = types.ModuleType("msvcrt")
    msvcrt.LK_UNLCK, msvcrt.LK_NBLCK = 0, 2
    def locking(fd, mode, nbytes):
        if mode == 0:
            return fcntl.flock(fd, fcntl.LOCK_UN)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PermissionError(errno.EACCES, "Permission denied") from None
    msvcrt.locking = locking
    sys.modules["msvcrt"], sys.modules["fcntl"], sys.modules["ctypes"] = msvcrt, None, None
    for name in ("geteuid", "getegid", "getuid", "fchmod", "fchown", "statvfs", "O_NONBLOCK", "O_NOFOLLOW"):
        delattr(os, name)
    def windows_kill(pid, sig):
        raise AssertionError("os.kill on Windows")
    os.kill = windows_kill
    real_open = os.open
    def windows_open(path, flags, mode=0o777, *, dir_fd=None):
        if os.path.isdir(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, dir_fd=dir_fd)
    os.open = windows_open
    writer, count = sys.argv[1], int(sys.argv[2])
    for n in range(count):
        sys.argv[1:] = ["note", "CN-2", f"writer {writer} note {n}", "--date", "2018-05-20"]
        try:
            app()
        except SystemExit as done:
            assert not done.code, done.code
    """
)


def test_concurrent_writers_on_windows_lose_nothing(workspace: Path, data_file: Path) -> None:
    env = {**os.environ, "LOCALAPPDATA": str(workspace / "AppData"), "DEMANDS_LOCK_TIMEOUT": "30"}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WINDOWS_PROCESS, str(w), "4"],
            cwd=workspace,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(3)
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    notes = [e.get("note") for e in document.load(data_file).item("CN-2")["history"]]
    assert sorted(n for n in notes if n and n.startswith("writer")) == sorted(
        f"writer {w} note {n}" for w in range(3) for n in range(4)
    )
    assert (data_file.parent / ".tradedemands.lock").exists()


# --- macOS, simulated ----------------------------------------------------------------------------------


def test_write_commands_work_on_macos_and_keep_state_in_library(run: Any, data_file: Path, macos: None) -> None:
    r = run("mark", "US-3", "discussing", "--date", DATE)
    assert r.exit_code == 0, r.output
    home = Path(os.environ["HOME"])
    assert list((home / "Library" / "Application Support" / "tradedemands" / "undo").glob("*.json"))
    assert sorted(p.name for p in data_file.parent.iterdir()) == ["demands.yaml"]  # the lock is the folder's
    r = run("undo")
    assert r.exit_code == 0, r.output


# --- where state and cache go --------------------------------------------------------------------------


def test_linux_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert (portable.state_home(), portable.cache_home()) == (
        tmp_path / "state/tradedemands",
        tmp_path / "cache/tradedemands",
    )
    # Unset, or relative (the XDG spec says to ignore those): the defaults under HOME.
    for value in (None, "relative/path"):
        for name in ("XDG_STATE_HOME", "XDG_CACHE_HOME"):
            if value is None:
                monkeypatch.delenv(name)
            else:
                monkeypatch.setenv(name, value)
        assert (portable.state_home(), portable.cache_home()) == (
            tmp_path / "home/.local/state/tradedemands",
            tmp_path / "home/.cache/tradedemands",
        )


def test_macos_uses_library_unless_xdg_is_set(monkeypatch: pytest.MonkeyPatch, macos: None, workspace: Path) -> None:
    home = workspace / "home"
    assert portable.state_home() == home / "Library/Application Support/tradedemands"
    assert portable.cache_home() == home / "Library/Caches/tradedemands"
    monkeypatch.setenv("XDG_CACHE_HOME", str(workspace / "xdg-cache"))
    assert portable.cache_home() == workspace / "xdg-cache/tradedemands"


@pytest.mark.parametrize("with_platformdirs", [True, False])
def test_windows_uses_localappdata(monkeypatch: pytest.MonkeyPatch, workspace: Path, with_platformdirs: bool) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.delenv("XDG_CACHE_HOME")
    local = workspace / "AppData" / "Local"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    forget_platformdirs(monkeypatch)
    if not with_platformdirs:
        monkeypatch.setitem(sys.modules, "platformdirs", None)
    assert portable.state_home() == local / "tradedemands"
    assert portable.cache_home() == local / "tradedemands" / "Cache"


def test_linux_never_imports_platformdirs() -> None:
    code = (
        "import sys; from tradedemands import cache, journal; journal.state_dir(); cache.directory(); "
        "print('platformdirs' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "False\n"), done.stderr
