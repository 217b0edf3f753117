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
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.fields import Price
from pipelines.numbers import VI_MONEY_MULTIPLIERS, Amount, find_amounts, load_units, unit_form

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
    for code, entry in data.items():
        if not re.fullmatch(r"[A-Z]{3}", code) or not isinstance(entry, dict):
            raise PriceVocabError(f"{path}: [{code}] must be a table named by an ISO 4217 code")
        for key, target in (("before", before), ("after", after)):
            forms = entry.get(key, [])
            if not isinstance(forms, list) or not all(isinstance(f, str) and f for f in forms):
                raise PriceVocabError(f"{path}: [{code}] {key} must be a list of strings")
            for form in forms:
                target[form if key == "before" else form.lower()] = code
    before_alts = "|".join(re.escape(f) for f in sorted(before, key=len, reverse=True))
    after_alts = "|".join(
        re.escape(f).replace(r"\ ", r"[ \-]?") for f in sorted(after, key=len, reverse=True)
    )
    return _Currencies(
        # A code before the number must not end a longer word ("FORM 5"): no letter before it.
        before=re.compile(r"(?<![^\W\d_])(?P<cur>" + before_alts + r")[ \u00a0]?$"),
        after=re.compile(r"[ \u00a0]?(?P<cur>" + after_alts + r")(?![^\W\d_])", re.IGNORECASE),
        before_codes=before,
        after_codes={re.sub(r"[ \-]", "", k): v for k, v in after.items()},
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
    r"|1)[ \u00a0]?)",
    re.IGNORECASE,
)
_LEADING_ZERO = re.compile(r"0\d")
# Multipliers that stack on a money word ("5 trăm nghìn", "2 chục triệu") but alone count things.
_COUNTING_MULTIPLIERS = {"trăm", "tram", "chục"}
# Signs too short to stand alone: "R1.1 million" is rand, "R2" is not.
_ONLY_GLUED_WITH_MULTIPLIER = {"R"}


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


def _currency_after(text: str, end: int, currencies: _Currencies) -> tuple[str, int] | None:
    m = currencies.after.match(text, end)
    if not m:
        return None
    key = re.sub(r"[ \-]", "", m.group("cur").lower())
    return currencies.after_codes[key], m.end()


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
        start, end = amount.start, amount.end
        before = _currency_before(text, amount, currencies)
        after = _currency_after(text, end, currencies)
        currency = None
        if after:
            currency, end = after
        elif before:
            currency, start = before
        if before and not after:
            start = before[1]
        if not _is_price(text, amount, currency is not None):
            continue
        if currency is None:
            currency = "VND"
        elif amount.multipliers and set(amount.multipliers) <= {"m", "b"} and not before:
            continue  # "5m USD" is rare, "5m" is metres: demand "$5m"
        if before and after and before[0] != after[0]:
            start = amount.start
        per = _per_unit(text, end)
        if per:
            end = per[1]
        rate = rates.get(currency)
        price = Price(
            amount=amount.value,
            currency=currency,
            text=text[start:end],
            vnd=round(amount.value * rate, 2) if rate is not None else None,
            per=per[0] if per else None,
        )
        prices.append((start, end, price))
    return prices
