"""Progress of ``crawl`` and ``import`` on stderr: one rewritten line on a terminal, periodic
log lines on a pipe, nothing with --quiet; the summary on stdout is unchanged (issue 13
item 7)."""

from __future__ import annotations

import functools
import io
import json
import os
import pty
import re
import subprocess
import time
from pathlib import Path

import pytest

from ingest.crawl_progress import totals
from ingest.progress import Progress, choose_mode, count_lines, progress_line
from tests.crawlers.conftest import WILDWATCH, crawl_env, write_sources
from tests.crawlers.site.server import SiteServer
from tests.ingest.test_import_command import home  # noqa: F401 - fixture
from wildwatch.cli import main

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (crawl|import): ")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_ignores_the_start_up_before_the_first_line() -> None:
    terminal, clock = FakeTerminal(), Clock()
    progress = Progress("import", "lines", terminal, "tty", total=1500, clock=clock)
    progress.update(0)
    clock.now += 40.0  # the analysis models load
    for done in range(1, 101):
        clock.now += 0.1  # then ten lines a second
        progress.update(done)
    last = terminal.getvalue().rsplit("\r", 1)[-1]
    assert "10.0/s" in last and "ETA 2:20" in last and "0:50" in last


def test_the_line_says_done_total_rate_counts_and_time_left() -> None:
    line = progress_line("import", "lines", 750, 1500, 10.0, {"new": 700, "bad": 10})
    assert line == "import: 750/1,500 lines (50%) · 75.0/s · 700 new, 10 bad · 0:10 · ETA 0:10"
    crawl = progress_line("crawl", "pages", 1234, None, 3725.0, {"errors": 3})
    assert crawl == "crawl: 1,234 pages · 0.3/s · 3 errors · 1:02:05"  # no total: no ETA


def test_a_terminal_gets_one_line_rewritten_and_ended() -> None:
    terminal, clock = FakeTerminal(), Clock()
    assert choose_mode(terminal, quiet=False) == "tty"
    progress = Progress("import", "lines", terminal, "tty", total=100, clock=clock)
    for done in range(1, 101):
        clock.now += 0.05
        progress.update(done, {"new": done})
    progress.finish()
    written = terminal.getvalue()
    assert "\n" not in written[:-1] and written.endswith("\n")  # one line, ended once
    redraws = written.split("\r")[1:]
    assert 20 <= len(redraws) <= 30  # at most 5 a second over 5 seconds, plus the last
    # the first line at once, without a rate yet; then the rate and the time left
    assert redraws[0].startswith("import: 1/100 lines (1%) · 1 new") and "ETA" not in redraws[0]
    assert "20.0/s" in redraws[10] and "ETA" in redraws[10]
    assert redraws[-1].startswith("import: 100/100 lines (100%)")


def test_a_pipe_gets_a_timestamped_line_every_period() -> None:
    pipe, clock = io.StringIO(), Clock()
    assert choose_mode(pipe, quiet=False) == "log"
    progress = Progress("crawl", "pages", pipe, "log", log_every=10.0, clock=clock)
    for done in range(1, 61):
        clock.now += 1.0  # a page a second for a minute
        progress.update(done, {"new": done // 2})
    progress.finish()
    lines = pipe.getvalue().splitlines()
    assert len(lines) == 7 and all(LOG_LINE.match(line) for line in lines)
    assert "\r" not in pipe.getvalue()
    assert lines[0].endswith("crawl: 1 pages · 0 new · 0:01")  # started
    assert lines[1].endswith("crawl: 11 pages · 1.0/s · 5 new · 0:11")
    assert lines[-1].endswith("crawl: 60 pages · 1.0/s · 30 new · 1:00 (done)")


def test_quiet_writes_nothing() -> None:
    terminal = FakeTerminal()
    assert choose_mode(terminal, quiet=True) == "quiet"
    progress = Progress("import", "lines", terminal, "quiet", total=5)
    progress.update(5, {"new": 5})
    progress.finish()
    assert terminal.getvalue() == ""


def test_the_total_of_an_import_is_the_files_line_count(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": 3}')
    assert count_lines(str(tmp_path / "a.jsonl")) == 3
    assert count_lines(str(tmp_path / "missing.jsonl")) is None


def test_crawl_counts_sum_every_source() -> None:
    pages, counts = totals(
        [
            {"downloader/response_count": 12, "wildwatch/items": 9, "wildwatch/index/new": 7},
            {
                "downloader/response_count": 5,
                "wildwatch/index/unchanged": 2,
                "wildwatch/unchanged": 1,
                "wildwatch/errors/timeout": 2,
                "wildwatch/errors/http_404": 1,
            },
        ]
    )
    assert pages == 17
    assert counts == {"items": 9, "new": 7, "updated": 0, "unchanged": 3, "errors": 3}


WORDS = [
    "rừng",
    "đèo",
    "sông",
    "biển",
    "chợ",
    "xe",
    "tàu",
    "kho",
    "cảng",
    "bản",
    "làng",
    "phố",
    "núi",
    "đồi",
    "hồ",
    "suối",
]


def _text(n: int) -> str:
    """A different report per line (identical texts would all be near-duplicates)."""
    picked = [WORDS[(n * 7 + k * k * 3 + n // (k + 1)) % len(WORDS)] for k in range(40)]
    return f"Vụ {n}: " + " ".join(f"{word}{(n * 31 + k) % 97}" for k, word in enumerate(picked))


def _archive(path: Path, lines: int, bad_line: int) -> Path:
    rows = [
        json.dumps({"url": f"https://vnexpress.net/te-giac-{n}.html", "text": _text(n)})
        for n in range(lines)
    ]
    rows[bad_line - 1] = '{"url": "https://example.org/broken"'  # reported by its number
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def test_import_on_a_terminal_shows_progress_and_keeps_the_summary(
    home: Path,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = _archive(home / "archive.jsonl", 1200, bad_line=700)
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr("ingest.progress.REDRAW_EVERY_S", 0.0)  # draw every update
    # A clock that moves 10 ms each time it is read: the rate and ETA need a second of
    # samples, which a fast machine's real import of 1,200 lines may not take.
    ticking = Clock()

    def clock() -> float:
        ticking.now += 0.01
        return ticking.now

    monkeypatch.setattr("ingest.import_command.Progress", functools.partial(Progress, clock=clock))
    assert main(["import", "-i", str(archive)]) == 1
    assert capsys.readouterr().out == "imported: 1199 new, 0 updated, 0 unchanged, 1 bad\n"
    written = terminal.getvalue()
    assert "import: 600/1,200 lines (50%)" in written and "ETA" in written
    # the bad line is reported on a line of its own, not glued to the progress line
    assert "\nline 700: invalid JSON" in written
    last = written.rstrip("\n").rsplit("\r", 1)[-1]
    assert last.startswith("import: 1,200/1,200 lines (100%)")
    assert "1,199 new, 0 updated, 0 unchanged, 1 bad" in last


def test_import_on_a_pipe_logs_periodically_and_quiet_only_reports_bad_lines(
    home: Path,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = _archive(home / "archive.jsonl", 600, bad_line=8)
    monkeypatch.setenv("WILDWATCH_PROGRESS_EVERY", "0.000001")
    assert main(["import", "-i", str(archive)]) == 1
    captured = capsys.readouterr()
    progress = [line for line in captured.err.splitlines() if LOG_LINE.match(line)]
    assert len(progress) > 10 and "\r" not in captured.err
    assert progress[-1].endswith("(done)") and "600/600 lines (100%)" in progress[-1]
    assert captured.out == "imported: 599 new, 0 updated, 0 unchanged, 1 bad\n"
    assert main(["import", "-i", str(archive), "--quiet"]) == 1
    quiet = capsys.readouterr()
    assert quiet.err == "line 8: invalid JSON: Expecting ',' delimiter (column 1)\n"
    assert quiet.out == "imported: 0 new, 0 updated, 599 unchanged, 1 bad\n"


@pytest.fixture(scope="module")
def site() -> object:
    server = SiteServer().start()
    yield server
    server.stop()


def _crawl_on_a_terminal(crawl_home: Path, *args: str) -> tuple[int, str, str]:
    """``wildwatch crawl`` with stderr on a pseudo-terminal (as typed in a shell)."""
    master, slave = pty.openpty()
    env = crawl_env(crawl_home)
    process = subprocess.Popen(
        [str(WILDWATCH), "crawl", *args], env=env, stdout=subprocess.PIPE, stderr=slave
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    return process.wait(timeout=90), stdout, b"".join(chunks).decode()


def test_crawl_progress_on_a_terminal_and_on_a_pipe(site: SiteServer, tmp_path: Path) -> None:
    sources = write_sources(site, tmp_path / "sources.toml")
    args = ("--sources", str(sources), "--source", "tg-dongvat-hoangda", "--max-pages", "2")
    code, stdout, terminal = _crawl_on_a_terminal(tmp_path, *args)
    assert code == 0, terminal
    assert stdout.splitlines()[0].split()[:3] == ["source", "pages", "new"]
    redraws = [part for part in terminal.split("\r") if part.startswith("crawl: ")]
    assert redraws and "pages" in redraws[-1] and " new" in redraws[-1]
    # on a pipe (the scheduler's crawl log): timestamped lines, no carriage returns
    env = {**crawl_env(tmp_path), "WILDWATCH_PROGRESS_EVERY": "0.2"}
    piped = subprocess.run(
        [str(WILDWATCH), "crawl", *args], env=env, capture_output=True, text=True, timeout=90
    )
    assert piped.returncode == 0, piped.stderr
    logged = [line for line in piped.stderr.splitlines() if LOG_LINE.match(line)]
    assert logged and logged[-1].endswith("(done)") and "\r" not in piped.stderr
    assert piped.stdout.splitlines()[0].split() == stdout.splitlines()[0].split()


def test_the_ticker_keeps_the_clock_moving_while_nothing_is_reported() -> None:
    terminal = FakeTerminal()
    progress = Progress("import", "lines", terminal, "tty", total=10)
    progress.update(0)
    progress.start_ticker(every=0.05)
    deadline = time.monotonic() + 5
    while terminal.getvalue().count("\r") < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    progress.finish()
    assert terminal.getvalue().count("\r") >= 3  # redrawn with nothing new reported
    assert terminal.getvalue().endswith("\n")
