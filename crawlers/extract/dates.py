"""Dates as pages write them: machine values (ISO 8601) and visible Vietnamese or English text.

Reads a string; writes a timezone-aware ``datetime`` or None. Vietnamese numeric dates are always
day first ("5/11/2023" is 5 November). A date without an offset is in ``tz`` (the sources' zone,
Asia/Ho_Chi_Minh by default); "(GMT+7)", "GMT+07:00", "UTC+7" and "Z" are honoured. Relative
dates of marketplaces ("2 giờ trước", "hôm qua") count back from ``now``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from pipelines.normalize import fold

DEFAULT_TZ = "Asia/Ho_Chi_Minh"

_MONTHS_EN = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAME = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# Times: "14:30", "14:30:05", "14h30", "14 giờ 30" (folded: "14 gio 30"), "2:30 PM".
_TIME = r"(\d{1,2})\s*(?::|h|gio\s*)\s*(\d{2})(?::(\d{2}))?(?:\s*(am|pm|sa|ch)\b)?"
_OFFSET = r"(?:\(?\s*(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\s*\)?)"
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(z|[+-]\d{2}:?\d{2})?)?"
)
_YMD_SLASH = re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d/])")
# "12 tháng 6, 2023", "ngày 12 tháng 06 năm 2023", "12 thg 6 2023" (folded).
_DMY_WORDS = re.compile(r"(?<!\d)(\d{1,2})\s+(?:thang|thg)\s+(\d{1,2})\s*(?:,|nam)?\s*(\d{4})")
_EN_MDY = re.compile(r"\b" + _MONTH_NAME + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_EN_DMY = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_NAME + r",?\s+(\d{4})")
# What may separate a date from the time after it: "12/6/2023, 14:30", "12 Jun 2023 at 14:30",
# "12/06/2023 - 14:30", "12/6/2023 lúc 14:30", ISO's "T".
_TIME_GAP = re.compile(r"[\s,\-|–—(]*(?:at|luc|vao luc|t)?[\s,\-|–—(]*")
_TIME_RE = re.compile(r"(?<![\d:])" + _TIME)
_OFFSET_RE = re.compile(_OFFSET)
_RELATIVE = re.compile(
    r"\b(\d+|mot|an?)\s*(giay|phut|gio|tieng|ngay|tuan|thang|nam|seconds?|secs?|minutes?|mins?"
    r"|hours?|hrs?|days?|weeks?|months?|years?)\s*(?:truoc|ago)"
)
_RELATIVE_UNITS = {
    "giay": timedelta(seconds=1), "second": timedelta(seconds=1), "sec": timedelta(seconds=1),
    "phut": timedelta(minutes=1), "minute": timedelta(minutes=1), "min": timedelta(minutes=1),
    "gio": timedelta(hours=1), "tieng": timedelta(hours=1), "hour": timedelta(hours=1),
    "hr": timedelta(hours=1), "ngay": timedelta(days=1), "day": timedelta(days=1),
    "tuan": timedelta(weeks=1), "week": timedelta(weeks=1),
    "thang": timedelta(days=30), "month": timedelta(days=30),
    "nam": timedelta(days=365), "year": timedelta(days=365),
}  # fmt: skip
_DAY_WORDS = {"hom qua": -1, "yesterday": -1, "hom nay": 0, "today": 0, "hom kia": -2}
_JUST_NOW = re.compile(r"\b(vua xong|vua dang|vua moi|just now|moments? ago)\b")


@lru_cache(maxsize=32)
def zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def parse_iso_date(value: str, *, tz: str = DEFAULT_TZ) -> datetime | None:
    """A machine-readable date (meta tags, JSON-LD, ``<time datetime>``): ISO 8601 in any of
    the shapes CMSs emit, else the visible-date rules."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return parse_vietnamese_date(value, tz=tz)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(tz))


def parse_vietnamese_date(
    text: str, *, now: datetime | None = None, tz: str = DEFAULT_TZ
) -> datetime | None:
    """The first date written in ``text``: numeric day-first, "12 tháng 6, 2023", ISO,
    English month names, or relative ("3 ngày trước", "hôm qua", "2 hours ago")."""
    folded = fold(text)  # same length as text: offsets found in it are valid in both
    zone_info = zone(tz)
    found = _absolute_date(folded)
    if found is not None:
        (year, month, day), start, end = found
        time_of_day = _time_near(folded, start, end)
        return _build(year, month, day, time_of_day, _offset_near(folded, end), zone_info)
    return _relative_date(folded, now, zone_info)


def _absolute_date(folded: str) -> tuple[tuple[int, int, int], int, int] | None:
    candidates: list[tuple[int, tuple[int, int, int], int]] = []
    for match in _ISO.finditer(folded):
        ymd = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
        candidates.append((match.start(), ymd, match.start() + 10))
    for match in _YMD_SLASH.finditer(folded):
        ymd = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
        candidates.append((match.start(), ymd, match.end()))
    for match in _DMY.finditer(folded):
        year = int(match.group(4))
        year = year + 2000 if year < 100 else year
        candidates.append(
            (match.start(), (year, int(match.group(3)), int(match.group(1))), match.end())
        )
    for match in _DMY_WORDS.finditer(folded):
        ymd = (int(match.group(3)), int(match.group(2)), int(match.group(1)))
        candidates.append((match.start(), ymd, match.end()))
    for match in _EN_MDY.finditer(folded):
        ymd = (int(match.group(3)), _MONTHS_EN[match.group(1)[:3]], int(match.group(2)))
        candidates.append((match.start(), ymd, match.end()))
    for match in _EN_DMY.finditer(folded):
        ymd = (int(match.group(3)), _MONTHS_EN[match.group(2)[:3]], int(match.group(1)))
        candidates.append((match.start(), ymd, match.end()))
    for start, ymd, end in sorted(candidates):
        if _valid(*ymd):
            return ymd, start, end
    return None


def _valid(year: int, month: int, day: int) -> bool:
    if not 1990 <= year <= 2100:
        return False
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True


def _time_near(folded: str, start: int, end: int) -> tuple[int, int, int] | None:
    """The time written right after the date ("12/06/2023 - 14:30", "12/6/2023, 14:30") or right
    before it ("14:30 12/6/2023", "14:30 | Thứ Hai, 12/6/2023")."""
    after = _TIME_RE.match(folded, end) or _TIME_RE.search(folded[end : end + 14])
    if after is not None and _TIME_GAP.fullmatch(folded[end : end + after.start()]):
        return _clock(after)
    window_start = max(0, start - 40)
    before = list(_TIME_RE.finditer(folded[window_start:start]))
    if before:
        last = before[-1]
        gap = folded[window_start + last.end() : start]
        if len(gap) <= 30 and not re.search(r"\d", gap):
            return _clock(last)
    return None


def _clock(match: re.Match[str]) -> tuple[int, int, int] | None:
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridian = match.group(4)
    if meridian in ("pm", "ch") and hour < 12:
        hour += 12
    elif meridian in ("am", "sa") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _offset_near(folded: str, end: int) -> timezone | None:
    match = _OFFSET_RE.search(folded[end : end + 30])
    if match is None:
        iso = re.match(r"[^+\-z\n]{0,12}?(z|[+-]\d{2}:?\d{2})\b", folded[end : end + 24])
        if iso is None or ":" not in folded[end : end + 24]:
            return None
        raw = iso.group(1)
        if raw == "z":
            return UTC
        sign = -1 if raw[0] == "-" else 1
        digits = raw[1:].replace(":", "")
        return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
    sign = -1 if match.group(1) == "-" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(
    year: int,
    month: int,
    day: int,
    time_of_day: tuple[int, int, int] | None,
    offset: timezone | None,
    zone_info: tzinfo,
) -> datetime:
    hour, minute, second = time_of_day or (0, 0, 0)
    return datetime(year, month, day, hour, minute, second, tzinfo=offset or zone_info)


def _relative_date(folded: str, now: datetime | None, zone_info: tzinfo) -> datetime | None:
    current = now or datetime.now(zone_info)
    if current.tzinfo is None:
        current = current.replace(tzinfo=zone_info)
    current = current.astimezone(zone_info)
    match = _RELATIVE.search(folded)
    if match is not None:
        raw = match.group(1)
        count = int(raw) if raw.isdigit() else 1
        unit = match.group(2).rstrip("s") if match.group(2) != "gio" else "gio"
        step = _RELATIVE_UNITS.get(unit) or _RELATIVE_UNITS.get(match.group(2))
        if step is not None:
            return current - count * step
    if _JUST_NOW.search(folded):
        return current
    for words, days in _DAY_WORDS.items():
        position = folded.find(words)
        if position >= 0:
            day = (current + timedelta(days=days)).date()
            clock = _TIME_RE.search(folded)
            time_of_day = _clock(clock) if clock else None
            if time_of_day is None:
                # No time given: keep "now"'s clock so that "hôm qua" sorts as about a day ago.
                time_of_day = (current.hour, current.minute, current.second)
            return datetime(day.year, day.month, day.day, *time_of_day, tzinfo=zone_info)
    return None
