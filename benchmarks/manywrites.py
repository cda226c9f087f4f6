"""Warm writes that touch many items (attack-16 finding 4): before, each touched item's line
number was counted from the start of the file, k·n/2 characters for k items of an n-character file.

    python benchmarks/manywrites.py [--src DIR]   # DIR: another checkout's src/, to compare

Two figures, each after a warm-up read (the cache holds the version written): ``import`` of the
file's own CSV export with every title changed (10,000 items), and ``mark`` of 500 ids near the
end of a 100,000-item file. Prints wall times (one run each) and peak memory.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    subprocess.run(args, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.perf_counter() - start
    return took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", help="a src/ folder to run instead of the installed package")
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    given = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {**os.environ, "HOME": folder, "XDG_CACHE_HOME": f"{folder}/cache", "XDG_STATE_HOME": f"{folder}/state"}
        env.pop("DEMANDS_NO_CACHE", None)
        if given.src:
            env["PYTHONPATH"] = os.path.abspath(given.src)
        demands = [sys.executable, "-m", "tradedemands"]
        small, large = work / "small.yaml", work / "large.yaml"
        subprocess.run(
            [sys.executable, HERE / "generate.py", str(given.small), small], check=True, stdout=subprocess.DEVNULL
        )
        env["DEMANDS_FILE"] = str(small)
        exported = subprocess.run(
            [*demands, "export", "--format", "csv"], env=env, check=True, capture_output=True, text=True
        ).stdout
        rows = list(csv.reader(exported.splitlines()))
        title = rows[0].index("title")
        for row in rows[1:]:
            row[title] += " (rev. 2)"
        with open(work / "changed.csv", "w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(rows)
        subprocess.run([*demands, "list", "-o", "json"], env=env, check=True, stdout=subprocess.DEVNULL)
        took, peak = timed([*demands, "import", str(work / "changed.csv")], env, work)
        print(f"import of {given.small:,} changed rows, warm: {took:.2f} s")
        subprocess.run(
            [sys.executable, HERE / "generate.py", str(given.large), large], check=True, stdout=subprocess.DEVNULL
        )
        env["DEMANDS_FILE"] = str(large)
        subprocess.run([*demands, "list", "-o", "json"], env=env, check=True, stdout=subprocess.DEVNULL)
        last = given.large // 5  # generate.py numbers each of its five parties' items from 1
        ids = [f"US-{n}" for n in range(last - 499, last + 1)]
        took, peak = timed([*demands, "mark", *ids, "met"], env, work)
        print(f"mark of 500 ids near the end of {given.large:,} items, warm: {took:.2f} s (peak of all runs {peak} MB)")
        shutil.rmtree(work / "cache", ignore_errors=True)


if __name__ == "__main__":
    main()
