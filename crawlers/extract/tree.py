"""HTML parsing and text of elements, shared by the article, ad and Telegram extractors.

Reads an HTML string (possibly broken: unclosed tags, stray end tags, an XML declaration);
writes an lxml tree and the visible text of elements, with block elements as paragraphs.
"""

from __future__ import annotations

import re
import unicodedata

from lxml import etree
from lxml import html as lxml_html

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
        "center",
    ]
)
# Elements whose content is never text a reader sees.
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "canvas")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def parse_html(html: str) -> lxml_html.HtmlElement:
    """A tree for any string: lxml's HTML parser recovers from broken markup the way browsers
    do; an empty page gives an empty ``<html>``."""
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return lxml_html.fromstring("<html><body></body></html>")
    try:
        tree = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        tree = lxml_html.fromstring(f"<html><body>{html}</body></html>")
    return tree


def clean_space(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def element_text(element: lxml_html.HtmlElement) -> str:
    """Visible text of an element on one line."""
    return clean_space(" ".join(block_paragraphs(element)))


def remove_invisible(tree: lxml_html.HtmlElement) -> None:
    for element in list(tree.iter(*INVISIBLE_TAGS)):
        drop(element)
    for comment in list(tree.iter(etree.Comment)):
        drop(comment)


def drop(element: lxml_html.HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def block_paragraphs(element: lxml_html.HtmlElement) -> list[str]:
    """The element's text as paragraphs: every block element and ``<br>`` starts a new one."""
    chunks: list[str] = []
    _collect(element, chunks)
    if element.tail:  # the root's tail belongs to its parent, not to the element
        chunks.pop()
    paragraphs = []
    for chunk in "".join(chunks).split("\n"):
        text = clean_space(chunk)
        if text:
            paragraphs.append(text)
    return paragraphs


def _collect(element: lxml_html.HtmlElement, chunks: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in INVISIBLE_TAGS or not tag:
        if element.tail:
            chunks.append(element.tail)
        return
    block = tag in BLOCK_TAGS
    if block:
        chunks.append("\n")
    if tag == "br":
        chunks.append("\n")
    if element.text:
        chunks.append(element.text)
    for child in element:
        _collect(child, chunks)
    if block:
        chunks.append("\n")
    if element.tail:
        chunks.append(element.tail)


# Elements whose own text can be one paragraph of an extractor's output.
PARAGRAPH_TAGS = (
    "p", "div", "li", "span", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "figcaption", "dd", "dt", "pre", "section", "em", "strong", "b", "a",
)  # fmt: skip


def quick_text(element: lxml_html.HtmlElement) -> str:
    """The element's text with whitespace collapsed, without paragraph breaks: lxml's C
    ``text_content`` is ten times faster than ``element_text`` and enough to recognise a
    paragraph another extractor printed."""
    return " ".join(element.text_content().split())


def elements_by_text(
    tree: lxml_html.HtmlElement, paragraphs: list[str]
) -> dict[str, list[lxml_html.HtmlElement]]:
    """Where each of ``paragraphs`` sits in the page: the elements whose whole text it is
    (innermost and outer wrappers alike, in document order)."""
    wanted = set(paragraphs)
    if not wanted:
        return {}
    lengths = [len(paragraph) for paragraph in wanted]
    shortest, longest = min(lengths), 2 * max(lengths) + 200
    found: dict[str, list[lxml_html.HtmlElement]] = {}
    for element in tree.iter(*PARAGRAPH_TAGS):
        raw = element.text_content()  # C; measured faster than an XPath length filter
        if shortest <= len(raw) <= longest:
            text = " ".join(raw.split())
            if text in wanted:
                found.setdefault(text, []).append(element)
    return found
