"""Numbers as people write them in Vietnamese, regional English, Malay/Indonesian, Chinese, Thai,
Lao and Khmer: shared by prices and quantities.

Reads NFC text; writes ``Amount`` spans (offsets into that text, value as a float). Nothing here
decides whether a number is a price or a weight: ``pipelines.prices`` and
``pipelines.quantities`` look at what follows an amount (a currency, a unit) and decide.

What is understood:

* digit groups with either convention: Vietnamese "1.200.000" (dot thousands) and "1,4"
  (decimal comma), English "1,400" and "1.4"; "40 000" with spaces between thousands;
* multipliers, attached or not: "15tr", "500k", "3 tỷ", "2,5 triệu", "1.4 million", "80.5mil",
  "$1.4m", "5 trăm", "hai chục";
* chains and tails: "3 tỷ 500 triệu", "2 triệu 500" and "2tr5" (= 2.5 million: the tail is the
  decimals of the last multiplier, the way sellers say it), "hai triệu rưỡi" (= 2.5 million);
* small numbers written as words: "bảy", "hai mươi lăm", "mười lăm", "eleven", "twenty-one",
  "two dozen", "a dozen", Indonesian/Malay "dua", "tujuh", "dua puluh lima", "tiga ratus";
* Chinese, Thai, Lao and Khmer, written without spaces between words: digits of every script
  ("๒๐๐", "໑໒", "២០"), digits glued to the words around them ("象牙200公斤"), the multipliers
  万 亿 千 百 ("500万", "1.2亿", "3亿5千万", "1万2000"), ล้าน แสน หมื่น พัน ("80 ล้าน"), ລ້ານ, លាន, and
  Chinese numerals below ten thousand ("二十五", "两万"), not vague or ordinal ones ("数十",
  "第三").

Vague amounts ("hàng chục tỷ", "vài triệu", "tens of millions") are not numbers: a multiplier
with no digit or number word before it starts nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Vietnamese number words, written with diacritics. Without diacritics most of them are common
# words ("nam" south, "sau" after, "bay" fly, "ba" father), so unaccented forms count only when a
# money multiplier follows ("hai trieu").
_VI_UNITS = {
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "nhăm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
_VI_UNACCENTED_UNITS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
_EN_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Indonesian and Malay number words ("dua lembar kulit", "tujuh gelang", "dua puluh ekor"):
# units, and the words that scale them (puluh tens, belas teens, ratus hundreds).
_ID_UNITS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "lapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
}
_ID_SCALES = {"puluh": 10, "belas": 10, "ratus": 100}

# Multipliers, keyed by how they are written (lower case). "m"/"b"/"k" are only read attached
# to digits or after a currency sign (see _attached_only): alone they are letters.
MULTIPLIERS: dict[str, float] = {
    "trăm": 100,
    "tram": 100,
    "chục": 10,
    "nghìn": 1e3,
    "ngàn": 1e3,
    "nghin": 1e3,
    "ngan": 1e3,
    "k": 1e3,
    "thousand": 1e3,
    "triệu": 1e6,
    "trieu": 1e6,
    "tr": 1e6,
    "củ": 1e6,  # slang: "15 củ" = 15 million đồng
    "million": 1e6,
    "millions": 1e6,
    "mil": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "tỷ": 1e9,
    "tỉ": 1e9,
    "ty": 1e9,
    "ti": 1e9,
    "billion": 1e9,
    # Malay and Indonesian press: "RM2.4 juta", "Rp 3 miliar", "50 ribu"
    "ribu": 1e3,
    "juta": 1e6,
    "bilion": 1e9,
    "miliar": 1e9,
    "milyar": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "b": 1e9,
    # Chinese: "500万元", "1.2亿元", "3千万", "百万" (百 then 万 stack: 1e6).
    "十": 10,
    "百": 100,
    "千": 1e3,
    "万": 1e4,
    "萬": 1e4,
    "亿": 1e8,
    "億": 1e8,
    # Thai: "80 ล้านบาท", "1.5 แสนบาท", "2 พันล้านบาท" (2 billion).
    "พัน": 1e3,
    "หมื่น": 1e4,
    "แสน": 1e5,
    "ล้าน": 1e6,
    # Lao and Khmer: "500 ລ້ານກີບ", "៥០ លានរៀល".
    "ພັນ": 1e3,
    "ໝື່ນ": 1e4,
    "ແສນ": 1e5,
    "ລ້ານ": 1e6,
    "ពាន់": 1e3,
    "ម៉ឺន": 1e4,
    "សែន": 1e5,
    "លាន": 1e6,
}
# Scripts written without spaces between words (Thai, Lao, Khmer, Myanmar, Chinese, Japanese
# kana): there, numbers, multipliers, currencies and units are glued to the words around them
# ("象牙200公斤", "80 ล้านบาท"), so word boundaries cannot be demanded.
UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana, CJK ideographs
)
_UNSPACED_CHAR = re.compile("[" + UNSPACED + "]")


def is_unspaced(text: str) -> bool:
    """Whether ``text`` ends with a letter of a script written without spaces."""
    return bool(text) and _UNSPACED_CHAR.match(text[-1]) is not None


# What must not follow a glued multiplier: "千克" is a kilogram, "พันธุ์" a species, "ພັນທະ" an
# alliance.
_MULT_NOT_BEFORE = {"千": "克", "พัน": "ธ", "ພັນ": "ທ"}
# Short forms that only count glued to the digits ("500k", "15tr", "$1.4m"), never "500 m".
_ATTACHED_ONLY = {"k", "m", "b", "ti", "mn"}
_ENGLISH_SHORT = {"m", "b", "mn", "bn", "mil", "mln"}
# Multipliers that say "money" on their own in Vietnamese (a bare "15tr" is a price in đồng).
VI_MONEY_MULTIPLIERS = frozenset(
    {"nghìn", "ngàn", "nghin", "ngan", "k", "triệu", "trieu", "tr", "củ", "tỷ", "tỉ", "ty", "ti"}
)

_DIGITS = (
    r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?"  # 1.200.000 / 1,200,000.50
    r"|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![.,]?\d)"  # 40 000
    r"|\d+(?:[.,]\d+)?"  # 1200000 / 1,4 / 80.5
)
_VI_WORD_ALTS = sorted(
    [*_VI_UNITS, *_VI_UNACCENTED_UNITS, "mười", "mươi", "trăm", "linh", "lẻ", "chục"],
    key=len,
    reverse=True,
)
# Words spelt as they should be (Vietnamese with its diacritics, or English): "hai" and "ba"
# are correct Vietnamese, "nam" and "sau" are unaccented guesses.
_PROPER_WORDS = frozenset(
    {*_VI_UNITS, "mười", "mươi", "trăm", "linh", "lẻ", "chục"}
    | {*_EN_UNITS, *_EN_TENS, "hundred", "a", "dozen"}
    | {*_ID_UNITS, *_ID_SCALES}
)
_EN_WORD_ALTS = sorted([*_EN_UNITS, *_EN_TENS, "hundred", "a", "dozen"], key=len, reverse=True)
_ID_WORD_ALTS = [*_ID_UNITS, *_ID_SCALES]
_WORD = "|".join(
    map(re.escape, sorted({*_VI_WORD_ALTS, *_EN_WORD_ALTS, *_ID_WORD_ALTS}, key=len, reverse=True))
)
# Chinese numerals, glued to the words around them. Not after 第 (ordinal "第三"), 数/几
# ("数十只": some tens, vague), 上/成 ("上百只": hundreds) or 星期 ("星期三": Wednesday).
_ZH_NUMERAL = "[一二两兩三四五六七八九十百千零〇]"
_NUMBER_START = re.compile(
    r"(?<![\d_])(?<!\d[.,])(?:(?P<digits>" + _DIGITS + r")(?!\d)"
    r"|(?<!\w)(?P<words>(?:" + _WORD + r")(?:[ \-](?:" + _WORD + r"))*)(?!\w)"
    r"|(?<![第数几上成期])(?P<zh>" + _ZH_NUMERAL + r"+))",
    re.IGNORECASE,
)
_ZH_DIGITS = dict(zip("一二两兩三四五六七八九", (1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
# "一點四公斤" 1.4 kg, "五十七点六" 57.6: the decimals are read digit by digit.
_ZH_DECIMALS = re.compile(r"[點点](?P<decimals>[零〇一二三四五六七八九]+)")
_ZH_POWERS = {"十": 10, "百": 100, "千": 1000}


def _mult_alternative(word: str) -> str:
    if word in _MULT_NOT_BEFORE:
        return re.escape(word) + "(?!" + _MULT_NOT_BEFORE[word] + ")"
    return re.escape(word) + ("" if is_unspaced(word) else r"(?![^\W\d])")


_MULT_ALTS = "|".join(map(_mult_alternative, sorted(MULTIPLIERS, key=len, reverse=True)))
# "1000多万元", "500余万元": "more than", glued between the digits and a Chinese multiplier.
_MULTIPLIER = re.compile(
    r"(?P<space>[ \u00a0\u200b]?)(?:[多余](?=[十百千万萬亿億]))?(?P<mult>" + _MULT_ALTS + r")", re.I
)
_TAIL = re.compile(r"(?P<space>[ \u00a0]?)(?P<tail>\d{1,3})(?![\d.,]\d)")
_HALF = re.compile(r" (?:rưỡi|ruoi)(?!\w)", re.IGNORECASE)
# After a tail ("2 triệu 500"), what may follow: not a letter unless it is a currency.
_AFTER_TAIL_OK = re.compile(r"\s*(?:$|[^\w\s]|đ|đồng|vn[dđ]|dong)", re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    """A number found in a text. ``multipliers`` lists the multiplier words read (lower case),
    ``words`` tells whether the number was written in words."""

    start: int
    end: int
    value: float
    multipliers: tuple[str, ...]
    words: bool
    accented_words: bool  # spelt as proper Vietnamese (with diacritics) or English words


def parse_digits(raw: str) -> float:
    """Digits with separators → value. With both "." and "," the last one is the decimal mark;
    with one kind repeated it separates thousands; a single one followed by exactly three digits
    separates thousands ("1.200", "1,400"), otherwise it is a decimal mark ("1,4", "80.5")."""
    s = re.sub(r"[ \u00a0\u202f]", "", raw)
    if not s or not re.fullmatch(r"[\d.,]+", s) or not s[0].isdigit():
        raise ValueError(f"not a number: {raw!r}")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        if s.count(decimal) > 1:
            raise ValueError(f"not a number: {raw!r}")
        return float(s.replace(thousands, "").replace(decimal, "."))
    if not dots and not commas:
        return float(s)
    sep = "." if dots else ","
    parts = s.split(sep)
    if len(parts) > 2:
        if any(len(p) != 3 for p in parts[1:]):
            raise ValueError(f"not a number: {raw!r}")
        return float("".join(parts))
    head, tail = parts
    if len(tail) == 3 and head != "0":
        return float(head + tail)
    return float(head + "." + tail)


def _vi_words_value(tokens: list[str]) -> float | None:
    total = 0
    current = 0
    previous = ""
    for token in tokens:
        if token in _VI_UNITS or (token in _VI_UNACCENTED_UNITS and token != "muoi"):
            if previous in _VI_UNITS or previous in _VI_UNACCENTED_UNITS:
                return None  # "năm năm" is not a number
            current += _VI_UNITS.get(token) or _VI_UNACCENTED_UNITS[token]
        elif token in ("mười", "muoi"):
            if current:
                return None
            current = 10
        elif token in ("mươi", "chục"):
            if not current or current >= 10:
                return None
            current *= 10
        elif token in ("trăm", "tram"):
            if not current or current >= 10:
                return None
            total += current * 100
            current = 0
        elif token in ("linh", "lẻ"):
            if not total:
                return None
        else:
            return None
        previous = token
    value = total + current
    return float(value) if value else None


def _en_words_value(tokens: list[str]) -> float | None:
    total = 0
    current = 0
    for index, token in enumerate(tokens):
        if token == "a":
            if index != 0 or len(tokens) == 1:
                return None
            current = 1
        elif token in _EN_UNITS:
            if current % 10 or (current and current < 20):
                return None
            current += _EN_UNITS[token]
        elif token in _EN_TENS:
            if current:
                return None
            current = _EN_TENS[token]
        elif token == "hundred":
            if not current or current >= 10:
                return None
            total += current * 100
            current = 0
        elif token == "dozen":
            current = (current or 1) * 12
        else:
            return None
    value = total + current
    return float(value) if value else None


def _id_words_value(tokens: list[str]) -> float | None:
    """ "dua" 2, "dua belas" 12, "dua puluh lima" 25, "tiga ratus" 300, "seratus dua" 102."""
    total = 0
    current = 0
    for token in tokens:
        if token in _ID_UNITS:
            if current:
                return None
            current = _ID_UNITS[token]
        elif token in _ID_SCALES:
            if not current or current >= 10:
                return None
            if token == "belas":
                total += 10 + current
            else:
                total += current * _ID_SCALES[token]
            current = 0
        else:
            return None
    value = total + current
    return float(value) if value else None


def words_value(text: str) -> float | None:
    """Value of a run of number words ("hai mươi lăm", "twenty-one", "two dozen", "dua puluh"),
    or None."""
    tokens = [t for t in re.split(r"[ \-]+", text.lower()) if t]
    if not tokens:
        return None
    if all(t in _ID_UNITS or t in _ID_SCALES for t in tokens):
        return _id_words_value(tokens)
    if all(t in _EN_UNITS or t in _EN_TENS or t in ("hundred", "a", "dozen") for t in tokens):
        return _en_words_value(tokens)
    return _vi_words_value(tokens)


def zh_numeral_value(run: str) -> float | None:
    """Value of Chinese numerals below ten thousand ("三" 3, "十二" 12, "二十五" 25,
    "一百二十" 120), or None for runs that are not one number ("三四" three or four, "一二")."""
    total = 0
    digit: int | None = None
    last_power = 10_000
    for index, char in enumerate(run):
        if char in ("零", "〇"):
            if digit is not None:
                return None
            continue
        if char in _ZH_DIGITS:
            if digit is not None or (char in "两兩" and index and run[index - 1] != "零"):
                return None  # two digits in a row; "两" only leads ("十两" is ten taels)
            digit = _ZH_DIGITS[char]
            continue
        power = _ZH_POWERS[char]
        if power >= last_power:
            return None
        if digit is None:
            if char != "十" or total:
                return None
            digit = 1  # "十二" = 12
        total += digit * power
        digit, last_power = None, power
    value = total + (digit or 0)
    return float(value) if value else None


def _longest_word_prefix(words: str) -> tuple[str, float] | None:
    """The longest leading run of ``words`` that is a valid number ("hai con" → "hai")."""
    parts = re.split(r"([ \-]+)", words)
    for count in range(len(parts), 0, -2):
        candidate = "".join(parts[:count])
        value = words_value(candidate)
        if value is not None:
            return candidate, value
    return None


_ZH_REMAINDER = re.compile(r"(?P<digits>\d+)(?![\d.,]\d)|(?P<zh>" + _ZH_NUMERAL + "+)")


def _zh_remainder(text: str, pos: int, factor: float) -> tuple[float, int] | None:
    """What a Chinese number adds after 万 or 亿 without a multiplier of its own: "1万2000" and
    "一万二千" (+2000 = 12000), "1万2" (+0.2万, as people say it)."""
    m = _ZH_REMAINDER.match(text, pos)
    if not m or _MULTIPLIER.match(text, m.end()):
        return None  # "1万2千" is the multiplier chain's; "1万 2只" two numbers
    raw = m.group("digits") or m.group("zh")
    value = float(raw) if m.group("digits") else zh_numeral_value(raw)
    if value is None:
        return None
    if len(raw) == 1:
        value *= factor / 10
    elif m.group("digits") and (len(raw) != len(str(int(factor))) - 1 or not raw.endswith("00")):
        return None  # "1万2500" is 12500, "500万2023年" a year after the amount
    return (value, m.end()) if value < factor else None


def _read_multipliers(
    text: str, pos: int, value: float, digits: bool
) -> tuple[float, int, list[str]]:
    """Multiplier chain after a number at ``pos``: "triệu", "tỷ 500 triệu", "tr5", "triệu rưỡi".
    Returns the value, the end offset and the multiplier words read."""
    read: list[str] = []
    m = _MULTIPLIER.match(text, pos)
    if not m:
        return value, pos, read
    word = m.group("mult").lower()
    if word in _ATTACHED_ONLY and (m.group("space") or not digits):
        return value, pos, read
    if word in _ENGLISH_SHORT and text[m.end() : m.end() + 1].isdigit():
        return value, pos, read  # "5m3" is five cubic metres, not 5.3 million
    # "m" glued to digits is a million only in money talk ("$1.4m"): prices.py demands a
    # currency for it and quantities.py refuses amounts with it, so "5m" of rope is neither.
    factor = MULTIPLIERS[word]
    end = m.end()
    read.append(word)
    # Stacked multipliers multiply: "5 trăm nghìn" = 500 thousand, "5 nghìn tỷ" = 5 trillion.
    while True:
        stacked = _MULTIPLIER.match(text, end)
        if not stacked or stacked.group("mult").lower() in _ATTACHED_ONLY:
            break
        bigger = MULTIPLIERS[stacked.group("mult").lower()]
        if bigger <= factor:
            break
        factor *= bigger
        read.append(stacked.group("mult").lower())
        end = stacked.end()
    total = value * factor
    last_factor = factor
    while True:
        # "3 tỷ 500 triệu": a further number with a smaller multiplier adds to the total.
        # Chinese chains glue the parts and may spell them: "3亿5千万", "一亿两千万".
        nxt = _NUMBER_START.match(text, end + 1 if text[end : end + 1] == " " else end)
        if nxt and (nxt.group("digits") or nxt.group("zh")) and factor >= 1e3:
            try:
                sub = parse_digits(nxt.group("digits")) if nxt.group("digits") else None
            except ValueError:
                break
            sub = zh_numeral_value(nxt.group("zh")) if nxt.group("zh") else sub
            m2 = _MULTIPLIER.match(text, nxt.end())
            if sub and m2 and MULTIPLIERS[m2.group("mult").lower()] < last_factor:
                w2 = m2.group("mult").lower()
                if w2 in _ATTACHED_ONLY and m2.group("space"):
                    break
                factor2, end = MULTIPLIERS[w2], m2.end()
                read.append(w2)
                stacked = _MULTIPLIER.match(text, end)
                if stacked and is_unspaced(w2):  # "5千万" = 5 × 1e7, still below 亿
                    bigger = MULTIPLIERS[stacked.group("mult").lower()]
                    if bigger > factor2 and factor2 * bigger < last_factor:
                        factor2 *= bigger
                        read.append(stacked.group("mult").lower())
                        end = stacked.end()
                total += sub * factor2
                last_factor = factor2
                continue
        break
    if is_unspaced(read[-1]) and last_factor >= 1e4:
        remainder = _zh_remainder(text, end, last_factor)
        if remainder:
            total += remainder[0]
            end = remainder[1]
    tail = _TAIL.match(text, end)
    if (
        tail
        and read[-1] not in _ENGLISH_SHORT
        and not is_unspaced(read[-1])  # "2tr5" is a Vietnamese seller's habit
        and last_factor >= 1e3
        and len(read) == 1
        and value == int(value)
        and (not tail.group("space") or _AFTER_TAIL_OK.match(text, tail.end()))
    ):
        digits_tail = tail.group("tail")
        total += int(digits_tail) / 10 ** len(digits_tail) * last_factor
        end = tail.end()
    else:
        half = _HALF.match(text, end)
        if half:
            total += 0.5 * last_factor
            end = half.end()
    return total, end, read


_LETTERS_BEFORE = re.compile(r"[^\W\d_]+$")
_ENGLISH_SCALES = frozenset({"million", "millions", "billion", "billions", "mil", "mln", "bn"})
_ONE_DOT_THREE = re.compile(r"\d{1,3}\.\d{3}")


def _glued_ok(text: str, start: int) -> bool:
    """Digits glued to letters before them count only after a currency code ("RM80",
    "Rp500", "Bt400,000", "USD1") - never inside a word or an id ("abc123", "tr5")."""
    letters = _LETTERS_BEFORE.search(text, max(0, start - 5), start)
    if letters is None or is_unspaced(letters.group(0)):
        return True  # "象牙200公斤": Chinese and Thai glue digits to words
    run = letters.group(0)
    return run in ("Rp", "Bt") or (run.isupper() and len(run) <= 4)


def find_amounts(text: str) -> list[Amount]:
    """Every number in ``text`` (digits or words, with their multipliers), in text order and
    without overlaps."""
    amounts: list[Amount] = []
    pos = 0
    while True:
        m = _NUMBER_START.search(text, pos)
        if not m:
            break
        start = m.start()
        if m.group("digits") and not _glued_ok(text, start):
            pos = m.end()
            continue
        if m.group("zh"):
            run = m.group("zh")
            if run.endswith("千") and text.startswith("克", m.end()):
                run = run[:-1]  # "五千克" is five kilograms
            value_zh = zh_numeral_value(run) if run else None
            if value_zh is None:
                pos = m.end()
                continue
            run_end = start + len(run)
            decimals = _ZH_DECIMALS.match(text, run_end) if run == m.group("zh") else None
            if decimals:
                digits_zh = decimals.group("decimals")
                value_zh += sum(
                    _ZH_DIGITS.get(c, 0) / 10 ** (i + 1) for i, c in enumerate(digits_zh)
                )
                run_end = decimals.end()
            total, end, read = _read_multipliers(text, run_end, value_zh, False)
            amounts.append(Amount(start, end, total, tuple(read), True, True))
            pos = end
            continue
        if m.group("digits"):
            try:
                value = parse_digits(m.group("digits"))
            except ValueError:
                pos = m.end()
                continue
            total, end, read = _read_multipliers(text, m.end(), value, True)
            if read and read[0] in _ENGLISH_SCALES and _ONE_DOT_THREE.fullmatch(m.group("digits")):
                # "166.618 million baht": before an English scale word one dot is decimal
                # ("1.500 tỷ" is Vietnamese 1,500 billion; English writes "1,500 million").
                total, end, read = _read_multipliers(text, m.end(), float(m.group("digits")), True)
            amounts.append(Amount(start, end, total, tuple(read), False, False))
            pos = end
            continue
        prefix = _longest_word_prefix(m.group("words"))
        if prefix is None:
            pos = m.end()
            continue
        words, value = prefix
        word_end = start + len(words)
        total, end, read = _read_multipliers(text, word_end, value, False)
        lowered = words.lower()
        accented = all(t in _PROPER_WORDS for t in re.split(r"[ \-]+", lowered))
        if lowered == "a" and not read:
            pos = word_end
            continue
        if accented or read:
            amounts.append(Amount(start, end, total, tuple(read), True, accented))
        pos = end
    return amounts
