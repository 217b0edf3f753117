"""``wildwatch import`` end to end: JSON lines in, documents in the index, counts and errors out.

The analysis stage is replaced by a small keyword tagger so these tests exercise the import
itself (validation, ids, idempotency, duplicates, the process pool); the last test runs the real
command in a subprocess with the real analysis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ingest import import_command
from pipelines.fields import Analysis
from pipelines.urls import document_id
from search.backend import IndexingError, SearchRequest
from search.sqlite_backend import SqliteBackend
from wildwatch.cli import main

RHINO_TEXT = (
    "Ngày 2/5, Công an tỉnh Đắk Lắk bắt giữ đối tượng vận chuyển 5 kg sừng tê giác trên "
    "Quốc lộ 14. Vụ việc đang được điều tra làm rõ đường dây buôn bán động vật hoang dã."
)


def keyword_analyze(
    text: str, *, title: str | None = None, lang_hint: str | None = None, **_: Any
) -> Analysis:
    folded = f"{title or ''} {text}".lower()
    species = [
        name for word, name in (("tê giác", "rhino"), ("tê tê", "pangolin")) if word in folded
    ]
    return {
        "lang": lang_hint or "vi",
        "wildlife_trade": bool(species),
        "relevance": 0.9 if species else 0.1,
        "species": species,
        "enforcement": ["arrest"] if "bắt giữ" in folded else [],
        "prices": [],
        "quantities": [],
        "locations": ["Đắk Lắk"] if "đắk lắk" in folded else [],
        "contacts": [],
        "tokens": "",
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("WILDWATCH_ANALYSIS_WORKERS", "1")
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    monkeypatch.setattr("pipelines.analysis.analyze", keyword_analyze)
    return tmp_path


def write_lines(path: Path, lines: list[Any]) -> Path:
    text = "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    )
    path.write_text("\ufeff" + text + "\n", encoding="utf-8")  # with a byte-order mark
    return path


ARCHIVE = [
    {
        "url": "https://VNExpress.net/bat-giu-sung-te-giac-123.html?utm_source=fb#top",
        "title": "Bắt giữ đối tượng vận chuyển sừng tê giác",
        "text": RHINO_TEXT,
        "published_at": "2024-05-02",
        "source": "vnexpress",
    },
    '{"url": "https://example.org/broken", "text": "không đóng ngoặc"',
    {"url": "https://example.org/no-text", "title": "Chỉ có tiêu đề"},
    {"url": "https://example.org/bad-date", "text": "tê tê", "published_at": "hôm qua"},
    "",
    {
        "url": "https://tuoitre.vn/te-te.html",
        "text": "Hải quan thu giữ 120 cá thể tê tê.",
        "kind": "news",
        "lang": "vi",
    },
    {"url": "ftp://example.org/file", "text": "x"},
    {
        "url": "https://baomoi.com/copy-123.html",
        "title": "Bắt giữ đối tượng vận chuyển sừng tê giác",
        "text": RHINO_TEXT + " Nguồn: VnExpress.",
    },
]


def test_import_indexes_good_lines_and_reports_bad_ones(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = write_lines(home / "archive.jsonl", ARCHIVE)
    assert main(["import", "-i", str(archive), "--source", "ngo-archive"]) == 1
    out, err = capsys.readouterr()
    assert "imported: 3 new, 0 updated, 0 unchanged, 4 bad" in out
    assert "line 2: invalid JSON" in err
    assert "line 3: field 'text' is missing or empty" in err
    assert "line 4: field 'published_at': 'hôm qua' is not an ISO 8601" in err
    assert "line 7: field 'url'" in err
    assert "line 5" not in err  # blank lines are not errors

    backend = SqliteBackend(home / "index.sqlite")
    original_id = document_id(ARCHIVE[0]["url"])  # type: ignore[index]
    stored = backend.get(original_id)
    assert stored is not None
    # The id comes from the canonical form; the URL stored is the one given, unaltered.
    assert stored["url"] == ARCHIVE[0]["url"]  # type: ignore[index]
    assert stored["source"] == "vnexpress"  # the line's own source wins over --source
    assert stored["published_at"] == "2024-05-02T00:00:00+07:00"
    assert stored["species"] == ["rhino"] and stored["locations"] == ["Đắk Lắk"]
    assert len(stored["content_hash"]) == 64 and len(stored["simhash"]) == 16
    other = backend.get(document_id("https://tuoitre.vn/te-te.html"))
    assert other is not None and other["source"] == "ngo-archive" and other["kind"] == "news"
    # The syndicated copy is linked to the earliest item, like crawled copies.
    copy = backend.get(document_id("https://baomoi.com/copy-123.html"))
    assert copy is not None and copy["duplicate_of"] == original_id
    hits = backend.search(SearchRequest(query="sung te giac dak lak"))["hits"]
    assert {hit["id"] for hit in hits} == {original_id, copy["id"]}
    backend.close()


def test_import_is_idempotent_by_url(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = write_lines(home / "a.jsonl", [ARCHIVE[0], ARCHIVE[5]])
    assert main(["import", "-i", str(archive)]) == 0
    assert main(["import", "-i", str(archive)]) == 0
    edited = dict(ARCHIVE[0], text=RHINO_TEXT + " Cập nhật: đối tượng đã bị khởi tố.")  # type: ignore[arg-type]
    edited["url"] = "https://vnexpress.net/bat-giu-sung-te-giac-123.html"  # same canonical URL
    assert main(["import", "-i", str(write_lines(home / "b.jsonl", [edited]))]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "imported: 2 new, 0 updated, 0 unchanged, 0 bad",
        "imported: 0 new, 0 updated, 2 unchanged, 0 bad",
        "imported: 0 new, 1 updated, 0 unchanged, 0 bad",
    ]
    backend = SqliteBackend(home / "index.sqlite")
    assert backend.count() == 2
    assert backend.search(SearchRequest(query="khoi to"))["total"] == 1
    backend.close()


def test_import_reads_stdin(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    data = (json.dumps(ARCHIVE[5], ensure_ascii=False) + "\n").encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="latin-1"))
    assert main(["import", "--kind", "social"]) == 0
    assert "1 new" in capsys.readouterr().out
    backend = SqliteBackend(home / "index.sqlite")
    assert backend.search(SearchRequest(query="thu giữ", kind=("news",)))["total"] == 1
    backend.close()


def test_bad_bytes_bad_urls_and_bad_json_are_reported_by_line_and_the_rest_goes_in(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {
        "url": "https://www.tuoitre.vn/te-te.html",
        "text": "Hải quan thu giữ 120 cá thể tê tê.",
    }
    lines = [
        json.dumps(good, ensure_ascii=False).encode("utf-8"),
        # Windows-1258 bytes in a UTF-8 file: reported, never turned into U+FFFD
        '{"url": "https://example.vn/a", "text": "Thu giữ tê tê"}'.encode("cp1258", "replace"),
        '{"url": "http://[::1/x", "text": "tê tê"}'.encode(),
        b'{"url": "https://example.vn/b", "text": ',
        json.dumps({"url": "https://thanhnien.vn/ngà-voi", "text": "Bắt giữ 2 kg ngà voi."}).encode(
            "utf-8"
        ),
    ]
    path = home / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["import", "-i", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "imported: 2 new, 0 updated, 0 unchanged, 3 bad" in out
    assert "line 2: invalid UTF-8 at byte" in err
    assert "line 3: field 'url': 'http://[::1/x' is not a usable URL" in err
    assert "line 4: invalid JSON" in err
    backend = SqliteBackend(home / "index.sqlite")
    stored = backend.get(document_id(good["url"]))
    assert stored is not None and stored["url"] == "https://www.tuoitre.vn/te-te.html"
    assert backend.count() == 2
    backend.close()


def test_bad_lines_from_stdin_are_reported_too(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    data = b'{"url": "https://a.vn/1", "text": "t\xea t\xea"}\n' + (
        json.dumps(ARCHIVE[5], ensure_ascii=False) + "\n"
    ).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="latin-1"))
    assert main(["import"]) == 1
    out, err = capsys.readouterr()
    assert "1 new" in out and "1 bad" in out
    assert "line 1: invalid UTF-8 at byte 37" in err


def test_big_files_are_analysed_in_a_process_pool(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WILDWATCH_ANALYSIS_WORKERS", "2")
    monkeypatch.setattr(import_command, "BATCH_LINES", 10)
    monkeypatch.setattr(import_command, "POOL_THRESHOLD", 10)
    started: list[int] = []
    real_pool = import_command.ProcessPoolExecutor

    def counting_pool(max_workers: int, **options: Any) -> Any:
        started.append(max_workers)
        return real_pool(max_workers, **options)

    monkeypatch.setattr(import_command, "ProcessPoolExecutor", counting_pool)
    lines = [
        {"url": f"https://example.vn/tin-{n}", "text": f"Bài số {n}: thu giữ tê tê lần thứ {n}."}
        for n in range(35)
    ]
    assert main(["import", "-i", str(write_lines(home / "big.jsonl", lines))]) == 0
    assert started == [2]
    assert "35 new" in capsys.readouterr().out
    backend = SqliteBackend(home / "index.sqlite")
    assert backend.search(SearchRequest(species=("pangolin",)))["total"] == 35
    backend.close()


def test_import_command_with_the_real_analysis(tmp_path: Path) -> None:
    archive = write_lines(tmp_path / "archive.jsonl", [ARCHIVE[0], ARCHIVE[2]])
    env = {**os.environ, "WILDWATCH_HOME": str(tmp_path), "WILDWATCH_ANALYSIS_WORKERS": "1"}
    env.pop("WILDWATCH_ELASTICSEARCH_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "wildwatch", "import", "-i", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "imported: 1 new, 0 updated, 0 unchanged, 1 bad" in result.stdout
    assert "line 2: field 'text'" in result.stderr
    search = subprocess.run(
        [sys.executable, "-m", "wildwatch", "search", "sung te giac", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    response = json.loads(search.stdout)
    assert response["total"] == 1
    assert "rhino" in response["hits"][0]["species"]


def test_an_older_imported_original_becomes_the_root_of_its_copies(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reprint = {
        "url": "https://baomoi.com/copy-123.html",
        "text": RHINO_TEXT + " Nguồn: VnExpress.",
        "published_at": "2024-05-03T09:00:00+07:00",
    }
    assert main(["import", "-i", str(write_lines(home / "1.jsonl", [reprint]))]) == 0
    assert main(["import", "-i", str(write_lines(home / "2.jsonl", [ARCHIVE[0]]))]) == 0
    backend = SqliteBackend(home / "index.sqlite")
    original_id = document_id(ARCHIVE[0]["url"])  # type: ignore[index]
    copy = backend.get(document_id(reprint["url"]))
    assert copy is not None and copy["duplicate_of"] == original_id
    original = backend.get(original_id)
    assert original is not None and original["duplicate_of"] is None
    assert [doc["id"] for doc in backend.duplicates_of(original_id)] == [copy["id"]]
    backend.close()


def test_a_text_over_the_analysis_cap_is_stored_whole_and_marked_truncated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real analysis, capped at 1,000 characters: the rhino report comes after 3,000
    # characters of filler, so it is not tagged, but the text stays whole and searchable.
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("WILDWATCH_ANALYSIS_WORKERS", "0")
    monkeypatch.setenv("WILDWATCH_ANALYSIS_MAX_CHARS", "1000")
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    filler = "Thời tiết hôm nay nắng nhẹ ở nhiều nơi. " * 80
    line = {"url": "https://www.vnexpress.net/dai-bai-1.html", "text": filler + RHINO_TEXT}
    assert main(["import", "-i", str(write_lines(tmp_path / "long.jsonl", [line]))]) == 0
    backend = SqliteBackend(tmp_path / "index.sqlite")
    doc = backend.get(document_id(line["url"]))
    assert doc is not None
    assert doc.get("truncated") is True
    assert doc["url"] == line["url"]
    assert "rhino" not in doc["species"]
    assert doc["text"].endswith(RHINO_TEXT)
    assert backend.search(SearchRequest(query="sung te giac")).get("total") == 1
    backend.close()


class RefusingBackend(SqliteBackend):
    """Writes every document but one, then says so as Elasticsearch's bulk does."""

    def __init__(self, path: Path, refused_url: str) -> None:
        super().__init__(path)
        self.refused = document_id(refused_url)

    def upsert(self, docs: Any) -> Any:
        docs = list(docs)
        super().upsert([doc for doc in docs if doc["id"] != self.refused])
        if any(doc["id"] == self.refused for doc in docs):
            raise IndexingError({self.refused: "mapper_parsing_exception: field [title]"})
        return []


def test_items_the_index_refuses_are_named_by_line_and_the_rest_are_stored(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"url": "https://vnexpress.net/tin-1.html", "text": RHINO_TEXT},
        {"url": "https://vnexpress.net/tin-2.html", "text": RHINO_TEXT + " Tin thứ hai."},
    ]
    backend = RefusingBackend(home / "index.sqlite", "https://vnexpress.net/tin-2.html")
    raw = [json.dumps(line, ensure_ascii=False).encode("utf-8") for line in lines]
    counts = import_command.import_lines(raw, backend, workers=1)
    assert counts["bad"] == 1 and counts["indexed"] == 1
    assert "line 2: not indexed: mapper_parsing_exception" in capsys.readouterr().err
    assert backend.get(document_id("https://vnexpress.net/tin-1.html")) is not None
    backend.close()
