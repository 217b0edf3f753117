"""analyze(): every DESIGN.md field, composed on title + text."""

from __future__ import annotations

import unicodedata

from pipelines.analysis import analyze

ARTICLE_TITLE = "Thu giữ gần nửa tấn ngà voi tại sân bay Nội Bài"
ARTICLE = (
    "Ngày 12/3, Chi cục Hải quan cửa khẩu sân bay quốc tế Nội Bài phát hiện, thu giữ 456 kg "
    "ngà voi cất giấu trong các kiện hàng vận chuyển từ Nigeria. Lô hàng trị giá khoảng "
    "1,4 triệu USD. Đối tượng Nguyễn Văn Tùng đã bị bắt tạm giam.\n\n"
    "Chia sẻ | Bình luận | Xem thêm: Giá vàng hôm nay"
)


def test_every_field_with_its_type() -> None:
    result = analyze(ARTICLE, title=ARTICLE_TITLE)
    assert set(result) == {
        "lang",
        "wildlife_trade",
        "relevance",
        "species",
        "enforcement",
        "prices",
        "quantities",
        "locations",
        "contacts",
        "tokens",
    }
    assert result["lang"] == "vi"
    assert result["wildlife_trade"] is True
    assert 0.5 <= result["relevance"] <= 1.0
    assert result["species"] == ["elephant"]
    assert result["enforcement"] == ["seizure", "arrest"]
    assert {"amount": 1_400_000.0, "currency": "USD"}.items() <= result["prices"][0].items()
    assert [q["text"] for q in result["quantities"]] == ["456 kg"]
    assert "Nội Bài" in result["locations"]
    assert "thu_giữ" in result["tokens"].split()


def test_the_title_counts() -> None:
    result = analyze("Chi tiết đang được cập nhật.", title="Bán sừng tê giác giá rẻ")
    assert result["species"] == ["rhino"]
    assert result["wildlife_trade"]


def test_spans_quote_the_input_as_written() -> None:
    text = "Cần bán 2,5 kg vảy tê tê, giá 12tr/kg, lh 0912.345.678"
    result = analyze(text, segment=False)
    for span in [p["text"] for p in result["prices"]] + [q["text"] for q in result["quantities"]]:
        assert span in text


def test_decomposed_input_is_analysed_like_composed() -> None:
    composed = "Hải quan thu giữ 18 kg sừng tê giác giấu trong thùng sơn"
    decomposed = unicodedata.normalize("NFD", composed)
    assert analyze(decomposed, segment=False) == analyze(composed, segment=False)


def test_language_hint_is_only_a_prior() -> None:
    assert analyze("Harimau", lang_hint="ms", segment=False)["lang"] == "ms"
    english = "Customs officers seized two tonnes of ivory hidden in a container"
    assert analyze(english, lang_hint="vi", segment=False)["lang"] == "en"


def test_empty_text() -> None:
    result = analyze("", segment=False)
    assert result["species"] == [] and result["wildlife_trade"] is False
    assert result["tokens"] == ""


def test_a_headline_restating_the_lead_does_not_double_the_figures() -> None:
    result = analyze(
        "Hải quan Hải Phòng phát hiện 7 tấn vảy tê tê trong container nhập từ Nigeria, trị giá "
        "200 tỷ đồng. Cùng chuyến hàng còn 2 con hổ và 2 con gấu đông lạnh.",
        title="Thu giữ 7 tấn vảy tê tê trị giá 200 tỷ đồng",
        segment=False,
    )
    assert [(p["amount"], p["currency"]) for p in result["prices"]] == [(200e9, "VND")]
    # the body's own repeats are distinct things: two tigers and two bears
    assert [(q["value"], q["unit"]) for q in result["quantities"]] == [
        (7, "t"),
        (2, "individuals"),
        (2, "individuals"),
    ]


def test_a_figure_only_in_the_headline_is_kept() -> None:
    result = analyze(
        "Lực lượng chức năng đang điều tra, làm rõ nguồn gốc số hàng.",
        title="Bắt xe chở 300 kg vảy tê tê",
        segment=False,
    )
    assert [(q["value"], q["unit"]) for q in result["quantities"]] == [(300, "kg")]


def test_legal_farming_that_quotes_prices_is_not_trade() -> None:
    result = analyze(
        "Mô hình nuôi ba ba gai thương phẩm giúp nhiều hộ dân ở Yên Bái thu lãi hàng trăm triệu "
        "đồng mỗi năm. Giá ba ba thương phẩm hiện ở mức 450.000 đồng/kg.",
        segment=False,
    )
    assert result["species"] == ["turtle"] and result["wildlife_trade"] is False


def test_catching_a_stray_snake_is_neither_an_arrest_nor_trade() -> None:
    result = analyze(
        "Hổ mang chúa dài 3m bò vào nhà dân ở Nghệ An, lực lượng kiểm lâm đã bắt giữ và thả về "
        "rừng.",
        segment=False,
    )
    assert result["species"] == ["snake"]
    assert result["enforcement"] == [] and result["wildlife_trade"] is False
    # the same verb with a trader in the story is enforcement again
    sold = analyze(
        "Con trăn bò vào nhà dân bị đối tượng Nguyễn Văn B. bắt về rao bán trên Facebook; công "
        "an đã bắt giữ đối tượng B.",
        segment=False,
    )
    assert "arrest" in sold["enforcement"] and sold["wildlife_trade"] is True


def test_a_foiled_smuggling_attempt_is_a_seizure() -> None:
    result = analyze(
        "The Malaysian Customs Department foiled an attempt to smuggle 18 rhinoceros horns "
        "worth RM3.2 million at KLIA Cargo. No arrests have been made so far.",
        segment=False,
    )
    assert result["enforcement"] == ["seizure"]


def test_an_unaccented_ad_full_of_units_and_shorthand_is_vietnamese() -> None:
    result = analyze(
        "can ban 3 con ran ho mang chua, moi con tam 4kg, gia 1tr2 / kg, ae nao can alo "
        "0935 222 333",
        segment=False,
    )
    assert result["lang"] == "vi"
    assert result["species"] == ["snake"] and result["wildlife_trade"] is True


def test_a_simile_is_not_the_animal() -> None:
    result = analyze(
        "Chồng bị cáo buộc tát vợ vì cô chê 'mặt như khỉ' trong lúc cãi nhau, Tòa án huyện xử "
        "phạt 6 tháng tù treo về tội cố ý gây thương tích.",
        segment=False,
    )
    assert result["species"] == [] and result["wildlife_trade"] is False


def test_initials_do_not_cut_the_sentence_between_agency_and_discovery() -> None:
    result = analyze(
        "Chi cục Kiểm lâm TP.HCM phối hợp Công an quận Bình Thạnh kiểm tra nhà hàng H.T., phát "
        "hiện 6 cá thể rùa hộp trán vàng đang được nhốt trong bếp để chế biến món ăn cho khách.",
        segment=False,
    )
    assert result["enforcement"] == ["seizure"]


def test_an_advert_found_online_is_not_a_seizure() -> None:
    result = analyze(
        "Qua tuần tra trên không gian mạng, Phòng PC02 Công an tỉnh Quảng Bình phát hiện tài "
        "khoản Facebook 'Thú rừng Quảng Bình' đăng bán 2 cá thể culi; công an đã bắt giữ chủ "
        "tài khoản.",
        segment=False,
    )
    assert result["enforcement"] == ["arrest"]


def test_officials_finding_goods_is_a_seizure_and_researchers_finding_animals_is_not() -> None:
    seized = analyze(
        "Cambodian police have detained three Chinese nationals at Phnom Penh International "
        "Airport after finding 107 kg of ivory in their luggage.",
        segment=False,
    )
    assert seized["enforcement"] == ["seizure", "arrest"]
    survey = analyze(
        "Researchers found 12 kilograms of pangolin droppings during a camera-trap survey.",
        segment=False,
    )
    assert survey["enforcement"] == []


def test_hong_kong_and_thai_seizure_wording() -> None:
    hong_kong = analyze("香港海关在葵涌货柜码头检获约2.1吨怀疑象牙及穿山甲鳞片。", segment=False)
    assert hong_kong["enforcement"] == ["seizure"]
    thai = analyze(
        "ตำรวจจับกุมผู้ต้องหา 2 ราย พร้อมของกลางเสือโคร่งแช่แข็ง 1 ตัว และกระดูกเสือ 5 กิโลกรัม",
        segment=False,
    )
    assert thai["enforcement"] == ["seizure", "arrest"]
