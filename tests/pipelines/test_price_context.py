"""Prices in context: ranges, penalties and pay, Hong Kong dollars, per-unit values in đồng."""

from __future__ import annotations

from pipelines.analysis import analyze
from pipelines.fields import Price


def _prices(text: str) -> list[Price]:
    return analyze(text, segment=False)["prices"]


def test_a_range_is_one_price_with_both_bounds() -> None:
    (price,) = _prices("Thương lái hỏi mua vảy tê tê giá 50 - 250 triệu đồng/kg tùy loại.")
    assert (price["min"], price["max"], price["amount"]) == (50e6, 250e6, 250e6)
    assert price["text"] == "50 - 250 triệu đồng/kg"
    assert price["per"] == "kg"
    assert price["vnd_per_kg"] == 250e6


def test_ranges_in_other_languages_and_forms() -> None:
    ranges = {
        "Perhilitan said pangolin scales fetch between RM1,000 to RM1,500 per kg.": (1000, 1500),
        "Pangolins fetch between Bt900 and Bt1,200 a kilogram on the black market.": (900, 1200),
        "Sisik trenggiling dijual mulai dari Rp1 juta hingga Rp3 juta per kg.": (1e6, 3e6),
        "Siamese rosewood used to sell for 1,000-1,500 baht per kilogram.": (1000, 1500),
        "Chợ đầu mối bán rùa giống 55.000-60.000 đồng/con cho người buôn.": (55000, 60000),
    }
    for text, bounds in ranges.items():
        (price,) = _prices(text)
        assert (price["min"], price["max"]) == bounds, text


def test_fines_statutes_and_pay_are_not_prices() -> None:
    text = (
        "Hải quan Nội Bài thu giữ 11 khúc sừng tê giác trị giá 3 tỷ đồng. Người vận chuyển "
        "khai được trả tiền công 50 triệu đồng. Tòa tuyên 12 năm tù và phạt bổ sung 100 triệu "
        "đồng. Theo luật, hành vi này có thể bị phạt tiền từ 500 triệu đến 15 tỷ đồng."
    )
    assert [p["amount"] for p in _prices(text)] == [3e9]
    english = (
        "Customs seized 56 pangolins worth RM75,000 and arrested the driver, who said he was "
        "paid RM1,800 for the trip. He faces fines of up to RM100,000."
    )
    assert [(p["amount"], p["currency"]) for p in _prices(english)] == [(75000, "MYR")]


def test_malay_fines_and_bribes_are_not_prices() -> None:
    malay = (
        "Empat lelaki dipenjara kerana memiliki empat ekor biawak air yang dilindungi. Tekong "
        "bot itu didenda RM6,000 kerana menyimpan daging babi hutan."
    )
    assert _prices(malay) == []
    bribe = (
        "Police seized three tiger carcasses. A fourth man who offered police Bt150,000 to drop "
        "the charges was arrested. A tiger carcass fetches Bt250,000."
    )
    assert [p["amount"] for p in _prices(bribe)] == [250000]


def test_macau_patacas() -> None:
    (price,) = _prices("他托人从泰国代购一斤穿山甲鳞片，付了520葡币，入境时被海关查获。")
    assert (price["amount"], price["currency"]) == (520, "MOP")
    assert price["vnd"] is not None


def test_a_value_word_after_a_penalty_cue_keeps_the_value() -> None:
    text = "Bị cáo bị phạt 7 năm tù vì buôn bán số ngà voi trị giá 2 tỷ đồng."
    assert [p["amount"] for p in _prices(text)] == [2e9]


def test_hong_kong_yuan_is_the_hong_kong_dollar() -> None:
    (price,) = _prices("香港海關在機場檢獲約十八公斤懷疑象牙製品，市值約18萬元，拘捕一名男子。")
    assert (price["amount"], price["currency"]) == (180000, "HKD")


def test_per_unit_values_in_dong() -> None:
    (per_jin,) = _prices("该团伙在网上出售穿山甲鳞片，每斤售价800元，已被警方查获。")
    vnd = per_jin["vnd"]
    assert vnd is not None
    assert per_jin["per"] == "jin" and per_jin["vnd_per_kg"] == 2 * vnd
    (per_animal,) = _prices("Bán tê tê 7 triệu đồng/con, ib zalo.")
    assert per_animal["vnd_per_individual"] == 7e6 and per_animal["vnd_per_kg"] is None
    (total,) = _prices("Lô ngà voi bị thu giữ có giá trị khoảng 4,5 tỷ đồng.")
    assert total["vnd_per_kg"] is None and total["vnd_per_individual"] is None


def test_non_trade_articles_carry_no_prices_or_quantities() -> None:
    farm = (
        "Sau thời gian giá nhím giống lên tới 15 triệu đồng/cặp, nay người chăn nuôi chỉ "
        "cần khoảng 1,2 triệu đồng/cặp. Ông Cao, nông dân nuôi nhím ở xã Suối Cát, cho biết "
        "nhím dễ nuôi, ăn củ quả, rau xanh; nhím nặng 15 kg/con bán cho thương lái được trên "
        "2 triệu đồng/con. Trang trại của ông có 40 con nhím sinh sản."
    )
    result = analyze(farm, segment=False)
    assert not result["wildlife_trade"]
    assert result["prices"] == [] and result["quantities"] == []


def test_a_price_repeated_without_its_unit_is_one_price() -> None:
    prices = _prices("Mật gấu rừng giá 3500k/lạng, hàng chuẩn. Liên hệ 0912 345 678, giá 3500k.")
    assert [(p["amount"], p["per"]) for p in prices] == [(3500000, "100g")]


def test_a_chinese_range_with_its_unit_named_first() -> None:
    (price,) = _prices("据嫌疑人供述，他们在非洲以每公斤300到500元人民币的价格收购穿山甲鳞片。")
    assert (price["min"], price["max"], price["currency"]) == (300, 500, "CNY")
    assert price["per"] == "kg" and price["vnd_per_kg"] is not None


def test_a_bare_dollar_in_a_hong_kong_release_is_the_hong_kong_dollar() -> None:
    release = (
        "Hong Kong Customs seized about 900 kilograms of pangolin scales in a container at "
        "Kwai Chung. The seizure was worth about $4 million. Importing unmanifested cargo "
        "carries a maximum fine of $2 million."
    )
    assert [(p["amount"], p["currency"]) for p in _prices(release)] == [(4e6, "HKD")]
    wire = (
        "Hong Kong customs seized 2,000 kg of pangolin scales worth HK$8 million "
        "(about $1 million)."
    )
    assert [p["currency"] for p in _prices(wire)] == ["HKD", "USD"]


def test_yuan_in_a_singapore_report_is_the_singapore_dollar() -> None:
    text = "新加坡关税局在巴西班让检查站查获8吨穿山甲鳞片，价值约3800万元。"
    (price,) = _prices(text)
    assert (price["amount"], price["currency"]) == (38e6, "SGD")


def test_a_couriers_fee_to_carry_the_goods_is_no_price() -> None:
    text = (
        "Customs at Noi Bai caught a man carrying 3 kg of rhino horn; he said a man in Angola "
        "offered 2 million VND (86 USD) to him to transport the suitcase to Hanoi."
    )
    assert _prices(text) == []


def test_totals_over_a_period_and_other_goods_are_no_prices() -> None:
    text = (
        "Thai customs seized goods worth 420.5 million baht between October and March. "
        "Officers confiscated 8.2 million cigarettes worth 35.12 million baht. They also "
        "foiled several attempts to smuggle ivory and pangolin scales worth 12 million baht. "
        "Pangolin scales sell for 10,000 baht per kilogram in China."
    )
    assert [(p["amount"], p["per"]) for p in _prices(text)] == [(10000, "kg")]


def test_a_number_plate_is_no_price() -> None:
    text = "Tổ công tác dừng ô tô 29K-18x.xx, phát hiện 6 cá thể tê tê trong thùng xốp."
    assert _prices(text) == []


def test_cash_bail_salaries_and_rewards_are_no_prices() -> None:
    texts = [
        "Công an thu giữ 3 cá thể tê tê, 2 điện thoại và 15 triệu đồng tiền mặt.",
        "Police seized 20 kg of pangolin scales and RM3,000 in cash from the house.",
        "ศาลให้ประกันตัวผู้ต้องหาด้วยวงเงิน 200,000 บาท หลังยึดงาช้าง 5 กิ่ง",
        "警方悬赏10万元征集穿山甲走私线索，此前已查获鳞片20公斤。",
        "他被取保候审，缴纳保证金5万元，此前海关查获其象牙10公斤。",
        "Pelaku mengaku mendapat gaji Rp 3 juta dari bandar sisik trenggiling seberat 20 kg.",
    ]
    for text in texts:
        assert _prices(text) == [], text
    kept = "Police seized 20 kg of ivory worth RM90,000 and RM3,000 in cash."
    assert [p["amount"] for p in _prices(kept)] == [90000]
