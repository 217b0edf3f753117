"""Fixtures of the ingest tests: the crawler tests' local site (crawls run as subprocesses)."""

from tests.crawlers.conftest import site

__all__ = ["site"]
