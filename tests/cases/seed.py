"""An index seeded with real labelled cases (tests/cases/*.jsonl), analysed as ingest does:
the web, CLI and store tests read these, so what they show is what a journalist would see."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from bench.cases_bench import as_document, load_split
from pipelines.dedup import content_hash, simhash
from pipelines.urls import document_id
from search.document import Document
from search.sqlite_backend import SqliteBackend

# Tigers in Nghệ An in one week of August 2021 (two cases, same province and species), a
# Hanoi rhino horn kingpin followed from arrest to sentence, and a Hải Phòng ivory haul.
SEEDED_CASES = (
    "vn-yen-thanh-17-tigers",
    "vn-dien-chau-7-tiger-cubs",
    "vn-nguyen-mau-chien-rhino",
    "vn-haiphong-hmd-615kg-ivory",
)


def labelled_rows(cases: tuple[str, ...] = SEEDED_CASES) -> list[dict[str, Any]]:
    rows = [row for split in ("tune", "dev") for row in load_split(split)]
    return [row for row in rows if row["case"] in cases]


def document_of(row: dict[str, Any], **changes: Any) -> Document:
    doc = as_document(row)
    doc.update(
        id=document_id(row["source_url"]),
        kind="news",
        country="VN",
        author=None,
        seller=None,
        published_at=f"{row['published_at']}T08:00:00+07:00",
        fetched_at=f"{row['published_at']}T02:00:00+00:00",
        content_hash=content_hash(row["title"], row["text"]),
        simhash=simhash(row["title"] + "\n" + row["text"]),
        duplicate_of=None,
        archive_sha256=None,
    )
    doc.update(changes)
    return cast(Document, doc)


def seed_index(home: Path, rows: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """Index the rows under ``home`` (WILDWATCH_HOME); returns labelled id → document id."""
    rows = labelled_rows() if rows is None else rows
    backend = SqliteBackend(home / "index.sqlite")
    try:
        backend.upsert([document_of(row) for row in rows])
    finally:
        backend.close()
    return {row["id"]: document_id(row["source_url"]) for row in rows}


def seed_cases(home: Path, rows: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """Index the rows and build the cases over them (``WILDWATCH_HOME/cases.sqlite``)."""
    from cases.rebuild import update
    from cases.store import CaseStore

    seeded = seed_index(home, rows)
    backend = SqliteBackend(home / "index.sqlite")
    try:
        update(backend, CaseStore(home / "cases.sqlite"), full=True)
    finally:
        backend.close()
    return seeded
