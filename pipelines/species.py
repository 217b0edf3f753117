"""Species tagging: which wildlife groups a text names.

Reads normalised text (``pipelines.normalize.normalize_text``) and the staff-edited vocabulary
``pipelines/vocab/species.toml``; writes mentions (group id, span, whether the word names a traded
product such as "cao hổ" or "vảy tê tê") and the sorted list of group ids.

False friends are handled in three ways, all data in species.toml: exclusion phrases that
silence the words inside them ("hổ phách", "gấu bông"), context rules that drop a match when
cue words are near ("cá mập" next to "cổ phiếu"), and the personal-name rule ("anh Hổ",
"Lê Thị Ngà").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipelines.normalize import fold
from pipelines.vocab_loader import (
    Match,
    TermMatcher,
    VocabError,
    accent_dependent_terms,
    is_unspaced_script,
    load_vocab,
    lower_same_length,
    string_list,
    typed_without_accents,
)

VOCAB_FILE = "species.toml"
_LANG_KEYS = ("vi", "en", "sci", "zh", "th", "ms", "km", "lo", "my")
_WORD_BEFORE = re.compile(r"([\w.]+(?: [\w.]+)?)\s+$")


@dataclass(frozen=True)
class SpeciesMention:
    group: str
    start: int
    end: int
    term: str
    product: bool


@dataclass(frozen=True)
class ContextRule:
    terms: frozenset[str]
    groups: frozenset[str]
    cues: TermMatcher
    window: int


@dataclass(frozen=True)
class SpeciesVocabulary:
    vietnamese: TermMatcher  # vi, en, sci and the unspaced scripts; folded forms on
    regional: TermMatcher  # the same plus Malay/Indonesian words, for non-Vietnamese texts
    products: frozenset[str]
    # Vietnamese one-syllable names written in plain ASCII ("voi", "chim"): in a passage typed
    # without diacritics they are other words ("với" = with), so they need accented neighbours.
    accent_dependent: frozenset[str]
    person_terms: frozenset[str]
    person_titles: tuple[str, ...]
    name_syllables: frozenset[str]
    context_rules: tuple[ContextRule, ...]
    groups: tuple[str, ...]


def _build(data: dict[str, Any], source: str) -> SpeciesVocabulary:
    groups = data.get("groups")
    if not isinstance(groups, dict) or not groups:
        raise VocabError(f"{source}: needs at least one [groups.<id>] table")
    entries: list[tuple[str, str]] = []
    plurals: list[tuple[str, str]] = []
    regional: list[tuple[str, str]] = []
    plain: list[tuple[str, str]] = []
    no_fold: list[str] = []
    products: set[str] = set()
    accent_dependent: set[str] = set()
    owner: dict[str, str] = {}  # term → group, to refuse a term listed under two groups
    for group, table in groups.items():
        where = f"{source} [groups.{group}]"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", group) or not isinstance(table, dict):
            raise VocabError(f"{where}: group ids are lower-case slugs holding a table")
        unknown = set(table) - {*_LANG_KEYS, "plain", "no_fold", "products"}
        if unknown:
            raise VocabError(f"{where}: unknown key(s) {sorted(unknown)}")
        names: set[str] = set()
        for lang in _LANG_KEYS:
            terms = string_list(table, lang, where)
            for term in terms:
                low = lower_same_length(term)
                if owner.setdefault(low, group) != group:
                    raise VocabError(
                        f"{where}: {term!r} is already a name of [groups.{owner[low]}]"
                    )
            names.update(lower_same_length(t) for t in terms)
            if lang == "en":
                plurals += [(t, group) for t in terms]
            elif lang == "ms":
                regional += [(t, group) for t in terms]
            else:
                entries += [(t, group) for t in terms]
            if lang == "vi":
                accent_dependent.update(accent_dependent_terms(terms))
        plain += [(t, group) for t in string_list(table, "plain", where)]
        no_fold += string_list(table, "no_fold", where)
        for product in string_list(table, "products", where):
            low = lower_same_length(product)
            if low not in names:
                raise VocabError(f"{where}: product {product!r} is not one of the group's names")
            products.add(low)
            if not is_unspaced_script(low):
                products.add(fold(low))
    exclude = data.get("exclude", {})
    for lang in ("vi", "en", "zh", "th", "ms", "km", "lo", "my"):
        terms = string_list(exclude, lang, f"{source} [exclude]")
        (regional if lang == "ms" else entries).extend((t, "") for t in terms)
    person = data.get("person_names", {})
    where = f"{source} [person_names]"
    return SpeciesVocabulary(
        vietnamese=TermMatcher(entries, plain=plain, no_fold=no_fold, plural_terms=plurals),
        regional=TermMatcher(entries + regional, plural_terms=plurals),
        products=frozenset(products),
        accent_dependent=frozenset(accent_dependent),
        person_terms=frozenset(lower_same_length(t) for t in string_list(person, "terms", where)),
        person_titles=tuple(t.lower() for t in string_list(person, "titles", where)),
        name_syllables=frozenset(string_list(person, "name_syllables", where)),
        context_rules=tuple(_context_rules(data.get("context", []), source)),
        groups=tuple(groups),
    )


def _context_rules(tables: Any, source: str) -> list[ContextRule]:
    if not isinstance(tables, list):
        raise VocabError(f"{source}: [[context]] must be an array of tables")
    rules = []
    for index, table in enumerate(tables, 1):
        where = f"{source} [[context]] #{index}"
        window = table.get("window", 100)
        if not isinstance(window, int) or window <= 0:
            raise VocabError(f"{where}: 'window' must be a positive whole number of characters")
        cues = string_list(table, "cues", where)
        if not cues:
            raise VocabError(f"{where}: 'cues' is empty")
        rules.append(
            ContextRule(
                terms=frozenset(lower_same_length(t) for t in string_list(table, "terms", where)),
                groups=frozenset(string_list(table, "groups", where)),
                cues=TermMatcher([(c, "cue") for c in cues]),
                window=window,
            )
        )
    return rules


@lru_cache(maxsize=1)
def species_vocabulary() -> SpeciesVocabulary:
    """The bundled vocabulary, parsed once per process."""
    return vocabulary_from(load_vocab(VOCAB_FILE), VOCAB_FILE)


def vocabulary_from(data: dict[str, Any], source: str = "<data>") -> SpeciesVocabulary:
    return _build(data, source)


def _is_person_name(text: str, match: Match, vocab: SpeciesVocabulary) -> bool:
    if match.term not in vocab.person_terms or not text[match.start].isupper():
        return False
    before = _WORD_BEFORE.search(text, max(0, match.start - 30), match.start)
    if before is None:
        return False
    words = before.group(1).split(" ")
    last = words[-1]
    return (
        last in vocab.name_syllables
        or last.lower() in vocab.person_titles
        or before.group(1).lower() in vocab.person_titles
    )


def find_species(
    text: str, *, vietnamese: bool = True, vocab: SpeciesVocabulary | None = None
) -> list[SpeciesMention]:
    """Species mentions in ``text`` (NFC). ``vietnamese`` turns on unaccented matching and
    keeps Malay words out (Malay "hiu" = shark is a Vietnamese syllable)."""
    vocab = vocab or species_vocabulary()
    matcher = vocab.vietnamese if vietnamese else vocab.regional
    matches = [m for m in matcher.find(text, use_folded=vietnamese) if m.key]
    if not matches:
        return []
    kept = []
    for match in matches:
        if match.term in vocab.accent_dependent and typed_without_accents(
            text, match.start, match.end
        ):
            continue
        if _is_person_name(text, match, vocab):
            continue
        kept.append(match)
    for rule in vocab.context_rules:
        targets = [m for m in kept if m.term in rule.terms or m.key in rule.groups]
        if not targets:
            continue
        cues = [c.start for c in rule.cues.find(text)]
        if not cues:
            continue
        near = {
            id(m)
            for m in targets
            if any(m.start - rule.window <= cue <= m.end + rule.window for cue in cues)
        }
        kept = [m for m in kept if id(m) not in near]
    return [SpeciesMention(m.key, m.start, m.end, m.term, m.term in vocab.products) for m in kept]


def species_groups(mentions: list[SpeciesMention]) -> list[str]:
    return sorted({m.group for m in mentions})
