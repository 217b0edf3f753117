"""The Scrapy adapters of the ingest layer, driven as Scrapy drives them, on an in-memory index."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from scrapy.exceptions import DropItem

from crawlers.spiders.pages import Page
from ingest import analysis_pool, documents, scrapy_pipelines
from ingest.documents import build_document, merge_contacts
from ingest.duplicates import RunCopies
from ingest.scrapy_pipelines import AnalysisPipeline, DedupPipeline, IndexPipeline, Ingested
from pipelines.dedup import MAX_DISTANCE, content_hash, hamming, simhash
from pipelines.urls import document_id
from search.document import Document

ARTICLE = (
    "Ngày 12/3, Đội Cảnh sát môi trường Công an tỉnh Quảng Ninh phát hiện xe tải chở 12 cá thể "
    "tê tê còn sống cùng 35 kg vảy tê tê không có giấy tờ hợp pháp. Tài xế khai được thuê chở "
    "số hàng từ Nghệ An ra Móng Cái để giao cho một người Trung Quốc với giá 5 triệu đồng mỗi "
    "chuyến. Cơ quan chức năng đã tạm giữ phương tiện, bàn giao toàn bộ tê tê cho Trung tâm "
    "cứu hộ động vật hoang dã Hà Nội và đang điều tra mở rộng đường dây buôn bán động vật hoang "
    "dã xuyên biên giới. Người vi phạm có thể bị phạt tù đến 15 năm."
)


class FakeStats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count

    def max_value(self, key: str, value: int) -> None:
        self.values[key] = max(self.values.get(key, value), value)


class MemoryBackend:
    """The parts of search.backend.SearchBackend the adapters use."""

    def __init__(self, fail_first_upserts: int = 0) -> None:
        self.docs: dict[str, Document] = {}
        self.upsert_calls: list[int] = []
        self.fail_first_upserts = fail_first_upserts
        self.closed = False

    def upsert(self, docs: Iterable[Document]) -> list[str]:
        batch = list(docs)
        self.upsert_calls.append(len(batch))
        if self.fail_first_upserts:
            self.fail_first_upserts -= 1
            raise RuntimeError("database is locked")
        outcomes = []
        for doc in batch:
            old = self.docs.get(doc["id"])
            if old is None:
                outcomes.append("new")
            elif old["content_hash"] == doc["content_hash"]:
                outcomes.append("unchanged")
            else:
                outcomes.append("updated")
            self.docs[doc["id"]] = dict(doc)  # type: ignore[assignment]
        return outcomes

    def get(self, doc_id: str) -> Document | None:
        doc = self.docs.get(doc_id)
        return dict(doc) if doc is not None else None  # type: ignore[return-value]

    def near_duplicates(self, simhash: str, max_distance: int = 3) -> list[str]:
        return [i for i, d in self.docs.items() if hamming(d["simhash"], simhash) <= max_distance]

    def duplicates_of(self, doc_id: str) -> list[Document]:
        return [dict(d) for d in self.docs.values() if d.get("duplicate_of") == doc_id]  # type: ignore[misc]

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def fresh_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setattr(scrapy_pipelines.RUN_COPIES, "items", {})
    monkeypatch.setattr(scrapy_pipelines.RUN_COPIES, "bands", {})
    yield


def raw(url: str, text: str = ARTICLE, **extra: Any) -> dict[str, Any]:
    item = {
        "url": url,
        "source": "baomoi-test",
        "kind": "news",
        "country": "VN",
        "language": "vi",
        "title": "Bắt xe tải chở 12 cá thể tê tê tại Móng Cái",
        "text": text,
        "author": "Minh Châu",
        "seller": None,
        "published_at": "2024-03-12T09:30:00+07:00",
        "fetched_at": "2024-03-18T02:00:00+00:00",
        "archive_sha256": "ab" * 32,
    }
    item.update(extra)
    return item


def analysed(item: dict[str, Any]) -> Ingested:
    return asyncio.run(AnalysisPipeline(FakeStats(), workers=0).process_item(item))  # type: ignore[arg-type]


def test_document_has_every_key_of_the_contract() -> None:
    doc = analysed(raw("https://moitruong.example/phap-luat/bat-xe-10234.html")).doc
    assert set(doc) == set(Document.__annotations__) - {"truncated"}  # only on capped texts
    assert doc["id"] == document_id("https://moitruong.example/phap-luat/bat-xe-10234.html")
    assert doc["lang"] == "vi"
    assert "pangolin" in doc["species"]
    assert doc["wildlife_trade"] is True
    assert doc["archive_sha256"] == "ab" * 32
    assert doc["country"] == "VN"
    assert doc["published_at"] == "2024-03-12T09:30:00+07:00"


def test_analysis_in_a_worker_process_gives_the_inline_result() -> None:
    item = raw("https://moitruong.example/phap-luat/bat-xe-10234.html")
    stats = FakeStats()

    async def in_pool() -> Ingested:
        pipeline = AnalysisPipeline(stats, workers=1)  # type: ignore[arg-type]
        pipeline.open_spider()
        try:
            return await pipeline.process_item(item)
        finally:
            pipeline.close_spider()

    pooled = asyncio.run(in_pool())
    assert pooled == analysed(item)
    assert stats.values["wildwatch/analysed"] == 1
    assert analysis_pool.POOL.executor is None  # shut down with the last spider


def test_an_analysis_failure_drops_the_item_and_is_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any) -> Any:
        raise ValueError("unexpected input")

    monkeypatch.setattr(documents, "analyze_item", broken)
    stats = FakeStats()
    with pytest.raises(DropItem):
        asyncio.run(AnalysisPipeline(stats, workers=0).process_item(raw("https://a.example/1")))  # type: ignore[arg-type]
    assert stats.values == {"wildwatch/errors/analysis_error": 1}


def test_ad_contacts_from_markup_are_kept_beside_those_in_text() -> None:
    found = [{"type": "phone", "value": "+84987654321"}]
    on_page = [{"type": "phone", "value": "+84987654321"}, {"type": "zalo", "value": "+84912"}]
    merged = merge_contacts(found, on_page)  # type: ignore[arg-type]
    assert merged == [
        {"type": "phone", "value": "+84987654321"},
        {"type": "zalo", "value": "+84912"},
    ]


def test_syndicated_copy_is_linked_to_the_earliest_story_not_dropped() -> None:
    backend = MemoryBackend()
    dedup = DedupPipeline(backend)  # type: ignore[arg-type]
    index = IndexPipeline(FakeStats(), batch_size=10, backend=backend)  # type: ignore[arg-type]
    original = dedup.process_item(analysed(raw("https://a.example/tin/bat-xe-1.html")))
    index.process_item(original)
    index.flush()
    copy = dedup.process_item(
        analysed(
            raw(
                "https://b.example/thoi-su/quang-ninh-bat-xe-2.html",
                text="Theo TTXVN: " + ARTICLE + " (Ảnh: CA Quảng Ninh)",
                published_at="2024-03-13T07:00:00+07:00",
            )
        )
    )
    other = dedup.process_item(
        analysed(raw("https://b.example/kinh-te/gia-lua-3.html", text="Giá lúa tăng mạnh " * 30))
    )
    assert original.doc["duplicate_of"] is None
    assert copy.doc["duplicate_of"] == original.doc["id"]
    assert other.doc["duplicate_of"] is None
    assert len(copy.doc["simhash"]) == 16 and len(copy.doc["content_hash"]) == 64


def test_agency_original_found_after_the_reprints_becomes_the_root() -> None:
    backend = MemoryBackend()
    stats = FakeStats()
    dedup = DedupPipeline(backend, stats)  # type: ignore[arg-type]
    index = IndexPipeline(FakeStats(), batch_size=1, backend=backend)  # type: ignore[arg-type]
    reprints = [
        raw(
            f"https://b{n}.example/tin/{n}.html",
            text=f"Theo TTXVN ({n}): " + ARTICLE,
            published_at=f"2024-03-1{n}T07:00:00+07:00",
        )
        for n in (3, 4)
    ]
    for item in reprints:
        index.process_item(dedup.process_item(analysed(item)))
    first_doc, second_doc = (backend.docs[document_id(item["url"])] for item in reprints)
    assert second_doc["duplicate_of"] == first_doc["id"]
    agency = dedup.process_item(analysed(raw("https://ttxvn.example/tin/goc.html")))
    index.process_item(agency)
    assert agency.doc["duplicate_of"] is None
    assert {backend.docs[d["id"]]["duplicate_of"] for d in (first_doc, second_doc)} == {
        agency.doc["id"]
    }
    assert stats.values["wildwatch/relinked"] == 2


def test_reprints_still_waiting_in_the_index_batch_are_repointed_too() -> None:
    backend = MemoryBackend()
    dedup = DedupPipeline(backend)  # type: ignore[arg-type]
    index = IndexPipeline(FakeStats(), batch_size=50, backend=backend)  # type: ignore[arg-type]
    reprint = raw(
        "https://b.example/tin/1.html",
        text="Theo TTXVN: " + ARTICLE,
        published_at="2024-03-13T07:00:00+07:00",
    )
    index.process_item(dedup.process_item(analysed(reprint)))
    agency = dedup.process_item(analysed(raw("https://ttxvn.example/tin/goc.html")))
    index.process_item(agency)
    assert backend.docs == {}  # nothing flushed yet
    index.close_spider()
    assert backend.docs[document_id(reprint["url"])]["duplicate_of"] == agency.doc["id"]
    assert backend.docs[agency.doc["id"]]["duplicate_of"] is None


def test_copies_crawled_in_the_same_batch_are_linked_before_the_index_sees_them() -> None:
    dedup = DedupPipeline(MemoryBackend())  # type: ignore[arg-type]
    first = dedup.process_item(analysed(raw("https://a.example/tin/bat-xe-1.html")))
    second = dedup.process_item(
        analysed(raw("https://b.example/tin/bat-xe-2.html", text=ARTICLE + " Theo TTXVN."))
    )
    assert first.doc["duplicate_of"] is None
    assert second.doc["duplicate_of"] == first.doc["id"]


def test_recrawl_of_the_original_keeps_it_original() -> None:
    backend = MemoryBackend()
    dedup = DedupPipeline(backend)  # type: ignore[arg-type]
    index = IndexPipeline(FakeStats(), batch_size=1, backend=backend)  # type: ignore[arg-type]
    a = raw("https://a.example/tin/bat-xe-1.html")
    b = raw("https://b.example/tin/bat-xe-2.html", text=ARTICLE + " Theo TTXVN.")
    for item in (a, b):
        index.process_item(dedup.process_item(analysed(item)))
    again = dedup.process_item(analysed(a))
    assert again.doc["duplicate_of"] is None


def test_index_batches_counts_outcomes_and_flushes_on_close() -> None:
    backend = MemoryBackend()
    stats = FakeStats()
    dedup = DedupPipeline(backend)  # type: ignore[arg-type]
    index = IndexPipeline(stats, batch_size=2, backend=backend)  # type: ignore[arg-type]
    urls = [f"https://a.example/tin/bai-{n}.html" for n in range(3)]
    texts = [ARTICLE, "Giá lúa tăng mạnh " * 30, "Hà Nội mưa lớn kéo dài " * 30]
    for url, text in zip(urls, texts, strict=True):
        index.process_item(dedup.process_item(analysed(raw(url, text=text))))
    assert backend.upsert_calls == [2]
    index.close_spider()
    assert backend.upsert_calls == [2, 1]
    assert stats.values == {"wildwatch/index/new": 3}
    # a second crawl of the same pages stores nothing new
    index = IndexPipeline(stats, batch_size=2, backend=backend)  # type: ignore[arg-type]
    for url, text in zip(urls, texts, strict=True):
        index.process_item(dedup.process_item(analysed(raw(url, text=text))))
    index.close_spider()
    assert stats.values["wildwatch/index/unchanged"] == 3
    assert len(backend.docs) == 3


def test_a_refused_batch_is_retried_when_the_spider_closes() -> None:
    backend = MemoryBackend(fail_first_upserts=1)
    stats = FakeStats()
    index = IndexPipeline(stats, batch_size=1, backend=backend)  # type: ignore[arg-type]
    doc = DedupPipeline(backend).process_item(analysed(raw("https://a.example/tin/1.html")))  # type: ignore[arg-type]
    index.process_item(doc)
    assert backend.docs == {}
    index.close_spider()
    assert list(backend.docs) == [doc.doc["id"]]
    assert stats.values == {"wildwatch/index/new": 1}


def test_build_document_keeps_source_fields() -> None:
    analysis = {
        "lang": "vi",
        "wildlife_trade": False,
        "relevance": 0.0,
        "species": [],
        "enforcement": [],
        "prices": [],
        "quantities": [],
        "locations": [],
        "contacts": [],
        "tokens": "",
    }
    item = raw("https://t.me/dongvat_hoangda/25", kind="social", seller="dongvat_hoangda")
    doc = build_document(item, analysis)  # type: ignore[arg-type]
    assert doc["kind"] == "social" and doc["seller"] == "dongvat_hoangda"
    assert doc["fetched_at"] == "2024-03-18T02:00:00+00:00"


# ─── article and ad pages extracted in the analysis stage ────────────────────────────────────

PAGE_HTML = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
    "<title>Bắt xe tải chở 12 cá thể tê tê tại Móng Cái | Báo Môi trường</title></head><body>"
    '<nav><a href="/">Trang chủ</a> <a href="/phap-luat/">Pháp luật</a></nav>'
    "<article><h1>Bắt xe tải chở 12 cá thể tê tê tại Móng Cái</h1>"
    + "".join(f"<p>{sentence.strip()}.</p>" for sentence in ARTICLE.split(". ") if sentence)
    + "</article><section class='related'><h3>Tin liên quan</h3>"
    '<a href="/phap-luat/1.html">Phạt tù kẻ bán ngà voi trên mạng</a></section>'
    "<footer>© Báo Môi trường. Giấy phép số 12/GP-BTTTT.</footer></body></html>"
)


def page_item(url: str, html: str = PAGE_HTML, listed: str | None = None) -> dict[str, Any]:
    """What NewsSpider.parse_item yields: origin fields and the page, nothing extracted."""
    item = raw(url, published_at=listed)
    for key in ("title", "text", "author", "seller"):
        del item[key]
    item["page"] = Page(
        html=html,
        url=url,
        kind="news",
        fetched_at=item["fetched_at"],
        allowed_domains=("moitruong.example",),
    )
    return item


def test_page_item_is_extracted_and_analysed_in_one_step() -> None:
    stats = FakeStats()
    item = page_item("https://moitruong.example/phap-luat/bat-xe-10234.html", listed="2024-03-12")
    doc = asyncio.run(AnalysisPipeline(stats, workers=0).process_item(item)).doc  # type: ignore[arg-type]
    assert set(doc) == set(Document.__annotations__) - {"truncated"}  # only on capped texts
    assert doc["title"] == "Bắt xe tải chở 12 cá thể tê tê tại Móng Cái"
    assert "35 kg vảy tê tê" in doc["text"]
    assert "Tin liên quan" not in doc["text"] and "Giấy phép" not in doc["text"]
    assert "pangolin" in doc["species"] and doc["wildlife_trade"] is True
    assert doc["published_at"] == "2024-03-12"  # the page shows no date: the feed's is kept
    assert doc["archive_sha256"] == "ab" * 32
    # fingerprints come from the worker and are those DedupPipeline would compute
    assert doc["content_hash"] == content_hash(doc["title"], doc["text"])
    assert doc["simhash"] == simhash(doc["text"])
    assert stats.values["wildwatch/items"] == 1 and stats.values["wildwatch/analysed"] == 1


def test_page_without_article_is_counted_logged_and_dropped_without_its_html(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stats = FakeStats()
    url = "https://moitruong.example/phap-luat/trang-2"
    listing = "<html><body>" + "".join(
        f'<p><a href="/phap-luat/{n}.html">Tin {n} về tê tê và ngà voi</a></p>' for n in range(30)
    )
    item = page_item(url, html=listing + "</body></html>")
    with pytest.raises(DropItem):
        asyncio.run(AnalysisPipeline(stats, workers=0).process_item(item))  # type: ignore[arg-type]
    assert stats.values == {"wildwatch/errors/no_content": 1}
    assert f"baomoi-test: no_content {url}" in caplog.text
    assert "page" not in item  # Scrapy logs the dropped item: not 100 kB of HTML


def test_page_extracted_in_a_worker_process_gives_the_inline_result() -> None:
    item = page_item("https://moitruong.example/phap-luat/bat-xe-10234.html")
    inline = asyncio.run(AnalysisPipeline(FakeStats(), workers=0).process_item(dict(item)))  # type: ignore[arg-type]

    async def in_pool() -> Ingested:
        pipeline = AnalysisPipeline(FakeStats(), workers=1)  # type: ignore[arg-type]
        pipeline.open_spider()
        try:
            return await pipeline.process_item(dict(item))
        finally:
            pipeline.close_spider()

    assert asyncio.run(in_pool()) == inline


def test_run_copies_find_the_same_near_duplicates_as_a_full_scan() -> None:
    generator = random.Random(20240312)
    copies = RunCopies()
    fingerprints: dict[str, str] = {}
    for n in range(400):
        value = generator.getrandbits(64)
        if n % 3 and fingerprints:  # a third are originals, the rest near or far variants
            base = int(generator.choice(list(fingerprints.values())), 16)
            flips = generator.randint(0, 9)
            for bit in generator.sample(range(64), flips):
                base ^= 1 << bit
            value = base
        doc_id = f"doc-{n}"
        fingerprints[doc_id] = f"{value:016x}"
        copies.add({"id": doc_id, "simhash": fingerprints[doc_id], "fetched_at": "2024-03-12"})
    for probe in list(fingerprints.values())[::7]:
        expected = {i for i, f in fingerprints.items() if hamming(f, probe) <= MAX_DISTANCE}
        assert {copy.id for copy in copies.near(probe)} == expected


class RecordingExecutor:
    """Stands in for a process pool: records whether it was shut down."""

    def __init__(self) -> None:
        self.shut_down = False

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.shut_down = True


def test_a_dead_worker_replaces_the_pool_once_for_every_item_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[RecordingExecutor] = []

    def start(workers: int) -> RecordingExecutor:
        started.append(RecordingExecutor())
        return started[-1]

    monkeypatch.setattr(analysis_pool, "start_pool", start)
    pool = analysis_pool.AnalysisPool()
    broken = pool.acquire(2)
    # three items in flight all failed on the same broken pool and retry
    retries = [pool.restart(broken, 2) for _ in range(3)]
    assert len(started) == 2 and started[0].shut_down
    assert all(retry is started[1] for retry in retries)
    assert not started[1].shut_down  # the later items did not shut the fresh pool down
