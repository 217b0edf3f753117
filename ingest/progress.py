"""Progress of long commands (``wildwatch crawl``, ``wildwatch import``) on stderr.

Reads counts the command reports as it goes; writes to stderr only, so the summary on stdout
stays exactly what scripts parse:

* on a terminal, one line rewritten in place (at most 5 times a second): what is done (of the
  total when it is known), the rate, the counts, the time elapsed and, with a total, the
  time left ("ETA");
* otherwise (a pipe, a log file, the scheduler's crawl log), one timestamped line every
  ``log_every`` seconds, and one when the work ends;
* with ``--quiet``, nothing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Literal, TextIO

Mode = Literal["tty", "log", "quiet"]
LOG_EVERY_S = 10.0
REDRAW_EVERY_S = 0.2
# The rate (and so the ETA) is measured over the last half minute, from the first unit done:
# loading the analysis models before the first line must not make the ETA hours long.
RATE_WINDOW_S = 30.0


def choose_mode(stream: TextIO, *, quiet: bool) -> Mode:
    """``quiet`` wins; a terminal gets the rewritten line, anything else periodic lines."""
    if quiet:
        return "quiet"
    isatty = getattr(stream, "isatty", None)
    try:
        return "tty" if isatty is not None and isatty() else "log"
    except ValueError:  # a closed stream
        return "quiet"


def duration(seconds: float) -> str:
    """0:07, 2:05, 1:02:03: how long, as a clock reads."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_line(
    label: str,
    unit: str,
    done: int,
    total: int | None,
    elapsed: float,
    counts: Mapping[str, int | str],
    rate: float | None = None,
) -> str:
    """One line of progress: "import: 750/1,500 lines (50%) · 57.3/s · 700 new, 40 updated,
    10 bad · 0:13 · ETA 0:13" (counts that are text are shown as they are). ``rate``: units
    per second (default: ``done / elapsed``); no rate and no ETA before it is known."""
    head = f"{label}: {done:,}" + (f"/{total:,}" if total else "") + f" {unit}"
    if total:
        head += f" ({min(100, done * 100 // total)}%)"
    if rate is None:
        rate = done / elapsed if elapsed > 0 else 0.0
    parts = [head]
    if rate > 0:
        parts.append(f"{rate:,.1f}/s")
    shown = ", ".join(
        value if isinstance(value, str) else f"{value:,} {name}" for name, value in counts.items()
    )
    if shown:
        parts.append(shown)
    parts.append(duration(elapsed))
    if total and rate > 0 and done < total:
        parts.append(f"ETA {duration((total - done) / rate)}")
    return " · ".join(parts)


class Progress:
    """A long job's progress on ``stream`` (stderr) in ``mode``. Call ``update`` as often as
    convenient: it writes only when a redraw or a log line is due; ``finish`` once."""

    def __init__(
        self,
        label: str,
        unit: str,
        stream: TextIO,
        mode: Mode,
        *,
        total: int | None = None,
        log_every: float = LOG_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream
        self.mode = mode
        self.total = total
        self.log_every = log_every
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.counts: dict[str, int | str] = {}
        self._last_write: float | None = None
        self._width = 0
        self._finished = False
        self._guarded: list[logging.Handler] = []
        self._samples: deque[tuple[float, int]] = deque()
        self._lock = threading.RLock()  # the ticker thread and the job both update
        self._stop_ticker = threading.Event()
        self._ticker: threading.Thread | None = None
        if mode == "tty":
            self._guard_log_handlers()

    def _guard_log_handlers(self) -> None:
        """Log records written to the same terminal (Scrapy's warnings) start on a line of
        their own instead of after the progress line."""
        for handler in logging.getLogger().handlers:
            if getattr(handler, "stream", None) is self.stream:
                handler.addFilter(self._before_log_record)
                self._guarded.append(handler)

    def _before_log_record(self, record: logging.LogRecord) -> bool:
        self.interrupt_line()
        return True

    def update(self, done: int, counts: Mapping[str, int | str] | None = None) -> None:
        """The work done so far (in ``unit``) and the counts to show, in display order. The
        first call writes at once (the job has started); later ones when a line is due."""
        self.done = done
        if counts is not None:
            self.counts = dict(counts)
        if self.mode == "quiet":
            return
        with self._lock:
            now = self.clock()
            self._sample(now, done)
            every = REDRAW_EVERY_S if self.mode == "tty" else self.log_every
            if self._last_write is None or now - self._last_write >= every:
                self._write(now)

    def start_ticker(self, every: float = 1.0) -> None:
        """Redraw (or log, when due) every ``every`` seconds even when nothing is reported:
        the elapsed time keeps moving while a slow step (loading the analysis models, the
        first batch) runs, so the job does not look stuck."""
        if self.mode == "quiet" or self._ticker is not None:
            return

        def tick() -> None:
            while not self._stop_ticker.wait(every):
                self.update(self.done)

        self._ticker = threading.Thread(target=tick, name="progress", daemon=True)
        self._ticker.start()

    def _sample(self, now: float, done: int) -> None:
        if done <= 0 or (self._samples and self._samples[-1][1] == done):
            return
        if not self._samples or now - self._samples[-1][0] >= 0.5:
            self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= RATE_WINDOW_S:
            self._samples.popleft()

    def rate(self, now: float) -> float | None:
        """Units per second over the recent window; None until two moments are known."""
        if not self._samples:
            return None
        first_time, first_done = self._samples[0]
        if now - first_time < 1.0 or self.done <= first_done:
            return None
        return (self.done - first_done) / (now - first_time)

    def finish(self) -> None:
        """The final state: the terminal line completed and ended, or a last log line."""
        if self._finished or self.mode == "quiet":
            self._finished = True
            self._stop_ticker.set()
            return
        self._finished = True
        self._stop_ticker.set()
        if self._ticker is not None:
            self._ticker.join()
        for handler in self._guarded:
            handler.removeFilter(self._before_log_record)
        self._write(self.clock(), final=True)

    def _line(self, now: float) -> str:
        return progress_line(
            self.label,
            self.unit,
            self.done,
            self.total,
            now - self.started,
            self.counts,
            rate=self.rate(now) or 0.0,
        )

    def _write(self, now: float, *, final: bool = False) -> None:
        with self._lock:
            self._write_unlocked(now, final=final)

    def _write_unlocked(self, now: float, *, final: bool) -> None:
        self._last_write = now
        line = self._line(now)
        if self.mode == "tty":
            # one screen line: a wrapped line could not be rewritten by "\r"
            columns = _columns(self.stream)
            line = line[: max(20, columns - 1)]
            padding = " " * max(0, self._width - len(line))
            self._width = len(line)
            self.stream.write("\r" + line + padding + ("\n" if final else ""))
        else:
            moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.stream.write(f"{moment} {line}{' (done)' if final else ''}\n")
        self.stream.flush()

    def interrupt_line(self) -> None:
        """End the terminal line before other text goes to the same stream (an error for a
        bad input line): the next redraw starts on a fresh line."""
        with self._lock:
            if self.mode == "tty" and self._width:
                self.stream.write("\n")
                self._width = 0


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 100
    except (AttributeError, OSError, ValueError):
        return 100


def count_lines(path: str) -> int | None:
    """Lines in a regular file (the total for an import's ETA); None when it cannot be read
    twice (a pipe or a device)."""
    try:
        with open(path, "rb") as handle:
            if not handle.seekable():
                return None
            lines = 0
            last = b"\n"
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            return lines + (last != b"\n")
    except OSError:
        return None
