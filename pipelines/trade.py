"""Trade signal: does a text report or advertise wildlife trade, and how relevant is it (0..1)?

Reads normalised text, the species and enforcement mentions already found, and the cue lists of
``pipelines/vocab/trade.toml``; writes ``(wildlife_trade, relevance)``.

Decision (docs/analysis.md "Trade signal and relevance"):
* no species and no generic wildlife word ("động vật hoang dã", "wildlife") → not trade;
* a strong cue — trafficking/smuggling/poaching/illegal possession, or an enforcement action —
  → trade, even in a rescue story (animals rescued after a seizure were traded), except a stray
  animal caught in a house or a net ("bắt giữ con rắn bò vào nhà dân"); a legal farm,
  zoo or snakebite story only escapes when its own cues outnumber the trafficking cues and no
  enforcement action is reported;
* otherwise sale cues (price, weight, product, "bán", "ib zalo", restaurant) with a species →
  trade when they outnumber the rescue, zoo, farm and snakebite cues;
* a law explainer ("có thể bị phạt tiền từ … đến …", "punishable by") with no price, no goods
  counted or weighed and no seizure, arrest or trial is not trade, whatever trafficking it
  names.
Relevance blends the strength of the species evidence (a product such as "cao hổ" weighs more
than the animal's name), the strength of the trade evidence and their proximity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipelines.enforcement import ActionMention
from pipelines.species import SpeciesMention
from pipelines.vocab_loader import (
    Match,
    TermMatcher,
    accent_dependent_terms,
    load_vocab,
    string_list,
    typed_without_accents,
)

VOCAB_FILE = "trade.toml"
CATEGORIES = (
    "wildlife",
    "trafficking",
    "sale",
    "rescue",
    "stray",
    "zoo",
    "farm",
    "bite",
    "law",
    "finance",
)
IGNORE = "ignore"  # phrases that contain a cue word but are no cue (key "" in the matcher)
NEGATIVE = ("rescue", "stray", "zoo", "farm", "bite", "finance")
_LANG_KEYS = ("vi", "en", "zh", "th", "ms", "km", "lo", "my")
PROXIMITY_CHARS = 200  # a cue this close to a species word is about that animal


@dataclass(frozen=True)
class TradeVocabulary:
    vietnamese: TermMatcher
    regional: TermMatcher
    accent_dependent: frozenset[str]


def _build(data: dict[str, Any], source: str) -> TradeVocabulary:
    entries: list[tuple[str, str]] = []
    plain: list[tuple[str, str]] = []
    accent_dependent: set[str] = set()
    for category in (*CATEGORIES, IGNORE):
        table = data.get(category, {})
        where = f"{source} [{category}]"
        key = "" if category == IGNORE else category
        for lang in _LANG_KEYS:
            terms = string_list(table, lang, where)
            entries += [(t, key) for t in terms]
            if lang == "vi":
                accent_dependent |= accent_dependent_terms(terms)
        plain += [(t, key) for t in string_list(table, "plain", where)]
    return TradeVocabulary(
        vietnamese=TermMatcher(entries, plain=plain),
        regional=TermMatcher(entries),
        accent_dependent=frozenset(accent_dependent),
    )


@lru_cache(maxsize=1)
def trade_vocabulary() -> TradeVocabulary:
    return _build(load_vocab(VOCAB_FILE), VOCAB_FILE)


def find_cues(text: str, *, vietnamese: bool = True) -> list[Match]:
    """Trade, wildlife and counter-cues in text order (key = category)."""
    vocab = trade_vocabulary()
    matcher = vocab.vietnamese if vietnamese else vocab.regional
    return [
        m
        for m in matcher.find(text, use_folded=vietnamese)
        if m.key
        and not (
            vietnamese
            and m.term in vocab.accent_dependent
            and typed_without_accents(text, m.start, m.end)
        )
    ]


def _near(positions: list[int], targets: list[int]) -> bool:
    return any(abs(p - t) <= PROXIMITY_CHARS for p in positions for t in targets)


def animal_captures(actions: list[ActionMention], cues: list[Match]) -> list[ActionMention]:
    """``actions`` without those that only report catching a stray animal: in "a cobra crawled
    into a house, rangers caught it and released it", "bắt giữ" takes the snake, not a person
    or goods, when nothing in the text speaks of trafficking or sale."""
    keys = {cue.key for cue in cues}
    if "stray" not in keys or keys & {"trafficking", "sale"}:
        return actions
    return [a for a in actions if a.action not in ("seizure", "arrest")]


def assess_trade(
    species: list[SpeciesMention],
    actions: list[ActionMention],
    cues: list[Match],
    price_positions: Sequence[int] = (),
    counted_goods: int = 0,
    advert: bool = False,
) -> tuple[bool, float]:
    """``(wildlife_trade, relevance)`` from the mentions found in one text. ``price_positions``
    are the offsets of prices and traded weights ("45tr/kg", "$1.4 million", "700 kg"); each
    counts as a sale cue, and so does each traded product named ("cao hổ", "tiger bone wine").
    ``counted_goods``: how many counts of animals or pieces the text gives ("72 casques"); a
    text with goods is a case, not a law explainer. ``advert``: the text gives a seller's phone,
    Zalo or other contact; "con giống" in an advert sells breeding stock, it is no farm story."""
    count = {category: 0 for category in CATEGORIES}
    for cue in cues:
        count[cue.key] += 1
    count["sale"] += len(price_positions) + sum(1 for m in species if m.product)
    if not species and not count["wildlife"]:
        strong = count["trafficking"] + len(actions)
        return False, round(min(0.2, 0.05 * strong), 3)
    negative = sum(count[c] for c in NEGATIVE)
    strong = count["trafficking"] > 0 or bool(actions)
    # Two law cues make an explainer: an "arrest" read there is a verb of the statute ("săn
    # bắt" hunting), not a case; a seizure or a trial still is one.
    case_actions = ("seizure", "trial") if count["law"] >= 2 else ("seizure", "arrest", "trial")
    events = [a for a in actions if a.action in case_actions]
    if count["law"] and not price_positions and not counted_goods and not events:
        # A law explainer: the punishments it lists ("có thể bị phạt tiền từ … đến …") are not
        # a case, and the trafficking words it names are what the law forbids.
        return False, round(min(0.3, 0.05 * (count["trafficking"] + len(actions))), 3)
    court = [a for a in actions if a.action != "seizure"]
    if actions and count["stray"] and not court and not count["trafficking"]:
        trade = count["sale"] > negative  # a stray animal caught, not goods seized
    elif actions:
        trade = True
    elif count["trafficking"]:
        trade = count["trafficking"] >= count["farm"] + count["zoo"] + count["bite"]
    else:
        # An ad outweighs a stray "survey" or "du khách"; a farm or zoo story has many cues.
        # A farm story quotes prices too ("ba ba thương phẩm 450.000 đồng/kg"): with no
        # trafficking cue and no enforcement, legal farming is not trade however it sells.
        trade = bool(species) and count["sale"] > negative and (count["farm"] < 2 or advert)
    # Relevance: species evidence x trade evidence, with proximity.
    if species:
        species_strength = 0.8 if any(m.product for m in species) else 0.6
        species_strength += min(0.2, 0.04 * (len(species) - 1))
    else:
        species_strength = 0.4  # generic "wildlife" words only
    trade_positions = [c.start for c in cues if c.key in ("trafficking", "sale")]
    trade_positions += [a.start for a in actions] + list(price_positions)
    trade_strength = 1.0 if strong else (0.7 if count["sale"] else 0.0)
    species_positions = [m.start for m in species] or [c.start for c in cues if c.key == "wildlife"]
    proximity = 1.0 if _near(trade_positions, species_positions) else 0.6
    relevance = species_strength * (0.35 + 0.65 * trade_strength * proximity)
    # Trade texts rank above 0.5, the rest below, so a threshold of 0.5 = the flag.
    damped = relevance * (0.4 if negative else 1.0)
    relevance = max(relevance, 0.5) if trade else min(damped, 0.49)
    return trade, round(min(relevance, 1.0), 3)
