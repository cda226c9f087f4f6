"""What Python's cyclic garbage collector costs the big allocations, in a fresh process each.

    python benchmarks/profile/fresh.py 3 benchmarks/profile/gc_cost.py parse FILE on|off
    python benchmarks/profile/fresh.py 7 benchmarks/profile/gc_cost.py cache ENTRY.json on|off

``parse``: a whole parse as document.parse does it (compose, build, validate), plus PyYAML's own
``yaml.load`` with the C loader (the floor of SPEC §7). ``cache``: json.loads of a cache entry
after the imports the CLI has made by then. ``off`` runs with gc.disable().
"""

from __future__ import annotations

import functools
import gc
import json
import sys
import time

import yaml

from tradedemands import validation, yamlio


def main() -> None:
    what, path, mode = sys.argv[1:4]
    results = {}
    if what == "cache":
        import rich.console
        import rich.table  # noqa: F401
        import typer  # noqa: F401

        blob = open(path, "rb").read()  # noqa: SIM115
        if mode == "off":
            gc.disable()
        began = time.perf_counter()
        json.loads(blob)
        results[f"json.loads of the entry, GC {mode}"] = time.perf_counter() - began
    else:
        text = open(path, encoding="utf-8").read()  # noqa: SIM115
        if mode == "off":
            gc.disable()
        began = time.perf_counter()
        node = yaml.compose(text, Loader=yamlio.Loader)
        results[f"yaml.compose, GC {mode}"] = time.perf_counter() - began
        began = time.perf_counter()
        data = yamlio._Builder().build(node)
        results[f"build (yamlio._Builder), GC {mode}"] = time.perf_counter() - began
        began = time.perf_counter()
        validation.check(data, functools.partial(yamlio.scalar_text, node))
        results[f"validation.check, GC {mode}"] = time.perf_counter() - began
        del node, data
        gc.collect()
        began = time.perf_counter()
        yaml.load(text, Loader=yaml.CSafeLoader)
        results[f"the floor's yaml.load (CSafeLoader), GC {mode}"] = time.perf_counter() - began
    print(json.dumps(results))


if __name__ == "__main__":
    main()
