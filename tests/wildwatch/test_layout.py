"""DESIGN.md's dependency rule, checked on the source: a violation fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def offenders(package: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if path.name in allowed:
            continue
        for module in imported_modules(path):
            if module.split(".")[0] in forbidden:
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    return bad


def test_search_never_imports_scrapy_crawlers_or_schedules() -> None:
    assert offenders("search", ("scrapy", "twisted", "crawlers", "schedules")) == []


def test_analysis_is_pure_outside_the_thin_scrapy_adapters() -> None:
    assert offenders("pipelines", ("scrapy", "twisted"), allowed=("item_pipelines.py",)) == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text("from scrapy.http import Response\nimport crawlers.sources\n")
    assert imported_modules(module) == {"scrapy.http", "crawlers.sources"}
