"""Speed of article extraction: milliseconds per page of ``extract_article``.

Reads the stored test pages (tests/crawlers/extract/pages/*.html with kind article or
listing); prints ms/page over ``--repeat`` passes, and the decode_body cost separately.
Run: ``.venv/bin/python -m bench.extract_bench [--repeat 50]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tomllib
from pathlib import Path

from crawlers.extract import decode_body, extract_article

PAGES = Path(__file__).resolve().parent.parent / "tests" / "crawlers" / "extract" / "pages"


def load_pages() -> list[tuple[str, bytes, str | None, str]]:
    pages = []
    for golden_file in sorted(PAGES.glob("*.toml")):
        golden = tomllib.loads(golden_file.read_text(encoding="utf-8"))
        if golden["kind"] in ("article", "listing"):
            body = golden_file.with_suffix(".html").read_bytes()
            pages.append((golden_file.stem, body, golden.get("content_type"), golden["url"]))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="passes over the pages")
    args = parser.parse_args()
    pages = load_pages()
    decoded = [(name, decode_body(body, ctype), url) for name, body, ctype, url in pages]
    extract_article(decoded[0][1], decoded[0][2])  # warm caches (vocabulary, trafilatura)

    start = time.perf_counter()
    for _ in range(args.repeat):
        for _name, body, ctype, _url in pages:
            decode_body(body, ctype)
    decode_ms = (time.perf_counter() - start) * 1000 / (args.repeat * len(pages))

    per_page: dict[str, list[float]] = {name: [] for name, _, _ in decoded}
    for _ in range(args.repeat):
        for name, html, url in decoded:
            began = time.perf_counter()
            extract_article(html, url)
            per_page[name].append((time.perf_counter() - began) * 1000)
    all_times = [t for times in per_page.values() for t in times]
    print(f"pages: {len(pages)}  passes: {args.repeat}")
    for name, times in per_page.items():
        print(f"  {name:28s} {statistics.median(times):6.2f} ms (median)")
    print(
        f"extract_article: {statistics.mean(all_times):.2f} ms/page mean, "
        f"{statistics.median(all_times):.2f} ms median, "
        f"{1000 / statistics.mean(all_times):.0f} pages/s on one core"
    )
    print(f"decode_body:     {decode_ms:.3f} ms/page")


if __name__ == "__main__":
    main()
