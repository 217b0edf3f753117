"""A realistic half-year of items ending today, for the trends page and screenshots: seven
species of uneven volume, weekly enforcement news, and marketplace ads quoting pangolin-scale
prices per kg (a handful of outliers, and a month with no ads at all)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from search.document import Document
from tests.web.seed import _doc

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# items per week, roughly: the common species dominate as they do in the real feeds
WEIGHTS = {
    "pangolin": 9,
    "elephant": 6,
    "rhino": 4,
    "turtle": 4,
    "bird": 3,
    "tiger": 2,
    "bear": 1,
    "primate": 1,
    "seahorse": 1,
}
PLACES = ["Quảng Ninh", "Móng Cái", "Hà Nội", "Nghệ An", "Lạng Sơn", "TP Hồ Chí Minh"]
NO_ADS = range(100, 130)  # days ago without any price: the price line must break there


def recent_documents(today: date, days: int = 180, seed: int = 13) -> list[Document]:
    rng = random.Random(seed)
    # Nothing published in the future: today's items are spread over the hours already past.
    latest = datetime.now(TZ) - timedelta(minutes=5)
    docs: list[Document] = []
    species = list(WEIGHTS)
    weights = [WEIGHTS[s] for s in species]
    for ago in range(days):
        day = today - timedelta(days=ago)
        for n in range(rng.randint(1, 5)):
            moment = min(latest, datetime.combine(day, time(rng.randint(6, 21), 0), tzinfo=TZ))
            kind = rng.choice(["news", "news", "marketplace", "social"])
            chosen = rng.choices(species, weights)[0]
            fields: dict[str, Any] = {
                "title": f"Tin {chosen} ngày {day:%d/%m} số {n}",
                "text": f"Nội dung về {chosen}",
                "kind": kind,
                "source": {"news": "vnexpress", "marketplace": "chotot", "social": "facebook"}[
                    kind
                ],
                "species": [chosen],
                "published_at": moment.isoformat(),
                "fetched_at": moment.isoformat(),
                "locations": [rng.choice(PLACES)],
                "country": "VN" if rng.random() < 0.85 else "LA",
                "relevance": round(rng.uniform(0.5, 1.0), 2),
            }
            if kind == "news" and rng.random() < 0.5:
                fields["enforcement"] = rng.sample(["seizure", "arrest", "prosecution"], 1)
            docs.append(_doc(f"https://example.vn/{day.isoformat()}/{n}", **fields))
        if ago not in NO_ADS:
            # pangolin-scale ads: about 3 million đồng per kg, now and then a wild claim
            for n in range(rng.randint(1, 4)):
                per_kg = rng.gauss(3_000_000, 400_000)
                if rng.random() < 0.05:
                    per_kg *= 40  # an outlier: the median must not swing with it
                moment = min(latest, datetime.combine(day, time(12, n), tzinfo=TZ))
                price = round(per_kg, -3)
                docs.append(
                    _doc(
                        f"https://chotot.example/vay-{day.isoformat()}-{n}",
                        title=f"Vảy tê tê rừng {price / 1e6:.1f} triệu/kg",
                        kind="marketplace",
                        source="chotot",
                        species=["pangolin"],
                        published_at=moment.isoformat(),
                        fetched_at=moment.isoformat(),
                        prices=[
                            {
                                "amount": price,
                                "currency": "VND",
                                "text": f"{price / 1e6:.1f} triệu/kg",
                                "vnd": price,
                                "per": "kg",
                            }
                        ],
                    )
                )
    return docs


def seed_recent(home: Path, today: date) -> int:
    from search.sqlite_backend import SqliteBackend

    backend = SqliteBackend(home / "index.sqlite")
    try:
        docs = recent_documents(today)
        backend.upsert(docs)
    finally:
        backend.close()
    return len(docs)
