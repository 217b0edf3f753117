"""Seller contacts: the identifiers that link one seller's listings across sites.

Reads NFC text; writes ``Contact`` dicts (type phone | zalo | facebook | telegram | email,
normalised value), deduplicated, in order of first appearance.

* Vietnamese phone numbers in every common writing ("0912 345 678", "0987.654.321",
  "+84 912345678", "(+84) 912 345 678", "84912345678", "09 12 34 56 78", "o912345678" with the
  letter o for a zero) become E.164 ("+84912345678"). Mobiles are 10 digits starting 03, 05, 07,
  08, 09; landlines 11 digits starting 02. Anything else (prices, dates, ids) is not a phone.
* A number announced as Zalo ("zalo 0912...", "zl: 0912...", "zalo.me/0912...") is reported
  twice: as ``zalo`` and as ``phone`` with the same E.164 value. The Zalo account is the number,
  and listing it as a phone too lets a search for the phone find the seller's Zalo ads.
* Facebook profiles and pages as ``facebook.com/<name>`` (lower case) or
  ``facebook.com/profile.php?id=<n>``; Telegram as ``@handle`` (lower case); e-mail lower case.
* Bank account numbers ("STK 0123456789", "số tài khoản ...") are not phones.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from pipelines.fields import Contact

# A run of digit groups split by spaces, dots or dashes, possibly led by +84 / (+84) / 0084,
# possibly starting with the letter o standing for a zero. Runs are cut into numbers afterwards,
# so two phones in a row ("0912 345 678 - 0987 654 321") are both read.
_DIGIT_RUN = re.compile(
    r"(?:(?<=zalo\.me/)|(?<![\w+.\-/]))(?P<raw>(?:\(\+?84\)|\+84|0084|\(0\d{2,3}\))?[ .\-]?"
    r"[0oO]?\d{1,11}(?:(?:[ .]|[ ]?-[ ]?)?\d{1,11})*)(?![\w\-]|[.,]\d)"
)
_DIGITS = re.compile(r"\d+")
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")
# Context words of bank accounts and ids that precede digit runs which are not phones.
_NOT_PHONE_BEFORE = re.compile(
    r"(?:stk|số tài khoản|so tai khoan|tài khoản|tai khoan|tk|account|a/c|acc|mst|cmnd|cccd|"
    r"mã số|ma so|mã|id|số hiệu|biển số|bien so|biển kiểm soát)"
    r"\s*[:.#]?\s*(?:\S+\s*[:.]?\s*){0,2}$",
    re.IGNORECASE,
)
_ZALO_BEFORE = re.compile(
    r"(?:zalo|zl|za lo|zalo\.me/)\s*[:/.\-]?\s*(?:[/&+,]?\s*(?:sđt|sdt|đt|dt|phone|tel|call)"
    r"\s*[:.]?\s*)?$",
    re.IGNORECASE,
)
_ZALO_AFTER = re.compile(r"\s*[(\[]?\s*(?:có\s+)?(?:zalo|zl)\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://)?(?:[\w\-]+\.)+[a-z]{2,}(?:/[^\s<>\"'()\[\]]*)?", re.IGNORECASE)
_FACEBOOK_URL = re.compile(
    r"(?<![\w.])(?:https?://)?(?:(?:www|m|web|mbasic|vi-vn|touch)\.)?(?:facebook\.com|fb\.com|"
    r"fb\.me)/(?P<path>[^\s<>\"'()\[\],]+)",
    re.IGNORECASE,
)
_FACEBOOK_HANDLE = re.compile(
    r"(?<!\w)(?:fb|facebook|face|phây)\s*[:\-]\s*@?(?P<handle>[A-Za-z0-9][A-Za-z0-9.]{3,49})"
    r"(?![\w@.])",
    re.IGNORECASE,
)
# "FB: Nguyen Van Nam" is a display name, not a handle: a capitalised word follows.
_NAME_GOES_ON = re.compile(r" [^\W\d_]")
# Paths under facebook.com that are not a person or page.
_FACEBOOK_RESERVED = {
    "sharer",
    "sharer.php",
    "share",
    "share.php",
    "dialog",
    "plugins",
    "tr",
    "login",
    "login.php",
    "hashtag",
    "watch",
    "photo.php",
    "photo",
    "photos",
    "story.php",
    "events",
    "permalink.php",
    "help",
    "policies",
    "privacy",
    "business",
    "ads",
    "gaming",
    "marketplace",
    "reel",
    "reels",
    "search",
    "home.php",
    "notes",
    "media",
    "l.php",
}
_TELEGRAM_URL = re.compile(
    r"(?<![\w.])(?:https?://)?(?:t\.me|telegram\.me|telegram\.dog)/(?P<handle>[A-Za-z]\w{3,31})"
    r"(?![\w/])",
    re.IGNORECASE,
)
_TELEGRAM_HANDLE = re.compile(
    r"(?<!\w)(?:telegram|tele|tg)\s*[:\-]?\s*@(?P<handle>[A-Za-z]\w{3,31})(?!\w)", re.IGNORECASE
)
_EMAIL = re.compile(
    r"(?<![\w.+\-])(?P<email>[A-Za-z0-9][A-Za-z0-9._%+\-]*@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,24})"
    r"(?![\w\-])"
)
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")


def phone_e164(raw: str) -> str | None:
    """A Vietnamese number as written → E.164, or None when it is not a valid VN number."""
    digits = raw.strip()
    if digits[:1] in "oO":
        digits = "0" + digits[1:]
    digits = re.sub(r"\D", "", digits)
    if digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif not digits.startswith("0") and len(digits) in (9, 10) and raw.lstrip().startswith("("):
        digits = "0" + digits
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return "+84" + digits[1:]
    return None


def _url_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _URL.finditer(text) if "/" in m.group(0) or "." in m.group(0)]


def _numbers_in_run(raw: str) -> list[tuple[int, str]]:
    """Cut a run of digit groups into valid phone numbers: from each group, the longest
    sequence of groups that makes a valid number. Returns (offset in run, E.164) pairs."""
    groups = list(_DIGITS.finditer(raw))
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(groups):
        # The first group keeps what leads it: "(+84) ", "+84", "o".
        begin = 0 if i == 0 else groups[i].start()
        best: tuple[int, str] | None = None
        for j in range(i, min(len(groups), i + 6)):
            piece = raw[begin : groups[j].end()]
            if len(re.sub(r"\D", "", piece)) > 13:
                break
            value = phone_e164(piece)
            if value is not None:
                best = (j, value)
        if best is None:
            i += 1
            continue
        found.append((groups[i].start() if i else 0, best[1]))
        i = best[0] + 1
    return found


def _phones(text: str) -> list[tuple[int, Contact]]:
    found: list[tuple[int, Contact]] = []
    urls = _url_spans(text)
    for m in _DIGIT_RUN.finditer(text):
        for offset, value in _numbers_in_run(m.group("raw")):
            start = m.start("raw") + offset
            found.extend((start, c) for c in _classify_phone(text, start, m.end(), value, urls))
    return found


def _classify_phone(
    text: str, start: int, end: int, value: str, urls: list[tuple[int, int]]
) -> list[Contact]:
    inside_url = any(s <= start < e for s, e in urls)
    zalo_url = inside_url and re.search(r"zalo\.me/\s*$", text[max(0, start - 10) : start])
    if inside_url and not zalo_url:
        return []  # ids in links ("/post/0912345678") are not contacts
    before = text[max(0, start - 30) : start]
    zalo = bool(zalo_url or _ZALO_BEFORE.search(before) or _ZALO_AFTER.match(text, end))
    if not zalo and _NOT_PHONE_BEFORE.search(before):
        return []
    phone = Contact(type="phone", value=value)
    return [Contact(type="zalo", value=value), phone] if zalo else [phone]


def _facebook(text: str) -> list[tuple[int, Contact]]:
    found: list[tuple[int, Contact]] = []
    for m in _FACEBOOK_URL.finditer(text):
        value = _facebook_value(m.group("path"))
        if value:
            found.append((m.start(), Contact(type="facebook", value=value)))
    for m in _FACEBOOK_HANDLE.finditer(text):
        following = _NAME_GOES_ON.match(text, m.end())
        if following and following.group(0)[1].isupper():
            continue
        handle = m.group("handle").rstrip(".").lower()
        if re.search(r"^(?:www\.|m\.)|facebook\.|fb\.", handle):
            continue  # a link, read by _FACEBOOK_URL
        if re.fullmatch(r"[1-9]\d{7,}", handle):
            found.append((m.start(), Contact(type="facebook", value=_profile_id(handle))))
        elif not handle.isdigit():
            found.append((m.start(), Contact(type="facebook", value=f"facebook.com/{handle}")))
    return found


def _profile_id(number: str) -> str:
    return f"facebook.com/profile.php?id={number}"


def _facebook_value(path: str) -> str | None:
    parts = urlsplit("https://facebook.com/" + path)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    first = segments[0].lower()
    if first == "profile.php":
        ids = parse_qs(parts.query).get("id")
        return _profile_id(ids[0]) if ids and ids[0].isdigit() else None
    if first == "people" and len(segments) >= 3 and segments[2].isdigit():
        return _profile_id(segments[2])
    if first in ("groups", "pages") and len(segments) >= 2:
        tail = segments[-1] if first == "pages" and segments[-1].isdigit() else segments[1]
        return f"facebook.com/{first}/{tail.lower()}"
    if first in _FACEBOOK_RESERVED or not re.fullmatch(r"[\w.\-]{2,80}", first):
        return None
    return f"facebook.com/{first.rstrip('.')}"


def _telegram(text: str) -> list[tuple[int, Contact]]:
    found: list[tuple[int, Contact]] = []
    for pattern in (_TELEGRAM_URL, _TELEGRAM_HANDLE):
        for m in pattern.finditer(text):
            handle = m.group("handle").lower()
            if handle in ("joinchat", "share", "addstickers", "proxy", "iv", "s"):
                continue
            found.append((m.start(), Contact(type="telegram", value="@" + handle)))
    return found


def _emails(text: str) -> list[tuple[int, Contact]]:
    found: list[tuple[int, Contact]] = []
    for m in _EMAIL.finditer(text):
        email = m.group("email").lower()
        if email.endswith(_IMAGE_SUFFIXES):
            continue  # "logo@2x.png" is a file name
        found.append((m.start(), Contact(type="email", value=email)))
    return found


def extract_contacts(text: str) -> list[Contact]:
    """Every contact in ``text``, deduplicated by (type, value), in order of appearance."""
    located = _phones(text) + _facebook(text) + _telegram(text) + _emails(text)
    seen: set[tuple[str, str]] = set()
    contacts: list[Contact] = []
    for _, contact in sorted(located, key=lambda item: item[0]):
        key = (contact["type"], contact["value"])
        if key not in seen:
            seen.add(key)
            contacts.append(contact)
    return contacts
