"""Normalisation: what every tagger and every search query sees."""

from __future__ import annotations

import unicodedata

import pytest

from pipelines.normalize import fold, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thuỷ sản Khánh Hoà", "Thủy sản Khánh Hòa"),  # new-style tone placement → traditional
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("quý hiếm", "quý hiếm"),  # "qu" is a consonant: nothing to move
        ("Hoàng Liên Sơn", "Hoàng Liên Sơn"),  # closed syllable: both conventions agree
        ("ngà&nbsp;voi &amp; sừng&#160;tê", "ngà voi & sừng tê"),
        ("tê\u200b tê\ufeff", "tê tê"),  # zero-width characters dropped
        ("  thu   giữ\t\t2 tấn \r\n\r\n\r\n\r\nngà voi  ", "thu giữ 2 tấn\n\nngà voi"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_decomposed_input_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Sừng tê giác")
    assert decomposed != "Sừng tê giác"
    assert normalize_text(decomposed) == "Sừng tê giác"


def test_fold_removes_diacritics_and_keeps_offsets() -> None:
    text = normalize_text("Đường dây buôn bán VẢY TÊ TÊ ở Móng Cái")
    folded = fold(text)
    assert folded == "duong day buon ban vay te te o mong cai"
    assert len(folded) == len(text)
    start = folded.index("vay te te")
    assert text[start : start + len("vay te te")] == "VẢY TÊ TÊ"


def test_fold_leaves_other_scripts_alone() -> None:
    assert fold("งาช้าง 象牙") == "งาช้าง 象牙"
