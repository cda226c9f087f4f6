"""What every read command returns: the ``Result`` protocol, and the results about whole files.

A read command's answer is a ``Result``: it gives its JSON value (``as_json``, also written as
YAML), its rows (``rows``: Markdown and CSV tables), its Markdown where it is a document
(``markdown``), and ``serialise(fmt)`` writes it in any of those formats; ``render.table``
draws it for people. The answers about items are in ``views``; ``validate``'s report and the
schema are here.

The classes here and in ``views`` are plain classes, not dataclasses: every read command
imports them, and a dataclass costs about 0.2 ms to create (Python 3.11).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import DemandsError, Problem
from .escape import visible
from .formats import Rows, to_csv, to_json, to_markdown, to_yaml


class Plain:
    """A plain class whose repr shows its attributes, as a dataclass's does."""

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({shown})"


class LeftOut(Plain):
    """Items a dated answer left out because nothing in the file dates their status (no
    history entry sets one, no source date): their ``ids``, and the ``date`` asked for, as
    ``--as-of`` (the state on it) or, with ``since``, as the start of the changes since it."""

    def __init__(self, ids: list[str], date: str, since: bool = False) -> None:
        self.ids = ids
        self.date = date
        self.since = since


class Result(Plain):
    """A read command's answer; ``serialise`` writes it as text in a machine or document format."""

    #: What a dated answer left out (None when nothing was, or the answer is not dated).
    left_out: LeftOut | None = None

    def as_json(self) -> Any:
        """The result as plain data (dicts, lists, text, numbers): written as JSON or YAML."""
        raise NotImplementedError(f"{type(self).__name__} has no JSON form")

    def rows(self) -> Rows:
        """The result as a table: written as Markdown (and CSV unless ``csv_rows`` differs)."""
        raise NotImplementedError(f"{type(self).__name__} has no rows")

    def csv_rows(self) -> Rows:
        """The rows written as CSV (``rows`` unless a result has fuller ones for spreadsheets)."""
        return self.rows()

    def markdown(self) -> str:
        """The result as Markdown: its rows as a GitHub table, or the document it is."""
        return to_markdown(self.rows())

    def ids(self) -> list[str]:
        """The item ids the result holds, in order (the ``ids`` format)."""
        raise NotImplementedError(f"{type(self).__name__} has no ids")

    def lines(self) -> Iterator[str]:
        """The result as lines for people (the ``text`` format), one by one."""
        raise NotImplementedError(f"{type(self).__name__} has no text form")

    def empty_note(self) -> str | None:
        """What to say instead of an empty table (None when the result is not empty, or its
        table says so itself)."""
        return None

    def serialise(self, fmt: str) -> str:
        """The result in ``fmt`` (json, yaml, csv, markdown or ids), as the text to write:
        each line ends with a newline, and an empty ``ids`` list is no text at all.
        ArgumentValueError (a UsageError and a ValueError) for any other ``fmt``."""
        if fmt == "json":
            return to_json(self.as_json()) + "\n"
        if fmt == "yaml":
            return to_yaml(self.as_json())
        if fmt == "csv":
            return to_csv(self.csv_rows())
        if fmt == "markdown":
            return self.markdown()
        if fmt == "ids":
            return "".join(visible(i) + "\n" for i in self.ids())
        from .errors import ArgumentValueError
        from .escape import clip

        raise ArgumentValueError(
            f"no {clip(fmt, 40)} form of {type(self).__name__}: fmt is json, yaml, csv, markdown or ids"
        )


# --- validate --------------------------------------------------------------------------------


class FileReport(Plain):
    """What ``validate`` found in one file: its ``problems`` (located), how many ``items`` it
    holds (0 when it does not load), or the ``error`` that kept it from being read at all."""

    def __init__(
        self, file: str, items: int = 0, problems: list[Problem] | None = None, error: DemandsError | None = None
    ) -> None:
        self.file = file
        self.items = items
        self.problems = problems if problems is not None else []
        self.error = error

    @property
    def valid(self) -> bool:
        """Whether the file was read and has no problem."""
        return self.error is None and not self.problems

    def as_json(self) -> dict[str, Any]:
        """``{"file", "valid", "items", "problems": [{"line", "column", "message"}]}``; for a
        file that could not be read, no ``items`` and one problem with no line or column."""
        if self.error is not None:
            problem = {"line": None, "column": None, "message": str(self.error)}
            return {"file": self.file, "valid": False, "problems": [problem]}
        problems = [{"line": p.line, "column": p.column, "message": p.message} for p in self.problems]
        return {"file": self.file, "valid": self.valid, "items": self.items, "problems": problems}


class ValidationReport(Result):
    """``validate``: one report per file checked, in the order given."""

    def __init__(self, files: list[FileReport]) -> None:
        self.files = files

    @property
    def valid(self) -> bool:
        """Whether every file was read and has no problem."""
        return all(f.valid for f in self.files)

    def as_json(self) -> list[dict[str, Any]]:
        """One ``FileReport.as_json`` per file."""
        return [f.as_json() for f in self.files]

    def lines(self) -> Iterator[str]:
        """Each problem as ``path:line:column: message``, or ``path: valid (N items)`` (``1 item``), file
        by file. A file that could not be read stops the report there: its error is raised."""
        for report in self.files:
            if report.error is not None:
                raise report.error
            count = f"{report.items} item{'' if report.items == 1 else 's'}"
            yield from [str(p) for p in report.problems] or [f"{report.file}: valid ({count})"]


# --- schema ---------------------------------------------------------------------------------


class SchemaDocument(Result):
    """``schema``: the JSON Schema of the file format (``schema.json_schema``)."""

    def as_json(self) -> dict[str, Any]:
        """The schema (JSON Schema 2020-12)."""
        from .fileschema import json_schema

        return json_schema()
