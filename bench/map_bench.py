"""Response time of the map page over a large synthetic index:
``python -m bench.map_bench [--docs 100000]``.

Indexes ``--docs`` generated items (bench/generate_documents.py) into SQLite under a temporary
WILDWATCH_HOME, after giving a share of them the places that make a map: a border gate, port
or airport in 30% of the items, a district (of the gazetteer's 700) in 25%, one to three
foreign countries (the African, Gulf, regional
and Chinese ones of real trafficking routes) in 15%. Then prints the time of ``/map`` on the
whole index and on the default year, of ``/map`` per species (each a new filter, so no result
is cached yet), and of ``/trends`` and ``/coverage``, which now draw a small map too.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator

from bench.generate_documents import SPECIES, generate
from search.document import Document

POINTS: tuple[str, ...] = (
    *("Nội Bài", "Tân Sơn Nhất", "Cát Lái", "Đình Vũ", "Cầu Treo", "Nậm Cắn", "Lao Bảo"),
    *("Hữu Nghị", "Tân Thanh", "Mộc Bài", "Tịnh Biên", "Cái Mép", "Lạch Huyện"),
)
ABROAD: tuple[str, ...] = (
    *("Nigeria", "DR Congo", "Mozambique", "Angola", "Kenya", "South Africa", "Qatar"),
    *("United Arab Emirates", "Malaysia", "Singapore", "Laos", "Cambodia", "China"),
    *("Thailand", "India"),
)
BATCH = 1000


def with_places(docs: Iterator[Document], seed: int = 11) -> Iterator[Document]:
    from pipelines.places import all_places

    # Real reports name districts too: hundreds of distinct place names, as in a live index.
    districts = sorted(p.name for p in all_places() if p.kind == "district" and p.province)
    rng = random.Random(seed)
    for doc in docs:
        places = list(doc.get("locations") or [])
        if rng.random() < 0.25:
            places.append(rng.choice(districts))
        if rng.random() < 0.30:
            places.append(rng.choice(POINTS))
        if rng.random() < 0.15:
            places[:0] = rng.sample(ABROAD, rng.choice((1, 1, 2, 3)))
        doc["locations"] = places
        yield doc


def _time(client: object, path: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return samples


def _line(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"  {name:44s} median {statistics.median(ordered):7.0f} ms   max {p95:7.0f} ms"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["WILDWATCH_HOME"] = tempfile.mkdtemp(prefix="wildwatch-map-bench-")
    from fastapi.testclient import TestClient

    from search.sqlite_backend import SqliteBackend
    from web.app import create_app

    backend = SqliteBackend.from_settings()
    started = time.perf_counter()
    batch: list[Document] = []
    for doc in with_places(generate(args.docs)):
        batch.append(doc)
        if len(batch) == BATCH:
            backend.upsert(batch)
            batch = []
    backend.upsert(batch)
    backend.close()
    print(
        f"wildwatch map bench: {args.docs:,} items indexed in {time.perf_counter() - started:.0f} s"
    )
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} (2 cores, shared)")
    with TestClient(create_app(login_required=False)) as client:
        client.get("/map?range=7d")  # loads the gazetteer and the templates once
        first = _time(client, "/map?range=all", 1)
        print(_line("/map, whole index, first request", first))
        print(_line("/map, whole index, again", _time(client, "/map?range=all", args.runs)))
        print(_line("/map, default (last year), first request", _time(client, "/map", 1)))
        per_species = [_time(client, f"/map?range=all&species={s}", 1)[0] for s in SPECIES]
        print(_line(f"/map, one species each ({len(SPECIES)}, uncached)", per_species))
        print(_line("/trends (with its small map)", _time(client, "/trends", args.runs)))
        print(_line("/coverage (with its small map)", _time(client, "/coverage", args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
