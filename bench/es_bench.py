"""Benchmark of the Elasticsearch backend beside SQLite: bulk indexing speed and search latency.

Reads nothing; fills a fresh SQLite index (temporary directory) and a fresh Elasticsearch
index (alias ``wildwatch-bench-<random>``, deleted afterwards by its exact names) with the same
bench/generate_documents.py documents, then times the queries of bench/search_bench.py on
both and prints p50/p95 per query:

    make elasticsearch
    .venv/bin/python -m bench.es_bench --url http://127.0.0.1:9200            # 100,000 docs
    .venv/bin/python -m bench.es_bench --url http://127.0.0.1:9200 --docs 20000 --runs 10

SQLite figures are for a search the index has not answered since it last changed (its cached
results dropped before each run), Elasticsearch figures for the same request as sent each
time (its own caches left as they are); both after two warm-up runs. Indexing includes
everything the backend does per batch of 500: analysis-free preparation, the SQLite terms
(search/index_tokens.py) and, for Elasticsearch, the mget of stored versions and the bulk
request.
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.generate_documents import generate
from bench.search_bench import BATCH, queries
from search.backend import SearchBackend
from search.sqlite_backend import SqliteBackend


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def index(backend: SearchBackend, count: int, start: datetime) -> float:
    """Seconds to upsert ``count`` generated documents in batches of ``BATCH``."""
    docs = generate(count, start=start)
    started = time.perf_counter()
    while batch := list(itertools.islice(docs, BATCH)):
        backend.upsert(batch)
    return time.perf_counter() - started


def timings(backend: SearchBackend, run: Callable[[Any], Any], runs: int) -> list[float]:
    run(backend)
    run(backend)
    samples = []
    for _ in range(runs):
        if isinstance(backend, SqliteBackend):
            backend.forget_cached_results()
        started = time.perf_counter()
        run(backend)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:9200", help="Elasticsearch URL")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from elasticsearch import Elasticsearch

    from search.elasticsearch_backend import ElasticsearchBackend
    from search.es_versions import indexes_behind

    alias = f"wildwatch-bench-{uuid.uuid4().hex[:8]}"
    client = Elasticsearch(args.url, request_timeout=120)
    elastic = ElasticsearchBackend(client, alias=alias)
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with tempfile.TemporaryDirectory() as scratch:
        sqlite = SqliteBackend(Path(scratch) / "index.sqlite")
        try:
            print(f"documents           {args.docs:,}, batches of {BATCH}")
            for name, backend in (("sqlite", sqlite), ("elasticsearch", elastic)):
                seconds = index(backend, args.docs, start)
                print(f"indexing {name:<14} {args.docs / seconds:,.0f} docs/s ({seconds:.1f} s)")
            elastic.refresh_index()
            client.indices.forcemerge(index=alias, max_num_segments=1)
            elastic.refresh_index()
            print(f"load average        {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
            print(f"\n{'query':<50} {'SQLite p50/p95 ms':>18} {'ES p50/p95 ms':>16}")
            for title, run in queries(start.date()):
                cells = []
                for backend in (sqlite, elastic):
                    samples = timings(backend, run, args.runs)
                    p50, p95 = _percentile(samples, 0.5), _percentile(samples, 0.95)
                    cells.append(f"{p50:,.1f} / {p95:,.1f}")
                print(f"{title:<50} {cells[0]:>18} {cells[1]:>16}", flush=True)
        finally:
            sqlite.close()
            for name in indexes_behind(client, alias):
                client.indices.delete(index=name)
            elastic.close()


if __name__ == "__main__":
    main()
