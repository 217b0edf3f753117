"""Shared fixtures: an isolated WILDWATCH_HOME, a real SMTP server on 127.0.0.1 and an
in-memory search backend implementing the search/backend.py contract for digests and spikes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.schedules.fakes import FakeBackend


@pytest.fixture(autouse=True)
def wildwatch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("WILDWATCH_HOME", str(home))
    monkeypatch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
    for name in (
        "WILDWATCH_SPIKE_RECIPIENTS",
        "WILDWATCH_CRAWL_COMMAND",
        "WILDWATCH_SOURCES",
        "WILDWATCH_ELASTICSEARCH_URL",
        "WILDWATCH_PUBLIC_URL",
        "WILDWATCH_DIGEST_AT",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


class RecordingHandler:
    """Accepts mail and keeps it; refuses the first ``refuse`` transactions with a 451, as a
    greylisting or overloaded server does."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.messages: list[Envelope] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    # aiosmtpd's controller connects to its own port once started, so it needs a real number
    # rather than 0; the OS hands out a free one and it is released just before use.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingHandler]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("WILDWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WILDWATCH_SMTP_PORT", str(port))
    monkeypatch.setenv("WILDWATCH_SMTP_SECURITY", "none")
    monkeypatch.setenv("WILDWATCH_MAIL_FROM", "wildwatch@ngo.example.org")
    monkeypatch.setenv("WILDWATCH_SMTP_TIMEOUT", "5")
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()
