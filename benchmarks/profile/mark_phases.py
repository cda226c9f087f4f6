"""(b) Phases of a warm ``demands mark ID discussing`` at 10,000 items (``transaction.transact``).

    export XDG_CACHE_HOME=/tmp/prof-cache XDG_STATE_HOME=/tmp/prof-state
    cp FILE /tmp/prof-mark.yaml && demands list -o ids -f /tmp/prof-mark.yaml > /dev/null
    python benchmarks/profile/fresh.py 7 benchmarks/profile/mark_phases.py /tmp/prof-mark.yaml

One mark a process, of a different party-us item each time (one not yet discussing); each
leaves the cache warm for the next. Every library function on the write path is wrapped with
a timer (inclusive times; a few dozen calls, so the wrappers cost nothing measurable); an
indented phase is part of the one above it. The collector is paused as the CLI pauses it.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

from tradedemands import atomic, cache, changes, chunks, document, journal, regions, transaction, validation

spent: dict[str, float] = defaultdict(float)


def timed(module: ModuleType, name: str, label: str, where: ModuleType | None = None) -> None:
    """Time ``module.name`` as ``label``, also where ``where`` imported it by name."""
    fn = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - began

    setattr(module, name, wrapper)
    if where is not None:
        setattr(where, name, wrapper)


timed(document, "load", "load (read, sha256, cache.get: decode and check the entry)", transaction)
timed(cache, "get", "  cache.get")
timed(regions, "lazy_root", "lazy_root (a stand-in for the node tree)", transaction)
timed(changes, "mark", "changes.mark (find, splice, copy on write)")
timed(regions, "check_regions", "check_regions (re-parse the touched items, validate them)", transaction)
timed(validation, "check", "  validation.check (the touched items, ids across all)")
timed(transaction, "sources_changed", "sources of the changed items")
timed(atomic, "replace", "atomic replace: write, fsync, rename (and the undo record, cache entry)", transaction)
timed(journal, "record", "  undo journal: read and write", transaction)
timed(chunks, "remember", "  the new cache entry (chunks.remember)")
timed(chunks, "after_edit", "    chunks of the new text from the splices (after_edit)")
timed(cache, "put", "    cache.put (encode the changed items, hash, write)")


def main() -> None:
    path = Path(sys.argv[1])
    ids = [item["id"] for item in document.load(path).items if item["party"] == "us" and item["status"] != "discussing"]
    spent.clear()
    target = ids[int(time.time() * 1000) % len(ids)]
    began = time.perf_counter()
    transaction.transact(path, lambda doc, ed: changes.mark(doc, ed, [target], "discussing", date="2018-06-02"), "mark")
    spent["total (transact)"] = time.perf_counter() - began
    print(json.dumps(dict(spent)))


if __name__ == "__main__":
    main()
