"""The behaviour every search backend owes its callers (search/backend.py), run over SQLite and,
when a server is configured, Elasticsearch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from search.backend import SearchBackend, SearchRequest
from search.indexed import InvalidDocument
from search.query_language import QuerySyntaxError
from tests.search.conftest import corpus, make_doc


def ids(backend: SearchBackend, query: str = "", **filters: object) -> set[str]:
    response = backend.search(SearchRequest(query=query, limit=100, **filters))  # type: ignore[arg-type]
    assert response["total"] == len(response["hits"])
    return {hit["id"] for hit in response["hits"]}


# --- finding words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sung te giac", {"rhino-daklak"}),
        ("sừng tê giác", {"rhino-daklak"}),
        ("SỪNG TÊ GIÁC", {"rhino-daklak"}),
        ("Dak Lak", {"rhino-daklak"}),  # đ is not a diacritic for the tokenizer
        ("đắk lắk", {"rhino-daklak"}),
        ("dong vat hoang da", {"rhino-daklak", "forest-daknong"}),
        ("Quang Ninh", {"pangolin-mongcai"}),
        ("pangolin", {"pangolin-social"}),
        ("pangol*", {"pangolin-social"}),
    ],
)
def test_words_match_with_and_without_diacritics(
    loaded: SearchBackend, query: str, expected: set[str]
) -> None:
    assert ids(loaded, query) == expected


def test_phrases_keep_word_order(loaded: SearchBackend) -> None:
    assert ids(loaded, '"tê tê"') == {"pangolin-mongcai"}
    assert ids(loaded, '"te te con song"') == {"pangolin-mongcai"}
    assert ids(loaded, '"giac te sung"') == set()
    assert ids(loaded, '"ivory tonnes"') == set()  # words present, not adjacent


def test_boolean_operators(loaded: SearchBackend) -> None:
    assert ids(loaded, "ivory AND (seized OR sentenced)") == {"ivory-danang", "ivory-sentence"}
    assert ids(loaded, "ivory seized") == {"ivory-danang"}  # implicit AND
    assert ids(loaded, "ivory OR pangolin") == {"ivory-danang", "ivory-sentence", "pangolin-social"}
    assert ids(loaded, "ivory -sentenced") == {"ivory-danang"}
    assert ids(loaded, "ivory NOT sentenced") == {"ivory-danang"}
    everything = {doc["id"] for doc in corpus()}
    assert ids(loaded, "NOT ivory") == everything - {"ivory-danang", "ivory-sentence"}
    assert ids(loaded, "-ivory -pangolin -te") == everything - {
        "ivory-danang",
        "ivory-sentence",
        "pangolin-social",
        "rhino-daklak",
        "pangolin-mongcai",
    }
    assert ids(loaded, "pangolin OR NOT ivory") == everything - {"ivory-danang", "ivory-sentence"}


@pytest.mark.parametrize(
    "query", ["c++", '"unclosed', "*", "ivory*", "NEAR(a b)", "title:ivory", "^ivory", "a:b:c", "'"]
)
def test_hostile_input_never_breaks_the_search(loaded: SearchBackend, query: str) -> None:
    response = loaded.search(SearchRequest(query=query))
    assert response["total"] >= 0


def test_title_colon_is_literal_text(loaded: SearchBackend) -> None:
    # In FTS5 "title:x" restricts to a column; here it is the two words.
    assert ids(loaded, "title:ivory") == set()
    assert ids(loaded, "Customs:seize") == {"ivory-danang"}  # joined words form a phrase


@pytest.mark.parametrize("query", ["AND", "ivory AND", "(ivory OR pangolin", "ivory)", "()"])
def test_syntax_errors_are_explained(loaded: SearchBackend, query: str) -> None:
    with pytest.raises(QuerySyntaxError, match="at character"):
        loaded.search(SearchRequest(query=query))


# --- filters and facets --------------------------------------------------------------------


def test_filters(loaded: SearchBackend) -> None:
    assert ids(loaded, species=("pangolin",)) == {"pangolin-mongcai", "pangolin-social"}
    assert ids(loaded, species=("pangolin", "tiger")) == {
        "pangolin-mongcai",
        "pangolin-social",
        "tiger-ad",
    }
    assert ids(loaded, kind=("marketplace",)) == {"tiger-ad"}
    assert ids(loaded, lang=("en",), kind=("news",)) == {"ivory-danang", "ivory-sentence"}
    assert ids(loaded, source=("tuoitre",)) == {"pangolin-mongcai", "forest-daknong"}
    assert ids(loaded, enforcement=("sentence",)) == {"ivory-sentence"}
    assert ids(loaded, country=("vn",)) == {doc["id"] for doc in corpus()} - {"pangolin-social"}
    assert ids(loaded, location=("quang ninh",)) == {"pangolin-mongcai"}
    assert ids(loaded, location=("Đà Nẵng",)) == {"ivory-danang"}
    assert ids(loaded, wildlife_trade=False) == {"forest-daknong"}
    assert ids(loaded, min_relevance=0.5) == {doc["id"] for doc in corpus()} - {"forest-daknong"}
    assert ids(loaded, ids=("tiger-ad", "nope")) == {"tiger-ad"}


def test_query_and_filters_combine(loaded: SearchBackend) -> None:
    assert ids(loaded, "ivory OR ngà", species=("elephant",), kind=("news",)) == {
        "ivory-danang",
        "ivory-sentence",
    }
    assert ids(loaded, "ngà voi", species=("elephant",)) == {"tiger-ad"}
    assert ids(loaded, "sung te giac", species=("pangolin",)) == set()


def test_facets_count_the_whole_result_set(loaded: SearchBackend) -> None:
    response = loaded.search(SearchRequest(query="", species=("elephant", "rhino"), limit=1))
    assert response["total"] == 4
    assert len(response["hits"]) == 1
    facets = response["facets"]
    assert facets["species"] == {"elephant": 3, "rhino": 2, "tiger": 1}
    assert facets["enforcement"] == {"seizure": 2, "arrest": 1, "trial": 1, "sentence": 1}
    assert facets["kind"] == {"news": 3, "marketplace": 1}
    assert facets["lang"] == {"en": 2, "vi": 2}
    assert facets["locations"]["Đắk Lắk"] == 1
    assert facets["country"] == {"VN": 4}
    assert facets["wildlife_trade"] == {"true": 4}
    assert set(facets) >= {"species", "kind", "lang", "source", "enforcement", "country"}


def test_no_facets_when_not_asked(loaded: SearchBackend) -> None:
    response = loaded.search(SearchRequest(query="ivory", facets=False))
    assert response["total"] == 2
    assert not any(response["facets"].values())


# --- dates ---------------------------------------------------------------------------------


def test_date_range_uses_vietnamese_days(loaded: SearchBackend) -> None:
    # 2024-05-02T23:30+07:00 is still 2 May in Vietnam; 00:30 on 3 May is 2 May in UTC.
    assert ids(loaded, since=date(2024, 5, 2), until=date(2024, 5, 2)) == {"rhino-daklak"}
    assert ids(loaded, since=date(2024, 5, 3), until=date(2024, 5, 3)) == {
        "pangolin-mongcai",
        "pangolin-social",
    }
    # An item without published_at is dated by when it was fetched.
    assert ids(loaded, since=date(2024, 5, 4), until=date(2024, 5, 4)) == {"tiger-ad"}
    assert ids(loaded, since=date(2024, 5, 6)) == {"ivory-danang"}
    assert ids(loaded, until=date(2024, 4, 30)) == {"ivory-sentence"}


def test_date_range_other_time_zone(loaded: SearchBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_TZ", "UTC")
    assert ids(loaded, since=date(2024, 5, 2), until=date(2024, 5, 2)) == {
        "rhino-daklak",
        "pangolin-mongcai",
    }


def test_datetime_bounds_and_fetched_window(loaded: SearchBackend) -> None:
    utc = UTC
    assert ids(
        loaded,
        since=datetime(2024, 5, 3, 0, 0, tzinfo=timezone(timedelta(hours=7))),
        until=datetime(2024, 5, 3, 5, 0, tzinfo=utc),
    ) == {"pangolin-mongcai", "pangolin-social"}
    # fetched_since inclusive, fetched_until exclusive: digests cut adjoining windows.
    assert ids(loaded, fetched_since=datetime(2024, 5, 4, 10, tzinfo=utc)) == {
        doc["id"] for doc in corpus()
    }
    assert ids(loaded, fetched_until=datetime(2024, 5, 4, 10, tzinfo=utc)) == set()
    assert ids(loaded, fetched_until=datetime(2024, 5, 4, 10, 0, 1, tzinfo=utc)) == {"tiger-ad"}


def test_histogram_by_day_and_week(loaded: SearchBackend) -> None:
    days = loaded.histogram(SearchRequest(species=("pangolin",)), interval="day")
    assert days == [{"date": "2024-05-03", "keys": {}, "count": 2}]
    weeks = loaded.histogram(SearchRequest(wildlife_trade=True), interval="week", by=("species",))
    counted = {(bucket["date"], bucket["keys"]["species"]): bucket["count"] for bucket in weeks}
    # Weeks start on Monday: 28 April is a Sunday, 6 May a Monday.
    assert counted == {
        ("2024-04-22", "elephant"): 1,
        ("2024-04-22", "rhino"): 1,
        ("2024-04-29", "rhino"): 1,
        ("2024-04-29", "pangolin"): 2,
        ("2024-04-29", "tiger"): 1,
        ("2024-04-29", "elephant"): 1,
        ("2024-05-06", "elephant"): 1,
    }


def test_histogram_by_two_fields(loaded: SearchBackend) -> None:
    buckets = loaded.histogram(SearchRequest(query='"tê tê"'), by=("species", "locations"))
    assert {(b["keys"]["species"], b["keys"]["locations"]) for b in buckets} == {
        ("pangolin", "Quảng Ninh"),
        ("pangolin", "Móng Cái"),
    }


# --- ranking, paging, snippets -------------------------------------------------------------


def test_title_matches_rank_first_and_recency_breaks_ties(backend: SearchBackend) -> None:
    now = datetime.now(UTC)
    text = "Kiểm lâm phát hiện vụ vận chuyển động vật hoang dã trái phép, trong đó có tê tê."

    def days_ago(days: int) -> str:
        return (now - timedelta(days=days)).isoformat()

    backend.upsert(
        [
            make_doc("old", title="Tin tức", text=text, published_at=days_ago(400)),
            make_doc("new", title="Tin tức", text=text, published_at=days_ago(1)),
            make_doc("titled", title="Tê tê bị buôn bán", text=text, published_at=days_ago(90)),
            make_doc("untitled", title="Tin tức", text=text, published_at=days_ago(90)),
        ]
    )
    ranked = [hit["id"] for hit in backend.search(SearchRequest(query="te te"))["hits"]]
    assert ranked.index("titled") < ranked.index("untitled")
    assert ranked.index("new") < ranked.index("untitled") < ranked.index("old")
    newest = backend.search(SearchRequest(query="te te", sort="newest"))["hits"]
    assert next(hit["id"] for hit in newest) == "new"
    assert [hit["id"] for hit in newest][-1] == "old"


def test_paging(loaded: SearchBackend) -> None:
    first = loaded.search(SearchRequest(sort="newest", limit=3))
    second = loaded.search(SearchRequest(sort="newest", limit=3, offset=3))
    assert first["total"] == second["total"] == len(corpus())
    assert [hit["id"] for hit in first["hits"]] == ["ivory-danang", "tiger-ad", "pangolin-social"]
    assert not {hit["id"] for hit in first["hits"]} & {hit["id"] for hit in second["hits"]}


def test_hits_carry_the_public_fields(loaded: SearchBackend) -> None:
    hit = loaded.search(SearchRequest(query="hổ cốt"))["hits"][0]
    assert hit["id"] == "tiger-ad"
    assert hit["prices"][0]["vnd"] == 3e6
    assert hit["contacts"] == [{"type": "phone", "value": "+84912345678"}]
    assert hit["published_at"] is None
    assert hit["fetched_at"] == "2024-05-04T10:00:00Z"
    assert hit["species"] == ["tiger", "elephant"]


def test_snippets_escape_scraped_html_and_mark_matches(loaded: SearchBackend) -> None:
    hit = loaded.search(SearchRequest(query="cao ho onerror"))["hits"][0]
    snippet = hit["snippet"]
    assert "<img" not in snippet and "<b>" not in snippet
    assert "&lt;img src=x" in snippet
    assert "<mark>Cao hổ</mark>" in snippet or "<mark>Cao</mark> <mark>hổ</mark>" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


# --- storing -------------------------------------------------------------------------------


def test_reindexing_updates_instead_of_duplicating(loaded: SearchBackend) -> None:
    original = corpus()[0]
    assert loaded.upsert([original]) == ["unchanged"]
    changed = dict(original)
    changed["text"] = "Đã khởi tố vụ án buôn bán sừng tê giác tại Buôn Ma Thuột."
    changed["content_hash"] = "hash-changed"
    changed["enforcement"] = ["prosecution"]
    changed["fetched_at"] = "2024-06-01T00:00:00Z"
    assert loaded.upsert([changed, corpus()[1]]) == ["updated", "unchanged"]  # type: ignore[list-item]
    assert loaded.count() == len(corpus())
    assert ids(loaded, "buon ma thuot") == {"rhino-daklak"}
    assert ids(loaded, "quoc lo 14") == set()  # the old text is gone from the index
    assert ids(loaded, enforcement=("arrest",)) == set()
    stored = loaded.get("rhino-daklak")
    assert stored is not None and stored["enforcement"] == ["prosecution"]
    # Digests select by first fetch: a re-crawl must not make an item new again.
    assert stored["fetched_at"] == original["fetched_at"]


def test_same_content_with_new_analysis_is_stored(loaded: SearchBackend) -> None:
    doc = dict(corpus()[5])
    doc["species"] = ["bird"]
    assert loaded.upsert([doc]) == ["unchanged"]  # type: ignore[list-item]
    assert ids(loaded, species=("bird",)) == {"forest-daknong"}


def test_invalid_document_stores_nothing(backend: SearchBackend) -> None:
    good = make_doc("good", title="tê tê", published_at="2024-05-01T00:00:00+07:00")
    bad = make_doc("bad", published_at="hôm qua")
    with pytest.raises(InvalidDocument, match=r"bad.*published_at"):
        backend.upsert([good, bad])
    assert backend.count() == 0
    assert backend.get("good") is None


def test_get_returns_the_stored_document(loaded: SearchBackend) -> None:
    stored = loaded.get("pangolin-mongcai")
    assert stored == corpus()[1]
    assert loaded.get("missing") is None


def test_near_duplicates_by_hamming_distance(loaded: SearchBackend) -> None:
    base = int("0123456789abcdef", 16)
    assert loaded.near_duplicates("0123456789abcdef") == ["pangolin-mongcai"]
    three_bits = f"{base ^ 0b1 ^ (1 << 20) ^ (1 << 63):016x}"
    assert loaded.near_duplicates(three_bits) == ["pangolin-mongcai"]
    # Two flipped bits in every band: the band lookup must still find it for distance 8.
    spread = base
    for bit in (1, 3, 17, 19, 33, 35, 49, 51):
        spread ^= 1 << bit
    assert loaded.near_duplicates(f"{spread:016x}") == []
    assert loaded.near_duplicates(f"{spread:016x}", max_distance=8) == ["pangolin-mongcai"]
    four_bits = f"{base ^ 0b1111:016x}"
    assert loaded.near_duplicates(four_bits) == []
    assert loaded.near_duplicates(four_bits, max_distance=6) == ["pangolin-mongcai"]
    assert loaded.near_duplicates(four_bits, max_distance=20) == ["pangolin-mongcai"]


def test_duplicates_of_returns_the_group_oldest_first(loaded: SearchBackend) -> None:
    loaded.upsert(
        [
            make_doc("copy-2", duplicate_of="pangolin-mongcai", fetched_at="2024-05-06T00:00:00Z"),
            make_doc("copy-1", duplicate_of="pangolin-mongcai", fetched_at="2024-05-05T06:00:00Z"),
        ]
    )
    assert [doc["id"] for doc in loaded.duplicates_of("pangolin-mongcai")] == ["copy-1", "copy-2"]
    assert [doc["id"] for doc in loaded.duplicates_of("copy-2")] == ["pangolin-mongcai", "copy-1"]
    assert loaded.duplicates_of("tiger-ad") == []
    assert loaded.duplicates_of("missing") == []


def test_histogram_days_in_a_zone_with_summer_time(
    loaded: SearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In Paris (UTC+2 in May) the 00:30 report of 3 May in Vietnam is still 2 May.
    monkeypatch.setenv("WILDWATCH_TZ", "Europe/Paris")
    buckets = loaded.histogram(SearchRequest(species=("pangolin", "rhino")), interval="day")
    assert buckets == [
        {"date": "2024-04-28", "keys": {}, "count": 1},
        {"date": "2024-05-02", "keys": {}, "count": 2},
        {"date": "2024-05-03", "keys": {}, "count": 1},
    ]


def test_a_date_far_in_the_future_is_stored_as_unknown(loaded: SearchBackend) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(hours=20)).astimezone(timezone(timedelta(hours=14)))
    loaded.upsert(
        [
            make_doc(
                "from-the-future",
                title="Bán sừng tê giác",
                text="Bán sừng tê giác",
                published_at="9999-12-31T00:00:00+07:00",
                fetched_at="2024-05-01T01:00:00Z",
            ),
            make_doc(
                "dated-tomorrow",
                title="Thu giữ ngà voi",
                text="Thu giữ ngà voi",
                published_at=tomorrow.isoformat(),  # within the tolerance (time zones, clocks)
                fetched_at=datetime.now(UTC).isoformat(),
            ),
        ]
    )
    newest = [hit["id"] for hit in loaded.search(SearchRequest(sort="newest", limit=50))["hits"]]
    assert newest[0] != "from-the-future"
    assert newest[0] == "dated-tomorrow"
    stored = loaded.get("from-the-future")
    assert stored is not None and stored["published_at"] is None
    kept = loaded.get("dated-tomorrow")
    assert kept is not None and kept["published_at"] == tomorrow.isoformat()
    in_2024 = ids(loaded, since=date(2024, 5, 1), until=date(2024, 5, 1))
    assert "from-the-future" in in_2024
