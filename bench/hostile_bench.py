"""Hostile input: how long the analysis and the query parser take on texts built to be slow.

Reads nothing; prints figures:

1. ``analyze`` of 1 MB of one repeated species word ("tê tê " × n), as an ad page full of it
   would be analysed during a crawl, ``import`` or ``analyze``: with the default text cap
   (WILDWATCH_ANALYSIS_MAX_CHARS), with and without word segmentation;
2. the species matcher alone on the whole, uncapped text at growing sizes, to show that the
   overlap resolution is linear (it was quadratic: 80 KB took 6.7 s, 320 KB 93 s);
3. the query parser refusing deeply nested and very long queries.

Usage: .venv/bin/python -m bench.hostile_bench [--megabytes 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORD = "tê tê "


def repeated(chars: int) -> str:
    return (WORD * (chars // len(WORD) + 1))[:chars]


def timed_analysis(text: str, *, segment: bool) -> tuple[float, dict[str, object]]:
    from pipelines.analysis import analyze

    started = time.perf_counter()
    result = analyze(text, segment=segment)
    return time.perf_counter() - started, dict(result)


def matcher_scaling(sizes: list[int]) -> list[tuple[int, float, int]]:
    from pipelines.species import find_species

    rows = []
    for size in sizes:
        text = repeated(size)
        started = time.perf_counter()
        mentions = find_species(text, vietnamese=True)
        rows.append((size, time.perf_counter() - started, len(mentions)))
    return rows


def parser_refusals() -> list[tuple[str, float, str]]:
    from search.query_language import QuerySyntaxError, parse

    queries = {
        "10,000 nested parentheses": "(" * 10_000 + "te te" + ")" * 10_000,
        "10,000 x NOT": "NOT " * 10_000 + "ivory",
        "2,000 words": "ngà " * 2_000,
        "100,000 words": "ngà " * 100_000,
    }
    rows = []
    for label, query in queries.items():
        started = time.perf_counter()
        try:
            parse(query)
            outcome = "accepted"
        except QuerySyntaxError as error:
            outcome = str(error)
        rows.append((label, time.perf_counter() - started, outcome))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    args = parser.parse_args()
    from pipelines.settings import analysis_max_chars

    chars = int(args.megabytes * 1_000_000)
    text = repeated(chars)
    timed_analysis("Thu giữ vảy tê tê tại cửa khẩu.", segment=True)  # load the models first
    print(
        f"analyze(): {len(text.encode('utf-8')) / 1e6:.1f} MB of UTF-8, {len(text):,} characters; "
        f"WILDWATCH_ANALYSIS_MAX_CHARS={analysis_max_chars():,}"
    )
    for segment in (True, False):
        seconds, result = timed_analysis(text, segment=segment)
        label = "with word segmentation" if segment else "--no-segment"
        print(
            f"  {label:<24} {seconds:6.2f} s  truncated={result.get('truncated', False)} "
            f"species={result['species']}"
        )
    print("species matcher on the whole text (no cap):")
    for size, seconds, mentions in matcher_scaling([80_000, 320_000, chars]):
        print(
            f"  {size:>10,} characters {seconds:6.2f} s  {mentions:>7,} mentions  "
            f"{1e6 * seconds / size:5.2f} µs per character"
        )
    print("query parser:")
    for label, seconds, outcome in parser_refusals():
        print(f"  {label:<26} {1000 * seconds:7.1f} ms  {outcome}")


if __name__ == "__main__":
    main()
