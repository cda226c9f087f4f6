"""(d) What each structure weighs at 10,000 items (bytes allocated, tracemalloc): the node
tree, the data built from it (its builder interns keys and short text since issue 16), the same data with keys and short values interned, and the data
as json.loads gives it from the cache entry (which shares the keys).

    python benchmarks/profile/weigh_data.py FILE CACHE_ENTRY.json
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from typing import Any

import yaml

from tradedemands import yamlio


def intern(value: Any) -> Any:
    if isinstance(value, dict):
        return {sys.intern(k): intern(v) for k, v in value.items()}
    if isinstance(value, list):
        return [intern(v) for v in value]
    if isinstance(value, str) and len(value) <= 16:
        return sys.intern(value)
    return value


def main() -> None:
    text = open(sys.argv[1], encoding="utf-8").read()  # noqa: SIM115
    blob = open(sys.argv[2], "rb").read()  # noqa: SIM115
    gc.disable()
    tracemalloc.start()

    def now() -> int:
        return tracemalloc.get_traced_memory()[0]

    base = now()
    node = yaml.compose(text, Loader=yamlio.Loader)
    tree = now() - base
    data = yamlio._Builder().build(node)
    del node
    gc.collect()
    built = now() - base
    small = intern(data)
    del data
    gc.collect()
    interned = now() - base
    del small
    gc.collect()
    base = now()
    loaded = json.loads(blob)
    from_json = now() - base
    del loaded
    print(json.dumps({
        "node tree MB": tree / 1e6,
        "data built from it MB": built / 1e6,
        "the same, keys and values <= 16 chars interned MB": interned / 1e6,
        "data from json.loads of the cache entry MB": from_json / 1e6,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
