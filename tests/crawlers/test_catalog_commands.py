"""``wildwatch sources`` and ``wildwatch archive ...`` as a user runs them."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawlers.archive import EvidenceArchive
from wildwatch.cli import main

SOURCES = """
[[sources]]
name = "vnexpress"
kind = "news"
language = "vi"
country = "VN"
feeds = ["https://vnexpress.net/rss/phap-luat.rss", "https://vnexpress.net/rss/khoa-hoc.rss"]
schedule = "3 */2 * * *"

[[sources]]
name = "chotot"
kind = "marketplace"
start_urls = ["https://www.chotot.com/mua-ban-thu-cung"]
enabled = false
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
    return tmp_path / "home"


def test_sources_lists_and_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    assert main(["sources", "--sources", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "ENABLED", "LANG", "COUNTRY", "SCHEDULE", "SEEDS"]
    assert lines[1].split() == [
        "vnexpress",
        "news",
        "yes",
        "vi",
        "VN",
        "3",
        "*/2",
        "*",
        "*",
        "*",
        "2",
    ]
    assert lines[2].split() == ["chotot", "marketplace", "no", "-", "-", "-", "1"]
    assert f"2 sources (1 enabled), valid: {path}" in out


def test_sources_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    assert main(["sources", "--sources", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == str(path)
    first, second = data["sources"]
    assert first["name"] == "vnexpress" and first["allowed_domains"] == ["vnexpress.net"]
    assert len(first["seeds"]) == 2 and second["enabled"] is False


def test_sources_uses_environment_then_bundled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WILDWATCH_SOURCES", raising=False)
    assert main(["sources"]) == 0
    assert "crawlers/sources.toml" in capsys.readouterr().out
    path = tmp_path / "mine.toml"
    path.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("WILDWATCH_SOURCES", str(path))
    assert main(["sources"]) == 0
    assert "mine.toml" in capsys.readouterr().out


def test_invalid_sources_exit_2_with_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(SOURCES.replace('kind = "marketplace"', 'kind = "shop"'), encoding="utf-8")
    assert main(["sources", "--sources", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "broken.toml" in captured.err and "'chotot'" in captured.err and "'kind'" in captured.err


def fill_archive(home: Path) -> list[str]:
    with EvidenceArchive(home / "archive") as archive:
        records = [
            archive.store(
                url="https://vnexpress.net/a-1.html?utm_source=rss",
                final_url="https://vnexpress.net/a-1.html",
                status=200,
                headers=[("Content-Type", "text/html; charset=utf-8")],
                body="<h1>Thu giữ 120 cá thể rùa</h1>".encode(),
                # 23:30 on 30 April in UTC is 06:30 on 1 May in Hanoi.
                fetched_at=datetime(2024, 4, 30, 23, 30, tzinfo=UTC),
                source="vnexpress",
            ),
            archive.store(
                url="https://www.chotot.com/ha-noi/mua-ban-thu-cung/99.htm",
                final_url="https://www.chotot.com/ha-noi/mua-ban-thu-cung/99.htm",
                status=200,
                headers=[("Content-Type", "text/html")],
                body="<h1>Bán khỉ đuôi dài</h1>".encode(),
                fetched_at=datetime(2024, 5, 2, 10, 0, tzinfo=UTC),
                source="chotot",
            ),
        ]
    return [record.sha256 for record in records]


def test_archive_list(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = fill_archive(home)
    assert main(["archive", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and first in lines[0] and "vnexpress" in lines[0]
    assert main(["archive", "list", "--source", "chotot", "--json"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["sha256"] == second
    assert main(["archive", "list", "--url", "https://vnexpress.net/a-1.html"]) == 0
    assert first in capsys.readouterr().out
    # Dates are days in WILDWATCH_TZ, --until included.
    assert main(["archive", "list", "--since", "2024-05-01", "--until", "2024-05-01"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert first in line
    assert main(["archive", "list", "--source", "nobody"]) == 0
    assert "no archived fetch matches" in capsys.readouterr().err


def test_archive_export_writes_a_readable_warc(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_archive(home)
    output = tmp_path / "evidence.warc.gz"
    assert main(["archive", "export", "-o", str(output), "--since", "2024-05-02"]) == 0
    assert "1 records" in capsys.readouterr().out
    with output.open("rb") as stream:
        records = [r for r in ArchiveIterator(stream, check_digests="raise")]
    assert [r.rec_type for r in records] == ["warcinfo", "response"]
    assert records[1].rec_headers.get_header("WARC-Target-URI").endswith("/99.htm")


def test_archive_show_and_verify(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = fill_archive(home)
    out = tmp_path / "page.html"
    assert main(["archive", "show", first, "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "<h1>Thu giữ 120 cá thể rùa</h1>"
    assert main(["archive", "verify"]) == 0
    printed = capsys.readouterr().out
    assert "2 archived bodies checked, 0 damaged" in printed
    assert "0 leftovers of interrupted writes" in printed
    with EvidenceArchive(home / "archive") as archive:
        path = archive.object_path(second)
    # what a kill -9 between writing a body and renaming it leaves behind
    leftover = path.parent / ".tmp-3x9q_wzk.gz"
    leftover.write_bytes(b"\x1f\x8b\x08\x00half a page")
    os.utime(leftover, (time.time() - 600, time.time() - 600))
    assert main(["archive", "verify"]) == 0  # a leftover is not evidence: nothing is damaged
    captured = capsys.readouterr()
    assert "2 archived bodies checked, 0 damaged" in captured.out
    assert "1 leftovers of interrupted writes (removed at the next crawl start)" in captured.out
    assert f"LEFTOVER {leftover} (15 bytes, interrupted write)" in captured.err
    path.chmod(0o644)
    path.write_bytes(b"\x1f\x8b garbage")
    assert main(["archive", "verify"]) == 1
    captured = capsys.readouterr()
    assert "1 damaged" in captured.out and "99.htm" in captured.err
    assert "1 leftovers" in captured.out and str(leftover) in captured.err
    assert main(["archive", "show", second]) == 1
    assert "damaged" in capsys.readouterr().err
    output = tmp_path / "evidence.warc.gz"
    assert main(["archive", "export", "-o", str(output)]) == 1
    assert "nothing written" in capsys.readouterr().err and not output.exists()


def test_bad_date_is_a_usage_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["archive", "list", "--since", "01/05/2024"])
    assert exited.value.code == 2
    assert "'01/05/2024' is not a date" in capsys.readouterr().err
