"""The data of a demands file: its shape, its vocabularies, and pure questions about it.

The file's mappings are kept as they load (dicts in file order), typed here as
TypedDicts so that JSON output carries every field of the file unrenamed. No I/O.
"""

import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

if sys.version_info >= (3, 11):
    from typing import Required, TypedDict
else:  # pragma: no cover - typing.TypedDict of 3.10 does not know Required
    from typing_extensions import Required, TypedDict

Kind = Literal["demand", "concession", "red-line", "agreement"]
Priority = Literal["high", "medium", "low"]
Rel = Literal["responds-to", "conflicts-with", "conditional-on", "related"]
RoundStatus = Literal["held", "planned", "cancelled"]
Likelihood = Literal["possible", "likely", "confirmed"]

KINDS: tuple[str, ...] = ("demand", "concession", "red-line", "agreement")
PRIORITIES: tuple[str, ...] = ("high", "medium", "low")
RELS: tuple[str, ...] = ("responds-to", "conflicts-with", "conditional-on", "related")
#: What a round's ``status`` may say: held (the default), planned (still to come), cancelled.
ROUND_STATUSES: tuple[str, ...] = ("held", "planned", "cancelled")
#: How sure a planned round is: reported as a possibility, expected, or fixed.
LIKELIHOODS: tuple[str, ...] = ("possible", "likely", "confirmed")
#: Where a value sits in the data: the keys and list indexes from the top, ``("demands", 3, "status")``.
DataPath = tuple[Any, ...]
#: Reading a link from the other end: "A responds-to B" shows on B as "responded to by A".
INVERSE_REL = {
    "responds-to": "responded-to-by",
    "conflicts-with": "conflicts-with",
    "conditional-on": "condition-of",
    "related": "related",
}


class Party(TypedDict, total=False):
    """A party, under its id in ``parties``: ``name`` (required), ``aliases``, ``lead`` (who negotiates), ``description``."""

    name: Required[str]
    aliases: list[str]
    lead: str
    description: str


class Source(TypedDict, total=False):
    """Where an item, a history entry or a round comes from: a local ``doc`` (a path inside the
    project) with a verbatim ``quote`` from it, or a ``url``; its ``date`` (YYYY-MM-DD)."""

    doc: str
    quote: str
    date: str
    url: str


class Round(TypedDict, total=False):
    """A round of talks in ``rounds``: ``id`` and ``date`` required; ``end`` date, ``place``,
    ``outcome``, the ``parties`` there (or expected), a ``note``, its ``source``.

    ``status`` is ``held`` (the default), ``planned`` (still to come: the brief's next steps)
    or ``cancelled``. A held round's dates are days (YYYY-MM-DD); a planned or cancelled
    one's may be a month (YYYY-MM) where no day is known. ``likelihood`` says how sure a
    planned round is: ``possible``, ``likely`` or ``confirmed``."""

    id: Required[str]
    date: Required[str]
    end: str
    status: RoundStatus
    likelihood: Likelihood
    place: str
    outcome: str
    parties: list[str]
    note: str
    source: Source


class StatusDef(TypedDict, total=False):
    """A status a file declares in ``statuses``: its ``name``, whether it is ``closed`` (off the table), a ``description``."""

    name: Required[str]
    closed: bool
    description: str


class Link(TypedDict):
    """A link from an item to another: ``rel`` (responds-to, conflicts-with, conditional-on, related) and the other's ``id``."""

    rel: Rel
    id: str


class Measurement(TypedDict, total=False):
    """One measurement toward a target: ``date`` (YYYY-MM-DD) and ``amount`` (in the target's unit) required; a ``note``, its ``source``."""

    date: Required[str]
    amount: Required[float]
    note: str
    source: str


class Target(TypedDict, total=False):
    """An item's numeric target: ``amount`` (required) of ``unit`` by the date ``by``, what is measured (``metric``), from ``baseline`` (default 0); ``progress``: its measurements in date order."""

    amount: Required[float]
    unit: str
    by: str
    metric: str
    baseline: float
    progress: list[Measurement]


class HistoryEntry(TypedDict, total=False):
    """One dated entry of an item's history: ``date`` (YYYY-MM-DD) required, and a ``status`` it
    sets, a ``note``, or both; the ``round`` it happened in (a round held), ``by`` whom, and the
    ``source`` that reports it (checked as an item's is)."""

    date: Required[str]
    status: str
    round: str
    note: str
    by: str
    source: Source


class Item(TypedDict, total=False):
    """One item (demand, concession, red line, agreement) in ``demands``: ``id``, ``party`` (who
    raises it: a party id, or a list of two or more for a position they share, as an agreement
    is), ``title`` and ``status`` required; see the README for every field."""

    id: Required[str]
    party: Required[str | list[str]]
    of: str
    kind: Kind
    title: Required[str]
    text: str
    topic: str
    tags: list[str]
    priority: Priority
    status: Required[str]
    due: str
    target: Target
    source: Source
    links: list[Link]
    history: list[HistoryEntry]


class DataFile(TypedDict, total=False):
    """A whole demands file: ``parties`` (required), ``rounds``, ``statuses`` (its own vocabulary), ``demands`` (the items); ``version`` 1, a ``title``, a ``description``."""

    version: int
    title: str
    description: str
    parties: Required[dict[str, Party]]
    rounds: list[Round]
    statuses: list[StatusDef]
    demands: list[Item]


DEFAULT_STATUSES: tuple[StatusDef, ...] = (
    {"name": "open", "closed": False, "description": "tabled, no movement yet"},
    {"name": "discussing", "closed": False, "description": "under negotiation"},
    {"name": "contested", "closed": False, "description": "the other side objects; still on the table"},
    {"name": "agreed", "closed": False, "description": "agreed in principle, not yet delivered"},
    {"name": "partial", "closed": False, "description": "partly met or partly agreed"},
    {"name": "met", "closed": True, "description": "delivered"},
    {"name": "rejected", "closed": True, "description": "refused by the other side"},
    {"name": "withdrawn", "closed": True, "description": "dropped by the side that raised it"},
)


def fields_of(shape: Any) -> tuple[str, ...]:
    """The keys a mapping of the format (one of the TypedDicts above) may hold, in their order."""
    return tuple(shape.__annotations__)


def required_of(shape: Any) -> tuple[str, ...]:
    """The keys a mapping of the format (one of the TypedDicts above) must hold, in their order."""
    return tuple(key for key in shape.__annotations__ if key in shape.__required_keys__)


DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ID_CHARS = re.compile(r"[A-Za-z0-9._-]*")


def id_problem(text: str) -> str | None:
    """Why ``text`` is not an id (of an item or a party), in words to follow ``id 'x' ``; None
    when it is one. An id begins with a letter or digit (ASCII) and holds only those, '.',
    '_' and '-', the whole of it (``US-1`` with a newline after it is not ``US-1``)."""
    if ID_RE.fullmatch(text):
        return None
    if not text:
        return "is empty"
    if not _ID_CHARS.fullmatch(text):
        return "may hold only letters, digits, '.', '_' and '-'"
    return "must begin with a letter or digit"


_NATURAL = re.compile(r"(\d+)")


def parse_date(value: str) -> date | None:
    """``YYYY-MM-DD`` as a date, or None when it is not one."""
    if not isinstance(value, str) or not DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_month(value: str) -> tuple[int, int] | None:
    """``YYYY-MM`` (a month: an approximate date) as (year, month), or None when it is not one."""
    if not isinstance(value, str) or not MONTH_RE.match(value):
        return None
    year, month = int(value[:4]), int(value[5:])
    return (year, month) if year >= 1 and 1 <= month <= 12 else None


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders US-2 before US-10, case-insensitively."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in _NATURAL.split(text))


#: Curly quotes, primes and the modifier-letter apostrophe, read as the straight quote people type.
_QUOTES = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    }
)


def fold(text: str) -> str:
    """``text`` as compared when matching what people type: Unicode NFC, case folded, curly
    quotes and apostrophes as straight ones. ``Côte d’Ivoire`` (in NFC or NFD) folds like
    ``CÔTE D'IVOIRE``. Search, item ids, party ids, names and aliases, statuses, topics,
    tags and round ids are all compared through this one function."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text.translate(_QUOTES)).casefold())


def plain(text: str) -> str:
    """``text`` as a source quote is compared with its document: Unicode NFC, curly quotes and
    apostrophes as straight ones, case kept (a quote is verbatim: ``Beijing`` is not ``beijing``)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text.translate(_QUOTES))


#: Amounts are below this in magnitude, with at most MAX_DIGITS significant digits.
AMOUNT_LIMIT = 10**18
MAX_DIGITS = 18
_DIGITS = re.compile(r"^[-+]?(\d*)\.?(\d*)(?:[eE][-+]?\d+)?$")


def significant_digits(written: str) -> int | None:
    """How many significant digits a plain decimal number has as written (``0.0150`` has 2,
    ``200000000000`` has 1); None when ``written`` is not such a number."""
    match = _DIGITS.match(written.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    return len((match.group(1) + match.group(2)).strip("0")) or 1


def exact_amount(written: str) -> Any:
    """The number ``written`` as typed (a plain decimal, ``2e11`` and ``9.99999999999999999e17``
    too) as an exact ``decimal.Decimal``; None when it is not such a number. Amounts are
    judged on this, never on a float that rounded it."""
    from decimal import Decimal, InvalidOperation

    text = written.strip()
    if significant_digits(text) is None or not _DIGITS.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - _DIGITS lets through only what Decimal reads
        return None


def amount_problem(value: Any, written: str | None = None) -> str | None:
    """Why ``value`` is not an amount the format allows, or None when it is one.

    Amounts are finite numbers below 1e18 in magnitude with at most 18 significant digits.
    With ``written`` (the number as typed or as it stands in the file), both are judged on
    that decimal text, exactly (``exact_amount``): ``9.99999999999999999e17`` is
    999999999999999999, in range, although a float rounds it to 1e18. The message never
    repeats more than a few characters of what was written.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "not a number"
    if written is None and isinstance(value, int) and value.bit_length() > 80:
        shown = f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    else:
        shown = written.strip() if written is not None else repr(value)
        if len(shown) > 24:
            bare = shown.lstrip("+-")
            shown = f"a {len(bare)}-digit number" if bare.isdigit() else f"a number {len(shown)} characters long"
    out_of_range = f"{shown} is out of range: amounts are below 1e18 in magnitude"
    exact = exact_amount(written) if written is not None else None
    if exact is not None:
        if exact != 0 and exact.adjusted() >= 18:
            return out_of_range
        if exact != 0 and value == 0:
            return f"{shown} is too close to 0 to be held: it would read as 0"
        digits = significant_digits(written or "")
    else:
        if isinstance(value, float) and not math.isfinite(value):
            return f"{shown} is not a finite number"
        if abs(value) >= AMOUNT_LIMIT:
            return out_of_range
        digits = significant_digits(repr(value)) if isinstance(value, float) else None
    if digits is not None and digits > MAX_DIGITS:
        return f"{shown} has {digits} significant digits: amounts have at most {MAX_DIGITS}"
    return None


@dataclass
class Vocabulary:
    """The statuses a file may use, in order, and which of them are closed."""

    statuses: list[StatusDef] = field(default_factory=lambda: [dict(s) for s in DEFAULT_STATUSES])  # type: ignore[misc]

    @property
    def names(self) -> list[str]:
        """The statuses' names, in order."""
        return [s["name"] for s in self.statuses]

    @property
    def closed(self) -> set[str]:
        """The names of the closed statuses (off the table)."""
        return {s["name"] for s in self.statuses if s.get("closed")}

    def order(self, status: str) -> int:
        """Where ``status`` sorts: its place in the list (an unknown one last)."""
        names = self.names
        return names.index(status) if status in names else len(names)


def vocabulary(data: DataFile) -> Vocabulary:
    """The statuses ``data`` uses: its own ``statuses:`` list, else the defaults."""
    declared = data.get("statuses")
    return Vocabulary(list(declared)) if declared else Vocabulary()


def date_of(entry: Any) -> str:
    """An entry's date for ordering (a missing or odd one sorts first)."""
    when = entry.get("date") if isinstance(entry, dict) else None
    return when if isinstance(when, str) else ""


def by_date(entries: list[Any] | None) -> list[Any]:
    """History entries (or target measurements) in date order; equal dates keep file order.

    A valid file keeps them so already (``validate`` checks it); readers sort anyway, so
    that every answer is by date, never by position in the file.
    """
    return sorted(entries or [], key=date_of)


def percent_of(amount: float, goal: float, baseline: float = 0) -> float | None:
    """How far ``amount`` has come from ``baseline`` toward ``goal``, in percent (0-100 on
    the way, above 100 past it); None when the goal equals the baseline, or when the result
    is beyond 1e15 either way (a goal a hair's breadth from its baseline: no meaningful
    percent, and beyond what a float can hold it would be infinite)."""
    try:
        span = goal - baseline
        if span == 0:
            return None
        percent = 100.0 * (amount - baseline) / span
    except (OverflowError, ZeroDivisionError, TypeError):
        return None
    return percent if math.isfinite(percent) and abs(percent) <= PERCENT_LIMIT else None


#: Percentages beyond this either way are not shown (see ``percent_of``).
PERCENT_LIMIT = 1e15


def target_percent(target: Target, amount: float) -> float | None:
    """How far ``amount`` has come toward ``target`` (from its baseline, default 0), in percent
    (``percent_of``); None when the target has no amount or no percent is meaningful."""
    goal = target.get("amount")
    if not isinstance(goal, (int, float)):
        return None
    return percent_of(amount, goal, target.get("baseline", 0) or 0)


def target_progress(target: Target) -> tuple[float | None, float | None]:
    """(latest-dated measured amount, percent of target), each None when unknown.

    Of measurements on the same date, the one written last counts.
    """
    progress = by_date(target.get("progress"))
    if not progress:
        return None, None
    amount = progress[-1].get("amount")
    if not isinstance(amount, (int, float)) or not isinstance(target.get("amount"), (int, float)):
        return None, None
    return amount, target_percent(target, amount)


# --- items and their links ---------------------------------------------------------------------


def kind_of(item: Item) -> str:
    """An item's kind: ``demand`` unless it says otherwise."""
    return item.get("kind", "demand")


#: How a list of parties is written on one line, in every output (``us;cn``), as tags are in CSV.
PARTY_SEP = ";"


def party_ids(value: Any) -> list[str]:
    """The parties an item's ``party`` names, as a list: ``us`` gives ``["us"]``, ``[us, cn]``
    gives ``["us", "cn"]`` (anything that is not a party id gives nothing)."""
    if isinstance(value, list):
        return [p for p in value if isinstance(p, str)]
    return [value] if isinstance(value, str) else []


def parties_of(item: Item) -> list[str]:
    """The parties that raise ``item`` (one, or every party to an agreement), in file order."""
    return party_ids(item.get("party"))


def party_text(value: Any) -> str:
    """An item's ``party`` on one line: ``us``, or ``us;cn`` for several (``PARTY_SEP``). Every
    output that shows a party list (tables, CSV, Markdown, the brief) writes it this way."""
    return PARTY_SEP.join(party_ids(value))


def raised_by(item: Item, parties: set[str] | frozenset[str]) -> bool:
    """Whether any of ``parties`` (party ids) raises ``item``: a filter on any party of an
    agreement finds it."""
    value = item.get("party")
    if isinstance(value, str):
        return value in parties
    return any(p in parties for p in party_ids(value))


def id_prefix(parties: list[str], declared: list[str] | None = None) -> str:
    """The prefix of new ids for items raised by ``parties`` (party ids): ``US-`` for one party,
    ``US-CN-`` for several, upper-cased and in the order the file declares them (``declared``;
    else as given), so that one set of parties always gets one prefix."""
    order = {pid: n for n, pid in enumerate(declared or [])}
    ordered = sorted(dict.fromkeys(parties), key=lambda p: order.get(p, len(order)))
    return "-".join(p.upper() for p in ordered) + "-"


def backlinks(data: DataFile, item_id: str) -> list[dict[str, str]]:
    """The links other items make to ``item_id`` (any case), read from this end: ``rel`` as
    ``INVERSE_REL`` names it (``responded-to-by``), ``id`` the item that links."""
    wanted = item_id.lower()
    found = []
    for other in data.get("demands") or []:
        for link in other.get("links") or []:
            if link["id"].lower() == wanted:
                found.append({"rel": INVERSE_REL.get(link["rel"], link["rel"]), "id": other["id"]})
    return found


def links_both_ways(data: DataFile, item: Item) -> list[dict[str, str]]:
    """An item's own links, then the links others make to it that it does not make itself
    (``backlinks``), each ``{"rel", "id"}``."""
    own: list[dict[str, str]] = [{"rel": link["rel"], "id": link["id"]} for link in item.get("links") or []]
    made = {(link["rel"], link["id"].lower()) for link in own}
    return own + [back for back in backlinks(data, item["id"]) if (back["rel"], back["id"].lower()) not in made]


def conflict_pairs(items: list[Item], by_id: dict[str, Item]) -> list[tuple[Item, Item]]:
    """Pairs (item, other) where an item of ``items`` says it ``conflicts-with`` another that
    ``by_id`` (folded id to item) holds; each pair once, whichever side links."""
    pairs: list[tuple[Item, Item]] = []
    seen: set[frozenset[str]] = set()
    for item in items:
        for link in item.get("links") or []:
            other = by_id.get(link["id"].lower())
            key = frozenset((item["id"].lower(), link["id"].lower()))
            if link["rel"] == "conflicts-with" and other is not None and key not in seen:
                seen.add(key)
                pairs.append((item, other))
    return pairs
