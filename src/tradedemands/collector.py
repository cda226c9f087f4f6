"""Python's cyclic garbage collector, paused while large data is built, checked or drawn.

The collector runs after every 700 new containers, and its older-generation passes walk every
object alive. Parsing 10,000 items builds half a million YAML nodes: with the collector on, most
of the parse was spent walking them (3.5 s of a 4.1 s compose, ``benchmarks/PROFILE.md``), and
nothing was ever freed, because nothing the tool builds holds a reference cycle (its data is
dicts, lists and text; node trees point one way). Reference counting still frees everything as
usual while the collector is paused.

``paused()`` is used around parsing and loading a file, a write's transaction and drawing a
table, and by the command line around a whole command. It nests, and it leaves the collector as
it found it: a program that imports the library and turned the collector off keeps it off, one
that has it on gets it back on when the call returns.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block, then restore it as it was."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
