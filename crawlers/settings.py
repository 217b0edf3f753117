"""Scrapy settings of every wildwatch crawl (the module ``scrapy.cfg`` names).

Reads the crawl's ``WILDWATCH_*`` environment variables when imported (a crawl is a fresh
process: ``wildwatch crawl`` or a scheduler child); writes nothing. ``crawlers.runner`` adds
what depends on the run (per-source pipelines, the browser for ``render_js`` sources).

Politeness is not optional here: robots.txt is obeyed, every request names wildwatch and a
contact URL, AutoThrottle adapts the pace to each server's latency, and no more than
``WILDWATCH_CONCURRENCY_PER_DOMAIN`` requests hit one site at a time.
"""

from __future__ import annotations

import logging

from wildwatch import __version__
from wildwatch.env import env_bool, env_float, env_int, env_str

BOT_NAME = "wildwatch"
# Spiders are built per source by crawlers.runner, never looked up by name.
SPIDER_MODULES: list[str] = []

DEFAULT_USER_AGENT = (
    f"wildwatch/{__version__} (+https://github.com/wildwatch-ngo/wildwatch#crawler; "
    "wildlife-trade monitoring for conservation)"
)
# Sites that want to reach the operator read the URL in their logs; deployments should put
# their own contact page here.
USER_AGENT = env_str("WILDWATCH_USER_AGENT", DEFAULT_USER_AGENT)
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "wildwatch"

# Pace: AutoThrottle never goes below DOWNLOAD_DELAY and aims at one request in flight per
# server on average; the per-domain cap bounds bursts.
DOWNLOAD_DELAY = env_float("WILDWATCH_DOWNLOAD_DELAY", 1.0)
AUTOTHROTTLE_ENABLED = env_bool("WILDWATCH_AUTOTHROTTLE", True)
AUTOTHROTTLE_START_DELAY = max(DOWNLOAD_DELAY, 0.0)
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = env_int("WILDWATCH_CONCURRENCY", 16, minimum=1)
CONCURRENT_REQUESTS_PER_DOMAIN = env_int("WILDWATCH_CONCURRENCY_PER_DOMAIN", 2, minimum=1)

# Robustness: a dead server costs one timeout per attempt, not a stuck crawl.
DOWNLOAD_TIMEOUT = env_float("WILDWATCH_DOWNLOAD_TIMEOUT", 30.0)
RETRY_ENABLED = True
RETRY_TIMES = env_int("WILDWATCH_RETRY_TIMES", 2, minimum=0)
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
WILDWATCH_RETRY_BACKOFF = env_float("WILDWATCH_RETRY_BACKOFF", 1.0)
# The spider logs every failed page once, as a warning with its kind; Scrapy's own
# "Gave up retrying" would repeat it as an error.
RETRY_GIVE_UP_LOG_LEVEL = logging.INFO
# An article is well under 2 MB; anything much larger is a video, an archive or a trap.
DOWNLOAD_MAXSIZE = env_int("WILDWATCH_MAX_PAGE_BYTES", 10 * 1024 * 1024, minimum=1024)
DOWNLOAD_WARNSIZE = DOWNLOAD_MAXSIZE // 2
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 10
COOKIES_ENABLED = False  # nothing we read needs a session; cookies only make us trackable
# No control ports: a crawl is a batch job, and an open port on a monitoring server is a risk.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.backoff.BackoffRetryMiddleware": 550,
    # Below HttpCompression (590) so both see the decoded body; the archive (580) runs its
    # process_response first and the conditional GET (560) reuses its hash.
    "crawlers.conditional_get.ConditionalGetMiddleware": 560,
    "crawlers.archive_middleware.EvidenceArchiveMiddleware": 580,
    # Count and log the off-site, looping and endless redirects Scrapy would drop silently.
    "crawlers.redirect_audit.RedirectAuditMiddleware": 610,  # above RedirectMiddleware (600)
    "crawlers.redirect_audit.MetaRefreshAuditMiddleware": 585,  # between 590 and 580
}

# Scrapy starts this many tasks for every response that yields anything (a listing page's
# requests included), whatever it yields: the default 100 cost ~100 asyncio tasks per page on
# the reactor thread. A page yields one article or ad, or some 20 Telegram posts, and items of
# different pages already run concurrently, so 16 loses no parallelism.
CONCURRENT_ITEMS = 16

# The pipeline order (DESIGN.md: "Pipeline order lives in one place").
# The adapters live in the ingest layer (above crawlers: crawlers never imports search).
ITEM_PIPELINES = {
    "ingest.scrapy_pipelines.AnalysisPipeline": 300,  # raw item → Document with analysis
    "ingest.scrapy_pipelines.DedupPipeline": 500,  # content_hash, simhash, duplicate_of
    "ingest.scrapy_pipelines.IndexPipeline": 900,  # batched upserts, then the page is known
}

# Browser for render_js sources (crawlers.runner installs the Playwright download handlers
# only when a selected source needs them).
WILDWATCH_CHROMIUM = env_str("WILDWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": WILDWATCH_CHROMIUM,
    "headless": True,
    "args": CHROMIUM_FLAGS,
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = DOWNLOAD_TIMEOUT * 1000

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# wildwatch's command line configures logging (console by -v, file in crawlers.runner).
LOG_INSTALL_ROOT_HANDLER = False
