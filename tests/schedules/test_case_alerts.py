"""'A case I follow moved to trial': followers get one e-mail when a followed case reaches a
later step, delivered through the outbox, never twice, and nothing about older changes."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from cases.rebuild import update
from cases.store import CaseStore
from schedules import outbox
from schedules.case_alerts import queue_case_updates
from search.sqlite_backend import SqliteBackend
from tests.cases.seed import document_of, labelled_rows, seed_index
from tests.schedules.conftest import RecordingHandler

TIGERS = "vn-yen-thanh-17-tigers"


def _body(message: Message) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def test_followers_hear_once_when_the_case_goes_to_trial(
    wildwatch_home: Path, smtp_server: RecordingHandler
) -> None:
    rows = labelled_rows((TIGERS,))
    early = [row for row in rows if row["published_at"] < "2022"]
    trial = [row for row in rows if row["published_at"] >= "2022"]
    seeded = seed_index(wildwatch_home, early)
    store = CaseStore(wildwatch_home / "cases.sqlite")
    backend = SqliteBackend(wildwatch_home / "index.sqlite")
    try:
        update(backend, store)
        case_id = store.case_of(next(iter(seeded.values())))
        assert case_id is not None and store.get(case_id).status == "prosecution"  # type: ignore[union-attr]
        store.follow(case_id, "phongvien@bao.example.vn", "vi")
        store.follow(case_id, "analyst@ngo.example.org", "en")
        assert queue_case_updates(store) == 0  # nothing moved yet

        # March 2023: the trial and sentence are reported; the next crawl indexes them.
        fetched = datetime.now(UTC).isoformat(timespec="seconds")
        backend.upsert([document_of(row, fetched_at=fetched) for row in trial])
        summary = update(backend, store)
        assert summary.moved_on == 1
    finally:
        backend.close()

    assert queue_case_updates(store) == 2
    assert queue_case_updates(store) == 0  # never twice
    outbox.deliver_due()
    by_recipient = {
        m.rcpt_tos[0]: message_from_bytes(bytes(m.original_content or b""))
        for m in smtp_server.messages
    }
    english = _body(by_recipient["analyst@ngo.example.org"])
    assert "from prosecution to sentence" in english and f"/cases/{case_id}" in english
    vietnamese = _body(by_recipient["phongvien@bao.example.vn"])
    assert "sang" in vietnamese and "tuyên án" in vietnamese.lower()

    # Someone who follows the case now was not there for that change: no mail.
    store.follow(case_id, "late@example.org", "en")
    assert queue_case_updates(store) == 0
