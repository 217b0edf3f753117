"""``wildwatch import``: analyse and index items the NGO already holds (backfill archives).

Reads JSON lines ``{"url", "text", "title"?, "published_at"?, "source"?, "kind"?, "lang"?}``
from a file or stdin, as bytes, decoding each line itself (strict UTF-8; a byte-order mark is
allowed on the first line); writes documents to the configured index through the same document
builder and duplicate linker as the crawl (``ingest.documents``, ``ingest.duplicates``): the id
from the canonical form of the URL, the ``url`` stored exactly as given. A line with invalid
UTF-8, bad JSON, a missing field or a malformed URL (``http://[::1/x``) is reported on stderr
with its number and skipped; nothing is silently altered, the other lines go in. Prints the
counts new / updated / unchanged / bad. Importing the same file twice updates instead of
duplicating. Analysis runs in a process pool for big inputs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO, TextIO, cast

from ingest.documents import analyze_with_fingerprints, build_document
from ingest.duplicates import DuplicateLinker
from ingest.progress import Progress, choose_mode, count_lines
from ingest.settings import progress_every_seconds
from pipelines.fields import Analysis
from pipelines.settings import analysis_workers
from pipelines.urls import check_url as validate_url
from pipelines.urls import document_id
from search.backend import IndexingError, SearchBackend
from search.dates import parse_datetime
from search.document import Document
from search.factory import open_backend
from search.indexed import InvalidDocument

BATCH_LINES = 500  # lines analysed and indexed per transaction
POOL_THRESHOLD = BATCH_LINES  # smaller inputs are analysed in-process (no pool start-up)
KINDS = ("news", "marketplace", "social")
_BOM = b"\xef\xbb\xbf"


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


def decode_line(raw: bytes, line: int) -> str:
    """The text of one input line: strict UTF-8 (archives exported from Windows tools start
    with a byte-order mark, allowed on line 1). Raises ``BadLine`` naming the byte."""
    if line == 1 and raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadLine(
            f"invalid UTF-8 at byte {error.start + 1} ({raw[error.start : error.end]!r})"
        ) from None


def check_url(url: str) -> str:
    """``url`` if it is a usable http(s) URL (``pipelines.urls.check_url``: scheme, host, port,
    IPv6 brackets, length) that has a document id; raises ``BadLine`` naming the field."""
    try:
        url = validate_url(url)
        document_id(url)
    except ValueError as error:  # InvalidURL is a ValueError and says what is wrong
        raise BadLine(f"field 'url': {error}") from None
    return url


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

    url = check_url(cast(str, text_field("url", required=True)).strip())
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


def raw_item(record: Record, fetched_at: str) -> dict[str, Any]:
    """The raw item of a record, as the crawl's spiders make them (title and text normalised
    like extracted pages: Unicode NFC, whitespace)."""
    from pipelines.normalize import normalize_text

    return {
        "url": record.url,
        "source": record.source,
        "kind": record.kind,
        "country": None,
        "title": normalize_text(record.title),
        "text": normalize_text(record.text),
        "author": None,
        "seller": None,
        "published_at": record.published_at,
        "fetched_at": fetched_at,
        "archive_sha256": None,
        "lang": record.lang,
    }


def analyse(item: dict[str, Any]) -> tuple[dict[str, Any], Analysis]:
    """Worker call: fingerprints and analysis of one imported item."""
    return analyze_with_fingerprints(
        item["text"], item["title"] or None, item["url"], item.get("lang")
    )


def _ignore_stop_signals() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the import, not the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _numbered(lines: Iterable[str | bytes]) -> Iterator[tuple[int, str | BadLine]]:
    """(line number, text or why it cannot be decoded) of each line."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, str):
            yield number, raw
            continue
        try:
            yield number, decode_line(raw, number)
        except BadLine as error:
            yield number, error


def _batches(
    lines: Iterable[tuple[int, str | BadLine]],
) -> Iterator[list[tuple[int, str | BadLine]]]:
    iterator = iter(lines)
    while batch := list(itertools.islice(iterator, BATCH_LINES)):
        yield batch


def import_lines(
    lines: Iterable[str] | Iterable[bytes] | BinaryIO,
    backend: SearchBackend,
    *,
    source: str | None = None,
    kind: str | None = None,
    workers: int = 1,
    errors: TextIO | None = None,
    progress: Progress | None = None,
) -> Counter[str]:
    """Import ``lines`` (texts, or bytes decoded here); returns counts of new, updated,
    unchanged and bad lines. ``progress`` is told of every line read and analysed."""
    line_errors = _LineErrors(errors or sys.stderr, progress)
    counts: Counter[str] = Counter(new=0, updated=0, unchanged=0, bad=0)
    read = 0  # lines of the batches before this one

    def report(done: int) -> None:
        if progress is not None:
            shown = ("new", "updated", "unchanged", "bad")
            progress.update(done, {name: counts[name] for name in shown})

    report(0)  # started: loading the analysis models can take a while

    fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    linker = DuplicateLinker(backend)
    executor: Executor | None = None
    try:
        for batch in _batches(_numbered(lines)):
            records: list[Record] = []
            for number, raw in batch:
                try:
                    if isinstance(raw, BadLine):
                        raise raw
                    record = parse_line(raw, number, source=source, kind=kind)
                except BadLine as error:
                    print(f"line {number}: {error}", file=line_errors)
                    counts["bad"] += 1
                    continue
                if record is not None:
                    records.append(record)
            if executor is None and workers > 1 and len(batch) >= POOL_THRESHOLD:
                executor = ProcessPoolExecutor(workers, initializer=_ignore_stop_signals)
            items = [raw_item(record, fetched_at) for record in records]
            results: Iterable[tuple[dict[str, Any], Analysis]]
            if executor is not None:
                results = executor.map(analyse, items, chunksize=16)
            else:
                results = (analyse(item) for item in items)
            docs = []
            skipped = len(batch) - len(records)  # bad and blank lines
            for item, (found, analysis) in zip(items, results, strict=True):
                docs.append(linker.link(build_document({**item, **found}, analysis)))
                report(read + skipped + len(docs))
            _index(backend, records, docs, counts, line_errors)
            linker.committed(docs)
            read += len(batch)
            report(read)
    finally:
        if executor is not None:
            executor.shutdown()
    return counts


class _LineErrors:
    """The stream bad lines are reported on; a progress line on the same terminal is ended
    first, so the report does not land in the middle of it."""

    def __init__(self, stream: TextIO, progress: Progress | None) -> None:
        self.stream = stream
        self.progress = progress

    def write(self, text: str) -> int:
        if self.progress is not None and self.progress.stream is self.stream:
            self.progress.interrupt_line()
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def _index(
    backend: SearchBackend,
    records: list[Record],
    docs: list[Document],
    counts: Counter[str],
    errors: _LineErrors,
) -> None:
    try:
        outcomes = backend.upsert(docs)
    except IndexingError as error:
        # The index refused some items after its retries and wrote the others: name the lines
        # refused (a later import of the same file sends them again: imports are idempotent).
        refused = 0
        for record, doc in zip(records, docs, strict=True):
            if doc["id"] in error.failures:
                print(f"line {record.line}: not indexed: {error.failures[doc['id']]}", file=errors)
                refused += 1
        counts["bad"] += refused
        counts["indexed"] += len(docs) - refused
        return
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
    stream: BinaryIO
    total: int | None = None
    if args.input == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(args.input, "rb")  # noqa: SIM115
        except OSError as error:
            print(f"wildwatch import: cannot read {args.input}: {error.strerror}", file=sys.stderr)
            return 2
        total = count_lines(args.input)
    progress = Progress(
        "import",
        "lines",
        sys.stderr,
        choose_mode(sys.stderr, quiet=getattr(args, "quiet", False)),
        total=total,
        log_every=progress_every_seconds(),
    )
    progress.start_ticker()
    backend = open_backend()
    try:
        counts = import_lines(
            stream,
            backend,
            source=args.source,
            kind=args.kind,
            workers=max(1, analysis_workers()),
            progress=progress,
        )
    finally:
        progress.finish()
        backend.close()
        if args.input != "-":
            stream.close()
    print(
        f"imported: {counts['new']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['bad']} bad"
        + (f" ({counts['indexed']} more indexed, new or updated)" if counts["indexed"] else "")
    )
    return 1 if counts["bad"] else 0
