"""News articles: the main text and metadata of one page.

Reads the decoded HTML of a page and its URL; writes an ``Article`` (title, main text with
paragraphs separated by blank lines, dates, author, language, canonical URL, description,
section) or None when the page carries no article body (listings, empty or error pages).

How the text is found, in order:
1. the body container of a known Vietnamese / regional CMS (``boilerplate.toml``), with the
   lead paragraph printed above it;
2. trafilatura on the page once furniture boxes are removed;
3. the JSON-LD ``articleBody`` (pages that render their body with JavaScript).
Furniture paragraphs (credits-only captions, "Xem thêm: ...", share prompts) are filtered from
whichever text won.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import trafilatura
from lxml import html as lxml_html

from crawlers.extract.boilerplate import (
    Vocabulary,
    find_body_container,
    is_furniture_line,
    load_vocabulary,
    remove_boilerplate,
)
from crawlers.extract.jsonld import jsonld_objects, text_value, types_of
from crawlers.extract.metadata import (
    article_object,
    page_author,
    page_canonical,
    page_dates,
    page_description,
    page_lang,
    page_section,
    page_title,
)
from crawlers.extract.tree import (
    block_paragraphs,
    clean_space,
    drop,
    element_text,
    parse_html,
    remove_invisible,
)

# Below this many characters a page is a stub, an error page or a photo page.
MIN_TEXT_CHARS = 200
# When more of the text than this is link text, the page is a listing of other pages.
MAX_LINK_TEXT_SHARE = 0.5


@dataclass
class Article:
    title: str | None
    text: str
    published_at: datetime | None
    modified_at: datetime | None
    author: str | None
    lang: str | None
    canonical_url: str
    description: str | None
    section: str | None


def extract_article(html: str, url: str) -> Article | None:
    """The article of a page, or None when the page has no article body."""
    tree = parse_html(html)
    objects = jsonld_objects(tree)
    article_ld = article_object(objects) or {}
    published, modified = page_dates(tree, objects)
    title = page_title(tree, article_ld)
    article = Article(
        title=title,
        text="",
        published_at=published,
        modified_at=modified,
        author=page_author(tree, article_ld),
        lang=page_lang(tree),
        canonical_url=page_canonical(tree, url),
        description=page_description(tree, article_ld),
        section=page_section(tree, article_ld, objects),
    )
    link_texts = _link_texts(tree)
    paragraphs, signature = main_paragraphs(tree, load_vocabulary())
    article.author = article.author or signature
    if not paragraphs:
        paragraphs = _jsonld_body(article_ld)
    paragraphs = _without_title(paragraphs, title)
    if paragraphs and _is_signature(paragraphs[-1]):
        article.author = article.author or paragraphs[-1]
        paragraphs = paragraphs[:-1]
    text = "\n\n".join(paragraphs)
    if len(text) < MIN_TEXT_CHARS or _mostly_links(paragraphs, link_texts):
        return None
    if _teaser_share(tree, paragraphs) > MAX_LINK_TEXT_SHARE:
        return None
    article.text = text
    return article


def main_paragraphs(
    tree: lxml_html.HtmlElement, vocabulary: Vocabulary
) -> tuple[list[str], str | None]:
    """The body paragraphs, furniture removed, and the signature line if one closed the
    story. Modifies ``tree``."""
    remove_invisible(tree)
    for stamp in tree.xpath("//*[contains(@class, 'location-stamp')]"):
        # VnExpress prints the dateline with a CSS " - " after it; the markup has no space.
        stamp.tail = " - " + (stamp.tail or "").lstrip()
    signature = _drop_signatures(tree)
    _unwrap_layout_tables(tree)
    container = find_body_container(tree, vocabulary)
    headline = next(iter(tree.iter("h1")), None)
    protected = [element for element in (container, headline) if element is not None]
    remove_boilerplate(tree, vocabulary, protected)
    paragraphs: list[str] = []
    if container is not None and len(element_text(container)) >= vocabulary.min_chars:
        paragraphs = _lead(tree, container, vocabulary) + block_paragraphs(container)
    if not paragraphs:
        paragraphs = _trafilatura_paragraphs(tree)
    kept = _unique([p for p in paragraphs if not is_furniture_line(p, vocabulary)])
    return kept, signature


def _drop_signatures(tree: lxml_html.HtmlElement) -> str | None:
    """Right-aligned short lines closing a story are the reporter's or office's signature;
    the last one is returned."""
    signature = None
    for element in tree.xpath(
        "//p[@align='right' or contains(translate(@style, ' ', ''), 'text-align:right')]"
    ):
        text = element_text(element)
        if 0 < len(text) <= 60 and "." not in text.rstrip("."):
            drop(element)
            signature = text
    return signature


def _unwrap_layout_tables(tree: lxml_html.HtmlElement) -> None:
    """Tables used for page layout (legacy portals) become plain blocks; trafilatura would
    otherwise read them as data tables and merge their paragraphs into cells."""
    for table in tree.xpath("//table[.//p or .//table or .//h1 or .//h2 or .//h3 or .//div]"):
        for element in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
            element.tag = "div"


def _lead(
    tree: lxml_html.HtmlElement, container: lxml_html.HtmlElement, vocabulary: Vocabulary
) -> list[str]:
    inside = set(container.iter())
    for selector in vocabulary.lead_selectors:
        for element in selector(tree):
            if element not in inside and not any(a in inside for a in element.iterancestors()):
                text = element_text(element)
                if len(text) >= 40:
                    return [text]
    return []


def _trafilatura_paragraphs(tree: lxml_html.HtmlElement) -> list[str]:
    # trafilatura edits the tree it is given; ours is already a private parse.
    text = trafilatura.extract(
        copy.deepcopy(tree),
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        favor_precision=False,
        output_format="txt",
    )
    if not text:
        return []
    return [clean_space(line) for line in text.split("\n") if clean_space(line)]


def _jsonld_body(article_ld: dict[str, Any]) -> list[str]:
    if not types_of(article_ld) - {"WebPage"}:
        return []
    body = text_value(article_ld.get("articleBody")) or ""
    if "<" in body:  # some CMSs put the HTML of the body there
        body = "\n".join(block_paragraphs(parse_html(body)))
    return [clean_space(line) for line in body.split("\n") if clean_space(line)]


def _without_title(paragraphs: list[str], title: str | None) -> list[str]:
    if title and paragraphs and clean_space(paragraphs[0]).lower() == clean_space(title).lower():
        return paragraphs[1:]
    return paragraphs


def _is_signature(paragraph: str) -> bool:
    """The reporter's name closing a Vietnamese story ("Võ Hải", "Nhóm PV"): a few
    capitalised words and no sentence punctuation."""
    words = paragraph.split()
    if not 1 <= len(words) <= 5 or any(mark in paragraph for mark in '.:!?,;"'):
        return False
    return all(word[0].isupper() or word[0] in "-–(" for word in words)


def _unique(paragraphs: list[str]) -> list[str]:
    # Responsive layouts print the same caption or lead twice (mobile and desktop copies).
    return list(dict.fromkeys(paragraphs))


def _link_texts(tree: lxml_html.HtmlElement) -> set[str]:
    texts = set()
    for link in tree.iter("a"):
        text = element_text(link)
        if len(text) >= 20:
            texts.add(text.lower())
    return texts


def _mostly_links(paragraphs: list[str], link_texts: set[str]) -> bool:
    """A listing page: most of the "text" is headlines that link to other pages."""
    total = sum(len(paragraph) for paragraph in paragraphs)
    linked = sum(len(p) for p in paragraphs if p.lower() in link_texts)
    return total > 0 and linked / total > MAX_LINK_TEXT_SHARE


def _teaser_share(tree: lxml_html.HtmlElement, paragraphs: list[str]) -> float:
    """Share of the text made of teaser descriptions: paragraphs sitting in a small box next
    to a headline link to another page, as on category and search pages."""
    elements: dict[str, lxml_html.HtmlElement] = {}
    for element in tree.iter("p", "div", "li", "span", "td"):
        text = element_text(element)
        if text in paragraphs:
            elements.setdefault(text, element)
    total = sum(len(paragraph) for paragraph in paragraphs)
    teaser = 0
    for paragraph in paragraphs:
        element = elements.get(paragraph)
        if element is not None and _in_teaser_box(element, len(paragraph)):
            teaser += len(paragraph)
    return teaser / total if total else 0.0


def _in_teaser_box(element: lxml_html.HtmlElement, own_length: int) -> bool:
    own_links = set(element.iter("a"))
    box = element
    for _ in range(3):
        parent = box.getparent()
        if parent is None or len(element_text(parent)) > 3 * own_length + 200:
            return False
        box = parent
        for link in box.iter("a"):
            if link not in own_links and len(element_text(link)) >= 20:
                return True
    return False
