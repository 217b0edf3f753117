"""Digests, immediate alerts and spike alerts end to end: rules → fake index → outbox → a
real SMTP server on 127.0.0.1, with a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
import time_machine

from schedules import alerting, outbox
from schedules.rules import AlertRule, RuleStore
from tests.schedules.conftest import RecordingHandler
from tests.schedules.fakes import FakeBackend, days_ago, item

# 23/11/2026 07:00 in Hanoi, the default digest time
DIGEST_TIME = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def parsed(handler: RecordingHandler, index: int) -> EmailMessage:
    message = message_from_bytes(handler.messages[index].content, policy=default)  # type: ignore[arg-type]
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.fixture
def pangolin_rule() -> AlertRule:
    return RuleStore.from_settings().add(
        AlertRule(
            name="Tê tê",
            species=("pangolin", "elephant"),
            recipients=("giamsat@ngo.example.org", "police@example.vn"),
        )
    )


def test_daily_digest_sends_each_new_item_once(
    smtp_server: RecordingHandler, backend: FakeBackend, pangolin_rule: AlertRule
) -> None:
    now = DIGEST_TIME
    backend.upsert(
        [
            item(
                "p1",
                title="Thu giữ 2 tấn vảy tê tê",
                fetched_at=now - timedelta(hours=3),
                species=["pangolin"],
            ),
            item(
                "p2",
                title="Tê tê sống bị buôn lậu qua biên giới",
                fetched_at=now - timedelta(hours=20),
                species=["pangolin"],
                source="tuoitre",
            ),
            item(
                "e1",
                title="50 kg ngà voi giấu trong container",
                fetched_at=now - timedelta(hours=5),
                species=["elephant"],
                source="thanhnien",
            ),
            item(
                "old",
                title="Tê tê: bài cũ",
                fetched_at=now - timedelta(hours=30),
                species=["pangolin"],
            ),
            item(
                "t1",
                title="Rùa biển được thả về tự nhiên",
                fetched_at=now - timedelta(hours=2),
                species=["sea_turtle"],
            ),
        ]
    )
    with time_machine.travel(now, tick=False):
        report = alerting.run_digests(backend=backend)
        assert report.queued == ["Tê tê"]
        assert len(smtp_server.messages) == 1
        message = parsed(smtp_server, 0)
        assert message["Subject"] == "[wildwatch] 3 tin mới: tê tê 2, ngà voi 1 — 23/11/2026"
        assert smtp_server.messages[0].rcpt_tos == ["giamsat@ngo.example.org", "police@example.vn"]
        body = text_of(message)
        assert "Thu giữ 2 tấn vảy tê tê" in body and "bài cũ" not in body and "Rùa biển" not in body

        # the job runs again the same morning (restart, second `alerts send`): nothing more
        assert alerting.run_digests(backend=backend).skipped == ["Tê tê"]
        assert alerting.run_digests(date(2026, 11, 23), backend=backend).skipped == ["Tê tê"]
    assert len(smtp_server.messages) == 1

    # next morning: only what arrived since, although p1 was re-crawled and re-indexed
    later = now + timedelta(days=1)
    backend.upsert(
        [
            item(
                "p1",
                title="Thu giữ 2 tấn vảy tê tê",
                fetched_at=now - timedelta(hours=3),
                species=["pangolin"],
            ),
            item(
                "p3",
                title="Bắt đối tượng rao bán vảy tê tê trên Facebook",
                fetched_at=later - timedelta(hours=1),
                species=["pangolin"],
            ),
        ]
    )
    with time_machine.travel(later, tick=False):
        assert alerting.run_digests(backend=backend).queued == ["Tê tê"]
    second = parsed(smtp_server, 1)
    assert second["Subject"] == "[wildwatch] 1 tin mới: tê tê 1 — 24/11/2026"
    assert "Thu giữ 2 tấn" not in text_of(second)
    assert second["Message-ID"] != parsed(smtp_server, 0)["Message-ID"]


def test_an_item_is_sent_once_even_when_a_crawl_straddles_the_digest(
    smtp_server: RecordingHandler, backend: FakeBackend, pangolin_rule: AlertRule
) -> None:
    with time_machine.travel(DIGEST_TIME, tick=False):
        alerting.run_digests(backend=backend)  # nothing yet: no e-mail, cursor moves
    assert smtp_server.messages == []
    # stored after the digest ran, but fetched (stamped) before it
    backend.upsert(
        [
            item(
                "late",
                title="Vảy tê tê tại Móng Cái",
                fetched_at=DIGEST_TIME - timedelta(minutes=5),
                species=["pangolin"],
            )
        ]
    )
    with time_machine.travel(DIGEST_TIME + timedelta(days=1), tick=False):
        assert alerting.run_digests(backend=backend).queued == ["Tê tê"]
        assert alerting.run_digests(date(2026, 11, 24), backend=backend).skipped == ["Tê tê"]
    assert len(smtp_server.messages) == 1
    assert "Vảy tê tê tại Móng Cái" in text_of(parsed(smtp_server, 0))


def test_english_digest_for_a_past_date(
    smtp_server: RecordingHandler, backend: FakeBackend
) -> None:
    RuleStore.from_settings().add(
        AlertRule(
            name="rhino", species=("rhino",), recipients=("desk@news.example.com",), email_lang="en"
        )
    )
    backend.upsert(
        [
            item(
                "r1",
                title="Rhino horn seized at Noi Bai airport",
                lang="en",
                fetched_at=DIGEST_TIME - timedelta(days=2, hours=3),
                species=["rhino"],
            ),
            item(
                "r2",
                title="Sừng tê giác giấu trong vali",
                fetched_at=DIGEST_TIME - timedelta(hours=1),
                species=["rhino"],
            ),
        ]
    )
    with time_machine.travel(DIGEST_TIME + timedelta(hours=5), tick=False):
        report = alerting.run_digests(date(2026, 11, 21), backend=backend)
    assert report.queued == ["rhino"]
    message = parsed(smtp_server, 0)
    assert message["Subject"] == "[wildwatch] 1 new item: rhino 1 — 21 Nov 2026"
    assert "Noi Bai" in text_of(message) and "vali" not in text_of(message)


def test_immediate_rule_gets_high_relevance_items_after_the_crawl(
    smtp_server: RecordingHandler, backend: FakeBackend
) -> None:
    RuleStore.from_settings().add(
        AlertRule(
            name="police", query="tê tê", recipients=("police@example.vn",), cadence="immediate"
        )
    )
    now = DIGEST_TIME + timedelta(hours=4)
    backend.upsert(
        [
            item(
                "hot",
                title="Đang rao bán 30 kg vảy tê tê, giao hàng tại Lạng Sơn",
                relevance=0.93,
                fetched_at=now - timedelta(minutes=10),
                species=["pangolin"],
                kind="marketplace",
                contacts=[{"type": "zalo", "value": "+84912345678"}],
            ),
            item(
                "mild",
                title="Hội thảo bảo tồn tê tê",
                relevance=0.4,
                fetched_at=now - timedelta(minutes=10),
                species=["pangolin"],
            ),
        ]
    )
    with time_machine.travel(now, tick=False):
        assert alerting.run_immediate(backend=backend).queued == ["police"]
        assert alerting.run_immediate(backend=backend).queued == []
    message = parsed(smtp_server, 0)
    assert message["Subject"].startswith("[wildwatch] 1 tin quan trọng: tê tê 1")
    assert "Hội thảo" not in text_of(message)
    # the rest comes in the next morning's digest, without the item already sent
    with time_machine.travel(DIGEST_TIME + timedelta(days=1), tick=False):
        alerting.run_digests(backend=backend)
    digest = text_of(parsed(smtp_server, 1))
    assert "Hội thảo bảo tồn tê tê" in digest and "30 kg" not in digest


def test_spike_is_alerted_once_to_staff_and_matching_rules_and_shown_in_the_digest(
    smtp_server: RecordingHandler,
    backend: FakeBackend,
    pangolin_rule: AlertRule,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "WILDWATCH_SPIKE_RECIPIENTS", "analyst@ngo.example.org, lead@ngo.example.org"
    )
    monkeypatch.setenv("WILDWATCH_SPIKE_LANG", "en")
    RuleStore.from_settings().add(
        AlertRule(name="tigers", species=("tiger",), recipients=("tiger@ngo.example.org",))
    )
    now = DIGEST_TIME - timedelta(hours=2)  # 05:00 in Hanoi, before the digest
    docs = []
    for day in range(1, 29):  # two pangolin items a day for four weeks
        for n in range(2):
            docs.append(
                item(
                    f"b{day}-{n}",
                    title="tê tê",
                    species=["pangolin"],
                    fetched_at=days_ago(now, day),
                )
            )
    for n in range(12):  # and twelve this morning
        docs.append(
            item(
                f"s{n}",
                title=f"Vụ {n}: vảy tê tê",
                species=["pangolin"],
                fetched_at=now - timedelta(minutes=n),
            )
        )
    backend.upsert(docs)
    with time_machine.travel(now, tick=False):
        spikes = alerting.check_spikes(backend=backend)
        outbox.deliver_due()
        assert [(s.species, s.count) for s in spikes] == [("pangolin", 12)]
        assert alerting.check_spikes(backend=backend) == spikes  # same spike, no new e-mail
        outbox.deliver_due()
    subjects = {
        tuple(e.rcpt_tos): parsed(smtp_server, i)["Subject"]
        for i, e in enumerate(smtp_server.messages)
    }
    assert set(subjects) == {
        ("analyst@ngo.example.org", "lead@ngo.example.org"),
        ("giamsat@ngo.example.org", "police@example.vn"),
    }
    assert subjects[("analyst@ngo.example.org", "lead@ngo.example.org")].startswith(
        "[wildwatch] 1 spike(s): 12 pangolin items today, baseline 2.0 a day"
    )
    with time_machine.travel(DIGEST_TIME, tick=False):
        alerting.run_digests(backend=backend)
    digest = text_of(parsed(smtp_server, 2))
    assert "== Đột biến ==" in digest and "12 tin về tê tê" in digest
    assert len(smtp_server.messages) == 3  # tigers rule: no spike, no items, no e-mail


def test_spike_per_province_rolls_districts_and_border_gates_up_to_the_province(
    backend: FakeBackend,
) -> None:
    # A quiet month of one pangolin report a day from Nghệ An, then a burst from the Quảng Ninh
    # border: reports naming the city of Móng Cái and the province itself are one province.
    now = DIGEST_TIME - timedelta(hours=2)
    docs = [
        item(
            f"b{day}",
            title="Nghệ An: thu giữ vảy tê tê",
            species=["pangolin"],
            locations=["Nghệ An"],
            fetched_at=days_ago(now, day),
        )
        for day in range(1, 29)
    ]
    for n in range(8):
        place = "Móng Cái" if n % 2 else "Quảng Ninh"
        docs.append(
            item(
                f"s{n}",
                title=f"Bắt giữ vảy tê tê tại {place}",
                species=["pangolin"],
                locations=[place, "Trung Quốc"],
                fetched_at=now - timedelta(minutes=5 * n),
            )
        )
    backend.upsert(docs)
    with time_machine.travel(now, tick=False):
        spikes = alerting.detect_spikes(backend, date(2026, 11, 23))  # the day in Hanoi
    by_place = {(s.species, s.province): s.count for s in spikes}
    assert by_place[("pangolin", "Quảng Ninh")] == 8
    assert ("pangolin", "Nghệ An") not in by_place
    assert all(province in ("", "Quảng Ninh") for _, province in by_place)  # no country
