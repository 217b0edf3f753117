"""Words typed side by side rank the documents where they stand side by side first."""

from __future__ import annotations

from search.backend import SearchBackend, SearchRequest
from search.query_language import parse, to_elasticsearch, to_fts5
from tests.search.conftest import make_doc


def test_adjacent_words_rank_the_phrase_first(backend: SearchBackend) -> None:
    backend.upsert(
        [
            make_doc(
                "muong-te",
                title="Kiểm lâm huyện Mường Tè, Lai Châu bàn giao 3 cá thể khỉ mặt đỏ",
                text="Kiểm lâm huyện Mường Tè đã bàn giao 3 cá thể khỉ cho trung tâm cứu hộ.",
                published_at="2024-05-04T08:00:00+07:00",
            ),
            make_doc(
                "vay-te-te",
                title="Hải quan Hải Phòng thu giữ 7 tấn vảy động vật hoang dã",
                text="Hải quan phát hiện 7 tấn vảy tê tê giấu trong container hạt điều nhập từ "
                "Nigeria, lô hàng trị giá hơn 200 tỷ đồng đang được điều tra làm rõ.",
                published_at="2024-05-01T08:00:00+07:00",  # older: recency alone would lose
            ),
        ]
    )
    hits = backend.search(SearchRequest(query="te te"))["hits"]
    assert [hit["id"] for hit in hits] == ["vay-te-te", "muong-te"]  # both still match


def test_the_phrase_only_ranks_it_never_filters() -> None:
    expression = to_fts5(parse("sung te giac"))  # type: ignore[arg-type]
    assert expression is not None
    assert expression.startswith('(("sung" AND "te" AND "giac") OR "sung te giac" OR ')
    # explicit AND still boosts; a quoted phrase or a prefix is taken as typed
    assert '"sung te"' in str(to_fts5(parse("sung AND te")))  # type: ignore[arg-type]
    assert to_fts5(parse('"te te" giac')) == '("te te" AND "giac")'  # type: ignore[arg-type]
    clause = to_elasticsearch(parse("te te"))  # type: ignore[arg-type]
    assert clause["bool"]["should"][0]["multi_match"]["type"] == "phrase"
    assert len(clause["bool"]["must"]) == 2
