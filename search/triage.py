"""Triage: what staff decided about an item (relevant, not relevant, follow-up), whether they
have seen it, their note, who and when, and the history of those changes.

Pure: reads a stored ``TriageRecord`` (or none) and a ``TriageChange``; writes the new record
and the ``TriageEvent`` to append to the item's history. Both backends store records next to
the index, keyed by document id, apart from the items themselves (SQLite: the ``triage`` and
``triage_events`` tables of the index file, search/sqlite_triage.py; Elasticsearch: the index
``<alias>-triage``, search/es_triage.py), so re-crawling, re-importing or re-indexing an item
never touches them. The states are the vocabulary of search/filter_values.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from search.filter_values import TRIAGE_FILTER_VALUES, TRIAGE_STATES, UNTRIAGED

__all__ = [
    "MAX_NOTE_CHARS",
    "TriageChange",
    "TriageError",
    "TriageEvent",
    "TriageRecord",
    "UnknownItems",
    "apply_change",
    "checked_actor",
    "triage_facets",
]

MAX_NOTE_CHARS = 2000
MAX_ACTOR_CHARS = 100
HISTORY_SHOWN = 20  # events a page or ``triage show`` lists, newest first
# Control characters other than tab and newline: a note is typed text, never terminal codes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class TriageError(ValueError):
    """A triage change that cannot be stored; the message names the field."""


class UnknownItems(TriageError):
    """Triage asked for items the index does not hold; nothing was written."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = tuple(ids)
        shown = ", ".join(self.ids[:5]) + (" ..." if len(self.ids) > 5 else "")
        super().__init__(f"no item with id {shown} in the index")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class TriageChange:
    """What to change; ``None`` leaves a field as it is. ``state`` is one of
    ``TRIAGE_STATES`` or ``untriaged`` (clears the decision); ``note`` ``""`` clears it.
    Deciding a state marks the item seen unless ``seen`` says otherwise."""

    state: str | None = None
    seen: bool | None = None
    note: str | None = None

    @classmethod
    def checked(
        cls, *, state: str | None = None, seen: bool | None = None, note: str | None = None
    ) -> TriageChange:
        """The change with its values validated and normalised ("Follow-up" → follow_up,
        the note stripped of control characters); ``TriageError`` names the bad field."""
        if state is not None:
            from search.filter_values import UnknownFilterValue, check_value

            try:
                state = check_value("triage", state)
            except UnknownFilterValue as error:
                raise TriageError(f"state: {str(error).partition(': ')[2]}") from None
        if note is not None:
            note = _CONTROL.sub("", note).strip()
            if len(note) > MAX_NOTE_CHARS:
                raise TriageError(f"note: at most {MAX_NOTE_CHARS} characters ({len(note)} given)")
        if state is None and seen is None and note is None:
            raise TriageError("nothing to change: give a state, seen or a note")
        return cls(state=state, seen=seen, note=note)


@dataclass(frozen=True)
class TriageRecord:
    item_id: str
    state: str | None = None  # one of TRIAGE_STATES; None: untriaged
    seen: bool = False
    note: str = ""
    by: str = ""
    at: str = ""  # ISO 8601, UTC

    @property
    def filter_state(self) -> str:
        """The value the triage filter matches this item on."""
        return self.state or UNTRIAGED

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.filter_state,
            "seen": self.seen,
            "note": self.note,
            "by": self.by,
            "at": self.at,
        }

    @classmethod
    def from_json(cls, item_id: str, data: Mapping[str, Any]) -> TriageRecord:
        state = data.get("state")
        return cls(
            item_id=item_id,
            state=state if state in TRIAGE_STATES else None,
            seen=bool(data.get("seen")),
            note=str(data.get("note") or ""),
            by=str(data.get("by") or ""),
            at=str(data.get("at") or ""),
        )


@dataclass(frozen=True)
class TriageEvent:
    """One change in an item's history: the fields it set, with their new values."""

    item_id: str
    at: str
    by: str
    changes: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at, "by": self.by, **self.changes}


def checked_actor(by: str) -> str:
    """Who made a change, as stored: the logged-in user, ``anonymous`` (web without logins)
    or ``cli:<account>``."""
    actor = _CONTROL.sub("", by or "").strip()
    if not actor:
        raise TriageError("by: who made the change is required")
    if len(actor) > MAX_ACTOR_CHARS:
        raise TriageError(f"by: at most {MAX_ACTOR_CHARS} characters")
    return actor


def apply_change(
    item_id: str, record: TriageRecord | None, change: TriageChange, *, by: str, at: str
) -> tuple[TriageRecord, TriageEvent | None]:
    """The record after ``change``, and the event to record (None when nothing changed, in
    which case the record is returned as it was)."""
    before = record or TriageRecord(item_id=item_id)
    after = before
    if change.state is not None:
        if change.state not in TRIAGE_FILTER_VALUES:
            raise TriageError(f"state: {change.state!r} is not a triage state")
        after = replace(after, state=None if change.state == UNTRIAGED else change.state)
        if change.seen is None and change.state != UNTRIAGED:
            after = replace(after, seen=True)
    if change.seen is not None:
        after = replace(after, seen=change.seen)
    if change.note is not None:
        after = replace(after, note=change.note)
    changes: dict[str, Any] = {}
    if after.state != before.state:
        changes["state"] = after.filter_state
    if after.seen != before.seen:
        changes["seen"] = after.seen
    if after.note != before.note:
        changes["note"] = after.note
    if not changes:
        return before, None
    after = replace(after, by=by, at=at)
    return after, TriageEvent(item_id=item_id, at=at, by=by, changes=changes)


def triage_facets(
    total: int, states: Mapping[str, int], seen: int, noted: int
) -> dict[str, dict[str, int]]:
    """The ``triage``, ``seen`` and ``noted`` facets of a result set of ``total`` items, of
    which ``states`` counts each decided state, ``seen`` the seen ones and ``noted`` those
    with a note. As every facet, values with no item are left out."""
    decided = {state: int(states.get(state, 0)) for state in TRIAGE_STATES}
    counts = {UNTRIAGED: total - sum(decided.values()), **decided}
    return {
        "triage": {key: n for key, n in counts.items() if n > 0},
        "seen": {key: n for key, n in (("true", seen), ("false", total - seen)) if n > 0},
        "noted": {key: n for key, n in (("true", noted), ("false", total - noted)) if n > 0},
    }
