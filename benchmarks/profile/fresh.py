"""Run a phase script N times, each in a fresh process, and print each phase's median.

    python benchmarks/profile/fresh.py N SCRIPT ARGS...

A fresh process per run keeps one run's garbage and GC state out of the next (in one process,
a second json.loads of the same cache entry took 110 ms instead of 73 ms: the collector
walked the first copy). SCRIPT prints its notes, then one JSON object {phase: seconds} as its
last line; a key "_rows" (not shown) makes phases whose name says "per row" also shown per row.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys


def main() -> None:
    n, script, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    runs, notes = [], ""
    for _ in range(n):
        out = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, check=True).stdout
        lines = out.strip().splitlines()
        notes = "\n".join(lines[:-1])
        runs.append(json.loads(lines[-1]))
    if notes:
        print(notes)
    print(f"medians of {n} fresh processes:")
    rows = runs[0].get("_rows")
    for name in runs[0]:
        if name == "_rows":
            continue
        value = statistics.median(r.get(name, 0.0) for r in runs)
        if name.endswith(" MB"):
            print(f"  {name:<72} {value:8.0f} MB")
            continue
        per_row = f"  {value / rows * 1e6:7.1f} µs/row" if rows and "per row" in name else ""
        print(f"  {name:<72} {value * 1000:8.1f} ms{per_row}")


if __name__ == "__main__":
    main()
