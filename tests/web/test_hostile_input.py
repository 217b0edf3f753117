"""Hostile and malformed requests get a 4xx with a reason, never a 500: unknown filter values
with the valid ones (in the reader's language on pages), query limits, and a property test over
every route's query string."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_api_refuses_an_unknown_species_with_the_valid_list(client: TestClient) -> None:
    response = client.get("/api/search?species=unicorn")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("species: 'unicorn' is not a known species id")
    assert "pangolin" in body["valid"] and "tiger" in body["valid"]


@pytest.mark.parametrize(
    ("query", "valid"),
    [
        ("kind=blog", ["news", "marketplace", "social"]),
        ("enforcement=jail", ["seizure", "arrest", "prosecution", "trial", "sentence"]),
    ],
)
def test_api_lists_the_valid_values_of_closed_filters(
    client: TestClient, query: str, valid: list[str]
) -> None:
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert response.json()["valid"] == valid


def test_api_suggests_the_code_for_a_country_or_language_name(client: TestClient) -> None:
    country = client.get("/api/search?country=Vietnam")
    assert country.status_code == 400
    assert "(did you mean 'VN'?)" in country.json()["detail"]
    assert "VN" in country.json()["valid"] and len(country.json()["valid"]) > 200
    lang = client.get("/api/search?lang=vietnamese")
    assert "(did you mean 'vi'?)" in lang.json()["detail"]


def test_search_page_explains_an_unknown_value_in_the_readers_language(
    client: TestClient,
) -> None:
    english = client.get("/?species=unicorn&ui=en")
    assert english.status_code == 400
    assert "“unicorn” is not a valid value" in english.text
    assert "pangolin, porcupine" in english.text and "sea_turtle (sea turtle)" in english.text
    vietnamese = client.get("/?species=t%C3%AA+t%C3%AA&ui=vi")
    assert vietnamese.status_code == 400
    assert "“tê tê” không phải giá trị hợp lệ" in vietnamese.text
    assert "Có phải ý bạn là “pangolin”?" in vietnamese.text
    assert "pangolin (tê tê)" in vietnamese.text
    export = client.get("/export.csv?country=Vietnam")
    assert export.status_code == 400 and "valid" in export.json()


@pytest.mark.parametrize(
    "q", ["(" * 247 + "ivory" + ")" * 247, "NOT " * 120 + "ivory", "-(" * 100 + "x" + ")" * 100]
)
def test_deeply_nested_queries_are_a_400_naming_the_limit(client: TestClient, q: str) -> None:
    api = client.get(f"/api/search?q={quote(q)}")
    assert api.status_code == 400
    assert "more than 20 levels deep" in api.json()["detail"]
    page = client.get(f"/?q={quote(q)}")
    assert page.status_code == 400
    assert "20" in page.text


def _fuzz(examples: int) -> Any:
    # Fixed seed and a small budget: the same examples on every run, a few seconds each.
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


_ROUTES = [
    "/api/search",
    "/api/trends",
    "/api/coverage",
    "/",
    "/trends",
    "/coverage",
    "/export.csv",
    "/login",
]
_NAMES = st.sampled_from(
    ["q", "species", "kind", "lang", "country", "enforcement", "source", "location", "since",
     "until", "page", "per_page", "sort", "trade", "min_relevance", "interval", "price_species",
     "ui"]
)  # fmt: skip
_VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "(",
            ")" * 30,
            "NOT NOT",
            "\x00",
            "9999-12-31",
            "0",
            "-1",
            "1e309",
            "nan",
            "pangolin",
            "VN",
            "vi",
            "%ff",
            "\ud800",
            "a,b,,c",
            "*",
        ]
    ),
)


@_fuzz(80)
@given(
    route=st.sampled_from(_ROUTES),
    params=st.lists(st.tuples(_NAMES, _VALUES), max_size=5),
)
def test_no_query_string_yields_a_server_error(
    client: TestClient, route: str, params: list[tuple[str, str]]
) -> None:
    query = "&".join(
        f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'))}" for name, value in params
    )
    response = client.get(f"{route}?{query}")
    assert response.status_code < 500, (route, query, response.text[:300])


@_fuzz(40)
@given(
    template=st.sampled_from(
        ["/items/{}", "/api/items/{}", "/items/{}/archive/raw", "/items/{}/archive.txt"]
    ),
    item_id=st.one_of(st.text(min_size=1, max_size=80), st.sampled_from(["..", "%00", "a" * 5000])),
)
def test_no_item_path_yields_a_server_error(
    client: TestClient, template: str, item_id: str
) -> None:
    path = template.format(quote(item_id.encode("utf-8", "surrogatepass"), safe=""))
    response = client.get(path)
    assert response.status_code < 500, (path, response.text[:300])


@_fuzz(30)
@given(form=st.lists(st.tuples(_NAMES | st.sampled_from(["name", "recipients", "csrf_token",
                                                          "cadence", "email_lang"]), _VALUES),
                     max_size=6))  # fmt: skip
def test_no_posted_form_yields_a_server_error(
    client: TestClient, form: list[tuple[str, str]]
) -> None:
    page = client.get("/")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    fields = [(name, value.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
              for name, value in form]  # fmt: skip
    for path in ("/alerts", "/login", "/logout"):
        response = client.post(
            path,
            content=urlencode([("csrf_token", token), *fields]),
            headers={"content-type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert response.status_code < 500, (path, fields, response.text[:300])


@_fuzz(30)
@given(
    route=st.sampled_from(_ROUTES[:7]),
    since=st.one_of(st.none(), st.dates()),
    until=st.one_of(st.none(), st.dates(), st.just(date.max)),
    interval=st.sampled_from(["day", "week"]),
)
def test_no_date_range_yields_a_server_error(
    client: TestClient, route: str, since: date | None, until: date | None, interval: str
) -> None:
    pairs = [("since", since), ("until", until), ("interval", interval)]
    query = urlencode([(name, str(value)) for name, value in pairs if value is not None])
    response = client.get(f"{route}?{query}")
    assert response.status_code < 500, (route, query, response.text[:300])


def test_the_last_representable_day_is_a_valid_upper_bound(client: TestClient) -> None:
    response = client.get("/api/search?until=9999-12-31")
    assert response.status_code == 200
    assert response.json()["total"] > 0


def test_every_choice_the_search_form_offers_is_a_valid_filter_value(client: TestClient) -> None:
    from search.filter_values import valid_values

    page = client.get("/?ui=en").text
    for group in ("species", "kind", "lang", "enforcement", "country"):
        select = page.split(f'<select name="{group}">', 1)[1].split("</select>", 1)[0]
        offered = set(re.findall(r'<option value="([^"]+)"', select))
        assert offered, group
        assert offered <= set(valid_values(group)), (group, offered - set(valid_values(group)))
        if group == "species":
            assert offered == set(valid_values("species"))
