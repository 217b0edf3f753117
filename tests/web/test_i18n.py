"""The message catalogue covers every label the templates use, in both UI languages."""

from __future__ import annotations

import re
from pathlib import Path

from web.i18n import Translator, catalogue, pick_language

TEMPLATES = Path(__file__).parents[2] / "web" / "templates"


def test_every_template_message_exists_in_both_languages() -> None:
    messages = catalogue()["messages"]
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""", template.read_text()))
    assert used, "templates call t('...')"
    # keys built from a prefix and a value
    for interval in ("day", "week"):
        used |= {
            f"chart_species_{interval}",
            f"chart_actions_{interval}",
            f"chart_outlets_{interval}",
        }
    used |= {f"error_{status}" for status in (400, 401, 403, 404, 422, 429)}
    used |= {
        f"f_{name}"
        for name in ("species", "kind", "lang", "source", "enforcement", "country", "location")
    }
    missing = sorted(used - set(messages))
    assert not missing
    for key, entry in messages.items():
        assert entry["vi"] and entry["en"], key


def test_labels_in_each_language() -> None:
    assert Translator("vi").label("species", "pangolin") == "tê tê"
    assert Translator("en").label("species", "pangolin") == "pangolin"
    assert Translator("en").label("enforcement", "sentence") == "sentence"
    assert Translator("vi").label("enforcement", "prosecution") == "khởi tố"
    assert Translator("vi").label("species", "unknown_beast") == "unknown_beast"
    assert Translator("en")("contacts_n", n=2) == "2 contact(s)"


def test_language_choice() -> None:
    assert pick_language(None, None) == "vi"
    assert pick_language("en", "vi") == "en"
    assert pick_language("fr", "en") == "en"
