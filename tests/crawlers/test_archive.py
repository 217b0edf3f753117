"""Evidence archive: round trip, deduplication, tamper detection, WARC export, Scrapy adapter."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawlers.archive import (
    NEW_TEMPORARY_SECONDS,
    ArchiveIntegrityError,
    ArchiveMissingError,
    EvidenceArchive,
)
from crawlers.archive_middleware import EvidenceArchiveMiddleware
from crawlers.warc_export import export_warc
from wildwatch.cli import main

ARTICLE_URL = "https://vnexpress.net/bat-giu-3-tan-vay-te-te-tai-cang-hai-phong-4712345.html"
# A real-looking article: boilerplate, Vietnamese text, a non-UTF-8 legacy byte, a price.
PAGE = (
    "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
    "<title>Bắt giữ 3 tấn vảy tê tê tại cảng Hải Phòng - VnExpress</title></head><body>"
    "<nav>Thời sự | Góc nhìn | Thế giới | Pháp luật</nav><article class='fck_detail'>"
    "<h1>Bắt giữ 3 tấn vảy tê tê tại cảng Hải Phòng</h1>"
    "<p>Cục Hải quan Hải Phòng phát hiện container chứa 3 tấn vảy tê tê nhập từ Nigeria, "
    "trị giá khoảng 15 tỷ đồng.</p></article><footer>© 1997-2024 VnExpress</footer>"
    "</body></html>"
).encode() + b"\xff\xfe"
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Encoding", "gzip"),
    ("ETag", '"abc123"'),
    ("Set-Cookie", "a=1"),
    ("Set-Cookie", "b=2"),
]
GONE = "<html><p>Tin đã bị xóa</p></html>".encode()
T0 = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[EvidenceArchive]:
    with EvidenceArchive(tmp_path / "archive") as opened:
        yield opened


def store(archive: EvidenceArchive, *, body: bytes = PAGE, when: datetime = T0, **kwargs: object):
    fields: dict[str, object] = {
        "url": ARTICLE_URL + "?utm_source=rss",
        "final_url": ARTICLE_URL,
        "status": 200,
        "headers": HEADERS,
        "body": body,
        "fetched_at": when,
        "source": "vnexpress",
    }
    fields.update(kwargs)
    return archive.store(**fields)  # type: ignore[arg-type]


def test_round_trip_keeps_bytes_headers_and_fetch_facts(archive: EvidenceArchive) -> None:
    record = store(archive)
    assert record.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert archive.body(record.sha256) == PAGE
    stored = archive.record(record.sha256)
    assert stored == record
    assert stored is not None
    assert stored.headers == tuple(HEADERS)  # order and repeated names kept
    assert stored.content_type == "text/html; charset=utf-8"
    assert stored.size == len(PAGE)
    assert stored.fetched_at == "2024-05-01T03:00:00+00:00"
    assert stored.url.endswith("?utm_source=rss") and stored.final_url == ARTICLE_URL
    path = archive.object_path(record.sha256)
    assert path.parent.name == record.sha256[:2]
    assert gzip.decompress(path.read_bytes()) == PAGE
    assert path.stat().st_size < len(PAGE)  # stored compressed


def test_records_survive_reopening(tmp_path: Path) -> None:
    with EvidenceArchive(tmp_path / "a") as archive:
        record = store(archive)
    with EvidenceArchive(tmp_path / "a") as again:
        assert again.latest(ARTICLE_URL) == record
        assert again.body(record.sha256) == PAGE


def test_same_body_stored_once_each_fetch_recorded(archive: EvidenceArchive) -> None:
    first = store(archive, when=T0)
    second = store(archive, when=T0 + timedelta(days=1), url=ARTICLE_URL)
    changed = store(archive, body=PAGE + b"<!-- updated -->", when=T0 + timedelta(days=2))
    objects = [p for p in archive.root.rglob("*.gz")]
    assert len(objects) == 2
    assert archive.record(first.sha256) == first  # the earliest fetch of that body
    assert archive.latest(ARTICLE_URL) == changed
    # Tracking tags and www. do not hide a page's history.
    assert (
        archive.latest(
            "https://www.vnexpress.net/bat-giu-3-tan-vay-te-te-tai-cang-hai-phong-"
            "4712345.html?utm_medium=social#comments"
        )
        == changed
    )
    assert list(archive.records(url=ARTICLE_URL)) == [first, second, changed]
    assert archive.latest("https://vnexpress.net/other.html") is None
    assert archive.record("0" * 64) is None


def test_record_filters(archive: EvidenceArchive) -> None:
    a = store(archive, when=T0)
    b = store(
        archive,
        when=T0 + timedelta(hours=5),
        source="tuoitre",
        url="https://tuoitre.vn/a.htm",
        final_url="https://tuoitre.vn/a.htm",
    )
    c = store(archive, when=T0 + timedelta(days=3), body=b"<html>other</html>")
    assert list(archive.records(source="tuoitre")) == [b]
    assert list(archive.records(since=T0 + timedelta(hours=1))) == [b, c]
    assert list(archive.records(until=T0 + timedelta(hours=5))) == [a]  # until is exclusive
    assert list(archive.records(source="vnexpress", since=T0, until=T0 + timedelta(days=4))) == [
        a,
        c,
    ]
    # Naive datetimes are UTC; other zones are converted.
    assert list(archive.records(since=datetime(2024, 5, 1, 8, 1))) == [c]
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    assert list(archive.records(since=datetime(2024, 5, 1, 10, 1, tzinfo=hanoi))) == [b, c]


def test_many_records_are_paged_in_time_order(archive: EvidenceArchive) -> None:
    for i in range(1203):
        store(archive, body=b"page %d" % i, when=T0 + timedelta(minutes=1203 - i))
    times = [record.fetched_at for record in archive.records()]
    assert len(times) == 1203
    assert times == sorted(times)


def test_tampered_body_is_detected(archive: EvidenceArchive) -> None:
    record = store(archive)
    path = archive.object_path(record.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(gzip.compress(PAGE.replace(b"3 t\xe1\xba\xa5n", b"3 kg")))
    with pytest.raises(ArchiveIntegrityError, match="altered") as caught:
        archive.body(record.sha256)
    assert record.sha256 in str(caught.value) and str(path) in str(caught.value)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ArchiveIntegrityError, match="damaged"):
        archive.body(record.sha256)
    # Fetching the page again repairs the stored copy.
    store(archive, when=T0 + timedelta(days=1))
    assert archive.body(record.sha256) == PAGE


def test_missing_body_and_bad_hash(archive: EvidenceArchive) -> None:
    record = store(archive)
    archive.object_path(record.sha256).unlink()
    with pytest.raises(ArchiveMissingError):
        archive.body(record.sha256)
    with pytest.raises(Exception, match="not a SHA-256"):
        archive.body("../../etc/passwd")


def test_crash_while_writing_leaves_no_partial_file(
    archive: EvidenceArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store(archive)
    monkeypatch.undo()
    sha256 = hashlib.sha256(PAGE).hexdigest()
    assert not archive.object_path(sha256).exists()
    assert not [p for p in archive.root.rglob(".tmp*")]
    assert list(archive.records()) == []  # no record points at a body that is not there
    assert archive.body(store(archive).sha256) == PAGE


def test_from_settings_uses_wildwatch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "home"))
    with EvidenceArchive.from_settings() as archive:
        store(archive)
    assert (tmp_path / "home" / "archive" / "records.sqlite").exists()


# ─── leftovers of interrupted writes ─────────────────────────────────────────────────────────

# A crawl process in miniature: it stores one page and stalls after the fsync, before the
# rename, so the parent can kill it -9 exactly there.
STALLED_WRITER = """
import os, sys, time
from datetime import UTC, datetime
from pathlib import Path
from crawlers.archive import EvidenceArchive

fsync = os.fsync
def stall(descriptor):
    fsync(descriptor)
    Path(sys.argv[2]).write_text("written, not renamed")
    time.sleep(60)

os.fsync = stall
with EvidenceArchive(Path(sys.argv[1])) as archive:
    archive.store(url=sys.argv[3], final_url=sys.argv[3], status=200, headers=[],
                  body=sys.stdin.buffer.read(), fetched_at=datetime.now(UTC), source="vnexpress")
"""


def age(path: Path, seconds: float) -> None:
    past = datetime.now(UTC).timestamp() - seconds
    os.utime(path, (past, past))


def test_write_killed_before_its_rename_leaves_a_leftover_the_next_crawl_removes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "home" / "archive"
    with EvidenceArchive(root) as archive:
        kept = store(archive, body=GONE, url="https://vnexpress.net/a.html", final_url="")
    marker = tmp_path / "stalled"
    writer = subprocess.Popen(
        [sys.executable, "-c", STALLED_WRITER, str(root), str(marker), ARTICLE_URL],
        stdin=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert writer.stdin is not None
        writer.stdin.write(PAGE)
        writer.stdin.close()
        deadline = time.monotonic() + 20
        while not marker.exists():
            assert writer.poll() is None and time.monotonic() < deadline, "writer never stalled"
            time.sleep(0.05)
        with EvidenceArchive(root) as archive:
            [live] = archive.leftovers()
            assert live.path.parent == archive.object_path(hashlib.sha256(PAGE).hexdigest()).parent
            assert live.path.name.startswith(".tmp-") and live.size > 0
            # However old the file looks, a writer that is still alive keeps it.
            age(live.path, 3600)
            assert archive.leftovers()[0].in_use
            assert archive.remove_stale_leftovers() == []
            assert live.path.exists()
    finally:
        writer.kill()  # SIGKILL: no cleanup code runs
        writer.wait(timeout=20)
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "home"))
    assert main(["archive", "verify"]) == 0  # not damage: no record points at a leftover
    captured = capsys.readouterr()
    assert "1 archived bodies checked, 0 damaged" in captured.out
    assert "1 leftovers of interrupted writes" in captured.out
    assert f"LEFTOVER {live.path} ({live.size} bytes, interrupted write)" in captured.err
    # The next crawl opens the archive for writing: the leftover goes, the evidence stays.
    middleware, _ = make_middleware(tmp_path, monkeypatch)
    middleware.close()
    assert not live.path.exists()
    with EvidenceArchive(root) as archive:
        assert archive.leftovers() == []
        assert list(archive.records()) == [kept]
        assert archive.body(kept.sha256) == GONE
        # and the page the killed writer was storing is stored whole when fetched again
        assert archive.body(store(archive).sha256) == PAGE


def test_fresh_temporary_file_is_left_to_the_writer_that_just_created_it(
    archive: EvidenceArchive,
) -> None:
    # Between mkstemp() and flock() a writer's file is unlocked for an instant: the cleaner
    # leaves files younger than a minute alone. An older unlocked one is a leftover.
    directory = archive.root / "ab"
    directory.mkdir()
    fresh = directory / ".tmp-justcreated.gz"
    fresh.write_bytes(b"")
    stale = directory / ".tmp-k1lled.gz"
    stale.write_bytes(gzip.compress(PAGE)[:100])
    age(stale, 2 * NEW_TEMPORARY_SECONDS)
    assert [(x.path, x.in_use) for x in archive.leftovers()] == [(fresh, True), (stale, False)]
    assert archive.remove_stale_leftovers() == [stale]
    assert fresh.exists() and not stale.exists()


# ─── WARC export ─────────────────────────────────────────────────────────────────────────────


def read_warc(
    path: Path,
) -> list[tuple[str, dict[str, str], str | None, list[tuple[str, str]], bytes]]:
    records = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            http = record.http_headers
            records.append(
                (
                    record.rec_type,
                    dict(record.rec_headers.headers),
                    http.statusline if http else None,
                    list(http.headers) if http else [],
                    record.content_stream().read(),
                )
            )
    return records


def test_warc_export_reads_back_with_warcio(archive: EvidenceArchive, tmp_path: Path) -> None:
    first = store(archive, when=T0)
    store(archive, when=T0 + timedelta(days=1))
    store(
        archive,
        url="https://chotot.com/ad/1.htm",
        final_url="https://chotot.com/ad/1.htm",
        status=404,
        headers=[("Content-Type", "text/html")],
        body=GONE,
        source="chotot",
        when=T0 + timedelta(days=2),
    )
    output = tmp_path / "out" / "evidence.warc.gz"
    count, size = export_warc(archive, output)
    assert count == 3 and size == 2 * len(PAGE) + len(GONE)
    records = read_warc(output)
    assert [r[0] for r in records] == ["warcinfo", "response", "response", "response"]
    _, warc, status, headers, payload = records[1]
    assert warc["WARC-Type"] == "response"
    assert warc["WARC-Target-URI"] == ARTICLE_URL
    assert warc["WARC-Date"] == "2024-05-01T03:00:00Z"
    assert warc["WARC-Payload-Digest"].startswith("sha256:")
    assert warc["Wildwatch-Requested-URI"] == first.url
    assert warc["Wildwatch-Source"] == "vnexpress"
    assert status == "200 OK"
    assert ("ETag", '"abc123"') in headers
    assert ("X-Archive-Orig-Content-Encoding", "gzip") in headers  # payload is stored decoded
    assert ("Content-Length", str(len(PAGE))) in headers
    assert [h for h in headers if h[0] == "Set-Cookie"] == [
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    assert payload == PAGE
    assert records[3][2] == "404 Not Found"
    assert records[3][1]["WARC-Target-URI"] == "https://chotot.com/ad/1.htm"
    with output.open("rb") as stream:
        assert next(iter(ArchiveIterator(stream))).rec_headers.protocol == "WARC/1.1"


def test_warc_export_filters(archive: EvidenceArchive, tmp_path: Path) -> None:
    store(archive, when=T0)
    store(
        archive,
        source="tuoitre",
        url="https://tuoitre.vn/a.htm",
        final_url="https://tuoitre.vn/a.htm",
        when=T0 + timedelta(days=1),
    )
    output = tmp_path / "tuoitre.warc.gz"
    assert export_warc(archive, output, source="tuoitre")[0] == 1
    assert [r[1]["WARC-Target-URI"] for r in read_warc(output)[1:]] == ["https://tuoitre.vn/a.htm"]
    assert export_warc(archive, output, since=T0 + timedelta(days=5))[0] == 0
    assert [r[0] for r in read_warc(output)] == ["warcinfo"]


def test_warc_export_stops_on_tampered_body(archive: EvidenceArchive, tmp_path: Path) -> None:
    record = store(archive)
    path = archive.object_path(record.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(gzip.compress(b"forged"))
    output = tmp_path / "evidence.warc.gz"
    with pytest.raises(ArchiveIntegrityError):
        export_warc(archive, output)
    assert not output.exists()
    assert not list(tmp_path.glob(".tmp-*"))


# ─── the Scrapy downloader middleware ────────────────────────────────────────────────────────


def make_middleware(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: object):
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "home"))
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    return EvidenceArchiveMiddleware.from_crawler(crawler), crawler


def respond(middleware: EvidenceArchiveMiddleware, request: Request, response: Response) -> Any:
    """process_response is a coroutine (it awaits the archive's writer thread): run it."""
    return asyncio.run(middleware.process_response(request, response))


def response_for(request: Request, status: int = 200, body: bytes = PAGE, url: str | None = None):
    return HtmlResponse(
        url=url or request.url,
        status=status,
        headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"abc123"'},
        body=body,
        request=request,
    )


def test_middleware_archives_item_pages_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    middleware, crawler = make_middleware(tmp_path, monkeypatch)
    feed = Request("https://vnexpress.net/rss/phap-luat.rss")
    assert respond(middleware, feed, response_for(feed, body=b"<rss/>")) is not None
    item = Request(ARTICLE_URL, meta={"wildwatch_item": True, "wildwatch_source": "vnexpress"})
    response = respond(middleware, item, response_for(item))
    assert response.status == 200
    sha256 = item.meta["archive_sha256"]
    assert sha256 == hashlib.sha256(PAGE).hexdigest()
    with EvidenceArchive(tmp_path / "home" / "archive") as archive:
        [record] = list(archive.records())
        assert archive.body(sha256) == PAGE
    assert record.source == "vnexpress"
    assert ("Etag", '"abc123"') in record.headers  # as Scrapy names it
    assert crawler.stats.get_value("wildwatch/archived") == 1


def test_middleware_records_redirects_and_takedowns_not_304_429_5xx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    middleware, _ = make_middleware(tmp_path, monkeypatch)
    redirected = Request(
        "https://vnexpress.net/new-url-4712345.html",
        meta={
            "wildwatch_item": True,
            "redirect_urls": ["http://vnexpress.net/old-url-4712345.html"],
        },
    )
    respond(middleware, redirected, response_for(redirected))
    not_modified = Request(ARTICLE_URL, meta={"wildwatch_item": True})
    respond(middleware, not_modified, response_for(not_modified, status=304, body=b""))
    broken = Request(ARTICLE_URL, meta={"wildwatch_item": True})
    respond(middleware, broken, response_for(broken, status=503, body=b"busy"))
    limited = Request(ARTICLE_URL, meta={"wildwatch_item": True})
    respond(middleware, limited, response_for(limited, status=429, body=b"slow down"))
    gone = Request("https://chotot.com/ad/9.htm", meta={"wildwatch_item": True})
    respond(middleware, gone, response_for(gone, status=410, body="<p>Tin đã bị xóa</p>".encode()))
    for skipped in (not_modified, broken, limited):
        assert "archive_sha256" not in skipped.meta
    with EvidenceArchive(tmp_path / "home" / "archive") as archive:
        records = list(archive.records())
    assert [(r.url, r.final_url, r.status) for r in records] == [
        (
            "http://vnexpress.net/old-url-4712345.html",
            "https://vnexpress.net/new-url-4712345.html",
            200,
        ),
        ("https://chotot.com/ad/9.htm", "https://chotot.com/ad/9.htm", 410),
    ]


def test_middleware_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NotConfigured):
        make_middleware(tmp_path, monkeypatch, WILDWATCH_ARCHIVE=False)
    monkeypatch.setenv("WILDWATCH_ARCHIVE", "false")
    with pytest.raises(NotConfigured):
        make_middleware(tmp_path, monkeypatch)
    # An explicit Scrapy setting wins over the environment.
    middleware, _ = make_middleware(tmp_path, monkeypatch, WILDWATCH_ARCHIVE="true")
    assert isinstance(middleware, EvidenceArchiveMiddleware)


def test_middleware_notes_the_fetch_time_and_close_archives_what_is_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    middleware, crawler = make_middleware(tmp_path, monkeypatch)
    requests = [
        Request(f"https://chotot.com/ad/{n}.htm", meta={"wildwatch_item": True}) for n in range(30)
    ]
    bodies = [f"<h1>Bán rùa núi vàng #{n}</h1>".encode() for n in range(30)]

    async def crawl_all() -> None:
        # as Scrapy does: many responses in flight at once, each awaiting its archive write
        await asyncio.gather(
            *(
                middleware.process_response(request, response_for(request, body=body))
                for request, body in zip(requests, bodies, strict=True)
            )
        )

    before = datetime.now(UTC).replace(microsecond=0)
    asyncio.run(crawl_all())
    middleware.close()  # spider_closed
    for request, body in zip(requests, bodies, strict=True):
        assert request.meta["archive_sha256"] == hashlib.sha256(body).hexdigest()
        assert datetime.fromisoformat(request.meta["wildwatch_fetched_at"]) >= before
    with EvidenceArchive(tmp_path / "home" / "archive") as archive:
        assert len(list(archive.records())) == 30
        assert archive.body(requests[7].meta["archive_sha256"]) == bodies[7]
    assert crawler.stats.get_value("wildwatch/archived") == 30
