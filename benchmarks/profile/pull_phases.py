"""(c) ``list --party us`` after one item changed by other means (a pull): the load, step by step.

    export XDG_CACHE_HOME=/tmp/prof-cache COLUMNS=120
    cp FILE /tmp/prof-pull.yaml && demands list -o ids -f /tmp/prof-pull.yaml > /dev/null
    python benchmarks/profile/fresh.py 3 benchmarks/profile/pull_phases.py /tmp/prof-pull.yaml

Each run edits a title (by text replacement, outside the timing), so the file's key is new and
the cache holds the version before; then it walks ``chunks.load``'s steps: split into item
chunks, parse what is around the items, key every chunk, find the previous entry, parse the
one changed chunk, decode the reused items, check them, write the new entry. ``whole`` adds
the whole parse the cache replaces, for comparison. The collector is paused as the CLI does.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

gc.disable()

from tradedemands import cache, chunks, document, files, validation, yamlio  # noqa: E402

phases: dict[str, Any] = {}


def lap(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    began = time.perf_counter()
    value = fn(*args, **kwargs)
    phases[name] = time.perf_counter() - began
    return value


def main() -> None:
    path = Path(sys.argv[1])
    text = path.read_text(encoding="utf-8")
    at = text.index("\n  - id: CN-20\n")
    end = text.index("\n", text.index("\n    title: ", at) + 1)
    path.write_text(f"{text[:end]} (pulled {time.time()}){text[end:]}", encoding="utf-8")
    raw = lap("read the file", files.read_raw, path)
    key = lap("sha256 of the file (a miss)", cache.key_of, raw)
    text = raw.decode("utf-8")
    layout = lap("split into item chunks", chunks.split, text)
    skeleton = layout.skeleton(text)
    rest, _node = lap("parse the text around the items", yamlio.parse, skeleton, str(path))
    bounds = layout.bounds()
    keys = lap("key every chunk (sha256)", chunks.keys_of, text, bounds)
    before = lap("find, read and check the previous entry", cache.previous, cache.source_of(path), key)
    known = lap("index its items by chunk key", before.known)
    missing = [k for k, chunk in enumerate(keys) if chunk not in known]
    parsed = lap(
        "parse the changed chunks", lambda: [chunks.parse_chunk(text[slice(*bounds[k])], "f") for k in missing]
    )
    lines = [known[chunk][0] for chunk in keys if chunk in known]
    items = lap("decode the reused items (json.loads)", lambda: json.loads(b"[" + b",".join(lines) + b"]"))
    lap("check their shape", cache.items_shaped, items)
    for k, chunk in zip(missing, parsed, strict=True):
        items.insert(k, chunk.item)
    rest["demands"] = items
    lap("validate: the new item, ids across all", validation.check, rest, None, items=set(missing))
    phases[f"changed chunks: {len(missing)}"] = 0.0
    began = time.perf_counter()
    document.load(path)
    phases["(then) document.load of this version, end to end: the same steps, the entry written"] = (
        time.perf_counter() - began
    )
    began = time.perf_counter()
    document.load(path)
    phases["(then) document.load once more: a cache hit"] = time.perf_counter() - began
    if "whole" in sys.argv[2:]:
        lap("(for comparison) the whole parse, document.parse", document.parse, text, path)
    print(json.dumps(phases))


if __name__ == "__main__":
    main()
