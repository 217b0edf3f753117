"""E-mails from digest content: Jinja2 templates (schedules/templates) to a multipart
text + HTML ``EmailMessage`` with a Message-ID fixed at creation.

Reads the templates and ``templates/strings.toml``; writes nothing. HTML templates are
autoescaped (scraped titles and snippets are hostile); the text part is plain text.
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipelines.figures import format_number
from schedules.digest import DigestContent, format_day, subject_line

TEMPLATES = Path(__file__).with_name("templates")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def strings(lang: str) -> dict[str, str]:
    with (TEMPLATES / "strings.toml").open("rb") as handle:
        table: dict[str, dict[str, str]] = tomllib.load(handle)
    return table[lang] if lang in table else table["en"]


def _render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)


def render_digest(content: DigestContent, *, immediate: bool = False) -> tuple[str, str, str]:
    """(subject, text, html) of a digest or an immediate alert."""
    subject = subject_line(content, immediate=immediate)
    context = {
        "c": content,
        "t": strings(content.lang),
        "lang": content.lang,
        "day": format_day(content.day, content.lang),
        "subject": subject,
        "immediate": immediate,
        # counts grouped as the e-mail's language writes them (1.500 in vi, 1,500 in en)
        "n": lambda value: format_number(value, content.lang, decimals=0),
    }
    return subject, _render("digest.txt", **context), _render("digest.html", **context)


def render_spikes(
    sentences: Sequence[str], *, lang: str, day: date, search_url: str = ""
) -> tuple[str, str, str]:
    """(subject, text, html) of a spike alert."""
    t = strings(lang)
    subject = f"[wildwatch] {len(sentences)} {t['spike_subject']}: {sentences[0]}"
    if len(subject) > 150:
        subject = subject[:149] + "…"
    context = {
        "t": t,
        "lang": lang,
        "day": format_day(day, lang),
        "subject": subject,
        "sentences": list(sentences),
        "search_url": search_url,
    }
    return subject, _render("spikes.txt", **context), _render("spikes.html", **context)


def build_message(
    *, subject: str, text: str, html: str, recipients: Sequence[str], mail_from: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = mail_from.rpartition("@")[2].strip(">") or "wildwatch.local"
    # Fixed now and stored with the message: every retry carries the same id, so a copy sent
    # twice after a crash is recognisable as one message.
    # Short enough not to be folded onto a second header line by strict parsers.
    message["Message-ID"] = f"<ww.{secrets.token_hex(10)}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps every line under SMTP's 998-octet limit whatever the scraped text
    # holds (long Vietnamese paragraphs, one-line HTML), and survives 7-bit relays.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message
