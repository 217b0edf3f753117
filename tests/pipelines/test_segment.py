"""Vietnamese word segmentation for the index."""

from __future__ import annotations

from pipelines.analysis import analyze
from pipelines.segment import segment_words


def test_compounds_are_joined() -> None:
    tokens = segment_words("Cơ quan chức năng thu giữ vảy tê tê tại cửa khẩu Móng Cái")
    assert "thu_giữ" in tokens.split()
    assert "tê_tê" in tokens.split()
    assert "Móng_Cái" in tokens.split()


def test_blank_text_gives_no_tokens() -> None:
    assert segment_words(" \n\n ") == ""


def test_a_very_long_paragraph_is_segmented_whole() -> None:
    sentence = "Lực lượng chức năng thu giữ ngà voi tại sân bay. "
    tokens = segment_words(sentence * 300)  # one paragraph of ~15,000 characters
    assert tokens.count("ngà_voi") == 300


def test_analyze_segments_only_vietnamese_and_only_when_asked() -> None:
    text = "Hải quan thu giữ 2 tấn ngà voi"
    assert "thu_giữ" in analyze(text)["tokens"]
    assert analyze(text, segment=False)["tokens"] == ""
    assert analyze("Customs seized two tonnes of ivory")["tokens"] == ""


def test_a_sentence_ending_in_an_abbreviation_keeps_its_period_apart() -> None:
    tokens = segment_words(
        "Vụ việc xảy ra tại TP.HCM. Lô hàng gồm 2 tấn vảy tê tê được phát hiện ở cảng Cát Lái."
    ).split()
    assert "TP.HCM" in tokens and "Lô" in tokens
    assert not any("._" in token for token in tokens)
