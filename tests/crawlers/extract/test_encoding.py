"""decode_body: charsets from header, BOM, meta and detection; binary bodies refused."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from crawlers.extract import NotHtmlError, decode_body, extract_article
from tests.crawlers.extract.golden import PAGES

VIETNAMESE = "<p>Vận chuyển trái phép động vật hoang dã: rùa, tê tê, sừng tê giác.</p>"


def test_windows_1258_page_declared_by_meta_http_equiv_is_composed_to_nfc() -> None:
    body = (PAGES / "kiemlam_legacy_cp1258.html").read_bytes()
    text = decode_body(body, "text/html")
    assert "rùa hộp trán vàng" in text
    assert unicodedata.is_normalized("NFC", text)


def test_utf8_bom_without_any_charset_declaration() -> None:
    text = decode_body((PAGES / "laodong_bom.html").read_bytes(), None)
    assert not text.startswith("\ufeff")
    assert "Lĩnh 12 năm tù vì buôn bán 200 kg ngà voi" in text


def test_header_charset_wins_over_a_wrong_meta_declaration() -> None:
    # A CMS template says utf-8 while the server (correctly) sends windows-1258 bytes.
    body = _cp1258('<meta charset="utf-8">' + VIETNAMESE)
    text = decode_body(body, "text/html; charset=windows-1258")
    assert "sừng tê giác" in text and "\ufffd" not in text


def test_latin1_header_in_front_of_utf8_bytes_is_read_as_utf8() -> None:
    body = VIETNAMESE.encode("utf-8")
    assert "sừng tê giác" in decode_body(body, "text/html; charset=ISO-8859-1")


def test_unknown_charset_label_falls_back_to_detection() -> None:
    body = ('<meta charset="x-unknown-vn">' + VIETNAMESE).encode("utf-8")
    assert "động vật hoang dã" in decode_body(body, "text/html; charset=bogus")


def test_undeclared_windows_1258_bytes_are_detected() -> None:
    composed = "Hạt Kiểm lâm thu giữ 45 kg rùa và rắn hổ mang chúa ở Quảng Bình. " * 5
    body = _cp1258(composed)
    assert composed.strip() in decode_body(body, "text/html")


def test_utf16_with_bom_is_decoded() -> None:
    body = codecs.BOM_UTF16_LE + VIETNAMESE.encode("utf-16-le")
    assert "sừng tê giác" in decode_body(body, "text/html")


def test_invalid_bytes_are_replaced_never_fatal() -> None:
    body = VIETNAMESE.encode("utf-8")[:40] + b"\xff\xfe\xc3" + b"<p>tiep</p>"
    text = decode_body(body, "text/html; charset=utf-8")
    assert "\ufffd" in text and "tiep" in text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, None),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "text/html"),  # mislabelled image
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "application/octet-stream"),
        (b"PK\x03\x04\x14\x00\x06\x00", None),
        (b"<html>whatever</html>", "image/jpeg"),
        (b"\x00\x01\x02\x03" * 100, None),
    ],
    ids=["png", "jpeg-as-html", "pdf", "zip", "image-content-type", "nul-bytes"],
)
def test_binary_bodies_raise_not_html(body: bytes, content_type: str | None) -> None:
    with pytest.raises(NotHtmlError):
        decode_body(body, content_type)


def test_decoded_legacy_page_extracts_like_a_modern_one() -> None:
    body = (PAGES / "kiemlam_legacy_cp1258.html").read_bytes()
    article = extract_article(decode_body(body, "text/html"), "http://kiemlam.example/t?id=1")
    assert article is not None
    assert "Rùa hộp trán vàng là loài thuộc nhóm IB" in article.text


def _cp1258(text: str) -> bytes:
    """Vietnamese as windows-1258 stores it: base letters plus combining tone marks."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = bytearray()
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += base.encode("cp1258") + "".join(c for c in parts if c in tones).encode("cp1258")
    return bytes(out)
