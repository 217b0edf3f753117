"""What ties one article to an enforcement case, read from one indexed document (pure).

Reads a document (``search.document.Document``: title, text, species, enforcement, quantities,
locations, published_at, duplicate_of); writes ``ArticleFeatures``: the species, the goods
counted (normalised to kilograms or head counts), the places split into specific ones (border
gates, airports, seaports, districts, communes, cities, parks) and provinces and countries (via
``pipelines.places.place_info``), the people, companies, vessels and container numbers named,
the article's date and the enforcement steps it reports.

Names are found without a model: Vietnamese full names begin with a common family name and
have three or four capitalised syllables ("Nguyễn Văn Hiền"), written with or without
diacritics; other names are runs of two to four capitalised words near a word of the
enforcement vocabulary ("arrested", "sentenced", "suspect", "Mr"). Place names and agency
words ("Customs", "Police", "Court") never count as a name.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cases.steps import STEPS
from pipelines.normalize import fold
from pipelines.places import place_info

VOCAB_FILE = Path(__file__).with_name("vocab.toml")


def _load_vocab(path: Path) -> dict[str, frozenset[str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: {error}") from None
    lists: dict[str, frozenset[str]] = {}
    for key in ("vietnamese_family_names", "not_name_words"):
        lines = data.get(key)
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            raise ValueError(f"{path}: {key!r} must be a list of strings")
        words = {fold(word).lower() for line in lines for word in line.split()}
        words |= {word.lower() for line in lines for word in line.split()}
        lists[key] = frozenset(words)
    return lists


_VOCAB = _load_vocab(VOCAB_FILE)
_SPECIFIC_KINDS = frozenset(
    {"border_gate", "airport", "seaport", "district", "commune", "city", "park"}
)
VI_FAMILY = _VOCAB["vietnamese_family_names"]
_NOT_NAME_WORDS = _VOCAB["not_name_words"]
_TRIGGERS = re.compile(
    r"(?i)\b(arrest|detain|suspect|sentenc|convict|charg|jail|prison|extradit|accused|appeal|"
    r"acquit|freed|trial|court|caught|held|nabbed|wanted|fugitive|arraign|indict|plead|fined|"
    r"trafficker|smuggler|kingpin|businessman|businesswoman|mr|ms|mrs|named|identified|"
    r"defendant|courier|pleaded|guilty|owner|bị cáo|bị can|đối tượng|ông|bà|tạm giữ|"
    r"bắt giữ|bắt quả tang|khởi tố|tuyên phạt|tù)"
)
_CAP_WORD = r"[^\W\d_][\w'’-]*"
_WORD_SPAN = re.compile(r"[^\W\d_][\w'’.-]*")
_CONTAINER = re.compile(r"\b([A-Z]{4})[ -]?(\d{6,7})\b")
_COMPANY_VI = re.compile(
    r"(?i:công ty)(?: (?:TNHH|CP|cổ phần|trách nhiệm hữu hạn|MTV|một thành viên))*"
    rf" ((?:{_CAP_WORD}[ ]?){{1,5}})"
)
_COMPANY_EN = re.compile(
    rf"((?:{_CAP_WORD} ){{1,4}})(?:Co\.|Company|Limited|Ltd|Group|Corporation)\b"
)
_VESSEL = re.compile(rf"(?:\b(?:MV|M/V|F/N|F/V)|(?i:\btàu)) ((?:{_CAP_WORD} ?){{1,4}})")
_TRIGGER_WINDOW = 100
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_MASS_UNITS = {"kg": 1.0, "t": 1000.0, "g": 0.001}
_COUNT_UNITS = frozenset({"pieces", "individuals"})


@dataclass(frozen=True)
class ArticleFeatures:
    doc_id: str
    day: date | None
    species: frozenset[str]
    steps: frozenset[str]
    # goods counted: ("kg", value) or ("count", value); weights under 1 kg and counts under 3
    # say too little to tie two reports together
    quantities: frozenset[tuple[str, float]]
    specific_places: frozenset[str]
    provinces: frozenset[str]
    countries: frozenset[str]
    names: frozenset[str]  # lower case NFC, single spaces (diacritics kept when written)
    keys: frozenset[str]  # container numbers, companies, vessels (folded)
    duplicate_of: str | None = None
    source: str = ""
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def latest_step(self) -> str | None:
        ranked = [step for step in STEPS if step in self.steps]
        return ranked[-1] if ranked else None


def _folded(text: str) -> str:
    return " ".join(fold(unicodedata.normalize("NFC", text)).lower().split())


def article_day(doc: Mapping[str, Any]) -> date | None:
    """The article's date: published_at, else fetched_at; None when neither parses."""
    for key in ("published_at", "fetched_at"):
        raw = doc.get(key)
        if not raw:
            continue
        try:
            return datetime.fromisoformat(str(raw).replace("Z", "+00:00")).date()
        except ValueError:
            try:
                return date.fromisoformat(str(raw)[:10])
            except ValueError:
                continue
    return None


def normalised_quantities(quantities: Any) -> frozenset[tuple[str, float]]:
    found: set[tuple[str, float]] = set()
    for quantity in quantities or ():
        try:
            value, unit = float(quantity["value"]), str(quantity["unit"])
        except (KeyError, TypeError, ValueError):
            continue
        if unit in _MASS_UNITS:
            kg = value * _MASS_UNITS[unit]
            if kg >= 1:
                found.add(("kg", round(kg, 3)))
        elif unit in _COUNT_UNITS and value >= 3:
            found.add(("count", value))
    return frozenset(found)


def _places(locations: Any) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    specific: set[str] = set()
    provinces: set[str] = set()
    countries: set[str] = set()
    for name in locations or ():
        info = place_info(str(name))
        if info is None:
            specific.add(str(name))
            continue
        if info.kind in _SPECIFIC_KINDS:
            specific.add(info.name)
        if info.kind == "province":
            provinces.add(info.name)
        elif info.province:
            provinces.add(info.province)
        if info.kind == "country":
            countries.add(info.country or info.name)
        elif info.country:
            countries.add(info.country)
    return frozenset(specific), frozenset(provinces), frozenset(countries)


def _is_place(words: list[str]) -> bool:
    return place_info(" ".join(words)) is not None


def _clean_run(run: str) -> list[str]:
    """The words of a capitalised run with agency words and places trimmed from its ends."""
    words = run.split()
    while words and (_folded(words[0]) in _NOT_NAME_WORDS or words[0].lower() in _NOT_NAME_WORDS):
        words.pop(0)
    while words and (_folded(words[-1]) in _NOT_NAME_WORDS or words[-1].lower() in _NOT_NAME_WORDS):
        words.pop()
    if any(word.lower() in _NOT_NAME_WORDS for word in words):
        return []
    return words


def _letters(text: str) -> str:
    return "".join(char for char in _folded(text) if char.isalpha())


def capitalised_runs(text: str) -> list[tuple[int, str]]:
    """Runs of two to four words that each start with a capital letter, separated by single
    spaces (offset, run). Acronyms ("OR", "TNHH") and possessives end a run."""
    runs: list[tuple[int, str]] = []
    current: list[str] = []
    start = end = 0
    for match in _WORD_SPAN.finditer(text):
        word = match.group(0).rstrip(".")
        capital = word[:1].isupper() and not (len(word) > 1 and word.isupper())
        possessive = word.endswith(("'s", "’s"))
        joined = bool(current) and text[end : match.start()] in (" ", "\u00a0")
        if capital and not possessive and (joined or not current) and len(current) < 4:
            if not current:
                start = match.start()
            current.append(word)
        else:
            if len(current) >= 2:
                runs.append((start, " ".join(current)))
            current = [word] if capital and not possessive else []
            start = match.start()
        end = match.start() + len(match.group(0).rstrip("."))
        if match.group(0).endswith(".") and current:
            # a full stop ends the run ("... Ali. The court")
            if len(current) >= 2:
                runs.append((start, " ".join(current)))
            current = []
    if len(current) >= 2:
        runs.append((start, " ".join(current)))
    return runs


def _sentence_names(sentence: str, places: frozenset[str]) -> set[str]:
    names: set[str] = set()
    triggers = [match.start() for match in _TRIGGERS.finditer(sentence)]
    for start, run in capitalised_runs(sentence):
        words = _clean_run(run)
        letters = _letters(" ".join(words))
        if len(words) < 2 or _is_place(words) or any(letters in place for place in places):
            continue
        folded = [_folded(word) for word in words]
        vietnamese = folded[0] in VI_FAMILY and len(words) >= 3
        # Western order of a Vietnamese name ("Duc Manh Chu"): the family name comes last.
        western_vi = folded[-1] in VI_FAMILY and len(words) >= 3
        near = any(abs(position - start) <= _TRIGGER_WINDOW for position in triggers)
        if vietnamese or western_vi or near:
            names.add(" ".join(unicodedata.normalize("NFC", word).lower() for word in words))
    return names


def extract_names(text: str, places: frozenset[str] = frozenset()) -> frozenset[str]:
    """People named in ``text`` (lower case, diacritics as written): Vietnamese full names
    anywhere, other names of two to four capitalised words near an enforcement word.
    ``places``: letters-only folded forms of the places the text names (never names)."""
    names: set[str] = set()
    for sentence in _SENTENCE_END.split(text):
        names.update(_sentence_names(sentence, places))
    return frozenset(names)


def extract_keys(text: str) -> frozenset[str]:
    """Container numbers, companies and vessels named in ``text`` (folded)."""
    keys: set[str] = set()
    for match in _CONTAINER.finditer(text):
        keys.add(f"container {match.group(1).lower()}{match.group(2)}")
    for pattern, kind in ((_COMPANY_VI, "company"), (_COMPANY_EN, "company"), (_VESSEL, "vessel")):
        for match in pattern.finditer(text):
            words = []
            for word in match.group(1).split():
                if not word[:1].isupper():
                    break
                if _folded(word) not in _NOT_NAME_WORDS:
                    words.append(word)
            if len(words) >= 2 or (kind == "company" and len(words) == 1 and len(words[0]) > 4):
                keys.add(f"{kind} {' '.join(_folded(w) for w in words)}")
    return frozenset(keys)


def _place_letters(locations: Any) -> frozenset[str]:
    found: set[str] = set()
    for name in locations or ():
        info = place_info(str(name))
        for alias in (str(name), *(info.aliases if info else ())):
            found.add(_letters(alias))
    return frozenset(found)


def article_features(doc: Mapping[str, Any]) -> ArticleFeatures:
    """The features of one indexed document (see the module docstring)."""
    text = unicodedata.normalize("NFC", f"{doc.get('title') or ''}.\n{doc.get('text') or ''}")
    specific, provinces, countries = _places(doc.get("locations"))
    return ArticleFeatures(
        doc_id=str(doc["id"]),
        day=article_day(doc),
        species=frozenset(doc.get("species") or ()),
        steps=frozenset(step for step in doc.get("enforcement") or () if step in STEPS),
        quantities=normalised_quantities(doc.get("quantities")),
        specific_places=specific,
        provinces=provinces,
        countries=countries,
        names=extract_names(text, _place_letters(doc.get("locations"))),
        keys=extract_keys(text),
        duplicate_of=doc.get("duplicate_of"),
        source=str(doc.get("source") or ""),
        title=str(doc.get("title") or ""),
    )
