"""Quality gate: token-level F1 of extracted article text over all stored article pages."""

from __future__ import annotations

import tomllib

from crawlers.extract import decode_body, extract_article
from tests.crawlers.extract.golden import FLOORS_FILE, stored_pages, token_f1


def test_f1_against_golden_texts_stays_above_pinned_floors() -> None:
    floors = tomllib.loads(FLOORS_FILE.read_text(encoding="utf-8"))
    scores = {}
    for page in stored_pages("article"):
        html = decode_body(page.body, page.golden.get("content_type"))
        article = extract_article(html, page.golden["url"])
        scores[page.name] = token_f1(article.text if article else "", page.golden["text"])
    assert len(scores) >= 7
    mean = sum(scores.values()) / len(scores)
    worst = min(scores, key=scores.__getitem__)
    report = ", ".join(f"{name}={score:.3f}" for name, score in sorted(scores.items()))
    assert mean >= floors["mean_f1"], f"mean F1 {mean:.3f} below floor: {report}"
    assert scores[worst] >= floors["min_page_f1"], f"{worst} below floor: {report}"


def test_f1_scores_a_boilerplate_laden_text_lower_than_the_clean_one() -> None:
    golden = "Hải quan thu giữ 12 kg sừng tê giác tại Nội Bài."
    noisy = golden + " Tin liên quan Chia sẻ Bình luận Xem nhiều Giá xăng giảm lần thứ ba"
    assert token_f1(golden, golden) == 1.0
    assert token_f1(noisy, golden) < 0.75
