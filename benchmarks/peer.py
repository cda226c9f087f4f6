"""Side by side with Taskwarrior 2.6 on the same items: our time over theirs on four figures, each with a budget.

    python benchmarks/peer.py                 # 10,000 items, 7 interleaved runs a figure (~1-2 min)
    python benchmarks/peer.py --runs 9        # steadier medians
    python benchmarks/peer.py --items 2000    # a quick look
    python benchmarks/peer.py --tty           # stdout on a pseudo-terminal, colour on both sides

One generator (``generate.py``) makes the demands file; ``demands list -o json`` reads it
back and the same items are imported into Taskwarrior (``task import``) in a temporary
``TASKDATA`` with a temporary ``TASKRC`` (no confirmation, no hooks, no nag, colour off,
column labels and counts as a user sees them): party -> project, title -> description,
tags -> tags, priority -> H/M/L, due -> due, text and history notes -> annotations,
kind/status/topic/of -> UDAs. Every item is pending, so ``task project:us list`` shows
the same rows as ``demands list --party us``.

Each figure runs ours, theirs, ours, theirs... and reports the medians and each side's
peak memory (the child's maximum resident set size, from ``os.wait4`` in a small launcher
process, so that this runner's own memory is not counted: see ``launch.py``). Ours runs with a
warm parse cache in a temporary ``XDG_CACHE_HOME``. By default stdout goes to a file,
with the table format forced (``-o table``) and the width fixed at 120 columns on both
sides (``COLUMNS=120``, ``rc.defaultwidth=120``); ``--tty`` puts stdout on a pseudo-terminal
120 columns wide instead, where both draw colour. The output of each side's first run is
checked (row count, JSON length) so that neither side is measured doing less.

Exits 0 with a message when ``task`` is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from launch import TTY_SIZE, Launcher, Result

DEMANDS = shutil.which("demands") or str(Path(sys.executable).with_name("demands"))
WIDTH = TTY_SIZE[0]
#: The budgets: demands' time over Taskwarrior's, at most.
BUDGETS = {"table": 1.0, "json": 1.0, "write": 1.5, "changed": 1.5}
TASKRC = """\
# Written by benchmarks/peer.py for one run; deleted afterwards.
data.location={data}
confirmation=off
hooks=off
nag=
color={color}
detection=off
defaultwidth={width}
verbose=label,affected
uda.kind.type=string
uda.kind.label=Kind
uda.dstatus.type=string
uda.dstatus.label=Status
uda.topic.type=string
uda.topic.label=Topic
uda.of.type=string
uda.of.label=Of
"""


LAUNCHER: Launcher | None = None


def run(argv: list[str], env: dict[str, str], output: Path, tty: bool) -> Result:
    """Run ``argv`` from the launcher, stdout to ``output``; stops the benchmark if it fails."""
    assert LAUNCHER is not None
    result = LAUNCHER.run(argv, env, output=output, tty=tty)
    if result.code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.code}): {result.stderr[:300]}")
    return result


def task_date(day: str) -> str:
    return day.replace("-", "") + "T000000Z"


def to_task(item: dict) -> dict:
    """One demands item as a Taskwarrior task (pending; the uuid derived from the id)."""
    history = item.get("history") or []
    entry = (history[0].get("date") if history else None) or (item.get("source") or {}).get("date") or "2018-01-01"
    notes = [{"entry": task_date(entry), "description": item["text"]}] if item.get("text") else []
    notes += [
        {"entry": task_date(h["date"]), "description": h["note"]} for h in history if h.get("note") and h.get("date")
    ]
    task = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "tradedemands:" + item["id"])),
        "description": item["title"],
        "project": item["party"],
        "status": "pending",
        "entry": task_date(entry),
        "tags": item.get("tags") or [],
        "kind": item.get("kind", "demand"),
        "dstatus": item["status"],
        "annotations": notes,
    }
    if item.get("priority"):
        task["priority"] = {"high": "H", "medium": "M", "low": "L"}[item["priority"]]
    if item.get("topic"):
        task["topic"] = item["topic"]
    if item.get("of"):
        task["of"] = item["of"]
    if item.get("due"):
        task["due"] = task_date(item["due"])
    return task


def versions() -> str:
    from importlib import metadata

    found = []
    for name in ("typer", "rich", "pyyaml"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} ?")
    task = subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
    return ", ".join([*found, f"task {task}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="interleaved runs per figure (default 7)")
    parser.add_argument("--items", type=int, default=10_000, help="items in the file, a fifth party us (default 10000)")
    parser.add_argument("--tty", action="store_true", help="stdout on a pseudo-terminal (colour) instead of a file")
    args = parser.parse_args()
    if args.runs < 1 or args.items < 10:
        parser.error("--runs must be at least 1 and --items at least 10")
    if shutil.which("task") is None:
        print("peer.py: skipped: Taskwarrior's 'task' is not installed (apt-get install taskwarrior)")
        return
    if not Path(DEMANDS).exists():
        print(f"peer.py: no 'demands' script at {DEMANDS}; install the project (pip install -e .)", file=sys.stderr)
        sys.exit(1)

    global LAUNCHER
    work = Path(tempfile.mkdtemp(prefix="demands-peer-"))
    try:
        with Launcher() as LAUNCHER:  # before this process grows: see launch.py
            measure_all(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure_all(work: Path, args: argparse.Namespace) -> None:
    print(
        f"tradedemands vs Taskwarrior, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, {versions()}",
        flush=True,
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEMANDS_", "TASK")) and k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "FORCE_COLOR")
    }
    base["COLUMNS"] = str(WIDTH)
    if args.tty:
        base["TERM"] = "xterm-256color"
    ours_env = {**base, "XDG_CACHE_HOME": str(work / "cache"), "XDG_STATE_HOME": str(work / "state")}
    data = work / "task"
    data.mkdir()
    taskrc = work / "taskrc"
    taskrc.write_text(TASKRC.format(data=data, color="on" if args.tty else "off", width=WIDTH), encoding="utf-8")
    theirs_env = {**base, "TASKRC": str(taskrc), "TASKDATA": str(data)}
    out = work / "out"

    # One generator for both: the YAML file, read back by demands (warming its cache), imported by task.
    big = work / "demands.yaml"
    big.write_text(generate(args.items), encoding="utf-8")
    started = time.perf_counter()
    run([DEMANDS, "list", "-o", "json", "-f", str(big)], ours_env, out, tty=False)
    items = json.loads(out.read_text(encoding="utf-8"))
    (work / "import.json").write_text("\n".join(json.dumps(to_task(i)) for i in items), encoding="utf-8")
    imported = subprocess.run(["task", "import", str(work / "import.json")], env=theirs_env, capture_output=True)
    if imported.returncode != 0:
        raise SystemExit(
            f"task import failed ({imported.returncode}): {imported.stderr.decode(errors='replace')[:300]}"
        )
    pending = data / "pending.data"
    us = [(n, i) for n, i in enumerate(items) if i["party"] == "us"]
    print(
        f"{len(items):,} items ({len(us):,} party us), {big.stat().st_size / 1e6:.1f} MB of YAML, "
        f"{pending.stat().st_size / 1e6:.1f} MB of pending.data; set up in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    # Taskwarrior numbers pending tasks in file order: task n+1 is item n. Check one.
    n, item = us[len(us) // 2]
    got = subprocess.run(["task", "_get", f"{n + 1}.description"], env=theirs_env, capture_output=True, text=True)
    if got.stdout.strip() != item["title"]:
        raise SystemExit(f"task {n + 1} is {got.stdout.strip()!r}, expected {item['title']!r}: import order differs")

    # A different item each run, one whose status really changes; the same item on both sides.
    movable = [(n, i) for n, i in us if i["status"] != "discussing"]
    if len(movable) < args.runs:
        raise SystemExit(
            f"--runs {args.runs} needs as many party-us items not yet discussing; there are {len(movable)}"
        )
    step = max(1, len(movable) // (args.runs + 1))
    chosen = [movable[(k * step) % len(movable)] for k in range(args.runs)]

    rows: list[tuple[str, Result, Result, float]] = []

    def figure(
        name: str,
        budget: float,
        ours: Callable[[int], list[str]],
        theirs: Callable[[int], list[str]],
        check: Callable[[Path, Path], None],
        before_ours: Callable[[int], None] | None = None,
        before_theirs: Callable[[int], None] | None = None,
    ) -> None:
        mine: list[Result] = []
        their: list[Result] = []
        for k in range(args.runs):
            if before_ours:
                before_ours(k)
            mine.append(run(ours(k), ours_env, work / "ours.out", args.tty))
            if before_theirs:
                before_theirs(k)
            their.append(run(theirs(k), theirs_env, work / "theirs.out", args.tty))
            if k == 0:
                check(work / "ours.out", work / "theirs.out")
        a = Result(statistics.median(r.seconds for r in mine), max(r.peak_mb for r in mine), 0, "")
        b = Result(statistics.median(r.seconds for r in their), max(r.peak_mb for r in their), 0, "")
        rows.append((name, a, b, budget))
        ratio = a.seconds / b.seconds
        print(
            f"  {name:<40} {a.seconds:7.3f} s  {b.seconds:7.3f} s  {ratio:5.2f}x (budget {budget}x) "
            f"{'ok' if ratio <= budget else 'OVER'}  [{', '.join(f'{r.seconds:.2f}' for r in mine)}] "
            f"vs [{', '.join(f'{r.seconds:.2f}' for r in their)}]",
            flush=True,
        )

    plain = re.compile(rb"\x1b\[[0-9;]*m")

    def lines(path: Path) -> list[bytes]:
        return plain.sub(b"", path.read_bytes()).replace(b"\r\n", b"\n").split(b"\n")

    def check_tables(ours_out: Path, theirs_out: Path) -> None:
        mine = sum(1 for line in lines(ours_out) if re.match(rb"US-\d+ ", line))
        their = sum(1 for line in lines(theirs_out) if re.match(rb"\s*\d+ ", line) and not line.endswith(b" tasks"))
        longest = max(len(line.decode("utf-8", "replace")) for line in lines(ours_out))
        if mine != len(us) or their != len(us) or longest > WIDTH:
            raise SystemExit(f"table rows: demands {mine} (widest {longest}), task {their}; expected {len(us)}")

    def check_json(ours_out: Path, theirs_out: Path) -> None:
        mine, their = json.loads(ours_out.read_bytes()), json.loads(theirs_out.read_bytes())
        if len(mine) != len(us) or len(their) != len(us):
            raise SystemExit(f"json: demands {len(mine)} items, task {len(their)}; expected {len(us)}")

    def check_write(ours_out: Path, theirs_out: Path) -> None:
        text = big.read_text(encoding="utf-8")
        at = text.index(f"\n  - id: {chosen[0][1]['id']}\n")
        block = text[at : text.find("\n  - id: ", at + 1)]
        their = theirs_out.read_bytes()
        if "status: discussing" not in block or b"Modified 1 task" not in their:
            raise SystemExit(f"write: {chosen[0][1]['id']} is not discussing, or task said {their[:200]!r}")

    def check_pulled(ours_out: Path, theirs_out: Path) -> None:
        check_tables(ours_out, theirs_out)
        if not all(b"(pulled" in b"".join(lines(f)) for f in (ours_out, theirs_out)):
            raise SystemExit("after a pull: the edited title is missing from an output")

    table = [DEMANDS, "list", "--party", "us", "-o", "table", "-f", str(big)]
    task_list = ["task", "project:us", "list"]
    figure(
        "list --party us (table) vs project:us list",
        BUDGETS["table"],
        lambda k: table,
        lambda k: task_list,
        check_tables,
    )
    figure(
        "list --party us -o json vs project:us export",
        BUDGETS["json"],
        lambda k: [DEMANDS, "list", "--party", "us", "-o", "json", "-f", str(big)],
        lambda k: ["task", "project:us", "export"],
        check_json,
    )

    figure(
        "mark X discussing vs N modify +bench",
        BUDGETS["write"],
        lambda k: [DEMANDS, "mark", chosen[k][1]["id"], "discussing", "-f", str(big)],
        lambda k: ["task", str(chosen[k][0] + 1), "modify", "+bench"],
        check_write,
    )

    # A teammate's pull: one item's title changes by text replacement (outside the timing);
    # our cache is warm for the version before. Taskwarrior's file is edited alike.
    edited = [us[(k * step + step // 2) % len(us)] for k in range(args.runs)]

    def edit_ours(k: int) -> None:
        text = big.read_text(encoding="utf-8")
        at = text.index(f"\n  - id: {edited[k][1]['id']}\n")
        title = text.index("\n    title: ", at) + len("\n    title: ")
        end = text.index("\n", title)
        big.write_text(f"{text[:end]} (pulled {k}){text[end:]}", encoding="utf-8")

    def edit_theirs(k: int) -> None:
        text = pending.read_text(encoding="utf-8")
        needle = f'description:"{edited[k][1]["title"]}'
        at = text.index(needle) + len(needle)
        pending.write_text(f"{text[:at]} (pulled {k}){text[at:]}", encoding="utf-8")

    run(table, ours_env, out, tty=False)  # the cache holds the version before the first edit
    figure(
        "list --party us after a pull vs list",
        BUDGETS["changed"],
        lambda k: table,
        lambda k: task_list,
        check_pulled,
        edit_ours,
        edit_theirs,
    )

    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores\n")
    print("| figure | demands | task | ratio | budget | peak MB demands | peak MB task |")
    print("|---|---|---|---|---|---|---|")
    for name, a, b, budget in rows:
        ratio = a.seconds / b.seconds
        print(
            f"| {name} | {a.seconds:.2f} s | {b.seconds:.2f} s | {ratio:.1f}x | {budget}x"
            f"{'' if ratio <= budget else ' (over)'} | {a.peak_mb:.0f} | {b.peak_mb:.0f} |"
        )


if __name__ == "__main__":
    main()
