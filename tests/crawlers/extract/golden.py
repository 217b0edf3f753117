"""Stored pages and their golden expectation files (``pages/<name>.html`` + ``<name>.toml``).

Adding a source's page is one stored page plus one golden file; the tests pick it up by its
``kind`` (article, listing, ad, telegram).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGES = Path(__file__).with_name("pages")
FLOORS_FILE = Path(__file__).with_name("quality_floors.toml")


@dataclass(frozen=True)
class StoredPage:
    name: str
    body: bytes
    golden: dict[str, Any]


def stored_pages(kind: str) -> list[StoredPage]:
    pages = []
    for golden_file in sorted(PAGES.glob("*.toml")):
        golden = tomllib.loads(golden_file.read_text(encoding="utf-8"))
        if golden["kind"] == kind:
            body = golden_file.with_suffix(".html").read_bytes()
            pages.append(StoredPage(golden_file.stem, body, golden))
    return pages
