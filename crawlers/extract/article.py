"""News articles: the main text and metadata of one page.

Reads the decoded HTML of a page and its URL; writes an ``Article`` (title, main text with
paragraphs separated by blank lines, dates, author, language, canonical URL, description,
section) or None when the page carries no article body (listings, empty or error pages).

The text starts from trafilatura's (comments off, tables on, its fast pass; the full pass with
its fallbacks when the fast one read a menu); our rules only change it where they have proof:
- removed: paragraphs that sit only in furniture boxes (share bars, "Tin liên quan" lists,
  comment boxes: ``boilerplate.toml``), furniture lines (credits-only captions, "Xem thêm:
  ..."), the headline repeated as the first paragraph, a closing reporter's signature;
- added: what trafilatura missed inside a known CMS body container (the lead "sapo" printed
  above it, descriptive photo captions, paragraphs after an inline box), and the JSON-LD
  ``articleBody`` when the page renders its text with JavaScript.
A page is "not an article" only when trafilatura's own text is too short or is made of
headline links and teasers: structure alone never rejects a body trafilatura found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from crawlers.extract.boilerplate import (
    Vocabulary,
    find_body_container,
    furniture_paragraphs,
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
    elements_by_text,
    parse_html,
    quick_text,
)

# Below this many characters a page is a stub, an error page or a photo page.
MIN_TEXT_CHARS = 200
# When more of the text than this is link text, the page is a listing of other pages.
MAX_LINK_TEXT_SHARE = 0.5
MIN_TEASERS = 3
# A teaser box holds its description plus a headline, a date, a section name: this much more.
TEASER_BOX_EXTRA = 250


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
    paragraphs, signature = main_paragraphs(tree, load_vocabulary(), article_ld)
    if paragraphs is None:
        return None
    article.author = article.author or signature
    paragraphs = _without_title(paragraphs, title)
    if paragraphs and _is_signature(paragraphs[-1]):
        article.author = article.author or paragraphs[-1]
        paragraphs = paragraphs[:-1]
    text = "\n\n".join(paragraphs)
    if len(text) < MIN_TEXT_CHARS:
        return None
    article.text = text
    return article


def main_paragraphs(
    tree: lxml_html.HtmlElement, vocabulary: Vocabulary, article_ld: dict[str, Any]
) -> tuple[list[str] | None, str | None]:
    """The body paragraphs, or None for a page that is not an article; and the signature
    line if one closed the story. Modifies ``tree``."""
    for stamp in tree.xpath("//*[contains(@class, 'location-stamp')]"):
        # VnExpress prints the dateline with a CSS " - " after it; the markup has no space.
        stamp.tail = " - " + (stamp.tail or "").lstrip()
    for comment in list(tree.iter(etree.Comment, etree.ProcessingInstruction)):
        # trafilatura's own parser drops comments; left in, they cut paragraphs short.
        drop(comment)
    signature = _drop_signatures(tree)
    _unwrap_layout_tables(tree)
    found = _trafilatura_paragraphs(tree, fast=True)
    located = elements_by_text(tree, found)
    if _link_share(found, located) > MAX_LINK_TEXT_SHARE:
        # The fast pass read a menu: ask again with trafilatura's fallbacks before calling the
        # page a listing.
        found = _trafilatura_paragraphs(tree, fast=False)
        located = elements_by_text(tree, found)
    if found and _is_listing(found, located):
        return None, signature
    container, known = find_body_container(tree, vocabulary)
    headline = next(iter(tree.iter("h1")), None)
    protected = [element for element in (container, headline) if element is not None]
    boxed = furniture_paragraphs(
        tree, vocabulary, located, protected, max_box_chars=sum(map(len, found)) // 2
    )
    paragraphs = [p for p in found if p not in boxed]
    if container is not None and known:
        remove_boilerplate(container, vocabulary, [])
        body = _lead(tree, container, vocabulary) + block_paragraphs(container)
        paragraphs = _merge_missing(_unglued(paragraphs, body), body)
    if sum(map(len, paragraphs)) < MIN_TEXT_CHARS:
        paragraphs = _jsonld_body(article_ld) or paragraphs
    kept = _unique([p for p in paragraphs if not is_furniture_line(p, vocabulary)])
    return kept, signature


def _unglued(found: list[str], body: list[str]) -> list[str]:
    """trafilatura glues a page into one paragraph when it falls back to its baseline (cut or
    broken HTML): a paragraph holding two or more of the body container's paragraphs becomes
    those paragraphs, without the headline, date line and share bar glued around them."""
    unglued: list[str] = []
    for paragraph in found:
        inside = [part for part in body if part in paragraph] if len(paragraph) > 200 else []
        unglued.extend(inside if len(inside) >= 2 else [paragraph])
    return unglued


def _merge_missing(found: list[str], body: list[str]) -> list[str]:
    """trafilatura's paragraphs with the body container's paragraphs it missed put back in
    their place: each missed one goes right after the body paragraph before it."""
    if not found:
        return body
    merged = list(found)
    position = {paragraph: index for index, paragraph in enumerate(found)}
    insert_at = 0
    for paragraph in body:
        if paragraph in position:
            insert_at = merged.index(paragraph) + 1
            continue
        if _is_prose(paragraph) and not _already_in(paragraph, found):
            merged.insert(insert_at, paragraph)
            insert_at += 1
    return merged


def _already_in(paragraph: str, found: list[str]) -> bool:
    """trafilatura has the paragraph, inside a longer one or split into pieces."""
    if any(paragraph in other for other in found):
        return True
    pieces = sum(len(other) for other in found if len(other) >= 20 and other in paragraph)
    return pieces * 2 >= len(paragraph)


def _is_prose(paragraph: str) -> bool:
    """A sentence or more, not a heading, date line, table cell or button label: only such
    paragraphs are worth adding to trafilatura's text."""
    words = len(paragraph.split())
    return words >= 12 or (words >= 6 and any(mark in paragraph for mark in ".!?"))


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


def _trafilatura_paragraphs(tree: lxml_html.HtmlElement, fast: bool) -> list[str]:
    # trafilatura works on its own copy of the tree it is given. Its fast mode skips the
    # readability / jusText fallbacks: on the public benchmark that is faster and scores no
    # lower; pages where it reads a menu instead are asked again without it.
    text = trafilatura.extract(
        tree,
        fast=fast,
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
    """Without a paragraph repeated right after itself (responsive layouts print the same
    caption or lead twice, mobile and desktop copies). Repeats further apart stay: recipes,
    Q&As and schedules repeat lines on purpose."""
    return [p for i, p in enumerate(paragraphs) if i == 0 or p != paragraphs[i - 1]]


def _link_share(paragraphs: list[str], located: dict[str, list[lxml_html.HtmlElement]]) -> float:
    """Share of the text that is the text of links (headlines, menu entries)."""

    def is_link(element: lxml_html.HtmlElement) -> bool:
        parent = element.getparent()
        return element.tag == "a" or (parent is not None and parent.tag == "a")

    total = sum(map(len, paragraphs))
    linked = sum(len(p) for p in paragraphs if any(map(is_link, located.get(p, ()))))
    return linked / total if total else 0.0


def _is_listing(paragraphs: list[str], located: dict[str, list[lxml_html.HtmlElement]]) -> bool:
    """trafilatura's text is headline links or teaser descriptions: a category, tag or
    search page."""
    if _link_share(paragraphs, located) > MAX_LINK_TEXT_SHARE:
        return True
    total = sum(map(len, paragraphs))
    lengths: dict[lxml_html.HtmlElement, int] = {}
    teasers = [
        p for p in paragraphs if p in located and _in_teaser_box(located[p][-1], len(p), lengths)
    ]
    # A listing shows several teasers; one short story boxed with its links is not one.
    return len(teasers) >= MIN_TEASERS and sum(map(len, teasers)) > MAX_LINK_TEXT_SHARE * total


def _in_teaser_box(
    element: lxml_html.HtmlElement, own_length: int, lengths: dict[lxml_html.HtmlElement, int]
) -> bool:
    """The paragraph sits in a small box with a headline link to another page. ``lengths``
    caches the text length of boxes: a story's paragraphs share their parents."""
    own_links = set(element.iter("a"))
    box = element
    for _ in range(3):
        parent = box.getparent()
        if parent is None:
            return False
        if parent not in lengths:
            lengths[parent] = len(parent.text_content())
        if lengths[parent] > own_length + TEASER_BOX_EXTRA:
            return False
        box = parent
        for link in box.iter("a"):
            if link not in own_links and len(quick_text(link)) >= 20:
                return True
    return False
