"""Quantities seized or offered (pipelines/quantities.py)."""

from __future__ import annotations

import pytest

from pipelines.quantities import extract_quantities


def _found(text: str) -> list[tuple[float, str]]:
    return [(q["value"], q["unit"]) for q in extract_quantities(text)]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("thu giữ hơn 2 tấn vảy tê tê", 2, "t"),
        ("gần 500 kg ngà voi", 500, "kg"),
        ("1,2 tấn", 1.2, "t"),
        ("khoảng 30 kg", 30, "kg"),
        ("7 cá thể tê tê", 7, "individuals"),
        ("bảy con khỉ", 7, "individuals"),
        ("hai chiếc sừng", 2, "pieces"),
        ("mười lăm cá thể rùa", 15, "individuals"),
        ("eleven tusks", 11, "pieces"),
        ("a dozen bear paws", 12, "pieces"),
        ("two dozen live turtles", 24, "individuals"),
        ("12 rhino horns", 12, "pieces"),
        ("61 frozen pangolins", 61, "individuals"),
        ("3 lạng mật gấu", 300, "g"),
        ("2 tạ xương", 200, "kg"),
        ("1 yến thịt", 10, "kg"),
        ("150 lbs of bear bile", 68.04, "kg"),
        ("2.1 tonnes of ivory", 2.1, "t"),
        ("1,000 kg", 1000, "kg"),
        ("300kg", 300, "kg"),
        ("15 ký", 15, "kg"),
        ("10 khối gỗ trắc", 10, "m3"),
        ("12 m3 gỗ", 12, "m3"),
        ("5 m³", 5, "m3"),
        ("hai nghìn con", 2000, "individuals"),
        ("hai chục con", 20, "individuals"),
        ("3 trăm con", 300, "individuals"),
        ("1 cặp sừng", 2, "pieces"),
        ("rùa size 1kg2", 1.2, "kg"),
        ("2 tan vay te te", 2, "t"),
        ("3 con ran ho mang", 3, "individuals"),
    ],
)
def test_one_quantity(text: str, value: float, unit: str) -> None:
    assert _found(text) == [(pytest.approx(value), unit)]


def test_span_quotes_the_text_as_written() -> None:
    (quantity,) = extract_quantities("Thu giữ 3 frozen tiger carcasses")
    assert quantity["text"] == "3 frozen tiger carcasses"


def test_ranges_keep_the_bound_written_with_the_unit() -> None:
    assert _found("mỗi sừng nặng từ 1 đến 2,3 kg") == [(2.3, "kg")]


@pytest.mark.parametrize(
    "text",
    [
        "Mật gấu 500k/lạng",  # the unit of a price
        "sừng 35tr/1kg",
        "giá 500k 1 lạng",
        "mật gấu hai trăm nghìn một lạng",
        "cao hổ 20 triệu đồng/100g",
        "bé 3 tuổi",
        "bị tuyên phạt 12 năm tù",
        "theo Điều 244 Bộ luật Hình sự",
        "một con hổ",  # "a tiger"
        "2 con đường và 1 cây cầu",
        "bà có 2 con nhỏ",
        "5 cây số",
        "tăng 15%",
        "4G",
        "dài 3m",
        "hàng chục tấn ngà voi",
        "Two Chinese nationals were arrested",
        # animals estimated from the goods, a population, packaging bundles
        "估计有5,000至8,000隻穿山甲遭殺害",
        "意味着约有1.2万只穿山甲遭遇毒手",
        "这批象牙取自约330头非洲象",
        "每年约有10万只穿山甲在野外被捕",
        "穿山甲被剥去鳞片，6只一组卷起装进泡沫箱",
    ],
)
def test_not_quantities(text: str) -> None:
    assert extract_quantities(text) == []


def test_news_report_lists_every_quantity_in_order() -> None:
    report = (
        "Bên trong thùng xe có 7 cá thể tê tê còn sống, tổng trọng lượng khoảng 42 kg, cùng "
        "hơn 30 kg vảy tê tê và 12 bàn chân gấu. Tài xế khai mua với giá 2,5 triệu đồng/kg."
    )
    assert _found(report) == [(7, "individuals"), (42, "kg"), (30, "kg"), (12, "pieces")]


# --- Chinese, Thai, Lao and Khmer ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit", "quoted"),
    [
        ("海关查获象牙200公斤，价值500万元。", 200, "kg", "200公斤"),
        ("共重约200多公斤", 200, "kg", "200多公斤"),
        ("穿山甲鳞片15.6千克", 15.6, "kg", "15.6千克"),
        ("象牙五千克", 5, "kg", "五千克"),
        ("熊胆粉300克", 300, "g", "300克"),
        ("穿山甲鳞片2.1吨", 2.1, "t", "2.1吨"),
        ("鳞片80斤", 40, "kg", "80斤"),  # a jin is half a kilogram
        ("活体穿山甲二十五只", 25, "individuals", "二十五只"),
        ("穿山甲两只", 2, "individuals", "两只"),
        ("亚洲象3头", 3, "individuals", "3头"),
        ("眼镜蛇十二条", 12, "individuals", "十二条"),
        ("活体陸龜12隻", 12, "individuals", "12隻"),
        ("穿山甲1.5万只", 15_000, "individuals", "1.5万只"),
        ("象牙原牙12根", 12, "pieces", "12根"),
        ("犀牛角3支", 3, "pieces", "3支"),
        ("象牙制品120件", 120, "pieces", "120件"),
        ("象牙3块", 3, "pieces", "3块"),
        ("虎牙一百二十个", 120, "pieces", "一百二十个"),
        ("红木原木25立方米", 25, "m3", "25立方米"),
        ("งาช้างแอฟริกา 200 กิโลกรัม", 200, "kg", "200 กิโลกรัม"),
        ("เกล็ดลิ่น 120 กก. พร้อม", 120, "kg", "120 กก."),
        ("เกล็ดลิ่น 30 กิโล", 30, "kg", "30 กิโล"),
        ("เกล็ดลิ่น 2 ตัน", 2, "t", "2 ตัน"),
        ("ลิ่นมีชีวิต 50 ตัว", 50, "individuals", "50 ตัว"),
        ("ยึดตัวลิ่น ๑๒ ตัว", 12, "individuals", "๑๒ ตัว"),
        ("นอแรด 12 ชิ้น", 12, "pieces", "12 ชิ้น"),
        ("งาช้าง 20 กิ่ง ในรถ", 20, "pieces", "20 กิ่ง"),
        ("เขากวาง 15 เขา ในรถ", 15, "pieces", "15 เขา"),
        ("ไม้พะยูง 35 ลูกบาศก์เมตร", 35, "m3", "35 ลูกบาศก์เมตร"),
        ("ຍຶດໄດ້ລີ່ນ 15 ໂຕ ແລະ", 15, "individuals", "15 ໂຕ"),
        ("ເກັດລີ່ນ 30 ກິໂລ ມູນຄ່າ", 30, "kg", "30 ກິໂລ"),
        ("ງາຊ້າງ ໑໒ ກິໂລກຣາມ", 12, "kg", "໑໒ ກິໂລກຣາມ"),
        ("សត្វស្លាប ១២ ក្បាល និង", 12, "individuals", "១២ ក្បាល"),
        ("ស្រកាខ្វែក ៣៥ គីឡូក្រាម", 35, "kg", "៣៥ គីឡូក្រាម"),
    ],
)
def test_regional_quantity(text: str, value: float, unit: str, quoted: str) -> None:
    (quantity,) = extract_quantities(text)
    assert (quantity["value"], quantity["unit"], quantity["text"]) == (
        pytest.approx(value),
        unit,
        quoted,
    )


@pytest.mark.parametrize(
    "text",
    [
        "2023年5月12日",  # a date
        "王某（35岁）",  # an age
        "被判处12年有期徒刑",  # a prison term
        "同比下降30%",
        "案发后3个月内，涉及5个国家，两个多月",
        "依照《刑法》第341条第1款",
        "5克拉钻石",  # carats, not grams
        "全长10公里，身高1.8米",
        "数十只穿山甲，上百只猴子，二三十只",  # vague
        "一只老虎，一头大象",  # "a tiger": one written as a word is an article
        "一斤500元",  # the unit of a price
        "每公斤售价3万元",
        "三条规定",
        "ระยะทาง 5 กิโลเมตร",  # kilometres
        "เมื่อปี 2566 เขาเคยถูกจับ",  # a year, then "he"
        "ตรวจพบตัวอย่าง 3 ตัวอย่าง",  # samples
        "สัตว์ป่า 5 พันธุ์",  # species
        "ขายกิโลกรัมละ 50,000 บาท",
        "ໄລຍະທາງ 10 ກິໂລແມັດ",
        "ចម្ងាយ ១០ គីឡូម៉ែត្រ",
    ],
)
def test_regional_not_quantities(text: str) -> None:
    assert extract_quantities(text) == []


def test_what_one_bag_holds_is_a_size_not_goods() -> None:
    found = extract_quantities(
        "关员在板下发现113包白色编织袋，每袋装有约20千克鳞片，重约2260千克。"
    )
    assert [(q["value"], q["unit"]) for q in found] == [(2260, "kg")]
    assert extract_quantities("Each bag held about 20 kg of scales.") == []


def test_chinese_seizure_report_lists_every_quantity_in_order() -> None:
    report = (
        "新华社南宁5月12日电 记者从南宁海关获悉，该关近日在东兴口岸查获一起走私象牙案，"
        "现场查获象牙制品120件、象牙原牙12根，共重约200多公斤，案值约1000余万元人民币。"
        "2023年以来，该关共查办此类案件15起，抓获犯罪嫌疑人23名。"
    )
    assert _found(report) == [(120, "pieces"), (12, "pieces"), (200, "kg")]


def test_indonesian_number_words_count_with_their_classifier() -> None:
    found = extract_quantities(
        "Petugas menyita dua lembar kulit harimau, tujuh potong gading dan dua puluh ekor "
        "trenggiling; satu ekor lagi mati."
    )
    assert [(q["value"], q["unit"]) for q in found] == [
        (2, "pieces"),
        (7, "pieces"),
        (20, "individuals"),
    ]


def test_birds_and_carapaces_are_counted() -> None:
    birds = "Officers also found 14 bulbuls and 6 magpie robins in cages at the house."
    assert _found(birds) == [(14, "individuals"), (6, "individuals")]
    shells = "Petugas menyita 450 kerapas labi-labi dari rumah pelaku."
    assert _found(shells) == [(450, "pieces")]


def test_chinese_containers_and_paired_estimates_are_no_goods() -> None:
    assert _found("两个从尼日利亚启运的集装箱内藏有3.1吨穿山甲鳞片") == [(3.1, "t")]
    assert _found("这批象牙和犀牛角分别取自约330头非洲象和23头犀牛") == []
    assert _found("查获象牙手镯3个和象牙12根") == [(3, "pieces"), (12, "pieces")]
