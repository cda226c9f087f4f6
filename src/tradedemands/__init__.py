"""tradedemands: track what each party in a negotiation demands, concedes and refuses.

The ``demands`` command is a thin layer over this library, which can be used on its own::

    import tradedemands

    doc = tradedemands.load("data/demands.yaml")          # a Document: .data, .items, .item(id)
    found = tradedemands.list_items(
        "data/demands.yaml", tradedemands.Filters(parties=["us"], only_open=True), sort="priority"
    )
    for item in found.items:                               # dicts, as in the file
        print(item["id"], item["status"], item["title"])
    changes = tradedemands.mark("data/demands.yaml", ["US-3"], "discussing", date="2018-05-17")
    print(changes[0].old, "->", changes[0].new)           # open -> discussing

Read functions (``list_items``, ``show``, ``summary``, ``validate``, ``export``, ``schema``,
``diff``, ``log``, ``brief``, ``compare``) return result objects that give ``as_json()``,
``rows()``, ``markdown()`` and ``serialise(fmt)``. Write functions (``add``, ``mark``,
``note``, ``edit``, ``link``, ``unlink``, ``remove``, ``set_target``, ``record_progress``,
``undo``, ``init``, ``import_items``, ``edit_text``, ``add_text``) change the file as the
commands do (minimal text edits, locked, atomic, undoable) and return what changed; inside
``with tradedemands.dry_run() as previews:`` they write nothing and leave a ``Preview`` (the
text before and after, ``.diff()``) each. Every function's ``file`` is the data file's path;
None finds it as the command line does. Errors are the package's own (``DemandsError`` and
its kinds); dates are ``YYYY-MM-DD`` text, ``today``, ``yesterday`` or a span back such as
``3d``, ``2w``, ``1m``, ``1y``, or a ``datetime.date``. Every argument is checked on the way in:
a wrong type (a number for text, a list for one id) is an ``ArgumentTypeError`` and a value no
argument takes (``limit=-1``, ``serialise("xml")``) an ``ArgumentValueError``, each naming the
argument; both are ``UsageError``s, and a ``TypeError`` or ``ValueError`` as well.

The public names are imported when first used, so that ``import tradedemands.cli`` (every
run of ``demands``) pays only for what a command needs.
"""

from __future__ import annotations

import typing

__version__ = "0.1.0"

#: Each public name and the module that holds it.
_WHERE = {
    "find_file": "files",
    "load": "document",
    "Document": "document",
    "Filters": "query",
    "last_round_held": "timeline",
    **dict.fromkeys(
        ("list_items", "show", "summary", "validate", "export", "schema", "diff", "log", "brief", "compare"), "read"
    ),
    **dict.fromkeys(
        (
            "add",
            "mark",
            "note",
            "edit",
            "link",
            "unlink",
            "remove",
            "set_target",
            "record_progress",
            "undo",
            "init",
            "import_items",
            "edit_text",
            "add_text",
            "new_item_text",
        ),
        "write",
    ),
    "dry_run": "transaction",
    "Preview": "transaction",
    **dict.fromkeys(
        (
            "DemandsError",
            "UsageError",
            "ArgumentTypeError",
            "ArgumentValueError",
            "FileNotFound",
            "UnknownId",
            "LockTimeout",
            "InvalidFile",
            "Problem",
        ),
        "errors",
    ),
}

__all__ = ["__version__", *_WHERE]


def __getattr__(name: str) -> typing.Any:
    """The public name ``name``, imported from its module on first use (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tradedemands' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names with the public API, which is imported only when used."""
    return sorted({*globals(), *_WHERE})


if typing.TYPE_CHECKING:  # what type checkers and editors see; nothing of it runs
    from .document import Document, load  # noqa: F401
    from .errors import (  # noqa: F401
        ArgumentTypeError,
        ArgumentValueError,
        DemandsError,
        FileNotFound,
        InvalidFile,
        LockTimeout,
        Problem,
        UnknownId,
        UsageError,
    )
    from .files import find_file  # noqa: F401
    from .query import Filters  # noqa: F401
    from .read import brief, compare, diff, export, list_items, log, schema, show, summary, validate  # noqa: F401
    from .timeline import last_round_held  # noqa: F401
    from .transaction import Preview, dry_run  # noqa: F401
    from .write import (  # noqa: F401
        add,
        add_text,
        edit,
        edit_text,
        import_items,
        init,
        link,
        mark,
        new_item_text,
        note,
        record_progress,
        remove,
        set_target,
        undo,
        unlink,
    )
