"""Stands in for ``wildwatch crawl --source NAME --json`` in service tests
(WILDWATCH_CRAWL_COMMAND="python tests/schedules/fake_crawl.py").

FAKE_CRAWL_MODE: ``index`` stores one pangolin item for the source in the real index under
WILDWATCH_HOME and prints a JSON summary; ``sleep`` writes its pid to FAKE_CRAWL_PIDS and
sleeps (for time-limit and SIGTERM tests); ``fail`` exits with status 3.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    source = sys.argv[sys.argv.index("--source") + 1]
    assert "--json" in sys.argv
    mode = os.environ.get("FAKE_CRAWL_MODE", "index")
    calls = os.environ.get("FAKE_CRAWL_CALLS")
    if calls:
        with open(calls, "a", encoding="utf-8") as handle:
            handle.write(source + "\n")
    if mode == "sleep":
        with open(os.environ["FAKE_CRAWL_PIDS"], "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(120)
        return 0
    if mode == "fail":
        print("Traceback: pretend the site broke", file=sys.stderr)
        return 3
    from search.factory import open_backend
    from tests.schedules.fakes import item

    backend = open_backend()
    outcomes = backend.upsert(
        [
            item(
                f"{source}-1",
                title=f"{source}: thu giữ 120 kg vảy tê tê tại Móng Cái",
                source=source,
                species=["pangolin"],
                fetched_at=datetime.now(UTC),
                locations=["Móng Cái"],
            )
        ]
    )
    backend.close()
    print(json.dumps({"source": source, "items": len(outcomes), "new": outcomes.count("new")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
