"""Shell completion: item ids, party ids, statuses, topics, tags and round ids from the file.

Imported only while the shell asks for completions (``_DEMANDS_COMPLETE`` set): cli.py's
callbacks import it inside. The file is the one named by ``--file/-f`` among the words on
the command line, else the one found as usual (``$DEMANDS_FILE``, then data/demands.yaml or
demands.yaml upward). Nothing here prints, and nothing fails: a missing or broken file, or
anything else going wrong, gives no candidates.

Candidates match the word typed in any case (ids, parties, statuses, topics and rounds are
all matched that way by the commands). Typer keeps only candidates that start with the word
as typed, so a candidate matched in another case is offered in the case typed: ``us-`` gives
``us-1``, which every command takes for ``US-1``.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Iterable
from typing import Any

from .escape import one_line
from .model import KINDS, PRIORITIES, RELS, natural_key

#: A candidate with the help zsh, fish and PowerShell show beside it (bash shows none).
Candidate = tuple[str, str]
HELP_WIDTH = 60


def ids(ctx: Any, incomplete: str) -> list[Candidate]:
    """Existing item ids, each with its title; not those already given on the line."""
    return _complete(ctx, incomplete, lambda data: _ids(data, _given(ctx)))


def parties(ctx: Any, incomplete: str) -> list[Candidate]:
    """Party ids, each with its name."""
    return _complete(ctx, incomplete, _parties)


def other_party(ctx: Any, incomplete: str) -> list[Candidate]:
    """``compare A B``'s B: any party but A."""
    given = str(ctx.params.get("a") or "").lower()
    return [c for c in parties(ctx, incomplete) if c[0].lower() != given]


def statuses(ctx: Any, incomplete: str) -> list[Candidate]:
    """The file's statuses, in their order."""
    return _complete(ctx, incomplete, _statuses)


def ids_then_status(ctx: Any, incomplete: str) -> list[Candidate]:
    """``mark ID... STATUS``: ids first; once one is given, the statuses too."""
    given = _given(ctx)
    return _complete(ctx, incomplete, lambda data: [*(_statuses(data) if given else []), *_ids(data, given)])


def topics(ctx: Any, incomplete: str) -> list[Candidate]:
    """The topics items use, with how many use each."""
    return _complete(ctx, incomplete, lambda data: _counted(i.get("topic") for i in _items(data)))


def tags(ctx: Any, incomplete: str) -> list[Candidate]:
    """The tags items carry, with how many carry each."""
    return _complete(ctx, incomplete, lambda data: _counted(t for i in _items(data) for t in i.get("tags") or []))


def rounds(ctx: Any, incomplete: str) -> list[Candidate]:
    """The ids of the rounds held, with their date and place: every ``--round`` names a round
    something happened in, which a planned or cancelled round is not."""

    def found(data: dict[str, Any]) -> list[Candidate]:
        return [
            (r["id"], " ".join(str(r[k]) for k in ("date", "place") if r.get(k)))
            for r in data.get("rounds") or []
            if isinstance(r, dict) and r.get("id") and r.get("status", "held") in ("held", None)
        ]

    return _complete(ctx, incomplete, found)


def kinds(ctx: Any, incomplete: str) -> list[Candidate]:
    """The kinds of item."""
    return _matching(((k, "") for k in KINDS), incomplete)


def priorities(ctx: Any, incomplete: str) -> list[Candidate]:
    """The priorities."""
    return _matching(((p, "") for p in PRIORITIES), incomplete)


def relations(ctx: Any, incomplete: str) -> list[Candidate]:
    """The link relations."""
    return _matching(((r, "") for r in RELS), incomplete)


# --- the file ---------------------------------------------------------------------------------


def _complete(ctx: Any, incomplete: str, pick: Callable[[dict[str, Any]], Iterable[Candidate]]) -> list[Candidate]:
    """``pick``'s candidates from the file that match ``incomplete``; none if anything fails."""
    try:
        data = _data(ctx)
        return _matching(pick(data), incomplete) if data is not None else []
    except Exception:
        return []


def _data(ctx: Any) -> dict[str, Any] | None:
    from .document import load
    from .files import find_file

    named = _named_file(ctx)
    path = find_file(os.path.expanduser(named) if named else None)
    data: Any = load(path).data
    return data if isinstance(data, dict) else None


def _named_file(ctx: Any) -> str | None:
    """``--file`` among all the words typed (also after the cursor), else as Typer parsed it."""
    named = file_in(_typed_words())
    if named:
        return named
    params = getattr(ctx, "params", None) or {}
    return str(params["file"]) if params.get("file") else None


def _typed_words() -> list[str]:
    """Every word on the command line: bash passes them all, the other shells those up to the cursor."""
    line = os.environ.get("COMP_WORDS") or os.environ.get("_TYPER_COMPLETE_ARGS") or ""
    try:
        return shlex.split(line)
    except ValueError:  # an unclosed quote in the word being typed
        return line.split()


def file_in(words: list[str]) -> str | None:
    """The value of the last ``--file PATH``, ``--file=PATH``, ``-f PATH`` or ``-fPATH`` in ``words``.

    Bash splits ``--file=PATH`` into three words (``=`` breaks words), so ``--file = PATH`` counts too.
    """
    found = None
    for n, word in enumerate(words):
        if word == "--":
            break
        if word in ("--file", "-f") and n + 1 < len(words):
            value = words[n + 1]
            found = words[n + 2] if value == "=" and n + 2 < len(words) else value
        elif word.startswith("--file="):
            found = word[len("--file=") :]
        elif word.startswith("-f") and not word.startswith("--") and len(word) > 2:
            found = word[2:]
    return found or None


def _given(ctx: Any) -> set[str]:
    """The ids already on the command line (``show A B``, ``link ID REL``, ``mark A B``), lower-cased."""
    params = getattr(ctx, "params", None) or {}
    given: set[str] = set()
    for name in ("ids", "item_id", "args"):
        value = params.get(name)
        if isinstance(value, str):
            given.add(value.lower())
        elif isinstance(value, (list, tuple)):
            given.update(str(v).lower() for v in value)
    return given


def _ids(data: dict[str, Any], given: set[str]) -> list[Candidate]:
    return [(i["id"], str(i.get("title", ""))) for i in _items(data) if str(i["id"]).lower() not in given]


def _items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in data.get("demands") or [] if isinstance(i, dict) and i.get("id")]


def _parties(data: dict[str, Any]) -> list[Candidate]:
    found = data.get("parties") or {}
    return [(str(pid), str(p.get("name", "")) if isinstance(p, dict) else "") for pid, p in found.items()]


def _statuses(data: dict[str, Any]) -> list[Candidate]:
    from .model import vocabulary

    return [
        (s["name"], s.get("description") or ("closed" if s.get("closed") else ""))
        for s in vocabulary(data).statuses  # type: ignore[arg-type]
    ]


def _counted(values: Iterable[str | None]) -> list[Candidate]:
    counts: dict[str, int] = {}
    for value in values:
        if value:
            counts[str(value)] = counts.get(str(value), 0) + 1
    return [(v, f"{n} item{'s' if n != 1 else ''}") for v, n in sorted(counts.items(), key=lambda c: natural_key(c[0]))]


# --- matching and showing -----------------------------------------------------------------------


def _matching(candidates: Iterable[Candidate], incomplete: str) -> list[Candidate]:
    """The candidates that start with ``incomplete`` in any case, in the case it was typed."""
    wanted = incomplete.lower()
    out: list[Candidate] = []
    seen: set[str] = set()
    for value, help_text in candidates:
        if not value.lower().startswith(wanted):
            continue
        shown = value if value.startswith(incomplete) else incomplete + value[len(incomplete) :]
        if shown.lower() in seen:
            continue
        seen.add(shown.lower())
        out.append((shown, _help(help_text)))
    return out


_MARKUP = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def _help(text: str) -> str:
    """One short line, safe for the shells: Typer renders it as Rich markup for zsh and fish,
    so a ``[tag]`` is escaped as ``rich.markup.escape`` would (without importing Rich)."""
    line = " ".join(one_line(str(text)).split())
    if len(line) > HELP_WIDTH:
        line = line[: HELP_WIDTH - 3].rstrip() + "..."
    line = _MARKUP.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", line)
    return line + "\\" if line.endswith("\\") and not line.endswith("\\\\") else line
