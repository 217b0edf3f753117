"""The terms Elasticsearch indexes are the embedded index's, by either route."""

from __future__ import annotations

import sqlite3

from search.folding import fold
from search.index_tokens import TOKENIZER, fast_terms, indexed_text, terms, terms_of_texts
from tests.search.test_parity import parity_corpus


def test_terms_split_where_the_sqlite_index_splits() -> None:
    text = fold("Liên hệ 0912.345.678, e-mail ban_hang@gmail.com — Vietnam's 5kg sừng tê giác")
    assert terms(text) == [
        "lien", "he", "0912", "345", "678", "e", "mail", "ban", "hang", "gmail", "com",
        "vietnam", "s", "5kg", "sung", "te", "giac",
    ]  # fmt: skip
    # FTS5 keeps a run of Chinese letters whole and splits Thai at its vowel and tone marks;
    # Elasticsearch gets exactly these terms, so a query finds the same items on both.
    assert terms(fold("出售犀牛角，象牙 ยึดงาช้าง")) == ["出售犀牛角", "象牙", "ย", "ดงาช", "าง"]


def test_terms_are_what_the_items_fts_table_matches() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute(f"CREATE VIRTUAL TABLE t USING fts5 (body, tokenize = '{TOKENIZER}')")
    text = fold("Thu giữ 1,5 tấn ngà voi; officers' dogs; 犀牛角")
    connection.execute("INSERT INTO t (body) VALUES (?)", (text,))
    for term in terms(text):
        assert (
            connection.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f'"{term}"',)).fetchone()[
                0
            ]
            == 1
        )


def test_the_fast_route_agrees_with_sqlite_on_real_texts() -> None:
    texts = [fold(doc.get("title", "") + "\n" + doc.get("text", "")) for doc in parity_corpus()]
    assert indexed_text(texts) == [" ".join(found) for found in terms_of_texts(texts)]


def test_the_fast_route_agrees_with_sqlite_on_every_character() -> None:
    # Each character between letters and between spaces, for all of the BMP and a sample of
    # the planes above (CJK extensions, emoji, private use).
    codes = [c for c in range(1, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    codes += list(range(0x1F300, 0x1F400)) + list(range(0x20000, 0x20100)) + [0xF0000, 0x10FFFD]
    texts = [
        "".join(f"a{chr(c)}b {chr(c)} " for c in codes[start : start + 500])
        for start in range(0, len(codes), 500)
    ]
    fast = fast_terms(texts)
    exact = terms_of_texts(texts)
    assert [found for found in fast if found is not None] == [
        found for found, quick in zip(exact, fast, strict=True) if quick is not None
    ]
    assert sum(found is None for found in fast) <= 1  # nearly every text takes the fast route
