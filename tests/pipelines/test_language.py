"""Language identification on short, messy snippets as crawled."""

from __future__ import annotations

import pytest

from pipelines.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hải quan thu giữ 2 tấn ngà voi tại cảng Cát Lái", "vi"),
        ("ban vay te te gia re, lh zalo 0987654321", "vi"),  # typed without diacritics
        ("can mua sung te giac so luong lon gia cao", "vi"),
        ("Thu giữ", "vi"),  # one distinctive letter is enough
        ("Customs officers seized two tonnes of ivory at the port", "en"),
        ("The café on Hang Bac street sells coffee and croissants", "en"),
        ("เจ้าหน้าที่ตรวจยึดงาช้างที่สนามบินสุวรรณภูมิ", "th"),
        ("ເຈົ້າໜ້າທີ່ຍຶດງາຊ້າງຢູ່ແຂວງບໍ່ແກ້ວ", "lo"),
        ("អាជ្ញាធររឹបអូសភ្លុកដំរី", "km"),
        ("ဆင်စွယ်များ ရောင်းချနေသည့် ဆိုင်များ", "my"),
        ("海关查获走私象牙制品", "zh"),
        ("Polis merampas sisik tenggiling bernilai RM50,000 di Kelantan", "ms"),
        ("Polisi menyita sisik trenggiling di bandara, dua tersangka diamankan", "id"),
    ],
)
def test_detects_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_hint_decides_when_the_text_says_too_little() -> None:
    assert detect_language("OK 123", hint="th") == "th"
    assert detect_language("Harimau", hint="ms") == "ms"


def test_hint_does_not_override_a_clear_script_or_vietnamese() -> None:
    assert detect_language("ยึดงาช้าง 2 ตัน", hint="vi") == "th"
    assert detect_language("Bán cao hổ nguyên chất, giao hàng toàn quốc", hint="en") == "vi"


def test_empty_text_is_undetermined() -> None:
    assert detect_language("   ") == "und"


def test_a_reprinted_european_wire_story_keeps_its_language() -> None:
    german = (
        "Die thailändischen Behörden haben am Flughafen mehr als 200 Kilogramm Elfenbein "
        "beschlagnahmt und einen Mann aus Nigeria festgenommen."
    )
    assert detect_language(german) == "de"
