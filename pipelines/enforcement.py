"""Enforcement actions a text reports: seizure, arrest, prosecution, trial, sentence.

Reads normalised text and ``pipelines/vocab/enforcement.toml``; writes action mentions (action,
span) and the list of actions in case order. A term only counts when the text reports the
action as done: cues such as "có thể bị", "khung hình phạt", "can face up to" earlier in the
same sentence, or a legal range after it ("phạt tù đến 15 năm"), make it a possibility.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipelines.vocab_loader import (
    Match,
    TermMatcher,
    VocabError,
    load_vocab,
    lower_same_length,
    string_list,
)

ACTIONS = ("seizure", "arrest", "prosecution", "trial", "sentence")
VOCAB_FILE = "enforcement.toml"
_LANG_KEYS = ("vi", "en", "zh", "th", "ms", "km", "lo", "my")
# A full stop ends a sentence only before a space, and not after an initial: news writes
# suspects and shops as "Nguyễn Văn T." or "nhà hàng H.T.", places as "TP.HCM", money as
# "1.200.000", and none of these may cut a sentence in two.
_SENTENCE_END = re.compile(r"\.(?=\s|$)(?<!\b[A-ZĐ]\.)|[!?;\n。]|\s[-–]\s")
# A range the law sets after a penalty word: "tù từ 5 năm đến 10 năm", "phạt tiền từ 1.000.000
# đồng đến 5.000.000 đồng", "bị phạt từ 5 triệu – 400 triệu đồng".
_LAW_RANGE = re.compile(
    r"\s*(?:tù\s+|tiền\s+|tu\s+|tien\s+)?"
    r"(?:(?:từ|tu)\s+[\d.,]+\s*(?:tháng|thang|năm|nam|triệu|trieu|tỷ|ty|nghìn|ngàn)?"
    r"\s*(?:đồng|dong)?\s*)?(?:đến|den|tới|toi|–|-)\s*\d",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\d[\d.,]*\s*(?:kg|tấn|tạ|t\b|g\b|cá thể|con|chiếc|khúc|m3|bao|thùng"
    r"|sừng|túi|kiện|bộ|lọ"
    r"|kilo(?:gram)?s?\b|tonnes?\b|tons?\b|pieces\b|tusks\b|horns\b|boxes\b|bags\b|sacks\b"
    # "20 elephant tusks", "150 live pangolins", "50 rhino horn pieces": two words may stand
    # between
    r"|(?:[a-z]+\s+){0,2}(?:tusks|horns|scales|skins|carcasses|pangolins|turtles|tortoises|birds"
    r"|animals|cubs|pieces)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ActionMention:
    action: str
    start: int
    end: int


@dataclass(frozen=True)
class ObjectRule:
    default: str
    person: str
    goods: str
    window: int


@dataclass(frozen=True)
class EnforcementVocabulary:
    actions: TermMatcher
    object_rules: dict[str, ObjectRule]
    persons: TermMatcher
    goods: TermMatcher
    discovery_terms: frozenset[str]
    agencies: TermMatcher
    discovery_window: int
    discovery_not_objects: tuple[str, ...]
    hypothetical: TermMatcher
    penalty_only: frozenset[str]
    range_terms: frozenset[str]
    window: int
    handovers: frozenset[str] = frozenset()
    releases: TermMatcher | None = None


def _action(value: Any, where: str) -> str:
    if value not in ("", *ACTIONS):
        raise VocabError(f'{where}: {value!r} is not one of {", ".join(ACTIONS)} or ""')
    return str(value)


def _build(data: dict[str, Any], source: str) -> EnforcementVocabulary:
    actions = data.get("actions", {})
    entries: list[tuple[str, str]] = []
    for action, table in actions.items():
        where = f"{source} [actions.{action}]"
        _action(action, where)
        for lang in _LANG_KEYS:
            entries += [(t, action) for t in string_list(table, lang, where)]
    for lang in _LANG_KEYS:
        entries += [(t, "") for t in string_list(data.get("exclude", {}), lang, source)]
    rules: dict[str, ObjectRule] = {}
    for index, table in enumerate(data.get("object_rules", []), 1):
        where = f"{source} [[object_rules]] #{index}"
        rule = ObjectRule(
            default=_action(table.get("default", ""), f"{where} 'default'"),
            person=_action(table.get("person", ""), f"{where} 'person'"),
            goods=_action(table.get("goods", ""), f"{where} 'goods'"),
            window=int(table.get("window", 40)),
        )
        for term in string_list(table, "terms", where):
            rules[lower_same_length(term)] = rule
            entries.append((term, rule.default or "object"))
    objects = data.get("objects", {})
    discovery = data.get("discovery", {})
    hypothetical = data.get("hypothetical", {})
    handover = data.get("handover", {})
    cue_terms = [
        t
        for lang in _LANG_KEYS
        for t in string_list(hypothetical, lang, f"{source} [hypothetical]")
    ]
    discovery_terms = string_list(discovery, "terms", f"{source} [discovery]")
    entries += [(t, "discovery") for t in discovery_terms]
    return EnforcementVocabulary(
        actions=TermMatcher(entries),
        object_rules=rules,
        persons=TermMatcher([(t, "person") for t in string_list(objects, "person", source)]),
        goods=TermMatcher([(t, "goods") for t in string_list(objects, "goods", source)]),
        discovery_terms=frozenset(lower_same_length(t) for t in discovery_terms),
        agencies=TermMatcher([(t, "agency") for t in string_list(discovery, "agencies", source)]),
        discovery_window=int(discovery.get("window", 60)),
        discovery_not_objects=tuple(
            t.lower() for t in string_list(discovery, "not_objects", f"{source} [discovery]")
        ),
        # "what could be the largest haul": the longer phrase takes the cue's words and counts
        # for nothing
        hypothetical=TermMatcher(
            [(t, "cue") for t in cue_terms]
            + [(t, "") for t in string_list(hypothetical, "not_cues", f"{source} [hypothetical]")]
        ),
        penalty_only=frozenset(
            lower_same_length(t)
            for t in string_list(hypothetical, "penalty_only", f"{source} [hypothetical]")
        ),
        range_terms=frozenset(string_list(hypothetical, "range_terms", source)),
        window=int(hypothetical.get("window", 90)),
        handovers=frozenset(
            lower_same_length(t) for t in string_list(handover, "terms", f"{source} [handover]")
        ),
        releases=TermMatcher(
            [(t, "release") for t in string_list(handover, "release", f"{source} [handover]")]
        ),
    )


@lru_cache(maxsize=1)
def enforcement_vocabulary() -> EnforcementVocabulary:
    return _build(load_vocab(VOCAB_FILE), VOCAB_FILE)


def _sentence_start(text: str, position: int, window: int) -> int:
    start = max(0, position - window)
    last = start
    for m in _SENTENCE_END.finditer(text, start, position):
        last = m.end()
    return last


# How far from an arrest the goods taken with the person may be written (characters).
_WITH_GOODS = 250
# "bị tạm giữ", "được bàn giao", "bị công an bắt giữ"; Indonesian "diamankan".
_PASSIVE_BEFORE = re.compile(r"(?:\bbị|\bđược|\bbi|\bduoc)(?:\s+\S+){0,2}\s+$", re.IGNORECASE)
_PASSIVE_TERM = re.compile(r"(?:bị|bi|di)\S*", re.IGNORECASE)


# A name or initials with an age: "Suwarno (42)", "AH (42)", "Nguyễn Văn A (35 tuổi)".
_NAME_WITH_AGE = re.compile(r"\b[A-ZĐ][\w.]*(?:\s+[A-ZĐ][\w.]*){0,3}\s*\(\d{1,2}(?:\s*tuổi)?\)")


def _persons(after: str, vocab: EnforcementVocabulary) -> list[int]:
    return [m.start for m in vocab.persons.find(after)] + [
        m.start() for m in _NAME_WITH_AGE.finditer(after)
    ]


def _object_action(text: str, match: Match, rule: ObjectRule, vocab: EnforcementVocabulary) -> str:
    after = text[match.end : match.end + rule.window]
    person = _persons(after, vocab)
    goods = [m.start for m in vocab.goods.find(after)]
    quantity = _QUANTITY.search(after)
    if quantity:
        goods.append(quantity.start())
    first_person = min(person, default=None)
    first_goods = min(goods, default=None)
    if first_person is not None and (first_goods is None or first_person <= first_goods):
        return rule.person
    if first_goods is not None:
        return rule.goods
    # Passive voice puts the object first ("Lô hàng ... bị tạm giữ"): the nearest cue before,
    # in the same sentence ("... 172 kg vẩy tê tê. Tú bị bắt giữ" took a man, not the scales).
    # In the active voice the words before are the agency ("công an tạm giữ ..."): no cue.
    before_start = max(_sentence_start(text, match.start, rule.window), match.start - rule.window)
    before = text[before_start : match.start]
    if not (_PASSIVE_TERM.match(match.term) or _PASSIVE_BEFORE.search(before)):
        return rule.default
    last_person = max((m.end for m in vocab.persons.find(before)), default=-1)
    last_goods = max((m.end for m in vocab.goods.find(before)), default=-1)
    if last_person > last_goods:
        return rule.person
    if last_goods > last_person:
        return rule.goods
    return rule.default


# "bắt giữ cùng tang vật", "tạm giữ người và tang vật", "bắt giữ đối tượng cùng 3 cá thể tê
# tê": the verb took a person and the goods at once.
_WITH_GOODS_JOIN = re.compile(
    r"(?:\bcùng\b|\bcung\b|\bvà\b|\bva\b|kèm theo|cùng với|cùng toàn bộ|\bbeserta\b|\bbersama\b"
    r"|\bdan\b|\bwith\b|\band\b)",
    re.IGNORECASE,
)


def _person_and_goods(
    text: str, match: Match, rule: ObjectRule, vocab: EnforcementVocabulary
) -> bool:
    """Whether an object verb that takes people or goods took both: its person is the subject
    of a passive ("... thì bị công an bắt giữ cùng tang vật") or follows it, and the goods are
    joined to it by "cùng", "và", "with"."""
    if rule.person != "arrest" or rule.goods != "seizure":
        return False
    after = text[match.end : match.end + rule.window]
    goods = [m for m in vocab.goods.find(after)]
    quantity = _QUANTITY.search(after)
    goods_start = min(
        [m.start for m in goods] + ([quantity.start()] if quantity else []), default=None
    )
    if goods_start is None:
        return False
    join = _WITH_GOODS_JOIN.search(after, 0, goods_start)
    if join is None or goods_start - join.end() > 16:
        return False
    if _persons(after[: join.start()], vocab):
        return True
    # nothing but the join between the verb and the goods: the person is the sentence's subject
    return not after[: join.start()].strip(" ,")


def _is_discovery_seizure(text: str, match: Match, vocab: EnforcementVocabulary) -> bool:
    start = _sentence_start(text, match.start, 120)
    after = text[match.end : match.end + vocab.discovery_window]
    # The agency before the verb ("Hải quan phát hiện ...") or, in the passive, after it
    # ("... tusks were found by police").
    passive = bool(re.match(r"\s*by\b", after) and vocab.agencies.find(after))
    if not passive and not vocab.agencies.find(text[start : match.start]):
        return False
    found = after.lstrip(" :,").lower()
    if found.startswith(vocab.discovery_not_objects):
        return False
    if passive and _QUANTITY.search(text, start, match.start):
        return True  # "51 tusks were found by police"
    return bool(_QUANTITY.search(text, match.end, match.end + vocab.discovery_window))


def _released_handover(text: str, match: Match, vocab: EnforcementVocabulary) -> bool:
    """A citizen's hand-over of an animal that is then released or cared for (same sentence)."""
    if vocab.releases is None or lower_same_length(match.term) not in vocab.handovers:
        return False
    start = _sentence_start(text, match.start, 200)
    end = _SENTENCE_END.search(text, match.end)
    stop = end.start() if end else len(text)
    return bool(vocab.releases.find(text[start:stop]))


def _hypothetical(text: str, match: Match, vocab: EnforcementVocabulary, action: str = "") -> bool:
    start = _sentence_start(text, match.start, vocab.window)
    # The cue may share words with the term ("có thể bị" + "bị phạt"): it must start before.
    cues = [
        c
        for c in vocab.hypothetical.find(text[start : match.end])
        if c.key and start + c.start < match.start
    ]
    if action in ("seizure", "arrest"):
        # Talk of the penalty a suspect faces does not undo the goods taken or the arrest.
        cues = [c for c in cues if c.term not in vocab.penalty_only]
    if cues:
        return True
    return match.term in vocab.range_terms and bool(
        _LAW_RANGE.match(text, match.end, match.end + 40)
    )


def find_actions(
    text: str, *, vietnamese: bool = True, vocab: EnforcementVocabulary | None = None
) -> list[ActionMention]:
    """Actions the text reports as done, in text order."""
    vocab = vocab or enforcement_vocabulary()
    found = []
    for match in vocab.actions.find(text, use_folded=vietnamese):
        if not match.key:
            continue
        action = match.key
        if match.term in vocab.object_rules:
            rule = vocab.object_rules[match.term]
            if _person_and_goods(text, match, rule, vocab) and not _hypothetical(
                text, match, vocab, "arrest"
            ):
                found.append(ActionMention("arrest", match.start, match.end))
                found.append(ActionMention("seizure", match.start, match.end))
                continue
            action = _object_action(text, match, rule, vocab)
        elif action == "discovery":
            action = "seizure" if _is_discovery_seizure(text, match, vocab) else ""
        if action == "seizure" and _released_handover(text, match, vocab):
            continue
        if action in ACTIONS and not _hypothetical(text, match, vocab, action):
            found.append(ActionMention(action, match.start, match.end))
    return found + _goods_taken_with_arrest(text, found, vocab)


_EXHIBITS_AFTER = re.compile(
    r"[^.;\n]{0,30}?\b(?:và|cùng|cùng với|kèm theo|beserta|bersama|dan|with)\s+"
    r"(?:toàn bộ\s+|số\s+)?(tang vật|barang bukti|the exhibits|the evidence)",
    re.IGNORECASE,
)


def _goods_taken_with_arrest(
    text: str, found: list[ActionMention], vocab: EnforcementVocabulary
) -> list[ActionMention]:
    """A person arrested with the goods beside them: the goods were taken too, though no verb
    says so ("dừng xe ... có 149 cá thể tê tê ... Tú bị bắt giữ", "arrested after 51 tusks were
    found at his hut"). The seizure is placed on the quantity of goods. A quantity in an
    advert or a post ("tài khoản ... đăng bán 2 cá thể culi") was offered, not taken."""
    if any(m.action == "seizure" for m in found):
        return []
    for arrest in (m for m in found if m.action == "arrest"):
        exhibits = _EXHIBITS_AFTER.match(text, arrest.end)
        if exhibits:  # "tạm giữ người và tang vật", "menangkap pelaku beserta barang bukti"
            return [ActionMention("seizure", exhibits.start(1), exhibits.end(1))]
        start, end = max(0, arrest.start - _WITH_GOODS), arrest.end + _WITH_GOODS
        for quantity in _QUANTITY.finditer(text, start, end):
            before = text[max(0, quantity.start() - 80) : quantity.start()].lower()
            if not any(word in before for word in vocab.discovery_not_objects):
                return [ActionMention("seizure", quantity.start(), quantity.end())]
    return []


def action_list(mentions: list[ActionMention]) -> list[str]:
    """Distinct actions in the order a case goes through them."""
    present = {m.action for m in mentions}
    return [a for a in ACTIONS if a in present]
