"""Hostile texts: analysis time linear in the text, a cap on what is analysed, and
`wildwatch analyze` reporting undecodable lines by number while processing the rest."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.analysis import analyze
from pipelines.species import find_species
from pipelines.vocab_loader import Match, resolve_overlaps
from wildwatch.cli import main


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "home"))


def test_repetitive_species_words_are_matched_in_linear_time() -> None:
    find_species("tê tê", vietnamese=True)  # vocabulary loaded outside the timing
    text = "tê tê " * 30_000  # 180 000 characters: about 30 s with pairwise overlap checks
    started = time.perf_counter()
    mentions = find_species(text, vietnamese=True)
    assert time.perf_counter() - started < 8
    assert len(mentions) == 30_000
    assert {m.group for m in mentions} == {"pangolin"}


def test_overlaps_resolved_longest_first_whatever_the_order() -> None:
    snake = Match(4, 15, "snake", "rắn hổ mang", False)
    tiger = Match(8, 10, "tiger", "hổ", False)
    amber = Match(20, 27, "", "hổ phách", False)
    inside_amber = Match(20, 22, "tiger", "hổ", False)
    later = Match(30, 32, "tiger", "hổ", False)
    kept = resolve_overlaps([later, inside_amber, tiger, amber, snake])
    assert kept == [snake, amber, later]


def test_only_the_first_part_of_a_huge_text_is_analysed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_ANALYSIS_MAX_CHARS", "1000")
    filler = "Tin tức thời sự trong ngày. " * 60  # 1 680 characters
    capped = analyze(filler + "Bán sừng tê giác giá rẻ.", segment=False)
    assert capped.get("truncated") is True
    assert "rhino" not in capped["species"]
    whole = analyze("Bán sừng tê giác giá rẻ. " + filler, segment=False)
    assert "rhino" in whole["species"]
    assert "truncated" in whole
    short = analyze("Bán sừng tê giác giá rẻ.", segment=False)
    assert "truncated" not in short


def _lines(*records: dict[str, object]) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records]


def test_invalid_utf8_in_a_file_is_reported_by_line_and_the_rest_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _lines({"id": "a", "text": "Bán ngà voi"}, {"id": "c", "text": "Bán mật gấu"})
    source = tmp_path / "in.jsonl"
    source.write_bytes(good[0] + b'{"id": "b", "text": "v\xe1y t\xea t\xea"}\n' + good[1])
    assert main(["analyze", "-i", str(source), "--no-segment", "--workers", "1"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["a", "c"]
    assert "in.jsonl:2: not UTF-8 text (byte 0xe1 at byte 23 of the line); line skipped" in (
        captured.err
    )


def test_invalid_utf8_on_stdin_is_reported_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b'{"id": 1, "text": "\xff"}\n' + _lines({"id": 2, "text": "Bán ngà voi"})[0]
    # What a terminal or a pipe gives: a text wrapper over the bytes.
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="surrogateescape")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["analyze", "--no-segment", "--workers", "1"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == [2]
    assert "<stdin>:1: not UTF-8 text (byte 0xff" in captured.err


def test_surrogate_escapes_and_absurd_json_are_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'{"id": 1, "text": "half a pair \\ud800"}\n'
        + b'{"id": ' + b"9" * 5000 + b', "text": "x"}\n'
        + b"[" * 100_000 + b"\n"
        + _lines({"id": 4, "text": "Bán ngà voi"})[0]
    )  # fmt: skip
    assert main(["analyze", "-i", str(source), "--no-segment", "--workers", "1"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == [4]
    for number in (1, 2, 3):
        assert f"in.jsonl:{number}: " in captured.err
    assert "Traceback" not in captured.err


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=st.lists(st.binary(max_size=200), min_size=1, max_size=4))
def test_analyze_never_fails_on_any_bytes(
    lines: list[bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "fuzz.jsonl"
    source.write_bytes(b"\n".join(lines))
    status = main(["analyze", "-i", str(source), "--no-segment", "--workers", "1"])
    captured = capsys.readouterr()
    assert status in (0, 1)
    assert "Traceback" not in captured.err


_TEXT = st.text(
    alphabet=st.sampled_from(list("tê hổ ngà voi rắn mang sừng giác kg 5 $ đ\n\t\u200b\u0301.,")),
    max_size=300,
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_TEXT, st.one_of(st.none(), _TEXT))
def test_analysis_of_any_text_gives_a_result(text: str, title: str | None) -> None:
    result = analyze(text, title=title, segment=False)
    assert 0.0 <= result["relevance"] <= 1.0
    json.dumps(result, ensure_ascii=False).encode("utf-8")
