"""Price and contacts of a marketplace ad, as sellers write them.

Reads short strings (the price line, the ad text, link targets); writes the price amount and
ISO 4217 currency, and the raw contact strings found (phones, Zalo, Facebook and Telegram
links, e-mails). The full analysis (E.164 phones, prices in đồng) is done later by
``pipelines``; here the goal is to keep what the page shows, without losing anything.
"""

from __future__ import annotations

import re

from pipelines.normalize import fold

# Words meaning "price on request": an ad without an amount, not a parsing failure.
_NO_PRICE = re.compile(r"thoa thuan|lien he|thuong luong|call|contact|negotiable|inbox|ib\b")
_CURRENCIES = (
    (re.compile(r"vn[dđ]|₫|(?<![a-z])(?:d|dong|đ)(?![a-z])"), "VND"),
    (re.compile(r"us\$|usd|\$|do la|dollars?"), "USD"),
    (re.compile(r"฿|baht|thb"), "THB"),
    (re.compile(r"¥|cny|rmb|yuan|nhan dan te"), "CNY"),
    (re.compile(r"€|eur|euros?"), "EUR"),
    (re.compile(r"kip|lak|₭"), "LAK"),
    (re.compile(r"riel|khr|៛"), "KHR"),
    (re.compile(r"ringgit|myr|\brm\b"), "MYR"),
)
_MULTIPLIERS = (
    (re.compile(r"^\s*(?:ty|ti)(?![a-z])"), 1e9),
    (re.compile(r"^\s*(?:trieu|tr|cu|m|million|mil)(?![a-z])"), 1e6),
    (re.compile(r"^\s*(?:nghin|ngan|k|thousand|xi)(?![a-z])"), 1e3),
)
# "2tr5" is 2.5 million, "1ty2" 1.2 billion: the digits glued after the multiplier are its
# decimals, the way sellers write it.
_GLUED_TAIL = re.compile(r"^\s*(?:ty|ti|trieu|tr|cu|k)(\d{1,3})(?!\d)")
_NUMBER = re.compile(r"\d[\d.,\s]*\d|\d")
_PHONE = re.compile(r"(?<![\d])(?:\+84|\(\+84\)|0084|84|0)[\s.\-]?(?:\d[\s.\-]?){8,9}\d?(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:zalo\.me|chat\.zalo\.me|facebook\.com|fb\.com|fb\.me|m\.me"
    r"|t\.me|telegram\.me)/[\w.\-/?=&%+]+",
    re.IGNORECASE,
)
_HANDLE = re.compile(
    r"(?:zalo|telegram|tele|tg|fb|facebook)\s*(?:[:：]\s*@?[\w.\-]{3,40}|@[\w.\-]{3,40})",
    re.IGNORECASE,
)


def parse_price(text: str) -> tuple[float | None, str | None]:
    """Amount and currency of a price line: "1.200.000 đ", "2,5 triệu", "15tr", "500k",
    "$150", "Thỏa thuận" (→ None, None)."""
    folded = fold(text)
    if _NO_PRICE.search(folded) and not re.search(r"\d", folded):
        return None, None
    match = _NUMBER.search(folded)
    if match is None:
        return None, None
    amount = _number(match.group(0).strip(), has_multiplier=_multiplier(folded[match.end() :]) > 1)
    if amount is None:
        return None, None
    after = folded[match.end() :]
    factor = _multiplier(after)
    tail = _GLUED_TAIL.match(after)
    if tail is not None and factor > 1:
        amount += float("0." + tail.group(1))
    amount *= factor
    currency = next((code for pattern, code in _CURRENCIES if pattern.search(folded)), None)
    if currency is None and factor > 1 and not re.match(r"^\s*(?:m|million|mil|thousand)", after):
        currency = "VND"  # "2 triệu", "15tr", "500k" alone are always đồng
    return amount, currency


def _multiplier(after: str) -> float:
    for pattern, factor in _MULTIPLIERS:
        if pattern.search(after):
            return factor
    return 1.0


def _number(raw: str, *, has_multiplier: bool) -> float | None:
    raw = re.sub(r"\s+", "", raw)
    if "." in raw and "," in raw:
        # The later separator is the decimal one: "1.200,50" or "1,200.50".
        decimal = "." if raw.rfind(".") > raw.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        raw = raw.replace(thousands, "").replace(decimal, ".")
    elif "," in raw or "." in raw:
        separator = "," if "," in raw else "."
        groups = raw.split(separator)
        thousands_groups = len(groups) > 2 or len(groups[-1]) == 3
        if thousands_groups and not (has_multiplier and len(groups) == 2):
            raw = raw.replace(separator, "")
        else:
            raw = raw.replace(separator, ".")  # "2,5 triệu", "1.5k"
    try:
        return float(raw)
    except ValueError:
        return None


def find_contacts(texts: list[str]) -> list[str]:
    """Raw contact strings in the order found, duplicates removed: phone numbers, e-mails,
    Zalo / Facebook / Telegram links and "zalo: handle" mentions."""
    found: list[str] = []
    for text in texts:
        for match in _LINK.finditer(text):
            found.append(match.group(0).rstrip(".,)"))
        for match in _EMAIL.finditer(text):
            found.append(match.group(0))
        linkless = _LINK.sub(" ", text)
        for match in _PHONE.finditer(linkless):
            found.append(match.group(0).strip(" .-"))
        for match in _HANDLE.finditer(linkless):
            handle = match.group(0)
            if not _PHONE.search(handle):
                found.append(handle)
    return list(dict.fromkeys(found))
