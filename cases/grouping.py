"""Grouping articles into enforcement cases (pure; no index, no database).

Reads ``ArticleFeatures`` (cases.features) and staff decisions; writes groups of document ids,
one per case. Two articles belong to one case when the evidence they share outweighs what
separates them (``pair_score``): the same person, company, vessel or container named; the same
quantity of goods; the same airport, port, border gate, district or city; the same species; and
dates that fit the lifecycle (a seizure reported by several outlets within days; a trial or a
sentence months or years later only with a name or a quantity in common). Syndicated copies
(``duplicate_of``, linked at ingest) always share their original's case.

Clustering is average-link: a group joins another only when its members agree with the other's
on average, so one loose pair cannot chain two different seizures at one port together. Staff
decisions come first: ``together`` pairs are joined before anything else and ``apart`` pairs
are never joined automatically.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import combinations

from cases.features import STEPS, VI_FAMILY, ArticleFeatures
from pipelines.normalize import fold

# Days within which two reports of an event need no name or quantity in common.
NEWS_WINDOW_DAYS = 21
# The longest gap between two reports of one case (a sentence years after the seizure).
LIFECYCLE_DAYS = 6 * 366
# Relative difference under which two weights or counts are one quantity ("8,300 kg", "8.3 t").
QUANTITY_TOLERANCE = 0.01


@dataclass(frozen=True)
class Weights:
    """The scoring rule's weights; ``bench/cases_bench.py`` measures them on tests/cases."""

    name: float = 3.0
    key: float = 3.0
    quantity: float = 2.0
    specific_place: float = 1.5
    province: float = 0.75
    country: float = 0.25
    species: float = 1.0
    same_week: float = 1.5
    same_month: float = 0.5
    names_differ: float = 2.0
    species_differ: float = 3.0
    quantities_differ: float = 1.0
    threshold: float = 3.5


DEFAULT_WEIGHTS = Weights()


@lru_cache(maxsize=65536)
def _name_match(left: str, right: str) -> bool:
    """One person written two ways: "yang feng glan" / "yang fenglan", "feisal mohamed ali" /
    "feisal mohammed", "nguyễn mậu chiến" / "nguyen mau chien". Sharing only "nguyễn văn" is
    no match (half of all men share it), nor are "hoàng văn hiến" and "hoàng văn hiền"."""
    if left == right:
        return True
    if not (left.isascii() and right.isascii()) and (left.isascii() or right.isascii()):
        left, right = fold(left), fold(right)
    a, b = left.split(), right.split()
    if a[0] != b[0]:
        return False
    if fold(a[0]) in VI_FAMILY:
        return len(a) >= 3 and len(b) >= 3 and a[-1] == b[-1] and a[1] == b[1]
    if SequenceMatcher(None, a[1], b[1]).ratio() >= 0.85:
        return True
    joined_a, joined_b = left.replace(" ", ""), right.replace(" ", "")
    return min(len(joined_a), len(joined_b)) >= 8 and (
        SequenceMatcher(None, joined_a, joined_b).ratio() >= 0.9
    )


def shared_names(left: ArticleFeatures, right: ArticleFeatures) -> int:
    if not left.names or not right.names:
        return 0
    return sum(1 for name in left.names if any(_name_match(name, o) for o in right.names))


def _same_quantity(left: tuple[str, float], right: tuple[str, float]) -> bool:
    if left[0] != right[0]:
        return False
    big = max(left[1], right[1])
    return abs(left[1] - right[1]) <= QUANTITY_TOLERANCE * big


def shared_quantities(left: ArticleFeatures, right: ArticleFeatures) -> int:
    return sum(1 for q in left.quantities if any(_same_quantity(q, o) for o in right.quantities))


def _gap_days(left: ArticleFeatures, right: ArticleFeatures) -> int | None:
    if left.day is None or right.day is None:
        return None
    return abs((left.day - right.day).days)


def _earlier(left: ArticleFeatures, right: ArticleFeatures) -> bool:
    return left.day is not None and right.day is not None and left.day <= right.day


def _step_rank(features: ArticleFeatures) -> int:
    ranks = [STEPS.index(step) for step in features.steps]
    return max(ranks) if ranks else -1


def pair_score(
    left: ArticleFeatures, right: ArticleFeatures, weights: Weights = DEFAULT_WEIGHTS
) -> float:
    """How strongly two articles look like reports of one case (≥ ``weights.threshold``)."""
    gap = _gap_days(left, right)
    if gap is not None and gap > LIFECYCLE_DAYS:
        return 0.0
    names = shared_names(left, right)
    keys = len(left.keys & right.keys)
    quantities = shared_quantities(left, right)
    strong = names + keys + quantities
    if gap is not None and gap > NEWS_WINDOW_DAYS:
        if not strong:
            return 0.0
        # Months later only a later step can follow up a case: a second "seizure" story with a
        # quantity in common is most often another haul of the same size.
        earlier, later = (left, right) if _earlier(left, right) else (right, left)
        if not names and not keys and _step_rank(later) <= max(_step_rank(earlier), 1):
            return 0.0
    score = 0.0
    score += weights.name * min(names, 2)
    score += weights.key * min(keys, 2)
    score += weights.quantity * min(quantities, 2)
    score += weights.specific_place * min(len(left.specific_places & right.specific_places), 2)
    score += weights.province * min(len(left.provinces & right.provinces), 2)
    score += weights.country * min(len(left.countries & right.countries), 2)
    if left.species and right.species:
        if left.species & right.species:
            score += weights.species
        else:
            score -= weights.species_differ
    if gap is not None and gap <= 7:
        score += weights.same_week
    elif gap is not None and gap <= 31:
        score += weights.same_month
    if left.names and right.names and not names:
        score -= weights.names_differ
    if _large(left) and _large(right) and not quantities:
        score -= weights.quantities_differ
    return score


def _large(features: ArticleFeatures) -> bool:
    """Whether the article counts goods large enough to tell one haul from another."""
    return any(value >= (10 if unit == "kg" else 20) for unit, value in features.quantities)


class _UnionFind:
    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, left: str, right: str) -> str:
        a, b = self.find(left), self.find(right)
        if a != b:
            self.parent[max(a, b)] = min(a, b)
        return min(a, b)


def candidate_pairs(articles: Sequence[ArticleFeatures]) -> set[tuple[int, int]]:
    """Index pairs worth scoring: reports close in time, or sharing a name, key or quantity
    (so a large index is not compared all against all)."""
    pairs: set[tuple[int, int]] = set()
    dated = sorted(
        (i for i, a in enumerate(articles) if a.day is not None),
        key=lambda i: articles[i].day,  # type: ignore[arg-type,return-value]
    )
    for position, i in enumerate(dated):
        day = articles[i].day
        for j in dated[position + 1 :]:
            other = articles[j].day
            if day is None or other is None or (other - day).days > NEWS_WINDOW_DAYS:
                break
            pairs.add((min(i, j), max(i, j)))
    undated = [i for i, a in enumerate(articles) if a.day is None]
    for i in undated:
        pairs.update((min(i, j), max(i, j)) for j in range(len(articles)) if j != i)
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, article in enumerate(articles):
        for name in article.names:
            # first + last word, first + the start of the second: spelling variants meet
            parts = fold(name).split()
            by_key[f"n:{parts[0]}:{parts[-1]}"].append(i)
            by_key[f"n:{parts[0]}:{parts[1][:4]}"].append(i)
        for key in article.keys:
            by_key[f"k:{key}"].append(i)
        for unit, value in article.quantities:
            by_key[f"q:{unit}:{round(value, -1) if value >= 100 else round(value)}"].append(i)
    for key, members in by_key.items():
        # A common key (a round "10 kg", a frequent name) says little: skip it.
        if len(members) > (50 if key.startswith("q:") else 200):
            continue
        for a, b in combinations(sorted(set(members)), 2):
            gap = _gap_days(articles[a], articles[b])
            if gap is None or gap <= LIFECYCLE_DAYS:
                pairs.add((a, b))
    return pairs


def group_articles(
    articles: Sequence[ArticleFeatures],
    *,
    together: Iterable[tuple[str, str]] = (),
    apart: Iterable[tuple[str, str]] = (),
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[list[str]]:
    """Document ids grouped into cases, each group oldest first, groups by their first date.

    ``together``: pairs staff joined (always in one case). ``apart``: pairs staff split (never
    joined by the rule; a ``together`` pair overrides)."""
    ids = [a.doc_id for a in articles]
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    groups = _UnionFind(ids)
    for article in articles:
        if article.duplicate_of and article.duplicate_of in index:
            groups.union(article.doc_id, article.duplicate_of)
    for left, right in together:
        if left in index and right in index:
            groups.union(left, right)
    forbidden: dict[str, set[str]] = defaultdict(set)
    for left, right in apart:
        if left in index and right in index:
            forbidden[left].add(right)
            forbidden[right].add(left)

    scores: dict[tuple[int, int], float] = {}
    neighbours: dict[str, dict[str, float]] = defaultdict(dict)
    for i, j in candidate_pairs(articles):
        score = pair_score(articles[i], articles[j], weights)
        if score > 0:
            scores[(i, j)] = score
            neighbours[ids[i]][ids[j]] = neighbours[ids[j]][ids[i]] = score

    members: dict[str, list[str]] = defaultdict(list)
    for doc_id in ids:
        members[groups.find(doc_id)].append(doc_id)

    # Average-link merging, strongest pair first: two groups join when the mean score over all
    # their cross pairs (unscored pairs count 0) reaches half the threshold.
    for (i, j), score in sorted(scores.items(), key=lambda item: -item[1]):
        if score < weights.threshold:
            break
        a, b = groups.find(ids[i]), groups.find(ids[j])
        if a == b:
            continue
        small, large = sorted((members[a], members[b]), key=len)
        left_ids, right_ids = small, set(large)
        if any(forbidden[x] & right_ids for x in left_ids if x in forbidden):
            continue
        total = sum(value for x in left_ids for y, value in neighbours[x].items() if y in right_ids)
        if total / (len(left_ids) * len(right_ids)) >= weights.threshold * 0.5:
            root = groups.union(a, b)
            other = b if root == a else a
            members[root].extend(members.pop(other))

    by_root: dict[str, list[str]] = defaultdict(list)
    for doc_id in ids:
        by_root[groups.find(doc_id)].append(doc_id)

    def first_day(doc_id: str) -> str:
        day = articles[index[doc_id]].day
        return day.isoformat() if day else "9999"

    result = [sorted(group, key=lambda d: (first_day(d), d)) for group in by_root.values()]
    return sorted(result, key=lambda group: (first_day(group[0]), group[0]))


def pairwise_scores(
    predicted: Sequence[Sequence[str]], truth: dict[str, str]
) -> tuple[float, float, int, int, int]:
    """Pairwise precision and recall of ``predicted`` groups against ``truth`` (doc id → case):
    (precision, recall, true pairs found, pairs predicted, true pairs)."""
    predicted_of = {doc_id: n for n, group in enumerate(predicted) for doc_id in group}
    docs = sorted(truth)
    found = predicted_pairs = true_pairs = 0
    for a, b in combinations(docs, 2):
        same_truth = truth[a] == truth[b]
        same_predicted = predicted_of.get(a, -1) == predicted_of.get(b, -2)
        true_pairs += same_truth
        predicted_pairs += same_predicted
        found += same_truth and same_predicted
    precision = found / predicted_pairs if predicted_pairs else 1.0
    recall = found / true_pairs if true_pairs else 1.0
    return precision, recall, found, predicted_pairs, true_pairs
