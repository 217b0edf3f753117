"""The alerts page over the real rule store and outbox: list, create, edit, pause, delete,
preview and delivery status, in Vietnamese and English, every form CSRF-checked."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import time_machine
from fastapi.testclient import TestClient

from schedules import db
from schedules.rule_admin import RuleAdmin
from schedules.rules import AlertRule, RuleStore
from web.i18n import Translator

# The seeded ivory trial story is published 20/03/2024 10:00 in Hanoi, the others earlier;
# every item was fetched at 09:00 that day.
MORNING = datetime(2024, 3, 20, 5, 0, tzinfo=UTC)


def _token(page_text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert found
    return found.group(1)


def test_empty_alerts_page_invites_a_first_rule(client: TestClient) -> None:
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "Chưa có cảnh báo nào" in page.text and 'action="/alerts/new"' in page.text
    assert 'href="/alerts" aria-current="page"' in page.text  # the nav link
    english = client.get("/alerts?ui=en")
    assert "No alerts yet" in english.text and "Create alert" in english.text


def test_create_edit_pause_delete_round_trip(client: TestClient) -> None:
    token = _token(client.get("/alerts").text)
    form = {
        "csrf_token": token,
        "name": "Ngà voi / xét xử",
        "q": "ngà voi",
        "species": "elephant",
        "enforcement": ["trial", "sentence"],
        "country": "vn",
        "recipients": "bao@ngo.example, canhsat@police.example",
        "email_lang": "en",
        "cadence": "daily",
    }
    created = client.post("/alerts/new", data=form, follow_redirects=False)
    assert created.status_code == 303
    listing = client.get(created.headers["location"])
    assert "Đã tạo cảnh báo “Ngà voi / xét xử”" in listing.text
    assert "Loài: voi, ngà voi" in listing.text and "xét xử" in listing.text
    assert "bao@ngo.example, canhsat@police.example" in listing.text
    rule = RuleStore.from_settings().get("Ngà voi / xét xử")
    assert rule is not None and rule.country == ("VN",) and rule.email_lang == "en"
    assert rule.enforcement == ("trial", "sentence")

    # a bad address is refused with the form kept as typed
    bad = client.post("/alerts/new", data={**form, "name": "x", "recipients": "bao@"})
    assert bad.status_code == 400
    assert "Chưa lưu được cảnh báo" in bad.text and "recipients" in bad.text
    assert 'value="bao@"' in bad.text and RuleStore.from_settings().get("x") is None

    # edit: rename and narrow; the detail page opens under the new name
    detail = client.get("/alerts/rule", params={"name": "Ngà voi / xét xử"})
    assert detail.status_code == 200 and 'name="rule" value="Ngà voi / xét xử"' in detail.text
    edited = client.post(
        "/alerts/rule/edit",
        data={**form, "rule": "Ngà voi / xét xử", "name": "Ivory trials", "cadence": "immediate"},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    assert [r.name for r in RuleStore.from_settings().list()] == ["Ivory trials"]
    assert "Đã lưu thay đổi" in client.get(edited.headers["location"]).text

    paused = client.post(
        "/alerts/rule/pause",
        data={"csrf_token": token, "rule": "Ivory trials", "paused": "1"},
        follow_redirects=False,
    )
    assert paused.status_code == 303
    assert "Ivory trials" in RuleAdmin().paused()
    assert "Tạm dừng" in client.get("/alerts").text
    client.post("/alerts/rule/pause", data={"csrf_token": token, "rule": "Ivory trials"})
    assert RuleAdmin().paused() == set()

    deleted = client.post("/alerts/rule/delete", data={"csrf_token": token, "rule": "Ivory trials"})
    assert deleted.status_code == 200 and "Đã xóa cảnh báo" in deleted.text
    assert RuleStore.from_settings().list() == []
    assert client.get("/alerts/rule", params={"name": "Ivory trials"}).status_code == 404


def test_every_form_needs_the_csrf_token(client: TestClient) -> None:
    RuleStore.from_settings().add(AlertRule(name="r", recipients=("a@ngo.example",)))
    for path in ("/alerts/new", "/alerts/rule/pause", "/alerts/rule/delete", "/alerts/rule/edit"):
        refused = client.post(path, data={"rule": "r", "name": "r", "recipients": "a@ngo.example"})
        assert refused.status_code == 403, path
    assert RuleStore.from_settings().get("r") is not None and RuleAdmin().paused() == set()


def test_preview_lists_only_news_and_deliveries_show_status(client: TestClient) -> None:
    RuleStore.from_settings().add(
        AlertRule(name="Hà Nội", location=("Hà Nội",), recipients=("a@ngo.example",))
    )
    with time_machine.travel(MORNING, tick=False):
        page = client.get("/alerts/rule", params={"name": "Hà Nội"})
    assert page.status_code == 200
    # both seeded Hà Nội items were fetched this morning; only the one published today is news
    assert "1 tin mới sẽ được gửi" in page.text
    assert "Xét xử vụ buôn bán 2 tấn ngà voi" in page.text
    assert (
        'href="/?location=H%C3%A0+N%E1%BB%99i&amp;since=2024-03-18&amp;until=2024-03-20'
        in page.text
    )
    assert "Chưa có thư nào" in page.text

    with db.connect() as connection:
        for number, (status, error) in enumerate(
            [("sent", None), ("pending", "421 busy"), ("failed", "550 mailbox unavailable")]
        ):
            connection.execute(
                "INSERT INTO outbox (message_id, kind, rule, recipients, subject, raw, status, "
                "attempts, next_attempt_at, last_error, created_at, sent_at) "
                "VALUES (?, 'digest', 'Hà Nội', '[\"a@ngo.example\"]', ?, x'00', ?, ?, ?, ?, ?, ?)",
                (
                    f"<m{number}@ngo.example>",
                    f"[wildwatch] {number + 1} tin mới",
                    status,
                    number * 3,
                    "2026-11-23T01:30:00+00:00",
                    error,
                    "2026-11-23T00:00:00+00:00",
                    "2026-11-23T00:00:05+00:00" if status == "sent" else None,
                ),
            )
    with time_machine.travel(MORNING, tick=False):
        page = client.get("/alerts/rule", params={"name": "Hà Nội"})
    assert "Đã gửi 23/11/2026 07:00" in page.text
    assert "Đang chờ, lần thử tiếp theo 23/11/2026 08:30" in page.text and "421 busy" in page.text
    assert "Gửi lỗi sau 6 lần thử" in page.text and "550 mailbox unavailable" in page.text
    listing = client.get("/alerts")
    assert "1 thư đang chờ gửi" in listing.text and "1 thư gửi lỗi" in listing.text

    failed = next(d for d in RuleAdmin().deliveries("Hà Nội") if d.status == "failed")
    token = _token(page.text)
    resent = client.post(
        "/alerts/rule/resend",
        data={"csrf_token": token, "rule": "Hà Nội", "message": str(failed.id)},
    )
    assert resent.status_code == 200 and "Thư được xếp lại hàng đợi" in resent.text
    assert next(d for d in RuleAdmin().deliveries("Hà Nội") if d.id == failed.id).attempts == 0
    again = client.post(
        "/alerts/rule/resend",
        data={"csrf_token": token, "rule": "Hà Nội", "message": str(failed.id - 2)},
    )
    assert again.status_code == 409  # the sent one is not sent twice


def test_every_page_label_exists_in_both_languages() -> None:
    """The alerts and trends templates read their own groups of web/messages.toml."""
    from pathlib import Path

    from web.i18n import catalogue

    templates = Path(__file__).parents[2] / "web" / "templates"
    for group, call, names in (
        ("alerts_page", "a", ("alerts.html", "alert_rule.html", "_alert_form.html")),
        ("trends_page", "w", ("trends.html",)),
    ):
        used: set[str] = set()
        for name in names:
            text = (templates / name).read_text(encoding="utf-8")
            used |= set(re.findall(rf"""\b{call}\(\s*["']([a-z0-9_]+)["']""", text))
            # keys built from a prefix: every value the page can produce
            for prefix in re.findall(rf"""\b{call}\(\s*["']([a-z0-9_]+_)["']\s*~""", text):
                used |= {k for k in catalogue()[group] if k.startswith(prefix)}
        assert used, group
        missing = {k for k in used if not k.endswith("_")} - set(catalogue()[group])
        assert not missing, f"[{group}] lacks {sorted(missing)}"
    done = {k for k in catalogue()["alerts_page"] if k.startswith("done_")}
    assert done == {
        f"done_{k}" for k in ("created", "saved", "paused", "resumed", "deleted", "resent")
    }
    kinds = {k for k in catalogue()["alerts_page"] if k.startswith("kind_")}
    # every kind the outbox is given: digests, immediate alerts, spikes, case steps
    assert kinds == {"kind_digest", "kind_immediate", "kind_spike", "kind_case"}
    assert Translator("vi").label("alerts_page", "kind_case") == "Vụ việc chuyển bước"
    assert Translator("en").label("alerts_page", "kind_case") == "Case moved on"


def test_a_briefing_see_all_link_opens_the_matching_search(client: TestClient) -> None:
    from datetime import date
    from urllib.parse import urlsplit

    from schedules.briefing import search_link

    rule = AlertRule(
        name="Hà Nội",
        species=("elephant", "pangolin"),
        location=("Hà Nội",),
        wildlife_trade=True,
        recipients=("a@ngo.example",),
    )
    link = search_link(
        "https://wildwatch.ngo.example",
        rule.to_json(),
        since=date(2024, 3, 19),
        until=date(2024, 3, 20),
        species="elephant",
    )
    parts = urlsplit(link)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200
    assert re.search(r'class="total"[^>]*>\s*<strong>1</strong>', page.text), "one match"
    assert "Xét xử vụ buôn bán 2 tấn ngà voi" in page.text


def test_the_form_takes_provinces_and_countries_and_shows_them_again(client: TestClient) -> None:
    form = {
        "csrf_token": _token(client.get("/alerts").text),
        "name": "Tê tê Quảng Ninh – Trung Quốc",
        "species": "pangolin",
        "place": "quang ninh, cn",
        "recipients": "bao@ngo.example",
    }
    created = client.post("/alerts/new", data=form, follow_redirects=False)
    assert created.status_code == 303
    rule = RuleStore.from_settings().get("Tê tê Quảng Ninh – Trung Quốc")
    assert rule is not None and rule.place == ("Quảng Ninh", "CN")
    assert "Quảng Ninh, Trung Quốc" in client.get(created.headers["location"]).text
    detail = client.get("/alerts/rule", params={"name": rule.name})
    assert 'name="place" value="Quảng Ninh, CN"' in detail.text
    bad = client.post("/alerts/new", data={**form, "name": "x", "place": "Narnia"})
    assert bad.status_code == 400 and "Narnia" in bad.text
    assert RuleStore.from_settings().get("x") is None
