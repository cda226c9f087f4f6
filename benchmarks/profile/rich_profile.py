"""(a) A profile of ``render._print_rows`` for ``list --party us`` (2,000 rows).

    XDG_CACHE_HOME=/tmp/prof-cache COLUMNS=120 python benchmarks/profile/rich_profile.py FILE cprofile
    XDG_CACHE_HOME=/tmp/prof-cache COLUMNS=120 python benchmarks/profile/rich_profile.py FILE pyinstrument

cProfile roughly triples the time (Rich makes ~4,700 Python calls a row: the fallback path; the CLI draws these tables with tabletext); read its
proportions, and the wall-clock split of rich_split.py for the times.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
from pathlib import Path

from tradedemands import document, query, render, views


def main() -> None:
    doc = document.load(Path(sys.argv[1]))
    items = query.sort_items(query.select(doc.data, doc.vocab, query.Filters(parties=["us"])), "id", doc.vocab)
    rows = views.list_rows(items, compact=True)
    real = sys.stdout
    if sys.argv[2] == "cprofile":
        profile = cProfile.Profile()
        with open("/dev/null", "w", encoding="utf-8") as sys.stdout:
            profile.runcall(render._print_rows, rows, doc.vocab, None)
        sys.stdout = real
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(12)
    else:
        from pyinstrument import Profiler  # pip install pyinstrument (not a project dependency)

        profiler = Profiler(interval=0.002)
        with open("/dev/null", "w", encoding="utf-8") as sys.stdout:
            profiler.start()
            render._print_rows(rows, doc.vocab, None)
            profiler.stop()
        sys.stdout = real
        print(profiler.output_text(unicode=False, color=False, show_all=True))


if __name__ == "__main__":
    main()
