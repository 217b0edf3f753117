"""The case store: rebuilt from the index, incrementally, with staff merges and splits that
survive re-analysis and full rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.rebuild import CaseError, merge, split, update
from cases.store import CaseStore
from search.sqlite_backend import SqliteBackend
from tests.cases.seed import document_of, labelled_rows


def case_of_label(store: CaseStore, seeded: dict[str, str], label: str) -> str:
    case_id = store.case_of(seeded[label])
    assert case_id is not None, label
    return case_id


def test_a_rebuild_groups_the_real_cases_with_their_timeline(
    backend: SqliteBackend, store: CaseStore, seeded: dict[str, str]
) -> None:
    summary = update(backend, store, full=True)
    # 15 reports indexed; the analysis tags no enforcement action in one (police stopping the
    # car with the cubs), so it is in no case.
    assert len(seeded) == 15
    assert summary.read == summary.analysed == 14
    chien = store.get(case_of_label(store, seeded, "vn-nguyen-mau-chien-rhino--en-dangcongsan-vn"))
    assert chien is not None
    assert len(chien.articles) == 6
    assert chien.status == "sentence"
    assert [step.step for step in chien.timeline][:2] == ["seizure", "arrest"]
    assert chien.first_day is not None and chien.first_day.isoformat() == "2017-04-28"
    assert chien.last_activity is not None and chien.last_activity.isoformat() == "2018-03-21"
    assert "rhino" in chien.species
    # The 17 tigers of Yên Thành and the 7 cubs of Diễn Châu, three days apart, stay apart.
    tigers = case_of_label(store, seeded, "vn-yen-thanh-17-tigers--danviet-vn")
    cubs = case_of_label(store, seeded, "vn-dien-chau-7-tiger-cubs--dantri-com-vn")
    assert tigers != cubs


def test_an_incremental_update_reads_only_new_items_and_keeps_ids(
    home: Path, backend: SqliteBackend, store: CaseStore, seeded: dict[str, str]
) -> None:
    update(backend, store)
    before = store.memberships()
    again = update(backend, store)
    assert again.analysed == 0
    assert store.memberships() == before


def test_merge_and_split_survive_reanalysis_and_rebuilds(
    backend: SqliteBackend, store: CaseStore, seeded: dict[str, str]
) -> None:
    update(backend, store, full=True)
    tigers = case_of_label(store, seeded, "vn-yen-thanh-17-tigers--danviet-vn")
    cubs = case_of_label(store, seeded, "vn-dien-chau-7-tiger-cubs--dantri-com-vn")
    merged = merge(store, tigers, [cubs], actor="lan@env.org.vn", note="one network")
    assert merged.id == tigers and len(merged.articles) == 6

    chien = case_of_label(store, seeded, "vn-nguyen-mau-chien-rhino--en-dangcongsan-vn")
    moved = [seeded["vn-nguyen-mau-chien-rhino--en-vietnamplus-vn-2"]]
    kept, created = split(store, chien, moved, actor="lan@env.org.vn")
    assert kept.id == chien and len(kept.articles) == 5
    assert [a.doc_id for a in created.articles] == moved

    # Re-analysis changes the tags of every item (here: one loses its species): the decisions
    # hold after a full rebuild.
    rows = labelled_rows()
    backend.upsert([document_of(row, species=[]) for row in rows[:3]])
    update(backend, store, full=True)
    assert store.case_of(seeded["vn-dien-chau-7-tiger-cubs--danviet-vn"]) == tigers
    assert store.case_of(moved[0]) == created.id
    assert len(store.get(chien).articles) == 5  # type: ignore[union-attr]


def test_follows_move_with_a_merged_case(
    backend: SqliteBackend, store: CaseStore, seeded: dict[str, str]
) -> None:
    update(backend, store, full=True)
    tigers = case_of_label(store, seeded, "vn-yen-thanh-17-tigers--danviet-vn")
    cubs = case_of_label(store, seeded, "vn-dien-chau-7-tiger-cubs--dantri-com-vn")
    store.follow(cubs, "Reporter@Example.org", "en")
    merge(store, tigers, [cubs], actor="staff")
    assert store.followers(tigers) == [("reporter@example.org", "en")]


def test_bad_operations_say_which_case_or_article(
    backend: SqliteBackend, store: CaseStore, seeded: dict[str, str]
) -> None:
    update(backend, store, full=True)
    tigers = case_of_label(store, seeded, "vn-yen-thanh-17-tigers--danviet-vn")
    with pytest.raises(CaseError, match="no case cnothere"):
        merge(store, tigers, ["cnothere"], actor="staff")
    with pytest.raises(CaseError, match="not in case"):
        split(store, tigers, ["some-other-doc"], actor="staff")
    members = [a.doc_id for a in store.get(tigers).articles]  # type: ignore[union-attr]
    with pytest.raises(CaseError, match="some articles to move and some to keep"):
        split(store, tigers, members, actor="staff")
