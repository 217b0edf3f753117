"""Places named in a text, resolved against the gazetteer ``pipelines/vocab/gazetteer.csv``.

Reads NFC text; writes canonical place names (Vietnamese places in Vietnamese with diacritics,
foreign places in English), deduplicated, in order of first mention. ``place_info`` gives the
kind, country, province (after the July 2025 merger), coordinates and aliases of a name.

Names are matched word by word on the accent-folded copy of the text and then checked against
how they were written, so that:

* a name with diacritics must carry the right ones ("Hà Nam", not "hạ nam") and the capitals
  its alias has ("Cầu Treo" is a border gate, "cầu treo" a suspension bridge);
* a name typed without diacritics ("nghe an", "Ha Nam") counts only where the surrounding text is
  typed without diacritics too, and ambiguous ones ("hoa binh" = peace, one-syllable names)
  only in Title Case or after a place word (tỉnh, TP, huyện, cửa khẩu, sân bay...);
* people named after places ("anh Hà Giang", "Nguyễn Thị Thái Bình") are not places.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.normalize import fold

GAZETTEER_FILE = Path(__file__).with_name("vocab") / "gazetteer.csv"
KINDS = frozenset(
    {"province", "city", "district", "border_gate", "airport", "seaport", "country", "region"}
)
_COLUMNS = ["name", "kind", "country", "province", "lat", "lon", "aliases"]


class GazetteerError(ValueError):
    """The gazetteer cannot be used; the message names the file, line and column."""


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # province | city | district | border_gate | airport | seaport | country | region
    country: str  # ISO 3166-1 alpha-2, "" for regions spanning countries
    province: str | None  # Vietnamese places: the current (post-July-2025) province
    lat: float
    lon: float
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class _Alias:
    place: str
    written: str  # the alias without its marker
    marker: str  # "" | "=" | "^" | "~"
    accented: bool  # written with letters outside ASCII
    capitals: tuple[bool, ...]  # which words of the alias start with a capital


@dataclass(frozen=True)
class _Gazetteer:
    places: dict[str, Place]
    index: dict[tuple[str, ...], list[_Alias]]
    longest: int
    first_words: frozenset[str]  # first folded word of every alias: a quick "no" for most words


_WORD = re.compile(r"\w+")
# What may separate the words of one name: "Bà Rịa - Vũng Tàu", "Cam-pu-chia", "TP.HCM".
_SEPARATOR = re.compile(r"(?: ?[\-–] ?| |'|’|\. ?)")
# Place words before a name (folded), and English place words after one.
_PREFIXES = {
    ("tinh",),
    ("thanh", "pho"),
    ("tp",),
    ("huyen",),
    ("thi", "xa"),
    ("thi", "tran"),
    ("quan",),
    ("cua", "khau"),
    ("ck",),
    ("san", "bay"),
    ("cang",),
    ("thu", "do"),
    ("nuoc",),
    ("xu",),
    ("vung",),
}
_SUFFIXES = {
    ("province",),
    ("city",),
    ("district",),
    ("border",),
    ("airport",),
    ("international", "airport"),
    ("port",),
    ("town",),
}
# Words before a name that make it a person's name: titles and kinship terms, and family or
# middle names ("Nguyễn Thị Thái Bình").
_PERSON_BEFORE = frozenset(
    re.findall(r"\w+", "anh chị ông bà em cô chú bác cháu cụ bạn bé tên dì cậu mợ thím mr mrs ms")
)
_NAME_PARTS = frozenset(
    re.findall(
        r"\w+",
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Ngô Dương Lý Văn Thị Đinh Trịnh "
        "Lương Tạ Đào Đoàn Vương Trương Lâm Hữu Đức Công Kiều Quách Tô Chu Mạc Lưu",
    )
)
_FOLDED_NAME_PARTS = frozenset(fold(part) for part in _NAME_PARTS) - {"to", "chu", "le"}
_LINK = re.compile(
    r"(?:https?://|www\.)\S+|[\w.\-]+\.(?:com|net|org|vn|me|io|gov|edu)(?:/\S*)?|\S+@\S+",
    re.IGNORECASE,
)
_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")


def _strip_marker(alias: str) -> tuple[str, str]:
    if alias[:1] in ("=", "^", "~"):
        return alias[0], alias[1:].strip()
    return "", alias.strip()


def _capitals(written: str) -> tuple[bool, ...]:
    return tuple(w[0].isupper() for w in _WORD.findall(written))


def _parse_row(row: dict[str, str], where: str) -> Place:
    name = (row.get("name") or "").strip()
    kind = (row.get("kind") or "").strip()
    if not name:
        raise GazetteerError(f"{where}: column 'name' is empty")
    if kind not in KINDS:
        raise GazetteerError(f"{where}: column 'kind' is {kind!r}, expected one of {sorted(KINDS)}")
    country = (row.get("country") or "").strip()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise GazetteerError(f"{where}: column 'country' {country!r} is not ISO 3166-1 alpha-2")
    try:
        lat = float(row.get("lat") or "")
        lon = float(row.get("lon") or "")
    except ValueError:
        raise GazetteerError(f"{where}: columns 'lat'/'lon' must be numbers") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GazetteerError(f"{where}: coordinates {lat}, {lon} out of range")
    aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
    province = (row.get("province") or "").strip() or None
    return Place(name, kind, country, province, lat, lon, aliases)


@lru_cache(maxsize=4)
def load_gazetteer(path: Path = GAZETTEER_FILE) -> _Gazetteer:
    """Read and check the gazetteer; an error names the file, the line and the column."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            numbered = [
                (number, line)
                for number, line in enumerate(handle, start=1)
                if line.strip() and not line.lstrip().startswith("#")
            ]
    except OSError as error:
        raise GazetteerError(f"{path}: {error}") from None
    if not numbered or [c.strip() for c in numbered[0][1].strip().split(",")] != _COLUMNS:
        raise GazetteerError(f"{path}: the first row must be the header {','.join(_COLUMNS)}")
    places: dict[str, Place] = {}
    reader = csv.DictReader((line for _, line in numbered), fieldnames=_COLUMNS, strict=True)
    next(reader)
    for (number, _), row in zip(numbered[1:], reader, strict=True):
        where = f"{path}:{number}"
        if None in row or any(row.get(c) is None for c in _COLUMNS):
            raise GazetteerError(f"{where}: expected {len(_COLUMNS)} columns")
        place = _parse_row(row, where)
        if place.name in places:
            raise GazetteerError(f"{where}: {place.name!r} is listed twice")
        places[place.name] = place
    for place in places.values():
        if place.province is not None and place.province not in places:
            raise GazetteerError(
                f"{path}: {place.name!r} names unknown province {place.province!r}"
            )
    index: dict[tuple[str, ...], list[_Alias]] = {}
    for place in places.values():
        marked = {_strip_marker(a)[1] for a in place.aliases if _strip_marker(a)[0]}
        # The canonical name is an alias too, unless an alias marks how to read it ("~Hà Nam").
        own = () if place.name in marked else (place.name,)
        for alias in (*own, *place.aliases):
            marker, written = _strip_marker(alias)
            key = tuple(_WORD.findall(fold(written)))
            if not key:
                continue
            entry = _Alias(
                place.name,
                written,
                marker,
                bool(_NON_ASCII_LETTER.search(written)),
                _capitals(written),
            )
            index.setdefault(key, []).append(entry)
    longest = max(len(k) for k in index)
    return _Gazetteer(places, index, longest, frozenset(k[0] for k in index))


def place_info(name: str) -> Place | None:
    """The gazetteer entry of a canonical name (as returned by ``extract_locations``)."""
    return load_gazetteer().places.get(name)


def all_places() -> list[Place]:
    """Every place of the gazetteer, in file order."""
    return list(load_gazetteer().places.values())


def _marks(text: str) -> list[str]:
    """Diacritics of a text regardless of their placement ("Hoà" and "Hòa" agree)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    marks = [c for c in decomposed if unicodedata.combining(c)]
    return sorted(marks + ["đ"] * text.lower().count("đ"))


def _capitals_ok(words: list[str], capitals: tuple[bool, ...]) -> bool:
    if all(w.isupper() for w in words if w.isalpha()):
        return True  # headlines in capitals
    return all(w[0].isupper() for w, cap in zip(words, capitals, strict=False) if cap)


class _Scan:
    """One text being scanned: its words, folded words and helpers around a span."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        # Words inside links and e-mail addresses are not mentions ("facebook.com/ENV.Vietnam").
        hidden = [m.span() for m in _LINK.finditer(text)]
        starts = [s for s, _ in hidden]
        self.words: list[tuple[int, int]] = []
        for m in _WORD.finditer(text):
            k = bisect_right(starts, m.start()) - 1
            if k < 0 or m.start() >= hidden[k][1]:
                self.words.append(m.span())
        self.folded_words = [self.folded[s:e] for s, e in self.words]

    def word(self, i: int) -> str:
        s, e = self.words[i]
        return self.text[s:e]

    def folded_word(self, i: int) -> str:
        return self.folded_words[i]

    def joined(self, i: int, n: int, *, strict: bool = False) -> bool:
        """Whether words i..i+n-1 are written as one name (only name separators between;
        ``strict``: only single spaces, as inside a person's name)."""
        for k in range(i, i + n - 1):
            gap = self.text[self.words[k][1] : self.words[k + 1][0]]
            if strict and gap != " ":
                return False
            if not _SEPARATOR.fullmatch(gap):
                return False
            if "." in gap and len(self.word(k)) > 3:
                return False  # a full stop ends a sentence; "TP.HCM" has a short prefix
        return True

    def has_prefix(self, i: int, n: int) -> bool:
        before = tuple(self.folded_word(k) for k in range(max(0, i - 2), i))
        after = tuple(self.folded_word(k) for k in range(i + n, min(len(self.words), i + n + 2)))
        return any(before[-len(p) :] == p for p in _PREFIXES if len(before) >= len(p)) or any(
            after[: len(s)] == s for s in _SUFFIXES
        )

    def accented_context(self, start: int, end: int) -> bool:
        window = self.text[max(0, start - 30) : end + 30]
        return len(_NON_ASCII_LETTER.findall(window)) >= 3

    def person_before(self, i: int) -> bool:
        if i == 0 or not self.joined(i - 1, 2, strict=True):
            return False
        previous = self.word(i - 1)
        if previous.lower() in _PERSON_BEFORE or previous in _NAME_PARTS:
            return True
        # "Nguyen Van Nam" typed without diacritics: a family or middle name before the match.
        return previous[:1].isupper() and fold(previous) in _FOLDED_NAME_PARTS


def _accept(scan: _Scan, alias: _Alias, i: int, n: int) -> bool:
    start, end = scan.words[i][0], scan.words[i + n - 1][1]
    span = scan.text[start:end]
    words = [scan.word(k) for k in range(i, i + n)]
    if alias.marker == "=":
        return re.sub(r"\s+", " ", span) == alias.written
    if alias.marker == "^" and not scan.has_prefix(i, n):
        return False
    if _NON_ASCII_LETTER.search(span):
        # Written with diacritics: they must be the alias's own, capitals included.
        if not alias.accented or _marks(span) != _marks(alias.written):
            return False
        if not _capitals_ok(words, alias.capitals):
            return False
    elif alias.accented:
        # The alias typed without its diacritics: only in text typed that way.
        if scan.accented_context(start, end):
            return False
        strict = alias.marker == "~" or n == 1
        if strict and not (_capitals_ok(words, alias.capitals) or scan.has_prefix(i, n)):
            return False
    elif not _capitals_ok(words, alias.capitals) and (n == 1 or scan.accented_context(start, end)):
        # English and other plain names keep their capitals ("China", not "china"); several
        # words typed in lower case in an unaccented ad ("tp hcm", "nghe an") are still names.
        return False
    if scan.person_before(i):
        return False
    if n == 1 and alias.accented and i + 1 < len(scan.words) and scan.joined(i, 2, strict=True):
        nxt = scan.word(i + 1)
        if nxt[:1].isupper() and not nxt.isupper():
            return False  # "Mỹ Tho", "Lào Cai" is its own entry: one word of a longer name
    return True


def extract_locations(text: str) -> list[str]:
    """Canonical names of the places named in ``text``, in order of first mention."""
    gazetteer = load_gazetteer()
    scan = _Scan(text)
    found: list[str] = []
    i = 0
    folded = scan.folded_words
    while i < len(scan.words):
        matched = 0
        if folded[i] not in gazetteer.first_words:
            i += 1
            continue
        for n in range(min(gazetteer.longest, len(scan.words) - i), 0, -1):
            key = tuple(folded[i : i + n])
            entries = gazetteer.index.get(key)
            if not entries or (n > 1 and not scan.joined(i, n)):
                continue
            for alias in entries:
                if _accept(scan, alias, i, n):
                    if alias.place not in found:
                        found.append(alias.place)
                    matched = n
                    break
            if matched:
                break
        i += matched or 1
    return found
