"""Analysis of one text: the pure function behind ``wildwatch analyze`` and the crawl pipeline.

Reads a text (and optional title, URL, language hint); writes the DESIGN.md analysis fields.
"""

from __future__ import annotations

from pipelines.fields import Analysis


def analyze(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    lang_hint: str | None = None,
    segment: bool = True,
) -> Analysis:
    raise NotImplementedError("issue 3")
