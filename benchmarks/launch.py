"""Run benchmark commands from a small helper process, so that each child's peak memory is its own.

Linux counts in a child's maximum resident set size (``ru_maxrss``) the high-water mark of the
process that forked it: the pages a fork shares are resident in the child until it execs. A
runner that has generated a 79 MB file, or read 10,000 items back, would see every command it
starts "peak" at least at its own size (measured: a parent holding 200 MB made ``task
--version`` report 213 MB, even after freeing them). The helper starts before the runner grows
and does nothing but spawn, time and reap, so children's peaks are exact above its ~10 MB.

    with Launcher() as launcher:
        result = launcher.run(["demands", "list"], env, output=Path("out.txt"))
        result.seconds, result.peak_mb, result.code, result.stderr
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The width and height of the pseudo-terminal for ``tty=True`` runs.
TTY_SIZE = (120, 50)


@dataclass
class Result:
    """One finished child: wall time (s), peak RSS (MB), exit code and what it wrote on stderr."""

    seconds: float
    peak_mb: float
    code: int
    stderr: str


class Launcher:
    """A helper process that runs one command at a time for the runner (see the module doc)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-S", str(Path(__file__).resolve()), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def run(
        self,
        argv: list[str],
        env: dict[str, str],
        cwd: Path | str | None = None,
        output: Path | None = None,
        tty: bool = False,
    ) -> Result:
        """Run ``argv`` to completion; stdout goes to ``output`` (else /dev/null), through a
        pseudo-terminal of TTY_SIZE when ``tty``. Times the spawn-to-reap wall clock."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        request = {
            "argv": argv,
            "env": env,
            "cwd": None if cwd is None else str(cwd),
            "output": None if output is None else str(output),
            "tty": tty,
        }
        self._proc.stdin.write(json.dumps(request).encode() + b"\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark launcher died")
        return Result(**json.loads(line))

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _run(argv: list[str], env: dict[str, str], cwd: str | None, output: str | None, tty: bool) -> dict[str, Any]:
    with tempfile.TemporaryFile() as err:
        if tty:
            seconds, status, usage = _run_tty(argv, env, cwd, output or os.devnull, err)
        else:
            with open(output or os.devnull, "wb") as out:
                start = time.perf_counter()
                proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
                _, status, usage = os.wait4(proc.pid, 0)
                seconds = time.perf_counter() - start
                proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "code": os.waitstatus_to_exitcode(status),
        "stderr": stderr,
    }


def _run_tty(argv: list[str], env: dict[str, str], cwd: str | None, output: str, err: Any) -> tuple[float, int, Any]:
    import fcntl
    import pty
    import struct
    import termios
    import threading

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", TTY_SIZE[1], TTY_SIZE[0], 0, 0))
    sink = open(output, "wb")  # noqa: SIM115 - closed by the reader thread

    def drain() -> None:
        with sink:
            while True:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:  # EIO: every copy of the terminal's other side is closed
                    break
                if not chunk:
                    break
                sink.write(chunk)
        os.close(master)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=slave, stderr=err)
    os.close(slave)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    return seconds, status, usage


def _serve() -> None:
    for line in sys.stdin.buffer:
        reply = _run(**json.loads(line))
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
