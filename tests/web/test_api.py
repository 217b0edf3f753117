"""The JSON API: DESIGN.md search JSON, items, trends, coverage, errors, OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient

DESIGN_HIT_KEYS = [
    "id",
    "url",
    "title",
    "source",
    "kind",
    "lang",
    "published_at",
    "fetched_at",
    "wildlife_trade",
    "relevance",
    "species",
    "enforcement",
    "prices",
    "quantities",
    "locations",
    "contacts",
    "snippet",
]


def test_api_search_returns_exactly_the_design_json(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "te te", "species": "pangolin"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total", "hits", "facets"}
    assert body["total"] == 4
    assert len(body["hits"]) == 4
    for hit in body["hits"]:
        assert list(hit) == DESIGN_HIT_KEYS
    assert body["facets"]["species"]["pangolin"] == 4
    assert body["facets"]["source"]["chotot"] == 1
    titles = {hit["title"] for hit in body["hits"]}
    assert "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh" in titles


def test_api_search_filters_and_paging_like_the_page(client: TestClient) -> None:
    body = client.get(
        "/api/search",
        params={
            "species": "pangolin,rhino",
            "kind": "marketplace",
            "sort": "newest",
            "per_page": "2",
        },
    ).json()
    assert body["total"] == 3
    assert [h["source"] for h in body["hits"]] == ["evil-site", "chotot"]
    second = client.get(
        "/api/search",
        params={
            "species": "pangolin,rhino",
            "kind": "marketplace",
            "sort": "newest",
            "per_page": "2",
            "page": "2",
        },
    ).json()
    assert [h["title"] for h in second["hits"]] == ["Bán sừng tê giác nguyên chất, bao test"]
    english = client.get("/api/search", params={"lang": "en"}).json()
    assert english["total"] == 1


def test_api_bad_parameters_give_400_naming_the_parameter(client: TestClient) -> None:
    for params, name in (
        ({"since": "yesterday"}, "since"),
        ({"kind": "blog"}, "kind"),
        ({"per_page": "1000"}, "per_page"),
        ({"trade": "maybe"}, "trade"),
        ({"min_relevance": "2"}, "min_relevance"),
        ({"q": "(tê tê"}, "q"),
        ({"since": "2024-03-10", "until": "2024-03-01"}, "since"),
    ):
        response = client.get("/api/search", params=params)
        assert response.status_code == 400, params
        assert response.json()["detail"].startswith(f"{name}: ")
    assert client.get("/api/trends", params={"interval": "year"}).status_code == 400


def test_api_item_and_404(client: TestClient, ids: dict[str, str]) -> None:
    body = client.get(f"/api/items/{ids['pangolin']}").json()
    assert body["item"]["title"] == "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh"
    assert body["item"]["quantities"][0]["unit"] == "kg"
    assert "tokens" not in body["item"]
    assert [d["id"] for d in body["duplicates"]] == [ids["copy"]]
    assert body["archive"]["status"] == 200
    assert body["archive"]["content_type"] == "text/html; charset=windows-1258"
    missing = client.get("/api/items/nope")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no item with id 'nope'"}


def test_api_trends(client: TestClient) -> None:
    body = client.get("/api/trends", params={"price_species": "rhino"}).json()
    assert body["interval"] == "week"
    assert body["species"]["dates"] == ["2024-03-04", "2024-03-11", "2024-03-18"]
    assert body["species"]["series"]["pangolin"] == [2, 3, 0]
    assert body["enforcement"]["series"]["seizure"] == [2, 1, 0]
    assert body["price_species"] == "rhino"
    # 2,5 triệu per lạng (100 g) is 25 triệu per kg
    assert body["prices"]["series"] == {"kg": [25_000_000.0]}


def test_api_coverage(client: TestClient) -> None:
    body = client.get("/api/coverage").json()
    matrix = body["matrix"]
    assert matrix["actions"] == ["seizure", "arrest", "prosecution", "trial", "sentence"]
    assert matrix["cells"]["vnexpress"]["arrest"] == 1
    assert matrix["cells"]["thanhnien"]["sentence"] == 1
    assert "chotot" not in matrix["cells"]  # ads report no enforcement
    assert body["actions"]["series"]["trial"] == [0, 0, 1]


def test_openapi_and_docs_page_describe_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/search",
        "/api/items/{item_id}",
        "/api/trends",
        "/api/coverage",
        "/api/items/{item_id}/triage",
        "/api/triage",
        "/api/cases",
        "/api/cases/{case_id}",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "species", "since", "until", "page", "per_page"} <= parameters
    assert "SearchResultModel" in schema["components"]["schemas"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/search" in docs.text and "diacritics optional" in docs.text
    assert "<script" not in docs.text  # no CDN, no script: works offline under the CSP


def test_api_reference_page_speaks_the_ui_language(client: TestClient) -> None:
    """The page's own words follow the UI; the schema's descriptions stay English, and the
    Vietnamese page says so."""
    vi = client.get("/api/docs", params={"ui": "vi"}).text
    assert "<h1>API của wildwatch</h1>" in vi and "<h2>Các đường dẫn</h2>" in vi
    assert "được viết bằng tiếng Anh" in vi
    assert "<td>chuỗi truy vấn</td>" in vi and "<td>query</td>" not in vi
    assert 'lang="en"><strong>' in vi  # each path's English summary is marked as English
    en = client.get("/api/docs", params={"ui": "en"}).text
    assert "<h1>wildwatch API</h1>" in en and "<td>query</td>" in en
    assert "tiếng Anh" not in en
