"""Prices as sellers and reporters write them (pipelines/prices.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.prices import PriceVocabError, extract_prices, load_rates


def _found(text: str) -> list[tuple[float, str]]:
    return [(p["amount"], p["currency"]) for p in extract_prices(text)]


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Lô hàng trị giá 8 tỉ đồng.", 8e9, "VND"),
        ("chốt 3 tỷ", 3e9, "VND"),
        ("giá 15tr bao ship", 15e6, "VND"),
        ("chỉ 2,5 triệu", 2.5e6, "VND"),
        ("1.200.000đ", 1.2e6, "VND"),
        ("1.200.000 VNĐ", 1.2e6, "VND"),
        ("1200000 vnd", 1.2e6, "VND"),
        ("giá 2 triệu 500", 2.5e6, "VND"),
        ("2tr5", 2.5e6, "VND"),
        ("12 củ", 12e6, "VND"),
        ("RM80.5mil", 80.5e6, "MYR"),
        ("RM 80.5 million", 80.5e6, "MYR"),
        ("US$1.4 million", 1.4e6, "USD"),
        ("$1,400", 1400, "USD"),
        ("40.000 Baht", 40_000, "THB"),
        ("40,000 baht", 40_000, "THB"),
        ("฿40,000", 40_000, "THB"),
        ("¥500", 500, "CNY"),
        ("500 nhân dân tệ", 500, "CNY"),
        ("€3 million", 3e6, "EUR"),
        ("S$17.6 million", 17.6e6, "SGD"),
        ("Rp 500,000 each", 500_000, "IDR"),
        ("2 billion kyat", 2e9, "MMK"),
        ("R1.1 million", 1.1e6, "ZAR"),
        ("gia 2 trieu", 2e6, "VND"),
        ("giá: 1.200.000", 1.2e6, "VND"),
        ("500 đô", 500, "USD"),
        ("giá 5 trăm nghìn", 5e5, "VND"),
        ("khoảng 2 chục triệu", 2e7, "VND"),
        ("thiệt hại 5 nghìn tỷ đồng", 5e12, "VND"),
        ("USD 1.4 million", 1.4e6, "USD"),
        ("1,5 tỷ USD", 1.5e9, "USD"),
    ],
)
def test_one_price(text: str, amount: float, currency: str) -> None:
    assert _found(text) == [(pytest.approx(amount), currency)]


def test_two_currencies_side_by_side() -> None:
    prices = extract_prices("trị giá 1,4 triệu USD (khoảng 30 tỷ đồng)")
    assert [(p["amount"], p["currency"], p["text"]) for p in prices] == [
        (1.4e6, "USD", "1,4 triệu USD"),
        (30e9, "VND", "30 tỷ đồng"),
    ]


@pytest.mark.parametrize(
    ("text", "amount", "per", "quoted"),
    [
        ("Mật gấu 500k/lạng", 5e5, "100g", "500k/lạng"),
        ("sừng 35 triệu/kg", 35e6, "kg", "35 triệu/kg"),
        ("sừng 35tr/1kg", 35e6, "kg", "35tr/1kg"),
        ("hổ con 100 triệu đồng/cá thể", 100e6, "individual", "100 triệu đồng/cá thể"),
        ("vảy 15 trieu/kg", 15e6, "kg", "15 trieu/kg"),
        ("US$60,000 per kilogram", 60_000, "kg", "US$60,000 per kilogram"),
        ("giá chỉ 350.000đ một lạng", 350_000, "100g", "350.000đ một lạng"),
        ("vòng 1.200.000đ / chiếc", 1.2e6, "piece", "1.200.000đ / chiếc"),
        ("$1,400 per tusk", 1400, "piece", "$1,400 per tusk"),
    ],
)
def test_unit_prices_keep_their_unit(text: str, amount: float, per: str, quoted: str) -> None:
    (price,) = extract_prices(text)
    assert price["amount"] == pytest.approx(amount)
    assert price.get("per") == per
    assert price["text"] == quoted


def test_totals_have_no_unit() -> None:
    (price,) = extract_prices("Lô hàng trị giá 8 tỉ đồng")
    assert price.get("per") is None


@pytest.mark.parametrize(
    "text",
    [
        "hàng chục tỷ đồng tiền thu lợi",
        "hàng trăm triệu",
        "vài triệu đồng",
        "tens of millions of dollars",
        "LH 0912345678 hoặc 0987.654.321",
        "năm 2023",
        "Điều 244 Bộ luật Hình sự",
        "tăng 15%",
        "ngày 20.10.2023",
        "nặng 150 kg",
        "2 triệu người và 2,5 triệu ha rừng",
        "1.4 million hectares",
        "dài 2m",
        "BKS 29A-456.78",
    ],
)
def test_not_prices(text: str) -> None:
    assert extract_prices(text) == []


def test_vnd_uses_the_rate_table() -> None:
    rates = load_rates()
    usd, vnd = extract_prices("1,4 triệu USD (khoảng 30 tỷ đồng)")
    assert usd["vnd"] == pytest.approx(1.4e6 * rates["USD"])
    assert vnd["vnd"] == 30e9


def test_every_currency_has_a_rate() -> None:
    from pipelines.prices import load_currencies

    currencies = load_currencies()
    codes = set(currencies.before_codes.values()) | set(currencies.after_codes.values())
    assert codes <= set(load_rates())


def test_bad_rate_file_names_file_and_currency(tmp_path: Path) -> None:
    bad = tmp_path / "rates.toml"
    bad.write_text("[rates]\nUSD = -1\n")
    with pytest.raises(PriceVocabError, match=r"rates.toml: \[rates\] USD must be a positive"):
        load_rates(bad)
    worse = tmp_path / "worse.toml"
    worse.write_text("[rates\n")
    with pytest.raises(PriceVocabError, match=r"worse\.toml"):
        load_rates(worse)


def test_marketplace_ad_end_to_end() -> None:
    ad = (
        "🔥 Vảy tê tê loại 1 🔥\nGiá sỉ: 8.500.000 VNĐ/kg, mua từ 5kg còn 7tr/kg.\n"
        "Ship toàn quốc. LH 0868 555 777 (Zalo)"
    )
    assert [(p["amount"], p.get("per")) for p in extract_prices(ad)] == [
        (8.5e6, "kg"),
        (7e6, "kg"),
    ]


# --- Chinese, Thai, Lao and Khmer ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency", "quoted"),
    [
        ("海关查获象牙200公斤，价值500万元。", 5e6, "CNY", "500万元"),
        ("总价值超过1.2亿元", 1.2e8, "CNY", "1.2亿元"),
        ("案值约1000余万元人民币。", 1e7, "CNY", "1000余万元人民币"),
        ("并处罚金人民币50万元", 5e5, "CNY", "人民币50万元"),
        ("市值港币500万元", 5e6, "HKD", "港币500万元"),  # 元 is the unit of any dollar
        ("美金300元", 300, "USD", "美金300元"),
        ("价值人民币300万", 3e6, "CNY", "人民币300万"),
        ("估计市值约4200万港元", 4.2e7, "HKD", "4200万港元"),
        ("市值約120萬港幣", 1.2e6, "HKD", "120萬港幣"),
        ("价值30万美元的犀牛角", 3e5, "USD", "30万美元"),
        ("按市价60万泰铢计算", 6e5, "THB", "60万泰铢"),
        ("以6亿越南盾购得", 6e8, "VND", "6亿越南盾"),
        ("价值约1800万令吉", 1.8e7, "MYR", "1800万令吉"),
        ("另有现金8000块钱", 8000, "CNY", "8000块钱"),
        ("卖了500块", 500, "CNY", "500块"),  # 块 after a money verb is yuan
        ("花了500块买的", 500, "CNY", "500块"),
        ("มูลค่ากว่า 80 ล้านบาท ที่ท่าอากาศยาน", 8e7, "THB", "80 ล้านบาท"),
        ("ปรับ 500,000 บาท", 5e5, "THB", "500,000 บาท"),
        ("มูลค่าประมาณ 1.5 แสนดอลลาร์สหรัฐ", 1.5e5, "USD", "1.5 แสนดอลลาร์สหรัฐ"),
        ("มูลค่า ๓ ล้าน ๕ แสนบาท", 3.5e6, "THB", "๓ ล้าน ๕ แสนบาท"),
        ("ມູນຄ່າ 150 ລ້ານກີບ", 1.5e8, "LAK", "150 ລ້ານກີບ"),
        ("តម្លៃប្រមាណ ៥០ លានរៀល", 5e7, "KHR", "៥០ លានរៀល"),
        ("ក្នុងតម្លៃ ២០០០ ដុល្លារ", 2000, "USD", "២០០០ ដុល្លារ"),
        ("ขายนอแรดแท้ ราคา 2 แสน สนใจทักไลน์", 2e5, "THB", "2 แสน"),  # baht left out
    ],
)
def test_regional_prices(text: str, amount: float, currency: str, quoted: str) -> None:
    (price,) = extract_prices(text)
    assert (price["amount"], price["currency"], price["text"]) == (
        pytest.approx(amount),
        currency,
        quoted,
    )
    assert price["text"] in text


@pytest.mark.parametrize(
    ("text", "amount", "per", "quoted"),
    [
        ("穿山甲鳞片500元/公斤", 500, "kg", "500元/公斤"),
        ("一斤卖800块", 800, "jin", "一斤卖800块"),
        ("黑市每公斤售价高达30万美元", 3e5, "kg", "每公斤售价高达30万美元"),
        ("以每千克6亿越南盾购得", 6e8, "kg", "每千克6亿越南盾"),
        ("ขายกิโลกรัมละ 50,000 บาท", 50_000, "kg", "กิโลกรัมละ 50,000 บาท"),
        ("ลิ่นตัวละ 3,000 บาท", 3000, "individual", "ตัวละ 3,000 บาท"),
        ("ราคา ฿25,000 ต่อชิ้น", 25_000, "piece", "฿25,000 ต่อชิ้น"),
        ("ຂາຍ ກິໂລລະ 500 ລ້ານກີບ", 5e8, "kg", "ກິໂລລະ 500 ລ້ານກີບ"),
    ],
)
def test_regional_unit_prices(text: str, amount: float, per: str, quoted: str) -> None:
    (price,) = extract_prices(text)
    assert (price["amount"], price.get("per"), price["text"]) == (
        pytest.approx(amount),
        per,
        quoted,
    )


@pytest.mark.parametrize(
    "text",
    [
        "查获象牙3块",  # pieces of ivory, not three yuan
        "出售象牙3块，另有现金",  # sold three pieces: the money verb is not next to the number
        "卖了3块象牙",  # a noun glued after 块: it counts the ivory
        "2023年5月12日，涉案5个国家",
        "被判处有期徒刑12年，王某（35岁）",
        "同比下降30%，联系电话13812345678",
        "几十万元的赃款",  # vague
        "近千万元",
        "ผู้ต้องหาอายุ 45 ปี จำคุก 5 ปี ตามมาตรา 17 เมื่อปี 2566",
        "ระยะทาง 12 กิโลเมตร โทร 081-234-5678",
        "ประชากร 2 ล้านคน",  # people: no price word before the multiplier
    ],
)
def test_regional_not_prices(text: str) -> None:
    assert extract_prices(text) == []


def test_regional_prices_get_a_value_in_dong() -> None:
    rates = load_rates()
    (price,) = extract_prices("มูลค่ากว่า 80 ล้านบาท")
    assert price["vnd"] == pytest.approx(8e7 * rates["THB"])
