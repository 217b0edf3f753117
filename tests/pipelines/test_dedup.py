"""Near-duplicate fingerprints on realistic Vietnamese news copies."""

from __future__ import annotations

from pipelines.dedup import (
    Copy,
    Linking,
    content_hash,
    hamming,
    is_near_duplicate,
    link_copies,
    simhash,
)

STORY = (
    "Ngày 12/3, Đội Cảnh sát môi trường Công an tỉnh Quảng Ninh phối hợp với Đồn Biên phòng "
    "cửa khẩu Móng Cái phát hiện xe tải biển kiểm soát 14C-123.45 chở 12 cá thể tê tê còn sống "
    "cùng 35 kg vảy tê tê không có giấy tờ hợp pháp. Tài xế khai nhận được thuê chở số hàng trên "
    "từ Nghệ An ra Móng Cái để giao cho một người Trung Quốc với giá 5 triệu đồng mỗi chuyến. "
    "Cơ quan chức năng đã tạm giữ phương tiện, bàn giao toàn bộ tê tê cho Trung tâm cứu hộ động "
    "vật hoang dã Hà Nội và đang điều tra mở rộng đường dây buôn bán động vật hoang dã xuyên "
    "biên giới. Theo quy định, tê tê thuộc nhóm IB, loài nguy cấp, quý, hiếm được ưu tiên bảo vệ; "
    "người vi phạm có thể bị truy cứu trách nhiệm hình sự với mức phạt tù đến 15 năm."
)
OTHER_STORY = (
    "Tòa án nhân dân tỉnh Nghệ An mở phiên xét xử sơ thẩm bị cáo Nguyễn Văn H. về tội vi phạm "
    "quy định về bảo vệ động vật nguy cấp, quý, hiếm. Theo cáo trạng, tháng 8/2023 bị cáo vận "
    "chuyển 2 cá thể hổ đông lạnh nặng 160 kg từ Lào về Việt Nam qua cửa khẩu Nậm Cắn để bán "
    "cho một nhà hàng ở Hà Nội. Hội đồng xét xử tuyên phạt bị cáo 8 năm tù giam. Tại phiên tòa, "
    "bị cáo thừa nhận hành vi phạm tội và cho biết được hứa trả công 20 triệu đồng. Vụ án được "
    "đưa ra xét xử công khai nhằm tuyên truyền, răn đe tội phạm buôn bán động vật hoang dã."
)


def test_syndicated_copy_with_credit_line_is_near_duplicate() -> None:
    copy = "Theo báo Thanh Niên: " + STORY + " (Ảnh: Công an Quảng Ninh cung cấp)"
    assert is_near_duplicate(simhash(STORY), simhash(copy))


def test_copy_without_diacritics_and_with_other_spacing_is_near_duplicate() -> None:
    unaccented = (
        STORY.replace("ệ", "e").replace("ê", "e").replace("á", "a").replace("ố", "o")
    ).replace(". ", ".\n\n")
    assert is_near_duplicate(simhash(STORY), simhash(unaccented))


def test_different_story_on_the_same_topic_is_not_a_duplicate() -> None:
    assert hamming(simhash(STORY), simhash(OTHER_STORY)) > 12


def test_simhash_is_16_hex_digits_and_stable() -> None:
    value = simhash(STORY)
    assert len(value) == 16
    int(value, 16)
    assert simhash(STORY) == value
    assert simhash("") == "0000000000000000"


def test_content_hash_ignores_markup_noise_but_not_words() -> None:
    base = content_hash("Bắt xe chở tê tê", STORY)
    assert content_hash("Bắt  xe chở tê tê ", STORY.replace(" ", "&nbsp;", 3)) == base
    # new tone placement ("hoà") vs traditional ("hòa") is the same visible text
    assert content_hash("Hoà Bình", "x") == content_hash("Hòa Bình", "x")
    assert content_hash("Bắt xe chở tê tê", STORY + " Cập nhật: 15 cá thể.") != base


NEW = Copy("new", None, "2024-03-20T08:00:00+07:00")


def test_copy_links_to_the_earliest_original_of_the_group() -> None:
    candidates = [
        Copy("later", None, "2024-03-13T09:00:00+07:00"),
        Copy("earliest", None, "2024-03-12T20:00:00+00:00"),  # 13/3 03:00 in Hà Nội
        Copy("copy-of-earliest", "earliest", "2024-03-14T00:00:00+07:00"),
    ]
    assert link_copies(NEW, candidates) == Linking("earliest")


def test_dates_with_offsets_are_compared_as_instants() -> None:
    candidates = [
        Copy("hanoi", None, "2024-03-12T08:00:00+07:00"),  # 01:00 UTC
        Copy("utc", None, "2024-03-12T02:00:00Z"),
    ]
    assert link_copies(NEW, candidates).duplicate_of == "hanoi"


def test_copy_points_at_the_root_not_at_another_copy() -> None:
    assert link_copies(NEW, [Copy("copy", "root", "2024-01-02")]).duplicate_of == "root"


def test_an_original_found_after_its_reprint_becomes_the_root() -> None:
    agency = Copy("agency", None, "2024-03-12T09:30:00+07:00")
    reprint = Copy("reprint", None, "2024-03-13T07:00:00+07:00")
    assert link_copies(agency, [reprint]) == Linking(None, ("reprint",))


def test_recrawl_of_an_original_keeps_it_original() -> None:
    # "a" was stored first, "b" was linked to it; re-crawling "a" must not link it to "b".
    candidates = [Copy("a", None, "2024-01-01"), Copy("b", "a", "2024-01-02")]
    assert link_copies(Copy("a", None, "2024-01-01"), candidates) == Linking(None)


def test_no_candidate_or_only_itself_means_original() -> None:
    item = Copy("a", None, "2024-01-01")
    assert link_copies(item, []) == Linking(None)
    assert link_copies(item, [Copy("a", None, "2024-01-01")]) == Linking(None)


def test_undated_copies_rank_after_dated_ones_and_undated_items_never_demote() -> None:
    candidates = [Copy("undated", None, None), Copy("dated", None, "2024-01-01")]
    assert link_copies(NEW, candidates).duplicate_of == "dated"
    assert link_copies(Copy("x", None, None), candidates).duplicate_of == "dated"


def reference_simhash(text: str) -> str:
    """The textbook algorithm: one +w/-w vote per feature and bit."""
    import hashlib

    from pipelines.dedup import _features

    weights = [0] * 64
    for feature, count in _features(text).items():
        value = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += count if value >> bit & 1 else -count
    return f"{sum(1 << bit for bit, weight in enumerate(weights) if weight > 0):016x}"


def test_fast_simhash_equals_the_textbook_algorithm() -> None:
    repeated = "tê tê " * 40 + STORY  # repeated shingles carry weight > 1
    for text in (STORY, OTHER_STORY, repeated, "một hai", "x"):
        assert simhash(text) == reference_simhash(text)
