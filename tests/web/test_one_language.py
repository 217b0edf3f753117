"""Every page speaks the UI language: walked in Vietnamese, no English label, message, error
or place name shows; walked in English, no Vietnamese label does (issue 13 item 6).

Two checks over the text a reader sees (text nodes, placeholders, titles, labels, button
values), outside the parts that quote the crawled items themselves (titles, snippets, text,
source names, ids, URLs): no message of the other language's catalogue appears, and in
Vietnamese no run of English words does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from web.i18n import UI_LANGUAGES, catalogue

# Elements whose text is the crawled data, shown as found (an English article stays English).
DATA_SELECTORS = (
    ".hit-title",
    ".snippet",
    ".extracted",
    ".source",
    ".duplicates",
    "code",
    ".break",
    ".fieldlist dd:not(:has(.tag))",
    ".langswitch",  # each language's name in its own language
    "option[lang]",
    "select[name=email_lang] option",
    ".brand",
    "article.item > h1",
    "title",
    "iframe",
    ".endpoint [lang=en]",  # the OpenAPI schema's own English texts, marked as such
    ".openapi-about [lang=en]",
)
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "value")
# Words that are the same in both UI languages (names, codes, units).
SHARED = {
    "wildwatch", "api", "json", "csv", "vnd", "url", "http", "sha", "kg", "zalo", "facebook",
    "telegram", "email", "e", "mail", "iso", "q1", "q3", "openapi", "b", "dd", "mm", "yyyy",
    "rss", "smtp", "id", "ok",
}  # fmt: skip
ENGLISH_WORDS = re.compile(
    r"\b(the|of|and|to|is|are|not|no|per|items?|search|results?|prices?|save|filters?|"
    r"from|page|found|date|place|source|language|species|trends|alerts?|error|invalid|"
    r"expected|with|without|week|day|all|any|show|hide|back|next|previous|login|logout|"
    r"sent|pending|failed|never|none|other|total|median|count|relevance|published)\b",
    re.IGNORECASE,
)
# A compact amount written the English way ("1.5M", "800k", "2B"): Vietnamese writes "1,5 tr".
ENGLISH_MAGNITUDE = re.compile(r"\d[kMB]\b")


def _pages(ids: dict[str, str]) -> Iterator[tuple[str, dict[str, str], int]]:
    """(path, query, expected status) of every page a reader can reach."""
    yield "/", {}, 200
    yield "/", {"q": "te te", "since": "01/03/2024", "until": "20/03/2024"}, 200
    yield "/", {"q": "tê tê", "location": "Quảng Ninh", "species": "pangolin"}, 200
    yield f"/items/{ids['pangolin']}", {}, 200
    yield f"/items/{ids['rhino_ad']}", {}, 200
    yield f"/items/{ids['english']}", {}, 200
    yield "/trends", {}, 200
    yield "/trends", {"range": "all", "interval": "day"}, 200
    yield "/coverage", {}, 200
    yield "/alerts", {}, 200
    yield "/login", {}, 200
    yield "/api/docs", {}, 200
    # errors a reader runs into
    yield "/", {"q": "tê tê AND"}, 400
    yield "/", {"q": "(tê tê"}, 400
    yield "/", {"since": "32/01/2024"}, 400
    yield "/", {"since": "20/03/2024", "until": "01/03/2024"}, 400
    yield "/", {"species": "unicorn"}, 400
    yield "/", {"page": "0"}, 400
    yield "/", {"sort": "oldest"}, 400
    yield "/trends", {"interval": "month"}, 400
    yield "/items/0000000000000000dead", {}, 404
    yield "/no-such-page", {}, 404


def visible_texts(html: str) -> list[tuple[str, bool]]:
    """The UI text of a page (text nodes and reader-facing attributes, data parts removed),
    each with whether it quotes the item (a price as written, a place: checked against the
    catalogue only)."""
    soup = BeautifulSoup(html, "html.parser")
    # attributes may quote the data too ("Select this item: <its title>")
    quoted_data = set()
    for selector in DATA_SELECTORS:
        for element in soup.select(selector):
            quoted_data.add(" ".join(element.get_text().split()))
            element.decompose()
    quoted_data.discard("")
    for hidden in soup.select("input[type=hidden], script, style"):
        hidden.decompose()
    texts = []
    for node in soup.find_all(string=True):
        if _without_data(node, quoted_data).strip(" :"):
            quoted = (
                node.find_parent(class_=["price", "place", "quantity", "facet-label", "chip"])
                is not None
            )
            texts.append((_without_data(node, quoted_data).strip(), quoted))
    for element in soup.find_all(True):
        assert isinstance(element, Tag)
        for name in ATTRIBUTES:
            # a <button>'s value is sent, not shown; an input's is shown as its label
            if name == "value" and (
                element.name != "input" or element.get("type") not in ("submit", "button")
            ):
                continue
            value = element.get(name)
            if isinstance(value, str):
                value = _without_data(value, quoted_data)
            if isinstance(value, str) and value.strip(" :"):
                texts.append((value.strip(), False))
    return texts


def _without_data(text: str, quoted_data: set[str]) -> str:
    text = " ".join(text.split())
    for data in quoted_data:
        text = text.replace(data, " ")
    return text


def other_language_messages(lang: str) -> list[re.Pattern[str]]:
    """The catalogue's texts in the other UI language (up to their first placeholder) that
    this language writes differently and never uses itself ("Khmer" is in "tiếng Khmer")."""
    other = next(code for code in UI_LANGUAGES if code != lang)
    entries = [entry for group in catalogue().values() for entry in group.values()]
    own = [entry[lang] for entry in entries]
    found = []
    for entry in entries:
        text = entry[other].split("{")[0].strip(" :·,.(“")
        if len(text) < 5 or any(text in mine for mine in own):
            continue
        found.append(re.compile(rf"(?<!\w){re.escape(text)}(?!\w)"))
    return found


# What a reader types, quoted as typed: `wildwatch alerts`, “and”, and the ids a filter
# accepts, each followed by its label ("tiger (hổ)").
_AS_TYPED = re.compile(r"`[^`]*`|“[^”]*”|\b[a-z_]+(?= \()")


def _english_run(text: str) -> bool:
    text = _AS_TYPED.sub(" ", text)
    # NOT, AND, OR are the query syntax, the same in both languages
    words = [
        w for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in SHARED and not w.isupper()
    ]
    return bool(words) and ENGLISH_WORDS.search(" ".join(words)) is not None


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_every_page_speaks_only_the_ui_language(
    client: TestClient, ids: dict[str, str], lang: str
) -> None:
    foreign = other_language_messages(lang)
    problems = []
    for path, query, status in _pages(ids):
        response = client.get(path, params={**query, "ui": lang})
        assert response.status_code == status, (path, query, response.text[:300])
        for text, quoted in visible_texts(response.text):
            text = _AS_TYPED.sub(" ", text) if not quoted else text
            hits = [message.pattern for message in foreign if message.search(text)]
            if hits:
                problems.append(f"{path} {query}: {text!r} has {hits[0]!r}")
            elif lang == "vi" and not quoted and _english_run(text):
                problems.append(f"{path} {query}: {text!r} reads as English")
            elif lang == "vi" and not quoted and ENGLISH_MAGNITUDE.search(text):
                problems.append(f"{path} {query}: {text!r} abbreviates a number in English")
    assert not problems, "\n".join(problems)
