"""Benchmark of the SQLite index: indexing speed, file size and search latency.

Reads nothing; writes a fresh index in a temporary directory (or --home) filled with
bench/generate_documents.py documents, then prints figures:

    .venv/bin/python -m bench.search_bench            # 100,000 documents
    .venv/bin/python -m bench.search_bench --docs 20000 --runs 20

Latencies are for ``SqliteBackend.search`` as the web UI and the CLI call it (20 hits with
snippets, facets over the whole result set), measured after a warm-up run of each query.
"""

from __future__ import annotations

import argparse
import itertools
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


def index_documents(backend: SqliteBackend, count: int) -> tuple[float, float]:
    """Seconds to index ``count`` documents and the mean text length."""
    docs = generate(count, start=datetime(2026, 1, 1, tzinfo=UTC))
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
            seconds, mean_chars = index_documents(backend, args.docs)
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
        today = date(2026, 1, 1)
        print(f"\n{'query':50} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for name, run in queries(today):
            result = run(backend)
            matches = result["total"] if isinstance(result, dict) else len(result)
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                run(backend)
                samples.append((time.perf_counter() - started) * 1000)
            print(
                f"{name:50} {matches:>8,} {statistics.median(samples):>8.1f} "
                f"{_percentile(samples, 0.95):>8.1f}"
            )
        backend.close()


if __name__ == "__main__":
    main()
