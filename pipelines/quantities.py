"""Quantities seized or offered: weights, counts of animals or parts, volumes of timber.

Reads NFC text; writes ``Quantity`` dicts (value, unit ∈ kg, t, g, pieces, individuals, m3, and
the span as written). Numbers come from ``pipelines.numbers`` (digits or words, either decimal
convention); units and their conversions from ``pipelines/vocab/units.toml``.

Not quantities: the unit of a unit price ("500k/lạng", "35tr/1kg" — that is the price's ``per``),
ages ("3 tuổi"), prison terms ("12 năm tù"), article numbers ("Điều 244 Bộ luật"), roads and
ships counted with "con" ("2 con đường"), and the article "một con" (= "a"): a count of one
animal written in words says nothing about scale.

Chinese, Thai, Lao and Khmer units are read glued to the words around them ("象牙200公斤",
"ลิ่น 50 ตัว"); their exclusions ("3个月" months, "5 กิโลเมตร" kilometres) are in units.toml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipelines.fields import Quantity
from pipelines.numbers import (
    Amount,
    find_amounts,
    is_unspaced,
)
from pipelines.prices import located_prices
from pipelines.units import (
    UnitForm,
    UnitTable,
    load_units,
    unit_form,
)

# Multipliers that still describe a count or weight ("hai chục con", "2 nghìn cá thể"); money
# multipliers ("500k", "15tr") never precede a unit of quantity.
_COUNT_MULTIPLIERS = {"chục", "trăm", "tram", "nghìn", "ngàn", "nghin", "ngan", "thousand"}
# Chinese, Thai, Lao and Khmer multipliers count things too ("1.2万只", "2 พันตัว").
_COUNT_MULTIPLIERS |= {"十", "百", "千", "万", "萬", "亿", "億", "พัน", "หมื่น", "แสน", "ล้าน"}
_COUNT_MULTIPLIERS |= {"ພັນ", "ໝື່ນ", "ແສນ", "ລ້ານ", "ពាន់", "ម៉ឺន", "សែន", "លាន"}
# Words before a number that make it a label, not an amount: Vietnamese and English, then
# Chinese 第 (ordinal), Thai ปี/พ.ศ. (year), มาตรา/ข้อ (section), ที่ (ordinal), Lao ປີ/ມາດຕາ,
# Khmer ឆ្នាំ (year)/មាត្រា (article).
_LABEL_BEFORE = re.compile(
    r"(?:điều|khoản|điểm|số|no\.?|article|section|mã|lúc|ngày|tháng|phòng|quận|phường|km)\s*$"
    r"|(?:第|ปี|พ\.ศ\.|ค\.ศ\.|มาตรา|ข้อ|ที่|เลขที่|ປີ|ມາດຕາ|ឆ្នាំ|មាត្រា)\s*$",
    re.IGNORECASE,
)
# A unit right after "/" or "per" belongs to a price ("35 triệu/kg"), handled by prices.py.
_PER_BEFORE = re.compile(r"(?:/\s*|\bper\s+|\bmỗi\s+|\bmoi\s+|每\s*)$", re.IGNORECASE)
# What may sit between a number and its unit: a space, a hyphen, or the Chinese 多/余
# ("more than": "200多公斤", "300余只").
_BEFORE_UNIT = (" ", "\u00a0", "\u200b", "-", "多", "余")
# English adjectives or species names between a number and a count noun ("5 live pangolins",
# "3 frozen tiger carcasses"): at most two lower-case words.
# The first may be a capitalised name ("139 Siamese rosewood logs").
_ENGLISH_GAPS = (re.compile(r" [A-Za-z][a-z]+ "), re.compile(r" [A-Za-z][a-z]+[ \-][a-z]+ "))
_WEIGHT_TAIL = re.compile(r"(\d{1,3})(?![\d.,]\d|[^\W\d_])")
_NEXT_WORD = re.compile(r"[ \-]*(\w+)")
# Classifiers that "one" in words turns into an article: "một con hổ", "satu buah gading".
_ARTICLE_CLASSIFIERS = frozenset(
    {"con", "cái", "chiếc", "cây"}
    | {"buah", "ekor", "lembar", "potong", "potongan", "batang", "keping", "gading", "cula"}
    | {"taring", "kulit", "tengkorak", "paruh", "patung", "gelang"}
)
_STOP_GAP_WORDS = {"of", "and", "or", "to", "in", "from", "for", "with", "per", "the"}
# The size of one animal or piece, not goods: "mỗi con nặng từ 100 đến 150 kg", "4-5 kg/con",
# "con trên 300g", "each weighing 2 kg", "nặng 15 kg/con".
_SIZE_BEFORE = re.compile(
    r"(?:mỗi con|mỗi cá thể|mỗi chiếc|trung bình mỗi|(?:con|cá thể) (?:nặng )?(?:trên|dưới|hơn)"
    r"|each weighing|each weighs|weighing about|masing-masing|每只|每头|每根"
    # what one bag or box holds: "每袋装有约20千克", "mỗi bao nặng 50 kg", "each bag held 20 kg"
    r"|每袋|每包|每箱|每件|每个|每块|mỗi bao|mỗi thùng|mỗi túi|mỗi kiện|each bag|each box"
    r"|each sack|per bag|per sack|setiap karung|tiap karung)"
    r"[^.;,，。；\n]{0,24}$",
    re.IGNORECASE,
)
# Estimates of the animals killed for the goods: "from about 300 African elephants", "the scales
# of at least 3,000 to 4,000 dead pangolins", "tương đương khoảng 2.000 con tê tê".
_ESTIMATE_BEFORE = re.compile(
    r"(?:\bfrom (?:about |around |at least |some )?|\brepresent(?:s|ing)? (?:about |at least )?"
    r"|\bequivalent (?:of|to) (?:about )?|\bkilled (?:about |at least )?|\d to "
    r"|tương đương (?:khoảng |với )?|ước tính khoảng )$"
    # "折合玳瑁408只": the goods expressed as so many animals
    r"|(?:折合|相当于|相當於)[^\d，。,]{0,6}$"
    # "意味着约有1.2万到1.8万只", "取自大约330头非洲象", "每年约有10万只", "需求量在28.5万头"
    r"|(?:约有|約有|估计有|估計有|取自|意味着|意味著|每年|需求量)[^\d，。,]{0,4}$"
    # the second of a pair of estimates: "取自约330头非洲象和23头犀牛"
    r"|(?:约有|約有|估计有|估計有|取自|意味着|意味著)[^，。,]{0,16}(?:和|及|与|與)$",
    re.IGNORECASE,
)
# The same estimate written after the animals: "5,000至8,000隻穿山甲遭殺害"; a bundle of the
# goods is packaging: "6隻一組".
_ESTIMATE_AFTER = re.compile(
    r"[^\d，。,.]{0,6}?(?:遭|被)[^\d，。,]{0,3}(?:杀害|殺害|杀戮|殺戮|毒手|猎杀|獵殺)|一组|一組"
)
_SIZE_AFTER = re.compile(r"\s*/\s*(?:con|cá thể|chiếc|cái|ekor|只|头)(?!\w)", re.IGNORECASE)
# Digits glued to Latin letters before them are ids and road numbers ("QL1", "BKS 74A"), not
# amounts of goods; Chinese and Thai glue digits to words, so only Latin letters count here.
_LATIN_BEFORE = re.compile(r"[A-Za-zÀ-ỹ]$")


def _unit_after(text: str, amount: Amount, table: UnitTable) -> tuple[UnitForm, int] | None:
    """The unit written right after an amount (optionally after a space), or None."""
    pos = amount.end
    if text[pos : pos + 1] in _BEFORE_UNIT:
        pos += 1
    m = table.pattern.match(text, pos)
    if m:
        form = unit_form(table, m.group("unit"))
        if _count_form_ok(text, m.start(), m.end(), form, table, amount):
            return form, m.end()
    # English count nouns may follow one or two adjectives: "12 live pangolins",
    # "a dozen bear paws", "3 frozen tiger carcasses".
    for gap in _ENGLISH_GAPS:
        m = gap.match(text, amount.end)
        if not m or set(m.group(0).split()) & _STOP_GAP_WORDS:
            continue
        unit = table.pattern.match(text, m.end())
        if unit:
            form = unit_form(table, unit.group("unit"))
            if form.english and form.kind == "count":
                return form, unit.end()
    return None


# Chinese classifiers that count anything; a container named soon after is packaging.
_ZH_ANY_CLASSIFIERS = frozenset({"个", "個"})
_ZH_CONTAINER_AFTER = re.compile(
    r"[^\d，。,；;]{0,10}?(?:集装箱|集裝箱|货柜|貨櫃|货箱|貨箱|纸箱|紙箱|麻袋|编织袋|編織袋|包裹)"
)


def _count_form_ok(
    text: str, start: int, end: int, form: UnitForm, table: UnitTable, amount: Amount
) -> bool:
    written = text[start:end]
    if form.kind == "count" and not form.english:
        # Vietnamese classifiers are lower case; "Điều 244 Bộ luật" is a law, not a set.
        if written != written.lower() and written != written.upper():
            return False
        nxt = _NEXT_WORD.match(text, end)
        if nxt and nxt.group(1).lower() in table.count_exclusions:
            return False
        if (
            amount.words
            and amount.value == 1
            and (form.form in _ARTICLE_CLASSIFIERS or is_unspaced(form.form))
        ):
            return False  # "một con hổ", "一只老虎", "satu ekor harimau" are "a tiger"
    if form.form in _ZH_ANY_CLASSIFIERS and _ZH_CONTAINER_AFTER.match(text, end):
        return False  # "两个从非洲启运的集装箱": the containers, not the goods
    # "4G" is a network, not four grams.
    return not (form.form == "g" and written != "g")


def extract_quantities(
    text: str, priced: Sequence[tuple[int, int]] | None = None
) -> list[Quantity]:
    """Every quantity in ``text`` in text order. ``priced``: the (start, end) spans of the
    prices in ``text`` when the caller has already found them."""
    table = load_units()
    found: list[Quantity] = []
    # Numbers inside a price ("500k/1kg", "hai trăm nghìn một lạng") belong to it.
    if priced is None:
        priced = [(start, end) for start, end, _ in located_prices(text)]
    for amount in find_amounts(text):
        if any(start <= amount.start < end for start, end in priced):
            continue
        if any(m not in _COUNT_MULTIPLIERS for m in amount.multipliers):
            continue
        before = text[max(0, amount.start - 12) : amount.start]
        if _LABEL_BEFORE.search(before) or _PER_BEFORE.search(before):
            continue
        if amount.words and not amount.accented_words:
            continue
        if _LATIN_BEFORE.search(text, max(0, amount.start - 1), amount.start):
            continue
        hit = _unit_after(text, amount, table)
        if hit is None:
            continue
        form, end = hit
        if form.unit == "individuals" and (
            _ESTIMATE_BEFORE.search(text, max(0, amount.start - 24), amount.start)
            or _ESTIMATE_AFTER.match(text, end)
        ):
            continue
        if form.kind == "weight" and (
            _SIZE_AFTER.match(text, end)
            or _SIZE_BEFORE.search(text, max(0, amount.start - 40), amount.start)
        ):
            continue
        if _is_cover_load(text, end, table):
            continue
        value = amount.value
        # "1kg2" = 1.2 kg is a Vietnamese seller's habit; "200公斤2023年" is not 200.202 kg.
        glued = is_unspaced(form.form)
        tail = _WEIGHT_TAIL.match(text, end) if form.kind == "weight" and not glued else None
        if tail and value == int(value):
            # "1kg2" = 1.2 kg, "2 tạ5" = 2.5 tạ: sellers glue the decimals to the unit.
            value += int(tail.group(1)) / 10 ** len(tail.group(1))
            end = tail.end()
        if amount.value == 1 and _follows_price(text, amount.start):
            continue  # "giá 500k 1 lạng": the lạng is what the price buys
        if amount.words and amount.value == 1 and _price_starts(priced, end):
            continue  # "一斤500元": one jin is what the price buys
        value = round(value * form.factor, 2)
        found.append(Quantity(value=value, unit=form.unit, text=text[amount.start : end]))
    return found


def _is_cover_load(text: str, end: int, table: UnitTable) -> bool:
    """Whether the unit ending at ``end`` measures a declared cover load ("15 tấn than củi")."""
    after = text[end : end + 24].lstrip(" \u00a0").lower()
    after = re.sub(r"^(?:of |các |số |bao |包)", "", after)
    for word in table.cover_goods:
        # a spaced word must end there ("than củi", not "thang"); a glued one ("木炭") need not
        boundary = is_unspaced(word) or not after[len(word) : len(word) + 1].isalpha()
        if after.startswith(word) and boundary:
            return True
    return False


_PRICE_END = re.compile(
    r"(?:\d\s*(?:k|tr|triệu|trieu|nghìn|ngàn|tỷ|tỉ|đ|đồng|vnđ|vnd|usd|\$|baht)\.?"
    r"|\d)\s*(?:/|cho|một|mot|mỗi|moi)?\s*$",
    re.IGNORECASE,
)


def _price_starts(priced: Sequence[tuple[int, int]], end: int) -> bool:
    """Whether a price starts within two characters after ``end`` ("一斤 500元")."""
    return any(end <= start <= end + 2 for start, _ in priced)


def _follows_price(text: str, start: int) -> bool:
    """Whether the number at ``start`` comes right after a money amount ("500k 1 lạng")."""
    before = text[max(0, start - 20) : start]
    m = _PRICE_END.search(before)
    return m is not None and re.search(r"[^\d\s.,/]", m.group(0)) is not None
