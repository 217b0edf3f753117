"""Kill drills, measured: how many articles are searchable after a crawl is stopped badly and
one normal crawl follows (issue 9's figures).

Runs the drills of tests/ingest/drills.py against the drill site (40 articles on
www.baotintuc.test, half with validators): SIGKILL of the whole process group at 10 %, 40 % and
75 % of the article pages served and while batches are being committed, and two SIGTERMs 0.5 s
apart at 50 %.
Prints searchable/total after the stop and after one normal crawl.

    python -m bench.kill_drills                 # this checkout
    python -m bench.kill_drills --code /tmp/old # another checkout (e.g. `git archive` of main)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.ingest.drill_site import DrillSite, make_articles
from tests.ingest.drills import (
    indexed_count,
    kill_leftovers,
    normal_crawl,
    searchable,
    start_crawl,
    stop,
    wait_until,
)

Point = Callable[[DrillSite, Path], bool]


def served(fraction: float) -> Point:
    return lambda site, home: site.served >= round(fraction * len(site.articles))


DRILLS: tuple[tuple[str, Point, tuple[signal.Signals, ...]], ...] = (
    ("SIGKILL at 10 % of pages", served(0.10), (signal.SIGKILL,)),
    ("SIGKILL at 40 % of pages", served(0.40), (signal.SIGKILL,)),
    ("SIGKILL at 75 % of pages", served(0.75), (signal.SIGKILL,)),
    (
        "SIGKILL while flushing (8+ items committed)",
        lambda site, home: indexed_count(home) >= 8,
        (signal.SIGKILL,),
    ),
    ("SIGTERM twice at 50 % of pages", served(0.50), (signal.SIGTERM, signal.SIGTERM)),
)


def run_drill(code: Path | None, point: Point, signals: tuple[signal.Signals, ...]) -> str:
    site = DrillSite(articles=make_articles(40), delay=0.03).start()
    try:
        with tempfile.TemporaryDirectory() as directory:
            home = Path(directory)
            crawl = start_crawl(home, site, code)
            wait_until(lambda: point(site, home), timeout=90)
            stdout = stop(crawl, *signals)
            reason = "-"
            with contextlib.suppress(ValueError, KeyError, IndexError):
                reason = json.loads(stdout)["sources"][0]["finish_reason"]
            stopped = searchable(home, site)
            normal_crawl(home, site, code)
            after = searchable(home, site)
            return f"after the stop {stopped} [{reason}]; after one crawl {after}"
    finally:
        kill_leftovers()
        site.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, help="checkout to run instead of this one")
    args = parser.parse_args()
    for name, point, signals in DRILLS:
        print(f"{name}: {run_drill(args.code, point, signals)}", flush=True)


if __name__ == "__main__":
    main()
