"""Compile a ``SearchRequest`` into SQL for the SQLite index (search/sqlite_schema.py).

Pure: reads a request and the parsed query; writes the FROM clause, WHERE conditions and their
parameters, and the ranking expression. Every user value travels as a bound parameter; the only
text pasted into SQL is the fixed field names below and numbers computed here.

Ranking (``sort="relevance"`` with a query): BM25 over the folded title (weight 4) and text
(weight 1), multiplied by a recency boost ``1 + H / (H + age_days)`` where H is
``WILDWATCH_SEARCH_RECENCY_DAYS`` (default 30): an item from today scores up to twice its text
relevance, one H days old 1.5 times, a year-old one barely more than once. Seizure reporting
is time-critical, but an old article that matches much better still comes first.

A very common word (``thu giu`` is in a fifth of the items) makes bm25() over every match the
cost of a search: FTS5 scores every match even for ``ORDER BY rank LIMIT 20``. The backend keeps
the scored matches (row id, bm25, item date) until the index changes, and ``rank_page`` ranks
them again for each request, because the recency boost moves with the clock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from search.backend import SearchRequest
from search.dates import end_of, start_of
from search.filter_values import places_within
from search.indexed import normalise_key
from search.query_language import And, Node, Not, Or, Phrase, to_fts5
from search.sqlite_triage import filter_conditions

_numpy: Any
try:  # ranks a cached list of matches again in a millisecond (see rank_page)
    import numpy as _numpy
except ImportError:  # pragma: no cover - numpy ships with py3langid
    _numpy = None

CAN_RANK_CACHED = _numpy is not None

TITLE_WEIGHT = 4.0
TEXT_WEIGHT = 1.0
# FTS5's bm25() is negative, lower is better; its negation is the text relevance (>= 0).
BM25 = f"-bm25(items_fts, {TITLE_WEIGHT}, {TEXT_WEIGHT})"

# Request attribute -> items column (single-valued) or item_values field (lists).
_COLUMN_FILTERS = {"kind": "kind", "lang": "lang", "source": "source", "country": "country"}
_LIST_FILTERS = {"species": "species", "enforcement": "enforcement", "location": "locations"}


@dataclass
class SqlPlan:
    source: str
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    ranked: bool = False  # the FTS table is joined with MATCH: bm25() is available

    @property
    def whole_index(self) -> bool:
        """Every item matches: no query, no filter."""
        return not self.where and not self.ranked

    def where_sql(self) -> str:
        return " WHERE " + " AND ".join(self.where) if self.where else ""


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


def _fts_condition(node: Node, plan: SqlPlan) -> str:
    """``node`` as an SQL condition on ``i.rowid``: for query shapes FTS5 cannot say in one
    MATCH (``NOT ivory``, ``ivory OR NOT seized``)."""
    expression = to_fts5(node)
    if expression is not None:
        plan.params.append(expression)
        return "i.rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)"
    if isinstance(node, Not):
        return f"NOT ({_fts_condition(node.child, plan)})"
    if isinstance(node, Phrase):  # pragma: no cover - a phrase always compiles
        raise AssertionError(node)
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(_fts_condition(child, plan) for child in node.children) + ")"


def plan_request(request: SearchRequest, node: Node | None) -> SqlPlan:
    """FROM and WHERE for the items matching ``request`` (already parsed into ``node``)."""
    expression = to_fts5(node) if node is not None else None
    if expression is not None:
        plan = SqlPlan(
            source="items_fts JOIN items i ON i.rowid = items_fts.rowid",
            where=["items_fts MATCH ?"],
            params=[expression],
            ranked=True,
        )
    else:
        plan = SqlPlan(source="items i")
        if node is not None:
            plan.where.append(_fts_condition(node, plan))
    for attribute, column in _COLUMN_FILTERS.items():
        values = [normalise_key(column, value) for value in getattr(request, attribute)]
        if values:
            plan.where.append(f"i.{column} IN ({_placeholders(len(values))})")
            plan.params.extend(values)
    for attribute, list_field in _LIST_FILTERS.items():
        keys = [normalise_key(list_field, value) for value in getattr(request, attribute)]
        if keys:
            plan.where.append(
                "i.rowid IN (SELECT item FROM item_values "
                f"WHERE field = '{list_field}' AND key IN ({_placeholders(len(keys))}))"
            )
            plan.params.extend(keys)
    for place in request.place:  # each value must match (search.backend.SearchRequest.place)
        keys = sorted({normalise_key("locations", name) for name in places_within(place)})
        if not keys:
            plan.where.append("0")
            continue
        plan.where.append(
            "i.rowid IN (SELECT item FROM item_values "
            f"WHERE field = 'locations' AND key IN ({_placeholders(len(keys))}))"
        )
        plan.params.extend(keys)
    if request.wildlife_trade is not None:
        plan.where.append("i.wildlife_trade = ?")
        plan.params.append(1 if request.wildlife_trade else 0)
    if request.min_relevance is not None:
        plan.where.append("i.relevance >= ?")
        plan.params.append(float(request.min_relevance))
    bounds = (
        ("i.item_ts >= ?", request.since, start_of),
        ("i.item_ts <= ?", request.until, end_of),
        ("i.fetched_ts >= ?", request.fetched_since, start_of),
    )
    for condition, bound, convert in bounds:
        if bound is not None:
            plan.where.append(condition)
            plan.params.append(convert(bound))
    if request.fetched_until is not None:
        # Exclusive, and only datetimes are allowed: digests cut [since, until) windows.
        plan.where.append("i.fetched_ts < ?")
        plan.params.append(start_of(request.fetched_until))
    if request.ids:
        plan.where.append(f"i.id IN ({_placeholders(len(request.ids))})")
        plan.params.extend(request.ids)
    triage_where, triage_params = filter_conditions(request.triage, request.seen, request.noted)
    plan.where.extend(triage_where)
    plan.params.extend(triage_params)
    return plan


def group_rows_sql(plan: SqlPlan, names: Sequence[str]) -> tuple[str, list[Any]]:
    """One query listing the (location key, item) rows of the items of ``plan`` that name any
    of ``names``, for the backend's ``count_groups`` to count per group. The names travel as
    one JSON parameter. The plan is pinned, as a join with a list of unknown length invites
    bad guesses (minutes instead of a fraction of a second at 100,000 items): CROSS JOIN reads
    the list first and each name's ``locations`` rows through the primary key, and ``+``
    keeps the matching items a set to look rows up in rather than a loop driving the join."""
    keys = sorted({normalise_key("locations", name) for name in names})
    matching = (
        f" WHERE +v.item IN (SELECT i.rowid FROM {plan.source}{plan.where_sql()})"
        if not plan.whole_index
        else ""
    )
    sql = (
        "WITH wanted(key) AS (SELECT value FROM json_each(?)) SELECT v.key, v.item"
        " FROM wanted w CROSS JOIN item_values v ON v.field = 'locations' AND v.key = w.key"
        + matching
    )
    return sql, [json.dumps(keys, ensure_ascii=False), *(plan.params if matching else [])]


def rank_page(
    rowids: Sequence[int],
    relevance: Sequence[float],
    item_ts: Sequence[int],
    *,
    now: int,
    recency_days: float,
    offset: int,
    limit: int,
) -> list[int]:
    """Row ids of one page ranked as ``order_by`` ranks in SQL: ``relevance`` (the negated
    bm25 of each match) times the recency boost, then newer first, then higher rowid. The
    arithmetic is the same IEEE double operations in the same order, so the pages agree to
    the last tie; it lets a cached list of matches be ranked again at a later ``now``."""
    if _numpy is None:  # pragma: no cover - numpy ships with py3langid
        raise RuntimeError("rank_page needs numpy")
    np = _numpy
    ids = np.asarray(rowids, dtype=np.int64)
    dates = np.asarray(item_ts, dtype=np.int64)
    horizon = float(f"{recency_days:.6f}")  # H exactly as order_by writes it
    age_days = np.maximum(0.0, (int(now) - dates) / 86400.0)
    scores = np.asarray(relevance, dtype=np.float64) * (1.0 + horizon / (horizon + age_days))
    wanted = max(0, offset) + max(0, limit)
    if wanted <= 0 or not len(ids):
        return []
    if wanted < len(ids):
        # Only items scoring at least the wanted-th best can be on the page (ties included).
        floor = np.partition(scores, len(scores) - wanted)[len(scores) - wanted]
        keep = np.flatnonzero(scores >= floor)
        ids, dates, scores = ids[keep], dates[keep], scores[keep]
    order = np.lexsort((-ids, -dates, -scores))
    return [int(rowid) for rowid in ids[order][max(0, offset) : wanted]]


def order_by(plan: SqlPlan, request: SearchRequest, *, now: int, recency_days: float) -> str:
    """The ORDER BY clause: relevance (BM25 × recency boost) or newest first."""
    if request.sort == "relevance" and plan.ranked:
        boost = (
            f"(1.0 + {recency_days:.6f} / ({recency_days:.6f} + "
            f"max(0.0, ({int(now)} - i.item_ts) / 86400.0)))"
        )
        return f" ORDER BY {BM25} * {boost} DESC, i.item_ts DESC, i.rowid DESC"
    return " ORDER BY i.item_ts DESC, i.rowid DESC"


__all__ = [
    "BM25",
    "CAN_RANK_CACHED",
    "Or",
    "SqlPlan",
    "group_rows_sql",
    "order_by",
    "plan_request",
    "rank_page",
]
