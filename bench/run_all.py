"""Run every benchmark with its default size and print the figures (``make bench``).

Each benchmark is its own module, runnable alone with ``python -m bench.<name> --help``; this
runner only sequences them so the README's figures can be reproduced with one command. The crawl
and search benchmarks take several minutes each on a 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = (
    ("extraction", ["bench.extract_bench"]),
    ("analysis", ["bench.analyze_bench", "--docs", "10000", "--workers", "2"]),
    ("hostile input (1 MB ad, nested queries)", ["bench.hostile_bench"]),
    ("search (100,000 documents)", ["bench.search_bench"]),
    ("web pages", ["bench.web_bench", "5000"]),
    ("crawl (2,000+ pages)", ["bench.crawl_bench"]),
)


def main() -> int:
    failed = []
    for title, module_and_args in BENCHMARKS:
        print(f"\n=== {title}: python -m {' '.join(module_and_args)}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", *module_and_args], check=False)
        print(f"=== {title}: exit {result.returncode}, {time.perf_counter() - started:.0f} s")
        if result.returncode != 0:
            failed.append(title)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
