"""Removal of page furniture around and inside an article body.

Reads a parsed page and the vocabulary in ``boilerplate.toml`` (body containers of known CMSs,
class-name words of boxes, box headings such as "Tin liên quan", furniture paragraphs); writes
the same tree with those boxes removed, and filters paragraphs. Nothing that holds the article
title or the chosen body container is ever removed, so a whole-page ``<form>`` (ASP.NET) or a
``<div class="sidebar-layout">`` wrapper cannot swallow the story.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

from crawlers.extract.tree import drop, element_text

VOCABULARY_FILE = Path(__file__).with_name("boilerplate.toml")
_CLASS_SPLIT = re.compile(r"[\s_-]+")


@dataclass(frozen=True)
class Vocabulary:
    body_selectors: tuple[tuple[str, CSSSelector], ...]
    lead_selectors: tuple[CSSSelector, ...]
    min_chars: int
    class_words: frozenset[str]
    class_substrings: tuple[str, ...]
    tags: tuple[str, ...]
    headings: frozenset[str]
    drop_lines: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The vocabulary file, checked: a bad selector or regex names the file and the entry."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        selectors = tuple((css, CSSSelector(css)) for css in data["containers"]["body"])
        leads = tuple(CSSSelector(css) for css in data["containers"]["lead"])
    except Exception as error:  # cssselect raises several unrelated types
        raise ValueError(f"{path}: [containers]: bad CSS selector: {error}") from None
    patterns = []
    for raw in data["lines"]["drop"]:
        try:
            patterns.append(re.compile(raw, re.IGNORECASE))
        except re.error as error:
            raise ValueError(f"{path}: [lines] drop: {raw!r}: {error}") from None
    blocks = data["blocks"]
    return Vocabulary(
        body_selectors=selectors,
        lead_selectors=leads,
        min_chars=int(data["containers"]["min_chars"]),
        class_words=frozenset(word.replace("-", "") for word in blocks["class_words"]),
        class_substrings=tuple(blocks["class_substrings"]),
        tags=tuple(blocks["tags"]),
        headings=frozenset(data["headings"]["boxes"]),
        drop_lines=tuple(patterns),
    )


def find_body_container(
    tree: lxml_html.HtmlElement, vocabulary: Vocabulary
) -> lxml_html.HtmlElement | None:
    """The first known CMS body container holding at least ``min_chars`` of text."""
    for _css, selector in vocabulary.body_selectors:
        for element in selector(tree):
            if len(element_text(element)) >= vocabulary.min_chars:
                return element
    return None


def remove_boilerplate(
    tree: lxml_html.HtmlElement,
    vocabulary: Vocabulary,
    protected: list[lxml_html.HtmlElement],
) -> None:
    """Drop furniture boxes in place. ``protected`` elements (the title, the body container)
    and their ancestors stay."""
    keep: set[lxml_html.HtmlElement] = set()
    for element in protected:
        keep.update(element.iterancestors())
        keep.add(element)
    doomed = [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and element not in keep
        and (element.tag in vocabulary.tags or _furniture_class(element, vocabulary))
    ]
    for element in doomed:
        drop(element)
    for heading in _box_headings(tree, vocabulary):
        _drop_box(heading, keep)


def _furniture_class(element: lxml_html.HtmlElement, vocabulary: Vocabulary) -> bool:
    marker = f"{element.get('class', '')} {element.get('id', '')}".strip().lower()
    if not marker or element.tag in ("html", "body", "main"):
        return False
    if any(part in vocabulary.class_words for part in _CLASS_SPLIT.split(marker)):
        return True
    return any(fragment in marker for fragment in vocabulary.class_substrings)


def _box_headings(
    tree: lxml_html.HtmlElement, vocabulary: Vocabulary
) -> list[lxml_html.HtmlElement]:
    found = []
    for element in tree.iter("h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b"):
        text = element_text(element).rstrip(":»> ").strip().lower()
        if text in vocabulary.headings:
            found.append(element)
    return found


def _drop_box(heading: lxml_html.HtmlElement, keep: set[lxml_html.HtmlElement]) -> None:
    if heading.getparent() is None:  # already inside a removed box
        return
    box = heading
    # Climb while the box is only the heading plus links (a "Tin liên quan" list).
    while True:
        parent = box.getparent()
        if parent is None or parent in keep or parent.tag in ("body", "html", "article"):
            break
        if _link_ratio(parent, exclude=heading) < 0.6:
            break
        box = parent
    if box is heading:
        following = heading.getnext()
        if following is not None and following not in keep and _link_ratio(following) >= 0.6:
            drop(following)
    if box not in keep:
        drop(box)


def _link_ratio(
    element: lxml_html.HtmlElement, exclude: lxml_html.HtmlElement | None = None
) -> float:
    text = len(element_text(element)) - (len(element_text(exclude)) if exclude is not None else 0)
    if text <= 0:
        return 1.0
    links = sum(len(element_text(link)) for link in element.iter("a"))
    return min(1.0, links / text)


def is_furniture_line(paragraph: str, vocabulary: Vocabulary) -> bool:
    stripped = paragraph.strip()
    if stripped.rstrip(":»> ").strip().lower() in vocabulary.headings:
        return True
    return any(pattern.search(stripped) for pattern in vocabulary.drop_lines)
