"""Pairwise precision and recall of the case grouping on real multi-article cases.

Reads ``tests/cases/{tune,dev}.jsonl`` (one published report per line, paraphrased, with its
case label; conventions in ``tests/cases/README.md``), analyses each text with
``pipelines.analysis.analyze`` exactly as ingest does (without word segmentation, which the
grouping does not read), groups the articles with ``cases.grouping.group_articles`` and counts
pairs: a pair of articles is right when the rule and the label agree that both report one case.
Precision = right "same case" pairs / pairs the rule put together; recall = right pairs /
pairs the labels put together. Single-article cases (distractors on the same species, places
and ports) only count against precision.

``--scale K`` also times the grouping over K copies of every labelled report, each copy moved
200 days later and with its own names and keys (a synthetic index of K × 135 reports, denser
in same-species, same-port reports than real news).

Run: ``.venv/bin/python -m bench.cases_bench [--split tune|dev|all] [--errors] [--scale K]``.
The floors the tests hold are in ``tests/cases/floors.toml``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from cases.features import ArticleFeatures, article_features
from cases.grouping import DEFAULT_WEIGHTS, Weights, group_articles, pairwise_scores
from pipelines.analysis import analyze

CASES_DIR = Path(__file__).resolve().parent.parent / "tests" / "cases"
SPLITS = ("tune", "dev")


class LabelledSetError(ValueError):
    """A labelled line is unusable; the message names the file, the line and the field."""


_REQUIRED = ("id", "case", "source", "source_url", "published_at", "lang", "title", "text")


def load_split(name: str, directory: Path = CASES_DIR) -> list[dict[str, Any]]:
    path = directory / f"{name}.jsonl"
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise LabelledSetError(f"{path}:{number}: not JSON ({error.msg})") from None
            for key in _REQUIRED:
                if not isinstance(row.get(key), str) or not row[key].strip():
                    raise LabelledSetError(f"{path}:{number}: field {key!r} missing or empty")
            rows.append(row)
    return rows


def as_document(row: dict[str, Any]) -> dict[str, Any]:
    """The indexed document ingest would build from a labelled report."""
    analysis = analyze(row["text"], title=row["title"], lang_hint=row["lang"], segment=False)
    return {
        "id": row["id"],
        "url": row["source_url"],
        "source": row["source"],
        "title": row["title"],
        "text": row["text"],
        "published_at": row["published_at"],
        **analysis,
    }


@dataclass(frozen=True)
class Measure:
    split: str
    articles: int
    cases: int
    multi_article_cases: int
    precision: float
    recall: float
    found: int
    predicted: int
    true_pairs: int
    groups: list[list[str]]


def features_of(rows: Sequence[dict[str, Any]]) -> list[ArticleFeatures]:
    return [article_features(as_document(row)) for row in rows]


def measure(
    split: str,
    rows: Sequence[dict[str, Any]],
    features: Sequence[ArticleFeatures] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Measure:
    features = list(features) if features is not None else features_of(rows)
    groups = group_articles(features, weights=weights)
    truth = {row["id"]: row["case"] for row in rows}
    precision, recall, found, predicted, true_pairs = pairwise_scores(groups, truth)
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row["case"]] = sizes.get(row["case"], 0) + 1
    return Measure(
        split,
        len(rows),
        len(sizes),
        sum(1 for n in sizes.values() if n > 1),
        precision,
        recall,
        found,
        predicted,
        true_pairs,
        groups,
    )


def _errors(result: Measure, rows: Sequence[dict[str, Any]]) -> list[str]:
    truth = {row["id"]: row["case"] for row in rows}
    lines = []
    for group in result.groups:
        labels = {truth[doc_id] for doc_id in group}
        if len(labels) > 1:
            lines.append("  joined: " + ", ".join(group))
    predicted_of = {d: n for n, group in enumerate(result.groups) for d in group}
    by_case: dict[str, set[int]] = {}
    for row in rows:
        by_case.setdefault(row["case"], set()).add(predicted_of[row["id"]])
    for case, parts in sorted(by_case.items()):
        if len(parts) > 1:
            pieces = [[d for d in result.groups[p] if truth[d] == case] for p in sorted(parts)]
            lines.append(f"  split {case}: " + " | ".join(", ".join(p) for p in pieces))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="list wrong joins and splits")
    parser.add_argument("--scale", type=int, default=0, metavar="K", help="time K copies")
    args = parser.parse_args(argv)
    splits = SPLITS if args.split == "all" else (args.split,)
    print("split  articles  cases  multi  precision  recall  (pairs found/predicted/true)")
    for split in splits:
        rows = load_split(split)
        result = measure(split, rows)
        print(
            f"{split:<6} {result.articles:>8} {result.cases:>6} {result.multi_article_cases:>6}"
            f" {result.precision:>10.3f} {result.recall:>7.3f}"
            f"  ({result.found}/{result.predicted}/{result.true_pairs})"
        )
        if args.errors and split == "tune":
            print("\n".join(_errors(result, rows)))
        elif args.errors:
            print("  (dev is held out: aggregate figures only)")
    if args.scale > 0:
        _time_scaled(args.scale)
    return 0


def _time_scaled(copies: int) -> None:
    features = features_of([row for split in SPLITS for row in load_split(split)])
    scaled = [
        replace(
            f,
            doc_id=f"{f.doc_id}#{k}",
            names=frozenset(f"{name} {k}" for name in f.names),
            keys=frozenset(f"{key} {k}" for key in f.keys),
            day=f.day + timedelta(days=200 * k) if f.day else None,
        )
        for k in range(copies)
        for f in features
    ]
    started = time.process_time()
    groups = group_articles(scaled)
    seconds = time.process_time() - started
    print(f"grouping {len(scaled)} reports into {len(groups)} cases: {seconds:.2f} s CPU")


if __name__ == "__main__":
    raise SystemExit(main())
