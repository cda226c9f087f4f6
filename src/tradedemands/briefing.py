"""The brief: a Markdown document a negotiator reads in two minutes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .escape import md
from .formats import Rows, number, to_markdown
from .model import PRIORITIES, DataFile, Item, conflict_pairs, kind_of, natural_key, target_progress, vocabulary
from .query import deadline
from .results import Result
from .timeline import history, last_round_held
from .views import amount_text, bar

KIND_HEADINGS = (("demand", "Open demands"), ("concession", "Concessions on the table"), ("red-line", "Red lines"))


@dataclass
class BriefDocument(Result):
    """``brief``: the Markdown brief (``text``) of the file at ``path``."""

    text: str
    path: Path

    def markdown(self) -> str:
        """The brief as it is: a Markdown document."""
        return self.text


def _party_label(data: DataFile, pid: str | None) -> str:
    parties = data.get("parties") or {}
    if not pid:
        return ""
    return parties[pid]["name"] if pid in parties else pid


def _source_cell(item: Item) -> str:
    source = item.get("source") or {}
    parts = [str(source[k]) for k in ("doc", "url", "date") if source.get(k)]
    return ", ".join(parts)


def compose(
    data: DataFile,
    *,
    today: str,
    title: str | None = None,
    parties: set[str] | None = None,
    since: str | None = None,
    since_label: str | None = None,
) -> str:
    """The Markdown brief of ``data`` on the day ``today`` (YYYY-MM-DD): title, as-of date,
    rounds held and the state of play, a chart, positions per party, conflicts, changes since
    ``since`` (by default since the last round began; ``since_label`` names it), deadlines and
    targets, sources; the items of ``parties`` only, when given. Every piece of text from the
    file goes through ``escape.md``."""
    vocab = vocabulary(data)
    closed = vocab.closed
    items = [i for i in data.get("demands") or [] if not parties or i["party"] in parties]
    by_id = {i["id"].lower(): i for i in data.get("demands") or []}
    rounds = data.get("rounds") or []
    out: list[str] = [f"# {md(title or data.get('title') or 'Negotiation brief')}", ""]
    out.append(
        f"*As of {today}.*"
        + (f" Parties: {md(', '.join(_party_label(data, p) for p in sorted(parties)))}." if parties else "")
    )
    out.append("")

    # State of play.
    open_items = [i for i in items if i["status"] not in closed]
    counts: dict[str, int] = {}
    for item in items:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    count_text = ", ".join(f"{n} {md(s)}" for s, n in sorted(counts.items(), key=lambda kv: vocab.order(kv[0])))
    out += ["## State of play", ""]
    if rounds:
        held = "; ".join(
            f"{md(r['id'])} ({r['date']}{'–' + r['end'] if r.get('end') else ''}{', ' + md(r['place']) if r.get('place') else ''})"
            + (f": {md(r['outcome'].rstrip('.'))}" if r.get("outcome") else "")
            for r in rounds
        )
        out.append(f"Rounds held: {held}.")
        out.append("")
    out.append(
        f"{len(items)} items tracked ({count_text or 'none'}); {len(open_items)} still open, "
        f"{len(items) - len(open_items)} closed."
    )
    out.append("")

    # Chart.
    party_ids = [p for p in (data.get("parties") or {}) if not parties or p in parties]
    if items:
        out += ["```mermaid", "xychart-beta", '    title "Open and closed items per party"']
        out.append("    x-axis [" + ", ".join(_mermaid_label(_party_label(data, p)) for p in party_ids) + "]")
        open_counts = [sum(1 for i in items if i["party"] == p and i["status"] not in closed) for p in party_ids]
        closed_counts = [sum(1 for i in items if i["party"] == p and i["status"] in closed) for p in party_ids]
        top = max([a + b for a, b in zip(open_counts, closed_counts, strict=True)] or [1])
        out.append(f'    y-axis "items" 0 --> {max(top, 1)}')
        out.append("    bar [" + ", ".join(str(a + b) for a, b in zip(open_counts, closed_counts, strict=True)) + "]")
        out.append("    bar [" + ", ".join(str(a) for a in open_counts) + "]")
        out += ["```", "", "*Taller bar: all items; shorter bar: still open.*", ""]

    # Per party.
    for pid in party_ids:
        mine = [i for i in items if i["party"] == pid]
        if not mine:
            continue
        out += [f"## {md(_party_label(data, pid))} ({md(pid)})", ""]
        for kind, heading in KIND_HEADINGS:
            chosen = [i for i in mine if kind_of(i) == kind and (kind != "demand" or i["status"] not in closed)]
            if kind == "demand":
                chosen.sort(
                    key=lambda i: (
                        PRIORITIES.index(i["priority"]) if i.get("priority") in PRIORITIES else len(PRIORITIES),
                        natural_key(i["id"]),
                    )
                )
            if not chosen:
                continue
            rows = Rows(["id", "of", "title", "status", "priority", "topic"], [])
            for i in chosen:
                rows.rows.append(
                    [
                        i["id"],
                        _party_label(data, i.get("of")),
                        i["title"],
                        i["status"],
                        i.get("priority") or "",
                        i.get("topic") or "",
                    ]
                )
            out += [f"### {heading}", "", to_markdown(rows)]
        settled = [i for i in mine if kind_of(i) == "demand" and i["status"] in closed]
        if settled:
            rows = Rows(["id", "title", "status"], [[i["id"], i["title"], i["status"]] for i in settled])
            out += ["### Closed demands", "", to_markdown(rows)]

    # Conflicts.
    pairs = conflict_pairs(items, by_id)
    if pairs:
        rows = Rows(["position", "status", "conflicts with", "status "], [])
        for a, b in pairs:
            rows.rows.append([f"{a['id']}: {a['title']}", a["status"], f"{b['id']}: {b['title']}", b["status"]])
        out += ["## Conflicts", "", to_markdown(rows)]

    # Changes.
    last = last_round_held(data)
    if since is None and last is not None:
        since = last["date"]
        since_label = f"the last round ({last['id']}, {since})"
    if since is not None:
        rows = Rows(["date", "id", "title", "change", "note"], [])
        for e in history(data, since=since, parties=parties):
            status = e.entry.get("status")
            if status or e.entry.get("note"):
                change = f"{e.previous or 'new'} → {status}" if status else "note"
                rows.rows.append([e.entry["date"], e.item["id"], e.item["title"], change, e.entry.get("note") or ""])
        rows.rows.sort(key=lambda r: (r[0], natural_key(r[1])))
        out += [f"## Changes since {md(since_label or since)}", ""]
        out += [to_markdown(rows)] if rows.rows else ["No changes recorded.", ""]

    # Deadlines and targets.
    dated = [i for i in items if deadline(i)]
    if dated:
        rows = Rows(["id", "title", "due", "status", "target", "progress"], [])
        for i in sorted(dated, key=lambda i: (deadline(i) or "", natural_key(i["id"]))):
            due = deadline(i) or ""
            late = due < today and i["status"] not in closed
            target = i.get("target")
            goal = progress = ""
            if target:
                goal = amount_text(target)
                latest, percent = target_progress(target)
                if percent is not None:
                    progress = f"{bar(percent, 100, 10)} {percent:.0f}% ({number(latest)})"
                elif latest is not None:
                    progress = number(latest)
                else:
                    progress = "no measurement yet"
            rows.rows.append([i["id"], i["title"], f"{due} OVERDUE" if late else due, i["status"], goal, progress])
        out += ["## Deadlines and targets", "", to_markdown(rows)]

    # Sources.
    rows = Rows(
        ["id", "source", "quote"],
        [[i["id"], _source_cell(i), (i.get("source") or {}).get("quote") or ""] for i in items],
    )
    out += ["## Sources", "", to_markdown(rows)]
    return "\n".join(out).rstrip("\n") + "\n"


def _mermaid_label(text: str) -> str:
    """A quoted Mermaid label: no quotes, brackets or line breaks from the data can escape it."""
    safe = "".join(ch for ch in text if ch.isalnum() or ch in " .-_'()&/")
    return '"' + (safe.strip() or "?")[:40] + '"'
