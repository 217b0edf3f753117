"""``wildwatch cases ...`` end to end on an index of real labelled cases."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from wildwatch.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_rebuild_list_show_and_export(
    seeded: dict[str, str], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "cases", "rebuild", "--full")
    assert status == 0 and out.startswith("cases: 4 ")

    status, out, _ = run(capsys, "cases", "list", "--province", "Nghệ An", "--json")
    listed = json.loads(out)
    assert status == 0 and listed["total"] == 2
    assert {c["provinces"][0] for c in listed["cases"]} == {"Nghệ An"}

    status, out, _ = run(capsys, "cases", "list", "--status", "sentence", "--country", "vn")
    assert status == 0 and len(out.strip().splitlines()) == 4  # every seeded case is sentenced

    chien = next(
        c
        for c in json.loads(run(capsys, "cases", "list", "--json")[1])["cases"]
        if "rhino" in c["species"]
    )
    status, out, _ = run(capsys, "cases", "show", chien["id"])
    assert status == 0
    assert "seizure" in out and "sentence" in out and "env4wildlife.org" in out

    target = home / "cases.csv"
    status, _, err = run(capsys, "cases", "export", "-o", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert status == 0 and len(rows) == 4 and "4 case(s)" in err
    rhino = next(row for row in rows if row["id"] == chien["id"])
    assert rhino["status"] == "sentence" and "env4wildlife.org" in rhino["sentence_outlets"]


def test_merge_split_and_errors(seeded: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "cases", "rebuild")
    tigers = json.loads(run(capsys, "cases", "list", "--province", "Nghệ An", "--json")[1])
    first, second = (c["id"] for c in tigers["cases"])
    status, out, _ = run(capsys, "cases", "merge", first, second, "--by", "lan")
    assert status == 0 and out.startswith(f"{first}: 6 articles")

    status, _, err = run(capsys, "cases", "merge", first, "cmissing")
    assert status == 1 and "no case cmissing" in err

    doc = seeded["vn-dien-chau-7-tiger-cubs--danviet-vn"]
    status, out, _ = run(capsys, "cases", "split", first, "--article", doc)
    assert status == 0 and "5 articles kept" in out and "1 articles moved" in out

    status, _, err = run(capsys, "cases", "list", "--no-follow-up-days", "-3")
    assert status == 2 and "no follow-up for -3 days: must be 0 or more" in err


def test_follow_needs_an_existing_case(
    seeded: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "cases", "rebuild")
    status, _, err = run(capsys, "cases", "follow", "cnothere", "a@b.org")
    assert status == 1 and "no case cnothere" in err
