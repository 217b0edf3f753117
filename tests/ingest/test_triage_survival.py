"""Staff decisions are never lost by the ways items get written again: a re-crawl, a
re-import (the text changed), ``wildwatch reindex`` from the archive (even after the index
file is lost), and ``wildwatch index reindex`` on Elasticsearch."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.archive import EvidenceArchive
from pipelines.urls import document_id
from search.backend import SearchBackend, SearchRequest
from search.sqlite_backend import SqliteBackend
from search.triage import TriageChange
from tests.crawlers.conftest import run_crawl, write_sources
from tests.crawlers.site.server import SiteServer
from tests.ingest.drill_site import BASE, article_html, make_articles
from wildwatch.cli import main

PANGOLIN_URL = "https://baotintuc.vn/phap-luat/thu-giu-vay-te-te-tai-hai-phong-2001.html"
TURTLE_URL = "https://baotintuc.vn/phap-luat/rua-bien-duoc-tha-ve-bien-2002.html"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    return tmp_path


def _found(backend: SearchBackend, **filters: object) -> set[str]:
    response = backend.search(SearchRequest(limit=100, **filters))  # type: ignore[arg-type]
    return {hit["id"] for hit in response["hits"]}


def _import(home: Path, lines: list[dict[str, str]]) -> None:
    path = home / "archive.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    assert main(["import", "-i", str(path)]) == 0


def test_reimport_with_changed_text_keeps_the_decisions(home: Path) -> None:
    first = [
        {
            "url": PANGOLIN_URL,
            "title": "Thu giữ 300 kg vảy tê tê tại cảng Hải Phòng",
            "text": "Hải quan Hải Phòng thu giữ 300 kg vảy tê tê trong container nhập khẩu.",
            "published_at": "2024-05-02T08:00:00+07:00",
        },
        {
            "url": TURTLE_URL,
            "title": "Rùa biển được thả về biển",
            "text": "Kiểm lâm thả một cá thể rùa biển về biển sau khi cứu hộ.",
            "published_at": "2024-05-03T08:00:00+07:00",
        },
    ]
    _import(home, first)
    pangolin, turtle = document_id(PANGOLIN_URL), document_id(TURTLE_URL)
    with SqliteBackend.from_settings() as backend:
        backend.set_triage(
            [pangolin], TriageChange.checked(state="relevant", note="Vụ lớn"), by="lan"
        )
        backend.set_triage([turtle], TriageChange.checked(state="not_relevant"), by="lan")
    changed = [dict(first[0], text=first[0]["text"] + " Hai đối tượng đã bị bắt giữ."), first[1]]
    _import(home, changed)
    with SqliteBackend.from_settings() as backend:
        assert "bắt giữ" in (backend.get(pangolin) or {}).get("text", "")
        assert "arrest" in (backend.get(pangolin) or {}).get("enforcement", [])
        assert _found(backend, triage=("relevant",)) == {pangolin}
        assert _found(backend, triage=("not_relevant",)) == {turtle}
        assert backend.triage_of([pangolin])[pangolin].note == "Vụ lớn"
        assert len(backend.triage_history(pangolin)) == 1


def test_recrawl_keeps_the_decisions(site: SiteServer, home: Path) -> None:
    sources = write_sources(site, home / "sources.toml")
    crawl = ("--sources", str(sources), "--source", "tg-dongvat-hoangda", "--max-pages", "1")
    assert run_crawl(home, *crawl).returncode == 0
    with SqliteBackend.from_settings() as backend:
        crawled = sorted(hit["id"] for hit in backend.search(SearchRequest(limit=50))["hits"])
        assert len(crawled) >= 3
        backend.set_triage(crawled[:2], TriageChange.checked(state="follow_up"), by="lan")
        backend.set_triage(crawled[2:3], TriageChange.checked(note="Gọi lại"), by="minh")
    second = run_crawl(home, *crawl)
    assert second.returncode == 0, second.stderr
    with SqliteBackend.from_settings() as backend:
        assert _found(backend, triage=("follow_up",)) == set(crawled[:2])
        assert _found(backend, noted=True) == set(crawled[2:3])
        assert _found(backend, triage=("untriaged",)) == set(crawled[2:])


def test_reindex_from_the_archive_keeps_them_even_when_the_index_is_lost(home: Path) -> None:
    article = make_articles(1)[0]
    with EvidenceArchive.from_settings() as archive:
        archive.store(
            url=article.url,
            final_url=article.url,
            status=200,
            headers=[("Content-Type", "text/html; charset=utf-8")],
            body=article_html(article),
            fetched_at=datetime(2024, 5, 6, 1, 0, tzinfo=UTC),
            source="baotintuc",
        )
    sources = home / "sources.toml"
    sources.write_text(
        f'[[sources]]\nname = "baotintuc"\nkind = "news"\nlanguage = "vi"\n'
        f'start_urls = ["{BASE}/phap-luat/"]\n',
        "utf-8",
    )
    assert main(["reindex", "--sources", str(sources)]) == 0
    doc_id = document_id(article.url)
    with SqliteBackend.from_settings() as backend:
        backend.set_triage([doc_id], TriageChange.checked(state="relevant"), by="lan")
    assert main(["reindex", "--sources", str(sources)]) == 0
    with SqliteBackend.from_settings() as backend:
        assert _found(backend, triage=("relevant",)) == {doc_id}
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        (home / name).unlink(missing_ok=True)  # the index is lost; archive and triage are not
    assert main(["reindex", "--sources", str(sources)]) == 0
    with SqliteBackend.from_settings() as backend:
        assert _found(backend, triage=("relevant",)) == {doc_id}
        assert backend.triage_of([doc_id])[doc_id].by == "lan"


@pytest.mark.elasticsearch
def test_elasticsearch_index_reindex_keeps_them(home: Path) -> None:
    from elasticsearch import Elasticsearch

    from search.elasticsearch_backend import ElasticsearchBackend
    from tests.search.conftest import corpus, delete_versions, elasticsearch_url

    alias = f"wildwatch-test-{uuid.uuid4().hex[:8]}"
    backend = ElasticsearchBackend(Elasticsearch(elasticsearch_url()), alias=alias, refresh=True)
    try:
        backend.upsert(corpus())
        backend.set_triage(["rhino-daklak"], TriageChange.checked(state="relevant"), by="lan")
        backend.set_triage(["tiger-ad"], TriageChange.checked(note="Số Zalo"), by="lan")
        old, new, copied = backend.reindex(delete_old=True)
        assert (old, new, copied) == (f"{alias}-v1", f"{alias}-v2", len(corpus()))
        assert _found(backend, triage=("relevant",)) == {"rhino-daklak"}
        assert _found(backend, noted=True) == {"tiger-ad"}
        facets = backend.search(SearchRequest(limit=0))["facets"]
        assert facets["triage"] == {"untriaged": len(corpus()) - 1, "relevant": 1}
    finally:
        delete_versions(backend.client, alias)
        backend.close()


@pytest.mark.elasticsearch
def test_triage_made_while_elasticsearch_reindexes_reaches_the_new_version(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from elasticsearch import Elasticsearch

    from search.elasticsearch_backend import ElasticsearchBackend
    from tests.search.conftest import corpus, delete_versions, elasticsearch_url

    alias = f"wildwatch-test-{uuid.uuid4().hex[:8]}"
    backend = ElasticsearchBackend(Elasticsearch(elasticsearch_url()), alias=alias, refresh=True)
    staff = ElasticsearchBackend(Elasticsearch(elasticsearch_url()), alias=alias, refresh=True)
    try:
        backend.upsert(corpus())
        copy_batch = backend._bulk

        def copy_then_triage(actions: list[dict[str, object]], **options: bool) -> None:
            copy_batch(actions, **options)
            if options.get("require_alias") is False and actions[0]["_op_type"] == "index":
                # a staff member marks an item after its batch was copied, before the swap
                staff.set_triage(
                    ["ivory-danang"], TriageChange.checked(state="follow_up"), by="lan"
                )

        monkeypatch.setattr(backend, "_bulk", copy_then_triage)
        backend.reindex(delete_old=True)
        assert _found(backend, triage=("follow_up",)) == {"ivory-danang"}
    finally:
        delete_versions(backend.client, alias)
        backend.close()
        staff.close()
