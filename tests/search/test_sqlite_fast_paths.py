"""The SQLite index's fast paths give the same answers as counting and ranking every match:
facet counts kept by triggers (the landing page), and scored matches cached until the index
changes (very common words)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest

import search.sqlite_backend as sqlite_backend
from bench.generate_documents import generate
from search.backend import SearchRequest
from search.document import Document
from search.indexed import InvalidDocument
from search.sqlite_backend import SqliteBackend
from tests.search.conftest import corpus, make_doc

EVERYTHING = date(1970, 1, 1)  # a filter every item passes: forces the count over all blobs


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteBackend:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    backend = SqliteBackend(tmp_path / "index.sqlite")
    backend.upsert(corpus())
    return backend


def landing_facets(backend: SqliteBackend) -> dict[str, dict[str, int]]:
    return backend.search(SearchRequest())["facets"]


def counted_facets(backend: SqliteBackend) -> dict[str, dict[str, int]]:
    backend.forget_cached_results()
    return backend.search(SearchRequest(since=EVERYTHING))["facets"]


def test_landing_page_facets_equal_a_full_count(index: SqliteBackend) -> None:
    facets = landing_facets(index)
    assert facets == counted_facets(index)
    assert facets["species"] == {"elephant": 3, "pangolin": 2, "rhino": 2, "tiger": 1}
    assert facets["kind"] == {"news": 5, "marketplace": 1, "social": 1}
    assert facets["wildlife_trade"] == {"true": 6, "false": 1}
    assert "" not in facets["country"]  # the social post has no country
    assert index.search(SearchRequest())["total"] == len(corpus())


def test_update_that_changes_values_moves_the_counts(index: SqliteBackend) -> None:
    ad = next(doc for doc in corpus() if doc["id"] == "tiger-ad")
    text = ad["text"] + " Mật gấu rừng."
    relabelled = cast(
        Document,
        {**ad, "species": ["bear"], "kind": "social", "text": text, "content_hash": "v2"},
    )
    assert index.upsert([relabelled]) == ["updated"]
    facets = landing_facets(index)
    assert facets == counted_facets(index)
    assert "tiger" not in facets["species"]  # its only item moved away: no zero entries
    assert facets["species"]["bear"] == 1
    assert facets["species"]["elephant"] == 2
    assert facets["kind"] == {"news": 5, "social": 2}


def test_reindexing_unchanged_items_keeps_the_counts(index: SqliteBackend) -> None:
    before = landing_facets(index)
    assert index.upsert(corpus()) == ["unchanged"] * len(corpus())
    # New analysis of the same text (an extra place) is stored and counted once.
    again = [
        cast(Document, {**doc, "locations": [*doc["locations"], "Hà Nội"]}) for doc in corpus()
    ]
    index.upsert(again)
    after = landing_facets(index)
    assert after == counted_facets(index)
    assert after["species"] == before["species"]
    assert after["locations"]["Hà Nội"] == len(corpus())


def test_a_rejected_batch_leaves_the_counts_as_they_were(index: SqliteBackend) -> None:
    before = landing_facets(index)
    bad = make_doc("bad", title="Bán ngà voi", fetched_at="hôm qua")
    with pytest.raises(InvalidDocument):
        index.upsert([make_doc("fine", species=["tiger"], title="Bán hổ"), bad])
    assert landing_facets(index) == before


def test_deleting_items_takes_them_out_of_counts_and_search(index: SqliteBackend) -> None:
    for _ in range(2):
        assert index.search(SearchRequest(query="pangolin"))["total"] == 1  # now cached
    assert index.delete(["pangolin-social", "no-such-item"]) == 1
    facets = landing_facets(index)
    assert facets["kind"] == {"news": 5, "marketplace": 1}
    assert facets["species"]["pangolin"] == 1
    assert "Bangkok" not in facets["locations"]
    assert facets == counted_facets(index)
    assert index.search(SearchRequest(query="pangolin"))["total"] == 0
    assert index.get("pangolin-social") is None
    # The text index forgot it too: the same item can come back.
    assert index.upsert([next(d for d in corpus() if d["id"] == "pangolin-social")]) == ["new"]
    assert index.search(SearchRequest(query="pangolin"))["total"] == 1


def test_an_index_from_before_the_counts_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    backend = SqliteBackend(path)
    backend.upsert(corpus())
    expected = counted_facets(backend)
    backend.close()
    old = sqlite3.connect(path, isolation_level=None)  # make it look like schema version 1
    old.execute("DROP TABLE facet_counts")
    old.execute("DROP TABLE index_state")
    old.execute("PRAGMA user_version = 1")
    old.close()
    upgraded = SqliteBackend(path)
    assert landing_facets(upgraded) == expected
    upgraded.upsert([make_doc("new-tiger", title="Bán cao hổ", species=["tiger"])])
    assert landing_facets(upgraded)["species"]["tiger"] == 2
    upgraded.close()


def test_an_index_with_counting_triggers_is_upgraded_without_double_counts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "index.sqlite"
    SqliteBackend(path).close()
    dev = sqlite3.connect(path, isolation_level=None)  # a development build's file (version 3)
    dev.execute(
        "CREATE TRIGGER facet_counts_value_insert AFTER INSERT ON item_values BEGIN "
        "UPDATE facet_counts SET n = n + 1 WHERE field = NEW.field AND value = NEW.value; END"
    )
    dev.execute("PRAGMA user_version = 3")
    dev.close()
    backend = SqliteBackend(path)
    backend.upsert(corpus())
    assert landing_facets(backend) == counted_facets(backend)
    backend.upsert([make_doc("second-rhino", title="Sừng tê giác", species=["rhino"])])
    assert landing_facets(backend)["species"]["rhino"] == 3
    backend.close()


# --- cached scored matches -----------------------------------------------------------------


@pytest.fixture
def news(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteBackend:
    """600 generated Vietnamese and English items, the newest from yesterday."""
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    backend = SqliteBackend(tmp_path / "index.sqlite")
    backend.upsert(list(generate(600, start=datetime.now(UTC))))
    return backend


def page(backend: SqliteBackend, query: str, offset: int = 0) -> list[str]:
    response = backend.search(SearchRequest(query=query, offset=offset, limit=20))
    return [hit["id"] for hit in response["hits"]]


@pytest.mark.parametrize("query", ["thu giu", "te te", "ivory OR ngà", "công an", "bat giu"])
def test_cached_ranking_gives_the_pages_sqlite_gives(
    news: SqliteBackend, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    monkeypatch.setattr(sqlite_backend, "CACHE_MIN_MATCHES", 10**9)
    ranked_by_sqlite = [page(news, query, offset) for offset in (0, 20, 100)]
    assert ranked_by_sqlite[0]  # the query matches
    monkeypatch.setattr(sqlite_backend, "CACHE_MIN_MATCHES", 10)
    news.forget_cached_results()
    page(news, query)  # first request: ranked by SQLite; the next ones use the cache
    for _ in range(2):
        assert [page(news, query, offset) for offset in (0, 20, 100)] == ranked_by_sqlite
    assert news._results.matches  # the cached path really ran


def test_cached_ranking_keeps_title_and_recency_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_backend, "CACHE_MIN_MATCHES", 1)
    backend = SqliteBackend(tmp_path / "index.sqlite")
    now = datetime.now(UTC)
    text = "Kiểm lâm phát hiện vụ vận chuyển động vật hoang dã trái phép, trong đó có tê tê."

    def published(days: int) -> str:
        return (now - timedelta(days=days)).isoformat()

    backend.upsert(
        [
            make_doc("old", title="Tin tức", text=text, published_at=published(400)),
            make_doc("new", title="Tin tức", text=text, published_at=published(1)),
            make_doc("titled", title="Tê tê bị buôn bán", text=text, published_at=published(90)),
            make_doc("untitled", title="Tin tức", text=text, published_at=published(90)),
        ]
    )
    for _ in range(3):
        ranked = page(backend, "te te")
        assert ranked.index("titled") < ranked.index("untitled")
        assert ranked.index("new") < ranked.index("untitled") < ranked.index("old")
    assert backend._results.matches


def test_cached_results_follow_writes_from_anywhere(
    news: SqliteBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_backend, "CACHE_MIN_MATCHES", 10)
    request = SearchRequest(query="thu giu")
    for _ in range(3):
        before = news.search(request)
    fresh = make_doc(
        "fresh-seizure",
        title="Thu giữ 300 kg vảy tê tê tại cảng Hải Phòng",
        text="Hải quan Hải Phòng thu giữ 300 kg vảy tê tê.",
        published_at=datetime.now(UTC).isoformat(),
        species=["pangolin"],
    )
    news.upsert([fresh])  # this backend's own write
    after = news.search(request)
    assert after["total"] == before["total"] + 1
    assert after["hits"][0]["id"] == "fresh-seizure"
    assert after["facets"]["species"]["pangolin"] == before["facets"]["species"]["pangolin"] + 1

    crawl = SqliteBackend(news.path)  # another process writing the same file
    crawl.upsert([cast(Document, {**fresh, "id": "fresh-2", "url": "https://example.vn/f2"})])
    crawl.close()
    assert news.search(request)["total"] == before["total"] + 2


def test_a_result_computed_while_the_index_changed_is_not_kept(
    index: SqliteBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = index._count
    crawl = SqliteBackend(index.path)

    def count_while_a_crawl_commits(*args: object, **kwargs: bool) -> object:
        result = count(*args, **kwargs)  # type: ignore[arg-type]
        crawl.upsert([make_doc("late-tiger", title="Bán cao hổ", species=["tiger"])])
        index._at_current_generation(index._connection())  # another thread's search
        return result

    monkeypatch.setattr(index, "_count", count_while_a_crawl_commits)
    request = SearchRequest(since=EVERYTHING)
    raced = index.search(request)
    monkeypatch.setattr(index, "_count", count)
    fresh = index.search(request)
    assert fresh["total"] == raced["total"] + 1
    assert fresh["facets"]["species"]["tiger"] == 2
    crawl.close()
