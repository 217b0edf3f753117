"""The Elasticsearch backend: bulk retries against a fake node, the rest on a real one.

``FakeNode`` replaces the HTTP node of elastic_transport (``node_class=``) to answer bulk
requests with the 429s and 503s a busy cluster sends, which a healthy local node never does.
Everything else runs on the live node of ``make test`` (``WILDWATCH_TEST_ELASTICSEARCH_URL``):
the versioned index behind its alias, reindexing, refresh, prefixes and facets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch

from search.backend import SearchRequest
from search.elasticsearch_backend import ElasticsearchBackend, IndexingError
from search.es_versions import IndexLayoutError, current_index
from tests.search.conftest import corpus, delete_versions, elasticsearch_url, make_doc

Handler = Callable[[str, str, Any], tuple[int, Any]]


class FakeCluster:
    """Just enough of Elasticsearch: an alias, one index, documents by id, bulk, mget, get."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.indices: dict[str, dict[str, Any]] = {}
        self.docs: dict[str, dict[str, Any]] = {}
        self.reject: dict[str, list[int]] = {}  # id -> statuses to answer, one per attempt
        self.search_response: dict[str, Any] = {}
        self.fail_requests = 0  # answer this many bulk requests with 503
        self.triage_index = False

    def handle(self, method: str, target: str, body: Any) -> tuple[int, Any]:
        self.requests.append((method, target, body))
        path = target.split("?")[0]
        if "-triage" in path or path.endswith("/_mapping"):
            return self._triage(method, path)
        if method == "GET" and path.startswith("/_alias/"):
            alias = path.rsplit("/", 1)[1]
            found: dict[str, Any] = {name: {"aliases": {alias: {}}} for name in self.indices}
            return (200, found) if found else (404, {"error": "alias missing", "status": 404})
        if method == "HEAD" and path.count("/") == 1:
            return (200 if path[1:] in self.indices else 404), None
        if method == "PUT" and path.count("/") == 1 and not path.startswith("/_"):
            self.indices[path[1:]] = body
            return 200, {"acknowledged": True, "index": path[1:]}
        if path.endswith("/_bulk"):
            return self._bulk(body)
        if path.endswith("/_mget"):
            docs = [
                {
                    "_id": i,
                    "found": i in self.docs,
                    **({"_source": self.docs[i]} if i in self.docs else {}),
                }
                for i in body["ids"]
            ]
            return 200, {"docs": docs}
        if method == "GET" and "/_doc/" in path:
            doc_id = path.rsplit("/", 1)[1]
            if doc_id in self.docs:
                return 200, {"_id": doc_id, "found": True, "_source": self.docs[doc_id]}
            return 404, {"_id": doc_id, "found": False}
        if path.endswith("/_search"):
            return 200, self.search_response
        raise AssertionError(f"unexpected request {method} {target}")

    def _triage(self, method: str, path: str) -> tuple[int, Any]:
        # The triage records index (search/es_triage.py) exists apart from the alias; no item
        # of these tests is triaged. A mapping update is acknowledged.
        if method == "HEAD":
            return (200 if self.triage_index else 404), None
        if method == "PUT" and not path.endswith("/_mapping"):
            self.triage_index = True
            return 200, {"acknowledged": True}
        if path.endswith("/_mget"):
            return 200, {"docs": []}
        return 200, {"acknowledged": True}

    def _bulk(self, lines: list[dict[str, Any]]) -> tuple[int, Any]:
        if self.fail_requests:
            self.fail_requests -= 1
            return 503, {"error": {"type": "unavailable"}, "status": 503}
        items = []
        for action, source in zip(lines[::2], lines[1::2], strict=True):
            doc_id = action["index"]["_id"]
            statuses = self.reject.get(doc_id)
            if statuses:
                status = statuses.pop(0)
                error = {"type": "es_rejected_execution_exception", "reason": "queue full"}
                items.append({"index": {"_id": doc_id, "status": status, "error": error}})
                continue
            self.docs[doc_id] = source
            items.append({"index": {"_id": doc_id, "status": 201, "result": "created"}})
        return 200, {"errors": any("error" in i["index"] for i in items), "items": items}


class FakeNode(BaseNode):
    cluster: ClassVar[FakeCluster]
    _CLIENT_META_HTTP_CLIENT = ("fake", "1")

    def perform_request(  # type: ignore[override]
        self, method: str, target: str, body: bytes | None = None, headers: Any = None, **_: Any
    ) -> NodeApiResponse:
        decoded: Any = None
        if body:
            text = body.decode("utf-8")
            lines = [json.loads(line) for line in text.splitlines() if line.strip()]
            decoded = lines if "_bulk" in target else lines[0]
        status, answer = self.cluster.handle(method, target, decoded)
        response_headers = HttpHeaders(
            {"x-elastic-product": "Elasticsearch", "content-type": "application/json"}
        )
        meta = ApiResponseMeta(status, "1.1", response_headers, 0.0, self.config)
        return NodeApiResponse(meta, json.dumps(answer).encode() if answer is not None else b"")


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[FakeCluster]:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
    FakeNode.cluster = FakeCluster()
    yield FakeNode.cluster


@pytest.fixture
def backend(cluster: FakeCluster) -> ElasticsearchBackend:
    # The client's default retries stay on: the backend must switch them off for bulk requests.
    client = Elasticsearch("http://127.0.0.1:9200", node_class=FakeNode)
    return ElasticsearchBackend(client, initial_backoff=0.0, retries=3)


def bulk_requests(cluster: FakeCluster) -> list[list[dict[str, Any]]]:
    return [body for method, target, body in cluster.requests if "_bulk" in target]


def test_rejected_items_are_retried_with_backoff(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    cluster.reject["pangolin-mongcai"] = [429, 503]
    cluster.fail_requests = 1
    assert backend.upsert(corpus()[:3]) == ["new"] * 3
    retried = [[a["index"]["_id"] for a in body[::2]] for body in bulk_requests(cluster)]
    assert retried == [
        ["rhino-daklak", "pangolin-mongcai", "ivory-danang"],  # 503 for the whole request
        ["rhino-daklak", "pangolin-mongcai", "ivory-danang"],
        ["pangolin-mongcai"],
        ["pangolin-mongcai"],
    ]
    assert set(cluster.docs) == {"rhino-daklak", "pangolin-mongcai", "ivory-danang"}
    targets = {target for _m, target, _b in cluster.requests if "_bulk" in target}
    assert all("require_alias=true" in target for target in targets)


def test_a_refused_item_does_not_stop_the_retries_of_the_others(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    cluster.reject["ivory-danang"] = [400]  # a bad value: retrying cannot help
    cluster.reject["rhino-daklak"] = [429, 429]  # a busy cluster: it can
    with pytest.raises(IndexingError, match="ivory-danang") as caught:
        backend.upsert(corpus()[:3])
    assert set(caught.value.failures) == {"ivory-danang"}
    assert set(cluster.docs) == {"rhino-daklak", "pangolin-mongcai"}


def test_items_that_keep_failing_are_reported_and_retries_never_stack(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    cluster.reject["tiger-ad"] = [429] * 10
    with pytest.raises(IndexingError, match="tiger-ad") as caught:
        backend.upsert(corpus()[4:5])
    assert set(caught.value.failures) == {"tiger-ad"}
    # 1 + 3 attempts by the backend, none added by the client's own retry policy
    assert len(bulk_requests(cluster)) == 4
    cluster.reject.clear()
    assert backend.upsert(corpus()[4:5]) == ["new"]  # the next run sends it again


# --- on the live node --------------------------------------------------------------------


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[ElasticsearchBackend]:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
    import uuid

    alias = f"wildwatch-test-{uuid.uuid4().hex[:8]}"
    backend = ElasticsearchBackend(Elasticsearch(elasticsearch_url()), alias=alias)
    try:
        yield backend
    finally:
        delete_versions(backend.client, alias)
        backend.close()


def ids(backend: ElasticsearchBackend, query: str = "", **filters: Any) -> set[str]:
    response = backend.search(SearchRequest(query=query, limit=100, **filters))
    return {hit["id"] for hit in response["hits"]}


@pytest.mark.elasticsearch
def test_writes_go_through_the_alias_of_a_versioned_index(live: ElasticsearchBackend) -> None:
    live.upsert(corpus())
    live.refresh_index()
    assert current_index(live.client, live.alias) == f"{live.alias}-v1"
    assert live.client.count(index=f"{live.alias}-v1")["count"] == len(corpus())
    # Someone removes the alias: writes fail instead of creating a dynamic index.
    live.client.indices.delete_alias(index=f"{live.alias}-v1", name=live.alias)
    with pytest.raises(IndexingError, match="alias"):
        live.upsert([make_doc("late", title="late item", fetched_at="2024-05-06T00:00:00Z")])
    assert not live.client.indices.exists(index=live.alias)


@pytest.mark.elasticsearch
def test_reindex_builds_the_next_version_and_swaps_the_alias(live: ElasticsearchBackend) -> None:
    live.upsert(corpus())
    live.refresh_index()
    before = ids(live, '"tê tê"')
    old, new, copied = live.reindex(delete_old=True)
    assert (old, new, copied) == (f"{live.alias}-v1", f"{live.alias}-v2", len(corpus()))
    assert current_index(live.client, live.alias) == new
    assert not live.client.indices.exists(index=str(old))
    assert ids(live, '"te te"') == before == {"pangolin-mongcai"}
    assert live.get("tiger-ad") == corpus()[4]


@pytest.mark.elasticsearch
def test_a_plain_index_named_like_the_alias_is_moved_behind_it(live: ElasticsearchBackend) -> None:
    live.client.indices.create(index=live.alias)  # what an old auto-created index looks like
    live.client.index(index=live.alias, id="tiger-ad", document=dict(corpus()[4]), refresh=True)
    with pytest.raises(IndexLayoutError, match="wildwatch index reindex"):
        live.count()
    old, new, copied = live.reindex()
    assert (old, new, copied) == (live.alias, f"{live.alias}-v1", 1)
    assert ids(live, "cao ho") == {"tiger-ad"}


@pytest.mark.elasticsearch
def test_a_window_ending_now_sees_what_was_just_indexed(live: ElasticsearchBackend) -> None:
    # No refresh on write (the crawl's setting): the alert's search must refresh itself.
    live.ensure_index()
    live.client.indices.put_settings(index=live.alias, settings={"refresh_interval": "-1"})
    now = datetime.now(UTC)
    live.upsert([make_doc("fresh", title="Tê tê", fetched_at=now.isoformat())])
    window = {
        "fetched_since": now - timedelta(hours=1),
        "fetched_until": now + timedelta(seconds=1),
    }
    assert ids(live, "te te", **window) == {"fresh"}


@pytest.mark.elasticsearch
def test_prefix_finds_every_expansion(live: ElasticsearchBackend) -> None:
    # match_phrase_prefix stops at 50 expansions; a prefix query does not.
    docs = [
        make_doc(f"d{n}", title=f"pangolin{n:03d}", fetched_at="2024-05-05T00:00:00Z")
        for n in range(120)
    ]
    live.refresh = True
    live.upsert(docs)
    assert len(ids(live, "pangolin*")) == 100  # a full page of the limit
    assert live.search(SearchRequest(query="pangolin*", limit=0))["total"] == 120
    assert live.search(SearchRequest(query='"pangolin0"', limit=0))["total"] == 0


@pytest.mark.elasticsearch
def test_facet_ties_are_in_value_order_and_keys_are_normalised(live: ElasticsearchBackend) -> None:
    live.refresh = True
    live.upsert(
        [
            make_doc("a", source="Tuoitre", locations=["Đắk  Lắk"], species=["bear"]),
            make_doc("b", source="vnexpress", locations=["Dak Lak"], species=["tiger"]),
            make_doc("c", source="tuoitre", species=["bear", "tiger"]),
        ]
    )
    facets = live.search(SearchRequest())["facets"]
    assert list(facets["species"].items()) == [("bear", 2), ("tiger", 2)]
    assert facets["source"] == {"tuoitre": 2, "vnexpress": 1}
    assert ids(live, location=("dak lak",)) == {"a", "b"}
    assert ids(live, source=("TUOITRE",)) == {"a", "c"}


@pytest.mark.elasticsearch
def test_the_index_commands(
    live: ElasticsearchBackend, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from wildwatch.cli import main

    live.upsert(corpus())
    monkeypatch.setenv("WILDWATCH_ELASTICSEARCH_URL", elasticsearch_url())
    monkeypatch.setenv("WILDWATCH_ELASTICSEARCH_INDEX", live.alias)
    assert main(["index", "reindex"]) == 0
    assert f"copied {len(corpus())} item(s)" in capsys.readouterr().out
    assert main(["index", "status"]) == 0
    assert capsys.readouterr().out.strip() == f"{live.alias} -> {live.alias}-v2"
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL")
    assert main(["index", "reindex"]) == 2
    assert "WILDWATCH_ELASTICSEARCH_URL is not set" in capsys.readouterr().err
