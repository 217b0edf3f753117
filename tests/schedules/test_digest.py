"""Digests as recipients read them: grouped by species, copies folded, tags shown, scraped
markup harmless, in Vietnamese and English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from zoneinfo import ZoneInfo

from schedules.digest import build_content, snippet_segments
from schedules.render import build_message, render_digest
from schedules.spikes import Spike
from search.backend import Hit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FETCHED = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # 23/11/2026 06:30 in Hanoi


def hit(item_id: str, title: str, source: str, species: list[str], **extra: object) -> Hit:
    values: dict[str, object] = {
        "id": item_id,
        "url": f"https://{source}.vn/{item_id}.html",
        "title": title,
        "source": source,
        "kind": "news",
        "lang": "vi",
        "published_at": "2026-11-22T15:04:00+07:00",
        "fetched_at": FETCHED.isoformat(),
        "wildlife_trade": True,
        "relevance": 0.9,
        "species": species,
        "enforcement": [],
        "prices": [],
        "quantities": [],
        "locations": [],
        "contacts": [],
        "snippet": "",
        "duplicate_of": None,
    }
    values.update(extra)
    return Hit(**values)  # type: ignore[typeddict-item]


def realistic_hits() -> list[Hit]:
    return [
        hit(
            "a1",
            "Bắt giữ 2 tấn vảy tê tê tại cửa khẩu Móng Cái",
            "vnexpress",
            ["pangolin"],
            enforcement=["seizure", "arrest"],
            quantities=[{"value": 2.0, "unit": "t", "text": "2 tấn"}],
            locations=["Móng Cái", "Quảng Ninh"],
            snippet="Lực lượng chức năng thu giữ 2 tấn <mark>vảy tê tê</mark> &amp; 50 kg ngà voi",
        ),
        hit(
            "a2",
            "Quảng Ninh: thu giữ 2 tấn vảy tê tê nhập lậu",
            "tuoitre",
            ["pangolin"],
            duplicate_of="a1",
            fetched_at="2026-11-23T00:10:00+00:00",
        ),
        hit(
            "a3",
            "Bán vảy tê tê <script>alert('x')</script><b>giá rẻ</b>",
            "chotot",
            ["pangolin"],
            kind="marketplace",
            url="javascript:alert(1)",
            prices=[{"amount": 1200.0, "currency": "USD", "text": "1.200 USD", "vnd": 30_000_000}],
            snippet="<mark>vảy tê tê</mark> &lt;img src=x onerror=alert(1)&gt;",
        ),
        hit(
            "b1",
            "Phát hiện 50 kg ngà voi giấu trong container",
            "thanhnien",
            ["elephant", "pangolin"],
            enforcement=["seizure"],
            prices=[{"amount": 5e9, "currency": "VND", "text": "5 tỷ đồng", "vnd": 5e9}],
            locations=["Hải Phòng"],
        ),
        hit("c1", "Nghiên cứu mới về buôn bán động vật hoang dã", "mongabay", []),
    ]


def test_entries_are_grouped_by_species_with_copies_folded() -> None:
    content = build_content(
        realistic_hits(),
        rule_name="Tê tê",
        rule_species=(),
        lang="vi",
        day=date(2026, 11, 23),
        zone=TZ,
        public_url="https://wildwatch.ngo.example.org",
    )
    assert [(g.species, len(g.entries)) for g in content.groups] == [
        ("pangolin", 2),
        ("elephant", 1),
        ("other", 1),
    ]
    first = content.groups[0].entries[0]
    assert first.id == "a1" and [a.source for a in first.also] == ["tuoitre"]
    assert set(content.item_ids) == {"a1", "a2", "a3", "b1", "c1"}
    assert first.archive_url == "https://wildwatch.ngo.example.org/items/a1"


def test_vietnamese_digest_subject_counts_and_tags() -> None:
    content = build_content(
        realistic_hits(),
        rule_name="Tê tê",
        rule_species=(),
        lang="vi",
        day=date(2026, 11, 23),
        zone=TZ,
        public_url="http://127.0.0.1:8000",
        spikes=[Spike(date(2026, 11, 23), "pangolin", "Quảng Ninh", 12, 2.1, 1e-6)],
    )
    subject, text, html = render_digest(content)
    assert subject == "[wildwatch] 4 tin mới: tê tê 2, ngà voi 1 — 23/11/2026"
    assert "== tê tê (2) ==" in text
    assert "2 tấn" in text and "Móng Cái, Quảng Ninh" in text and "thu giữ, bắt giữ" in text
    assert "1.200 USD (≈ 30.000.000 ₫)" in text
    assert "Cũng được đưa tin bởi: tuoitre" in text
    assert "22/11/2026" in text  # published date in Hanoi time, Vietnamese format
    assert "12 tin về tê tê ở Quảng Ninh hôm nay, trung bình 2,1 tin/ngày" in text
    assert "Bản lưu: http://127.0.0.1:8000/items/a1" in text
    # the text part is plain text: no markup from the snippet, entities decoded
    assert "vảy tê tê & 50 kg ngà voi" in text and "<mark>" not in text
    assert "Đột biến" in html


def test_hostile_markup_in_scraped_fields_is_escaped_in_html() -> None:
    content = build_content(
        realistic_hits(),
        rule_name="<i>rule</i>",
        rule_species=("pangolin",),
        lang="en",
        day=date(2026, 11, 23),
        zone=TZ,
        public_url="http://127.0.0.1:8000",
    )
    subject, text, html = render_digest(content)
    assert "<script>" not in html and "<img" not in html and "<i>rule" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;b&gt;giá rẻ&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html  # a hostile link is shown, never linked
    assert "<b>vảy tê tê</b>" in html  # the search's own highlight survives
    # rule species first: the ivory item also mentions pangolin, so it is filed there
    assert subject == "[wildwatch] 4 new items: pangolin 3 — 23 Nov 2026"
    assert "Also reported by" in html and "Archived copy" in text


def test_snippet_segments_keep_highlights_and_drop_other_tags() -> None:
    assert snippet_segments("a <mark>tê&amp;tê</mark> <b>b</b>") == [
        ("a ", False),
        ("tê&tê", True),
        (" b", False),
    ]


def test_message_is_multipart_with_a_stable_message_id() -> None:
    content = build_content(
        realistic_hits()[:1],
        rule_name="Tê tê",
        rule_species=(),
        lang="vi",
        day=date(2026, 11, 23),
        zone=TZ,
        public_url="http://127.0.0.1:8000",
    )
    subject, text, html = render_digest(content)
    message = build_message(
        subject=subject,
        text=text,
        html=html,
        recipients=["a@ngo.example.org", "b@police.example.vn"],
        mail_from="wildwatch@ngo.example.org",
    )
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == subject
    assert parsed["Message-ID"].endswith("@ngo.example.org>")
    assert parsed.get_body(("plain",)).get_content().startswith("Tin mới khớp")  # type: ignore[union-attr]
    assert "Bắt giữ 2 tấn vảy tê tê" in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
