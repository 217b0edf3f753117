"""Speed and memory of `wildwatch crawl` against a bare Scrapy spider on the same local site.

Reads nothing; starts bench/site_server.py (pre-rendered Vietnamese articles served from
memory, in its own process) and, one after the other on that site, in fresh processes and
fresh WILDWATCH_HOME directories:

1. a bare Scrapy spider that only downloads listing and article pages;
2. the same bare spider also running ``crawlers.extract.extract_article`` on every article;
3. wildwatch's spider and middlewares (evidence archive, crawl state), extraction inline in a
   minimal pipeline, no analysis and no index;
4. `wildwatch crawl` with the full pipeline, extraction + analysis in a process pool (default
   workers);
5. `wildwatch crawl` with the full pipeline, extraction + analysis inline on the reactor thread
   (WILDWATCH_ANALYSIS_WORKERS=0).

Prints, for each: articles indexed or extracted, crawl duration (spider open to close), articles
per second, wall time of the whole command, and peak RSS (crawl process alone, and summed over
the process tree: forkserver and analysis workers included). Politeness delays are off and the
per-domain concurrency is 16 for all runs, so the figures measure wildwatch, not the pacing.

Usage: .venv/bin/python bench/crawl_bench.py [--pages 2000] [--skip-inline]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
WILDWATCH = str(Path(PYTHON).with_name("wildwatch"))
CONCURRENCY = 16
ITEMS = r"/tin/bai-\d+\.html$"


@dataclass
class Result:
    name: str
    articles: int
    duration: float  # spider open → close
    wall: float  # the whole command, interpreter start-up and model loading included
    peak_main_mb: float
    peak_tree_mb: float

    @property
    def rate(self) -> float:
        return self.articles / self.duration if self.duration else 0.0


# -- measuring ---------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_measured(command: list[str], env: dict[str, str]) -> tuple[str, float, float, float]:
    """stdout, wall seconds, peak RSS of the process, peak RSS summed over its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peaks = [0.0, 0.0]

    def sample() -> None:
        while process.poll() is None:
            tree, stack = [], [process.pid]
            while stack:
                pid = stack.pop()
                tree.append(pid)
                stack.extend(_children(pid))
            peaks[0] = max(peaks[0], _rss_mb(process.pid))
            peaks[1] = max(peaks[1], sum(_rss_mb(pid) for pid in tree))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr.decode()[-3000:]}")
    return stdout.decode(), wall, peaks[0], peaks[1]


# -- the runs ----------------------------------------------------------------------------------


def bench_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WILDWATCH_")}
    env.update(
        WILDWATCH_HOME=str(home),
        WILDWATCH_DOWNLOAD_DELAY="0",
        WILDWATCH_AUTOTHROTTLE="false",
        WILDWATCH_CONCURRENCY=str(CONCURRENCY),
        WILDWATCH_CONCURRENCY_PER_DOMAIN=str(CONCURRENCY),
        WILDWATCH_INDEX_BATCH="100",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def write_sources(base: str, path: Path, max_pages: int) -> Path:
    path.write_text(
        "[[sources]]\n"
        'name = "bao-thien-nhien"\nkind = "news"\nlanguage = "vi"\ncountry = "VN"\n'
        f'start_urls = ["{base}/tin/trang-1"]\n'
        "follow = ['/tin/trang-\\d+$']\n"
        f"items = ['{ITEMS}']\n"
        f"max_pages = {max_pages}\n",
        "utf-8",
    )
    return path


def bare_child(base: str, extract: bool) -> None:
    """A minimal Scrapy spider: follow the listings, download (and optionally extract) every
    article, nothing else. Prints {"articles", "duration"}."""
    import re

    import scrapy
    from scrapy.crawler import CrawlerProcess

    item = re.compile(ITEMS)

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = [f"{base}/tin/trang-1"]  # noqa: RUF012 (Scrapy's own convention)
        articles = 0

        def parse(self, response: Any) -> Any:
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if item.search(url):
                    yield scrapy.Request(url, callback=self.parse_article)
                elif "/tin/trang-" in url:
                    yield scrapy.Request(url)

        def parse_article(self, response: Any) -> None:
            if extract:
                from crawlers.extract import decode_body, extract_article

                html = decode_body(response.body, response.headers.get("Content-Type").decode())
                if extract_article(html, response.url) is None:
                    return
            Bare.articles += 1

    process = CrawlerProcess(
        {
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": CONCURRENCY,
            "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
        }
    )
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    assert crawler.stats is not None
    duration = float(crawler.stats.get_value("elapsed_time_seconds", 0.0))
    print(json.dumps({"articles": Bare.articles, "duration": duration}))


class ExtractOnlyPipeline:
    """Run 3's only pipeline: ``extract_page`` inline on the reactor thread, no analysis and no
    index, so the figure compares with the bare spider that extracts in its callback."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractOnlyPipeline:
        return cls(crawler.stats)

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        from crawlers.spiders.pages import PageFailure, extract_page

        page = item.pop("page", None)
        if page is not None:
            fields = extract_page(page)
            if isinstance(fields, PageFailure):
                self.stats.inc_value(f"wildwatch/errors/{fields.kind}")
                return item
            item.update(fields)
            self.stats.inc_value("wildwatch/items")
        return item


def fetch_only_child(sources: str) -> None:
    """wildwatch's spider and middlewares, extraction inline, no analysis and no index."""
    from crawlers.runner import run_crawl
    from crawlers.sources import load_sources

    pipelines = {"bench.crawl_bench.ExtractOnlyPipeline": 300}
    (summary,) = run_crawl(
        load_sources(Path(sources)), settings_overrides={"ITEM_PIPELINES": pipelines}
    )
    print(json.dumps({"articles": summary.items, "duration": summary.duration_s}))


def run_bare(name: str, base: str, extract: bool, home: Path) -> Result:
    mode = "bare-extract" if extract else "bare"
    command = [PYTHON, __file__, "--child", mode, "--base", base]
    stdout, wall, main_mb, tree_mb = run_measured(command, bench_env(home))
    data = json.loads(stdout.strip().splitlines()[-1])
    return Result(name, data["articles"], data["duration"], wall, main_mb, tree_mb)


def run_fetch_only(sources: Path, home: Path) -> Result:
    command = [PYTHON, __file__, "--child", "fetch", "--sources", str(sources)]
    stdout, wall, main_mb, tree_mb = run_measured(command, bench_env(home))
    data = json.loads(stdout.strip().splitlines()[-1])
    return Result(
        "wildwatch: fetch + extraction", data["articles"], data["duration"], wall, main_mb, tree_mb
    )


def run_wildwatch(name: str, sources: Path, home: Path, **env: str) -> Result:
    command = [WILDWATCH, "crawl", "--sources", str(sources), "--json"]
    stdout, wall, main_mb, tree_mb = run_measured(command, bench_env(home, **env))
    (summary,) = json.loads(stdout)["sources"]
    return Result(name, summary["new"], summary["duration_s"], wall, main_mb, tree_mb)


def start_site(pages: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "site_server.py"), "--pages", str(pages)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        raise SystemExit(f"site server did not start: {line!r}")
    return server, f"http://127.0.0.1:{line.split()[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="article pages (default 2000)")
    parser.add_argument("--skip-inline", action="store_true", help="skip the inline-analysis run")
    parser.add_argument(
        "--child", choices=["bare", "bare-extract", "fetch"], help=argparse.SUPPRESS
    )
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--sources", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child in ("bare", "bare-extract"):
        bare_child(args.base, extract=args.child == "bare-extract")
        return
    if args.child == "fetch":
        fetch_only_child(args.sources)
        return

    server, base = start_site(args.pages)
    results: list[Result] = []
    try:
        with tempfile.TemporaryDirectory(prefix="wildwatch-crawl-bench-") as tmp:
            root = Path(tmp)
            max_pages = args.pages + args.pages // 20 + 50  # articles + listings + slack

            def home(name: str) -> Path:
                path = root / name
                path.mkdir()
                return path

            sources = write_sources(base, root / "sources.toml", max_pages)
            print(f"site: {args.pages} articles on {base}; {os.cpu_count()} CPUs", flush=True)
            results.append(run_bare("bare Scrapy: fetch", base, False, home("bare")))
            results.append(
                run_bare("bare Scrapy: fetch + extract_article", base, True, home("bare-extract"))
            )
            results.append(run_fetch_only(sources, home("fetch")))
            results.append(
                run_wildwatch("wildwatch crawl: full, analysis pool", sources, home("pool"))
            )
            if not args.skip_inline:
                results.append(
                    run_wildwatch(
                        "wildwatch crawl: full, analysis inline",
                        sources,
                        home("inline"),
                        WILDWATCH_ANALYSIS_WORKERS="0",
                    )
                )
    finally:
        server.terminate()
        server.wait()

    print(
        f"{'run':42} {'articles':>8} {'crawl s':>8} {'art./s':>7} {'wall s':>7} "
        f"{'RSS MB':>7} {'tree MB':>8}"
    )
    for r in results:
        print(
            f"{r.name:42} {r.articles:8d} {r.duration:8.1f} {r.rate:7.1f} {r.wall:7.1f} "
            f"{r.peak_main_mb:7.0f} {r.peak_tree_mb:8.0f}"
        )
    by_name = {r.name: r for r in results}
    pool = by_name.get("wildwatch crawl: full, analysis pool")
    inline = by_name.get("wildwatch crawl: full, analysis inline")
    if pool and inline and inline.rate:
        print(f"process pool / inline analysis throughput: {pool.rate / inline.rate:.2f}x")


if __name__ == "__main__":
    main()
