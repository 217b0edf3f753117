"""``wildwatch crawl``: exit codes, source selection, --max-pages, the text and JSON summaries."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.runner import summarize
from crawlers.sources import Source
from ingest.crawl_command import summary_json, summary_table
from tests.crawlers.conftest import WILDWATCH, crawl_env, run_crawl, write_sources
from tests.crawlers.site.server import HANGING_SLUG, SiteServer
from wildwatch.cli import main


def test_invalid_sources_file_exits_2_naming_file_source_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    bad = tmp_path / "nguon.toml"
    bad.write_text(
        '[[sources]]\nname = "vnexpress"\nkind = "news"\nmax_pages = "nhiều"\n'
        'feeds = ["https://vnexpress.net/rss/phap-luat.rss"]\n',
        "utf-8",
    )
    assert main(["crawl", "--sources", str(bad)]) == 2
    error = capsys.readouterr().err
    assert str(bad) in error and "vnexpress" in error and "max_pages" in error


def test_unknown_source_name_exits_2_with_a_suggestion(
    site: SiteServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = write_sources(site, tmp_path / "sources.toml")
    assert main(["crawl", "--sources", str(sources), "--source", "moitruong-doisng"]) == 2
    assert "did you mean 'moitruong-doisong'" in capsys.readouterr().err


def test_missing_sources_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "--sources", str(tmp_path / "khong-co.toml")]) == 2
    assert "khong-co.toml" in capsys.readouterr().err


def test_one_source_with_max_pages_prints_a_table(site: SiteServer, tmp_path: Path) -> None:
    sources = write_sources(site, tmp_path / "sources.toml")
    before = len(site.requests)
    run = run_crawl(
        tmp_path, "--sources", str(sources), "--source", "tg-dongvat-hoangda", "--max-pages", "2"
    )
    assert run.returncode == 0, run.stderr
    header, line = run.stdout.strip().splitlines()
    assert header.split() == [
        "source",
        "pages",
        "new",
        "updated",
        "unchanged",
        "errors",
        "duration",
    ]
    cells = line.split()
    assert cells[0] == "tg-dongvat-hoangda"
    assert cells[2] == "10"  # two channel pages of five posts
    assert "(max_pages reached)" in line
    asked = [r.path for r in site.requests[before:] if r.path != "/robots.txt"]
    assert asked == ["/s/dongvat_hoangda", "/s/dongvat_hoangda?before=21"]
    assert (tmp_path / "logs" / "crawl.log").read_text("utf-8").count("dongvat_hoangda") > 0


def test_disabled_sources_are_skipped_unless_named(site: SiteServer, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[sources]]\nname = "tat"\nkind = "news"\nfeeds = ["{site.base}/rss/phap-luat.rss"]\n'
        "enabled = false\n",
        "utf-8",
    )
    completed = subprocess.run(
        [str(WILDWATCH), "crawl", "--sources", str(sources)],
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "no enabled source" in completed.stderr


def test_summary_counts_unchanged_items_from_every_path() -> None:
    source = Source(name="bao", kind="news", feeds=("https://bao.example/rss",))
    stats = {
        "downloader/response_count": 12,
        "wildwatch/index/new": 3,
        "wildwatch/index/unchanged": 2,
        "wildwatch/unchanged": 4,  # 304 Not Modified
        "wildwatch/skipped_recent": 1,
        "wildwatch/errors/http_404": 2,
        "wildwatch/errors/timeout": 1,
        "elapsed_time_seconds": 3.14159,
        "finish_reason": "finished",
    }
    summary = summarize(source, stats)
    assert (summary.pages, summary.new, summary.unchanged) == (12, 3, 7)
    assert summary.errors == {"http_404": 2, "timeout": 1}
    assert summary.duration_s == 3.14
    table = summary_table([summary])
    assert "http_404=2 timeout=1" in table and "3.1s" in table
    started = datetime(2024, 3, 18, 1, 0, tzinfo=UTC)
    data = summary_json([summary], started, started)
    assert data["sources"][0]["errors"] == {"http_404": 2, "timeout": 1}
    assert data["sources"][0]["unchanged"] == 7


@pytest.mark.browser
def test_render_js_source_is_fetched_through_headless_chromium(
    site: SiteServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: make test installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sources = write_sources(site, tmp_path / "sources.toml")
    run = run_crawl(tmp_path, "--sources", str(sources), "--source", "js-tin-nhanh", "--json")
    assert run.returncode == 0, run.stderr
    summary = run.source("js-tin-nhanh")
    # the listing's links and the articles' text only exist after their scripts ran
    assert summary["new"] == 2, summary
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    from search.backend import SearchRequest
    from search.factory import open_backend

    backend = open_backend()
    hits = backend.search(SearchRequest(source=("js-tin-nhanh",), facets=False))["hits"]
    texts = {hit["url"].rsplit("/", 1)[1]: backend.get(hit["id"]) for hit in hits}
    backend.close()
    voọc = texts["bai-701"]
    assert voọc is not None
    assert voọc["title"] == "Bắt giữ 3 đối tượng săn bắt voọc"
    assert "Pù Mát" in voọc["text"] and "Đang tải" not in voọc["text"]


def test_interrupted_crawl_keeps_what_it_found_and_exits_1(
    site: SiteServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = write_sources(site, tmp_path / "sources.toml")
    env = crawl_env(tmp_path) | {"WILDWATCH_DOWNLOAD_TIMEOUT": "8", "WILDWATCH_RETRY_TIMES": "0"}
    seen = len(site.requests)
    crawl = subprocess.Popen(
        [
            str(WILDWATCH),
            "crawl",
            "--sources",
            str(sources),
            "--source",
            "moitruong-doisong",
            "--json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not any(HANGING_SLUG in r.path for r in site.requests[seen:]):
        assert time.monotonic() < deadline, "the crawl never reached the page that hangs"
        time.sleep(0.1)
    time.sleep(1)  # let the other items of the listing be analysed
    crawl.send_signal(signal.SIGTERM)  # what the scheduler sends when a crawl overruns
    stdout, stderr = crawl.communicate(timeout=60)
    assert crawl.returncode == 1
    assert "did not complete (shutdown)" in stderr
    (summary,) = json.loads(stdout)["sources"]
    assert summary["finish_reason"] == "shutdown"
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    from search.factory import open_backend

    backend = open_backend()
    try:
        assert backend.count() == summary["new"] > 0  # the pending batch was flushed
    finally:
        backend.close()
