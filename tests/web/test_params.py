"""Query parameters → SearchRequest, with errors that name the parameter."""

from __future__ import annotations

from datetime import date

import pytest

from web.params import ParamError, parse_search_params


def test_lists_repeat_or_use_commas_and_blank_form_fields_are_ignored() -> None:
    params = parse_search_params(
        [
            ("q", " tê tê "),
            ("species", "pangolin,RHINO"),
            ("species", "pangolin"),
            ("kind", ""),
            ("country", "vn"),
            ("location", "Quảng Ninh"),
            ("trade", "on"),
            ("since", "2024-03-01"),
            ("until", "2024-03-31"),
            ("page", "2"),
            ("ui", "en"),
        ]
    )
    request = params.request
    assert request.query == "tê tê"
    assert request.species == ("pangolin", "rhino")
    assert request.kind == ()
    assert request.country == ("VN",)
    assert request.location == ("Quảng Ninh",)
    assert request.wildlife_trade is True
    assert (request.since, request.until) == (date(2024, 3, 1), date(2024, 3, 31))
    assert (request.limit, request.offset) == (20, 20)
    assert ("ui", "en") not in params.pairs


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("since", "2024-13-01")], "since: '2024-13-01' is not a date"),
        ([("until", "hôm qua")], "until: 'hôm qua' is not a date"),
        ([("kind", "forum")], "kind: 'forum' is not a known source kind; valid: news, marketplace"),
        (
            [("enforcement", "fine")],
            "enforcement: 'fine' is not a known enforcement action",
        ),
        ([("species", "tê tê")], "species: 'tê tê' is not a known species id (did you mean 'pan"),
        ([("species", "unicorn")], "species: 'unicorn' is not a known species id; valid: bear, "),
        ([("country", "Vietnam")], "country: 'Vietnam' is not a known ISO 3166-1 alpha-2 country"),
        ([("lang", "vietnamese")], "lang: 'vietnamese' is not a known ISO 639-1 language code"),
        ([("page", "0")], "page: 0 is out of range"),
        ([("per_page", "ten")], "per_page: 'ten' is not a whole number"),
        ([("sort", "oldest")], "sort: 'oldest': expected relevance or newest"),
        ([("trade", "perhaps")], "trade: 'perhaps': expected 1 or 0"),
        ([("min_relevance", "1.5")], "min_relevance: expected a number from 0 to 1"),
        ([("since", "2024-03-02"), ("until", "2024-03-01")], "since: 2024-03-02 is after"),
    ],
)
def test_errors_name_the_parameter(pairs: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(ParamError) as error:
        parse_search_params(pairs)
    assert str(error.value).startswith(message)


def test_query_string_toggles_filters_and_resets_the_page() -> None:
    params = parse_search_params([("q", "ngà voi"), ("species", "elephant"), ("page", "3")])
    assert params.query_string(toggle=("enforcement", "trial")) == (
        "q=ng%C3%A0+voi&species=elephant&enforcement=trial"
    )
    assert params.query_string(toggle=("species", "elephant")) == "q=ng%C3%A0+voi"
    assert params.query_string(page=4) == "q=ng%C3%A0+voi&species=elephant&page=4"
    assert params.query_string(drop=("page",)) == "q=ng%C3%A0+voi&species=elephant"
