"""Fixtures: a WILDWATCH_HOME with a seeded index and a TestClient over the real app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.seed import seed
from web.app import create_app


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    monkeypatch.delenv("WILDWATCH_WEB_REQUIRE_LOGIN", raising=False)
    monkeypatch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
    return tmp_path


@pytest.fixture
def ids(home: Path) -> dict[str, str]:
    return seed(home)


@pytest.fixture
def client(ids: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(login_required=False)) as test_client:
        yield test_client
