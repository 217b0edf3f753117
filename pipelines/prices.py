"""Prices and values: what wildlife is sold for, or what a seizure is worth.

Reads NFC text; writes ``Price`` dicts: amount and ISO 4217 currency as written, the span quoted
as written, the value in đồng from the fixed table ``pipelines/vocab/exchange_rates.toml``, and
``per`` — the unit a unit price refers to ("35 triệu/kg" → per "kg", "500k/lạng" → per "100g",
"100 triệu đồng/cá thể" → per "individual"), ``None`` for a total.

An amount is a price when a currency is written before or after it ("US$1.4 million",
"40.000 Baht", "30 tỷ đồng"), when a Vietnamese money multiplier stands alone ("15tr", "500k",
"3 tỷ": the đồng is implied), or when "giá" (price) comes right before bare digits
("giá 1.200.000"). Phone numbers, years, dates, article numbers, percentages and weights have
none of these and are left alone; so are vague amounts ("hàng chục tỷ", "tens of millions").

Chinese, Thai, Lao and Khmer currencies are read glued to the words around them ("500万元",
"80 ล้านบาท", "150 ລ້ານກີບ"); "块" is yuan only where the text talks money ("卖800块") and a count
of pieces otherwise ("象牙3块"); unit prices may name their unit first ("每公斤售价30万美元",
"กิโลกรัมละ 50,000 บาท").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.fields import Price
from pipelines.numbers import (
    VI_MONEY_MULTIPLIERS,
    Amount,
    find_amounts,
    is_unspaced,
)
from pipelines.units import (
    load_units,
    unit_form,
)

VOCAB = Path(__file__).with_name("vocab")
RATES_FILE = VOCAB / "exchange_rates.toml"
CURRENCIES_FILE = VOCAB / "prices_currencies.toml"


class PriceVocabError(ValueError):
    """A currency or rate file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class _Currencies:
    before: re.Pattern[str]  # sign or code ending right where the number starts
    after: re.Pattern[str]  # word starting right after the number
    before_codes: dict[str, str]
    after_codes: dict[str, str]
    cued: frozenset[str]  # after-forms that are money only where the text talks money ("块")
    generic: frozenset[str]  # after-forms that yield to a currency before: "港币500元" is HKD


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PriceVocabError(f"{path}: {error}") from None


@lru_cache(maxsize=2)
def load_rates(path: Path = RATES_FILE) -> dict[str, float]:
    """Đồng per unit of each currency; a bad value names the file and the currency."""
    data = _read_toml(path)
    rates = data.get("rates")
    if not isinstance(rates, dict):
        raise PriceVocabError(f"{path}: missing [rates] table")
    checked: dict[str, float] = {}
    for code, value in rates.items():
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise PriceVocabError(f"{path}: [rates] {code!r} is not an ISO 4217 code")
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise PriceVocabError(f"{path}: [rates] {code} must be a positive number")
        checked[code] = float(value)
    return checked


@lru_cache(maxsize=2)
def load_currencies(path: Path = CURRENCIES_FILE) -> _Currencies:
    data = _read_toml(path)
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    cued: set[str] = set()
    generic: set[str] = set()
    for code, entry in data.items():
        if not re.fullmatch(r"[A-Z]{3}", code) or not isinstance(entry, dict):
            raise PriceVocabError(f"{path}: [{code}] must be a table named by an ISO 4217 code")
        for key, target in (("before", before), ("after", after), ("cued", after)):
            forms = entry.get(key, [])
            if not isinstance(forms, list) or not all(isinstance(f, str) and f for f in forms):
                raise PriceVocabError(f"{path}: [{code}] {key} must be a list of strings")
            for form in forms:
                target[form if key == "before" else form.lower()] = code
                if key == "cued":
                    cued.add(form.lower())
        generic_forms = entry.get("generic", [])
        if not isinstance(generic_forms, list) or not all(
            isinstance(f, str) for f in generic_forms
        ):
            raise PriceVocabError(f"{path}: [{code}] generic must be a list of strings")
        generic.update(f.lower() for f in generic_forms)
    # A code before the number must not end a longer word ("FORM 5"): no letter before it;
    # a word after it must end there ("5 dongs" is not đồng). Chinese, Thai, Lao and Khmer
    # forms are glued to the words around them ("价值人民币500万元的象牙").
    by_length = sorted(before, key=len, reverse=True)
    spaced = "|".join(re.escape(f) for f in by_length if not is_unspaced(f[0]))
    glued = "|".join(re.escape(f) for f in by_length if is_unspaced(f[0]))
    before_alts = r"(?<![^\W\d_])(?:" + spaced + ")" + ("|" + glued if glued else "")
    after_alts = "|".join(
        re.escape(f).replace(r"\ ", r"[ \-]?") + ("" if is_unspaced(f) else r"(?![^\W\d_])")
        for f in sorted(after, key=len, reverse=True)
    )
    return _Currencies(
        before=re.compile(r"(?P<cur>" + before_alts + r")[ \u00a0\u200b]?$"),
        # "500多元", "200余万元": 多/余 ("more than") may sit between a number and the yuan.
        after=re.compile(
            r"[ \u00a0\u200b]?(?:[多余](?=[^\W\d_]))?(?P<cur>" + after_alts + r")", re.IGNORECASE
        ),
        before_codes=before,
        after_codes={re.sub(r"[ \-]", "", k): v for k, v in after.items()},
        cued=frozenset(cued),
        generic=frozenset(generic),
    )


# "giá", "gia", "giá bán", "giá chỉ", "price" right before bare digits make them a price.
_PRICE_CUE = re.compile(
    r"(?:giá|gia|bán|ban|price|priced at|trị giá|tri gia)\s*(?:bán|ban|chỉ|chi|là|la|từ|tu|"
    r"khoảng|khoang|tầm|tam|có|co)?\s*[:=]?\s*$",
    re.IGNORECASE,
)
# Nouns after a bare Vietnamese multiplier that make it a count, not money ("2 triệu người",
# "3 nghìn con"); anything in units.toml counts as well.
_NOT_MONEY_AFTER = re.compile(
    r"[ \u00a0]?(?:người|dân|lượt|hộ|ha|héc|hecta|km|m2|m²|năm|ngày|giờ|lần|trang|"
    r"cây số|view|like|share|follower|người dùng|tin|bài|sản phẩm|tấn|con|cá thể)(?!\w)",
    re.IGNORECASE,
)
_LABEL_BEFORE = re.compile(r"(?:điều|khoản|số|no\.?|article|năm|year)\s*$", re.IGNORECASE)
# "/kg", "/1kg", " một kg", " mỗi lạng", " per kg", " a kilo", " each", " cho 1 con".
_PER = re.compile(
    r"\s*(?:/\s*(?:1\s*|một\s+|mot\s+)?|[ \u00a0](?:per|a|an|mỗi|moi|một|mot|cho\s+1|cho\s+một"
    r"|1)[ \u00a0]?"
    # Chinese "500元一斤", "3万元每公斤"; Thai "บาทต่อกิโลกรัม"; Lao "ຕໍ່"; Khmer "ក្នុងមួយ"
    r"|\s?(?:每|一|ต่อ|ຕໍ່|ក្នុងមួយ)\s?)",
    re.IGNORECASE,
)
# Where "块" is yuan: a money word right before the number ("卖800块", "价格2000块", "花了500块")
# and no noun glued after it ("卖了3块象牙" sold three pieces of ivory).
_ZH_MONEY_CUE = re.compile(
    r"(?:卖|卖了|售|价|价格|价钱|要价|花|花了|花费|值|赚|赚了|罚|罚款|付|付了)(?:为|是|约|才|只要)?\s*$"
)
# A letter glued after "块" is the noun it counts, except particles and verbs ("500块的",
# "500块买的", "500块左右").
_NOUN_AFTER = re.compile(r"(?![的了买左])[^\W\d_]")
_LEADING_ZERO = re.compile(r"0\d")
# Vietnamese number plates: two digits, a series letter or two (maybe a digit), a dash.
_PLATE = re.compile(r"\d{2}[A-Z]{1,2}\d?\s?-\s?\d")
# Multipliers that stack on a money word ("5 trăm nghìn", "2 chục triệu") but alone count things.
_COUNTING_MULTIPLIERS = {"trăm", "tram", "chục"}
_MILLION_BAHT = re.compile(r"[ \u00a0]?ลบ\.(?!ม)")
# Signs too short to stand alone: "R1.1 million" is rand, "R2" is not; "N3.9 billion" is
# naira (the Nigerian press writes ₦ as N), "N95" is a mask.
_ONLY_GLUED_WITH_MULTIPLIER = {"R", "N"}


def _currency_before(text: str, amount: Amount, currencies: _Currencies) -> tuple[str, int] | None:
    window = text[max(0, amount.start - 6) : amount.start]
    m = currencies.before.search(window)
    if not m:
        return None
    if m.group("cur") in _ONLY_GLUED_WITH_MULTIPLIER and (
        m.end("cur") != len(window) or not amount.multipliers
    ):
        return None
    return currencies.before_codes[m.group("cur")], amount.start - (len(window) - m.start("cur"))


def _currency_after(
    text: str, amount: Amount, end: int, currencies: _Currencies
) -> tuple[str, int, bool] | None:
    """The currency written after an amount, where it ends, and whether it is a generic word
    ("元") that a currency written before the amount overrides."""
    m = currencies.after.match(text, end)
    if not m:
        return None
    key = re.sub(r"[ \-]", "", m.group("cur").lower())
    if key in currencies.cued and not (
        amount.multipliers
        or _per_unit(text, m.end())
        or (
            _ZH_MONEY_CUE.search(text, max(0, amount.start - 6), amount.start)
            and not _NOUN_AFTER.match(text, m.end())
        )
    ):
        return None  # "象牙3块" is three pieces of ivory
    return currencies.after_codes[key], m.end(), key in currencies.generic


def _per_unit(text: str, end: int) -> tuple[str, int] | None:
    table = load_units()
    m = _PER.match(text, end)
    if not m:
        return None
    unit = table.singular_pattern.match(text, m.end())
    if not unit:
        return None
    joiner = m.group(0).strip().lower()
    form = unit_form(table, unit.group("unit"), singular=True)
    if joiner in ("a", "an", "1") and form.kind == "count" and not form.english:
        return None  # "5 triệu 1 con" is ambiguous enough to leave alone
    return form.per, unit.end()


def per_unit_at(text: str, end: int) -> str | None:
    """The ``per`` of a unit written at ``end`` ("/kg", " per kilogramme"), or None."""
    found = _per_unit(text, end)
    return found[0] if found else None


@lru_cache(maxsize=1)
def _per_before_pattern() -> re.Pattern[str]:
    # Chinese and Thai name the unit before a unit price: "每公斤售价30万元", "一斤500元",
    # "กิโลกรัมละ 5,000 บาท", Lao "ກິໂລລະ 500,000 ກີບ". A few words may sit between 每 and the
    # amount ("售价高达"), never a digit, a space or a punctuation mark.
    forms = sorted((f for f in load_units().forms if is_unspaced(f)), key=len, reverse=True)
    units = "|".join(map(re.escape, forms))
    return re.compile(
        r"(?:(?:每|一)(?P<zh>" + units + r")[^\W\d_]{0,6}"
        r"|(?P<th>" + units + r")(?:ละ|ລະ)[ \u00a0]?)$"
    )


def per_unit_before(text: str, start: int) -> tuple[str, int] | None:
    """The unit named before a unit price starting at ``start`` ("每公斤300到500元": from the
    lower bound of a range), with the offset where it starts, or None."""
    return _per_unit_before(text, start)


def _per_unit_before(text: str, start: int) -> tuple[str, int] | None:
    """The unit a unit price names before its amount, with the offset where that starts."""
    if not is_unspaced(text[max(0, start - 2) : start].rstrip()):
        return None  # the pattern ends in a Chinese, Thai or Lao letter: skip the search
    m = _per_before_pattern().search(text, max(0, start - 16), start)
    if not m:
        return None
    written = m.group("zh") or m.group("th")
    return unit_form(load_units(), written, singular=True).per, m.start()


# A Thai multiplier says the text is Thai; after "ราคา" (price), "มูลค่า" (value) or "ขาย" (sell)
# the amount is in baht even when "บาท" is left out. Without such a word it may count people.
_THAI_MULTIPLIERS = {"พัน", "หมื่น", "แสน", "ล้าน"}
_THAI_PRICE_CUE = re.compile(
    r"(?:ราคา|มูลค่า|ขาย)(?:ประมาณ|กว่า|รวม|เพียง|ราว|ถึง|ตัวละ|กิโลละ)?[ \u00a0]?$"
)


def _thai_price_without_currency(text: str, amount: Amount) -> bool:
    return bool(set(amount.multipliers) & _THAI_MULTIPLIERS) and (
        _THAI_PRICE_CUE.search(text, max(0, amount.start - 12), amount.start) is not None
    )


def _is_price(text: str, amount: Amount, has_currency: bool) -> bool:
    if has_currency:
        return not (amount.words and not amount.multipliers)
    if not amount.multipliers:
        before = text[max(0, amount.start - 24) : amount.start]
        return (
            not amount.words
            and amount.value >= 1000
            and _PRICE_CUE.search(before) is not None
            and _NOT_MONEY_AFTER.match(text, amount.end) is None
        )
    money = set(amount.multipliers) - _COUNTING_MULTIPLIERS
    if not money or not money <= VI_MONEY_MULTIPLIERS:
        return False  # "1.4 million" with no currency: people, hectares, views...
    if amount.words and not amount.multipliers:
        return False
    units = load_units()
    after = text[amount.end : amount.end + 1]
    if after in (" ", "\u00a0") and units.pattern.match(text, amount.end + 1):
        return False  # "2 nghìn con", "3 triệu tấn"
    return _NOT_MONEY_AFTER.match(text, amount.end) is None


def extract_prices(text: str) -> list[Price]:
    """Every price in ``text``, in text order."""
    return [price for _, _, price in located_prices(text)]


def located_prices(text: str) -> list[tuple[int, int, Price]]:
    """Every price with the offsets of its span (``quantities`` skips numbers inside them)."""
    currencies = load_currencies()
    rates = load_rates()
    prices: list[tuple[int, int, Price]] = []
    for amount in find_amounts(text):
        digits = text[amount.start : amount.end]
        if _LEADING_ZERO.match(digits):
            continue  # phone numbers and ids, never amounts
        if _LABEL_BEFORE.search(text[max(0, amount.start - 10) : amount.start]):
            continue
        if _PLATE.match(text, amount.start):
            continue  # a Vietnamese number plate ("ô tô 30K-26x.xx") is no "30k" price
        start, end = amount.start, amount.end
        before = _currency_before(text, amount, currencies)
        after = _currency_after(text, amount, end, currencies)
        currency = None
        if after:
            currency, end, generic = after
            if before and generic and before[0] != currency:
                currency = before[0]  # "港币500万元", "美金300元": 元 is the unit of any dollar
                start = before[1]
        elif before:
            currency, start = before
        if before and (not after or before[0] == currency):
            start = before[1]  # "US$1.4 million", "人民币500万元"
        if currency is None and _thai_price_without_currency(text, amount):
            currency = "THB"  # "ราคา 2 แสน": Thai sellers often leave out the baht
        value = amount.value
        million_baht = None if currency else _MILLION_BAHT.match(text, amount.end)
        if million_baht:
            # "มูลค่ากว่า 11 ลบ.": the Thai press abbreviates ล้านบาท (million baht) to ลบ.
            currency, end, value = "THB", million_baht.end(), amount.value * 1e6
        if not _is_price(text, amount, currency is not None):
            continue
        if currency is None:
            currency = "VND"
        elif amount.multipliers and set(amount.multipliers) <= {"m", "b"} and not before:
            continue  # "5m USD" is rare, "5m" is metres: demand "$5m"
        if before and after and before[0] != currency:
            start = amount.start  # "1,4 triệu USD (khoảng 30 tỷ đồng)": the sign is not ours
        per = _per_unit(text, end)
        if per:
            end = per[1]
        else:
            per = _per_unit_before(text, start)
            if per:
                start = per[1]
        rate = rates.get(currency)
        price = Price(
            amount=value,
            currency=currency,
            text=text[start:end],
            vnd=round(value * rate, 2) if rate is not None else None,
            per=per[0] if per else None,
        )
        prices.append((start, end, price))
    return prices
