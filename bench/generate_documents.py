"""Realistic generated documents for benchmarks and load tests (deterministic for a seed).

Writes ``search.document.Document`` dicts shaped like analysed crawl output: Vietnamese seizure
and trial reports with site boilerplate, marketplace ads written without diacritics, English
wire stories and social posts; species, enforcement, places, prices and contacts consistent with
the text; dates spread over two years; a share of syndicated near-copies. Used by
bench/search_bench.py; other benchmarks may reuse ``generate`` (no index needed).

    python -m bench.generate_documents 1000 > docs.jsonl
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from search.document import Document

SPECIES = {
    "pangolin": ("tê tê", "vảy tê tê", "pangolin scales"),
    "rhino": ("sừng tê giác", "tê giác", "rhino horn"),
    "elephant": ("ngà voi", "voi", "ivory"),
    "tiger": ("hổ", "cao hổ", "tiger bone"),
    "turtle": ("rùa", "ba ba", "tortoise"),
    "bear": ("mật gấu", "gấu", "bear bile"),
    "primate": ("khỉ", "voọc", "macaque"),
    "bird": ("chim", "vẹt", "hornbill"),
    "rosewood": ("gỗ trắc", "gỗ sưa", "rosewood"),
    "snake": ("rắn hổ mang", "trăn", "python"),
}
PROVINCES = (
    "Hà Nội",
    "TP Hồ Chí Minh",
    "Đà Nẵng",
    "Quảng Ninh",
    "Nghệ An",
    "Hà Tĩnh",
    "Đắk Lắk",
    "Đắk Nông",
    "Lạng Sơn",
    "Lào Cai",
    "Quảng Trị",
    "Gia Lai",
    "Tây Ninh",
    "Hải Phòng",
    "Thanh Hóa",
    "Quảng Bình",
    "Kon Tum",
    "Bình Phước",
    "Cà Mau",
    "Kiên Giang",
)
ENFORCEMENT_VI = {
    "seizure": "thu giữ",
    "arrest": "bắt giữ",
    "prosecution": "khởi tố",
    "trial": "xét xử",
    "sentence": "tuyên phạt",
}
ENFORCEMENT_EN = {
    "seizure": "seized",
    "arrest": "arrested",
    "prosecution": "charged",
    "trial": "tried",
    "sentence": "sentenced",
}
NEWS_SOURCES = ("vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "nld", "baomoi")
BOILERPLATE = (
    "Theo dõi chúng tôi trên Facebook, Zalo và YouTube. Bản quyền thuộc về báo điện tử; "
    "không sao chép khi chưa được phép. Tin liên quan: Giá vàng hôm nay tăng mạnh; "
    "Dự báo thời tiết các tỉnh miền Bắc; Lịch cắt điện cuối tuần."
)
FILLER_VI = (
    "Lực lượng chức năng đang tiếp tục điều tra, mở rộng vụ án để xử lý theo quy định.",
    "Đây là loài động vật hoang dã nguy cấp, quý, hiếm được ưu tiên bảo vệ.",
    "Tại cơ quan điều tra, đối tượng khai nhận mua hàng từ nước ngoài để bán kiếm lời.",
    "Số tang vật đã được bàn giao cho cơ quan kiểm lâm để giám định.",
    "Người dân phát hiện dấu hiệu nghi vấn và báo cho đường dây nóng.",
    "Theo tổ chức bảo tồn, nạn buôn bán động vật hoang dã qua mạng xã hội ngày càng tinh vi.",
)
FILLER_EN = (
    "Authorities said the investigation was continuing and more arrests were possible.",
    "Conservation groups say Vietnam remains a major transit and destination country.",
    "The suspects face up to 15 years in prison under the amended Penal Code.",
    "Officials said the shipment was declared as agricultural products.",
)


def _simhash(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def _near_copy(simhash: str, rng: random.Random) -> str:
    value = int(simhash, 16)
    for _ in range(rng.randint(1, 5)):
        value ^= 1 << rng.randrange(64)
    return f"{value:016x}"


def _news_vi(rng: random.Random, species: list[str], actions: list[str], places: list[str]):
    name = rng.choice(SPECIES[species[0]][:2])
    verb = ENFORCEMENT_VI[actions[0]]
    amount = rng.choice((2, 5, 12, 36, 120, 450))
    unit = rng.choice(("kg", "cá thể", "tấn"))
    title = f"{verb.capitalize()} {amount} {unit} {name} tại {places[0]}"
    body = [
        f"Ngày {rng.randint(1, 28)}/{rng.randint(1, 12)}, Công an tỉnh {places[0]} phối hợp với "
        f"lực lượng kiểm lâm, hải quan {verb} {amount} {unit} {name} khi kiểm tra xe tải chở "
        f"hàng trên quốc lộ.",
        *rng.sample(FILLER_VI, 4),
        *rng.sample(FILLER_VI, 4),
    ]
    for action in actions[1:]:
        body.append(f"Các đối tượng đã bị {ENFORCEMENT_VI[action]} về hành vi buôn bán {name}.")
    body.append(BOILERPLATE)
    return title, " ".join(body), {"value": float(amount), "unit": "kg", "text": f"{amount} kg"}


def _news_en(rng: random.Random, species: list[str], actions: list[str], places: list[str]):
    name = SPECIES[species[0]][2]
    verb = ENFORCEMENT_EN[actions[0]]
    title = f"Vietnam: {rng.randint(2, 900)} kg of {name} {verb} in {places[0]}"
    body = [
        f"Customs officers in {places[0]} {verb} a shipment of {name} hidden among timber, "
        f"state media reported.",
        *rng.sample(FILLER_EN, 2),
    ]
    return title, " ".join(body), None


def _ad(rng: random.Random, species: list[str], places: list[str]):
    from pipelines.normalize import fold

    name = SPECIES[species[0]][rng.randint(0, 1)]
    price = rng.choice((350, 800, 1200, 3500, 15000))
    title = f"Bán {name} thật 100%, giá {price}k"
    text = (
        f"Cần bán {name} hàng rừng, cam kết thật. Giá {price}k/lạng, ship COD toàn quốc, "
        f"nhận hàng ở {places[0]}. Liên hệ 09{rng.randint(10_000_000, 99_999_999)} (Zalo)."
    )
    # Sellers often type without diacritics to slip past filters.
    if rng.random() < 0.5:
        title, text = fold(title), fold(text)
    return title, text, price


def generate(count: int, seed: int = 7, start: datetime | None = None) -> Iterator[Document]:
    """``count`` documents dated over the two years before ``start`` (default: now)."""
    rng = random.Random(seed)
    start = start or datetime.now(UTC)
    recent: list[tuple[str, str]] = []  # (id, simhash) of recent originals, for copies
    for number in range(count):
        roll = rng.random()
        species = rng.sample(list(SPECIES), rng.choice((1, 1, 1, 2)))
        actions = sorted(
            rng.sample(list(ENFORCEMENT_VI), rng.choice((1, 1, 2, 3))),
            key=list(ENFORCEMENT_VI).index,
        )
        places = rng.sample(PROVINCES, rng.choice((1, 1, 2)))
        published = start - timedelta(days=rng.random() * 730)
        doc: dict[str, Any] = {
            "country": "VN",
            "author": None,
            "seller": None,
            "prices": [],
            "quantities": [],
            "contacts": [],
            "tokens": "",
            "archive_sha256": None,
            "duplicate_of": None,
            "wildlife_trade": True,
            "relevance": round(rng.uniform(0.4, 1.0), 3),
        }
        if roll < 0.55:
            title, text, quantity = _news_vi(rng, species, actions, places)
            doc |= {"kind": "news", "lang": "vi", "source": rng.choice(NEWS_SOURCES)}
            doc["quantities"] = [quantity]
        elif roll < 0.70:
            title, text, _ = _news_en(rng, species, actions, places)
            doc |= {"kind": "news", "lang": "en", "source": "vnexpress-en"}
        elif roll < 0.90:
            title, text, price = _ad(rng, species, places)
            doc |= {"kind": "marketplace", "lang": "vi", "source": "chotot", "seller": "shop"}
            doc["prices"] = [
                {
                    "amount": price * 1000.0,
                    "currency": "VND",
                    "text": f"{price}k",
                    "vnd": price * 1000.0,
                }
            ]
            doc["contacts"] = [{"type": "zalo", "value": "+8490" + str(number).zfill(7)[-7:]}]
            actions = []
        else:
            title = "Chia sẻ: " + rng.choice(FILLER_VI)
            text = " ".join(rng.sample(FILLER_VI, 4))
            doc |= {"kind": "social", "lang": "vi", "source": "facebook", "country": None}
            doc |= {"wildlife_trade": rng.random() < 0.3, "relevance": 0.2}
            species, actions = [], []
        url = f"https://{doc['source']}.example.vn/{number}-{hashlib.md5(title.encode()).hexdigest()[:8]}"
        doc_id = hashlib.sha256(url.encode()).hexdigest()[:20]
        simhash = _simhash(rng)
        if recent and rng.random() < 0.08:
            original_id, original_hash = rng.choice(recent)
            simhash = _near_copy(original_hash, rng)
            doc["duplicate_of"] = original_id
        else:
            recent = [*recent[-200:], (doc_id, simhash)]
        fetched = published + timedelta(minutes=rng.randint(5, 600))
        doc |= {
            "id": doc_id,
            "url": url,
            "title": title,
            "text": text,
            "published_at": published.isoformat(timespec="seconds") if roll < 0.9 else None,
            "fetched_at": fetched.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "species": species,
            "enforcement": actions,
            "locations": places,
            "content_hash": hashlib.sha256((title + text).encode()).hexdigest(),
            "simhash": simhash,
        }
        yield cast(Document, doc)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    for doc in generate(count):
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
