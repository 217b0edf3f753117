"""An alert that cannot be saved is explained in the reader's language, on the alerts page and
under the search results (issue 13 item 6)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from schedules.rules import AlertRule, RuleError
from web.i18n import Translator
from web.rule_messages import localized_rule_error


def _alert_error(client: TestClient, path: str, ui: str, **fields: str) -> str:
    page = client.get("/alerts", params={"ui": ui}).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(path, params={"ui": ui}, data={"csrf_token": token.group(1), **fields})
    assert response.status_code == 400
    found = re.findall(r'role="alert">([^<]*)<', response.text)
    assert found, response.text[:300]
    return found[0].replace("&#34;", '"').replace("&#39;", "'")


def test_the_alerts_page_says_why_in_vietnamese(client: TestClient) -> None:
    error = _alert_error(
        client,
        "/alerts/new",
        "vi",
        name="Tê tê",
        recipients="giamsat@ngo.example, sai",
        q="tê tê OR",
    )
    assert "Cảnh báo “Tê tê”:" in error
    assert "“sai” không phải địa chỉ e-mail" in error
    assert "OR cần một từ khóa sau nó" in error
    assert "is not" not in error and "needs a search term" not in error
    empty = _alert_error(client, "/alerts/new", "vi", name=" ", recipients="a@ngo.example")
    assert "tên không được để trống" in empty


def test_saving_from_the_results_says_why_in_the_ui_language(client: TestClient) -> None:
    vi = _alert_error(client, "/alerts", "vi", name="x", recipients="khong-phai-email", q="te te")
    assert vi == "Cảnh báo “x”: “khong-phai-email” không phải địa chỉ e-mail"
    en = _alert_error(client, "/alerts", "en", name="x", recipients="nope", q="te te")
    assert en == "Alert “x”: “nope” is not an e-mail address"


def test_an_unknown_problem_is_kept_rather_than_lost() -> None:
    rule = AlertRule(name="x", recipients=("a@ngo.example",), cadence="hourly")
    with pytest.raises(RuleError) as refused:
        rule.validate()
    shown = localized_rule_error(refused.value, "", Translator("vi"))
    assert shown == "Cảnh báo “x”: cadence: unknown cadence 'hourly' (known: daily, immediate)"
