"""Realistic indexed items for the web tests: Vietnamese and English news, marketplace ads,
a near-duplicate, an archived page and one item full of script-injection attempts."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.urls import document_id
from search.document import Document

PANGOLIN_URL = "https://vnexpress.net/bat-giu-120-kg-vay-te-te-tai-quang-ninh-4721001.html"
COPY_URL = "https://tuoitre.vn/quang-ninh-bat-xe-cho-120kg-vay-te-te-20240305.htm"
RHINO_AD_URL = "https://www.chotot.com/mua-ban-do-co/sung-te-giac-nguyen-chat-112233.htm"
IVORY_URL = "https://thanhnien.vn/xet-xu-vu-buon-ban-ngà-voi-tai-ha-noi-185240320.htm"
ENGLISH_URL = "https://news.mongabay.com/2024/03/vietnam-seizes-pangolin-scales-hai-phong/"
SCALES_AD_URL = "https://www.chotot.com/vay-te-te-rung-3-trieu-kg-445566.htm"
TURTLE_URL = "https://www.facebook.com/groups/camcay/posts/778899"
HOSTILE_URL = "https://evil.example/attack?x=1"

ARCHIVED_HTML = (
    '<!doctype html><html><head><meta charset="windows-1258"><title>Tê tê</title>'
    "<script>alert('from archive')</script></head><body><h1>Bắt giữ 120 kg vảy tê tê</h1>"
    "<p>Lực lượng chức năng Quảng Ninh thu giữ 120 kg vảy tê tê.</p>"
    '<img src="x" onerror="alert(9)"></body></html>'
)

HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert(2)> Bán tê tê'


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Encode as legacy Vietnamese pages do: base letters precomposed (ê, ơ, ư, ă, đ), tones
    as combining marks — Python's codec does not split the tones off by itself."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        marks = unicodedata.normalize("NFD", char)
        tone = "".join(m for m in marks if m in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in _TONE_MARKS))
        out += (base + tone).encode("cp1258")
    return bytes(out)


def _doc(id_url: str, **fields: Any) -> Document:
    url = id_url
    base: dict[str, Any] = {
        "id": document_id(id_url),
        "url": url,
        "source": "vnexpress",
        "kind": "news",
        "country": "VN",
        "title": "",
        "text": "",
        "author": None,
        "seller": None,
        "published_at": None,
        "fetched_at": "2024-03-20T02:00:00+00:00",
        "lang": "vi",
        "wildlife_trade": True,
        "relevance": 0.8,
        "species": [],
        "enforcement": [],
        "prices": [],
        "quantities": [],
        "locations": [],
        "contacts": [],
        "tokens": "",
        "content_hash": hashlib.sha256(url.encode()).hexdigest(),
        "simhash": None,
        "duplicate_of": None,
        "archive_sha256": None,
    }
    base.update(fields)
    return base  # type: ignore[return-value]


def documents(archive_sha256: str | None = None) -> list[Document]:
    pangolin_id = document_id(PANGOLIN_URL)
    return [
        _doc(
            PANGOLIN_URL,
            title="Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh",
            text=(
                "Ngày 4/3, Công an tỉnh Quảng Ninh bắt giữ xe tải chở 120 kg vảy tê tê "
                "không có giấy tờ hợp pháp tại cửa khẩu Móng Cái.\n\n"
                "Tài xế khai nhận số vảy tê tê được thu gom từ nhiều tỉnh phía Nam, "
                "định đưa qua biên giới. Vụ việc đang được điều tra."
            ),
            published_at="2024-03-04T09:15:00+07:00",
            species=["pangolin"],
            enforcement=["seizure", "arrest"],
            quantities=[{"value": 120.0, "unit": "kg", "text": "120 kg"}],
            locations=["Quảng Ninh", "Móng Cái"],
            relevance=0.95,
            simhash="a5a5a5a5a5a5a5a5",
            archive_sha256=archive_sha256,
        ),
        _doc(
            COPY_URL,
            source="tuoitre",
            title="Quảng Ninh: bắt xe chở 120kg vảy tê tê",
            text=(
                "Công an tỉnh Quảng Ninh bắt giữ xe tải chở 120 kg vảy tê tê không có giấy "
                "tờ hợp pháp tại cửa khẩu Móng Cái."
            ),
            published_at="2024-03-05T07:00:00+07:00",
            species=["pangolin"],
            enforcement=["seizure"],
            locations=["Quảng Ninh"],
            relevance=0.9,
            simhash="a5a5a5a5a5a5a5a4",
            duplicate_of=pangolin_id,
        ),
        _doc(
            RHINO_AD_URL,
            source="chotot",
            kind="marketplace",
            title="Bán sừng tê giác nguyên chất, bao test",
            text=(
                "Cần bán sừng tê giác châu Phi nguyên chất, giá 2,5 triệu/lạng. "
                "Liên hệ Zalo 0912 345 678, giao hàng toàn quốc."
            ),
            seller="Anh Tuấn",
            published_at="2024-03-06T20:00:00+07:00",
            species=["rhino"],
            prices=[
                {"amount": 2500000.0, "currency": "VND", "text": "2,5 triệu/lạng", "vnd": 2500000.0}
            ],
            contacts=[{"type": "zalo", "value": "+84912345678"}],
            locations=["Hà Nội"],
            relevance=0.85,
        ),
        _doc(
            IVORY_URL,
            source="thanhnien",
            title="Xét xử vụ buôn bán 2 tấn ngà voi, tuyên án 12 năm tù",
            text=(
                "TAND TP Hà Nội mở phiên xét xử bị cáo buôn bán trái phép 2 tấn ngà voi "
                "nhập lậu từ châu Phi. Tòa tuyên phạt bị cáo 12 năm tù."
            ),
            published_at="2024-03-20T10:00:00+07:00",
            species=["elephant"],
            enforcement=["trial", "sentence"],
            quantities=[{"value": 2.0, "unit": "t", "text": "2 tấn"}],
            locations=["Hà Nội"],
        ),
        _doc(
            ENGLISH_URL,
            source="mongabay",
            lang="en",
            title="Vietnam seizes 7 tonnes of pangolin scales in Hai Phong port",
            text=(
                "Customs officers in Hai Phong seized seven tonnes of pangolin scales hidden "
                "in a container declared as cashew nuts, the largest haul this year."
            ),
            published_at="2024-03-12T04:00:00+00:00",
            species=["pangolin"],
            enforcement=["seizure"],
            quantities=[{"value": 7.0, "unit": "t", "text": "seven tonnes"}],
            locations=["Hải Phòng"],
        ),
        _doc(
            SCALES_AD_URL,
            source="chotot",
            kind="marketplace",
            title="Vảy tê tê rừng loại 1",
            text="Vảy tê tê rừng hàng chuẩn, giá 3 triệu/kg, ship COD. Gọi 0987 654 321.",
            published_at="2024-03-13T21:00:00+07:00",
            species=["pangolin"],
            prices=[
                {"amount": 3000000.0, "currency": "VND", "text": "3 triệu/kg", "vnd": 3000000.0}
            ],
            contacts=[{"type": "phone", "value": "+84987654321"}],
            relevance=0.8,
        ),
        _doc(
            TURTLE_URL,
            source="facebook_camcay",
            kind="social",
            title="Rùa núi vàng cần ra đi",
            text="Rùa núi vàng 2 con, mỗi con 1,2 kg, để lại 800k/con cho anh em chơi cảnh.",
            published_at="2024-03-14T12:00:00+07:00",
            species=["turtle"],
            prices=[{"amount": 800000.0, "currency": "VND", "text": "800k/con", "vnd": 800000.0}],
            relevance=0.7,
        ),
        _doc(
            HOSTILE_URL,
            url="javascript:alert('url')",
            source="evil-site",
            kind="marketplace",
            title=HOSTILE_TITLE,
            text=(
                "Bán tê tê giá rẻ </textarea><script>alert('text')</script> "
                '<svg onload=alert("svg")><a href="javascript:alert(1)">click</a>'
            ),
            author='"><script>alert("author")</script>',
            seller="<img src=x onerror=alert('seller')>",
            published_at="2024-03-15T12:00:00+07:00",
            species=["pangolin"],
            prices=[
                {
                    "amount": 1.0,
                    "currency": "VND",
                    "text": "<img src=x onerror=alert('price')>",
                    "vnd": 1.0,
                }
            ],
            locations=["<b onmouseover=alert('place')>Hà Nội</b>"],
            contacts=[{"type": "email", "value": '"><svg/onload=alert("contact")>'}],
            relevance=0.5,
        ),
    ]


def seed(home: Path) -> dict[str, str]:
    """Index the documents (and archive one raw page) under ``home``; returns ids by name."""
    from crawlers.archive import EvidenceArchive
    from search.sqlite_backend import SqliteBackend

    with EvidenceArchive(home / "archive") as archive:
        record = archive.store(
            url=PANGOLIN_URL,
            final_url=PANGOLIN_URL,
            status=200,
            headers={"Content-Type": "text/html; charset=windows-1258"},
            # Windows-1258 writes tones as combining marks, hence NFD before encoding.
            body=windows_1258(ARCHIVED_HTML),
            fetched_at=datetime(2024, 3, 4, 3, 0, tzinfo=UTC),
            source="vnexpress",
        )
    backend = SqliteBackend(home / "index.sqlite")
    try:
        docs = documents(record.sha256)
        backend.upsert(docs)
    finally:
        backend.close()
    names = ("pangolin", "copy", "rhino_ad", "ivory", "english", "scales_ad", "turtle", "hostile")
    return {name: doc["id"] for name, doc in zip(names, docs, strict=True)}
