"""Triage as every backend must keep it (search/backend.py, search/triage.py): records with who
and when, a history, filters and facets by state, and nothing lost when items are written
again. Runs on SQLite and, with ``WILDWATCH_TEST_ELASTICSEARCH_URL``, on a live Elasticsearch."""

from __future__ import annotations

from typing import Any

import pytest

from search.backend import SearchBackend, SearchRequest
from search.triage import TriageChange, TriageError, UnknownItems
from tests.search.conftest import corpus, make_doc


def ids(backend: SearchBackend, **filters: Any) -> set[str]:
    response = backend.search(SearchRequest(limit=100, **filters))
    return {hit["id"] for hit in response["hits"]}


def mark(backend: SearchBackend, doc_ids: list[str], by: str = "lan", **change: Any) -> None:
    backend.set_triage(doc_ids, TriageChange.checked(**change), by=by)


def test_a_decision_is_stored_with_who_and_when_and_marks_the_item_seen(
    loaded: SearchBackend,
) -> None:
    change = TriageChange.checked(state="relevant", note="Vụ Đắk Lắk, theo dõi")
    [record] = loaded.set_triage(["rhino-daklak"], change, by="lan")
    assert (record.state, record.seen, record.note, record.by) == (
        "relevant",
        True,
        "Vụ Đắk Lắk, theo dõi",
        "lan",
    )
    assert record.at.endswith("+00:00")
    stored = loaded.triage_of(["rhino-daklak", "tiger-ad"])
    assert list(stored) == ["rhino-daklak"]  # untouched items have no record
    assert stored["rhino-daklak"] == record


def test_history_lists_each_change_newest_first(loaded: SearchBackend) -> None:
    mark(loaded, ["tiger-ad"], by="lan", seen=True)
    mark(loaded, ["tiger-ad"], by="minh", state="follow_up")
    mark(loaded, ["tiger-ad"], by="minh", state="follow-up")  # no change: no event
    mark(loaded, ["tiger-ad"], by="lan", note="Gọi số Zalo", state="not relevant")
    history = loaded.triage_history("tiger-ad")
    assert [(event.by, event.changes) for event in history] == [
        ("lan", {"state": "not_relevant", "note": "Gọi số Zalo"}),
        ("minh", {"state": "follow_up"}),
        ("lan", {"seen": True}),
    ]
    assert loaded.triage_history("rhino-daklak") == []


def test_filters_by_state_seen_and_note(loaded: SearchBackend) -> None:
    everything = {doc["id"] for doc in corpus()}
    mark(loaded, ["rhino-daklak", "pangolin-mongcai"], state="relevant")
    mark(loaded, ["forest-daknong"], state="not_relevant", note="Trồng rừng, không liên quan")
    mark(loaded, ["tiger-ad"], state="follow_up", seen=False)
    mark(loaded, ["ivory-danang"], seen=True)
    assert ids(loaded, triage=("relevant",)) == {"rhino-daklak", "pangolin-mongcai"}
    assert ids(loaded, triage=("follow_up", "not_relevant")) == {"tiger-ad", "forest-daknong"}
    untriaged = {"ivory-danang", "ivory-sentence", "pangolin-social"}
    assert ids(loaded, triage=("untriaged",)) == untriaged
    # "leave out what was marked not relevant": every other state, untriaged included
    assert ids(loaded, triage=("untriaged", "relevant", "follow_up")) == everything - {
        "forest-daknong"
    }
    seen = {"rhino-daklak", "pangolin-mongcai", "forest-daknong", "ivory-danang"}
    assert ids(loaded, seen=True) == seen
    assert ids(loaded, seen=False) == everything - seen
    assert ids(loaded, noted=True) == {"forest-daknong"}
    assert ids(loaded, noted=False) == everything - {"forest-daknong"}
    # with a text query and another filter
    assert ids(loaded, query="tê tê OR giác", triage=("relevant",)) == {
        "rhino-daklak",
        "pangolin-mongcai",
    }
    assert ids(loaded, species=("pangolin",), triage=("untriaged",)) == {"pangolin-social"}


def test_facets_count_triage_states_of_the_result_set(loaded: SearchBackend) -> None:
    mark(loaded, ["rhino-daklak", "pangolin-mongcai"], state="relevant")
    mark(loaded, ["tiger-ad"], state="follow_up", note="Kiểm tra người bán")
    facets = loaded.search(SearchRequest(limit=0))["facets"]
    assert facets["triage"] == {"untriaged": 4, "relevant": 2, "follow_up": 1}
    assert facets["seen"] == {"true": 3, "false": 4}
    assert facets["noted"] == {"true": 1, "false": 6}
    narrowed = loaded.search(SearchRequest(limit=0, species=("pangolin",)))["facets"]
    assert narrowed["triage"] == {"untriaged": 1, "relevant": 1}
    assert narrowed["noted"] == {"false": 2}


def test_a_change_shows_in_the_next_search_of_the_same_query(loaded: SearchBackend) -> None:
    # Cached counts (SQLite) and refreshes (Elasticsearch) must not hide a decision just made.
    request = SearchRequest(limit=10, triage=("relevant",))
    assert loaded.search(request)["total"] == 0
    mark(loaded, ["ivory-danang"], state="relevant")
    assert [hit["id"] for hit in loaded.search(request)["hits"]] == ["ivory-danang"]
    mark(loaded, ["ivory-danang"], state="untriaged")
    assert loaded.search(request)["total"] == 0
    [record] = loaded.triage_of(["ivory-danang"]).values()
    assert record.state is None and record.seen  # clearing the decision keeps it seen


def test_triage_survives_the_item_being_written_again(loaded: SearchBackend) -> None:
    mark(loaded, ["rhino-daklak"], state="relevant", note="Đã báo kiểm lâm")
    mark(loaded, ["tiger-ad"], state="not_relevant")
    changed = make_doc(
        "rhino-daklak",
        title="Bắt giữ đối tượng vận chuyển 5 kg sừng tê giác (cập nhật)",
        text="Bài viết được cập nhật: đối tượng đã bị khởi tố.",
        content_hash="hash-rhino-v2",
        published_at="2024-05-02T23:30:00+07:00",
        species=["rhino"],
        enforcement=["seizure", "arrest", "prosecution"],
    )
    same = next(doc for doc in corpus() if doc["id"] == "tiger-ad")
    assert loaded.upsert([changed, same]) == ["updated", "unchanged"]
    assert ids(loaded, triage=("relevant",)) == {"rhino-daklak"}
    assert ids(loaded, triage=("not_relevant",)) == {"tiger-ad"}
    assert ids(loaded, noted=True) == {"rhino-daklak"}
    assert loaded.triage_of(["rhino-daklak"])["rhino-daklak"].note == "Đã báo kiểm lâm"
    assert loaded.get("rhino-daklak")["enforcement"] == ["seizure", "arrest", "prosecution"]  # type: ignore[index]


def test_unknown_items_are_refused_and_nothing_is_written(loaded: SearchBackend) -> None:
    with pytest.raises(UnknownItems, match="no-such-item"):
        mark(loaded, ["rhino-daklak", "no-such-item"], state="relevant")
    assert loaded.triage_of(["rhino-daklak"]) == {}
    assert ids(loaded, triage=("relevant",)) == set()


def test_every_record_is_listed_for_export(loaded: SearchBackend) -> None:
    mark(loaded, ["rhino-daklak"], state="relevant")
    mark(loaded, ["forest-daknong"], state="not_relevant")
    records = list(loaded.triage_records())
    assert sorted((r.item_id, r.state, r.by) for r in records) == [
        ("forest-daknong", "not_relevant", "lan"),
        ("rhino-daklak", "relevant", "lan"),
    ]
    assert [r.at for r in records] == sorted(r.at for r in records)  # oldest change first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"state": "maybe"}, "state: 'maybe' is not a known triage state"),
        ({"note": "x" * 2001}, "note: at most 2000 characters"),
        ({}, "nothing to change"),
    ],
)
def test_bad_changes_name_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(TriageError, match=message):
        TriageChange.checked(**change)
