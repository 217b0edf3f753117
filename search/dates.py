"""Dates of the index: ISO 8601 strings in documents, epoch seconds in the store, local days.

Reads document date strings and request bounds (dates or datetimes); writes epoch seconds and
local calendar days in ``WILDWATCH_TZ`` (default Asia/Ho_Chi_Minh): a date filter "until
2024-05-03" means the end of that day in Vietnam, not in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wildwatch.env import SettingError, timezone_name


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"WILDWATCH_TZ={name!r}: not an IANA time zone") from None


def local_zone() -> tzinfo:
    """The zone of day boundaries: ``WILDWATCH_TZ``."""
    return _zone(timezone_name())


def parse_datetime(value: str, field: str = "date") -> datetime:
    """An aware datetime from ISO 8601 (``Z`` accepted; a date alone is local midnight; a
    datetime without offset is taken as local time). Raises ValueError naming ``field``."""
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time())
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{field}: {value!r} is not an ISO 8601 date or datetime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())
    return parsed


def epoch(value: str, field: str = "date") -> int:
    return int(parse_datetime(value, field).timestamp())


def start_of(value: date | datetime) -> int:
    """Epoch seconds of an inclusive lower bound: a date means its local midnight."""
    if isinstance(value, datetime):
        return int(_aware(value).timestamp())
    return int(datetime.combine(value, time(), local_zone()).timestamp())


def end_of(value: date | datetime) -> int:
    """Epoch seconds of an inclusive upper bound: a date means the whole local day."""
    if isinstance(value, datetime):
        return int(_aware(value).timestamp())
    if value >= date.max:  # "until 9999-12-31": no next day to start from
        return int(datetime.combine(value, time.max, local_zone()).timestamp())
    next_day = datetime.combine(value + timedelta(days=1), time(), local_zone())
    return int(next_day.timestamp()) - 1


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=local_zone())


@lru_cache(maxsize=8)
def _fixed_offset(name: str) -> int | None:
    zone = _zone(name)
    moment = datetime(1990, 1, 1, tzinfo=UTC)
    offsets: set[timedelta | None] = set()
    while moment.year < 2040 and len(offsets) < 2:
        offsets.add(moment.astimezone(zone).utcoffset())
        moment += timedelta(days=7)
    (offset,) = offsets if len(offsets) == 1 else (None,)
    return None if offset is None else int(offset.total_seconds())


def fixed_offset_seconds() -> int | None:
    """The UTC offset of ``WILDWATCH_TZ`` when it has not changed since 1990 and has no daylight
    saving time (all of Vietnam, Thailand, Indonesia...), else None. Lets the index group
    items by local day with integer arithmetic."""
    return _fixed_offset(timezone_name())


def local_day(epoch_seconds: int) -> date:
    return datetime.fromtimestamp(epoch_seconds, UTC).astimezone(local_zone()).date()


def bucket_start(day: date, interval: str) -> date:
    """First day of the histogram bucket holding ``day``: itself, or the Monday of its week."""
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    raise ValueError(f"interval: {interval!r} is neither 'day' nor 'week'")


def now_epoch() -> int:
    return int(datetime.now(UTC).timestamp())
