"""Bytes of a fetched page to text.

Reads the raw body and the HTTP ``Content-Type`` header; writes NFC text. The charset comes from,
in order: a byte-order mark (which the HTML standard puts before the header, because a BOM is
never there by accident), the header, ``<meta charset>`` / ``<meta http-equiv>`` in the first
bytes, and finally detection. Vietnamese legacy ``windows-1258`` writes tone marks as separate
combining characters; NFC folds them into the precomposed letters every later stage matches on.
Images, PDFs and archives raise ``NotHtmlError`` so that a spider can skip them; bytes that do
not fit the charset are replaced, never fatal.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer


class NotHtmlError(ValueError):
    """The body is binary (image, PDF, archive, media), not a text page."""


# Signatures of the binary formats that links on news and marketplace pages lead to.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX)"),
    (b"\x1f\x8b", "gzip data"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg media"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)
_BINARY_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# Vietnamese legacy pages are often declared with labels Python does not know.
_ALIASES = {
    "x-user-defined": "windows-1252",
    "iso-8859-1": "windows-1252",  # browsers read latin-1 labels as windows-1252
    "latin1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "x-viet-vps": "windows-1258",
    "vietnamese": "windows-1258",
    "unicode": "utf-8",
    "utf8": "utf-8",
}
_PRESCAN_BYTES = 8192  # VN CMS heads carry many scripts before the meta charset
_WESTERN = {"cp1252", "iso8859-1", "ascii"}
# Letters only Vietnamese uses: decoding a page with the right charset produces many of them.
_VIETNAMESE_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ") | frozenset(
    "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
)


def decode_body(body: bytes, content_type: str | None) -> str:
    """The page as NFC text; ``NotHtmlError`` when the body is binary."""
    _reject_binary(body, content_type)
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return _finish(body[len(bom) :].decode(encoding, errors="replace"))
    declared = _codec(_charset_from_header(content_type)) or _codec(_charset_from_meta(body))
    if declared is not None:
        if declared in _WESTERN and _is_multibyte_utf8(body):
            # A server default ("text/html; charset=iso-8859-1") in front of a UTF-8 page is the
            # commonest mislabelling; valid multi-byte UTF-8 is never accidental.
            declared = "utf-8"
        return _finish(body.decode(declared, errors="replace"))
    return _finish(_detect(body))


def _reject_binary(body: bytes, content_type: str | None) -> None:
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime and mime.startswith(_BINARY_TYPES):
        raise NotHtmlError(f"not a text page: Content-Type {mime}")
    head = body[:16]
    for magic, label in _MAGIC:
        if head.startswith(magic):
            raise NotHtmlError(f"not a text page: the body is a {label}")
    # "BM" alone could start a text; a BMP header also has four zero reserved bytes.
    if head.startswith(b"BM") and head[6:10] == b"\0\0\0\0":
        raise NotHtmlError("not a text page: the body is a BMP image")
    if head[4:8] == b"ftyp" or (head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"AVI ")):
        raise NotHtmlError("not a text page: the body is an image or video container")
    sample = body[:1024]
    # UTF-16 without a BOM is not served as HTML in practice; NUL bytes mean binary.
    has_bom = sample.startswith(tuple(bom for bom, _ in _BOMS))
    if sample and not has_bom and sample.count(0) > len(sample) // 10:
        raise NotHtmlError("not a text page: the body contains binary data")


def _charset_from_header(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def _charset_from_meta(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii", errors="replace") if match else None


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label; None for unknown labels (detection takes over)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page declaring UTF-16 in a meta tag but read as bytes here is really ASCII-compatible.
    return "utf-8" if name.startswith("utf-16") or name.startswith("utf-32") else name


def _is_multibyte_utf8(body: bytes) -> bool:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(char) > 127 for char in text)


def _detect(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    guess = codecs.lookup(best.encoding).name if best is not None else "cp1252"
    candidates = [guess] if guess == "cp1258" else [guess, "cp1258"]
    texts = [body.decode(name, errors="replace") for name in candidates]
    # Detectors rarely propose windows-1258; prefer it when it yields Vietnamese letters.
    return max(texts, key=_vietnamese_score)


def _vietnamese_score(text: str) -> int:
    composed = unicodedata.normalize("NFC", text)
    return sum(char in _VIETNAMESE_LETTERS for char in composed) - composed.count("\ufffd")


def _finish(text: str) -> str:
    return unicodedata.normalize("NFC", text.lstrip("\ufeff"))
