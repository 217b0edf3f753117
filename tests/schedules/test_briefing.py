"""The morning briefing as a recipient reads it: 150 matching items yield a bounded e-mail
with a summary whose numbers are right, capped groups with working "see all" links, a manage
link, and no archive import mailed as news."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from schedules import alerting, db
from schedules.briefing import search_link
from schedules.rules import AlertRule, RuleStore
from search.document import Document
from tests.schedules.conftest import RecordingHandler
from tests.schedules.fakes import FakeBackend, item

# 23/11/2026 07:00 in Hanoi, the default digest time
DIGEST_TIME = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
PUBLIC = "https://wildwatch.ngo.example.org"


def morning_items(now: datetime) -> list[Document]:
    """150 new stories of the last night (70 pangolin, 45 ivory, 25 tiger, 10 without a
    species), 12 of the day before, and one two-year-old article imported this morning."""
    docs: list[Document] = []
    for i in range(150):
        species = (
            ["pangolin"] if i < 70 else ["elephant"] if i < 115 else ["tiger"] if i < 140 else []
        )
        enforcement = (["seizure"] if i % 10 == 0 else []) + (["arrest"] if i % 25 == 0 else [])
        places = ["Móng Cái"] if i % 3 == 0 else ["Hà Nội"] if i % 3 == 1 else []
        docs.append(
            item(
                f"n{i:03d}",
                title=f"Tin {i:03d}: buôn bán động vật hoang dã",
                fetched_at=now - timedelta(minutes=30),
                published_at=(now - timedelta(minutes=20 + 9 * i)).isoformat(),
                species=species,
                enforcement=enforcement,
                locations=places,
                relevance=0.5 + (i % 50) / 100,
                text="Lực lượng chức năng phát hiện vụ việc " * 12,
            )
        )
    for i in range(12):
        docs.append(
            item(
                f"y{i:02d}",
                title=f"Hôm trước {i}",
                fetched_at=now - timedelta(hours=25 + i),
                published_at=(now - timedelta(hours=25 + i)).isoformat(),
                species=["pangolin"] if i < 8 else ["tiger"],
            )
        )
    docs.append(
        item(
            "import-2024",
            title="Bài cũ năm 2024 về tê tê",
            fetched_at=now - timedelta(minutes=10),
            published_at="2024-10-01T09:00:00+07:00",
            species=["pangolin"],
        )
    )
    return docs


def parts(handler: RecordingHandler, index: int = 0) -> tuple[EmailMessage, str, str]:
    message = message_from_bytes(handler.messages[index].content, policy=default)  # type: ignore[arg-type]
    assert isinstance(message, EmailMessage)
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return message, str(text.get_content()), str(html.get_content())


@pytest.fixture
def morning(
    smtp_server: RecordingHandler, backend: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> FakeBackend:
    monkeypatch.setenv("WILDWATCH_PUBLIC_URL", PUBLIC + "/")
    backend.upsert(morning_items(DIGEST_TIME))
    return backend


def test_briefing_of_150_items_is_bounded_summarised_and_linked(
    smtp_server: RecordingHandler, morning: FakeBackend
) -> None:
    RuleStore.from_settings().add(
        AlertRule(name="Buổi sáng", wildlife_trade=True, recipients=("giamsat@ngo.example.org",))
    )
    with time_machine.travel(DIGEST_TIME, tick=False):
        assert alerting.run_digests(backend=morning).queued == ["Buổi sáng"]
    message, text, html = parts(smtp_server)
    raw_size = len(smtp_server.messages[0].content)  # type: ignore[arg-type]

    # the old import is not news; every new story is counted in the subject
    assert "Bài cũ năm 2024" not in text + html
    assert message["Subject"] == (
        "[wildwatch] 150 tin mới: tê tê 70, ngà voi 45, hổ 25 — 23/11/2026"
    )
    # summary: this night against the day before
    assert "150 tin trong kỳ này (kỳ trước: 12)" in text
    assert "tê tê: 70 (kỳ trước 8, +62)" in text
    assert "ngà voi: 45 (kỳ trước 0, +45)" in text
    assert "hổ: 25 (kỳ trước 4, +21)" in text
    assert "Quảng Ninh: 50 (kỳ trước 0, +50)" in text  # Móng Cái rolls up to its province
    assert "thu giữ: 15" in text and "bắt giữ: 6" in text
    # new enforcement steps come first, the items with both actions at the top
    steps = text.split("Bước xử lý mới:")[1].split("==")[0]
    assert steps.strip().splitlines()[0].startswith("- thu giữ, bắt giữ: Tin ")

    # groups capped at 20 stories each, most relevant first, the rest behind a link
    assert html.count(">Bản lưu</a>") == 20 + 20 + 20 + 10
    assert "+50 tin nữa trong nhóm này" in text and "+25 tin nữa" in text
    assert "+5 tin nữa" in text
    pangolin_block = text.split("== tê tê (70) ==")[1].split("==")[0]
    assert "Tin 049" in pangolin_block and "Tin 000" not in pangolin_block  # 0.99 beats 0.5
    assert 20_000 < raw_size < 160_000, raw_size
    assert len(html.encode()) < 120_000

    # links: the whole search, each group's search, the alerts page; never loopback
    see_all = [u for u in _links(html) if "sort=newest" in u]
    query = parse_qs(urlsplit(see_all[0]).query)
    assert query == {
        "trade": ["1"],
        "since": ["2026-11-21"],
        "until": ["2026-11-23"],
        "sort": ["newest"],
    }
    groups = {parse_qs(urlsplit(u).query).get("species", [""])[0] for u in see_all}
    assert {"pangolin", "elephant", "tiger"} <= groups
    assert f'href="{PUBLIC}/alerts"' in html and f"{PUBLIC}/alerts" in text
    assert "127.0.0.1" not in text + html

    # every story, listed or behind a link, is recorded: tomorrow repeats none of them
    with db.connect() as connection:
        (recorded,) = connection.execute("SELECT count(*) FROM sent_items").fetchone()
    assert recorded == 150
    with time_machine.travel(DIGEST_TIME + timedelta(days=1), tick=False):
        assert alerting.run_digests(backend=morning).empty == ["Buổi sáng"]


def test_english_briefing_keeps_the_rule_filters_in_its_links(
    smtp_server: RecordingHandler, morning: FakeBackend
) -> None:
    RuleStore.from_settings().add(
        AlertRule(
            name="Ivory",
            species=("elephant",),
            country=("VN",),
            recipients=("desk@paper.example.com",),
            email_lang="en",
        )
    )
    with time_machine.travel(DIGEST_TIME, tick=False):
        alerting.run_digests(backend=morning, check_spikes_first=False)
    assert len(smtp_server.messages) == 1
    message, text, html = parts(smtp_server)
    assert message["Subject"] == "[wildwatch] 45 new items: elephant/ivory 45 — 23 Nov 2026"
    assert "45 items in this period (previous period: 0)" in text
    assert "+25 more items in this group. See all in wildwatch:" in text
    assert "Manage or pause this alert" in html
    group_link = next(u for u in _links(html) if "species=elephant" in u)
    assert parse_qs(urlsplit(group_link).query)["country"] == ["VN"]


def test_search_link_narrows_to_the_group_species() -> None:
    link = search_link(
        PUBLIC,
        {"query": "vảy tê tê", "species": ("pangolin", "elephant"), "min_relevance": 0.5},
        since=datetime(2026, 11, 21).date(),
        until=datetime(2026, 11, 23).date(),
        species="pangolin",
    )
    query = parse_qs(urlsplit(link).query)
    assert link.startswith(PUBLIC + "/?")
    assert query["q"] == ["vảy tê tê"] and query["species"] == ["pangolin"]
    assert query["min_relevance"] == ["0.5"]


def test_search_link_keeps_the_rules_provinces_and_countries() -> None:
    link = search_link(
        PUBLIC,
        {"species": ("pangolin",), "place": ("Quảng Ninh", "CN")},
        since=datetime(2026, 11, 21).date(),
        until=datetime(2026, 11, 23).date(),
    )
    assert parse_qs(urlsplit(link).query)["place"] == ["Quảng Ninh", "CN"]


def test_warning_when_public_url_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    from schedules import settings

    monkeypatch.delenv("WILDWATCH_PUBLIC_URL", raising=False)
    assert not settings.public_url_set()
    assert "WILDWATCH_PUBLIC_URL" in settings.public_url_warning()
    monkeypatch.setenv("WILDWATCH_PUBLIC_URL", PUBLIC)
    assert settings.public_url_set() and settings.public_url() == PUBLIC


def _links(html: str) -> list[str]:
    import html as html_module
    import re

    return [html_module.unescape(u) for u in re.findall(r'href="([^"]+)"', html)]
