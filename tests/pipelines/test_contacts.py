"""Seller contacts (pipelines/contacts.py)."""

from __future__ import annotations

import pytest

from pipelines.contacts import extract_contacts, phone_e164

PROFILE = "facebook.com/profile.php?id="


def _found(text: str) -> list[tuple[str, str]]:
    return [(c["type"], c["value"]) for c in extract_contacts(text)]


@pytest.mark.parametrize(
    "written",
    [
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "0912345678",
        "+84 912345678",
        "+84912345678",
        "84912345678",
        "(+84) 912 345 678",
        "09 12 34 56 78",
        "o912345678",
        "0084 912 345 678",
    ],
)
def test_mobile_writings_give_one_e164(written: str) -> None:
    assert _found(f"LH: {written} để được tư vấn") == [("phone", "+84912345678")]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("024 3825 3536", "+842438253536"),
        ("(024) 3733 5676", "+842437335676"),
        ("0238 3 123 456", "+842383123456"),
        ("0345.678.901", "+84345678901"),
        ("0703 123 456", "+84703123456"),
        ("0868123456", "+84868123456"),
    ],
)
def test_landlines_and_new_mobile_prefixes(written: str, value: str) -> None:
    assert _found(f"ĐT {written}") == [("phone", value)]


@pytest.mark.parametrize("raw", ["0123456789", "0412345678", "091234567", "19006868", "1800 1522"])
def test_invalid_numbers(raw: str) -> None:
    assert phone_e164(raw) is None


@pytest.mark.parametrize(
    "text",
    [
        "Zalo 0912345678",
        "zl: 0912.345.678",
        "zalo.me/0912345678",
        "https://zalo.me/0912345678",
        "sđt/zalo 0912345678",
        "0912345678 (có zalo)",
        "Zalo/SĐT: 0912 345 678",
    ],
)
def test_zalo_numbers_are_zalo_and_phone(text: str) -> None:
    assert _found(text) == [("zalo", "+84912345678"), ("phone", "+84912345678")]


def test_only_the_number_announced_as_zalo_is_zalo() -> None:
    assert _found("điện thoại 0912345678, zalo 0987654321") == [
        ("phone", "+84912345678"),
        ("zalo", "+84987654321"),
        ("phone", "+84987654321"),
    ]


def test_two_numbers_in_a_row_are_both_read() -> None:
    assert _found("0912 345 678 - 0987 654 321") == [
        ("phone", "+84912345678"),
        ("phone", "+84987654321"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "STK: 0123456789 Vietcombank",
        "STK 0912345678 MB bank",
        "số tài khoản 0381234567 MB Bank",
        "Mã đơn hàng 0912345678 đã được xác nhận",
        "giá 1.200.000đ ngày 20/10/2023",
        "https://vnexpress.net/bat-giu-0912345678.html",
        "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fvnexpress.net",
        "logo@2x.png",
        "0.9.1.2.3.4.5.6.7.8",
    ],
)
def test_not_contacts(text: str) -> None:
    assert extract_contacts(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("facebook.com/hangrung.tuoi", "facebook.com/hangrung.tuoi"),
        ("https://www.facebook.com/Ban.Hang.Rung/", "facebook.com/ban.hang.rung"),
        (
            "m.facebook.com/profile.php?id=100012345678901",
            "facebook.com/profile.php?id=100012345678901",
        ),
        ("fb.com/abc.xyz", "facebook.com/abc.xyz"),
        ("https://www.facebook.com/groups/1234567/", "facebook.com/groups/1234567"),
        (
            "https://facebook.com/people/Ban-Ran/100087654321012/",
            "facebook.com/profile.php?id=100087654321012",
        ),
        ("FB: hoangvan.88", "facebook.com/hoangvan.88"),
    ],
)
def test_facebook(text: str, value: str) -> None:
    assert _found(text) == [("facebook", value)]


@pytest.mark.parametrize(
    "text", ["t.me/NgaVoi_HN", "https://t.me/ngavoi_hn", "telegram: @NgaVoi_HN", "tele @ngavoi_hn"]
)
def test_telegram(text: str) -> None:
    assert _found(text) == [("telegram", "@ngavoi_hn")]


def test_email_lower_case_and_deduplicated() -> None:
    text = "Mail: Ban.Hang.Rung@Yahoo.com hoặc ban.hang.rung@yahoo.com"
    assert _found(text) == [("email", "ban.hang.rung@yahoo.com")]


def test_marketplace_ad_gives_every_contact_once_in_order() -> None:
    ad = (
        "Bán sừng tê giác Châu Phi, giá 35tr/1kg.\nInbox page fb.com/hangrungtaybac hoặc gọi "
        "0987.654.321 – Zalo: 0987654321. Tele @sungte_hn, mail sungte.hn@gmail.com"
    )
    assert _found(ad) == [
        ("facebook", "facebook.com/hangrungtaybac"),
        ("phone", "+84987654321"),
        ("zalo", "+84987654321"),
        ("telegram", "@sungte_hn"),
        ("email", "sungte.hn@gmail.com"),
    ]
