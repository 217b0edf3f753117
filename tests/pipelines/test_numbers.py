"""Numbers as written in Vietnamese and regional English (pipelines/numbers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.numbers import (
    find_amounts,
    parse_digits,
    words_value,
    zh_numeral_value,
)
from pipelines.units import (
    UnitsFileError,
    load_units,
)


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
        # before an English scale word one dot is a decimal mark, before a Vietnamese one not
        ("cigarettes worth 60.946 million baht", [("60.946 million", 60.946e6)]),
        ("lô hàng trị giá 1.500 tỷ đồng", [("1.500 tỷ", 1.5e12)]),
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


# --- Chinese, Thai, Lao and Khmer ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("run", "value"),
    [
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十五", 25),
        ("九十九", 99),
        ("一百二十", 120),
        ("三千零五", 3005),
    ],
)
def test_chinese_numerals(run: str, value: float) -> None:
    assert zh_numeral_value(run) == value


@pytest.mark.parametrize("run", ["三四", "一二", "百", "十十", "二两", "零"])
def test_chinese_numerals_that_are_not_one_number(run: str) -> None:
    # "三四只" is "three or four", not 34; "百" alone is "hundreds".
    assert zh_numeral_value(run) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("海关查获象牙200公斤，价值500万元。", [("200", 200), ("500万", 5e6)]),
        ("总价值超过1.2亿元", [("1.2亿", 1.2e8)]),
        ("案值约1000余万元人民币", [("1000余万", 1e7)]),
        ("涉案金额1亿2000万元", [("1亿2000万", 1.2e8)]),
        ("罚金两万元", [("两万", 2e4)]),
        ("三千万元", [("三千万", 3e7)]),
        ("查获穿山甲二十五只", [("二十五", 25)]),
        ("3亿5千万元", [("3亿5千万", 3.5e8)]),
        ("一亿两千万元", [("一亿两千万", 1.2e8)]),
        ("一万二千只", [("一万二千", 12_000)]),
        ("1万2500元", [("1万2500", 12_500)]),
        ("卖了1万2", [("1万2", 12_000)]),  # spoken: 1.2 万
        ("价值500万2023年", [("500万", 5e6), ("2023", 2023)]),  # a year, not 5002023
        ("五千克", [("五", 5)]),  # five kilograms, not five thousand grams
        ("มูลค่ากว่า 80 ล้านบาท", [("80 ล้าน", 8e7)]),
        ("มูลค่า 3 ล้าน 5 แสนบาท", [("3 ล้าน 5 แสน", 3.5e6)]),
        ("ราคา ๒ พันล้านบาท", [("๒ พันล้าน", 2e9)]),  # Thai digits
        ("ມູນຄ່າ ໕໐໐ ລ້ານກີບ", [("໕໐໐ ລ້ານ", 5e8)]),  # Lao digits
        ("តម្លៃ ៥០ លានរៀល", [("៥០ លាន", 5e7)]),  # Khmer digits
    ],
)
def test_regional_amounts(text: str, expected: list[tuple[str, float]]) -> None:
    assert _amounts(text) == expected


@pytest.mark.parametrize(
    "text", ["数十只穿山甲", "几十万元", "上百只猴子", "近千万元", "二三十只", "第三只"]
)
def test_vague_and_ordinal_chinese_numbers_are_not_amounts(text: str) -> None:
    assert _amounts(text) == []


def test_thai_species_word_is_not_a_thousand() -> None:
    # "พันธุ์" (species, breed) begins with "พัน" (thousand).
    assert _amounts("สัตว์ป่า 5 พันธุ์") == [("5", 5)]


def test_glued_units_and_their_exclusions(tmp_path: Path) -> None:
    table = load_units()
    assert table.pattern.match("公斤象牙") is not None  # glued: no boundary needed
    assert table.pattern.match("กิโลเมตร") is None  # a kilometre, not a kilo
    assert table.pattern.match("เขาเคย") is None  # "he", not horns: whole word only
    bad = tmp_path / "units.toml"
    bad.write_text(
        '[[count]]\nunit = "pieces"\nfactor = 1\nper = "piece"\nforms = ["根"]\n'
        + 'whole_word = "根"\n'
    )
    with pytest.raises(UnitsFileError, match=r"\[\[count\]\] #1: whole_word must be a list"):
        load_units(bad)
