"""/cases, /cases/{id}, /cases.csv and /api/cases on an index of real labelled cases."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cases.store import CaseStore
from tests.cases.seed import seed_cases
from web.app import create_app


@pytest.fixture
def case_ids(home: Path) -> dict[str, str]:
    return seed_cases(home)


@pytest.fixture
def app_client(case_ids: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(login_required=False)) as test_client:
        yield test_client


def _case_of(home: Path, doc_id: str) -> str:
    case_id = CaseStore(home / "cases.sqlite").case_of(doc_id)
    assert case_id
    return case_id


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_the_list_filters_by_province_status_and_quiet_time(app_client: TestClient) -> None:
    page = app_client.get("/cases?ui=en")
    assert page.status_code == 200
    assert "4 of 4 cases" in page.text
    tigers = app_client.get("/cases", params={"province": "Nghệ An", "ui": "en"})
    assert "2 of 4 cases" in tigers.text and "Tòa tuyên" not in tigers.text
    # every seeded case reached its sentence: none waits for a follow-up
    quiet = app_client.get("/cases", params={"no_follow_up_days": "30", "ui": "en"})
    assert "0 of 4 cases" in quiet.text
    bad = app_client.get("/cases", params={"status": "verdict"})
    assert bad.status_code == 400 and "verdict" in bad.text


def test_a_case_page_shows_the_timeline_and_who_never_reported_the_sentence(
    app_client: TestClient, home: Path, case_ids: dict[str, str]
) -> None:
    chien = _case_of(home, case_ids["vn-nguyen-mau-chien-rhino--en-dangcongsan-vn"])
    page = app_client.get(f"/cases/{chien}?ui=en")
    assert page.status_code == 200
    text = page.text
    assert "Timeline" in text and "Who reported which step" in text
    # en.dangcongsan.vn reported the arrest, never the sentence
    row = re.search(r"<th scope=\"row\">en.dangcongsan.vn</th>(.*?)</tr>", text, re.S)
    assert row and "Never" in row.group(1) and "✓" in row.group(1)
    assert app_client.get("/cases/cffffffffff").status_code == 404


def test_the_item_page_links_to_its_case(
    app_client: TestClient, home: Path, case_ids: dict[str, str]
) -> None:
    doc = case_ids["vn-yen-thanh-17-tigers--voh-com-vn"]
    page = app_client.get(f"/items/{doc}?ui=en")
    assert page.status_code == 200
    assert f'href="/cases/{_case_of(home, doc)}"' in page.text and "Part of case" in page.text


def test_api_and_csv(app_client: TestClient, home: Path, case_ids: dict[str, str]) -> None:
    listed = app_client.get("/api/cases", params={"species": "tiger", "status": "sentence"})
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 3 and {"id", "timeline", "status"} <= set(body["cases"][0])
    one = app_client.get(f"/api/cases/{body['cases'][0]['id']}").json()
    assert one["articles"] and one["coverage"]
    assert app_client.get("/api/cases", params={"no_follow_up_days": "x"}).status_code == 400

    export = app_client.get("/cases.csv", params={"province": "Nghệ An"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert len(rows) == 2 and all(row["url"].endswith(f"/cases/{row['id']}") for row in rows)


def test_staff_merge_split_and_follow_through_the_page(
    app_client: TestClient, home: Path, case_ids: dict[str, str]
) -> None:
    tigers = _case_of(home, case_ids["vn-yen-thanh-17-tigers--danviet-vn"])
    cubs = _case_of(home, case_ids["vn-dien-chau-7-tiger-cubs--danviet-vn"])
    token = _csrf(app_client.get(f"/cases/{tigers}").text)
    merged = app_client.post(
        f"/cases/{tigers}/merge", data={"csrf_token": token, "others": cubs, "note": "test"}
    )
    assert merged.status_code == 200 and "Đã gộp vụ." in merged.text
    assert _case_of(home, case_ids["vn-dien-chau-7-tiger-cubs--danviet-vn"]) == tigers

    moved = case_ids["vn-dien-chau-7-tiger-cubs--danviet-vn"]
    split = app_client.post(
        f"/cases/{tigers}/split", data={"csrf_token": token, "article": [moved]}
    )
    assert split.status_code == 200
    assert _case_of(home, moved) != tigers

    followed = app_client.post(
        f"/cases/{tigers}/follow", data={"csrf_token": token, "email": "reporter@example.org"}
    )
    assert "Đã theo dõi vụ này." in followed.text
    assert CaseStore(home / "cases.sqlite").followers(tigers) == [("reporter@example.org", "vi")]

    forged = app_client.post(f"/cases/{tigers}/merge", data={"csrf_token": "x", "others": cubs})
    assert forged.status_code == 403


def test_a_case_page_maps_its_places_with_links_to_the_search(
    app_client: TestClient, home: Path, case_ids: dict[str, str]
) -> None:
    tigers = _case_of(home, case_ids["vn-yen-thanh-17-tigers--danviet-vn"])
    page = app_client.get(f"/cases/{tigers}?ui=en").text
    assert "Places of this case" in page and "<svg" in page
    # the case's province is filled and opens the search for the case's species there
    assert re.search(r'href="/\?[^"]*species=tiger[^"]*place=Ngh', page), page[:2000]
