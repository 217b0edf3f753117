"""`wildwatch analyze`: JSON lines in, JSON lines out, bad lines reported and skipped."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from wildwatch.cli import main

GOOD: list[dict[str, Any]] = [
    {"id": "a1", "title": "Bắt giữ 2 tấn ngà voi", "text": "Hải quan Hải Phòng thu giữ ngà voi."},
    {"id": 2, "text": "ban vay te te gia re, ib zalo 0987654321"},
    {"id": "a3", "text": "Customs seized 200 kg of pangolin scales.", "lang": "en", "url": None},
    {"id": "a4", "text": "Vườn thú đón hổ con chào đời."},
]


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "home"))


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_files_in_and_out_keep_ids_and_order(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(r, ensure_ascii=False) for r in GOOD])
    target = tmp_path / "out.jsonl"
    assert main(["analyze", "-i", str(source), "-o", str(target), "--no-segment"]) == 0
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in out] == ["a1", 2, "a3", "a4"]
    assert out[0]["species"] == ["elephant"] and out[0]["enforcement"] == ["seizure"]
    assert out[1]["lang"] == "vi" and out[1]["wildlife_trade"] is True
    assert out[2]["lang"] == "en" and out[2]["species"] == ["pangolin"]
    assert out[3]["wildlife_trade"] is False
    assert all(r["tokens"] == "" for r in out)


def test_bad_lines_are_reported_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps(GOOD[0], ensure_ascii=False),
        '{"id": "x", "text": "unterminated',
        json.dumps({"id": "y"}),
        json.dumps({"id": "z", "text": ["not", "a", "string"]}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps(GOOD[1], ensure_ascii=False),
    ]
    source = write_lines(tmp_path / "in.jsonl", lines)
    assert main(["analyze", "-i", str(source), "--no-segment"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["a1", 2]
    assert "in.jsonl:2: invalid JSON" in captured.err
    assert "in.jsonl:3: missing field 'text'" in captured.err
    assert "in.jsonl:4: field 'text' must be a string" in captured.err
    assert "in.jsonl:5: expected a JSON object" in captured.err
    assert ":6:" not in captured.err  # blank lines are not errors


def test_stdin_to_stdout_with_segmentation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(GOOD[0], ensure_ascii=False) + "\n"))
    assert main(["analyze"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert "thu_giữ" in json.loads(line)["tokens"].split()


def test_workers_give_the_same_output_in_the_same_order(tmp_path: Path) -> None:
    records = [{**r, "id": f"{i}-{r['id']}"} for i in range(6) for r in GOOD]
    source = write_lines(
        tmp_path / "in.jsonl", [json.dumps(r, ensure_ascii=False) for r in records]
    )
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["analyze", "-i", str(source), "-o", str(one), "--no-segment"]) == 0
    assert (
        main(["analyze", "-i", str(source), "-o", str(two), "--workers", "2", "--no-segment"]) == 0
    )
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


def test_missing_input_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", "-i", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_workers_setting_is_validated(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WILDWATCH_ANALYSIS_WORKERS", "zero")
    assert main(["analyze", "-i", "/dev/null"]) == 2
    assert "WILDWATCH_ANALYSIS_WORKERS" in capsys.readouterr().err


def test_a_failing_analysis_skips_only_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pipelines.analysis

    real = pipelines.analysis.analyze

    def flaky(text: str, **kwargs: Any) -> Any:
        if "boom" in text:
            raise RuntimeError("simulated bug")
        return real(text, **kwargs)

    monkeypatch.setattr(pipelines.analysis, "analyze", flaky)
    lines = [json.dumps({"id": "ok1", "text": "Bán ngà voi"}), '{"id": "bad", "text": "boom"}']
    lines.append(json.dumps({"id": "ok2", "text": "Bán mật gấu"}))
    source = write_lines(tmp_path / "in.jsonl", lines)
    assert main(["analyze", "-i", str(source), "--no-segment"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["ok1", "ok2"]
    assert "in.jsonl:2: analysis failed" in captured.err
