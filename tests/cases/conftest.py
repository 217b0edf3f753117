"""Fixtures: a WILDWATCH_HOME with real labelled cases indexed, and the case store over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.store import CaseStore
from search.sqlite_backend import SqliteBackend
from tests.cases.seed import seed_index


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    return tmp_path


@pytest.fixture
def seeded(home: Path) -> dict[str, str]:
    return seed_index(home)


@pytest.fixture
def backend(seeded: dict[str, str], home: Path) -> Iterator[SqliteBackend]:
    index = SqliteBackend(home / "index.sqlite")
    yield index
    index.close()


@pytest.fixture
def store(home: Path) -> CaseStore:
    return CaseStore(home / "cases.sqlite")
