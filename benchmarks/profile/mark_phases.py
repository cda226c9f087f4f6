"""(b) Phases of a warm ``demands mark ID discussing`` at 10,000 items (store.transact).

    export XDG_CACHE_HOME=/tmp/prof-cache XDG_STATE_HOME=/tmp/prof-state
    cp FILE /tmp/prof-mark.yaml && demands list -o ids -f /tmp/prof-mark.yaml > /dev/null
    python benchmarks/profile/fresh.py 7 benchmarks/profile/mark_phases.py /tmp/prof-mark.yaml

One mark a process, of a different party-us item each time (one not yet discussing); each
leaves the cache warm for the next. Every library function on the write path is wrapped with
a timer (inclusive times; a few dozen calls, so the wrappers cost nothing measurable); an
indented phase is part of the one above it. NOGC=1 turns the cyclic GC off for the run.
"""

from __future__ import annotations

import gc
import os

if os.environ.get("NOGC"):
    gc.disable()

import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from tradedemands import cache, edit, ops, store, validate

spent: dict[str, float] = defaultdict(float)


def timed(module: ModuleType, name: str, label: str) -> None:
    fn = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - began

    setattr(module, name, wrapper)


def timed_when(module: ModuleType, name: str, label: str, when: Callable[..., bool]) -> None:
    fn = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            if when(*args):
                spent[label] += time.perf_counter() - began

    setattr(module, name, wrapper)


timed(os, "fsync", "  os.fsync (the file, then its folder)")
timed_when(json, "loads", "  json.loads of the cache entry", lambda s, *a: len(s) > 1_000_000)
timed_when(
    json,
    "dump",
    "  json.dump of the new entry (pure-Python encoder)",
    lambda o, *a: isinstance(o, dict) and "data" in o,
)
timed(store, "locked", "flock")
timed(store, "_remove_stale_temporaries", "look for stale temporaries")
timed(store, "read_raw", "  read the file")
timed(cache, "key_of", "sha256 of the bytes (the cache key: old file, then new)")
timed(cache, "get", "  cache.get (read, json.loads, checks)")
timed(store, "decode", "  decode UTF-8")
timed(store, "load", "load (warm: read, hash, cache)")
timed(edit, "lazy_root", "lazy_root")
timed(edit, "compose_region", "  compose the item's own lines")
timed(ops, "mark", "ops.mark (find, splice, copy on write)")
timed(store, "_parse_region", "  re-parse the touched item")
timed(validate, "check", "  validate.check (the whole intended data; + the item's)")
timed(store, "_check_regions", "check the touched region")
timed(store, "_sources_changed", "compare sources (every item)")
timed(store, "atomic_write", "atomic_write (write, fsync, rename, fsync folder)")
timed(edit, "reverse_splices", "undo: reverse splices")
timed(store, "read_journal", "undo: read the journal")
timed(store, "sha", "undo: sha256 of the old and the new text")
timed(store, "write_journal", "undo: write the journal")
timed(cache, "put", "cache.put (json.dump, rename, prune)")
timed(cache, "_prune", "  prune the cache folder")
timed(store, "transact", "TOTAL store.transact")


def main() -> None:
    path = Path(sys.argv[1])
    text = path.read_text(encoding="utf-8")
    item_id = ""
    for k in range(1 + os.getpid() % 1500, 2000):
        at = text.find(f"\n  - id: US-{k}\n")
        if at >= 0 and "status: discussing" not in text[at : text.find("\n  - id: ", at + 1)]:
            item_id = f"US-{k}"
            break
    del text
    store.transact(path, lambda d, e: ops.mark(d, e, [item_id], "discussing", date="2026-11-29"), f"mark {item_id}")
    print(f"warm mark on {path} ({path.stat().st_size / 1e6:.1f} MB), inclusive times")
    print(json.dumps(spent))


if __name__ == "__main__":
    main()
