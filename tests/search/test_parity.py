"""Both backends return the same items: one corpus, the queries people type, every filter.

Runs on SQLite and on the live Elasticsearch of ``make test`` (skipped without one). Ranking
may differ between the two; the set of matching items, the totals and the facet counts may not.
Also pages past Elasticsearch's 10,000-hit window, as web paging, ``search --offset`` and the
CSV export do.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from search.backend import SearchBackend, SearchRequest
from search.document import Document
from search.sqlite_backend import SqliteBackend
from tests.search.conftest import corpus, delete_versions, elasticsearch_url, make_doc

pytestmark = pytest.mark.elasticsearch


def parity_corpus() -> list[Document]:
    """The contract corpus plus texts whose tokens the two engines used to split apart."""
    extra = [
        make_doc(
            "phone-ad",
            title="Bán vảy tê tê, sừng tê giác loại 1",
            text="Liên hệ 0912.345.678 hoặc 0988-123-456, Zalo 0912345678. Giá 25.000.000đ/kg, "
            "email: banhang_rung@gmail.com, website hang-rung.vn",
            kind="marketplace",
            source="chotot",
            species=["pangolin", "rhino"],
            contacts=[{"type": "phone", "value": "+84912345678"}],
            fetched_at="2024-05-07T02:00:00Z",
        ),
        make_doc(
            "possessive-en",
            title="Vietnam's biggest ivory haul: 7.2 tonnes",
            text="The customs' report says the traffickers' network shipped 7,200 kg of ivory "
            "via Hai Phong; officers' dogs found it. Contact: press@customs.gov.vn",
            lang="en",
            source="vnexpress-en",
            species=["elephant"],
            enforcement=["seizure"],
            locations=["Hải Phòng"],
            published_at="2024-05-08T09:00:00+07:00",
        ),
        make_doc(
            "chinese-post",
            title="出售犀牛角 象牙 穿山甲鳞片",
            text="正品犀牛角，价格面议。微信 rhino_horn88，电话 +86 138 0013 8000。"
            "老挝 磨丁 交货。",
            lang="zh",
            kind="social",
            source="weibo",
            country="CN",
            species=["rhino", "elephant", "pangolin"],
            locations=["Lào"],
            published_at="2024-05-05T18:00:00+08:00",
        ),
        make_doc(
            "thai-news",
            title="ยึดงาช้าง 200 กิโลกรัม ที่ด่านศุลกากร",
            text="เจ้าหน้าที่ศุลกากร ยึดงาช้าง และ นอแรด ที่ สนามบินสุวรรณภูมิ ผู้ต้องหา ถูกจับกุม",
            lang="th",
            source="bangkokpost",
            country="TH",
            species=["elephant", "rhino"],
            enforcement=["seizure", "arrest"],
            locations=["Bangkok"],
            published_at="2024-05-06T15:00:00+07:00",
        ),
        make_doc(
            "bear-bile",
            title="Giải cứu 3 cá thể gấu ngựa bị nuôi nhốt lấy mật tại Hà Nội",
            text="Ngày 4/5/2024, lực lượng chức năng giải cứu 3 cá thể gấu ngựa (Ursus thibetanus) "
            "bị nuôi nhốt trái phép để lấy mật ở huyện Phúc Thọ. Chủ cơ sở bị khởi tố.",
            species=["bear"],
            enforcement=["seizure", "prosecution"],
            locations=["Hà Nội"],
            published_at="2024-05-04T16:00:00+07:00",
            relevance=0.95,
        ),
        make_doc(
            "turtle-trial",
            title="Xét xử vụ buôn bán 1,5 tấn rùa biển tại Khánh Hòa",
            text="TAND tỉnh Khánh Hòa mở phiên tòa xét xử 2 bị cáo buôn bán 1,5 tấn rùa biển; "
            "tang vật gồm 15 cá thể đồi mồi. Bị cáo Nguyễn Văn A nhận 5 năm tù.",
            species=["turtle", "sea_turtle"],
            enforcement=["trial", "sentence"],
            locations=["Khánh Hòa"],
            source="thanhnien",
            published_at="2024-04-30T10:00:00+07:00",
            relevance=0.9,
        ),
        make_doc(
            "unrelated-weather",
            title="Thời tiết Hà Nội hôm nay: nắng nóng 38 độ",
            text="Nắng nóng kéo dài ở Hà Nội, nhiệt độ cao nhất 38-39 độ C.",
            wildlife_trade=False,
            relevance=0.0,
            locations=["Hà Nội"],
            source="thanhnien",
            published_at="2024-05-05T07:00:00+07:00",
        ),
    ]
    return corpus() + extra


QUERIES = [
    # unaccented and accented Vietnamese
    "sung te giac",
    "sừng tê giác",
    "te te",
    '"tê tê"',
    '"vay te te"',
    "dong vat hoang da",
    "Dak Lak",
    "ha noi",
    "gau ngua",
    "rua bien",
    "khanh hoa",
    "xet xu",
    # digits, numbers with separators, dates
    "0912",
    "0912.345.678",
    "0912345678",
    "0988-123-456",
    "25.000.000",
    "1,5 tấn",
    "7,200",
    "7.2",
    "4/5/2024",
    "120",
    "38",
    # e-mails, handles, underscores, URLs
    "banhang_rung@gmail.com",
    "gmail",
    "press@customs.gov.vn",
    "rhino_horn88",
    "hang-rung.vn",
    # possessives and apostrophes
    "Vietnam's",
    "customs'",
    "traffickers",
    "officers' dogs",
    # prefixes
    "pangol*",
    "ivor*",
    "te*",
    '"sung te gi*"',
    "hai*",
    # phrases, boolean
    '"ivory tonnes"',
    "ivory AND (seized OR sentenced)",
    "ivory OR pangolin",
    "ivory -sentenced",
    "NOT ivory",
    "pangolin OR NOT ivory",
    "(tê tê OR pangolin) AND NOT ban",
    # Chinese and Thai
    "犀牛角",
    "出售犀牛角",
    "象牙",
    "งาช้าง",
    "ยึดงาช้าง",
    "นอแรด",
    "ศุลกากร",
    # hostile input
    "c++",
    "title:ivory",
    '"unclosed',
]

FILTERS: list[dict[str, Any]] = [
    {"species": ("rhino",)},
    {"species": ("Elephant", "bear")},
    {"kind": ("marketplace",)},
    {"kind": ("social", "news")},
    {"lang": ("en",)},
    {"lang": ("zh", "th")},
    {"source": ("tuoitre",)},
    {"source": ("VNEXPRESS-EN", "chotot")},
    {"enforcement": ("seizure",)},
    {"enforcement": ("trial", "prosecution")},
    {"country": ("vn",)},
    {"country": ("TH", "CN")},
    {"location": ("ha noi",)},
    {"location": ("Đắk Lắk", "mong cai")},
    {"wildlife_trade": True},
    {"wildlife_trade": False},
    {"min_relevance": 0.85},
    {"since": date(2024, 5, 2), "until": date(2024, 5, 3)},
    {"until": date(2024, 5, 1)},
    {"since": datetime(2024, 5, 6, 2, 0, tzinfo=UTC)},
    {"fetched_since": datetime(2024, 5, 5, tzinfo=UTC)},
    {"fetched_until": datetime(2024, 5, 5, tzinfo=UTC)},
    {"ids": ("tiger-ad", "thai-news", "nope")},
    {"species": ("pangolin",), "kind": ("marketplace",), "wildlife_trade": True},
]


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SearchBackend]]:
    url = elasticsearch_url()
    from elasticsearch import Elasticsearch

    from search.elasticsearch_backend import ElasticsearchBackend

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
        sqlite = SqliteBackend(tmp_path_factory.mktemp("parity") / "index.sqlite")
        alias = f"wildwatch-test-{uuid.uuid4().hex[:8]}"
        elastic = ElasticsearchBackend(Elasticsearch(url), alias=alias, refresh=True)
        docs = parity_corpus()
        assert sqlite.upsert(docs) == elastic.upsert(docs) == ["new"] * len(docs)
        try:
            yield {"sqlite": sqlite, "elasticsearch": elastic}
        finally:
            delete_versions(elastic.client, alias)
            elastic.close()
            sqlite.close()


def answers(backend: SearchBackend, request: SearchRequest) -> tuple[int, set[str], Any]:
    response = backend.search(request)
    return response["total"], {hit["id"] for hit in response["hits"]}, response["facets"]


@pytest.mark.parametrize("query", QUERIES)
def test_every_query_finds_the_same_items(backends: dict[str, SearchBackend], query: str) -> None:
    request = SearchRequest(query=query, limit=100)
    sqlite, elastic = (answers(backend, request) for backend in backends.values())
    assert elastic[:2] == sqlite[:2]
    assert elastic[2] == sqlite[2]  # facet counts, ties in value order


def test_the_queries_are_not_trivial(backends: dict[str, SearchBackend]) -> None:
    # Parity of empty answers proves nothing: most queries find something, not everything.
    sqlite = backends["sqlite"]
    found = [answers(sqlite, SearchRequest(query=query, limit=100))[0] for query in QUERIES]
    assert sum(1 for total in found if 0 < total < len(parity_corpus())) >= 40


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f))
@pytest.mark.parametrize("query", ["", "te te", "ivory OR ngà OR 象牙 OR งาช้าง"])
def test_every_filter_finds_the_same_items(
    backends: dict[str, SearchBackend], filters: dict[str, Any], query: str
) -> None:
    request = SearchRequest(query=query, limit=100, **filters)
    sqlite, elastic = (answers(backend, request) for backend in backends.values())
    assert elastic == sqlite


@pytest.mark.parametrize("interval", ["day", "week"])
def test_histograms_agree(backends: dict[str, SearchBackend], interval: str) -> None:
    request = SearchRequest(wildlife_trade=True)
    for by in ((), ("species",), ("species", "locations"), ("source",)):
        sqlite, elastic = (
            backend.histogram(request, interval, by)  # type: ignore[arg-type]
            for backend in backends.values()
        )
        assert elastic == sqlite


# --- past 10,000 hits --------------------------------------------------------------------

DEEP = 10_050


def deep_corpus() -> list[Document]:
    """Small items, one minute apart: "newest first" is one order on both backends."""
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    return [
        make_doc(
            f"deep-{n:05d}",
            title=f"Thu giữ tê tê số {n}",
            text="Kiểm lâm thu giữ tê tê." if n % 2 else "Hải quan thu giữ ngà voi.",
            fetched_at=datetime.fromtimestamp(start + 60 * n, UTC).isoformat(),
            simhash=None,
        )
        for n in range(DEEP)
    ]


@pytest.fixture(scope="module")
def deep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SearchBackend]]:
    url = elasticsearch_url()
    from elasticsearch import Elasticsearch

    from search.elasticsearch_backend import ElasticsearchBackend

    sqlite = SqliteBackend(tmp_path_factory.mktemp("deep") / "index.sqlite")
    alias = f"wildwatch-test-{uuid.uuid4().hex[:8]}"
    elastic = ElasticsearchBackend(Elasticsearch(url), alias=alias)
    docs = deep_corpus()
    for start in range(0, len(docs), 2000):
        sqlite.upsert(docs[start : start + 2000])
        elastic.upsert(docs[start : start + 2000])
    elastic.refresh_index()
    try:
        yield {"sqlite": sqlite, "elasticsearch": elastic}
    finally:
        delete_versions(elastic.client, alias)
        elastic.close()
        sqlite.close()


def page(backend: SearchBackend, offset: int, limit: int = 100, **fields: Any) -> list[str]:
    request = SearchRequest(sort="newest", offset=offset, limit=limit, facets=False, **fields)
    return [hit["id"] for hit in backend.search(request)["hits"]]


def test_a_page_past_10000_hits(deep: dict[str, SearchBackend]) -> None:
    for backend in deep.values():
        response = backend.search(SearchRequest(sort="newest", offset=10_020, limit=20))
        assert response["total"] == DEEP
        assert [hit["id"] for hit in response["hits"]] == [
            f"deep-{n:05d}" for n in range(DEEP - 10_021, DEEP - 10_041, -1)
        ]
        assert response["facets"]["kind"] == {"news": DEEP}
    assert page(deep["elasticsearch"], 10_040) == page(deep["sqlite"], 10_040) != []
    assert page(deep["elasticsearch"], DEEP) == []


def test_walking_every_page_sees_every_item_once(deep: dict[str, SearchBackend]) -> None:
    # what the CSV export and `search --offset` do: consecutive pages across the 10,000 line
    seen: list[str] = []
    for offset in range(9_700, DEEP, 500):
        seen += page(deep["elasticsearch"], offset, 500)
    assert seen == [f"deep-{n:05d}" for n in range(DEEP - 9_701, -1, -1)]


def test_a_relevance_query_past_10000_hits(deep: dict[str, SearchBackend]) -> None:
    request = SearchRequest(query="thu giu te te", offset=10_000, limit=50, facets=False)
    for backend in deep.values():
        response = backend.search(request)
        assert response["total"] == DEEP
        assert len(response["hits"]) == 50
    walked = {
        hit["id"]
        for offset in range(0, DEEP, 2_500)
        for hit in deep["elasticsearch"].search(
            SearchRequest(query="thu giu", offset=offset, limit=2_500, facets=False)
        )["hits"]
    }
    assert len(walked) == DEEP


def test_search_offset_on_the_command_line_past_10000(
    deep: dict[str, SearchBackend], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from search.elasticsearch_backend import ElasticsearchBackend
    from wildwatch.cli import main

    elastic = deep["elasticsearch"]
    assert isinstance(elastic, ElasticsearchBackend)
    monkeypatch.setenv("WILDWATCH_ELASTICSEARCH_URL", elasticsearch_url())
    monkeypatch.setenv("WILDWATCH_ELASTICSEARCH_INDEX", elastic.alias)
    argv = ["search", "--sort", "newest", "--offset", "10030", "--limit", "5", "--json"]
    assert main(argv) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["total"] == DEEP
    assert [hit["id"] for hit in shown["hits"]] == [
        f"deep-{n:05d}" for n in range(DEEP - 10_031, DEEP - 10_036, -1)
    ]


def test_the_csv_export_walk_past_10000(deep: dict[str, SearchBackend]) -> None:
    from web.queries import iter_hits

    # web.queries.iter_hits: pages of 100 through backend.search, as /export.csv writes them
    request = SearchRequest(query="thu giu", sort="newest")
    exported = [hit["id"] for hit in iter_hits(deep["elasticsearch"], request, DEEP + 100)]
    assert exported == [f"deep-{n:05d}" for n in range(DEEP - 1, -1, -1)]
    assert len(set(exported)) == DEEP
