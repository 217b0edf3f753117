"""``wildwatch import``: analyse and index items the NGO already holds (backfill archives).

Reads JSON lines ``{"url", "text", "title"?, "published_at"?, "source"?, "kind"?, "lang"?}``
from a file or stdin; writes documents to the configured index exactly as the crawl would
(id and canonical URL from pipelines.urls, content hash and simhash from pipelines.dedup,
near-duplicate link to the earliest copy), reports every bad line on stderr with its number,
and prints the counts new / updated / unchanged / bad. Importing the same file twice updates
instead of duplicating (ids come from URLs). Analysis runs in a process pool for big inputs.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO, cast

from pipelines.settings import analysis_workers
from search.backend import SearchBackend
from search.dates import parse_datetime
from search.document import Document
from search.factory import open_backend
from search.indexed import InvalidDocument

BATCH_LINES = 500  # lines analysed and indexed per transaction
POOL_THRESHOLD = BATCH_LINES  # smaller inputs are analysed in-process (no pool start-up)
KINDS = ("news", "marketplace", "social")


class BadLine(ValueError):
    """A line that cannot be imported; the message names the field."""


@dataclass(frozen=True)
class Record:
    """One valid input line, before analysis."""

    line: int
    url: str
    text: str
    title: str
    published_at: str | None
    source: str
    kind: str
    lang: str | None


def parse_line(raw: str, line: int, *, source: str | None, kind: str | None) -> Record | None:
    """The record of one input line; None for a blank line. Raises ``BadLine``."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadLine(f"invalid JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(data, dict):
        raise BadLine("expected a JSON object")

    def text_field(name: str, *, required: bool = False) -> str | None:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise BadLine(f"field {name!r} is missing or empty")
            return None
        if not isinstance(value, str):
            raise BadLine(f"field {name!r} must be a string, not {type(value).__name__}")
        return value

    url = cast(str, text_field("url", required=True)).strip()
    if not url.lower().startswith(("http://", "https://")):
        raise BadLine(f"field 'url': {url!r} is not an http(s) URL")
    published = text_field("published_at")
    if published is not None:
        try:
            published = parse_datetime(published, "field 'published_at'").isoformat()
        except ValueError as error:
            raise BadLine(str(error)) from None
    item_kind = text_field("kind") or kind or "news"
    if item_kind not in KINDS:
        raise BadLine(f"field 'kind': {item_kind!r} is not one of {', '.join(KINDS)}")
    return Record(
        line=line,
        url=url,
        text=cast(str, text_field("text", required=True)),
        title=text_field("title") or "",
        published_at=published,
        source=(text_field("source") or source or "import").strip(),
        kind=item_kind,
        lang=text_field("lang"),
    )


def build_document(record: Record, fetched_at: str) -> Document:
    """Analyse ``record`` and build the document the crawl would have built. Runs in pool
    workers: imports the analysis stack here, not at module level."""
    from pipelines.analysis import analyze
    from pipelines.dedup import content_hash, simhash
    from pipelines.normalize import normalize_text
    from pipelines.urls import canonical_url, document_id

    title = normalize_text(record.title)
    text = normalize_text(record.text)
    analysis = analyze(text, title=title or None, url=record.url, lang_hint=record.lang)
    doc: dict[str, Any] = {
        "id": document_id(record.url),
        "url": canonical_url(record.url),
        "source": record.source,
        "kind": record.kind,
        "country": None,
        "title": title,
        "text": text,
        "author": None,
        "seller": None,
        "published_at": record.published_at,
        "fetched_at": fetched_at,
        **analysis,
        "content_hash": content_hash(title, text),
        "simhash": simhash(text),
        "duplicate_of": None,
        "archive_sha256": None,
    }
    return cast(Document, doc)


def _build(job: tuple[Record, str]) -> Document:
    return build_document(*job)


def _copy(doc: Document) -> Any:
    from pipelines.dedup import Copy

    return Copy(
        doc["id"], doc.get("duplicate_of"), doc.get("published_at") or doc.get("fetched_at")
    )


def _link_duplicates(backend: SearchBackend, docs: list[Document]) -> list[Document]:
    """Set ``duplicate_of`` like the crawl pipeline (pipelines.dedup.link_copies): the
    earliest-dated near-identical item among stored items and earlier lines of the batch.
    Archives are often older than what was crawled, so an imported item may become the
    original of a stored group: returns the stored documents re-pointed at it."""
    from pipelines.dedup import MAX_DISTANCE, is_near_duplicate, link_copies

    batch_ids = {doc["id"] for doc in docs}
    relinked: dict[str, Document] = {}
    for position, doc in enumerate(docs):
        candidates = {}
        for other_id in backend.near_duplicates(doc["simhash"], MAX_DISTANCE):
            other = relinked.get(other_id) or backend.get(other_id)
            if other is not None:
                candidates[other_id] = _copy(other)
        for earlier in docs[:position]:
            if is_near_duplicate(doc["simhash"], earlier["simhash"]):
                candidates[earlier["id"]] = _copy(earlier)
        doc["duplicate_of"] = None
        linking = link_copies(_copy(doc), candidates.values())
        doc["duplicate_of"] = linking.duplicate_of
        roots = set(linking.demoted)
        if not roots:
            continue
        for earlier in docs[:position]:
            if earlier["id"] in roots or earlier.get("duplicate_of") in roots:
                earlier["duplicate_of"] = doc["id"]
        for root in roots:
            stored = backend.get(root)
            members = ([stored] if stored is not None else []) + backend.duplicates_of(root)
            for member in members:
                if member["id"] != doc["id"] and member["id"] not in batch_ids:
                    member["duplicate_of"] = doc["id"]
                    relinked[member["id"]] = member
    return list(relinked.values())


def _batches(lines: Iterable[str]) -> Iterator[list[tuple[int, str]]]:
    numbered = enumerate(lines, start=1)
    while batch := list(itertools.islice(numbered, BATCH_LINES)):
        yield batch


def import_lines(
    lines: Iterable[str],
    backend: SearchBackend,
    *,
    source: str | None = None,
    kind: str | None = None,
    workers: int = 1,
    errors: TextIO | None = None,
) -> Counter[str]:
    """Import ``lines``; returns counts of new, updated, unchanged and bad lines."""
    errors = errors or sys.stderr
    counts: Counter[str] = Counter(new=0, updated=0, unchanged=0, bad=0)
    fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    executor: Executor | None = None
    try:
        for batch in _batches(lines):
            records: list[Record] = []
            for number, raw in batch:
                try:
                    record = parse_line(raw, number, source=source, kind=kind)
                except BadLine as error:
                    print(f"line {number}: {error}", file=errors)
                    counts["bad"] += 1
                    continue
                if record is not None:
                    records.append(record)
            if executor is None and workers > 1 and len(batch) >= POOL_THRESHOLD:
                executor = ProcessPoolExecutor(max_workers=workers)
            jobs = [(record, fetched_at) for record in records]
            if executor is not None:
                docs = list(executor.map(_build, jobs, chunksize=16))
            else:
                docs = [_build(job) for job in jobs]
            relinked = _link_duplicates(backend, docs)
            _index(backend, records, docs, counts, errors)
            if relinked:
                backend.upsert(relinked)
    finally:
        if executor is not None:
            executor.shutdown()
    return counts


def _index(
    backend: SearchBackend,
    records: list[Record],
    docs: list[Document],
    counts: Counter[str],
    errors: TextIO,
) -> None:
    try:
        outcomes = backend.upsert(docs)
    except InvalidDocument:
        # One document refused: index the others one by one so only that line is lost.
        outcomes = []
        for record, doc in zip(records, docs, strict=True):
            try:
                outcomes.extend(backend.upsert([doc]))
            except InvalidDocument as error:
                print(f"line {record.line}: {error}", file=errors)
                counts["bad"] += 1
    counts.update(outcomes)


def run(args: argparse.Namespace) -> int:
    stream: TextIO
    # utf-8-sig: archives exported from Windows tools start with a byte-order mark. Undecodable
    # bytes become U+FFFD rather than losing the whole line.
    if args.input == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace")
    else:
        try:
            stream = open(args.input, encoding="utf-8-sig", errors="replace")  # noqa: SIM115
        except OSError as error:
            print(f"wildwatch import: cannot read {args.input}: {error.strerror}", file=sys.stderr)
            return 2
    backend = open_backend()
    try:
        counts = import_lines(
            stream,
            backend,
            source=args.source,
            kind=args.kind,
            workers=max(1, analysis_workers()),
        )
    finally:
        backend.close()
        if args.input != "-":
            stream.close()
    print(
        f"imported: {counts['new']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['bad']} bad"
    )
    return 1 if counts["bad"] else 0
