"""Quality gate on the stored article pages, scored as the public benchmark scores: 4-token
shingle F1 (``bench/extract_quality.py``) of extract_article's text against the golden text,
floors pinned in ``quality_floors.toml``, and never below trafilatura alone."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from bench.extract_quality import (
    Page,
    corpus_scores,
    page_counts,
    stored_pages,
    trafilatura_text,
    wildwatch_text,
)
from tests.crawlers.extract.golden import FLOORS_FILE

PAGES = stored_pages()
ARTICLES = [page for page in PAGES if page.truth]
FLOORS = tomllib.loads(FLOORS_FILE.read_text(encoding="utf-8"))


def _scores(texts: dict[str, str], pages: list[Page]) -> dict[str, float]:
    return {page.name: page_counts(texts[page.name], page.truth).f1 for page in pages}


@cache
def _texts(extractor: str) -> dict[str, str]:
    extract = wildwatch_text if extractor == "wildwatch" else trafilatura_text
    return {page.name: extract(page.html, page.url) for page in PAGES}


def test_f1_against_golden_texts_stays_above_pinned_floors() -> None:
    scores = _scores(_texts("wildwatch"), ARTICLES)
    assert len(scores) >= 12
    f1, _precision, _recall = corpus_scores(
        [page_counts(_texts("wildwatch")[page.name], page.truth) for page in ARTICLES]
    )
    worst = min(scores, key=scores.__getitem__)
    report = ", ".join(f"{name}={score:.3f}" for name, score in sorted(scores.items()))
    assert f1 >= FLOORS["mean_f1"], f"F1 {f1:.3f} below floor: {report}"
    assert scores[worst] >= FLOORS["min_page_f1"], f"{worst} below floor: {report}"


def test_no_page_with_a_body_is_rejected() -> None:
    rejected = [page.name for page in ARTICLES if not _texts("wildwatch")[page.name]]
    assert len(rejected) <= FLOORS["max_rejected"], rejected


def test_wildwatch_is_never_worse_than_trafilatura_alone() -> None:
    ours = _scores(_texts("wildwatch"), ARTICLES)
    theirs = _scores(_texts("trafilatura"), ARTICLES)
    worse = {name: (ours[name], theirs[name]) for name in ours if ours[name] < theirs[name]}
    assert not worse, f"pages where trafilatura alone does better: {worse}"
    assert sum(ours.values()) > sum(theirs.values())


def test_f1_scores_a_boilerplate_laden_text_lower_than_the_clean_one() -> None:
    golden = "Hải quan thu giữ 12 kg sừng tê giác tại Nội Bài, trong hai thùng loa từ Angola."
    noisy = golden + " Tin liên quan Chia sẻ Bình luận Xem nhiều Giá xăng giảm lần thứ ba"
    assert page_counts(golden, golden).f1 == 1.0
    assert page_counts(noisy, golden).f1 < 0.8
    assert page_counts("", golden).recall == 0.0


def test_every_enabled_news_source_has_a_stored_page() -> None:
    sources_file = Path(__file__).resolve().parents[3] / "crawlers" / "sources.toml"
    sources = tomllib.loads(sources_file.read_text(encoding="utf-8"))["sources"]
    news = {s["name"] for s in sources if s["kind"] == "news" and s.get("enabled", True)}
    covered = {name for name in news if any(page.name.startswith(f"{name}_") for page in PAGES)}
    missing = set(FLOORS["missing_sources"])
    assert news - covered == missing, (
        f"without a page: {sorted(news - covered)}; listed as missing: {sorted(missing)}"
    )
