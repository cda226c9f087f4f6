"""Check a loaded demands file against the format: every problem at once, each with its place.

A problem is reported as (path, message): the path is the chain of keys and list
indices to the value at fault, which the store turns into line and column.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from .escape import clip, quoted
from .fieldrules import URL_RULE, Fields, Found, TextOf, show, suggest, url_problem
from .model import (
    KINDS,
    LIKELIHOODS,
    MONTH_RE,
    PRIORITIES,
    RELS,
    ROUND_STATUSES,
    DataFile,
    DataPath,
    HistoryEntry,
    Item,
    Link,
    Measurement,
    Party,
    Round,
    Source,
    StatusDef,
    Target,
    fold,
    id_problem,
    parse_month,
)
from .timeline import latest_status_entry, out_of_order

__all__ = ["URL_RULE", "Found", "TextOf", "check", "not_held", "suggest", "url_problem"]


_ONE_PARTY = "ids, names and aliases must each name one party (in any case); change one of them"


class _Checker(Fields):
    """The rules of the whole file: parties, rounds, statuses, items, links and history."""

    # --- the file -------------------------------------------------------------------------

    def run(self) -> Found:
        data = self.data
        if not self.mapping(data, (), "the file"):
            return self.found
        self.fields(data, DataFile, ())
        version = data.get("version")
        if version is not None and (isinstance(version, bool) or version != 1):
            shown = version if isinstance(version, (int, float)) and not isinstance(version, bool) else show(version)
            self.problem(("version",), f"unsupported version {shown}: this tool reads version 1")
        self.text(data, "title", ())
        self.text(data, "description", ())
        parties = self.parties()
        rounds = self.rounds(parties)
        statuses = self.statuses()
        self.items(parties, rounds, statuses)
        return self.found

    def parties(self) -> set[str]:
        value = self.data.get("parties")
        if value is None:
            return set()
        if not self.mapping(value, ("parties",), "parties"):
            return set()
        ids: set[str] = set()
        #: Every id, name and alias seen, folded: which party it names and as what.
        owners: dict[str, tuple[str, str]] = {}
        for key, party in list(value.items()):
            path: DataPath = ("parties", key)
            if not isinstance(key, str):
                self.problem(path, f"party id {quoted(key)} must be text")
                continue
            wrong = id_problem(key)
            if wrong:
                self.problem(path, f"party id {quoted(key)} {wrong}")
            if fold(key) in {fold(i) for i in ids}:
                self.problem(path, f"duplicate party id {quoted(key)}")
            ids.add(key)
            names: list[tuple[DataPath, str, str]] = []
            if isinstance(party, dict):
                self.fields(party, Party, path)
                name = self.text(party, "name", path, nonempty=True)
                if name is not None:
                    names.append((path + ("name",), "name", name))
                aliases = party.get("aliases")
                for n, alias in enumerate(self.text_list(party, "aliases", path)):
                    where = path + ("aliases", n) if isinstance(aliases, list) else path + ("aliases",)
                    names.append((where, "alias", alias))
                self.text(party, "lead", path)
                self.text(party, "description", path)
            else:
                self.mapping(party, path, f"party {quoted(key)}")
            self.party_names(key, names, owners)
        return ids

    def party_names(self, key: str, names: list[tuple[DataPath, str, str]], owners: dict[str, tuple[str, str]]) -> None:
        """Ids, names and aliases name one party each, compared as people type them (``fold``)."""
        folded = fold(key)
        owner = owners.get(folded)
        if owner is not None and owner[0] != key and owner[1] != "id":
            self.problem(
                ("parties", key),
                f"party id {quoted(key)} is also the {owner[1]} of party {quoted(owner[0])}: {_ONE_PARTY}",
            )
        owners.setdefault(folded, (key, "id"))
        for where, what, text in names:
            folded = fold(text)
            owner = owners.get(folded)
            if owner is not None and owner[0] != key:
                self.problem(
                    where,
                    f"party {quoted(key)} {what} {quoted(text)} is also the {owner[1]} of party {quoted(owner[0])}: {_ONE_PARTY}",
                )
            owners.setdefault(folded, (key, what))

    def named(
        self, key: str, shape: Any, what: str, name_key: str, duplicate: str
    ) -> Iterator[tuple[DataPath, dict[str, Any], str | None]]:
        """The entries of the top-level list ``key`` that are mappings (of ``shape``), each with
        its path and its ``name_key``, which must be non-empty text, unique in the list as
        commands match it: ``open`` and ``OPEN``, NFD and NFC, curly and straight quotes are
        one name (``fold``)."""
        seen: dict[str, str] = {}
        for i, entry in enumerate(self.seq(self.data, key, ())):
            path: DataPath = (key, i)
            if not self.mapping(entry, path, what):
                continue
            self.fields(entry, shape, path)
            name = self.text(entry, name_key, path, nonempty=True)
            if name is not None:
                first = seen.get(fold(name))
                if first == name:
                    self.problem(path + (name_key,), f"{duplicate} {quoted(name)}")
                elif first is not None:
                    self.problem(
                        path + (name_key,),
                        f"{duplicate} {quoted(name)}: commands take it for {quoted(first)} (names match in any "
                        "case, Unicode form and quote style); rename one of them",
                    )
                seen.setdefault(fold(name), name)
            yield path, entry, name

    def rounds(self, parties: set[str]) -> dict[str, str]:
        """Check the rounds; returns each round's id and its status (held, planned, cancelled)."""
        found: dict[str, str] = {}
        for path, rnd, rid in self.named("rounds", Round, "a round", "id", "duplicate round id"):
            # An unknown status is reported once; the dates are then checked as a plan's might be.
            status = self.choice(rnd, "status", path, ROUND_STATUSES) or ("held" if rnd.get("status") is None else "?")
            if rid is not None:
                found[rid] = status
            start = self.round_date(rnd, "date", path, status)
            end = self.round_date(rnd, "end", path, status)
            if start and end and end[: len(start)] < start[: len(end)]:
                self.problem(path + ("end",), f"round ends ({end}) before it starts ({start})")
            likelihood = self.choice(rnd, "likelihood", path, LIKELIHOODS)
            if likelihood is not None and status in ("held", "cancelled"):
                self.problem(
                    path + ("likelihood",),
                    f"likelihood is for a planned round; this one is {status}: remove it, or set status: planned",
                )
            for key in ("place", "outcome", "note"):
                self.text(rnd, key, path)
            present = rnd.get("parties")
            for n, party in enumerate(self.text_list(rnd, "parties", path)):
                self.known_party(party, path + ("parties", n) if isinstance(present, list) else path, parties)
            self.source_of(rnd, path)
        return found

    def round_date(self, rnd: dict[str, Any], key: str, path: DataPath, status: str) -> str | None:
        """A round's date: a day; for a round not held (planned, cancelled) also a month, YYYY-MM."""
        value = rnd.get(key)
        if status == "held" or not isinstance(value, str) or not MONTH_RE.match(value):
            if status == "held" and isinstance(value, str) and MONTH_RE.match(value):
                self.problem(
                    path + (key,),
                    f"date {quoted(value)} is a month: a round held needs its day, YYYY-MM-DD "
                    "(a month is for a planned or cancelled round)",
                )
                return None
            return self.date(rnd, key, path)
        if parse_month(value) is None:
            self.problem(path + (key,), f"bad date {quoted(value)}: no such month")
            return None
        return value

    def statuses(self) -> list[str]:
        declared = self.data.get("statuses")
        if declared is None:
            from .model import DEFAULT_STATUSES

            return [s["name"] for s in DEFAULT_STATUSES]
        names: list[str] = []
        for path, status, name in self.named("statuses", StatusDef, "a status", "name", "duplicate status"):
            if name is not None:
                names.append(name)
            closed = status.get("closed")
            if closed is not None and not isinstance(closed, bool):
                self.problem(path + ("closed",), f"closed must be true or false, not {show(closed)}")
            self.text(status, "description", path)
        if isinstance(declared, list) and not declared:
            self.problem(("statuses",), "statuses is empty: list at least one, or remove it to use the defaults")
        return names

    def items(self, parties: set[str], rounds: dict[str, str], statuses: list[str]) -> None:
        items = self.seq(self.data, "demands", ())
        seen: dict[str, int] = {}
        ids: set[str] = set()
        only = self.only
        for i, item in enumerate(items):
            if isinstance(item, dict):
                iid = item["id"] if only is not None and i not in only and type(item.get("id")) is str else None
                iid = iid or self.text(item, "id", ("demands", i))
                if iid:
                    key = iid.lower()
                    if key in seen:
                        self.problem(
                            ("demands", i, "id"),
                            f"{clip(iid, 60)} id: duplicate id (also item {seen[key] + 1} of demands)",
                        )
                    else:
                        seen[key] = i
                    ids.add(key)
        for i in range(len(items)) if self.only is None else sorted(self.only):
            path: DataPath = ("demands", i)
            if not self.mapping(items[i], path, "an item"):
                continue
            self.item(items[i], path, parties, rounds, statuses, ids)

    def item(
        self,
        item: dict[str, Any],
        path: DataPath,
        parties: set[str],
        rounds: dict[str, str],
        statuses: list[str],
        ids: set[str],
    ) -> None:
        iid = item.get("id") if isinstance(item.get("id"), str) else None
        label = (clip(iid, 60) if id_problem(iid) is None else quoted(iid, 60)) if iid else f"item {path[1] + 1}"
        start = len(self.found)
        self.fields(item, Item, path)
        wrong = id_problem(iid) if iid is not None else None
        if wrong:
            self.problem(path + ("id",), f"id {quoted(iid)} {wrong}")
        kind = self.choice(item, "kind", path, KINDS)
        self.raisers(item, path, parties, kind)
        self.known_party(self.text(item, "of", path), path + ("of",), parties)
        self.text(item, "title", path, nonempty=True)
        self.text(item, "text", path)
        self.text(item, "topic", path)
        self.text_list(item, "tags", path)
        self.choice(item, "priority", path, PRIORITIES)
        status = self.choice(item, "status", path, statuses)
        self.date(item, "due", path)
        self.target(item, path)
        self.source_of(item, path)
        self.links(item, path, iid, ids)
        latest = self.history(item, path, rounds, statuses)
        if status is not None and latest is not None and status != latest["status"]:
            self.problem(
                path + ("status",),
                f"status is {quoted(status)} but the latest-dated history entry ({latest['date']}) sets "
                f"{quoted(latest['status'])}; use 'demands mark' to change a status",
            )
        for n in range(start, len(self.found)):
            where, message = self.found[n]
            field = ".".join(str(step) for step in where[len(path) :] if isinstance(step, str))
            if not message.startswith(f"{label} "):
                self.found[n] = (where, f"{label} {field}: {message}" if field else f"{label}: {message}")

    def known_party(self, party: str | None, where: DataPath, parties: set[str]) -> None:
        """``party`` (when given) is a key of ``parties``."""
        if party is not None and party not in parties:
            known = sorted(parties)
            self.problem(
                where,
                f"unknown party {quoted(party)}{suggest(party, known)}; known: {clip(', '.join(known)) or 'none'}",
            )

    def raisers(self, item: dict[str, Any], path: DataPath, parties: set[str], kind: str | None) -> None:
        """An item's ``party``: one party id, or a list of two or more different ones; an
        agreement (``kind``) lists two or more."""
        value = item.get("party")
        if not isinstance(value, list):
            party = self.text(item, "party", path)
            self.known_party(party, path + ("party",), parties)
            if party is not None and kind == "agreement":
                self.problem(path + ("party",), _agreement(party, parties))
            return
        named = self.text_list(item, "party", path)
        seen: set[str] = set()
        for n, party in enumerate(value):
            if not isinstance(party, str):
                continue
            if fold(party) in seen:
                self.problem(path + ("party", n), f"party {quoted(party)} is listed twice")
            seen.add(fold(party))
            self.known_party(party, path + ("party", n), parties)
        if not value:
            self.problem(
                path + ("party",),
                "party lists no party: name who raises it (party: us), or the parties to an agreement (party: [us, cn])",
            )
        elif len(value) == 1:
            self.problem(
                path + ("party",),
                _agreement(named[0], parties)
                if kind == "agreement" and named
                else f"party lists one party: write it as party: {named[0] if named else '...'} (a list is for two or more)",
            )

    def target(self, item: dict[str, Any], path: DataPath) -> None:
        target = item.get("target")
        if target is None:
            return
        tpath = path + ("target",)
        if not self.mapping(target, tpath, "target"):
            return
        self.fields(target, Target, tpath)
        self.number(target, "amount", tpath)
        self.number(target, "baseline", tpath)
        self.text(target, "unit", tpath)
        self.text(target, "metric", tpath)
        self.date(target, "by", tpath)
        measurements = self.seq(target, "progress", tpath)
        dated = True
        for j, m in enumerate(measurements):
            mpath = tpath + ("progress", j)
            if not self.mapping(m, mpath, "a measurement"):
                dated = False
                continue
            self.fields(m, Measurement, mpath)
            dated = self.date(m, "date", mpath) is not None and dated
            self.number(m, "amount", mpath)
            self.text(m, "note", mpath, nonempty=True)
            self.text(m, "source", mpath)
        if dated:
            self.in_date_order(measurements, tpath + ("progress",), "measurement", "progress")

    def source_of(self, owner: dict[str, Any], path: DataPath) -> None:
        """The ``source`` of an item, a history entry or a round: a mapping of text fields and a date
        (its quote is checked against its document apart: ``sources.quote_problems``)."""
        source = owner.get("source")
        if source is None:
            return
        spath = path + ("source",)
        if not self.mapping(source, spath, "source"):
            return
        self.fields(source, Source, spath)
        for key in ("doc", "quote"):
            self.text(source, key, spath)
        url = self.text(source, "url", spath)
        said = url_problem(url) if url is not None else None
        if said is not None:
            self.problem(spath + ("url",), f"url {said}")
        self.date(source, "date", spath)

    def links(self, item: dict[str, Any], path: DataPath, iid: str | None, ids: set[str]) -> None:
        for j, link in enumerate(self.seq(item, "links", path)):
            lpath = path + ("links", j)
            if not self.mapping(link, lpath, "a link"):
                continue
            self.fields(link, Link, lpath)
            self.choice(link, "rel", lpath, RELS)
            other = self.text(link, "id", lpath)
            if other is None:
                continue
            if iid is not None and other.lower() == iid.lower():
                self.problem(lpath + ("id",), "an item cannot link to itself")
            elif other.lower() not in ids:
                self.problem(lpath + ("id",), f"link to unknown id {quoted(other)}")

    def history(
        self, item: dict[str, Any], path: DataPath, rounds: dict[str, str], statuses: list[str]
    ) -> dict[str, Any] | None:
        """Check the entries; returns the latest-dated one that sets a valid status (if all are dated)."""
        entries = self.seq(item, "history", path)
        dated = True
        for j, entry in enumerate(entries):
            hpath = path + ("history", j)
            if not self.mapping(entry, hpath, "a history entry"):
                dated = False
                continue
            self.fields(entry, HistoryEntry, hpath)
            dated = self.date(entry, "date", hpath) is not None and dated
            self.choice(entry, "status", hpath, statuses)
            rnd = self.text(entry, "round", hpath)
            if rnd is not None and rnd not in rounds:
                self.problem(hpath + ("round",), f"unknown round {quoted(rnd)}{suggest(rnd, sorted(rounds))}")
            elif rnd is not None and rounds[rnd] != "held":
                self.problem(hpath + ("round",), not_held(rnd, rounds[rnd]))
            note = self.text(entry, "note", hpath, nonempty=True)
            self.text(entry, "by", hpath)
            self.source_of(entry, hpath)
            if entry.get("status") is None and note is None:
                self.problem(hpath, "a history entry needs a status or a note")
        if not dated:
            return None
        self.in_date_order(entries, path + ("history",), "history entry", "history")
        latest: Any = latest_status_entry({"history": entries})  # type: ignore[typeddict-item]
        return latest if latest is not None and latest.get("status") in statuses else None

    def in_date_order(self, entries: list[Any], path: DataPath, what: str, field: str) -> None:
        """A dated list (history, progress) must be in date order: report the first entry out of place."""
        j = out_of_order(entries)
        if j is None:
            return
        later = max(entries[:j], key=lambda e: e["date"])
        self.problem(
            path + (j, "date"),
            f"{what} dated {entries[j]['date']} comes after one dated {later['date']}: {field} is kept in date "
            f"order; move this entry up to its place by date",
        )


def not_held(rid: str, status: str) -> str:
    """Why a history entry cannot be in round ``rid``, which is ``planned`` or ``cancelled``."""
    if status == "planned":
        return (
            f"round {quoted(rid)} is planned, not held: what happened can only be in a round held "
            "(once it is, remove its status: planned)"
        )
    return f"round {quoted(rid)} was cancelled: what happened can only be in a round held"


def _agreement(party: str, parties: set[str]) -> str:
    """Why an agreement naming only ``party`` is wrong, with a list of two parties of the file as the example."""
    example = ", ".join(list(dict.fromkeys([party, *sorted(parties)]))[:2])
    return f"an agreement is a position two or more parties share: list them all, like party: [{example}]"


def check(data: Any, text_of: TextOf | None = None, *, items: Collection[int] | None = None) -> Found:
    """Every problem with ``data`` (normalising bare numbers in text fields as it goes).

    ``items``: the indexes in ``demands`` of the only items to check one by one (all by
    default); every item still counts in the checks across items (duplicate ids, the ids links
    may name). For data whose other items were checked already, against the same parties,
    rounds and statuses and with none of the ids they name removed since: an item's own checks
    depend on nothing else (the parse cache and warm writes rely on this).
    """
    return _Checker(data, text_of, items).run()
