"""The merge driver on a large file: ``python benchmarks/merge_driver.py [ITEMS]`` (default 100,000).

A realistic merge: BASE from ``generate.py``; OURS and THEIRS each change a few dozen items
(titles on one side, priorities and notes on the other, some of them the same item in different
fields), both add, with a comment line above, an item under the same id, differently (theirs is
renumbered). Runs ``demands merge-driver`` through ``launch.py`` (the child's own peak memory)
and prints its time, peak and what it said.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

from generate import generate
from launch import Launcher

ITEM = re.compile(r"^  - id: (\S+)\n", re.M)
ADDED = (
    "  # {side} adds one\n  - id: US-{n}\n    party: us\n    kind: demand\n    title: {side} add\n"
    "    status: open\n    history:\n      - {{date: 2018-07-01, status: open}}\n"
)


def changed(text: str, picks: list[int], how: str, side: str) -> str:
    starts = [m.start() for m in ITEM.finditer(text)]
    parts, at = [], 0
    for k in sorted(picks):
        start, end = starts[k], starts[k + 1]
        body = text[start:end]
        if how == "title":
            body = re.sub(r"title: [^\n]*", f"title: {side} retitled", body, count=1)
        elif how == "priority":
            body = re.sub(r"priority: \w+", "priority: medium", body, count=1)
        else:
            at_end = body.index("\n", body.rindex("      - {date:")) + 1
            body = body[:at_end] + f"      - {{date: 2018-07-02, note: {side} note}}\n" + body[at_end:]
        parts.append(text[at:start] + body)
        at = end
    parts.append(text[at:])
    return "".join(parts)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(1)
    base = generate(count)
    n = len(ITEM.findall(base))
    both = rng.sample(range(n - 1), 10)  # the same items, different fields on each side
    ours = changed(base, [*rng.sample(range(n - 1), 30), *both], "title", "ours")
    ours = changed(ours, rng.sample(range(n - 1), 10), "note", "ours")
    theirs = changed(base, [*rng.sample(range(n - 1), 30), *both], "priority", "theirs")
    theirs = changed(theirs, rng.sample(range(n - 1), 10), "note", "theirs")
    ours += ADDED.format(side="ours", n=count + 1)
    theirs += ADDED.format(side="theirs", n=count + 1)
    with tempfile.TemporaryDirectory() as scratch, Launcher() as launcher:
        folder = Path(scratch)
        for name, text in (("base.yaml", base), ("ours.yaml", ours), ("theirs.yaml", theirs)):
            (folder / name).write_text(text, encoding="utf-8")
        del base, ours, theirs
        env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "XDG_STATE_HOME": str(folder / "state")}
        demands = shutil.which("demands") or "demands"
        argv = [demands, "merge-driver", "base.yaml", "ours.yaml", "theirs.yaml", "--path", "demands.yaml"]
        result = launcher.run(argv, env, cwd=folder)
        size = (folder / "base.yaml").stat().st_size / 1e6
        print(
            f"{count:,} items ({size:.0f} MB): merge-driver {result.seconds:.1f} s, peak {result.peak_mb:.0f} MB, "
            f"exit {result.code}"
        )
        print(result.stderr.strip())


if __name__ == "__main__":
    main()
