"""Page and API response times over a synthetic index: ``python -m bench.web_bench [N]``.

Reads nothing outside a temporary WILDWATCH_HOME, where it indexes N (default 5000)
Vietnamese items shaped like crawled news and ads; prints the median and 95th percentile
time of the search page, /api/search, the item page, trends, coverage and a CSV export.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable


def _documents(count: int) -> list[dict[str, object]]:
    from pipelines.urls import document_id

    rng = random.Random(7)
    species = ["pangolin", "rhino", "elephant", "turtle", "bird", "tiger", "rosewood", "bear"]
    words = {
        "pangolin": "vảy tê tê",
        "rhino": "sừng tê giác",
        "elephant": "ngà voi",
        "turtle": "rùa núi vàng",
        "bird": "chim yến",
        "tiger": "cao hổ",
        "rosewood": "gỗ trắc",
        "bear": "mật gấu",
    }
    places = ["Quảng Ninh", "Hà Nội", "Nghệ An", "TP Hồ Chí Minh", "Lạng Sơn", "Hải Phòng"]
    sources = ["vnexpress", "tuoitre", "thanhnien", "dantri", "chotot", "mongabay"]
    actions = ["seizure", "arrest", "prosecution", "trial", "sentence"]
    docs = []
    for number in range(count):
        kind = rng.choice(species)
        place = rng.choice(places)
        url = f"https://example.vn/tin/{number}.html"
        day = 1 + number % 28
        month = 1 + (number // 28) % 12
        text = (
            f"Ngày {day}/{month}, lực lượng chức năng tỉnh {place} phát hiện {words[kind]} "
            f"được vận chuyển trái phép. Giá rao bán khoảng {rng.randint(1, 90)} triệu/kg. "
            + "Vụ việc đang được điều tra làm rõ. "
            * 6
        )
        docs.append(
            {
                "id": document_id(url),
                "url": url,
                "source": rng.choice(sources),
                "kind": "news",
                "country": "VN",
                "title": f"{place}: phát hiện {words[kind]} (tin {number})",
                "text": text,
                "published_at": f"2024-{month:02d}-{day:02d}T08:00:00+07:00",
                "fetched_at": f"2024-{month:02d}-{day:02d}T02:00:00+00:00",
                "lang": "vi",
                "wildlife_trade": True,
                "relevance": rng.random(),
                "species": [kind],
                "enforcement": rng.sample(actions, rng.randint(0, 2)),
                "prices": [{"amount": 3e6, "currency": "VND", "text": "3 triệu/kg", "vnd": 3e6}],
                "quantities": [],
                "locations": [place],
                "contacts": [],
            }
        )
    return docs


def _time(call: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 5000
    os.environ["WILDWATCH_HOME"] = tempfile.mkdtemp(prefix="wildwatch-bench-")
    from fastapi.testclient import TestClient

    from search.factory import open_backend
    from web.app import create_app

    backend = open_backend()
    docs = _documents(count)
    backend.upsert(docs)  # type: ignore[arg-type]
    backend.close()
    client = TestClient(create_app(login_required=False))
    item = str(docs[0]["id"])
    cases = {
        "search page (q=te te, facets)": "/?q=te+te",
        "search page, 2 filters": "/?q=tê+tê&species=pangolin&enforcement=seizure",
        "/api/search (q=ngà voi)": "/api/search?q=nga+voi",
        "item page": f"/items/{item}",
        # the synthetic items are dated 2024: the whole index, not the default 90 days
        "trends page (all)": "/trends?range=all",
        "coverage page": "/coverage",
        "CSV export (q=te giac)": "/export.csv?q=te+giac",
    }
    print(f"wildwatch web bench: {count} items, SQLite backend, TestClient (no network)")
    for name, path in cases.items():
        assert client.get(path).status_code == 200, path

        def fetch(path: str = path) -> object:
            return client.get(path)

        median, p95 = _time(fetch, 15)
        print(f"  {name:34s} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
