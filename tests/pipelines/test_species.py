"""Species tagging: names, products, slang, other scripts, and the false friends."""

from __future__ import annotations

import pytest

from pipelines.normalize import normalize_text
from pipelines.species import find_species, species_groups, vocabulary_from
from pipelines.vocab_loader import VocabError


def groups(text: str, *, vietnamese: bool = True) -> list[str]:
    return species_groups(find_species(normalize_text(text), vietnamese=vietnamese))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bán cao hổ cốt nguyên chất, ship toàn quốc", ["tiger"]),
        ("Thu giữ 2 tấn ngà voi và 50 kg sừng tê giác", ["elephant", "rhino"]),
        ("Vòng tay ngà, tượng ngà chế tác thủ công", ["elephant"]),
        ("Vảy trút, xuyên sơn giáp sao vàng", ["pangolin"]),
        ("Sập gỗ trắc dây, bàn ghế cẩm lai, vòng gỗ sưa đỏ", ["rosewood"]),
        ("Mật gấu, tay gấu rừng Tây Bắc", ["bear"]),
        ("Culi, voọc, khỉ đuôi lợn", ["primate"]),
        ("Mỏ hồng hoàng chế tác", ["bird"]),
        ("Súp vi cá mập, cá ngựa khô ngâm rượu", ["seahorse", "shark"]),
        ("Kỳ đà hoa, tắc kè khô", ["lizard"]),
        ("Da báo hoa mai, da báo gấm", ["leopard"]),
        ("Rùa hộp trán vàng, ba ba gai", ["turtle"]),
        ("Vòng đồi mồi, trứng rùa biển", ["sea_turtle"]),
        ("Cầy vòi hương, rái cá vuốt bé, bò tót, sao la", ["civet", "gaur", "otter", "saola"]),
    ],
)
def test_vietnamese_names_and_products(text: str, expected: list[str]) -> None:
    assert groups(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ban vay te te gia re", ["pangolin"]),
        ("thanh ly vong tay nga voi chau phi", ["elephant"]),
        ("ban cao ho cot, xuong ho, nanh ho", ["tiger"]),
        ("can mua sung te giac so luong lon", ["rhino"]),
        ("ban mat gau rung nguyen chat", ["bear"]),
        # unaccented one-syllable words are other words: voi = với, ho = ho/họ, te = tê/tế
        ("toi di choi voi ban, con bi ho may hom nay", []),
        ("chieu nay te te ve nha", []),
    ],
)
def test_text_typed_without_diacritics(text: str, expected: list[str]) -> None:
    assert groups(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Chiếc nhẫn hổ phách hợp phong thủy",
        "Tôi thấy xấu hổ quá",
        "Anh ta tỏ ra hổ báo với mọi người",
        "Chiếc váy màu trắng ngà rất đẹp",
        "Uống vài ly đã ngà ngà say",
        "Sáng dậy bị tê tay, tê chân",
        "Đề thi trắc nghiệm môn Lý",
        "Cuộc đời nhiều trắc trở",
        "Mua gấu bông tặng bạn gái",
        "Khỉ gió, lại mất điện rồi",
        "Vùng khỉ ho cò gáy",
        "Dự án đầu voi đuôi chuột",
        "Anh Hổ đi làm về muộn",
        "Ông Nguyễn Văn Hổ, trưởng thôn, cho biết",
        "Bà Lê Thị Ngà phát biểu tại hội nghị",
        "Các cá mập gom cổ phiếu trên thị trường chứng khoán",
        "Những chú hổ của HLV Kim Pan-gon thắng trận đấu vòng loại",
        "Harimau Malaya menang 2-1 dalam perlawanan malam tadi",
        "Bear in mind the deadline",
        "Loan sharks prey on workers",
        "Thái độ cứng rắn trước tham nhũng",
        "Anh ấy luôn trăn trở về công việc",
        "Chị Nguyễn Thị Giáng Hương cho biết",  # a given name that is also a timber
        "Nhím biển nướng mỡ hành",  # sea urchin
        "Học vẹt không giúp hiểu bài",  # rote learning
        "Uống bia Tiger ướp lạnh",  # beer
        "Thoa dầu cù là con cọp",  # Tiger Balm
        "Edible bird's nest exports rose",
        "Big investors on Shark Tank",
    ],
)
def test_false_friends_are_not_species(text: str) -> None:
    assert groups(text, vietnamese=True) == []
    assert groups(text, vietnamese=False) == []


@pytest.mark.parametrize(
    "text",
    [
        "The Tigers beat the Lions 3-1 in Sunday's match",
        "Detroit Tigers fans cheered the win over the Memphis Grizzlies",
        "Let's address the elephant in the room: the budget",
        "Tiger prawns and tiger shrimp at $12 per kilo",
        "Rub on some Tiger Balm and grab a cold Tiger beer",
        "Tiger King star Joe Exotic released a new song",
        "Elephant seals and rhino beetles are not traded here",
        "The lion's share of the budget went to roads",
        "ไม่มีกลิ่นเหม็น และลูกเสือไปเข้าค่าย",  # smell; boy scouts
        "猛犸象化石和猴头菇",  # mammoth fossil, lion's mane mushroom
    ],
)
def test_english_and_other_false_friends(text: str) -> None:
    assert groups(text, vietnamese=False) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Leopard geckos and a king cobra were in the bag", ["lizard", "snake"]),
        ("a leopard tortoise, two star tortoises and a terrapin", ["turtle"]),
        ("turtle doves, an eagle owl and a macaw", ["bird"]),
        ("fins of a tiger shark", ["shark"]),
        ("ศาลพิพากษาจำคุก 3 ปี ฐานค้าลิ่น", ["pangolin"]),
        ("ยึดนกป่า นกแว่นตาขาวสีทอง 50 ตัว", ["bird"]),
        ("警方查获猫头鹰和蜂猴", ["bird", "primate"]),
        ("查获巨蜥、蜥蜴和鳄龟", ["lizard", "turtle"]),
    ],
)
def test_reptiles_and_birds_in_their_groups(text: str, expected: list[str]) -> None:
    assert groups(text, vietnamese=False) == expected


def test_snakes_named_after_tigers_are_snakes() -> None:
    assert groups("Bắt được rắn hổ mang chúa dài 3 m") == ["snake"]
    assert groups("Hổ chúa, hổ đất và hổ mang đều là rắn độc") == ["snake"]


def test_a_false_friend_only_silences_its_own_words() -> None:
    assert groups("Anh Hổ bị bắt vì bán cao hổ") == ["tiger"]
    assert groups("Chiếc vòng hổ phách và tấm da hổ bị thu giữ") == ["tiger"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Customs seized rhino horns and tiger bones", ["rhino", "tiger"]),
        ("Manis javanica and Dalbergia cochinchinensis", ["pangolin", "rosewood"]),
        ("查获象牙、犀牛角、穿山甲片和熊胆", ["bear", "elephant", "pangolin", "rhino"]),
        ("ยึดงาช้าง นอแรด และตัวนิ่ม", ["elephant", "pangolin", "rhino"]),
        ("sisik tenggiling, gading gajah dan cula badak", ["elephant", "pangolin", "rhino"]),
        ("ร้านเสื้อผ้าลดราคา", []),  # เสื้อ (shirt) is not เสือ (tiger)
        ("这台老虎机坏了", []),  # slot machine
        # hornbills named in Thai: the "elephant-jaw" and "rhino-head" birds are birds
        ("พบลูกนกกาฮัง นกกรามช้าง และนกเงือกหัวแรด", ["bird"]),
    ],
)
def test_other_languages(text: str, expected: list[str]) -> None:
    assert groups(text, vietnamese=False) == expected


def test_products_are_marked() -> None:
    mentions = find_species(normalize_text("Con hổ và cao hổ"))
    assert [(m.term, m.product) for m in mentions] == [("con hổ", False), ("cao hổ", True)]


def test_vocabulary_errors_name_the_place() -> None:
    with pytest.raises(VocabError, match=r"\[groups.tiger\].*'vi'"):
        vocabulary_from({"groups": {"tiger": {"vi": "hổ"}}}, "species.toml")
    with pytest.raises(VocabError, match="not one of the group's names"):
        vocabulary_from({"groups": {"tiger": {"vi": ["hổ"], "products": ["cao hổ"]}}})
    with pytest.raises(VocabError, match="unknown key"):
        vocabulary_from({"groups": {"tiger": {"vn": ["hổ"]}}})
    with pytest.raises(VocabError, match=r"\[groups.snake\].*already a name of \[groups.tiger\]"):
        vocabulary_from({"groups": {"tiger": {"vi": ["hổ mang"]}, "snake": {"vi": ["hổ mang"]}}})
