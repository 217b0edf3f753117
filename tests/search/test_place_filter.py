"""The ``place`` filter (a current province or a country code, standing for every gazetteer
place inside it) on every backend, and its values (search.filter_values)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.backend import SearchBackend, SearchRequest
from search.filter_values import UnknownFilterValue, check_value, places_within
from search.sqlite_backend import SqliteBackend
from tests.search.conftest import corpus
from wildwatch.cli import main


def ids(backend: SearchBackend, **filters: object) -> set[str]:
    response = backend.search(SearchRequest(limit=100, **filters))  # type: ignore[arg-type]
    assert response["total"] == len(response["hits"])
    return {hit["id"] for hit in response["hits"]}


def test_a_province_covers_its_places_and_the_old_provinces_merged_into_it(
    loaded: SearchBackend,
) -> None:
    assert ids(loaded, place=("Hà Nội",)) == {"ivory-sentence"}  # via Nội Bài too
    assert ids(loaded, place=("Quảng Ninh",)) == {"pangolin-mongcai"}  # Móng Cái
    # Đắk Nông went into Lâm Đồng on 1 July 2025
    assert ids(loaded, place=("Lâm Đồng",)) == {"forest-daknong"}
    assert ids(loaded, place=("Cà Mau",)) == set()


def test_a_country_covers_its_cities_and_several_values_must_all_match(
    loaded: SearchBackend,
) -> None:
    assert ids(loaded, place=("TH",)) == {"pangolin-social"}  # Bangkok
    assert ids(loaded, place=("VN",)) == {
        "rhino-daklak",
        "pangolin-mongcai",
        "ivory-danang",
        "ivory-sentence",
        "forest-daknong",
    }
    # a route: items naming places in Nigeria AND in Việt Nam
    assert ids(loaded, place=("NG", "VN")) == {"ivory-danang"}
    assert ids(loaded, place=("TH", "VN")) == set()
    assert ids(loaded, place=("VN",), location=("Bangkok",)) == set()
    assert ids(loaded, place=("ZW",)) == set()  # a country no gazetteer place lies in
    total = loaded.search(SearchRequest(place=("VN",), species=("elephant",), limit=0))
    assert total["total"] == 2


def test_place_values_are_checked_and_normalised() -> None:
    assert check_value("place", "quang ninh") == "Quảng Ninh"
    assert check_value("place", " TP  Hồ Chí Minh ") == "TP Hồ Chí Minh"
    assert check_value("place", "la") == "LA"
    with pytest.raises(UnknownFilterValue, match="did you mean 'LA'"):
        check_value("place", "Laos")
    with pytest.raises(UnknownFilterValue, match="Quảng Ninh"):
        check_value("place", "Hà Giang")  # merged into Tuyên Quang: not a province any more
    inside = places_within("Tuyên Quang")
    assert {"Tuyên Quang", "Hà Giang", "Thanh Thủy"} <= set(inside)  # old province, border gate
    assert "Hà Nội" not in inside


def test_the_search_command_takes_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    backend = SqliteBackend(tmp_path / "index.sqlite")
    backend.upsert(corpus())
    backend.close()
    assert main(["search", "--place", "lam dong"]) == 0
    assert "forest-daknong" in capsys.readouterr().out
    assert main(["search", "--place", "NG", "--place", "vn", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [hit["id"] for hit in found["hits"]] == ["ivory-danang"]
    assert main(["search", "--place", "Laos"]) == 2
    assert "did you mean 'LA'" in capsys.readouterr().err
