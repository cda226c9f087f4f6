"""(c, d) Prototype: parse the ``demands`` list in item chunks (B items per compose), building
each chunk's data and dropping its nodes, vs one compose of the whole file (today).

    python benchmarks/profile/fresh.py 3 benchmarks/profile/chunked.py FILE MODE [B] [intern]

MODE: ``whole`` (today: one compose, GC on), ``whole-nogc``, ``chunks`` (GC on), ``chunks-nogc``.
Reports parse + build time, validation time and the peak RSS (VmHWM).
"""

from __future__ import annotations

import gc
import json
import re
import sys
import time
from typing import Any

import yaml

from tradedemands import validate, yamlio


def intern(value: Any) -> Any:
    if isinstance(value, dict):
        return {sys.intern(k): intern(v) for k, v in value.items()}
    if isinstance(value, list):
        return [intern(v) for v in value]
    if isinstance(value, str) and len(value) <= 16:
        return sys.intern(value)
    return value


def main() -> None:
    path, mode = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3].isdigit() else 1
    interned = "intern" in sys.argv
    if mode.endswith("-nogc"):
        gc.disable()
    began = time.perf_counter()
    text = open(path, encoding="utf-8").read()  # noqa: SIM115
    if mode.startswith("whole"):
        node = yaml.compose(text, Loader=yamlio.Loader)
        data = yamlio._Builder().build(node)
        del node
    else:
        head_end = text.index("\ndemands:\n") + len("\ndemands:\n")
        head = yamlio.parse(text[:head_end], path)[0] or {}
        starts = [head_end + m.start() for m in re.finditer(r"^  - ", text[head_end:], re.M)]
        bounds = [*starts, len(text)]
        items: list[Any] = []
        for b in range(0, len(starts), batch):
            node = yaml.compose(text[bounds[b] : bounds[min(b + batch, len(starts))]], Loader=yamlio.Loader)
            part = yamlio._Builder().build(node)
            items.extend(intern(part) if interned else part)
            del node
        data = {**head, "demands": items}
    parsed = time.perf_counter()
    found = validate.check(data)
    checked = time.perf_counter()
    assert not found, found[:3]
    with open("/proc/self/status", encoding="ascii") as status:
        peak = int(dict(line.split(":", 1) for line in status)["VmHWM"].split()[0]) / 1024
    label = f"{mode}{f' B={batch}' if not mode.startswith('whole') else ''}{' interned' if interned else ''}"
    print(f"{label}: {len(data['demands']):,} items")
    print(json.dumps({"parse + build": parsed - began, "validate.check": checked - parsed, "peak RSS MB": peak}))


if __name__ == "__main__":
    main()
