"""Retries with exponential backoff: a struggling server gets time to recover.

A downloader middleware replacing Scrapy's ``RetryMiddleware`` (same settings: ``RETRY_TIMES``,
``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``). Before a retry of a 5xx, 429 or timeout it waits
``WILDWATCH_RETRY_BACKOFF`` × 2^(attempt-1) seconds (capped at 60 s), so a server that answered
500 under load is not hit again at once. Only that request waits: the rest of the crawl goes on.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response

MAX_DELAY = 60.0


def backoff_delay(base: float, attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...)."""
    if base <= 0:
        return 0.0
    return min(MAX_DELAY, base * 2 ** max(0, attempt - 1))


class BackoffRetryMiddleware(RetryMiddleware):
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result)
        return result

    async def _wait(self, retry: Request) -> None:
        base = self.crawler.settings.getfloat("WILDWATCH_RETRY_BACKOFF", 1.0)
        delay = backoff_delay(base, int(retry.meta.get("retry_times", 1)))
        if delay:
            await asyncio.sleep(delay)
