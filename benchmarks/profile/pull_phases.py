"""(c) ``list --party us`` after one item changed by other means: where the full re-parse goes,
and what a per-item cache would cost instead (prototype steps; no product code changed).

    XDG_CACHE_HOME=/tmp/prof-cache python benchmarks/profile/fresh.py 3 benchmarks/profile/pull_phases.py FILE

"now:" phases are today's path for a file whose hash the cache has not seen (store.from_bytes).
"per-item:" phases are what a chunked cache would do instead: split the bytes into item chunks
by position, hash each chunk, load a {chunk hash: item JSON} map, parse the one changed chunk,
decode the items the command shows, and redo the checks that span items.
"""

from __future__ import annotations

import gc
import os

if os.environ.get("NOGC"):
    gc.disable()

import hashlib
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from tradedemands import cache, edit, store, validate, yamlio

phases: dict[str, Any] = {}


def lap(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    began = time.perf_counter()
    value = fn(*args, **kwargs)
    phases[name] = time.perf_counter() - began
    return value


def split(raw: bytes) -> list[tuple[int, int]]:
    """Item chunks of a block-style ``demands:`` list whose items start with ``  - ``."""
    head = raw.index(b"\ndemands:\n") + len(b"\ndemands:\n")
    starts = [head + m.start() for m in re.finditer(rb"^  - ", raw[head:], re.M)]
    return list(zip(starts, [*starts[1:], len(raw)], strict=True))


def cross_checks(items: list[dict[str, Any]]) -> set[str]:
    """The checks that span items: duplicate ids, link targets."""
    ids: set[str] = set()
    for item in items:
        key = item["id"].lower()
        if key in ids:
            raise ValueError(f"duplicate {key}")
        ids.add(key)
    for item in items:
        for link in item.get("links") or []:
            if link["id"].lower() not in ids:
                raise ValueError(f"dangling {link}")
    return ids


def main() -> None:
    path = Path(sys.argv[1])
    text0 = path.read_text(encoding="utf-8")
    k = os.getpid() % 1000 + 1
    at = text0.index(f"\n  - id: US-{k}\n")
    end = text0.index("\n", text0.index("\n    title: ", at) + 1)
    raw = f"{text0[:end]} (pulled){text0[end:]}".encode()
    del text0

    key = lap("now: sha256 of the file", cache.key_of, raw)
    lap("now: cache.get (a miss)", cache.get, key)
    text, _bom, _newline = lap("now: decode UTF-8", store.decode, raw, path)
    node = lap("now: yaml.compose (libyaml parser, nodes and marks)", yaml.compose, text, Loader=yamlio.Loader)
    data = lap("now: _Builder.build (nodes to dicts, YAML 1.2 scalars)", yamlio._Builder().build, node)
    found = lap("now: validate.check (every item)", validate.check, data, lambda p: yamlio.scalar_text(node, p))
    assert not found, found
    spans = lap("now: item_spans", edit.item_spans, text, node)
    entry = {"format": cache.FORMAT, "key": key, "data": data, "spans": spans}
    with open(os.devnull, "w", encoding="utf-8") as sink:
        lap(
            "now: cache.put's json.dump (pure-Python encoder), to /dev/null",
            json.dump,
            entry,
            sink,
            ensure_ascii=False,
            separators=(",", ":"),
        )
    lap("  (json.dumps of the same entry: the C encoder)", json.dumps, entry, ensure_ascii=False, separators=(",", ":"))

    chunks = lap("per-item: split the bytes into item chunks (re.finditer)", split, raw)
    digests = lap(
        "per-item: blake2b-128 of each chunk",
        lambda: [hashlib.blake2b(raw[a:b], digest_size=16).hexdigest() for a, b in chunks],
    )
    lap("  (sha256 of each chunk instead)", lambda: [hashlib.sha256(raw[a:b]).hexdigest() for a, b in chunks])
    items = data["demands"]
    stored = json.dumps(
        {d: json.dumps(i, ensure_ascii=False) for d, i in zip(digests, items, strict=True)}, ensure_ascii=False
    )
    by_hash = lap("per-item: json.loads of {chunk hash: item JSON text}", json.loads, stored)
    changed = next(n for n, i in enumerate(items) if i["id"] == f"US-{k}")
    a, b = chunks[changed]
    lap("per-item: parse the changed chunk alone (yamlio.parse)", yamlio.parse, raw[a:b].decode(), str(path))
    context = {key: value for key, value in data.items() if key != "demands"}
    lap("per-item: validate.check of that item in context", validate.check, {**context, "demands": [items[changed]]})
    shown = [digests[n] for n, i in enumerate(items) if i["party"] == "us"]
    lap("per-item: json.loads of the 2,000 shown items", lambda: [json.loads(by_hash[d]) for d in shown])
    lap("  (json.loads of all 10,000 items' texts)", lambda: [json.loads(by_hash[d]) for d in digests])
    lap("per-item: cross-item checks (duplicate ids, link targets)", cross_checks, items)
    print(f"{path} ({len(raw) / 1e6:.1f} MB, {len(items):,} items, {len(chunks):,} chunks)")
    print(json.dumps(phases))


if __name__ == "__main__":
    main()
