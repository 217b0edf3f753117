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
from typing import Any

from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

from crawlers.extract.tree import drop, element_text

VOCABULARY_FILE = Path(__file__).with_name("boilerplate.toml")
_HEADING_TAGS = frozenset(["h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b"])
_CLASS_SPLIT = re.compile(r"[\s_-]+")


@dataclass(frozen=True)
class Vocabulary:
    body_selectors: tuple[tuple[str, CSSSelector], ...]
    generic_selectors: tuple[tuple[str, CSSSelector], ...]
    lead_selectors: tuple[CSSSelector, ...]
    min_chars: int
    class_words: frozenset[str]
    class_substrings: tuple[str, ...]
    tags: tuple[str, ...]
    headings: frozenset[str]
    longest_heading: int
    drop_lines: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The vocabulary file, checked: a bad selector or regex names the file and the entry."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        selectors = tuple((css, CSSSelector(css)) for css in data["containers"]["body"])
        generic = tuple((css, CSSSelector(css)) for css in data["containers"]["generic"])
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
        generic_selectors=generic,
        lead_selectors=leads,
        min_chars=int(data["containers"]["min_chars"]),
        class_words=frozenset(word.replace("-", "") for word in blocks["class_words"]),
        class_substrings=tuple(blocks["class_substrings"]),
        tags=tuple(blocks["tags"]),
        headings=frozenset(data["headings"]["boxes"]),
        longest_heading=max(map(len, data["headings"]["boxes"]), default=0),
        drop_lines=tuple(patterns),
    )


def find_body_container(
    tree: lxml_html.HtmlElement, vocabulary: Vocabulary
) -> tuple[lxml_html.HtmlElement | None, bool]:
    """The first body container holding at least ``min_chars`` of text, and whether it is
    one of the known CMS containers (True) rather than a generic one."""
    selectors = vocabulary.body_selectors + vocabulary.generic_selectors
    candidates = _container_candidates(tree, selectors)
    for index, (_css, selector) in enumerate(selectors):
        walked = candidates[index]
        for element in selector(tree) if walked is None else walked:
            if len(element.text_content()) < vocabulary.min_chars:
                continue  # cheap test first: element_text is never longer
            if len(element_text(element)) >= vocabulary.min_chars:
                return element, index < len(vocabulary.body_selectors)
    return None, False


# One compound selector: tag, .classes, #id, [attribute='value'].
_COMPOUND = re.compile(
    r"^(?P<tag>[a-z][a-z0-9]*)?(?P<parts>(?:\.[\w-]+|#[\w-]+|\[[\w-]+='[^']*'\])*)$"
)
_PART = re.compile(r"\.([\w-]+)|#([\w-]+)|\[([\w-]+)='([^']*)'\]")


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    classes: frozenset[str]
    element_id: str | None
    attributes: tuple[tuple[str, str], ...]

    def matches(self, element: lxml_html.HtmlElement) -> bool:
        if self.tag and element.tag != self.tag:
            return False
        if self.element_id and element.get("id") != self.element_id:
            return False
        if self.classes and not self.classes <= set((element.get("class") or "").split()):
            return False
        return all(element.get(name) == value for name, value in self.attributes)


def _compound(css: str) -> _Compound | None:
    match = _COMPOUND.match(css)
    if not match or not css:
        return None
    classes, ids, attributes = set(), [], []
    for cls, element_id, name, value in _PART.findall(match["parts"]):
        if cls:
            classes.add(cls)
        elif element_id:
            ids.append(element_id)
        else:
            attributes.append((name, value))
    if len(ids) > 1 or any(name not in _KEYED_ATTRIBUTES for name, _ in attributes):
        return None
    return _Compound(match["tag"], frozenset(classes), ids[0] if ids else None, tuple(attributes))


_KEYED_ATTRIBUTES = frozenset(["data-role", "itemprop", "role", "data-field"])


@lru_cache(maxsize=256)
def _simple_selector(css: str) -> tuple[_Compound, ...] | None:
    """A selector of compounds joined by descendant spaces, or None for anything richer
    (matched by lxml's CSSSelector instead)."""
    compounds = [_compound(part) for part in css.split()]
    if not compounds or any(part is None for part in compounds) or "*" in css:
        return None
    return tuple(part for part in compounds if part is not None)


def _container_candidates(
    tree: lxml_html.HtmlElement, selectors: tuple[tuple[str, CSSSelector], ...]
) -> list[list[lxml_html.HtmlElement] | None]:
    """The elements each selector matches, in document order, in one walk over the page:
    an XPath scan per selector costs a millisecond each on a news page. Each element is
    tested only against the selectors keyed by its tag, id or a class. None for selectors
    too rich for the walk."""
    simple = [_simple_selector(css) for css, _selector in selectors]
    found: list[list[lxml_html.HtmlElement] | None] = [
        [] if chain is not None else None for chain in simple
    ]
    by_key: dict[str, list[int]] = {}
    for index, chain in enumerate(simple):
        if chain is not None:
            by_key.setdefault(_key(chain[-1]), []).append(index)
    tags = {key for key in by_key if key[0] not in ".#["}
    attributed = [key[1:] for key in by_key if key[0] == "["]
    for element in tree.iter():
        tag = element.tag
        classes = element.get("class")
        element_id = element.get("id")
        keyed = [name for name in attributed if element.get(name) is not None]
        if not (classes or element_id or keyed or tag in tags):
            continue
        keys = [tag] if tag in tags else []
        if classes:
            keys.extend("." + name for name in classes.split())
        if element_id:
            keys.append("#" + element_id)
        keys.extend("[" + name for name in keyed)
        indices = {index for key in keys for index in by_key.get(key, ())}
        for index in sorted(indices):
            chain = simple[index]
            assert chain is not None
            if chain[-1].matches(element) and _ancestors_match(element, chain[:-1]):
                found[index].append(element)  # type: ignore[union-attr]
    return found


def _key(compound: _Compound) -> str:
    if compound.classes:
        return "." + min(compound.classes)
    if compound.element_id:
        return "#" + compound.element_id
    if compound.attributes:
        return "[" + compound.attributes[0][0]
    return compound.tag or "*"


def _ancestors_match(element: lxml_html.HtmlElement, chain: tuple[_Compound, ...]) -> bool:
    if not chain:
        return True
    wanted = len(chain) - 1
    for ancestor in element.iterancestors():
        if chain[wanted].matches(ancestor):
            if wanted == 0:
                return True
            wanted -= 1
    return False


def remove_boilerplate(
    root: lxml_html.HtmlElement,
    vocabulary: Vocabulary,
    protected: list[lxml_html.HtmlElement],
) -> None:
    """Drop furniture boxes under ``root`` in place (a body container's share bar, related
    list, ad slot). ``protected`` elements and their ancestors stay."""
    keep = _with_ancestors(protected)
    doomed = [
        element
        for element in root.iter()
        if isinstance(element.tag, str)
        and element not in keep
        and (element.tag in vocabulary.tags or _furniture_class(element, vocabulary))
    ]
    for heading in _box_headings(root, vocabulary):
        doomed.extend(_heading_box(heading, keep))
    for element in doomed:
        drop(element)


def furniture_paragraphs(
    tree: lxml_html.HtmlElement,
    vocabulary: Vocabulary,
    located: dict[str, list[lxml_html.HtmlElement]],
    protected: list[lxml_html.HtmlElement],
    max_box_chars: int,
) -> set[str]:
    """Those located paragraphs that occur on the page only inside furniture boxes: boxes
    with a furniture tag or class word, or titled by a box heading ("Tin liên quan"). A box
    holding more than ``max_box_chars`` of text is a wrapper of the story, not furniture, and
    ``protected`` elements (the headline, the body container) and their ancestors never are."""
    keep = _with_ancestors(protected)
    verdicts: dict[lxml_html.HtmlElement, bool] = {}

    def is_box(element: lxml_html.HtmlElement) -> bool:
        if element not in verdicts:
            verdicts[element] = (
                element not in keep
                and (
                    element.tag in vocabulary.tags
                    or _furniture_class(element, vocabulary)
                    or _titled_box(element, vocabulary)
                )
                and len(element.text_content()) <= max_box_chars
            )
        return verdicts[element]

    def in_box(element: lxml_html.HtmlElement) -> bool:
        return is_box(element) or any(is_box(a) for a in element.iterancestors())

    return {
        paragraph
        for paragraph, elements in located.items()
        if all(in_box(element) for element in elements)
    }


def _titled_box(element: lxml_html.HtmlElement, vocabulary: Vocabulary) -> bool:
    """A list of links titled by a box heading: the heading is its first child ("<div><h3>Tin
    liên quan</h3><ul>...") or comes right before it ("<h3>Xem thêm</h3><ul>..."). Asked only
    of the ancestors of paragraphs trafilatura printed, so no page-wide heading search."""
    first = next(iter(element), None)
    if first is not None and _is_heading(first, vocabulary):
        return _link_ratio(element, exclude=first) >= 0.6
    before = element.getprevious()
    if before is not None and _is_heading(before, vocabulary):
        return _link_ratio(element) >= 0.6
    return False


def _is_heading(element: lxml_html.HtmlElement, vocabulary: Vocabulary) -> bool:
    if not isinstance(element.tag, str) or element.tag not in _HEADING_TAGS:
        return False
    raw = element.text_content()
    if len(raw) > 4 * vocabulary.longest_heading:
        return False
    return " ".join(raw.split()).rstrip(":»> ").strip().lower() in vocabulary.headings


def _with_ancestors(elements: list[lxml_html.HtmlElement]) -> set[lxml_html.HtmlElement]:
    found: set[lxml_html.HtmlElement] = set()
    for element in elements:
        found.update(element.iterancestors())
        found.add(element)
    return found


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
    """Elements whose whole text is a box heading. Found from the page's text nodes (a set
    lookup each) rather than by reading the text of every element."""
    found: list[lxml_html.HtmlElement] = []
    for node in _short_texts(tree, vocabulary.longest_heading + 4):
        text = " ".join(node.split()).rstrip(":»> ").strip().lower()
        if len(text) < 3 or text not in vocabulary.headings:
            continue
        element = node.getparent()
        if node.is_tail and element is not None:  # "<i class=icon></i>Tin liên quan"
            element = element.getparent()
        while element is not None and isinstance(element.tag, str):
            if element.tag in _HEADING_TAGS:
                whole = element_text(element).rstrip(":»> ").strip().lower()
                if whole != text:
                    break
                if element not in found:
                    found.append(element)
            elif len(element.text_content()) > 2 * len(text) + 10:
                break
            element = element.getparent()
    return found


def _short_texts(tree: lxml_html.HtmlElement, longest: int) -> list[Any]:
    """Text nodes of 3 to ``longest`` characters once spaces are collapsed."""
    # The raw length bounds the normalised one from above; normalising every node in XPath
    # costs more than the whole Python check of the few short ones.
    return [
        node
        for node in tree.xpath(".//text()[string-length(.) <= $limit]", limit=4 * longest)
        if 3 <= len(" ".join(node.split())) <= longest
    ]


def _heading_box(
    heading: lxml_html.HtmlElement, keep: set[lxml_html.HtmlElement]
) -> list[lxml_html.HtmlElement]:
    """The box a furniture heading titles: the heading's largest ancestor that is only the
    heading plus links (a "Tin liên quan" list), or the heading and the link list after it."""
    if heading.getparent() is None or heading in keep:  # already inside a removed box
        return []
    box = heading
    while True:
        parent = box.getparent()
        if parent is None or parent in keep or parent.tag in ("body", "html", "article"):
            break
        if _link_ratio(parent, exclude=heading) < 0.6:
            break
        box = parent
    found = [box]
    if box is heading:
        following = heading.getnext()
        if following is not None and following not in keep and _link_ratio(following) >= 0.6:
            found.append(following)
    return found


def _link_ratio(
    element: lxml_html.HtmlElement, exclude: lxml_html.HtmlElement | None = None
) -> float:
    # Lengths without spaces: lxml's C text_content is enough for a ratio and far cheaper
    # than paragraph-aware text on the large parents this climbs through.
    text = _solid_length(element) - (_solid_length(exclude) if exclude is not None else 0)
    if text <= 0:
        return 1.0
    links = sum(_solid_length(link) for link in element.iter("a"))
    return min(1.0, links / text)


def _solid_length(element: lxml_html.HtmlElement) -> int:
    return len("".join(element.text_content().split()))


def is_furniture_line(paragraph: str, vocabulary: Vocabulary) -> bool:
    stripped = paragraph.strip()
    if stripped.rstrip(":»> ").strip().lower() in vocabulary.headings:
        return True
    return any(pattern.search(stripped) for pattern in vocabulary.drop_lines)
