"""The case store: ``WILDWATCH_HOME/cases.sqlite`` (whichever index backend is configured).

Holds, per indexed article that reports an enforcement action, what the grouping reads (its
features, cached so a rebuild need not re-read every text) and what the pages show; the cases
and their members; the staff decisions (merge, split) in the order they were taken; the
cases people follow; and the step changes of cases (for alerts). Decisions are keyed by
document ids (hashes of the canonical URL), so they survive re-analysis, re-indexing and
rebuilds: a rebuild regroups everything and applies them again.

WAL mode and a busy timeout let the web UI read while a rebuild writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cases.features import ArticleFeatures
from cases.model import ArticleRecord, Case, build_case

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,       -- hash of the analysis fields the features came from
    features TEXT NOT NULL,          -- JSON of ArticleFeatures
    record TEXT NOT NULL,            -- JSON of ArticleRecord
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,              -- JSON of the Case without its articles
    status TEXT,
    last_activity TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_articles (
    doc_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_articles_case ON case_articles (case_id);
-- staff decisions, applied in id order: 'together' (merge) or 'apart' (split)
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL,
    moved TEXT NOT NULL,             -- JSON list of doc ids
    rest TEXT NOT NULL,              -- JSON list of doc ids
    actor TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS follows (
    case_id TEXT NOT NULL,
    email TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (case_id, email)
);
-- a case's status moved to a later step (seizure -> trial): what "a case I follow moved" reads
CREATE TABLE IF NOT EXISTS case_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    from_step TEXT,
    to_step TEXT NOT NULL,
    noticed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def features_to_json(features: ArticleFeatures) -> dict[str, Any]:
    return {
        "doc_id": features.doc_id,
        "day": features.day.isoformat() if features.day else None,
        "species": sorted(features.species),
        "steps": sorted(features.steps),
        "quantities": sorted([unit, value] for unit, value in features.quantities),
        "specific_places": sorted(features.specific_places),
        "provinces": sorted(features.provinces),
        "countries": sorted(features.countries),
        "names": sorted(features.names),
        "keys": sorted(features.keys),
        "duplicate_of": features.duplicate_of,
        "source": features.source,
        "title": features.title,
    }


def features_from_json(data: dict[str, Any]) -> ArticleFeatures:
    return ArticleFeatures(
        doc_id=data["doc_id"],
        day=_day(data.get("day")),
        species=frozenset(data.get("species", ())),
        steps=frozenset(data.get("steps", ())),
        quantities=frozenset((str(u), float(v)) for u, v in data.get("quantities", ())),
        specific_places=frozenset(data.get("specific_places", ())),
        provinces=frozenset(data.get("provinces", ())),
        countries=frozenset(data.get("countries", ())),
        names=frozenset(data.get("names", ())),
        keys=frozenset(data.get("keys", ())),
        duplicate_of=data.get("duplicate_of"),
        source=data.get("source", ""),
        title=data.get("title", ""),
    )


def record_to_json(record: ArticleRecord) -> dict[str, Any]:
    return {
        "doc_id": record.doc_id,
        "url": record.url,
        "title": record.title,
        "source": record.source,
        "day": record.day.isoformat() if record.day else None,
        "steps": list(record.steps),
        "species": list(record.species),
        "places": list(record.places),
        "provinces": list(record.provinces),
        "countries": list(record.countries),
    }


def record_from_json(data: dict[str, Any]) -> ArticleRecord:
    return ArticleRecord(
        doc_id=data["doc_id"],
        url=data.get("url", ""),
        title=data.get("title", ""),
        source=data.get("source", ""),
        day=_day(data.get("day")),
        steps=tuple(data.get("steps", ())),
        species=tuple(data.get("species", ())),
        places=tuple(data.get("places", ())),
        provinces=tuple(data.get("provinces", ())),
        countries=tuple(data.get("countries", ())),
    )


@dataclass(frozen=True)
class Decision:
    id: int
    action: str  # together | apart
    moved: tuple[str, ...]
    rest: tuple[str, ...]
    actor: str
    note: str
    created_at: str


@dataclass(frozen=True)
class CaseEvent:
    id: int
    case_id: str
    from_step: str | None
    to_step: str
    noticed_at: str


class CaseStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as connection:
            connection.executescript(SCHEMA)

    @classmethod
    def from_settings(cls) -> CaseStore:
        from cases.settings import case_db_path

        return cls(case_db_path())

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA busy_timeout=30000")
            with connection:
                yield connection
        finally:
            connection.close()

    # articles -------------------------------------------------------------------------------
    def fingerprints(self) -> dict[str, str]:
        with self.connect() as connection:
            rows = connection.execute("SELECT doc_id, fingerprint FROM articles").fetchall()
        return {row["doc_id"]: row["fingerprint"] for row in rows}

    def put_articles(self, rows: Iterable[tuple[ArticleFeatures, ArticleRecord, str]]) -> int:
        now, count = _now(), 0
        with self.connect() as connection:
            for features, record, fingerprint in rows:
                connection.execute(
                    "INSERT INTO articles (doc_id, fingerprint, features, record, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET"
                    " fingerprint = excluded.fingerprint, features = excluded.features,"
                    " record = excluded.record, updated_at = excluded.updated_at",
                    (
                        features.doc_id,
                        fingerprint,
                        json.dumps(features_to_json(features), ensure_ascii=False),
                        json.dumps(record_to_json(record), ensure_ascii=False),
                        now,
                    ),
                )
                count += 1
        return count

    def remove_articles(self, doc_ids: Iterable[str]) -> None:
        with self.connect() as connection:
            connection.executemany(
                "DELETE FROM articles WHERE doc_id = ?", [(doc_id,) for doc_id in doc_ids]
            )

    def all_articles(self) -> tuple[list[ArticleFeatures], dict[str, ArticleRecord]]:
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT features, record FROM articles ORDER BY doc_id"
            ).fetchall()
        features = [features_from_json(json.loads(row["features"])) for row in rows]
        records = {
            record.doc_id: record
            for record in (record_from_json(json.loads(row["record"])) for row in rows)
        }
        return features, records

    # cases ------------------------------------------------------------------------------------
    def memberships(self) -> dict[str, str]:
        with self.connect() as connection:
            rows = connection.execute("SELECT doc_id, case_id FROM case_articles").fetchall()
        return {row["doc_id"]: row["case_id"] for row in rows}

    def case_of(self, doc_id: str) -> str | None:
        with self.connect() as connection:
            row = connection.execute(
                "SELECT case_id FROM case_articles WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return row["case_id"] if row else None

    def statuses(self) -> dict[str, str | None]:
        with self.connect() as connection:
            rows = connection.execute("SELECT id, status FROM cases").fetchall()
        return {row["id"]: row["status"] for row in rows}

    def replace_cases(
        self, cases: Sequence[Case], events: Sequence[tuple[str, str | None, str]]
    ) -> None:
        """Store the cases of a rebuild (replacing the previous ones) and their step changes,
        in one transaction: readers see the old cases or the new ones, never half."""
        now = _now()
        with self.connect() as connection:
            connection.execute("DELETE FROM cases")
            connection.execute("DELETE FROM case_articles")
            for case in cases:
                data = case.to_json(with_articles=False)
                data["article_ids"] = [a.doc_id for a in case.articles]
                connection.execute(
                    "INSERT INTO cases (id, data, status, last_activity, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (
                        case.id,
                        json.dumps(data, ensure_ascii=False),
                        case.status,
                        case.last_activity.isoformat() if case.last_activity else None,
                        now,
                    ),
                )
                connection.executemany(
                    "INSERT INTO case_articles (doc_id, case_id) VALUES (?, ?)",
                    [(a.doc_id, case.id) for a in case.articles],
                )
            connection.executemany(
                "INSERT INTO case_events (case_id, from_step, to_step, noticed_at)"
                " VALUES (?, ?, ?, ?)",
                [(case_id, old, new, now) for case_id, old, new in events],
            )

    def get(self, case_id: str) -> Case | None:
        with self.connect() as connection:
            row = connection.execute("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                return None
            wanted = json.loads(row["data"])["article_ids"]
            records = [
                found
                for doc_id in wanted
                if (
                    found := connection.execute(
                        "SELECT record FROM articles WHERE doc_id = ?", (doc_id,)
                    ).fetchone()
                )
            ]
        articles = [record_from_json(json.loads(r["record"])) for r in records]
        return build_case(case_id, articles)

    def all_cases(self) -> list[Case]:
        _features, records = self.all_articles()
        with self.connect() as connection:
            rows = connection.execute("SELECT id, data FROM cases").fetchall()
        cases = []
        for row in rows:
            ids = json.loads(row["data"])["article_ids"]
            cases.append(build_case(row["id"], [records[i] for i in ids if i in records]))
        return cases

    # decisions --------------------------------------------------------------------------------
    def add_decision(
        self, action: str, moved: Sequence[str], rest: Sequence[str], *, actor: str, note: str
    ) -> int:
        if action not in ("together", "apart"):
            raise ValueError(f"decision action {action!r}: expected 'together' or 'apart'")
        with self.connect() as connection:
            cursor = connection.execute(
                "INSERT INTO decisions (action, moved, rest, actor, note, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (action, json.dumps(list(moved)), json.dumps(list(rest)), actor, note, _now()),
            )
            return int(cursor.lastrowid or 0)

    def decisions(self) -> list[Decision]:
        with self.connect() as connection:
            rows = connection.execute("SELECT * FROM decisions ORDER BY id").fetchall()
        return [
            Decision(
                row["id"],
                row["action"],
                tuple(json.loads(row["moved"])),
                tuple(json.loads(row["rest"])),
                row["actor"],
                row["note"],
                row["created_at"],
            )
            for row in rows
        ]

    def reassign(self, doc_ids: Iterable[str], case_id: str) -> None:
        """Point articles at a case id before a rebuild, so the regrouped case keeps it."""
        with self.connect() as connection:
            connection.executemany(
                "INSERT INTO case_articles (doc_id, case_id) VALUES (?, ?)"
                " ON CONFLICT (doc_id) DO UPDATE SET case_id = excluded.case_id",
                [(doc_id, case_id) for doc_id in doc_ids],
            )

    # follows and events -----------------------------------------------------------------------
    def follow(self, case_id: str, email: str, lang: str = "vi") -> None:
        with self.connect() as connection:
            connection.execute(
                "INSERT INTO follows (case_id, email, lang, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (case_id, email) DO UPDATE SET lang = excluded.lang",
                (case_id, email.strip().lower(), lang, _now()),
            )

    def unfollow(self, case_id: str, email: str) -> bool:
        with self.connect() as connection:
            cursor = connection.execute(
                "DELETE FROM follows WHERE case_id = ? AND email = ?",
                (case_id, email.strip().lower()),
            )
            return cursor.rowcount > 0

    def followers(self, case_id: str) -> list[tuple[str, str]]:
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT email, lang FROM follows WHERE case_id = ? ORDER BY email", (case_id,)
            ).fetchall()
        return [(row["email"], row["lang"]) for row in rows]

    def follow_times(self, case_id: str) -> dict[str, str]:
        """Follower e-mail → when they started following (ISO 8601 UTC)."""
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT email, created_at FROM follows WHERE case_id = ?", (case_id,)
            ).fetchall()
        return {row["email"]: row["created_at"] for row in rows}

    def followed_by(self, email: str) -> list[str]:
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT case_id FROM follows WHERE email = ? ORDER BY case_id",
                (email.strip().lower(),),
            ).fetchall()
        return [row["case_id"] for row in rows]

    def rename_follows(self, renames: dict[str, str]) -> None:
        """Follows of a case that a merge folded into another move to the surviving case."""
        with self.connect() as connection:
            for old, new in renames.items():
                connection.execute(
                    "UPDATE OR IGNORE follows SET case_id = ? WHERE case_id = ?", (new, old)
                )
                connection.execute("DELETE FROM follows WHERE case_id = ?", (old,))

    def events_since(self, after_id: int = 0) -> list[CaseEvent]:
        with self.connect() as connection:
            rows = connection.execute(
                "SELECT * FROM case_events WHERE id > ? ORDER BY id", (after_id,)
            ).fetchall()
        return [
            CaseEvent(r["id"], r["case_id"], r["from_step"], r["to_step"], r["noticed_at"])
            for r in rows
        ]

    def get_meta(self, key: str) -> str | None:
        with self.connect() as connection:
            row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.connect() as connection:
            connection.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
