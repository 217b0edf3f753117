"""Public Telegram channels through their web preview, ``https://t.me/s/<channel>``.

Reads the HTML of one preview page (about 20 posts, oldest first) and the channel name; writes
one ``SocialPost`` per post carrying text, and the ``before`` id of the next older page
(``?before=<id>``) taken from the page's "load more" link, or None on the oldest page.
Service messages and photo-only posts without a caption carry no text and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lxml import html as lxml_html

from crawlers.extract.dates import parse_iso_date
from crawlers.extract.tree import block_paragraphs, element_text, parse_html

_VIEWS = re.compile(r"^([\d.,]+)\s*([KkMm])?$")


@dataclass
class SocialPost:
    platform: str
    channel: str
    post_id: str
    url: str
    published_at: datetime | None
    text: str
    author: str | None
    views: int | None


def parse_telegram_channel(html: str, channel: str) -> tuple[list[SocialPost], str | None]:
    """Posts of a ``t.me/s/<channel>`` page and the ``before`` id of the older page."""
    tree = parse_html(html)
    channel_title = _first_text(tree, "tgme_channel_info_header_title")
    posts = []
    for message in tree.xpath("//*[contains(concat(' ', @class, ' '), ' tgme_widget_message ')]"):
        post = _post(message, channel, channel_title)
        if post is not None:
            posts.append(post)
    return posts, _before(tree)


def _post(
    message: lxml_html.HtmlElement, channel: str, channel_title: str | None
) -> SocialPost | None:
    data_post = message.get("data-post") or ""
    name, _, post_id = data_post.rpartition("/")
    if not post_id.isdigit():
        return None
    texts = _by_class(message, "tgme_widget_message_text")
    # A reply quotes the earlier post in its own message_text block; the post's text is last.
    own = [
        t for t in texts if not any("reply" in (a.get("class") or "") for a in t.iterancestors())
    ]
    text = "\n".join(block_paragraphs(own[-1])) if own else ""
    if not text:
        return None
    published = None
    for time in message.xpath(
        ".//*[contains(@class, 'tgme_widget_message_date')]//time[@datetime]"
    ):
        published = parse_iso_date(time.get("datetime", ""))
        break
    author = (
        _first_text(message, "tgme_widget_message_from_author")
        or _first_text(message, "tgme_widget_message_owner_name")
        or channel_title
    )
    views_text = _first_text(message, "tgme_widget_message_views")
    slug = name or channel
    return SocialPost(
        platform="telegram",
        channel=slug,
        post_id=post_id,
        url=f"https://t.me/{slug}/{post_id}",
        published_at=published,
        text=text,
        author=author,
        views=parse_views(views_text) if views_text else None,
    )


def parse_views(text: str) -> int | None:
    """Telegram's view counter: "856", "1.2K", "15,3K", "1.1M"."""
    match = _VIEWS.match(text.strip())
    if match is None:
        return None
    number = float(match.group(1).replace(",", "."))
    factor = {"k": 1_000, "m": 1_000_000}.get((match.group(2) or "").lower(), 1)
    return round(number * factor)


def _before(tree: lxml_html.HtmlElement) -> str | None:
    for link in tree.xpath("//a[contains(@class, 'tme_messages_more')][@data-before]"):
        before = (link.get("data-before") or "").strip()
        if before.isdigit():
            return before
    return None


def _by_class(element: lxml_html.HtmlElement, name: str) -> list[lxml_html.HtmlElement]:
    return element.xpath(f".//*[contains(concat(' ', @class, ' '), ' {name} ')]")


def _first_text(element: lxml_html.HtmlElement, name: str) -> str | None:
    for found in _by_class(element, name):
        text = element_text(found)
        if text:
            return text
    return None
