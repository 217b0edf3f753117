"""Benchmark of the SQLite index: indexing speed, file size and search latency.

Reads nothing; writes a fresh index in a temporary directory (or --home) filled with
bench/generate_documents.py documents, then prints figures:

    .venv/bin/python -m bench.search_bench            # 100,000 documents
    .venv/bin/python -m bench.search_bench --docs 20000 --runs 20

Latencies are for ``SqliteBackend.search`` as the web UI and the CLI call it (20 hits with
snippets, facets over the whole result set). "first" is a search the index has not answered
since it last changed (its cached counts and scored matches dropped before each run); "again"
repeats it, as staff paging, refreshing or sharing a saved search do between two crawl
batches. Both after a warm-up run, so the file is in the page cache.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.generate_documents import generate
from search.backend import SearchRequest
from search.sqlite_backend import SqliteBackend

BATCH = 500  # documents per upsert: what the crawl pipeline flushes at a time


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _timings(
    backend: SqliteBackend, run: Callable[[SqliteBackend], Any], runs: int, *, cached: bool
) -> list[float]:
    """Milliseconds per run; without ``cached``, each run starts with no cached results."""
    run(backend)
    run(backend)  # a relevance search scores its matches into the cache when asked again
    samples = []
    for _ in range(runs):
        if not cached:
            backend.forget_cached_results()
        started = time.perf_counter()
        run(backend)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def index_documents(backend: SqliteBackend, count: int, start: datetime) -> tuple[float, float]:
    """Seconds to index ``count`` documents dated over the two years before ``start``, and the
    mean text length."""
    docs = generate(count, start=start)
    characters = 0
    started = time.perf_counter()
    while batch := list(itertools.islice(docs, BATCH)):
        characters += sum(len(doc["text"]) + len(doc["title"]) for doc in batch)
        backend.upsert(batch)
    return time.perf_counter() - started, characters / max(1, count)


def queries(today: date) -> list[tuple[str, Callable[[SqliteBackend], Any]]]:
    def search(**fields: Any) -> Callable[[SqliteBackend], Any]:
        return lambda backend: backend.search(SearchRequest(**fields))

    last_quarter = today - timedelta(days=90)
    return [
        ("sung te giac + species=rhino", search(query="sung te giac", species=("rhino",))),
        ('"tê tê" with facets', search(query='"tê tê"')),
        (
            "ivory AND (seized OR confiscated), 1 year",
            search(query="ivory AND (seized OR confiscated)", since=today - timedelta(days=365)),
        ),
        (
            "empty query, kind=news species=pangolin 90 days",
            search(kind=("news",), species=("pangolin",), since=last_quarter),
        ),
        ("empty query, no filter (all facets)", search()),
        ("thu giu (very common) + facets", search(query="thu giu")),
        ("-hổ dak lak, sorted newest", search(query="-hổ dak lak", sort="newest")),
        ("location=Quảng Ninh, no facets", search(location=("quang ninh",), facets=False)),
        (
            "histogram 90 days by species, week",
            lambda backend: backend.histogram(
                SearchRequest(since=last_quarter), interval="week", by=("species",)
            ),
        ),
        ("near_duplicates(max_distance=6)", lambda b: b.near_duplicates("0123456789abcdef", 6)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--home", type=Path, help="keep the index here instead of a temp dir")
    parser.add_argument(
        "--reuse", action="store_true", help="time the queries on the index already in --home"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = args.home or Path(scratch)
        home.mkdir(parents=True, exist_ok=True)
        path = home / "index.sqlite"
        if not (args.reuse and path.exists()):
            path.unlink(missing_ok=True)
            backend = SqliteBackend(path)
            # The newest items are from today, as in a live index: the recency boost then
            # spans its whole range (2x for today, barely 1x at two years), which is what the
            # ranking has to cope with.
            today_midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            seconds, mean_chars = index_documents(backend, args.docs, today_midnight)
            backend.close()  # runs PRAGMA optimize, as a long-running service would
            print(f"documents           {args.docs:,} (mean title+text {mean_chars:,.0f} chars)")
            print(
                f"indexing            {args.docs / seconds:,.0f} docs/s ({seconds:.1f} s, "
                f"batches of {BATCH})"
            )
        backend = SqliteBackend(path)
        backend._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = _file_size(path) / 2**20
        print(f"database size       {size:,.1f} MiB ({backend.count():,} documents)")
        # Date filters count back from the newest item, so --reuse on a later day times the
        # same queries over the same items.
        newest = backend._connection().execute("SELECT max(item_ts) FROM items").fetchone()[0]
        today = datetime.fromtimestamp(newest or 0, UTC).date()
        print(f"newest item         {today.isoformat()} (ranking uses the real current time)")
        print(f"\nload average        {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(
            f"\n{'query':50} {'matches':>8} {'first p50':>10} {'first p95':>10} "
            f"{'again p50':>10} {'again p95':>10}"
        )
        for name, run in queries(today):
            result = run(backend)
            matches = result["total"] if isinstance(result, dict) else len(result)
            first = _timings(backend, run, args.runs, cached=False)
            again = _timings(backend, run, args.runs, cached=True)
            print(
                f"{name:50} {matches:>8,} {statistics.median(first):>10.1f} "
                f"{_percentile(first, 0.95):>10.1f} {statistics.median(again):>10.1f} "
                f"{_percentile(again, 0.95):>10.1f}"
            )
        print(f"load average        {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        backend.close()


if __name__ == "__main__":
    main()
