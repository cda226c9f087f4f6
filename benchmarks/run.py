"""Measure the performance budgets (benchmarks/README.md) as ratios to their floors, side by side in one run.

    python benchmarks/run.py            # the budgets on the shipped file and 10,000 items
    python benchmarks/run.py --huge     # also every command on 100,000 items, with peak memory

Each figure is the median of several runs of the installed ``demands`` script (subprocesses,
as a user runs it), divided by the median of its floor measured in the same run. Peak memory
is the child's maximum resident set size. Absolute times on a shared machine are noise; the
ratios are what the budgets bound.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from launch import Launcher

ROOT = Path(__file__).resolve().parent.parent
DEMANDS = shutil.which("demands") or str(Path(sys.executable).with_name("demands"))
#: Spawns every measured command, so that this runner's own memory (the generated 100,000-item
#: text is hundreds of MB) is not counted in their peaks: see launch.py.
LAUNCHER: Launcher | None = None


def measure(argv: list[str], env: dict[str, str], cwd: Path, prepare: object = None) -> tuple[float, int, int]:
    """(seconds, peak RSS in MB, exit code) of one run."""
    if callable(prepare):
        prepare()
    assert LAUNCHER is not None
    result = LAUNCHER.run(argv, env, cwd)
    if result.code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.code}): {result.stderr[:300]}")
    return result.seconds, int(result.peak_mb), result.code


def median(argv: list[str], env: dict[str, str], cwd: Path, runs: int, prepare: object = None) -> tuple[float, int]:
    times, peaks = [], []
    for _ in range(runs):
        seconds, peak, _ = measure(argv, env, cwd, prepare)
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def paired(
    ours: list[str], floor: list[str], env: dict[str, str], cwd: Path, runs: int
) -> tuple[tuple[float, int], tuple[float, int]]:
    """Medians of ``ours`` and ``floor`` run alternately, so that load from elsewhere on the
    machine falls on both alike."""
    mine, base = [], []
    for _ in range(runs):
        mine.append(measure(ours, env, cwd)[:2])
        base.append(measure(floor, env, cwd)[:2])
    return (
        (statistics.median(t for t, _ in mine), max(p for _, p in mine)),
        (statistics.median(t for t, _ in base), max(p for _, p in base)),
    )


def main() -> None:
    global LAUNCHER
    with Launcher() as LAUNCHER:  # first, while this process is small
        _main()


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure for small files (default 5)")
    parser.add_argument("--big-runs", type=int, default=3, help="runs per figure on 10,000 items (default 3)")
    parser.add_argument("--huge", action="store_true", help="also 100,000 items (takes minutes)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="demands-bench-"))
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "DEMANDS_FILE", "DEMANDS_NO_CACHE")
    }
    env.update({"XDG_CACHE_HOME": str(work / "cache"), "XDG_STATE_HOME": str(work / "state"), "COLUMNS": "100"})
    py = sys.executable
    rows: list[tuple[str, float, float, float | None, int]] = []

    def figure(
        name: str, ours: tuple[float, int], floor: tuple[float, int], budget: float | None, max_mb: int | None = None
    ) -> None:
        rows.append((name, ours[0], floor[0], budget, ours[1]))
        ratio = ours[0] / floor[0]
        verdict = "" if budget is None else ("  ok" if ratio <= budget else "  OVER BUDGET")
        memory = "" if max_mb is None else (" (ok)" if ours[1] <= max_mb else f" (OVER {max_mb:,} MB)")
        print(
            f"{name:<58} {ours[0]:7.3f} s / {floor[0]:7.3f} s = {ratio:5.2f}x"
            f"{'' if budget is None else f' (budget {budget}x)'}{verdict}  peak {ours[1]} MB{memory}",
            flush=True,
        )

    print(
        f"tradedemands benchmarks, {time.strftime('%Y-%m-%d')}, {platform.node()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )

    # 1. Start-up on the shipped file. Warm the bytecode and the parse cache first, as a user's
    # second command finds them.
    shipped = ROOT / "data" / "demands.yaml"
    subprocess.run([DEMANDS, "list", "--party", "us", "-f", str(shipped)], env=env, capture_output=True, check=True)
    ours, floor = paired(
        [DEMANDS, "list", "--party", "us", "-f", str(shipped)],
        [py, "-c", "import typer, yaml, rich.console, rich.table"],
        env,
        ROOT,
        args.runs * 4,
    )
    figure("list --party us, shipped file (vs import typer+yaml+rich)", ours, floor, 1.25)

    # 2-4. 10,000 items.
    big = work / "big" / "demands.yaml"
    big.parent.mkdir()
    big.write_text(generate(10_000), encoding="utf-8")
    parse_floor = [py, "-c", "import json, sys, yaml; json.dumps(yaml.load(open(sys.argv[1], 'rb'), "
                   "Loader=yaml.CSafeLoader), default=str)", str(big)]  # fmt: skip
    floor = median(parse_floor, env, ROOT, args.big_runs)
    cold_cache = lambda: shutil.rmtree(work / "cache", ignore_errors=True)  # noqa: E731
    ours = median([DEMANDS, "list", "-o", "json", "-f", str(big)], env, ROOT, args.big_runs, cold_cache)
    figure("list -o json, 10,000 items, first run (vs C loader + json)", ours, floor, 1.0)
    ours = median([DEMANDS, "list", "-o", "json", "-f", str(big)], env, ROOT, args.big_runs)
    figure("the same, second run on the unchanged file", ours, floor, 0.10)
    statuses = iter(["discussing", "agreed"] * args.big_runs)
    ours = median([DEMANDS, "mark", "US-7", "partial", "-f", str(big)], env, ROOT, 1)  # warms the new version
    times, peaks = [], []
    for _ in range(args.big_runs):
        seconds, peak, _ = measure([DEMANDS, "mark", "US-7", next(statuses), "-f", str(big)], env, ROOT)
        times.append(seconds)
        peaks.append(peak)
    figure("mark, 10,000 items, warm cache", (statistics.median(times), max(peaks)), floor, 0.15)

    # After one item changed by other means (a git pull, a hand edit): a different title is
    # edited by text replacement before each run; the cache is warm for the version before.
    pulls = iter(range(args.big_runs))

    def pull() -> None:
        k = next(pulls)
        text = big.read_text(encoding="utf-8")
        at = text.index(f"\n  - id: CN-{20 + k}\n")
        end = text.index("\n", text.index("\n    title: ", at) + 1)
        big.write_text(f"{text[:end]} (pulled {k}){text[end:]}", encoding="utf-8")

    ours = median([DEMANDS, "list", "--party", "us", "-f", str(big)], env, ROOT, args.big_runs, pull)
    figure("list --party us after one item changed by other means", ours, floor, 0.15)

    # diff against the previous commit: vs loading both versions.
    repo = big.parent
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "demands.yaml"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=repo, check=True)
    subprocess.run(
        [DEMANDS, "mark", "CN-9", "rejected", "-f", str(big)], env=env, cwd=repo, check=True, capture_output=True
    )
    subprocess.run([*git, "commit", "-qam", "v2"], cwd=repo, check=True)
    both = [py, "-c", "import subprocess, sys, yaml; L = yaml.CSafeLoader; yaml.load(open(sys.argv[1], 'rb'), Loader=L); "
            "yaml.load(subprocess.run(['git', 'show', 'HEAD~1:demands.yaml'], capture_output=True).stdout, Loader=L)", str(big)]  # fmt: skip
    floor_both = median(both, env, repo, args.big_runs)
    ours = median([DEMANDS, "diff", "HEAD~1", "-f", str(big), "-o", "json"], env, repo, args.big_runs, cold_cache)
    figure("diff HEAD~1, 10,000 items, cold cache (vs loading both)", ours, floor_both, 2.0)
    ours = median([DEMANDS, "diff", "HEAD~1", "-f", str(big), "-o", "json"], env, repo, args.big_runs)
    figure("the same, warm cache", ours, floor_both, 2.0)
    for name, argv in [
        ("show US-7", ["show", "US-7"]),
        ("brief", ["brief"]),
        ("summary", ["summary"]),
    ]:
        ours = median([DEMANDS, *argv, "-f", str(big)], env, ROOT, args.big_runs)
        figure(f"{name}, 10,000 items, warm cache", ours, floor, None)

    if args.huge:
        huge = work / "huge" / "demands.yaml"
        huge.parent.mkdir()
        huge.write_text(generate(100_000), encoding="utf-8")
        print(f"100,000 items: {huge.stat().st_size / 1e6:.0f} MB", flush=True)
        floor = median([*parse_floor[:-1], str(huge)], env, ROOT, 1)
        for name, argv, prepare in [
            ("validate, empty cache folder", ["validate"], cold_cache),
            ("list -o json, first run", ["list", "-o", "json"], cold_cache),
            ("list --party us", ["list", "--party", "us"], None),
            ("show US-7", ["show", "US-7"], None),
            ("mark US-7 rejected", ["mark", "US-7", "rejected"], None),
            ("mark US-8 rejected, cold cache", ["mark", "US-8", "rejected"], cold_cache),
            ("diff --since 2018-06-01 -o json", ["diff", "--since", "2018-06-01", "-o", "json"], None),
            ("brief", ["brief"], None),
            ("export -o yaml", ["export", "-o", "yaml"], None),
        ]:
            ours = median([DEMANDS, *argv, "-f", str(huge)], env, ROOT, 1, prepare)
            figure(f"{name}, 100,000 items", ours, floor, None, max_mb=1024)
        # The cache off: still item by item, storing nothing (review of 16, finding 5).
        off = {**env, "DEMANDS_NO_CACHE": "1"}
        for name, argv in [("validate", ["validate"]), ("mark US-9 rejected", ["mark", "US-9", "rejected"])]:
            ours = median([DEMANDS, *argv, "-f", str(huge)], off, ROOT, 1)
            figure(f"{name}, DEMANDS_NO_CACHE=1, 100,000 items", ours, floor, None, max_mb=1024)
        # Two versions at once: the file against the commit before, cold and warm.
        subprocess.run([*git, "init", "-q"], cwd=huge.parent, check=True)
        subprocess.run([*git, "add", "demands.yaml"], cwd=huge.parent, check=True)
        subprocess.run([*git, "commit", "-qm", "v1"], cwd=huge.parent, check=True)
        subprocess.run([DEMANDS, "mark", "CN-9", "rejected", "-f", str(huge)], env=env, check=True, capture_output=True)
        subprocess.run([*git, "commit", "-qam", "v2"], cwd=huge.parent, check=True)
        for name, prepare in [("diff HEAD~1 -o json, cold cache", cold_cache), ("the same, warm cache", None)]:
            ours = median([DEMANDS, "diff", "HEAD~1", "-o", "json", "-f", str(huge)], env, huge.parent, 1, prepare)
            figure(f"{name}, 100,000 items", ours, floor, None, max_mb=1024)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
