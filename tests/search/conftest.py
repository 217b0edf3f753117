"""Shared fixtures: a small corpus of realistic items and the backends under test.

The ``backend`` fixture runs each contract test against SQLite, and against a live
Elasticsearch when ``WILDWATCH_TEST_ELASTICSEARCH_URL`` is set (marked ``elasticsearch``;
``make test`` starts a node and sets it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any, cast

import pytest

from search.backend import SearchBackend
from search.document import Document


def make_doc(doc_id: str, **fields: Any) -> Document:
    doc: dict[str, Any] = {
        "id": doc_id,
        "url": f"https://example.vn/{doc_id}",
        "source": "vnexpress",
        "kind": "news",
        "country": "VN",
        "title": "",
        "text": "",
        "author": None,
        "seller": None,
        "published_at": None,
        "fetched_at": "2024-05-05T01:00:00Z",
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
        "content_hash": f"hash-{doc_id}",
        "simhash": "0000000000000000",
        "duplicate_of": None,
        "archive_sha256": None,
    }
    doc.update(fields)
    return cast(Document, doc)


BOILERPLATE = (
    "Chia sẻ bài viết lên Facebook | Zalo. Bản quyền thuộc về báo điện tử. "
    "Đọc thêm: Giá vàng hôm nay; Thời tiết Hà Nội. "
)


def corpus() -> list[Document]:
    return [
        make_doc(
            "rhino-daklak",
            title="Bắt giữ đối tượng vận chuyển 5 kg sừng tê giác tại Đắk Lắk",
            text=(
                "Ngày 2/5, Công an tỉnh Đắk Lắk phối hợp với lực lượng kiểm lâm bắt giữ một đối "
                "tượng đang vận chuyển 5 kg sừng tê giác trên Quốc lộ 14. Vụ buôn bán động vật "
                "hoang dã này đang được điều tra. " + BOILERPLATE
            ),
            published_at="2024-05-02T23:30:00+07:00",
            species=["rhino"],
            enforcement=["seizure", "arrest"],
            locations=["Đắk Lắk"],
            quantities=[{"value": 5.0, "unit": "kg", "text": "5 kg"}],
            simhash="f0f0f0f0f0f0f0f0",
        ),
        make_doc(
            "pangolin-mongcai",
            title="Thu giữ 120 cá thể tê tê tại cửa khẩu Móng Cái",
            text=(
                "Lực lượng Hải quan Quảng Ninh phát hiện 120 cá thể tê tê còn sống giấu trong "
                "xe tải chở hàng qua cửa khẩu Móng Cái. " + BOILERPLATE
            ),
            published_at="2024-05-03T00:30:00+07:00",
            species=["pangolin"],
            enforcement=["seizure"],
            locations=["Quảng Ninh", "Móng Cái"],
            source="tuoitre",
            simhash="0123456789abcdef",
        ),
        make_doc(
            "ivory-danang",
            title="Customs seize two tonnes of ivory at Tien Sa port",
            text=(
                "Da Nang customs officers seized two tonnes of elephant ivory hidden in a "
                "container of timber shipped from Nigeria, the agency said on Monday."
            ),
            published_at="2024-05-06T09:00:00+07:00",
            lang="en",
            source="vnexpress-en",
            species=["elephant"],
            enforcement=["seizure"],
            locations=["Đà Nẵng", "Nigeria"],
            simhash="1111111111111111",
        ),
        make_doc(
            "ivory-sentence",
            title="Ivory trafficker sentenced to 12 years in prison",
            text=(
                "The Hanoi People's Court sentenced a man to 12 years for trafficking "
                "ivory and rhino horn confiscated at Noi Bai airport in 2022."
            ),
            published_at="2024-04-28T10:00:00+07:00",
            lang="en",
            source="vnexpress-en",
            species=["elephant", "rhino"],
            enforcement=["trial", "sentence"],
            locations=["Hà Nội", "Nội Bài"],
            simhash="2222222222222222",
        ),
        make_doc(
            "tiger-ad",
            title="Bán cao hổ, rượu ngâm hổ cốt, vòng ngà voi giá rẻ",
            text=(
                'Cao hổ nguyên chất 3 triệu/lạng <img src=x onerror="alert(1)"> liên hệ '
                "0912 345 678 (Zalo). Ship toàn quốc, <b>bao test</b>."
            ),
            kind="marketplace",
            source="chotot",
            published_at=None,
            fetched_at="2024-05-04T10:00:00Z",
            species=["tiger", "elephant"],
            locations=[],
            contacts=[{"type": "phone", "value": "+84912345678"}],
            prices=[{"amount": 3000000.0, "currency": "VND", "text": "3 triệu", "vnd": 3e6}],
            simhash="3333333333333333",
        ),
        make_doc(
            "forest-daknong",
            title="Phát động trồng rừng và bảo vệ động vật hoang dã ở Đắk Nông",
            text="Tỉnh Đắk Nông phát động phong trào trồng cây, bảo vệ rừng đầu nguồn.",
            published_at="2024-05-01T08:00:00+07:00",
            wildlife_trade=False,
            relevance=0.1,
            locations=["Đắk Nông"],
            source="tuoitre",
            simhash="4444444444444444",
        ),
        make_doc(
            "pangolin-social",
            title="Pangolin scales for sale, DM me",
            text="Selling dried pangolin scales, 5kg available, delivery to Bangkok.",
            kind="social",
            source="facebook",
            country=None,
            lang="en",
            published_at="2024-05-03T12:00:00+07:00",
            species=["pangolin"],
            locations=["Bangkok"],
            simhash="5555555555555555",
        ),
    ]


def elasticsearch_url() -> str:
    """The live node of the Elasticsearch tests: ``WILDWATCH_TEST_ELASTICSEARCH_URL``, set by
    ``make test`` (a separate variable, so the rest of the suite keeps the SQLite index)."""
    url = os.environ.get("WILDWATCH_TEST_ELASTICSEARCH_URL")
    if not url:
        pytest.skip("no live Elasticsearch: WILDWATCH_TEST_ELASTICSEARCH_URL is not set")
    return url


def delete_versions(client: Any, alias: str) -> None:
    """Delete the test's indexes by their exact names (wildcard deletes are refused)."""
    from elasticsearch import NotFoundError

    try:
        names = list(client.indices.get(index=f"{alias}*", expand_wildcards="all").body)
    except NotFoundError:
        return
    for name in names:
        if name in (alias, f"{alias}-triage") or name.startswith(f"{alias}-v"):
            client.indices.delete(index=name, ignore_unavailable=True)


def _elasticsearch_backend() -> Iterator[SearchBackend]:
    url = elasticsearch_url()
    from elasticsearch import Elasticsearch

    from search.elasticsearch_backend import ElasticsearchBackend

    alias = f"wildwatch-test-{uuid.uuid4().hex[:8]}"
    backend = ElasticsearchBackend(Elasticsearch(url), alias=alias, refresh=True)
    try:
        yield backend
    finally:
        delete_versions(backend.client, alias)
        backend.close()


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def backend(
    request: pytest.FixtureRequest, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SearchBackend]:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
    if request.param == "sqlite":
        from search.sqlite_backend import SqliteBackend

        sqlite = SqliteBackend(tmp_path / "index.sqlite")
        yield sqlite
        sqlite.close()
    else:
        yield from _elasticsearch_backend()


@pytest.fixture
def loaded(backend: SearchBackend) -> SearchBackend:
    assert backend.upsert(corpus()) == ["new"] * len(corpus())
    return backend
