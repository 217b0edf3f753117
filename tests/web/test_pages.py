"""The HTML pages over a seeded index: what a monitoring officer sees and clicks."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fastapi.testclient import TestClient

from web.app import create_app
from web.services import AlertSaveError, Services


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="hit-title"><a href="[^"]+">(.*?)</a>', html)


def test_search_without_diacritics_finds_vietnamese_items(client: TestClient) -> None:
    page = client.get("/", params={"q": "te te"})
    assert page.status_code == 200
    found = titles(page.text)
    assert "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh" in found
    assert "Vảy tê tê rừng loại 1" in found
    assert "Xét xử vụ buôn bán 2 tấn ngà voi, tuyên án 12 năm tù" not in found
    assert '<p class="total"><strong>5</strong>' in page.text
    # matches are highlighted in the snippet, accents as written in the article
    assert "<mark>tê</mark> <mark>tê</mark>" in page.text


def test_facet_links_narrow_and_can_be_removed(client: TestClient) -> None:
    page = client.get("/", params={"q": "te te"})
    link = re.search(r'href="(/\?[^"]*kind=news[^"]*)" class="facet-value"', page.text)
    assert link, "a 'news' facet link"
    narrowed = client.get(link.group(1).replace("&amp;", "&"))
    assert sorted(titles(narrowed.text)) == [
        "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh",
        "Quảng Ninh: bắt xe chở 120kg vảy tê tê",
    ]
    assert 'class="facet-value selected"' in narrowed.text
    # the active filter is shown as a chip whose link removes it
    chip = re.search(r'<a class="chip" href="([^"]+)"', narrowed.text)
    assert chip and "kind=news" not in chip.group(1)


def test_filters_combine_species_enforcement_and_dates(client: TestClient) -> None:
    page = client.get(
        "/",
        params=[("species", "pangolin"), ("enforcement", "seizure"), ("since", "2024-03-05")],
    )
    assert sorted(titles(page.text)) == [
        "Quảng Ninh: bắt xe chở 120kg vảy tê tê",
        "Vietnam seizes 7 tonnes of pangolin scales in Hai Phong port",
    ]


def test_result_shows_tags_source_date_and_links(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get("/", params={"q": "sung te giac", "ui": "en"}).text
    assert "Bán sừng tê giác nguyên chất, bao test" in page
    assert '<span class="tag species" data-id="rhino">rhino</span>' in page
    assert "2,5 triệu/lạng" in page
    assert "chotot" in page and "06/03/2024" not in page  # English UI writes ISO dates
    assert "2024-03-06 20:00" in page
    assert 'href="https://www.chotot.com/mua-ban-do-co/sung-te-giac-nguyen-chat-112233.htm"' in page
    archived = client.get("/", params={"q": "Mong Cai"}).text
    assert f'href="/items/{ids["pangolin"]}#archive"' in archived


def test_pagination(client: TestClient) -> None:
    first = client.get("/", params={"per_page": "3"}).text
    assert len(titles(first)) == 3
    assert 'aria-current="page">1<' in first
    second = client.get("/", params={"per_page": "3", "page": "2"}).text
    assert len(titles(second)) == 3
    assert not set(titles(first)) & set(titles(second))
    third = client.get("/", params={"per_page": "3", "page": "3"}).text
    assert len(titles(third)) == 2


def test_ui_language_switch_translates_labels_and_species(client: TestClient) -> None:
    vi = client.get("/", params={"q": "te te"})
    assert "Tìm kiếm" in vi.text and ">tê tê</span>" in vi.text
    en = client.get("/", params={"q": "te te", "ui": "en"})
    assert ">pangolin</span>" in en.text and "Save this search as an alert" in en.text
    assert en.cookies.get("ww_ui") == "en"
    # the choice sticks through the cookie
    again = client.get("/trends")
    assert "Items per species (top 5" in again.text


def test_bad_parameters_and_bad_queries_are_explained(client: TestClient) -> None:
    # 31 February does not exist: refused in the reader's language, naming the field
    page = client.get("/", params={"since": "31/02/2024"})
    assert page.status_code == 400
    assert "Từ ngày: “31/02/2024” không phải ngày hợp lệ (nhập dd/mm/yyyy" in page.text
    english = client.get("/", params={"since": "2024-13-01", "ui": "en"})
    assert "From: “2024-13-01” is not a date" in english.text
    syntax = client.get("/", params={"q": "tê tê AND", "ui": "vi"})
    assert syntax.status_code == 400
    assert "AND cần một từ khóa sau nó" in syntax.text
    assert "needs a search term" not in syntax.text
    assert 'value="tê tê AND"' in syntax.text  # the query stays in the box to fix it
    assert client.get("/trends", params={"interval": "month"}).status_code == 400
    assert client.get("/coverage", params={"kind": "blog"}).status_code == 400


def test_item_page_shows_every_field_and_duplicates(
    client: TestClient, ids: dict[str, str]
) -> None:
    page = client.get(f"/items/{ids['pangolin']}", params={"ui": "en"})
    assert page.status_code == 200
    html = page.text
    for expected in (
        "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh",
        "pangolin",
        "seizure",
        "arrest",
        "Quảng Ninh",
        "Móng Cái",
        "120 kg",
        "95%",
        "2024-03-04 09:15",
        "Tài xế khai nhận",
    ):
        assert expected in html
    assert "Also reported by" in html
    assert f'href="/items/{ids["copy"]}"' in html
    assert 'sandbox=""' in html and f'src="/items/{ids["pangolin"]}/archive/raw"' in html
    ad = client.get(f"/items/{ids['rhino_ad']}", params={"ui": "en"}).text
    assert "+84912345678" in ad and "zalo" in ad and "Anh Tuấn" in ad
    assert "2.500.000 ₫" in client.get(f"/items/{ids['rhino_ad']}", params={"ui": "vi"}).text


def test_archived_page_is_sandboxed_and_decoded(client: TestClient, ids: dict[str, str]) -> None:
    raw = client.get(f"/items/{ids['pangolin']}/archive/raw")
    assert raw.status_code == 200
    assert raw.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert raw.headers["content-type"].startswith("text/html")
    text = client.get(f"/items/{ids['pangolin']}/archive.txt")
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Bắt giữ 120 kg vảy tê tê" in text.text  # windows-1258 page decoded
    assert "alert" not in text.text  # scripts dropped from the text view
    assert client.get(f"/items/{ids['rhino_ad']}/archive/raw").status_code == 404


def test_unknown_item_and_route_give_404_pages(client: TestClient) -> None:
    missing = client.get("/items/0000000000000000dead", params={"ui": "en"})
    assert missing.status_code == 404
    assert "no item with id" in missing.text and "<html" in missing.text
    vietnamese = client.get("/items/0000000000000000dead", params={"ui": "vi"})
    assert "Không có trang hoặc mục nào ở địa chỉ này." in vietnamese.text
    assert "no item with id" not in vietnamese.text
    assert client.get("/no-such-page").status_code == 404


def test_trends_page_draws_charts(client: TestClient) -> None:
    page = client.get("/trends", params={"ui": "en", "price_species": "pangolin", "range": "all"})
    assert page.status_code == 200
    assert page.text.count("<svg viewBox") == 3
    assert "pangolin prices per kg: median and middle half" in page.text
    assert "Median price / kg" in page.text and "3M" in page.text
    daily = client.get("/trends", params={"interval": "day", "ui": "vi", "range": "all"})
    assert "mỗi ngày" in daily.text


def test_coverage_page_heatmap_links_to_searches(client: TestClient) -> None:
    page = client.get("/coverage", params={"ui": "en"})
    assert page.status_code == 200
    assert '<th scope="row">vnexpress</th>' in page.text
    assert "source=thanhnien&amp;enforcement=trial" in page.text
    assert page.text.count("<svg viewBox") == 2


def test_csv_export_has_bom_and_all_matches(client: TestClient) -> None:
    response = client.get("/export.csv", params={"q": "te te"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("id,published_at,fetched_at,source")
    assert len(lines) == 1 + 5
    assert "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh" in text
    assert "3 triệu/kg" in text and "3000000" in text
    assert client.get("/export.csv", params={"page": "x"}).status_code == 400


def test_csv_rows_have_a_plain_snippet_an_item_link_and_local_dates(client: TestClient) -> None:
    text = client.get("/export.csv", params={"q": "te te"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(row["item_link"] == f"http://testserver/items/{row['id']}" for row in rows)
    assert all("<mark>" not in row["snippet"] for row in rows)
    assert any("tê tê" in row["snippet"].lower() for row in rows)
    # stored in UTC, written in WILDWATCH_TZ (Asia/Ho_Chi_Minh) with its offset
    assert all(row["fetched_at"].endswith("+07:00") for row in rows)
    assert client.get(rows[0]["item_link"].removeprefix("http://testserver")).status_code == 200


def test_save_search_as_alert(home: Path, ids: dict[str, str]) -> None:
    saved: list[dict[str, object]] = []

    def save(fields: object) -> None:
        saved.append(dict(fields))  # type: ignore[call-overload]
        if saved[-1]["name"] == "taken":
            raise AlertSaveError("alert rule 'taken' already exists")

    with TestClient(create_app(Services(save_alert=save), login_required=False)) as client:
        page = client.get("/", params=[("q", "te te"), ("species", "pangolin")])
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        form = {
            "csrf_token": token.group(1),
            "q": "te te",
            "species": "pangolin",
            "name": "te-te-quang-ninh",
            "recipients": "staff@ngo.example, canhsat@police.example",
            "email_lang": "en",
            "cadence": "daily",
        }
        done = client.post("/alerts", data=form, follow_redirects=False)
        assert done.status_code == 303
        assert "saved=te-te-quang-ninh" in done.headers["location"]
        assert saved[0]["query"] == "te te" and saved[0]["species"] == ("pangolin",)
        assert saved[0]["recipients"] == ("staff@ngo.example", "canhsat@police.example")
        shown = client.get(done.headers["location"])
        assert "te-te-quang-ninh" in shown.text
        refused = client.post("/alerts", data={**form, "name": "taken"})
        assert refused.status_code == 400
        assert "already exists" in refused.text
        assert 'value="staff@ngo.example, canhsat@police.example"' in refused.text


def test_save_alert_end_to_end_with_rule_store(client: TestClient) -> None:
    from schedules.rules import RuleStore

    page = client.get("/", params={"q": "ngà voi"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {
        "csrf_token": token.group(1),
        "q": "ngà voi",
        "enforcement": "trial",
        "name": "ivory-trials",
        "recipients": "bao@ngo.example",
        "email_lang": "vi",
        "cadence": "daily",
    }
    assert client.post("/alerts", data=form, follow_redirects=False).status_code == 303
    rule = RuleStore.from_settings().get("ivory-trials")
    assert rule is not None and rule.query == "ngà voi" and rule.enforcement == ("trial",)
    bad = client.post("/alerts", data={**form, "name": "x2", "recipients": "not-an-address"})
    assert bad.status_code == 400 and "recipients" in bad.text


def test_post_without_csrf_token_is_rejected(client: TestClient) -> None:
    response = client.post("/alerts", data={"name": "x", "recipients": "a@b.example"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    forged = client.post(
        "/alerts", data={"csrf_token": "0" * 64, "name": "x", "recipients": "a@b.example"}
    )
    assert forged.status_code == 403


def test_minimal_document_renders_everywhere(home: Path) -> None:
    """Items imported with only a URL, text and fetch time still show on every page."""
    from search.sqlite_backend import SqliteBackend

    url = "https://baomoi.com/tin-ngan-ve-te-te.epi"
    from pipelines.urls import document_id

    doc_id = document_id(url)
    backend = SqliteBackend(home / "index.sqlite")
    backend.upsert(
        [
            {
                "id": doc_id,
                "url": url,
                "text": "Tin ngắn về tê tê",
                "fetched_at": "2024-03-01T00:00:00+00:00",
            }
        ]
    )
    backend.close()
    with TestClient(create_app(login_required=False)) as client:
        for path in ("/?q=te+te", f"/items/{doc_id}", "/trends", "/coverage", "/export.csv"):
            response = client.get(path)
            assert response.status_code == 200, path
        assert "(không có tiêu đề)" in client.get("/?q=te+te").text
        assert client.get("/api/search?q=te+te").json()["hits"][0]["title"] in ("", None)
