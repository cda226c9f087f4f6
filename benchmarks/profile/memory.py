"""(d) What holds memory at 100,000 items: resident memory and its high-water mark after each
stage of a cold load (no cache entry: every item chunk parsed alone), then of a warm one.

    python benchmarks/generate.py 100000 /tmp/prof-100k.yaml
    XDG_CACHE_HOME=$(mktemp -d) python benchmarks/profile/memory.py /tmp/prof-100k.yaml

The budget is the peak of the whole command (the child's max RSS, measured by run.py --huge);
this shows which stage sets it. Freed memory stays in the process's arenas, so RSS only falls
when whole arenas empty.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

gc.disable()

from tradedemands import document, formats  # noqa: E402

started = time.perf_counter()


def stage(name: str) -> None:
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    rss, peak = (int(status[k].split()[0]) // 1024 for k in ("VmRSS", "VmHWM"))
    print(f"{time.perf_counter() - started:6.1f} s  {name:<52} RSS {rss:6,} MB  peak {peak:6,} MB", flush=True)


def main() -> None:
    path = Path(sys.argv[1])
    stage("start")
    doc = document.load(path)
    stage(f"cold load: {len(doc.items):,} items parsed chunk by chunk, entry written")
    text = formats.to_json(doc.items)
    stage(f"the items as JSON ({len(text) / 1e6:.0f} MB)")
    del doc, text
    stage("dropped")
    doc = document.load(path)
    stage("warm load: the entry read, checked, decoded")
    del doc
    doc = document.load(path, edit=True)
    stage(f"warm load for a write (the entry's bytes kept): {len(doc.items):,} items")


if __name__ == "__main__":
    main()
