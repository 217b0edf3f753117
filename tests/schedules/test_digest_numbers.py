"""Prices and quantities in the e-mail as a recipient reads them (issue 13 item 5): each price
once, with its value in đồng and per kilogram or individual, weights in kilograms, numbers
grouped as the e-mail's language writes them; HTML and text parts alike."""

from __future__ import annotations

import html as html_module
import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from pipelines.analysis import analyze
from schedules.briefing import CountRow, Summary
from schedules.digest import build_content
from schedules.render import render_digest
from tests.schedules.test_digest import hit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AD_TEXT = (
    "Bán vảy tê tê hàng Campuchia 350k/lạng, giá 350k, sừng 50 - 250 triệu đồng/kg, "
    "rùa US$1,200 per animal. Kho còn 7 tấn, giao tận nơi Thái Lan."
)
# What the analysis wrote before it merged a price repeated without its unit (old indexes).
OLD_BARE_REPEAT = {"amount": 350000.0, "currency": "VND", "text": "350k", "vnd": 350000.0}


def _mail(lang: str) -> tuple[str, str]:
    analysis = analyze(AD_TEXT)
    ad = hit(
        "ad1",
        "Vảy tê tê Campuchia 350k/lạng",
        "chotot",
        ["pangolin"],
        kind="marketplace",
        prices=[*analysis["prices"], OLD_BARE_REPEAT],
        quantities=analysis["quantities"],
    )
    summary = Summary(
        total=1520,
        previous_total=1204,
        species=[CountRow("pangolin", "tê tê" if lang == "vi" else "pangolin", 1520, 1204)],
        enforcement=[],
        provinces=[],
    )
    content = build_content(
        [ad],
        rule_name="Tê tê",
        rule_species=(),
        lang=lang,
        day=date(2026, 11, 23),
        zone=TZ,
        public_url="https://wildwatch.ngo.example.org",
        summary=summary,
    )
    _, text, html = render_digest(content)
    # what a mail client shows of the HTML part: its text, tags gone, entities decoded
    shown = html_module.unescape(re.sub(r"<[^>]+>", " ", html))
    return text, " ".join(shown.split())


@pytest.mark.parametrize("part", [0, 1], ids=["text", "html"])
def test_vietnamese_digest_shows_each_price_once_in_dong_and_per_unit(part: int) -> None:
    seen = _mail("vi")[part]
    prices_line = next(line for line in seen.splitlines() if "Giá:" in line)
    prices = prices_line.split("Giá:", 1)[1].split("Số lượng:")[0]
    # the ad's "350k" repeats "350k/lạng": one price, per kilogram in đồng
    assert prices.count("350k") == 1
    assert "350k/lạng (= 3.500.000 ₫/kg)" in prices
    assert "50 - 250 triệu đồng/kg (= 50.000.000–250.000.000 ₫/kg)" in prices
    # a foreign price: converted at a fixed rate, so "≈", and per animal
    assert re.search(r"US\$1,200 per animal \(≈ [\d.]+ ₫/cá thể\)", prices)
    assert "7 tấn (= 7.000 kg)" in seen
    assert "1.520" in seen and "1.204" in seen  # counts grouped the Vietnamese way
    assert not re.search(r"\d,\d{3}\b", seen.replace("US$1,200", ""))


@pytest.mark.parametrize("part", [0, 1], ids=["text", "html"])
def test_english_digest_groups_numbers_the_english_way(part: int) -> None:
    seen = _mail("en")[part]
    assert "350k/lạng (= 3,500,000 VND/kg)" in seen
    assert "50 - 250 triệu đồng/kg (= 50,000,000–250,000,000 VND/kg)" in seen
    assert re.search(r"US\$1,200 per animal \(≈ [\d,]+ VND/individual\)", seen)
    assert "7 tấn (= 7,000 kg)" in seen
    assert "1,520" in seen and "1,204" in seen
