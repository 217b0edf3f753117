"""Trade signal and relevance on whole texts, as a monitoring officer would triage them."""

from __future__ import annotations

import pytest

from pipelines.analysis import analyze


def trade(text: str) -> tuple[bool, float]:
    result = analyze(text, segment=False)
    return result["wildlife_trade"], result["relevance"]


@pytest.mark.parametrize(
    "text",
    [
        "Bán cao hổ nguyên chất, giá 15 triệu/lạng, ib zalo 0912345678",
        "ban vay te te gia re, ship cod toan quoc",
        "Hải quan Nội Bài thu giữ 456 kg ngà voi nhập lậu từ Nigeria",
        "Biên phòng bắt quả tang 2 đối tượng vận chuyển 5 cá thể tê tê, số tê tê đã được "
        "bàn giao cho Trung tâm cứu hộ động vật hoang dã",  # rescue after a seizure
        "Nhà hàng đặc sản bày bán thịt nhím, thịt cầy hương",
        "Online sellers advertise rhino horn at $60,000 per kilogram",
        "Buôn bán động vật hoang dã bị phạt tù đến 15 năm",  # no species, but wildlife trade
    ],
)
def test_trade_texts(text: str) -> None:
    flag, relevance = trade(text)
    assert flag
    assert 0.5 <= relevance <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Vườn thú Hà Nội đón 3 hổ con chào đời khỏe mạnh",
        "Trung tâm cứu hộ thả về rừng 25 cá thể khỉ đuôi dài và cu li",
        "Mô hình nuôi ba ba gai thương phẩm cho lãi 500 triệu mỗi năm, trang trại được cấp phép",
        "Người đàn ông bị rắn hổ mang cắn, được đưa vào bệnh viện cấp cứu",
        "Rắn hổ mang chúa bò vào nhà dân, cảnh sát bắt giữ con rắn và bàn giao cho kiểm lâm",
        "Xưởng nội thất bán bàn ghế gỗ sồi giá rẻ",
        "Những chú hổ Mã Lai thua trận đấu vòng loại",
        "Công an bắt giữ 2 đối tượng trộm cắp xe máy",  # enforcement, but no wildlife
    ],
)
def test_not_trade(text: str) -> None:
    flag, relevance = trade(text)
    assert not flag
    assert 0.0 <= relevance < 0.5


def test_relevance_ranks_products_and_proximity_higher() -> None:
    product_ad, _ = trade("Bán mật gấu nguyên chất"), None
    name_ad = trade("Bán gấu con")
    assert product_ad[0] and name_ad[0]
    assert product_ad[1] > name_ad[1]
    seizure = trade("Hải quan thu giữ 2 tấn ngà voi, 50 kg sừng tê giác, 1 tấn vảy tê tê")
    assert seizure[1] > product_ad[1]


@pytest.mark.parametrize(
    "text",
    [
        # seafood: "tôm sú" is the black tiger prawn
        "Giá tôm hùm bông hôm nay tại Nha Trang là 1,8 triệu đồng/kg, tôm sú 240.000 đồng/kg.",
        "Traders in Bac Lieu buy tiger prawns at 240,000 VND per kilo of 20 prawns this week.",
        # the stock market's "cá mập" (sharks) are big investors
        "Sáng nay cổ phiếu HPG tăng trần lên 27.800 đồng, các cá mập khối ngoại mua ròng 300 tỷ.",
        # a law explainer lists punishments, no case
        "Theo quy định mới, người săn bắt, mua bán động vật rừng trái phép có thể bị phạt tiền từ "
        "5 triệu đến 400 triệu đồng tùy theo mức độ vi phạm.",
    ],
)
def test_money_news_and_law_explainers_are_not_trade(text: str) -> None:
    result = analyze(text, segment=False)
    assert not result["wildlife_trade"]
    assert result["prices"] == [] and result["quantities"] == []
