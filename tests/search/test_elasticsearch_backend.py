"""The Elasticsearch backend through the official client, against a fake node.

``FakeNode`` replaces the HTTP node of elastic_transport (``node_class=``), so every request the
client builds (paths, bulk NDJSON, query DSL) is checked as it would go over the wire, and
answers come from a small in-memory cluster or canned responses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, ClassVar

import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch

from search.backend import SearchRequest
from search.elasticsearch_backend import ElasticsearchBackend, IndexingError
from tests.search.conftest import corpus

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

    def handle(self, method: str, target: str, body: Any) -> tuple[int, Any]:
        self.requests.append((method, target, body))
        path = target.split("?")[0]
        if method == "HEAD" and path.startswith("/_alias/"):
            return (200 if self.indices else 404), None
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
    client = Elasticsearch("http://127.0.0.1:9200", node_class=FakeNode, max_retries=0)
    return ElasticsearchBackend(client, initial_backoff=0.0, retries=3)


def bulk_requests(cluster: FakeCluster) -> list[list[dict[str, Any]]]:
    return [body for method, target, body in cluster.requests if "_bulk" in target]


def test_first_write_creates_the_versioned_index_behind_the_alias(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    backend.upsert(corpus()[:1])
    created = cluster.indices["wildwatch-items-v1"]
    assert created["aliases"] == {"wildwatch-items": {"is_write_index": True}}
    analysis = created["settings"]["analysis"]
    assert analysis["char_filter"]["vietnamese_d"]["mappings"] == ["đ => d", "Đ => D"]
    assert analysis["analyzer"]["folded"]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["analyzer"]["segmented"]["tokenizer"] == "whitespace"
    assert created["mappings"]["properties"]["prices"]["type"] == "nested"
    assert "_comment" not in created
    backend.upsert(corpus()[1:2])
    assert sum(1 for method, _t, _b in cluster.requests if method == "PUT" and "-v1" in _t) == 1


def test_bulk_payload_goes_through_the_alias_by_item_id(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    assert backend.upsert(corpus()) == ["new"] * len(corpus())
    (payload,) = bulk_requests(cluster)
    actions, sources = payload[::2], payload[1::2]
    assert actions[0] == {"index": {"_index": "wildwatch-items", "_id": "rhino-daklak"}}
    first = sources[0]
    assert first["title"].startswith("Bắt giữ")
    # 23:30 on 2 May in Vietnam is 16:30 UTC: the derived item date is absolute.
    assert first["item_date"] == "2024-05-02T16:30:00+00:00"
    assert [first[f"band{i}"] for i in range(4)] == [0xF0F0] * 4
    undated = sources[[a["index"]["_id"] for a in actions].index("tiger-ad")]
    assert undated["item_date"] == "2024-05-04T10:00:00+00:00"


def test_reindex_outcomes_and_first_fetch_date_kept(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    backend.upsert(corpus())
    changed = dict(corpus()[0], text="Đã khởi tố vụ án.", content_hash="other")
    changed["fetched_at"] = "2024-07-01T00:00:00Z"
    outcomes = backend.upsert([corpus()[1], changed])  # type: ignore[list-item]
    assert outcomes == ["unchanged", "updated"]
    last = bulk_requests(cluster)[-1]
    assert [line["index"]["_id"] for line in last[::2]] == ["rhino-daklak"]
    assert last[1]["fetched_at"] == corpus()[0]["fetched_at"]
    stored = backend.get("rhino-daklak")
    assert stored is not None and stored["text"] == "Đã khởi tố vụ án." and "band0" not in stored


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


def test_items_that_keep_failing_are_reported_not_dropped(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    cluster.reject["ivory-danang"] = [400]
    with pytest.raises(IndexingError, match="ivory-danang") as caught:
        backend.upsert(corpus()[:3])
    assert set(caught.value.failures) == {"ivory-danang"}
    cluster.reject["tiger-ad"] = [429] * 10
    with pytest.raises(IndexingError, match="tiger-ad"):
        backend.upsert(corpus()[4:5])
    assert len(bulk_requests(cluster)) == 1 + 4  # first call, then 1 + 3 retries


def test_search_body_for_a_query_with_filters(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    cluster.indices["wildwatch-items-v1"] = {}
    source = dict(corpus()[4], item_date="2024-05-04T10:00:00+00:00", band0=1)
    cluster.search_response = {
        "hits": {"total": {"value": 41}, "hits": [{"_id": "tiger-ad", "_source": source}]},
        "aggregations": {
            "species": {"buckets": [{"key": "tiger", "doc_count": 30}]},
            "wildlife_trade": {"buckets": [{"key": 1, "key_as_string": "true", "doc_count": 41}]},
        },
    }
    request = SearchRequest(
        query='cao hổ OR "ngà voi" -rượu',
        species=("tiger",),
        location=("Hà Nội",),
        kind=("marketplace",),
        since=date(2024, 5, 1),
        until=date(2024, 5, 4),
        limit=5,
    )
    response = backend.search(request)
    _method, target, body = cluster.requests[-1]
    assert target.startswith("/wildwatch-items/_search")
    scored = body["query"]["function_score"]
    assert scored["functions"][0]["exp"]["item_date"]["scale"] == "30d"
    boolean = scored["query"]["bool"]
    assert {"terms": {"species": ["tiger"]}} in boolean["filter"]
    assert {"terms": {"locations.key": ["ha noi"]}} in boolean["filter"]
    assert {"terms": {"kind": ["marketplace"]}} in boolean["filter"]
    # Whole days in Vietnam: 1 May 00:00 +07:00 to 4 May 23:59:59 +07:00, sent in UTC.
    assert {
        "range": {
            "item_date": {"gte": "2024-04-30T17:00:00+00:00", "lte": "2024-05-04T16:59:59+00:00"}
        }
    } in boolean["filter"]
    text_query = json.dumps(boolean["must"], ensure_ascii=False)
    assert '"query": "ngà voi"' not in text_query and '"query": "nga voi"' in text_query
    assert '"must_not"' in text_query and '"ruou"' in text_query
    assert body["size"] == 5 and body["track_total_hits"] is True
    assert body["aggs"]["locations"] == {"terms": {"field": "locations", "size": 50}}
    assert response["total"] == 41
    assert response["facets"]["species"] == {"tiger": 30}
    assert response["facets"]["wildlife_trade"] == {"true": 41}
    hit = response["hits"][0]
    assert "band0" not in hit and hit["id"] == "tiger-ad"
    assert "&lt;img" in hit["snippet"] and "<mark>Cao</mark> <mark>hổ</mark>" in hit["snippet"]


def test_empty_query_sorts_by_date_without_scoring(
    backend: ElasticsearchBackend, cluster: FakeCluster
) -> None:
    cluster.indices["x"] = {}
    cluster.search_response = {"hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}
    backend.search(SearchRequest(wildlife_trade=True, facets=False))
    body = cluster.requests[-1][2]
    assert body["query"] == {
        "bool": {"must": [{"match_all": {}}], "filter": [{"term": {"wildlife_trade": True}}]}
    }
    assert body["sort"] == [{"item_date": "desc"}, {"id": "desc"}]
    assert "aggs" not in body


def test_histogram_body_and_buckets(backend: ElasticsearchBackend, cluster: FakeCluster) -> None:
    cluster.indices["x"] = {}
    cluster.search_response = {
        "hits": {"total": {"value": 3}, "hits": []},
        "aggregations": {
            "dates": {
                "buckets": [
                    {
                        "key_as_string": "2024-04-29",
                        "doc_count": 3,
                        "species": {
                            "buckets": [
                                {"key": "pangolin", "doc_count": 2},
                                {"key": "rhino", "doc_count": 1},
                            ]
                        },
                    }
                ]
            }
        },
    }
    buckets = backend.histogram(SearchRequest(), interval="week", by=("species",))
    body = cluster.requests[-1][2]
    histogram = body["aggs"]["dates"]["date_histogram"]
    assert histogram["calendar_interval"] == "week"
    assert histogram["time_zone"] == "Asia/Ho_Chi_Minh"
    assert body["aggs"]["dates"]["aggs"]["species"]["terms"]["field"] == "species"
    assert buckets == [
        {"date": "2024-04-29", "keys": {"species": "pangolin"}, "count": 2},
        {"date": "2024-04-29", "keys": {"species": "rhino"}, "count": 1},
    ]
