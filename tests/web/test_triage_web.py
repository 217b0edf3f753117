"""Triage through the web: the results page's bulk and per-item buttons, the item page's panel,
the JSON API, the filters and facets, the CSV columns; CSRF and login rules as elsewhere."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from web.app import create_app
from web.users import UserStore


def _token(page_text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert found
    return found.group(1)


def _titles(page_text: str) -> list[str]:
    return re.findall(r'<h3 class="hit-title"><a href="[^"]+">([^<]+)</a>', page_text)


def test_bulk_marking_from_the_results_page(client: TestClient, ids: dict[str, str]) -> None:
    page = client.get("/?q=te+te")
    assert page.status_code == 200
    token = _token(page.text)
    assert 'form="bulk" name="ids"' in page.text and "Chọn tất cả tin trên trang này" in page.text
    response = client.post(
        "/triage",
        data={
            "csrf_token": token,
            "next": "/?q=te+te",
            "ids": [ids["pangolin"], ids["copy"]],
            "action": "relevant",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/?q=te+te&triaged=2#results"
    shown = client.get("/?q=te+te&triaged=2")
    assert "Đã cập nhật đánh giá của 2 tin." in shown.text
    assert shown.text.count('class="hit triage-relevant seen"') == 2
    assert "người dùng không đăng nhập" in shown.text  # who: no logins on this server

    # the facet counts them, and its link filters by them
    facet_link = r'<a href="([^"]+)" class="facet-value"\s+data-triage="relevant">'
    facet = re.search(facet_link, shown.text)
    assert facet and "triage=relevant" in facet.group(1)
    assert re.search(
        r'data-triage="relevant">\s*<span class="facet-label">Liên quan</span>\s*'
        r'<span class="count">2</span>',
        shown.text,
    )
    relevant = client.get(facet.group(1).replace("&amp;", "&"))
    assert sorted(_titles(relevant.text)) == [
        "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh",
        "Quảng Ninh: bắt xe chở 120kg vảy tê tê",
    ]
    assert "Đánh giá:</span> Liên quan" in relevant.text  # the filter chip

    # one item's own button; then everything on the page marked seen
    client.post(
        "/triage",
        data={"csrf_token": token, "next": "/", "one": f"follow_up {ids['scales_ad']}"},
    )
    on_page = re.findall(r'name="page_ids" value="([^"]+)"', client.get("/?q=te+te").text)
    client.post(
        "/triage",
        data={
            "csrf_token": token,
            "next": "/",
            "page_ids": on_page,
            "all_on_page": "1",
            "action": "seen",
        },
    )
    unseen = client.get("/?q=te+te&seen=0")
    assert _titles(unseen.text) == []
    follow = client.get("/api/search", params={"triage": "follow-up"}).json()
    assert [hit["id"] for hit in follow["hits"]] == [ids["scales_ad"]]
    assert follow["facets"]["triage"]["follow_up"] == 1


def test_nothing_selected_says_so_and_changes_nothing(client: TestClient) -> None:
    token = _token(client.get("/").text)
    response = client.post(
        "/triage", data={"csrf_token": token, "next": "/?q=ngà voi", "action": "relevant"}
    )
    assert "Chưa chọn tin nào" in response.text
    assert client.get("/api/search", params={"triage": "relevant"}).json()["total"] == 0


def test_forms_need_the_csrf_token(client: TestClient, ids: dict[str, str]) -> None:
    for path in ("/triage", f"/items/{ids['ivory']}/triage"):
        refused = client.post(path, data={"ids": ids["ivory"], "action": "relevant"})
        assert refused.status_code == 403
    assert client.get(f"/api/items/{ids['ivory']}/triage").json()["state"] == "untriaged"


def test_item_page_panel_with_note_and_history(client: TestClient, ids: dict[str, str]) -> None:
    path = f"/items/{ids['rhino_ad']}"
    page = client.get(path)
    assert "Chưa có ai đánh giá tin này." in page.text
    token = _token(page.text)
    client.post(f"{path}/triage", data={"csrf_token": token, "action": "follow_up"})
    saved = client.post(
        f"{path}/triage",
        data={"csrf_token": token, "action": "note", "note": "Số Zalo trùng vụ tháng 2"},
    )
    assert saved.url.path == path and "Đã lưu đánh giá." in saved.text
    assert 'Hiện tại: <strong class="triage-state">Cần theo dõi</strong>' in saved.text
    assert ">Số Zalo trùng vụ tháng 2</textarea>" in saved.text
    history = re.findall(r"<li><time>[^<]+</time> · ([^<]+)</li>", saved.text)
    assert history == [
        "người dùng không đăng nhập: ghi chú: Số Zalo trùng vụ tháng 2",
        "người dùng không đăng nhập: Cần theo dõi, Đã xem",
    ]
    english = client.get(path + "?ui=en")
    assert "Triage history" in english.text and "anonymous user: Follow-up, Seen" in english.text
    # a state taken back: untriaged again, still seen, the note kept
    client.post(f"{path}/triage", data={"csrf_token": token, "action": "untriaged"})
    body = client.get(f"/api/items/{ids['rhino_ad']}/triage").json()
    assert (body["state"], body["seen"], body["note"]) == (
        "untriaged",
        True,
        "Số Zalo trùng vụ tháng 2",
    )


def test_api_sets_one_item_or_many(client: TestClient, ids: dict[str, str]) -> None:
    one = client.post(
        f"/api/items/{ids['ivory']}/triage", json={"state": "relevant", "note": "Bản án 12 năm"}
    )
    assert one.status_code == 200, one.text
    body = one.json()
    assert (body["state"], body["seen"], body["note"], body["by"]) == (
        "relevant",
        True,
        "Bản án 12 năm",
        "anonymous",
    )
    assert body["history"][0]["state"] == "relevant"
    many = client.post(
        "/api/triage", json={"ids": [ids["turtle"], ids["english"]], "state": "not_relevant"}
    )
    assert many.json()["changed"] == 2
    found = client.get("/api/search", params={"triage": "not_relevant"}).json()
    assert {hit["id"] for hit in found["hits"]} == {ids["turtle"], ids["english"]}
    facets = client.get("/api/search").json()["facets"]
    assert facets["triage"] == {"untriaged": 5, "relevant": 1, "not_relevant": 2}
    assert facets["noted"] == {"true": 1, "false": 7}
    assert client.get("/api/search", params={"noted": "1"}).json()["total"] == 1


@pytest.mark.parametrize(
    ("path", "payload", "status", "detail"),
    [
        ("/api/items/nope/triage", {"state": "relevant"}, 404, "no item with id nope"),
        ("/api/triage", {"ids": ["nope"], "seen": True}, 404, "no item with id nope"),
        ("ITEM", {"state": "maybe"}, 400, "state: 'maybe' is not a known triage state"),
        ("ITEM", {}, 400, "nothing to change"),
        ("/api/triage", {"ids": [], "seen": True}, 400, "ids: give at least one item id"),
    ],
)
def test_api_refuses_bad_requests_by_name(
    client: TestClient, ids: dict[str, str], path: str, payload: dict, status: int, detail: str
) -> None:
    path = f"/api/items/{ids['ivory']}/triage" if path == "ITEM" else path
    response = client.post(path, json=payload)
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_api_takes_json_only(client: TestClient, ids: dict[str, str]) -> None:
    # what a page on another site could send without a CORS preflight
    for kwargs in (
        {"data": {"state": "relevant"}},
        {"content": '{"state": "relevant"}', "headers": {"content-type": "text/plain"}},
    ):
        response = client.post(f"/api/items/{ids['ivory']}/triage", **kwargs)
        assert response.status_code in (415, 422)
    assert client.get(f"/api/items/{ids['ivory']}/triage").json()["state"] == "untriaged"


def test_search_params_refuse_unknown_states(client: TestClient) -> None:
    response = client.get("/api/search", params={"triage": "important"})
    assert response.status_code == 400
    assert response.json()["valid"] == ["untriaged", "relevant", "not_relevant", "follow_up"]
    assert client.get("/api/search", params={"seen": "maybe"}).status_code == 400


def test_csv_export_has_the_triage_columns(client: TestClient, ids: dict[str, str]) -> None:
    client.post(f"/api/items/{ids['ivory']}/triage", json={"state": "relevant", "note": "=1+1"})
    text = client.get("/export.csv?triage=relevant").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["triage_state"], row["triage_seen"]) == (ids["ivory"], "relevant", "1")
    assert row["triage_note"] == "'=1+1"  # a note is text, never a spreadsheet formula
    assert row["triage_by"] == "anonymous"
    assert row["triage_at"].endswith("+07:00")
    untriaged = client.get("/export.csv?triage=untriaged").content.decode("utf-8-sig")
    states = {r["triage_state"] for r in csv.DictReader(io.StringIO(untriaged))}
    assert states == {"untriaged"}


def test_with_logins_the_user_is_recorded_and_anonymous_calls_refused(
    home: Path, ids: dict[str, str]
) -> None:
    UserStore.from_settings().add("lan", "mật-khẩu-dài")
    with TestClient(create_app(login_required=True)) as client:
        refused = client.post(f"/api/items/{ids['ivory']}/triage", json={"state": "relevant"})
        assert refused.status_code == 401
        token = _token(client.get("/login").text)
        client.post(
            "/login", data={"csrf_token": token, "username": "lan", "password": "mật-khẩu-dài"}
        )
        body = client.post(f"/api/items/{ids['ivory']}/triage", json={"state": "follow_up"}).json()
        assert body["by"] == "lan"
        page = client.get("/?q=ngà voi")
        assert "lan, " in page.text  # who and when, next to the hit


def test_alerts_page_sets_and_keeps_a_rules_triage_filter(client: TestClient) -> None:
    from schedules.rules import RuleStore

    token = _token(client.get("/alerts").text)
    assert 'name="triage" value="follow_up"' in client.get("/alerts").text
    form = {
        "csrf_token": token,
        "name": "Cần theo dõi",
        "recipients": "lan@ngo.example.org",
        "triage": ["untriaged", "follow_up"],
    }
    assert client.post("/alerts/new", data=form).status_code == 200
    stored = RuleStore.from_settings().get("Cần theo dõi")
    assert stored is not None and stored.triage == ("untriaged", "follow_up")
    listed = client.get("/alerts").text
    assert "Đánh giá: Chưa đánh giá, Cần theo dõi" in listed
    edit = client.get("/alerts/rule", params={"name": "Cần theo dõi"}).text
    assert re.search(r'value="follow_up"\s+checked', edit)
    client.post(
        "/alerts/rule/edit",
        data={**form, "rule": "Cần theo dõi", "recipients": "minh@ngo.example.org"},
    )
    edited = RuleStore.from_settings().get("Cần theo dõi")
    assert edited is not None and edited.triage == ("untriaged", "follow_up")
    assert edited.recipients == ("minh@ngo.example.org",)


def test_notes_are_text_and_the_way_back_stays_on_this_site(
    client: TestClient, ids: dict[str, str]
) -> None:
    token = _token(client.get("/").text)
    back = client.post(
        "/triage",
        data={
            "csrf_token": token,
            "next": "https://evil.example/phish",
            "ids": ids["turtle"],
            "action": "note",
            "note": '<script>alert("note")</script>',
        },
        follow_redirects=False,
    )
    assert back.headers["location"].startswith("/?triaged=1")
    page = client.get("/?q=rua").text
    assert '<script>alert("note")</script>' not in page
    assert "&lt;script&gt;alert(&#34;note&#34;)&lt;/script&gt;" in page


def test_seen_and_note_filters_show_as_removable_chips(client: TestClient) -> None:
    page = client.get("/?seen=0&noted=1&ui=en").text
    chips = re.findall(
        r'<a class="chip" href="([^"]+)"[^>]*><span class="chip-name">([^<]+)'
        r"</span> ([^<]+) <span",
        page,
    )
    assert [(name, label) for _href, name, label in chips] == [
        ("Triage:", "Unseen"),
        ("Triage:", "Has a note"),
    ]
    assert chips[0][0].replace("&amp;", "&") == "/?noted=1"
