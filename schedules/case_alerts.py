""" "A case I follow moved to trial": one e-mail per follower when followed cases move on.

Reads the case store (``cases.store``: follows and the step changes a rebuild noticed);
writes one message per follower to the outbox, in the follower's language, listing each
followed case whose latest step advanced (seizure → trial) with a link to its page. Which
changes a follower was already told about is kept in ``case_alert_cursors`` of
``schedules.sqlite``, written in the same transaction that queues the message, so a change
reaches a follower at most once per queued message (delivery is at-least-once, as for the
digests). Runs with every daily digest (``schedules.alerting.run_digests``).
"""

from __future__ import annotations

import html
import logging
from collections import defaultdict
from dataclasses import dataclass

from cases.store import CaseEvent, CaseStore
from schedules import db, outbox, settings
from schedules.labels import label
from schedules.render import build_message

log = logging.getLogger(__name__)

CURSOR_TABLE = """
CREATE TABLE IF NOT EXISTS case_alert_cursors (
    email TEXT PRIMARY KEY,
    last_event INTEGER NOT NULL      -- case_events.id of cases.sqlite already mailed
)
"""
_WORDS = {
    "vi": {
        "subject": "wildwatch: {n} vụ việc bạn theo dõi có diễn biến mới",
        "intro": "Các vụ việc bạn theo dõi đã chuyển sang giai đoạn mới:",
        "line": "{title}: từ {old} sang {new}",
        "start": "(mới)",
        "stop": "Bỏ theo dõi trên trang của từng vụ việc.",
    },
    "en": {
        "subject": "wildwatch: {n} case(s) you follow moved on",
        "intro": "Cases you follow moved to a later step:",
        "line": "{title}: from {old} to {new}",
        "start": "(new)",
        "stop": "Stop following on each case's page.",
    },
}


@dataclass(frozen=True)
class CaseMove:
    case_id: str
    title: str
    old: str | None
    new: str
    url: str


def _moves_by_follower(
    store: CaseStore, events: list[CaseEvent], public_url: str
) -> dict[tuple[str, str], list[tuple[int, CaseMove]]]:
    found: dict[tuple[str, str], list[tuple[int, CaseMove]]] = defaultdict(list)
    for event in events:
        followers = store.followers(event.case_id)
        if not followers:
            continue
        since = store.follow_times(event.case_id)
        case = store.get(event.case_id)
        title = case.title if case else event.case_id
        url = f"{public_url}/cases/{event.case_id}"
        move = CaseMove(event.case_id, title, event.from_step, event.to_step, url)
        for email, lang in followers:
            # A change noticed before someone followed the case is no news to them.
            if event.noticed_at >= since.get(email, ""):
                found[(email, lang)].append((event.id, move))
    return found


def _message_parts(moves: list[CaseMove], lang: str) -> tuple[str, str, str]:
    words = _WORDS.get(lang, _WORDS["en"])
    lines, items = [], []
    for move in moves:
        old = label("enforcement", move.old, lang) if move.old else words["start"]
        new = label("enforcement", move.new, lang)
        line = words["line"].format(title=move.title, old=old, new=new)
        lines.append(f"- {line}\n  {move.url}")
        items.append(
            f'<li><a href="{html.escape(move.url)}">{html.escape(move.title)}</a>: '
            f"{html.escape(line.removeprefix(move.title + ': '))}</li>"
        )
    subject = words["subject"].format(n=len(moves))
    text = "\n".join([words["intro"], "", *lines, "", words["stop"]]) + "\n"
    body = (
        f"<p>{html.escape(words['intro'])}</p><ul>{''.join(items)}</ul>"
        f"<p>{html.escape(words['stop'])}</p>"
    )
    return subject, text, body


def queue_case_updates(store: CaseStore | None = None) -> int:
    """Queue one message per follower with unmailed step changes; returns how many."""
    store = store or CaseStore.from_settings()
    with db.connect() as connection:
        connection.execute(CURSOR_TABLE)
        cursors = {
            row["email"]: int(row["last_event"])
            for row in connection.execute("SELECT email, last_event FROM case_alert_cursors")
        }
    oldest = min(cursors.values(), default=0)
    events = store.events_since(oldest)
    if not events:
        return 0
    queued = 0
    mail_from = settings.smtp().mail_from
    for (email, lang), found in _moves_by_follower(store, events, settings.public_url()).items():
        unsent = [(event_id, move) for event_id, move in found if event_id > cursors.get(email, 0)]
        if not unsent:
            continue
        subject, text, body = _message_parts([move for _, move in unsent], lang)
        message = build_message(
            subject=subject, text=text, html=body, recipients=[email], mail_from=mail_from
        )
        with db.connect() as connection:
            outbox.enqueue(connection, message, kind="case", rule=None)
            connection.execute(
                "INSERT INTO case_alert_cursors (email, last_event) VALUES (?, ?)"
                " ON CONFLICT (email) DO UPDATE SET last_event = excluded.last_event",
                (email, max(event_id for event_id, _ in unsent)),
            )
        queued += 1
    log.info("cases: %d follower message(s) queued", queued)
    return queued
