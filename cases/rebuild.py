"""Keeping the case store in step with the index, and the staff operations on cases.

Reads the index through the search-backend interface only (``SearchBackend.search`` for the
items that report an enforcement action, ``get`` for the text of new or re-analysed ones);
writes the case store. ``update`` is incremental (items fetched since the last run, plus any
whose analysis changed when ``full``); both regroup every stored article, apply the staff
decisions in order and keep case ids stable: a regrouped case keeps the id most of its articles
had. ``merge`` and ``split`` record a decision and regroup at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cases.features import STEPS, ArticleFeatures, article_features
from cases.grouping import group_articles
from cases.model import ArticleRecord, Case, build_case
from cases.store import CaseStore, Decision
from pipelines.places import place_info
from search.backend import Hit, SearchBackend, SearchRequest

logger = logging.getLogger(__name__)

PAGE = 200
_WATERMARK = "synced_until"


class CaseError(ValueError):
    """A staff operation cannot be done; the message says which case or article."""


@dataclass(frozen=True)
class UpdateSummary:
    read: int  # enforcement items seen in the index
    analysed: int  # new or changed items whose features were (re)computed
    removed: int  # stored articles no longer in the index (full runs only)
    cases: int
    moved_on: int  # cases whose status advanced to a later step

    def line(self) -> str:
        return (
            f"cases: {self.cases} ({self.moved_on} moved to a later step); items read "
            f"{self.read}, analysed {self.analysed}, removed {self.removed}"
        )


def _fingerprint(hit: Hit) -> str:
    keys = ("title", "published_at", "species", "enforcement", "quantities", "locations")
    data = {key: hit.get(key) for key in keys} | {"dup": hit.get("duplicate_of")}
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _enforcement_hits(backend: SearchBackend, since: datetime | None) -> Iterator[Hit]:
    offset = 0
    while True:
        request = SearchRequest(
            enforcement=STEPS,
            fetched_since=since,
            sort="newest",
            limit=PAGE,
            offset=offset,
            facets=False,
        )
        hits = backend.search(request)["hits"]
        yield from hits
        if len(hits) < PAGE:
            return
        offset += PAGE


def article_record(doc: Mapping[str, Any], day: date | None) -> ArticleRecord:
    """What the case pages show of one article."""
    locations = [str(p) for p in (doc.get("locations") or [])]
    provinces, countries = [], []
    for name in locations:
        info = place_info(name)
        if info is None:
            continue
        if info.kind == "province":
            provinces.append(info.name)
        elif info.province:
            provinces.append(info.province)
        if info.country:
            countries.append(info.country)
    return ArticleRecord(
        doc_id=str(doc["id"]),
        url=str(doc.get("url") or ""),
        title=str(doc.get("title") or ""),
        source=str(doc.get("source") or ""),
        day=day,
        steps=tuple(s for s in STEPS if s in (doc.get("enforcement") or [])),
        species=tuple(str(s) for s in (doc.get("species") or [])),
        places=tuple(dict.fromkeys(locations)),
        provinces=tuple(dict.fromkeys(provinces)),
        countries=tuple(dict.fromkeys(countries)),
    )


def sync_articles(
    backend: SearchBackend, store: CaseStore, *, full: bool = False
) -> tuple[int, int, int]:
    """Bring the stored articles up to date with the index: (read, analysed, removed)."""
    started = datetime.now(UTC)
    watermark = None if full else store.get_meta(_WATERMARK)
    since = datetime.fromisoformat(watermark) if watermark else None
    known = store.fingerprints()
    seen: set[str] = set()
    read = analysed = 0
    batch: list[tuple[ArticleFeatures, ArticleRecord, str]] = []
    for hit in _enforcement_hits(backend, since):
        read += 1
        doc_id = str(hit["id"])
        seen.add(doc_id)
        fingerprint = _fingerprint(hit)
        if known.get(doc_id) == fingerprint:
            continue
        doc = backend.get(doc_id)
        if doc is None:
            continue
        features = article_features(doc)
        batch.append((features, article_record(dict(doc), features.day), fingerprint))
        analysed += 1
        if len(batch) >= PAGE:
            store.put_articles(batch)
            batch = []
    if batch:
        store.put_articles(batch)
    removed = 0
    if full:
        gone = set(known) - seen
        store.remove_articles(gone)
        removed = len(gone)
    # Items fetched while this ran are read again next time: the watermark is the start.
    store.set_meta(_WATERMARK, started.isoformat())
    return read, analysed, removed


def resolved_constraints(
    decisions: Sequence[Decision],
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The staff decisions as (together, apart) pairs; a later decision wins over an earlier
    one about the same articles."""
    together: set[frozenset[str]] = set()
    apart: set[frozenset[str]] = set()
    for decision in decisions:
        moved, rest = list(decision.moved), list(decision.rest)
        if decision.action == "together":
            members = moved + rest
            pairs = {frozenset((members[0], other)) for other in members[1:]}
            together |= pairs
            apart -= pairs
        else:
            moved_set, rest_set = set(moved), set(rest)
            crossing = {
                pair
                for pair in together
                if len(pair & moved_set) == 1 and len(pair & rest_set) == 1
            }
            together -= crossing
            for side in (moved, rest):
                together |= {frozenset((side[0], other)) for other in side[1:]}
            cross = {frozenset((a, b)) for a in moved for b in rest}
            apart |= cross
    return _as_pairs(together), _as_pairs(apart)


def _as_pairs(pairs: set[frozenset[str]]) -> set[tuple[str, str]]:
    found = set()
    for pair in pairs:
        if len(pair) == 2:
            left, right = sorted(pair)
            found.add((left, right))
    return found


def _new_id(first_doc: str, taken: set[str]) -> str:
    salt = 0
    while True:
        digest = hashlib.sha1(f"{first_doc}:{salt}".encode()).hexdigest()[:10]
        candidate = f"c{digest}"
        if candidate not in taken:
            return candidate
        salt += 1


def assign_ids(groups: Sequence[Sequence[str]], previous: dict[str, str]) -> list[str]:
    """A stable id per group: the id most of its articles had (largest groups choose first),
    else a new one derived from its first article."""
    order = sorted(range(len(groups)), key=lambda n: -len(groups[n]))
    ids: list[str | None] = [None] * len(groups)
    taken: set[str] = set()
    for n in order:
        votes = Counter(previous[d] for d in groups[n] if d in previous)
        for case_id, _count in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
            if case_id not in taken:
                ids[n] = case_id
                break
    taken = {i for i in ids if i}
    for n in order:
        if ids[n] is None:
            ids[n] = _new_id(groups[n][0], taken)
            taken.add(str(ids[n]))
    return [str(i) for i in ids]


def regroup(store: CaseStore) -> tuple[list[Case], int]:
    """Regroup every stored article and store the cases: (cases, how many moved on)."""
    features, records = store.all_articles()
    together, apart = resolved_constraints(store.decisions())
    groups = group_articles(features, together=together, apart=apart)
    previous = store.memberships()
    ids = assign_ids(groups, previous)
    cases = [
        build_case(case_id, [records[d] for d in group])
        for case_id, group in zip(ids, groups, strict=True)
    ]
    old_status = store.statuses()
    events = []
    for case in cases:
        old = old_status.get(case.id)
        if case.status and case.id in old_status and _later(case.status, old):
            events.append((case.id, old, case.status))
    surviving = {case.id for case in cases}
    renames = {}
    for doc_id, old_id in previous.items():
        if old_id not in surviving:
            new_id = next((c.id for c, g in zip(cases, groups, strict=True) if doc_id in g), None)
            if new_id:
                renames[old_id] = new_id
    store.replace_cases(cases, events)
    if renames:
        store.rename_follows(renames)
    return cases, len(events)


def _later(new: str, old: str | None) -> bool:
    if old is None:
        return True
    return STEPS.index(new) > STEPS.index(old) if old in STEPS else True


def update(backend: SearchBackend, store: CaseStore, *, full: bool = False) -> UpdateSummary:
    """Sync the articles (incrementally unless ``full``) and regroup."""
    read, analysed, removed = sync_articles(backend, store, full=full)
    cases, moved_on = regroup(store)
    return UpdateSummary(read, analysed, removed, len(cases), moved_on)


def merge(
    store: CaseStore, target: str, others: Iterable[str], *, actor: str, note: str = ""
) -> Case:
    """Join ``others`` into ``target`` (a staff decision that survives rebuilds)."""
    cases = {case_id: store.get(case_id) for case_id in [target, *others]}
    missing = [case_id for case_id, case in cases.items() if case is None]
    if missing:
        raise CaseError(f"no case {', '.join(missing)}")
    kept = cases[target]
    assert kept is not None
    folded = [
        article.doc_id
        for case_id, case in cases.items()
        if case_id != target and case is not None
        for article in case.articles
    ]
    if not folded:
        raise CaseError("merge needs at least one other case")
    store.add_decision(
        "together", [a.doc_id for a in kept.articles], folded, actor=actor, note=note
    )
    store.reassign(folded, target)
    store.rename_follows({case_id: target for case_id in cases if case_id != target})
    regroup(store)
    merged = store.get(target)
    if merged is None:  # pragma: no cover - the target keeps its id by construction
        raise CaseError(f"case {target} vanished while merging")
    return merged


def split(
    store: CaseStore, case_id: str, doc_ids: Sequence[str], *, actor: str, note: str = ""
) -> tuple[Case, Case]:
    """Move ``doc_ids`` out of ``case_id`` into a new case: (the case left, the new case)."""
    case = store.get(case_id)
    if case is None:
        raise CaseError(f"no case {case_id}")
    members = [a.doc_id for a in case.articles]
    moved = [d for d in dict.fromkeys(doc_ids)]
    strangers = [d for d in moved if d not in members]
    if strangers:
        raise CaseError(f"not in case {case_id}: {', '.join(strangers)}")
    rest = [d for d in members if d not in moved]
    if not moved or not rest:
        raise CaseError("split needs some articles to move and some to keep")
    store.add_decision("apart", moved, rest, actor=actor, note=note)
    new_id = _new_id(moved[0], set(store.statuses()))
    store.reassign(moved, new_id)
    regroup(store)
    left, created = store.get(case_id), store.get(new_id)
    if left is None or created is None:  # pragma: no cover - ids are pinned by reassign
        raise CaseError(f"case {case_id} could not be split")
    return left, created
