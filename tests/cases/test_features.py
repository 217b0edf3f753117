"""What the grouping reads from one article: names, keys, quantities, places, dates."""

from __future__ import annotations

from cases.features import article_features, extract_keys, extract_names


def test_vietnamese_full_names_are_found_with_and_without_diacritics() -> None:
    names = extract_names(
        "Công an bắt quả tang Đỗ Văn Lấn ở xã Xuân Dương; người bán là Hoàng Văn Hiến."
    )
    assert names == {"đỗ văn lấn", "hoàng văn hiến"}
    assert "nguyen mau chien" in extract_names("Police arrested Nguyen Mau Chien in Hanoi.")


def test_english_names_need_an_enforcement_word_nearby() -> None:
    text = (
        "Mombasa businessman Feisal Mohamed Ali was sentenced to 20 years. "
        "The Kenya Wildlife Service welcomed the ruling at Fort Jesus."
    )
    assert extract_names(text) == {"feisal mohamed ali"}


def test_places_agencies_and_nationalities_are_not_names() -> None:
    text = (
        "Two Vietnamese men were arrested at OR Tambo airport in Kempton Park; "
        "Hong Kong Customs and the National Parks Board said the suspect was detained."
    )
    doc = {"id": "x", "title": "", "text": text, "locations": ["Hong Kong"]}
    assert article_features(doc).names == frozenset()


def test_containers_companies_and_vessels_are_keys() -> None:
    keys = extract_keys(
        "Container MSKU 0147717 của Công ty TNHH Thiên Trường Sử chở ngà voi; "
        "the crew of F/N Min Long Yu were charged."
    )
    assert keys == {
        "container msku0147717",
        "company thien truong su",
        "vessel min long yu",
    }


def test_quantities_are_brought_to_kilograms_and_small_ones_dropped() -> None:
    doc = {
        "id": "x",
        "text": "",
        "quantities": [
            {"value": 8.3, "unit": "t", "text": "8.3 t"},
            {"value": 500, "unit": "g", "text": "500 g"},
            {"value": 2, "unit": "individuals", "text": "2 con"},
            {"value": 14, "unit": "individuals", "text": "14 con"},
        ],
        "published_at": "2019-02-01T10:00:00+08:00",
    }
    features = article_features(doc)
    assert features.quantities == {("kg", 8300.0), ("count", 14.0)}
    assert features.day is not None and features.day.isoformat() == "2019-02-01"


def test_places_split_into_specific_provinces_and_countries() -> None:
    doc = {"id": "x", "text": "", "locations": ["Nội Bài", "Nghệ An", "Angola"]}
    features = article_features(doc)
    assert "Nghệ An" in features.provinces
    assert "AO" in features.countries
    assert any("Nội Bài" in place for place in features.specific_places)
