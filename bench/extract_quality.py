"""Quality and speed of article extraction: wildwatch beside trafilatura alone.

Reads the stored pages (``tests/crawlers/extract/pages/*.html`` whose golden file has kind
``article`` or ``listing``) and, with ``--benchmark PATH``, a local checkout of the public
article-extraction benchmark (``html/<key>.html.gz`` + ``ground-truth.json``; third-party data,
read where it lies). Prints, per extractor: F1 ± bootstrap std, precision, recall, pages
rejected (nothing extracted where the truth has a body), pages wrongly accepted (listings) and
ms/page (CPU time of this process: on a shared machine wall time measures the neighbours).

The score is the benchmark's own definition, written anew here: texts become ``\\w+`` tokens,
tokens become overlapping 4-token shingles, and a page's TP/FP/FN are the shingle-count overlaps
normalised to sum 1 (long pages weigh no more than short ones). Precision is the mean over
pages that predicted something, recall the mean over pages whose truth has text, F1 the
harmonic mean of those two means. The std comes from resampling the pages with replacement.

Run: ``.venv/bin/python -m bench.extract_quality [--benchmark ../aeb] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from crawlers.extract import decode_body, extract_article

PAGES = Path(__file__).resolve().parent.parent / "tests" / "crawlers" / "extract" / "pages"
SHINGLE_TOKENS = 4
_WORD = re.compile(r"\w+")

Extractor = Callable[[str, str], str]


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    html: str
    truth: str  # "" for a listing page: nothing should be extracted


@dataclass(frozen=True)
class Counts:
    """A page's shingle overlap, normalised so tp + fp + fn == 1 (or all zero)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Summary:
    f1: float
    f1_std: float
    precision: float
    recall: float
    rejected: int  # pages with a true body where nothing came out
    accepted_listings: int  # pages without a body where text came out
    ms_per_page: float


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text or "")
    count = max(1, len(tokens) - SHINGLE_TOKENS + 1)
    return Counter(tuple(tokens[i : i + SHINGLE_TOKENS]) for i in range(count) if tokens[i : i + 1])


def page_counts(predicted: str, truth: str) -> Counts:
    got, want = shingles(predicted), shingles(truth)
    tp = float(sum((got & want).values()))
    fp = float(sum((got - want).values()))
    fn = float(sum((want - got).values()))
    total = tp + fp + fn
    if total:
        return Counts(tp / total, fp / total, fn / total)
    return Counts(0.0, 0.0, 0.0)


def corpus_scores(counts: Sequence[Counts]) -> tuple[float, float, float]:
    """(F1, precision, recall) of a set of pages, as the benchmark computes them."""
    precisions = [c.precision for c in counts if c.tp + c.fp > 0]
    recalls = [c.recall for c in counts if c.tp + c.fn > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def bootstrap_f1_std(counts: Sequence[Counts], rounds: int, seed: int = 15) -> float:
    rng = random.Random(seed)
    values = []
    for _ in range(rounds):
        sample = [counts[rng.randrange(len(counts))] for _ in counts]
        values.append(corpus_scores(sample)[0])
    return statistics.stdev(values) if len(values) > 1 else 0.0


def wildwatch_text(html: str, url: str) -> str:
    article = extract_article(html, url)
    return article.text if article else ""


def trafilatura_text(html: str, url: str) -> str:
    """trafilatura alone, as the issue measured it: comments off, tables on."""
    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True) or ""


EXTRACTORS: dict[str, Extractor] = {
    "trafilatura": trafilatura_text,
    "wildwatch": wildwatch_text,
}


def run(
    pages: Sequence[Page], extractors: dict[str, Extractor], repeat: int, rounds: int
) -> tuple[dict[str, Summary], dict[str, list[str]]]:
    """Every extractor on every page; passes alternate between extractors so a busy machine
    slows all of them alike. Returns the summaries and each extractor's texts."""
    texts: dict[str, list[str]] = {name: [] for name in extractors}
    seconds = dict.fromkeys(extractors, 0.0)
    for extract in extractors.values():  # warm-up: imports, caches, vocabularies
        extract(pages[0].html, pages[0].url)
    for round_index in range(repeat):
        for page in pages:
            for name, extract in extractors.items():
                began = time.process_time()
                text = extract(page.html, page.url)
                seconds[name] += time.process_time() - began
                if round_index == 0:
                    texts[name].append(text)
    summaries = {}
    for name in extractors:
        counts = [page_counts(t, p.truth) for t, p in zip(texts[name], pages, strict=True)]
        f1, precision, recall = corpus_scores(counts)
        summaries[name] = Summary(
            f1=f1,
            f1_std=bootstrap_f1_std(counts, rounds),
            precision=precision,
            recall=recall,
            rejected=sum(1 for t, p in zip(texts[name], pages, strict=True) if p.truth and not t),
            accepted_listings=sum(
                1 for t, p in zip(texts[name], pages, strict=True) if not p.truth and t
            ),
            ms_per_page=seconds[name] * 1000 / (repeat * len(pages)),
        )
    return summaries, texts


def stored_pages() -> list[Page]:
    pages = []
    for golden_file in sorted(PAGES.glob("*.toml")):
        golden = tomllib.loads(golden_file.read_text(encoding="utf-8"))
        if golden["kind"] not in ("article", "listing"):
            continue
        body = golden_file.with_suffix(".html").read_bytes()
        html = decode_body(body, golden.get("content_type"))
        truth = golden.get("text", "").strip() if golden["kind"] == "article" else ""
        pages.append(Page(golden_file.stem, golden["url"], html, truth))
    return pages


def benchmark_pages(checkout: Path) -> list[Page]:
    """The benchmark's pages with their ground truth; a missing file is named."""
    truth_file = checkout / "ground-truth.json"
    if not truth_file.is_file():
        raise SystemExit(f"{truth_file}: not found (is --benchmark the benchmark checkout?)")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages = []
    for key, entry in sorted(truth.items()):
        page_file = checkout / "html" / f"{key}.html.gz"
        if not page_file.is_file():
            raise SystemExit(f"{page_file}: listed in ground-truth.json but missing")
        html = decode_body(gzip.decompress(page_file.read_bytes()), None)
        pages.append(Page(key, entry.get("url") or "", html, entry.get("articleBody") or ""))
    return pages


def print_table(title: str, pages: Sequence[Page], summaries: dict[str, Summary]) -> None:
    with_body = sum(1 for page in pages if page.truth)
    print(f"\n{title}: {len(pages)} pages ({with_body} with a body)")
    print(
        f"{'extractor':<12} {'F1':>15} {'precision':>9} {'recall':>7} "
        f"{'rejected':>8} {'listings kept':>13} {'ms/page':>8}"
    )
    for name, s in summaries.items():
        print(
            f"{name:<12} {s.f1:>7.3f} ± {s.f1_std:.3f} {s.precision:>9.3f} {s.recall:>7.3f} "
            f"{s.rejected:>8} {s.accepted_listings:>13} {s.ms_per_page:>8.1f}"
        )
    base, ours = summaries.get("trafilatura"), summaries.get("wildwatch")
    if base and ours:
        print(f"time ratio wildwatch / trafilatura: {ours.ms_per_page / base.ms_per_page:.2f}")


def print_differences(pages: Sequence[Page], texts: dict[str, list[str]], limit: int) -> None:
    """The pages where the two extractors differ most, for finding error classes."""
    rows = []
    for index, page in enumerate(pages):
        ours = page_counts(texts["wildwatch"][index], page.truth).f1
        base = page_counts(texts["trafilatura"][index], page.truth).f1
        rows.append((ours - base, page.name, ours, base))
    rows.sort()
    better = sum(1 for row in rows if row[0] > 0.005)
    worse = sum(1 for row in rows if row[0] < -0.005)
    print(f"wildwatch better on {better} pages, worse on {worse}")
    for diff, name, ours, base in rows[:limit]:
        print(f"  {name[:40]:<40} wildwatch {ours:.3f} trafilatura {base:.3f} ({diff:+.3f})")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmark", type=Path, help="checkout of the public benchmark")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the pages")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap rounds")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages")
    args = parser.parse_args(argv)
    suites = [("stored pages", stored_pages())]
    if args.benchmark:
        suites.insert(0, (f"benchmark {args.benchmark}", benchmark_pages(args.benchmark)))
    for title, pages in suites:
        summaries, texts = run(pages, EXTRACTORS, args.repeat, args.bootstrap)
        print_table(title, pages, summaries)
        if args.worst:
            print_differences(pages, texts, args.worst)


if __name__ == "__main__":
    main()
