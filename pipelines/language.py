"""Language identification for the languages wildwatch watches.

Reads normalised text and an optional language hint from the source; writes an ISO 639-1 code.
Order of the rules, cheapest and surest first:

1. Unicode scripts: Thai, Lao, Khmer, Burmese, Han (zh), kana (ja), Hangul (ko).
2. Vietnamese letters (ă â đ ê ô ơ ư and the tone marks) → vi.
3. Vietnamese typed without diacritics ("ban vay te te gia re"): nearly every word has the
   shape of a Vietnamese syllable and many are frequent Vietnamese syllables
   (pipelines/vocab/language.toml).
4. py3langid restricted to our languages and the European languages of reprinted wire stories
   (de, fr, es, pt); Malay vs Indonesian is then settled by words used in
   only one of them ("polis" / "polisi", "wang" / "uang").
A source's hint only decides when the text says too little (a few words) or py3langid is unsure.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pipelines.vocab_loader import VIETNAMESE_SYLLABLE, load_vocab, string_list

LANGUAGES = ("vi", "en", "th", "zh", "km", "lo", "my", "ms", "id")
# European languages of the wire stories the regional press reprints (AFP, dpa, EFE, Lusa): a
# German report of a Thai seizure is German, not English.
WIRE_LANGUAGES = ("de", "fr", "es", "pt")
_SCRIPTS = (
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("lo", re.compile(r"[\u0e80-\u0eff]")),
    ("km", re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")),
    ("my", re.compile(r"[\u1000-\u109f]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")),
)
_LETTER = re.compile(r"[^\W\d_]")
# Letters only Vietnamese uses among our Latin-script languages.
_VIETNAMESE_LETTER = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)
# Of those, the ones French, Spanish or Portuguese words never carry: one is enough.
_DISTINCTIVE_LETTER = re.compile(
    r"[ăđơưảãạằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏọồốổỗộờớởỡợủũụừứửữựỳỷỹỵ]", re.IGNORECASE
)
_WORD = re.compile(r"[a-z]+")
MIN_LETTERS_FOR_MODEL = 12  # below this a hint (if any) is more reliable than any model
MODEL_CONFIDENCE = 0.8


@lru_cache(maxsize=1)
def _word_lists() -> dict[str, frozenset[str]]:
    data: dict[str, Any] = load_vocab("language.toml")
    return {
        key: frozenset(string_list(data, key, f"language.toml '{key}'"))
        for key in ("vietnamese_plain", "neutral", "malay_only", "indonesian_only")
    }


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # Loaded once per process (~1 s); workers of `wildwatch analyze` each load their own.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([*LANGUAGES, *WIRE_LANGUAGES])
    return identifier


def script_language(text: str) -> str | None:
    """The language of a non-Latin script making up a good share of the letters."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return None
    best, best_count = None, 0
    for lang, pattern in _SCRIPTS:
        count = len(pattern.findall(text))
        if count > best_count:
            best, best_count = lang, count
    # Han characters are one per word, so a lower share already means Chinese text.
    share = 0.15 if best in ("zh", "ja", "ko") else 0.3
    return best if best_count >= share * letters else None


def looks_vietnamese(text: str) -> bool:
    """Accented Vietnamese, or Vietnamese typed without diacritics."""
    letters = _LETTER.findall(text)
    if not letters:
        return False
    accented = len(_VIETNAMESE_LETTER.findall(text))
    if accented >= max(2, 0.05 * len(letters)) or (
        accented and _DISTINCTIVE_LETTER.search(text) and accented >= 0.02 * len(letters)
    ):
        return True
    neutral = _word_lists()["neutral"]
    words = [w for w in _WORD.findall(text.lower()) if w not in neutral]
    if len(words) < 3:
        return False
    frequent = _word_lists()["vietnamese_plain"]
    shaped = sum(1 for w in words if w in frequent or VIETNAMESE_SYLLABLE.fullmatch(w))
    common = sum(1 for w in words if w in frequent)
    return shaped >= 0.85 * len(words) and common >= 0.3 * len(words)


def _malay_or_indonesian(text: str) -> str | None:
    words = set(_WORD.findall(text.lower()))
    lists = _word_lists()
    malay = len(words & lists["malay_only"])
    indonesian = len(words & lists["indonesian_only"])
    if malay > indonesian:
        return "ms"
    if indonesian > malay:
        return "id"
    return None


def detect_language(text: str, hint: str | None = None) -> str:
    """ISO 639-1 code of ``text``; ``hint`` (the source's language) breaks ties."""
    hint = hint.strip().lower()[:2] if hint else None
    script = script_language(text)
    if script:
        return script
    if looks_vietnamese(text):
        return "vi"
    letters = len(_LETTER.findall(text))
    if letters < MIN_LETTERS_FOR_MODEL:
        return hint or ("en" if letters else "und")
    lang, confidence = _identifier().classify(text)
    if lang in ("ms", "id"):
        lang = _malay_or_indonesian(text) or (hint if hint in ("ms", "id") else lang)
    elif lang == "vi":
        # Latin text our Vietnamese checks rejected: only a confident model overrules them.
        if confidence < 0.9:
            lang = hint if hint in LANGUAGES and hint != "vi" else "en"
    elif confidence < MODEL_CONFIDENCE and hint in LANGUAGES:
        lang = hint
    return str(lang)
