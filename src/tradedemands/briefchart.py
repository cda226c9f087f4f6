"""The brief's chart: each party's positions by status, as a Mermaid pie with a legend.

A pie per party, because Mermaid's pie has had a legend (with the counts, ``showData``) in
every version GitHub has rendered, while ``xychart-beta`` draws several bar series on top of
one another with no legend in the versions GitHub uses. Every pie gives each status the
same colour (``STATUS_COLOURS``, through the ``pie1``... theme variables of its own ``init``
directive, since Mermaid colours slices in the order they are written), so the pies can be
read side by side. Nothing from the data file reaches Mermaid unfiltered: titles and labels
keep letters, digits, spaces and a few marks (``label``).
"""

from __future__ import annotations

import json

from .model import DataFile, Item, Vocabulary, parties_of

#: A colour for each default status: amber for open, orange for contested, greens for agreed and
#: met, red for rejected, grey for withdrawn. Dark text reads on all of them in light and dark mode.
STATUS_COLOURS = {
    "open": "#f2c14e",
    "discussing": "#76b7b2",
    "contested": "#f28e2b",
    "agreed": "#59a14f",
    "partial": "#8cd17d",
    "met": "#2f8f3a",
    "rejected": "#e15759",
    "withdrawn": "#bab0ac",
}
#: Colours for statuses a file declares itself, in the order they first appear.
SPARE_COLOURS = ("#4e79a7", "#b07aa1", "#ff9da7", "#9c755f", "#edc948", "#a0cbe8", "#d4a6c8", "#86bcb6")
#: Mermaid has twelve pie colours (pie1 to pie12): statuses beyond the eleventh share the last slice.
MAX_SLICES = 12


def colours(vocab: Vocabulary) -> dict[str, str]:
    """A colour for every status of ``vocab``: its own, else the next spare one."""
    spare = iter(SPARE_COLOURS * (1 + len(vocab.names) // len(SPARE_COLOURS)))
    return {name: STATUS_COLOURS.get(name) or next(spare) for name in vocab.names}


def label(text: str, limit: int = 40) -> str:
    """``text`` as Mermaid may read it in a title or a quoted label: letters, digits, spaces and
    ``.-_'()&/:;,`` only (no quote, bracket, ``%`` or line break from the data can end it)."""
    safe = "".join(ch if ch.isalnum() or ch in " .-_'()&/:;," else " " for ch in text)
    return " ".join(safe.split())[:limit].strip() or "?"


def pie(title: str, counts: list[tuple[str, int]], palette: dict[str, str]) -> list[str]:
    """One Mermaid pie (with its ``init`` directive) of ``counts`` (status, how many), in order."""
    shown = [(status, n) for status, n in counts if n > 0]
    if len(shown) > MAX_SLICES:
        rest = sum(n for _s, n in shown[MAX_SLICES - 1 :])
        shown = [*shown[: MAX_SLICES - 1], ("other", rest)]
    variables: dict[str, str] = {"pieOpacity": "1", "pieSectionTextColor": "#1b1b1b", "pieStrokeColor": "#ffffff"}
    for n, (status, _count) in enumerate(shown, start=1):
        variables[f"pie{n}"] = palette.get(status, "#bab0ac")
    lines = ["```mermaid", "%%{init: " + json.dumps({"themeVariables": variables}) + "}%%"]
    lines.append(f"pie showData title {label(title, 60)}")
    seen: dict[str, int] = {}
    for status, n in shown:
        name = label(status)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:  # two statuses that read alike once filtered stay two slices
            name = f"{name} {seen[name]}"
        lines.append(f'    "{name}" : {n}')
    lines.append("```")
    return lines


def status_pies(data: DataFile, items: list[Item], party_ids: list[str], vocab: Vocabulary) -> list[str]:
    """A pie per party of ``party_ids`` with items among ``items``: its positions by status (an
    agreement counts for each party to it). The lines of the Markdown, blank-line separated."""
    palette = colours(vocab)
    names = data.get("parties") or {}
    out: list[str] = []
    for pid in party_ids:
        mine = [i for i in items if pid in parties_of(i)]
        if not mine:
            continue
        counts = {s: sum(1 for i in mine if i["status"] == s) for s in vocab.names}
        extra = sorted({i["status"] for i in mine} - set(counts))
        order = [(s, counts[s]) for s in vocab.names] + [(s, sum(1 for i in mine if i["status"] == s)) for s in extra]
        name = names[pid]["name"] if pid in names else pid
        noun = "position" if len(mine) == 1 else "positions"
        out += [*pie(f"{name}: {len(mine)} {noun} by status", order, palette), ""]
    return out
