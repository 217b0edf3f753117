"""Enforcement reports for the map tests, written like the Vietnamese and regional press
writes them (paraphrased, invented details), analysed by the real pipeline so that species,
actions and places are what the tagger finds, then indexed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.analysis import analyze
from pipelines.urls import document_id
from search.backend import SearchBackend
from search.document import Document

REPORTS: list[dict[str, Any]] = [
    {
        "url": "https://vnexpress.net/noi-bai-thu-giu-ngà-voi-tu-nigeria-1.html",
        "title": "Sân bay Nội Bài thu giữ 120 kg ngà voi",
        "text": "Hải quan sân bay Nội Bài phát hiện 120 kg ngà voi trong hành lý ký gửi của "
        "một hành khách bay từ Nigeria, quá cảnh Doha (Qatar) về Hà Nội.",
        "published_at": "2026-03-04T09:00:00+07:00",
    },
    {
        "url": "https://tuoitre.vn/hai-phong-7-tan-vay-te-te-2.htm",
        "title": "Hải Phòng: phát hiện 7 tấn vảy tê tê trong container",
        "text": "Cục Hải quan TP Hải Phòng thu giữ 7 tấn vảy tê tê tại cảng Đình Vũ, lô hàng "
        "nhập từ Cộng hòa Dân chủ Congo, trung chuyển qua Singapore.",
        "published_at": "2026-04-10T08:00:00+07:00",
    },
    {
        "url": "https://thanhnien.vn/hai-phong-ngà-voi-angola-3.htm",
        "title": "Bắt giữ 2 tấn ngà voi tại cảng Lạch Huyện",
        "text": "Lực lượng hải quan bắt giữ 2 tấn ngà voi giấu trong container gỗ tại cảng "
        "Lạch Huyện, Hải Phòng. Lô hàng xuất phát từ Angola, quá cảnh Malaysia.",
        "published_at": "2026-05-02T10:00:00+07:00",
    },
    {
        "url": "https://vnexpress.net/ha-tinh-ho-tu-lao-4.html",
        "title": "Bắt xe chở 3 cá thể hổ qua cửa khẩu Cầu Treo",
        "text": "Bộ đội Biên phòng Hà Tĩnh bắt giữ đối tượng vận chuyển 3 cá thể hổ đông lạnh "
        "từ Lào về Việt Nam qua cửa khẩu Cầu Treo.",
        "published_at": "2026-06-01T07:30:00+07:00",
    },
    {
        "url": "https://dantri.com.vn/nghe-an-te-te-nam-can-5.htm",
        "title": "Nghệ An: thu giữ 50 cá thể tê tê ở cửa khẩu Nậm Cắn",
        "text": "Công an tỉnh Nghệ An thu giữ 50 cá thể tê tê còn sống được đưa từ Lào vào "
        "Việt Nam qua cửa khẩu Nậm Cắn; tài xế bị bắt.",
        "published_at": "2026-06-15T16:00:00+07:00",
    },
    {
        "url": "https://tuoitre.vn/tan-son-nhat-sung-te-giac-6.htm",
        "title": "Tân Sơn Nhất: hành khách mang sừng tê giác",
        "text": "Hải quan sân bay Tân Sơn Nhất phát hiện 10 kg sừng tê giác trong vali của "
        "hành khách đi từ Mozambique, quá cảnh Qatar, về TP Hồ Chí Minh.",
        "published_at": "2026-07-20T21:00:00+07:00",
    },
    {
        "url": "https://vnexpress.net/quang-ninh-vay-te-te-mong-cai-7.html",
        "title": "Quảng Ninh: bắt xe chở vảy tê tê",
        "text": "Công an tỉnh Quảng Ninh bắt giữ xe tải chở 120 kg vảy tê tê tại TP Móng Cái, "
        "định đưa qua biên giới.",
        "published_at": "2026-08-04T09:15:00+07:00",
    },
    {
        "url": "https://baoquangninh.vn/quang-ninh-xu-an-8.html",
        "title": "Tuyên án kẻ buôn vảy tê tê ở Quảng Ninh",
        "text": "Tòa án nhân dân tỉnh Quảng Ninh tuyên phạt 8 năm tù đối tượng buôn bán vảy "
        "tê tê, bị bắt tại TP Móng Cái, Quảng Ninh.",
        "published_at": "2026-09-01T14:00:00+07:00",
    },
    {
        "url": "https://www.bangkokpost.com/thailand/suvarnabhumi-scales-9",
        "title": "Pangolin scales seized at Suvarnabhumi",
        "text": "Thai customs seized 200 kg of pangolin scales at Suvarnabhumi airport, "
        "shipped from Nigeria and bound for Laos.",
        "published_at": "2026-09-12T11:00:00+07:00",
        "source": "bangkokpost",
        "country": "TH",
    },
    {
        "url": "https://vnexpress.net/an-giang-rua-tu-campuchia-10.html",
        "title": "An Giang: thu giữ 300 kg rùa",
        "text": "Bộ đội Biên phòng An Giang thu giữ 300 kg rùa vận chuyển trái phép từ "
        "Campuchia qua cửa khẩu Tịnh Biên.",
        "published_at": "2026-10-05T06:00:00+07:00",
    },
]


def map_documents() -> list[Document]:
    docs: list[Document] = []
    for report in REPORTS:
        found = analyze(report["text"], title=report["title"], segment=False)
        doc: dict[str, Any] = {
            "id": document_id(report["url"]),
            "url": report["url"],
            "source": report.get("source", "vnexpress"),
            "kind": "news",
            "country": report.get("country", "VN"),
            "title": report["title"],
            "text": report["text"],
            "published_at": report["published_at"],
            "fetched_at": "2026-10-06T02:00:00+00:00",
            "content_hash": document_id(report["url"]),
            "simhash": None,
            "duplicate_of": None,
            "archive_sha256": None,
            **{key: found[key] for key in found if key not in ("text", "title")},  # type: ignore[literal-required]
        }
        docs.append(doc)  # type: ignore[arg-type]
    return docs


def seed_map(backend: SearchBackend) -> list[Document]:
    docs = map_documents()
    backend.upsert(docs)
    return docs


def seed_map_home(home: Path) -> list[Document]:
    from search.sqlite_backend import SqliteBackend

    backend = SqliteBackend(home / "index.sqlite")
    try:
        return seed_map(backend)
    finally:
        backend.close()
