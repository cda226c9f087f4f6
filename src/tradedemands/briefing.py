"""The brief: a Markdown document a negotiator reads in two minutes.

It leads with the answers (state of play, a chart of each party's positions by status, what
was agreed, where positions conflict, what comes next) and leaves the inventory for later
(changes since the last round, each party's positions, sources). Items merely tabled are
one line per round; sources are listed once per document and cited by number; no table
carries a column that is empty or the same in every row (``tables.pruned``). Every piece of
text from the file goes through ``escape.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .briefchart import status_pies
from .brieftables import Citations, grouped_ids, listing, pruned_table
from .escape import md
from .formats import Rows, number
from .model import (
    PRIORITIES,
    DataFile,
    Item,
    Round,
    conflict_pairs,
    kind_of,
    natural_key,
    parties_of,
    raised_by,
    target_progress,
    vocabulary,
)
from .query import deadline
from .results import Result
from .timeline import history, last_round_held, latest_status_entry, rounds_ahead, rounds_held
from .views import amount_text, bar

KIND_HEADINGS = (("demand", "Open demands"), ("concession", "Concessions on the table"), ("red-line", "Red lines"))
#: How sure a planned round is, as the next steps say it.
LIKELIHOOD_WORDS = {"possible": "Possible", "likely": "Likely", "confirmed": "Confirmed"}


@dataclass
class BriefDocument(Result):
    """``brief``: the Markdown brief (``text``) of the file at ``path``."""

    text: str
    path: Path

    def markdown(self) -> str:
        """The brief as it is: a Markdown document."""
        return self.text


def _name(data: DataFile, pid: str | None) -> str:
    parties = data.get("parties") or {}
    if not pid:
        return ""
    return parties[pid]["name"] if pid in parties else pid


def _names(data: DataFile, pids: list[str]) -> str:
    """``United States and China``; ``A, B and C``."""
    names = [_name(data, p) for p in pids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _when(rnd: Round) -> str:
    """A round's dates: ``2018-05-03 to 2018-05-04``, or one date."""
    return f"{rnd['date']} to {rnd['end']}" if rnd.get("end") and rnd["end"] != rnd["date"] else rnd["date"]


def _sentence(text: str) -> str:
    """``text`` ending as a sentence does (a full stop added unless it has one, or ! or ?)."""
    return text if text.endswith((".", "!", "?")) else text + "."


def _titled(items: list[Item], most: int = 3) -> str:
    """``US-1 (Cut the trade surplus...), US-2 (...)`` for a few items; ids only beyond ``most``."""
    if len(items) > most:
        return grouped_ids([i["id"] for i in items])
    return "; ".join(f"{md(i['id'])} ({md(i['title'])})" for i in items)


def compose(
    data: DataFile,
    *,
    today: str,
    title: str | None = None,
    parties: set[str] | None = None,
    since: str | None = None,
    since_label: str | None = None,
) -> str:
    """The Markdown brief of ``data`` on the day ``today`` (YYYY-MM-DD): title and as-of date, the
    state of play, a chart of each party's positions by status, what was agreed, conflicts, next
    steps (planned rounds, deadlines, targets), changes since ``since`` (by default since the
    last round held began; ``since_label`` names it), each party's positions, and the sources;
    the items of ``parties`` only (any party to an agreement), when given."""
    vocab = vocabulary(data)
    closed = vocab.closed
    items = [i for i in data.get("demands") or [] if not parties or raised_by(i, parties)]
    by_id = {i["id"].lower(): i for i in data.get("demands") or []}
    party_ids = [p for p in (data.get("parties") or {}) if not parties or p in parties]
    cite = Citations({i["id"]: n for n, i in enumerate(items)})
    last = last_round_held(data)
    if since is None and last is not None:
        since, since_label = last["date"], f"the last round ({last['id']}, {last['date']})"

    agreed = [
        i
        for i in items
        if (kind_of(i) == "agreement" and i["status"] not in closed) or i["status"] in ("agreed", "met")
    ]
    contested = [i for i in items if i["status"] == "contested"]
    pairs = conflict_pairs(items, by_id)
    ahead = rounds_ahead(data)

    out: list[str] = [f"# {md(title or data.get('title') or 'Negotiation brief')}", ""]
    scope = f" Positions of {md(_names(data, sorted(parties)))}." if parties else ""
    out += [f"*As of {today}.*{scope}", ""]

    # State of play.
    out += ["## State of play", ""]
    held = rounds_held(data)
    if last is not None:
        where = f", {md(last['place'])}" if last.get("place") else ""
        what = "Last round" if len(held) == 1 else f"Last round (of {len(held)} held)"
        outcome = f": {md(last['outcome'])}" if last.get("outcome") else "."
        out.append(f"- **{what}:** {md(last['id'])}, {_when(last)}{where}{outcome}")
    else:
        out.append("- **Rounds held:** none yet.")
    if agreed:
        out.append(f"- **Agreed:** {_titled(agreed)}.")
    if contested:
        out.append(f"- **Contested** (the other side objects; still on the table): {_titled(contested)}.")
    if pairs:
        out.append(f"- **In conflict:** {len(pairs)} pair{'s' if len(pairs) != 1 else ''} of positions (below).")
    counts = [(s, sum(1 for i in items if i["status"] == s)) for s in vocab.names]
    shut = sum(n for s, n in counts if s in closed)
    tally = ", ".join(f"{n} {md(s)}" for s, n in counts if n and s not in closed) or "none open"
    noun = "position" if len(items) == 1 else "positions"
    out.append(f"- **Positions:** {len(items)} {noun}: {tally}; {shut or 'none'} closed.")
    if ahead:
        first = ahead[0]
        likely = LIKELIHOOD_WORDS.get(first.get("likelihood") or "", "Planned")
        place = f", {md(first['place'])}" if first.get("place") else ""
        out.append(f"- **Next:** {likely.lower()} round{place}, {first['date']}; see next steps.")
    else:
        out.append("- **Next:** no round planned.")
    out.append("")

    # Agreed.
    if agreed:
        out += ["## Agreed", ""]
        for item in agreed:
            entry = latest_status_entry(item)
            on = f", {entry['date']}" if entry else ""
            who = md(_names(data, parties_of(item)))
            what = f"{md(item['status'])} by {who}" if kind_of(item) == "agreement" else md(item["status"])
            kind = "" if kind_of(item) == "agreement" else f" ({md(kind_of(item))} of {who})"
            ref = cite.ref(item.get("source"), item["id"])
            said = f". {_sentence(md(entry['note']))}" if entry and entry.get("note") else ""
            out.append(f"- **{md(item['id'])}** {md(item['title'])}{kind}: {what}{on}{ref}{said}")
        out.append("")

    # Conflicts.
    if pairs:
        out += ["## Conflicts", "", *_conflicts(data, pairs, party_ids)]

    # Next steps.
    out += ["## Next steps", "", *_next_steps(data, items, ahead, today, closed, cite)]

    # Chart: each party's positions by status, after the answers.
    if items:
        out += ["## Positions by status", "", *status_pies(data, items, party_ids, vocab)]

    # Changes since the last round (or --since).
    if since is not None:
        out += [f"## Changes since {md(since_label or since)}", ""]
        out += _changes(data, since, parties, vocab.names[0] if vocab.names else "", cite)

    # Per party.
    for pid in party_ids:
        # An agreement in force is under Agreed; one no longer in force is listed with the closed demands.
        mine = [
            i
            for i in items
            if pid in parties_of(i) and (kind_of(i) != "agreement" or (i["status"] in closed and i not in agreed))
        ]
        if not mine:
            continue
        out += [f"## {md(_name(data, pid))}", ""]
        two = len(data.get("parties") or {}) == 2  # then who is asked is always the other party
        for kind, heading in KIND_HEADINGS:
            chosen = [i for i in mine if kind_of(i) == kind and (kind != "demand" or i["status"] not in closed)]
            if kind == "demand":
                chosen.sort(key=_priority_first)
            if chosen:
                out += listing(heading, [_position(data, i, two) for i in chosen], level=3)
        settled = [i for i in mine if kind_of(i) in ("demand", "agreement") and i["status"] in closed]
        if settled:
            heading = "Closed" if any(kind_of(i) == "agreement" for i in settled) else "Closed demands"
            out += listing(heading, [_position(data, i, two) for i in settled], level=3)

    # Sources.
    for item in items:
        cite.ref(item.get("source"), item["id"], silent=True)
    out += ["## Sources", "", *cite.lines(), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _priority_first(item: Item) -> tuple[Any, ...]:
    rank = PRIORITIES.index(item["priority"]) if item.get("priority") in PRIORITIES else len(PRIORITIES)
    return rank, natural_key(item["id"])


def _position(data: DataFile, item: Item, two: bool) -> dict[str, str]:
    """One row of a party's positions: ``id``, ``title``, ``status``, ``priority``, and ``of``
    (who is asked to act) unless the file has ``two`` parties."""
    row = {"id": item["id"], "title": item["title"], "status": item["status"], "priority": item.get("priority") or ""}
    if not two:
        row["of"] = _name(data, item.get("of"))
    return row


def _conflicts(data: DataFile, pairs: list[tuple[Item, Item]], party_ids: list[str]) -> list[str]:
    """Conflicting positions side by side, each with its status; the columns are named for the
    parties when every pair opposes the same two."""
    order = {pid: n for n, pid in enumerate(data.get("parties") or {})}

    def rank(item: Item) -> int:
        return min((order.get(p, len(order)) for p in parties_of(item)), default=len(order))

    place = {i["id"]: n for n, i in enumerate(data.get("demands") or [])}
    sides = sorted(
        ((a, b) if rank(a) <= rank(b) else (b, a) for a, b in pairs),
        key=lambda pair: (place.get(pair[0]["id"], 0), place.get(pair[1]["id"], 0)),
    )
    left = {tuple(parties_of(a)) for a, _b in sides}
    right = {tuple(parties_of(b)) for _a, b in sides}
    if len(left) == 1 and len(right) == 1 and left != right:
        columns = [_names(data, list(next(iter(left)))), _names(data, list(next(iter(right))))]
    else:
        columns = ["position", "conflicts with"]
    rows = Rows(
        columns,
        [[f"{a['id']} {a['title']} ({a['status']})", f"{b['id']} {b['title']} ({b['status']})"] for a, b in sides],
    )
    return pruned_table(rows)


def _next_steps(
    data: DataFile, items: list[Item], ahead: list[Round], today: str, closed: set[str], cite: Citations
) -> list[str]:
    """Planned rounds (how sure, when, where, who), then deadlines and targets, soonest first."""
    out: list[str] = []
    for rnd in ahead:
        likely = LIKELIHOOD_WORDS.get(rnd.get("likelihood") or "", "Planned")
        where = f"{md(rnd['place'])}, " if rnd.get("place") else ""
        passed = " (that date has passed: update the round)" if rnd["date"] < today[: len(rnd["date"])] else ""
        who = f"; expected: {md(_names(data, list(rnd['parties'])))}" if rnd.get("parties") else ""
        note = f" {_sentence(md(rnd['note']))}" if rnd.get("note") else ""
        ref = cite.ref(rnd.get("source"), f"round {rnd['id']}")
        out.append(f"- **{likely} round** {md(rnd['id'])}: {where}{rnd['date']}{passed}{who}.{note}{ref}")
    dated = sorted((i for i in items if deadline(i)), key=lambda i: (deadline(i) or "", natural_key(i["id"])))
    for item in dated:
        due = deadline(item) or ""
        late = due < today and item["status"] not in closed
        line = f"- **{md(item['id'])}** {md(item['title'])}: {'**overdue** since' if late else 'due'} {due}"
        target = item.get("target")
        if target:
            latest, percent = target_progress(target)
            line += f"; target {md(amount_text(target))}"
            if percent is not None:
                line += f", {bar(percent, 100, 10)} {percent:.0f}% ({number(latest)})"
            elif latest is not None:
                line += f", {number(latest)} so far"
            else:
                line += ", no measurement yet"
        out.append(line + f" ({md(item['status'])}).")
    return [*(out or ["No round planned, no deadline."]), ""]


def _changes(data: DataFile, since: str, parties: set[str] | None, first: str, cite: Citations) -> list[str]:
    """Status changes and notes since ``since`` with their sources; items merely tabled (their
    first entry, setting the first status) are one line per round."""
    tabled: dict[str, list[str]] = {}
    began: dict[str, str] = {}  # when each group of tabled items was first tabled
    rows: list[list[str]] = []
    for e in history(data, since=since, parties=parties):
        status = e.entry.get("status")
        if status and e.previous is None and status == first and not e.entry.get("source"):
            where = e.entry.get("round") or f"on {e.entry['date']}"
            tabled.setdefault(where, []).append(e.item["id"])
            began[where] = min(began.get(where, e.entry["date"]), e.entry["date"])
            continue
        if not status and not e.entry.get("note"):
            continue
        change = f"{e.previous or 'new'} → {status}" if status else "note"
        source = e.entry.get("source")
        if not source and e.previous is None:  # the entry that records the item: its own source reports it
            source = e.item.get("source")
        quote = f"“{source['quote']}”" if isinstance(source, dict) and source.get("quote") else ""
        ref = cite.ref(source, e.item["id"], on=e.entry["date"], raw=True)
        rows.append(
            [
                e.entry["date"],
                f"{e.item['id']} {e.item['title']}",
                change,
                e.entry.get("note") or "",
                f"{quote} {ref}".strip(),
            ]
        )
    out: list[str] = []
    for where, ids in sorted(tabled.items(), key=lambda group: began[group[0]]):
        at = where if where.startswith("on ") else f"at {md(where)}"
        noun = "position" if len(ids) == 1 else "positions"
        out.append(f"- {len(ids)} {noun} tabled {at}: {grouped_ids(ids)}.")
    if out:
        out.append("")
    if rows:
        rows.sort(key=lambda r: r[0])
        out += pruned_table(Rows(["date", "position", "change", "note", "source"], rows, wide=("note", "source")))
    if not out:
        out = ["No changes recorded.", ""]
    return out
