"""Alert rules that read the staff's triage: one leaves out items marked not relevant, one
sends only follow-ups; rule files and the CLI's stored form keep the filter, bad states are
refused by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
import time_machine

from schedules import alerting
from schedules.rules import AlertRule, RuleError, RuleStore, load_rules_file
from search.triage import TriageChange
from tests.schedules.conftest import RecordingHandler
from tests.schedules.fakes import FakeBackend, item

DIGEST_TIME = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi


def _bodies(handler: RecordingHandler) -> dict[str, str]:
    found = {}
    for envelope in handler.messages:
        message = message_from_bytes(envelope.content, policy=default)  # type: ignore[arg-type]
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        assert body is not None
        found[str(message["Subject"])] = str(body.get_content())
    return found


def test_rules_filter_by_the_triage_of_the_moment(
    smtp_server: RecordingHandler, backend: FakeBackend
) -> None:
    store = RuleStore.from_settings()
    store.add(
        AlertRule(
            name="Tê tê, trừ tin không liên quan",
            species=("pangolin",),
            triage=("untriaged", "relevant", "follow-up"),
            recipients=("giamsat@ngo.example.org",),
        )
    )
    store.add(
        AlertRule(name="Cần theo dõi", triage=("follow_up",), recipients=("lan@ngo.example.org",))
    )
    fetched = DIGEST_TIME - timedelta(hours=3)
    backend.upsert(
        [
            item(
                "p1",
                title="Thu giữ 2 tấn vảy tê tê tại Móng Cái",
                fetched_at=fetched,
                species=["pangolin"],
            ),
            item(
                "p2",
                title="Quán nhậu quảng cáo món tê tê giả",
                fetched_at=fetched,
                species=["pangolin"],
            ),
            item(
                "p3", title="Rao bán vảy tê tê qua Zalo", fetched_at=fetched, species=["pangolin"]
            ),
        ]
    )
    backend.set_triage(["p2"], TriageChange.checked(state="not_relevant"), by="lan")
    backend.set_triage(["p3"], TriageChange.checked(state="follow_up"), by="lan")
    with time_machine.travel(DIGEST_TIME, tick=False):
        report = alerting.run_digests(backend=backend)
    assert sorted(report.queued) == ["Cần theo dõi", "Tê tê, trừ tin không liên quan"]
    bodies = _bodies(smtp_server)
    pangolin = next(body for subject, body in bodies.items() if "2 tin" in subject)
    assert "Thu giữ 2 tấn" in pangolin and "Rao bán vảy" in pangolin
    assert "món tê tê giả" not in pangolin
    follow_up = next(body for subject, body in bodies.items() if "1 tin" in subject)
    assert "Rao bán vảy tê tê qua Zalo" in follow_up and "Thu giữ" not in follow_up


def test_the_triage_filter_is_stored_normalised_and_checked(tmp_path: Path) -> None:
    store = RuleStore.from_settings()
    stored = store.add(
        AlertRule(name="Theo dõi", triage=("Follow-up", "relevant"), recipients=("a@ngo.example",))
    )
    assert stored.triage == ("follow_up", "relevant")
    assert store.get("Theo dõi") == stored
    assert stored.to_search_request().triage == ("follow_up", "relevant")
    with pytest.raises(RuleError, match=r"triage: 'maybe' is not a known triage state"):
        store.add(AlertRule(name="Sai", triage=("maybe",), recipients=("a@ngo.example",)))
    rules_file = tmp_path / "alerts.toml"
    rules_file.write_text(
        '[[alerts]]\nname = "Không liên quan"\ntriage = ["not_relevant"]\nnoted = true\n'
        'to = ["a@ngo.example"]\n',
        encoding="utf-8",
    )
    [from_file] = load_rules_file(rules_file)
    assert (from_file.triage, from_file.noted) == (("not_relevant",), True)
    rules_file.write_text(
        '[[alerts]]\nname = "X"\nseen = "yes"\nto = ["a@ngo.example"]\n', encoding="utf-8"
    )
    with pytest.raises(RuleError, match="key 'seen': expected true or false"):
        load_rules_file(rules_file)
