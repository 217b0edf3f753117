"""Commands contributed by this package to the ``wildwatch`` command line (wildwatch/cli.py).

``wildwatch analyze`` reads JSON lines (``{"id", "text", "title"?, "url"?, "lang"?}``) from a
file or stdin and writes one line per good input line, in input order: the input ``id`` plus the
analysis fields (DESIGN.md). A bad line is reported on stderr with its line number and skipped.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from pipelines.settings import analysis_workers

logger = logging.getLogger(__name__)


class BadLine(ValueError):
    """An input line that cannot be analysed; the message says why."""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this package's commands to ``subparsers``."""
    parser = subparsers.add_parser(
        "analyze",
        help="analyse texts given as JSON lines (stdin/stdout by default)",
        description=(
            'Read one JSON object per line ({"id", "text", "title"?, "url"?, "lang"?}) and write '
            "the id plus language, species, trade signal, enforcement actions, prices, "
            "quantities, places, contacts and word segmentation, in input order."
        ),
    )
    parser.add_argument("-i", "--input", metavar="IN.jsonl", help="input file (default: stdin)")
    parser.add_argument("-o", "--output", metavar="OUT.jsonl", help="output file (default: stdout)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: WILDWATCH_ANALYSIS_WORKERS, the number of CPUs)",
    )
    parser.add_argument(
        "--no-segment",
        action="store_true",
        help="skip Vietnamese word segmentation (tokens stay empty; much faster)",
    )
    parser.set_defaults(handler=run_analyze)


def parse_line(line: str) -> dict[str, Any]:
    """One input record, checked; raises ``BadLine`` saying what is wrong."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLine(f"invalid JSON ({error.msg} at column {error.colno})") from None
    except (ValueError, RecursionError) as error:
        # a number of more than 4 300 digits, or arrays nested thousands deep
        raise BadLine(f"invalid JSON ({str(error).split(';')[0]})") from None
    if not isinstance(record, dict):
        raise BadLine(f"expected a JSON object, got {type(record).__name__}")
    if "id" not in record:
        raise BadLine("missing field 'id'")
    if not isinstance(record["id"], str | int) or isinstance(record["id"], bool):
        raise BadLine("field 'id' must be a string or a whole number")
    if "text" not in record:
        raise BadLine("missing field 'text'")
    if not isinstance(record["text"], str):
        raise BadLine(f"field 'text' must be a string, got {type(record['text']).__name__}")
    for key in ("title", "url", "lang"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise BadLine(f"field '{key}' must be a string")
    for key in ("id", "text", "title", "url", "lang"):
        value = record.get(key)
        if isinstance(value, str) and not _encodable(value):
            # "\ud800" in JSON decodes to half a UTF-16 pair, which no UTF-8 output can hold.
            raise BadLine(f"field '{key}' holds an unpaired surrogate escape (\\ud800-\\udfff)")
    return record


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


Job = tuple[int, dict[str, Any], bool]  # line number, record, segment?


def analyze_record(job: Job) -> tuple[int, str | None]:
    """``(line number, output line)`` of one record (runs in worker processes); the output is
    None when the analysis itself failed, so one bad text cannot stop a long run."""
    from pipelines.analysis import analyze

    number, record, segment = job
    try:
        result = analyze(
            record["text"],
            title=record.get("title"),
            url=record.get("url"),
            lang_hint=record.get("lang"),
            segment=segment,
        )
    except Exception:
        logger.exception("analysis of line %d (id %r) failed", number, record["id"])
        return number, None
    return number, json.dumps({"id": record["id"], **result}, ensure_ascii=False)


def _warm_up(segment: bool) -> None:
    # Load the vocabularies, the language model and the segmenter once per worker process.
    analyze_record((0, {"id": 0, "text": "Thu giữ vảy tê tê tại cửa khẩu."}, segment))


def decode_line(raw: bytes | str) -> str:
    """One input line as text; ``BadLine`` naming the first byte that is not UTF-8."""
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = raw[error.start]
        raise BadLine(
            f"not UTF-8 text (byte 0x{byte:02x} at byte {error.start + 1} of the line)"
        ) from None


class _Reader:
    """Yields the good records of a JSON-lines stream (bytes, or text already decoded),
    reporting bad lines on stderr."""

    def __init__(self, stream: Iterable[bytes | str], name: str, segment: bool) -> None:
        self.stream, self.name, self.segment = stream, name, segment
        self.bad = 0

    def __iter__(self) -> Iterator[Job]:
        for number, raw in enumerate(self.stream, 1):
            try:
                line = decode_line(raw)
                if not line.strip():
                    continue
                record = parse_line(line)
            except BadLine as error:
                self.bad += 1
                print(
                    f"wildwatch analyze: {self.name}:{number}: {error}; line skipped",
                    file=sys.stderr,
                )
                continue
            yield number, record, self.segment


def run_analyze(args: argparse.Namespace) -> int:
    workers = args.workers if args.workers is not None else max(1, analysis_workers())
    if workers < 1:
        print("wildwatch analyze: --workers must be at least 1", file=sys.stderr)
        return 2
    segment = not args.no_segment
    try:
        # Bytes, decoded line by line: one bad byte costs its line, not the whole input.
        source = open(args.input, "rb") if args.input else _stdin()  # noqa: SIM115
    except OSError as error:
        print(f"wildwatch analyze: cannot read {args.input}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        sink = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    except OSError as error:
        print(f"wildwatch analyze: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 2
    reader = _Reader(source, args.input or "<stdin>", segment)
    failed = 0
    try:
        for number, line in _results(reader, workers, segment):
            if line is None:
                failed += 1
                print(
                    f"wildwatch analyze: {reader.name}:{number}: analysis failed (see the log); "
                    "line skipped",
                    file=sys.stderr,
                )
            else:
                sink.write(line + "\n")
        sink.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        sys.stderr.close()
        return 0
    finally:
        if args.output:
            sink.close()
        if args.input:
            source.close()
    return 1 if reader.bad or failed else 0


def _stdin() -> Any:
    # The binary buffer of a real stdin; a replaced stdin (tests, embedding) may be text only.
    return getattr(sys.stdin, "buffer", sys.stdin)


def _results(reader: _Reader, workers: int, segment: bool) -> Iterator[tuple[int, str | None]]:
    if workers == 1:
        for job in reader:
            yield analyze_record(job)
        return
    import multiprocessing

    with multiprocessing.Pool(workers, initializer=_warm_up, initargs=(segment,)) as pool:
        # imap keeps input order; chunks amortise the inter-process traffic.
        yield from pool.imap(analyze_record, reader, chunksize=8)
