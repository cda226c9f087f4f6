"""(d) What holds memory in a cold ``demands list -o json`` (no cache entry): resident memory and
its high-water mark after each stage of the CLI's path (store.from_bytes, then the output).

    python benchmarks/generate.py 100000 /tmp/prof-100k.yaml
    XDG_CACHE_HOME=$(mktemp -d) python benchmarks/profile/memory.py /tmp/prof-100k.yaml
    XDG_CACHE_HOME=$(mktemp -d) python benchmarks/profile/memory.py FILE --weigh   # tracemalloc, slow:
                                                                                   # use 10,000 items

--weigh adds the bytes Python allocated at each stage (tracemalloc), which RSS hides: freed
memory stays in the process's arenas.
"""

from __future__ import annotations

import functools
import gc
import json
import sys
import time
from pathlib import Path

import yaml

from tradedemands import cache, edit, formats, store, validate, yamlio

weigh = "--weigh" in sys.argv
if weigh:
    import tracemalloc

    tracemalloc.start()
traced = [0.0]
began = time.perf_counter()


def stage(name: str) -> None:
    with open("/proc/self/status", encoding="ascii") as status:
        fields = dict(line.split(":", 1) for line in status)
    now, peak = (int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))
    extra = ""
    if weigh:
        current = tracemalloc.get_traced_memory()[0] / 1e6
        extra = f"  allocated {current:7.1f} MB ({current - traced[0]:+7.1f})"
        traced[0] = current
    print(f"{name:<52} RSS {now:6.0f} MB  peak {peak:6.0f} MB{extra}  {time.perf_counter() - began:5.1f} s", flush=True)


def count_nodes(node: yaml.Node) -> int:
    if isinstance(node, yaml.SequenceNode):
        return 1 + sum(count_nodes(child) for child in node.value)
    if isinstance(node, yaml.MappingNode):
        return 1 + sum(count_nodes(k) + count_nodes(v) for k, v in node.value)
    return 1


def main() -> None:
    path = Path(sys.argv[1])
    stage("imports done")
    raw = store.read_raw(path)
    stage("read the bytes")
    key = cache.key_of(raw)
    text, _bom, _newline = store.decode(raw, path)
    stage("decoded to str (the bytes still held)")
    node = yaml.compose(text, Loader=yamlio.Loader)
    stage("yaml.compose: the node tree")
    if not weigh:
        print(f"  {count_nodes(node):,} nodes, two Mark objects each")
    data = yamlio._Builder().build(node)
    stage("_Builder.build: the data (the tree still held)")
    validate.check(data, functools.partial(yamlio.scalar_text, node))
    stage("validate.check")
    spans = edit.item_spans(text, node)
    cache.put(key, data, spans)
    stage("item_spans, cache.put (json.dump streams)")
    del node
    gc.collect()
    stage("node tree dropped (the CLI keeps it to the end)")
    del raw
    stage("bytes dropped")
    out = formats.to_json(data["demands"])
    stage(f"formats.to_json: {len(out) / 1e6:.0f} MB of output text")
    with open("/dev/null", "w", encoding="utf-8") as sink:
        sink.write(out)
    print(json.dumps({"file MB": path.stat().st_size / 1e6}))


if __name__ == "__main__":
    main()
