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


def test_pipelines_is_pure_analysis() -> None:
    assert (
        offenders(
            "pipelines", ("scrapy", "twisted", "crawlers", "ingest", "search", "schedules", "web")
        )
        == []
    )


def test_search_is_the_index_only() -> None:
    assert (
        offenders("search", ("scrapy", "twisted", "crawlers", "ingest", "schedules", "web")) == []
    )


def test_crawlers_never_import_the_index_or_the_ingest_layer_above_them() -> None:
    assert offenders("crawlers", ("search", "ingest", "schedules", "web")) == []


def test_ingest_sits_below_schedules_and_web() -> None:
    assert offenders("ingest", ("schedules", "web")) == []


def test_schedules_never_imports_web() -> None:
    # `wildwatch run` (wildwatch/run_command.py) sits above both and hands the server in.
    assert offenders("schedules", ("web",)) == []


def test_cases_reads_only_pipelines_and_search() -> None:
    # cases/ (enforcement cases across articles) sits above search, below schedules and web.
    assert offenders("cases", ("scrapy", "twisted", "crawlers", "ingest", "schedules", "web")) == []


def test_every_layer_has_its_lint_rule() -> None:
    """`make lint` enforces the same rule with ruff's banned imports (TID251) per package."""
    for package, banned in (
        ("pipelines", "scrapy"),
        ("search", "crawlers"),
        ("crawlers", "search"),
        ("ingest", "web"),
        ("schedules", "web"),
        ("cases", "schedules"),
    ):
        config = (ROOT / package / "ruff.toml").read_text(encoding="utf-8")
        assert f'"{banned}".msg' in config, package


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text("from scrapy.http import Response\nimport crawlers.sources\n")
    assert imported_modules(module) == {"scrapy.http", "crawlers.sources"}
