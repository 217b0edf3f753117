"""Enforcement actions: reported ones count, possible ones do not."""

from __future__ import annotations

import pytest

from pipelines.enforcement import action_list, find_actions
from pipelines.language import detect_language
from pipelines.normalize import normalize_text


def actions(text: str, *, vietnamese: bool = True) -> list[str]:
    return action_list(find_actions(normalize_text(text), vietnamese=vietnamese))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hải quan thu giữ 2 tấn vảy tê tê", ["seizure"]),
        ("Hải quan bắt giữ 2 tấn ngà voi tại cảng", ["seizure"]),  # goods follow
        ("Công an bắt giữ 2 đối tượng người Lào", ["arrest"]),  # people follow
        ("Lô hàng không rõ nguồn gốc đã bị tạm giữ", ["seizure"]),
        ("Tài xế bị tạm giữ hình sự", ["arrest"]),
        ("Bắt quả tang đối tượng vận chuyển tê tê", ["arrest"]),
        ("Khởi tố vụ án, khởi tố bị can và bắt tạm giam", ["arrest", "prosecution"]),
        ("Viện kiểm sát truy tố bị can", ["prosecution"]),
        ("TAND tỉnh đưa ra xét xử sơ thẩm", ["trial"]),
        ("Tòa tuyên phạt bị cáo 7 năm tù", ["sentence"]),
        ("Bị cáo lãnh 30 tháng tù nhưng cho hưởng án treo", ["sentence"]),
        ("Chủ nhà hàng bị xử phạt hành chính 40 triệu đồng", ["sentence"]),
        ("Lực lượng chức năng phát hiện 3 tấn ngà voi trong container", ["seizure"]),
        ("hai quan thu giu 50kg vay te te, bat tam giam 2 doi tuong", ["seizure", "arrest"]),
        ("Police arrested two men and seized 300 kg of pangolin scales", ["seizure", "arrest"]),
        ("The pair were charged and later jailed for five years", ["prosecution", "sentence"]),
        ("The court heard the shipment was bound for Hanoi", ["trial"]),
        ("海关查获象牙，两人被刑事拘留，法院判处有期徒刑五年", ["seizure", "arrest", "sentence"]),
        ("ตรวจยึดงาช้าง พร้อมจับกุมผู้ต้องหา", ["seizure", "arrest"]),
        ("Perhilitan merampas sisik tenggiling dan menahan dua lelaki", ["seizure", "arrest"]),
    ],
)
def test_reported_actions(text: str, expected: list[str]) -> None:
    assert actions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The smugglers escaped arrest, but rangers recovered two leopard skins", ["seizure"]),
        ("The owner was held for questioning", ["arrest"]),
        ("警方截获穿山甲，嫌疑人已被刑拘", ["seizure", "arrest"]),
        ("公安机关对嫌疑人采取刑事强制措施", ["arrest"]),
        ("检察院移送起诉，法院公开审理", ["prosecution", "trial"]),
        ("เจ้าหน้าที่ยึดของกลางและนำตัวผู้ต้องหาส่งพนักงานสอบสวน", ["seizure", "arrest"]),
        ("ผู้ต้องหาหลบหนีไปได้ เจ้าหน้าที่ยึดเสือดาว 1 ตัว", ["seizure"]),
        ("Pengadilan Negeri memvonis terdakwa 3 tahun penjara", ["sentence"]),
        ("51 tusks were found by police in an ice box", ["seizure"]),
        # arrested with the goods: they were taken too
        ("The driver was caught with 5 kg of ivory", ["seizure", "arrest"]),
        ("Khám xét nhà, công an tạm giữ thêm nhiều bánh cao", ["seizure"]),  # active voice
        ("Công an đã bắt giữ cả ba khi đang mua bán 9 bộ da hổ", ["seizure", "arrest"]),
        ("Ông A bị bắt tạm giam vì tội đánh bạc", ["arrest"]),  # no goods
    ],
)
def test_regional_languages_and_escapes(text: str, expected: list[str]) -> None:
    assert actions(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Người vi phạm có thể bị phạt tù đến 15 năm",
        "Khung hình phạt cao nhất là 15 năm tù",
        "Mức phạt tối đa lên đến 2 tỷ đồng",
        "Hành vi này bị phạt tù từ 5 năm đến 10 năm",
        "Traffickers can face up to 10 years in prison",
        "If convicted, they could be jailed for 20 years",
        "No arrests have been made",
        "The new drug passed its clinical trial",
        "Các nhà khoa học phát hiện 3 cá thể voọc mới",  # discovered, by scientists
        "Người dân bắt được 1 cá thể rùa khi đi rẫy",  # caught an animal, nobody arrested
        "Cầu thủ bị phạt thẻ vàng, đội bạn được hưởng quả phạt đền",  # football
        "The bull charged at the crowd during a long-haul festival",
        "A leopard was caught on camera in the park",
        "The trafficker escaped arrest and remains at large",
        "Police issued an arrest warrant for the dealer",
        "Anh em bắt tay nhau buôn bán ngà voi",  # shook hands: nobody arrested
        "Cảnh sát bắt đầu điều tra đường dây",  # began
        "The tortoise has recovered and was released",
        "Rangers found a dead elephant near the river",
        "Tình hình đã được kiểm soát; 局势已被控制",
    ],
)
def test_possible_or_unrelated_actions_do_not_count(text: str) -> None:
    assert actions(text) == []


def test_actions_come_in_case_order() -> None:
    text = "Bị cáo bị tuyên phạt 5 năm tù. Trước đó, công an thu giữ 20 kg ngà voi."
    assert actions(text) == ["seizure", "sentence"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # held criminally liable: the case was prosecuted
        (
            "Từ đầu mối này, cơ quan điều tra truy cứu trách nhiệm hình sự 15 người.",
            ["prosecution"],
        ),
        # "tạm giữ" + a full name holds a person; the horns held beside them were taken
        (
            "Công an tỉnh Tây Ninh đang tạm giữ Nguyễn Đức Nam cùng 10 khúc sừng tê giác.",
            ["seizure", "arrest"],
        ),
        # caught while carrying the goods: the people were arrested, and the goods taken
        (
            "Cuối tháng 7, hai đối tượng bị lực lượng chức năng bắt giữ khi đang chở 7 cá thể hổ.",
            ["seizure", "arrest"],
        ),
        (
            "Two men caught with 50 rhino horn pieces near the airport were jailed for six months.",
            ["seizure", "arrest", "sentence"],
        ),
        # talk of the penalty they face does not undo the horns seized
        (
            "They face charges over 50 horn pieces seized near the airport. If found guilty, "
            "they could face three years in jail.",
            ["seizure"],
        ),
        # a plea when charged, and a trial still to come
        (
            "Two men claimed trial for possessing rhino horns. The trial is set to begin in "
            "September.",
            ["prosecution"],
        ),
        ("Người này đã bị xử lý hình sự về tội buôn bán động vật hoang dã.", ["prosecution"]),
        ("Hai đối tượng có thể bị xử lý hình sự.", []),
        # "what could be the largest seizure" reports one
        ("Customs made what could be the largest seizure of ivory this year.", ["seizure"]),
        # Thai: officers are preparing to take legal action, not done yet
        ("เจ้าหน้าที่ตรวจยึดงาช้าง 6 กิ่ง และเตรียมเรียกตัวผู้ครอบครองมาดำเนินคดี", ["seizure"]),
    ],
)
def test_court_news_wording(text: str, expected: list[str]) -> None:
    assert actions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the verb took the person and the goods together
        (
            "Quốc đang chở tê tê đến xã Hưng Tây thì bị Công an huyện bắt giữ cùng tang vật "
            "gồm 3 cá thể tê tê.",
            ["seizure", "arrest"],
        ),
        ("Công an đang tạm giữ người và tang vật để điều tra.", ["seizure", "arrest"]),
        ("Công an bắt giữ Lê Văn Hùng cùng 3 cá thể tê tê.", ["seizure", "arrest"]),
        ("Hải quan bắt giữ lô hàng 2 tấn vảy tê tê.", ["seizure"]),
        # Indonesian: charged under an article, the prosecutor's demand is no sentence yet
        ("Keduanya dijerat Pasal 40 UU Nomor 5 Tahun 1990.", ["prosecution"]),
        ("Jaksa menuntut terdakwa dengan hukuman 4 tahun penjara.", ["prosecution"]),
        ("Tim menangkap DA dalam operasi tangkap tangan di Sanggau.", ["arrest"]),
        # Chinese: a first-instance verdict reports the trial and the sentence; the law's range
        # is no sentence
        ("法院一审宣判，判处王某有期徒刑二年。", ["trial", "sentence"]),
        ("走私穿山甲及其制品可判处5年以上有期徒刑，并处罚金。", []),
        ("香港区域法院裁定两名旅客罪名成立，判监禁27个月。", ["sentence"]),
        ("公诉机关指控其构成走私珍贵动物制品罪。", ["prosecution"]),
        # English: charges counted as laid, a hearing reported
        (
            "He pleaded guilty to two charges of transiting with rhino horns.",
            ["prosecution", "sentence"],
        ),
        ("The case was heard at the Ho Chi Minh City People's Court.", ["trial"]),
    ],
)
def test_joint_objects_and_regional_court_wording(text: str, expected: list[str]) -> None:
    assert actions(text, vietnamese=detect_language(text) == "vi") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Người dân tự nguyện giao nộp 2 cá thể rùa cho kiểm lâm.",
        "Một cá thể tê tê Java do bà Hiền giao nộp đã được lực lượng chức năng thả về tự nhiên.",
    ],
)
def test_citizens_handing_in_animals_is_no_seizure(text: str) -> None:
    assert actions(text) == []
