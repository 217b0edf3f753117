"""Numbers as written in Vietnamese and regional English (pipelines/numbers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.numbers import UnitsFileError, find_amounts, load_units, parse_digits, words_value


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1.200.000", 1_200_000),  # Vietnamese thousands dots
        ("1,200,000", 1_200_000),  # English thousands commas
        ("1,4", 1.4),  # Vietnamese decimal comma
        ("2,5", 2.5),
        ("80.5", 80.5),
        ("1,400", 1400),  # one separator + three digits: thousands in both conventions
        ("1.400", 1400),
        ("0,500", 0.5),
        ("1.200.000,50", 1_200_000.5),
        ("1,200,000.50", 1_200_000.5),
        ("40 000", 40_000),
        ("1200000", 1_200_000),
    ],
)
def test_parse_digits_reads_both_conventions(raw: str, value: float) -> None:
    assert parse_digits(raw) == pytest.approx(value)


@pytest.mark.parametrize("raw", ["1.2.3", "1,20,0", ".5", "abc"])
def test_parse_digits_refuses_malformed_groups(raw: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_digits(raw)


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("bảy", 7),
        ("mười lăm", 15),
        ("hai mươi", 20),
        ("hai mươi mốt", 21),
        ("hai mươi tư", 24),
        ("ba trăm linh năm", 305),
        ("một trăm hai mươi", 120),
        ("eleven", 11),
        ("twenty-one", 21),
        ("two dozen", 24),
        ("a dozen", 12),
        ("three hundred", 300),
    ],
)
def test_words_value(words: str, value: float) -> None:
    assert words_value(words) == value


@pytest.mark.parametrize("words", ["năm năm", "mươi", "a", "ten ten"])
def test_words_that_are_not_one_number(words: str) -> None:
    assert words_value(words) is None


def _amounts(text: str) -> list[tuple[str, float]]:
    return [(text[a.start : a.end], a.value) for a in find_amounts(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("giá 15tr", [("15tr", 15e6)]),
        ("500k/lạng", [("500k", 5e5)]),
        ("2tr5 một con", [("2tr5", 2.5e6), ("một", 1)]),
        ("giá 2 triệu 500.", [("2 triệu 500", 2.5e6)]),
        ("1 tỷ 2/kg", [("1 tỷ 2", 1.2e9)]),
        ("3 tỷ 500 triệu đồng", [("3 tỷ 500 triệu", 3.5e9)]),
        ("hai triệu rưỡi", [("hai triệu rưỡi", 2.5e6)]),
        ("RM80.5mil", [("80.5mil", 80.5e6)]),
        ("US$1.4 million", [("1.4 million", 1.4e6)]),
        ("gia hai trieu", [("hai trieu", 2e6)]),
    ],
)
def test_find_amounts_with_multipliers(text: str, expected: list[tuple[str, float]]) -> None:
    assert _amounts(text) == expected


def test_tail_is_not_read_before_a_count() -> None:
    # "35 triệu 2 con" is 35 million for two animals, not 35.2 million.
    assert _amounts("giá 35 triệu 2 con") == [("35 triệu", 35e6), ("2", 2)]


@pytest.mark.parametrize(
    "text", ["hàng chục tỷ đồng", "hàng trăm triệu", "vài triệu", "tens of millions of dollars"]
)
def test_vague_amounts_are_not_numbers(text: str) -> None:
    assert find_amounts(text) == []


def test_unaccented_number_words_need_a_money_word() -> None:
    # "sau" (after), "nam" (south) and "bay" (fly) are not numbers on their own.
    assert find_amounts("sau khi bay ve mien nam") == []


def test_digits_glued_to_a_word_are_not_amounts() -> None:
    assert find_amounts("mã abc123 và tr5") == []
    assert _amounts("RM80") == [("80", 80)]


def test_five_cubic_metres_is_not_five_million() -> None:
    assert _amounts("5m3 gỗ") == [("5", 5)]


def test_units_file_errors_name_the_file_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "units.toml"
    bad.write_text('[[weight]]\nunit = "stone"\nfactor = 6\nper = "st"\nforms = ["st"]\n')
    with pytest.raises(UnitsFileError, match=r"units.toml: \[\[weight\]\] #1: unknown unit"):
        load_units(bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[weight]\n")
    with pytest.raises(UnitsFileError, match=r"broken\.toml"):
        load_units(broken)
