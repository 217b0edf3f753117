"""crawlers.spiders.pages: what the analysis worker does with a fetched article or ad page."""

from __future__ import annotations

import pickle
from datetime import datetime

from crawlers.spiders.pages import Page, PageFailure, extract_page, item_url, mojibake_evidence

BASE = "https://moitruongdoisong.example"
PARAGRAPHS = [
    "Ngày 12/3, Đội Cảnh sát môi trường Công an tỉnh Nghệ An phối hợp với Chi cục Kiểm lâm "
    "kiểm tra một xe khách giường nằm trên quốc lộ 1A, phát hiện 7 cá thể tê tê Java còn sống "
    "được giấu trong thùng xốp dưới khoang hành lý.",
    "Tài xế khai được một người lạ thuê chở số hàng từ Quảng Trị ra Hà Nội với giá 3 triệu đồng. "
    "Toàn bộ tê tê đã được bàn giao cho Trung tâm Cứu hộ động vật hoang dã Pù Mát.",
    "Vụ việc đang được cơ quan chức năng điều tra mở rộng để xử lý theo quy định pháp luật.",
]


def article_page(canonical: str) -> str:
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Giải cứu 7 cá thể tê tê trên xe khách - Báo Môi trường &amp; Đời sống</title>
<link rel="canonical" href="{canonical}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-03-12T09:30:00+07:00">
</head><body>
<nav class="main-nav"><a href="/">Trang chủ</a> <a href="/phap-luat/">Pháp luật</a></nav>
<article class="detail"><h1 class="detail-title">Giải cứu 7 cá thể tê tê trên xe khách</h1>
<div class="detail-content">{body}</div></article>
<section class="related"><h3>Tin liên quan</h3><ul>
<li><a href="/phap-luat/bat-giu-ngoc-trai-1.html">Bắt giữ lô ngọc trai không rõ nguồn gốc</a></li>
</ul></section>
<div class="comments">Bình luận (2): Đề nghị xử lý nghiêm!</div>
<footer>© Báo Môi trường &amp; Đời sống. Giấy phép số 123/GP-BTTTT.</footer>
</body></html>"""


AD_PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Cần bán vảy tê tê số lượng lớn | Chợ Sinh Vật Cảnh</title></head><body>
<header><a href="/cho/">Chợ Sinh Vật Cảnh</a> <a href="/cho/dang-tin">Đăng tin miễn phí</a></header>
<div class="ad-box">
  <h2 class="ad-title">Cần bán vảy tê tê số lượng lớn</h2>
  <div class="ad-meta"><span class="ad-date">Đăng 2 giờ trước</span> ·
    <span class="ad-location">Hà Nội</span></div>
  <div class="ad-price-box">Giá: <span class="ad-price">2,5 triệu/kg</span></div>
  <div class="ad-desc"><p>Hàng khô, sạch, giao tận nơi, số lượng lớn có giá tốt.</p></div>
  <div class="ad-seller">Người bán: <span class="seller-name">Hoàng Long</span>
    <a class="phone" href="tel:0912345678">Gọi ngay</a></div>
</div>
<div class="banner">Quảng cáo: Thức ăn cho chim cảnh giảm giá 30%!</div>
</body></html>"""

SELECTORS = (
    ("body", "div.ad-desc"),
    ("contact", "a.phone"),
    ("location", "span.ad-location"),
    ("price", "span.ad-price"),
    ("published", "span.ad-date"),
    ("seller", "span.seller-name"),
    ("title", "h2.ad-title"),
)


def news_page(html: str, url: str = f"{BASE}/amp/phap-luat/giai-cuu-te-te-4711.html") -> Page:
    return Page(
        html=html,
        url=url,
        kind="news",
        fetched_at="2024-03-12T05:00:00+00:00",
        allowed_domains=("moitruongdoisong.example",),
    )


def test_article_text_without_furniture_and_the_canonical_url_of_the_same_site() -> None:
    fields = extract_page(news_page(article_page(f"{BASE}/phap-luat/giai-cuu-te-te-4711.html")))
    assert not isinstance(fields, PageFailure)
    # the AMP copy is filed under the page's own canonical URL (its id); the URL stored is the
    # one fetched
    assert (
        fields["identity_url"]
        == "https://moitruongdoisong.example/phap-luat/giai-cuu-te-te-4711.html"
    )
    assert fields["url"] == f"{BASE}/amp/phap-luat/giai-cuu-te-te-4711.html"
    assert fields["title"].startswith("Giải cứu 7 cá thể tê tê")
    assert all(paragraph in fields["text"] for paragraph in PARAGRAPHS)
    for furniture in ("Tin liên quan", "Bình luận", "Giấy phép", "Trang chủ"):
        assert furniture not in fields["text"]
    assert fields["published_at"] == "2024-03-12T09:30:00+07:00"
    assert fields["page_language"] == "vi"


def test_canonical_url_on_another_site_or_the_home_page_is_not_trusted() -> None:
    elsewhere = extract_page(news_page(article_page("https://aggregator.example/tin/4711")))
    home = extract_page(news_page(article_page(f"{BASE}/")))
    for fields in (elsewhere, home):
        assert not isinstance(fields, PageFailure)
        assert (
            fields["identity_url"]
            == "https://moitruongdoisong.example/amp/phap-luat/giai-cuu-te-te-4711.html"
        )
    assert item_url("https://m.a.example/x", "https://a.example/x", ["a.example"]) == (
        "https://a.example/x"
    )


def test_a_page_decoded_with_the_wrong_charset_is_an_error_not_an_article() -> None:
    good = article_page(f"{BASE}/phap-luat/giai-cuu-te-te-4711.html")
    # UTF-8 bytes read as windows-1252: "Giải cứu" becomes "Giáº£i cá»©u"
    garbled = good.encode("utf-8").decode("cp1252", errors="ignore")
    failure = extract_page(news_page(garbled))
    assert isinstance(failure, PageFailure) and failure.kind == "mojibake"
    assert "á»" in failure.detail or "áº" in failure.detail
    assert mojibake_evidence("Giải cứu 7 cá thể tê tê, đường dây ở Nghệ An") is None


def test_a_page_without_an_article_is_no_content() -> None:
    listing = "<html><body><ul>" + "".join(
        f'<li><a href="/phap-luat/tin-{n}.html">Tin số {n} về buôn bán động vật hoang dã</a></li>'
        for n in range(40)
    )
    assert extract_page(news_page(listing + "</ul></body></html>")) == PageFailure("no_content")
    assert extract_page(news_page("")) == PageFailure("no_content")


def test_ad_relative_date_counts_from_the_fetch_not_from_the_extraction() -> None:
    page = Page(
        html=AD_PAGE,
        url="https://chosinhvatcanh.example/cho/tin/50103-can-ban-vay-te-te.htm?utm_source=zalo",
        kind="marketplace",
        fetched_at="2024-03-06T03:15:00+00:00",  # 10:15 in Hà Nội
        selectors=SELECTORS,
        allowed_domains=("chosinhvatcanh.example",),
    )
    fields = extract_page(page)
    assert not isinstance(fields, PageFailure)
    assert fields["url"] == page.url  # as fetched: tracking tags only leave the id
    assert datetime.fromisoformat(fields["published_at"]) == datetime.fromisoformat(
        "2024-03-06T08:15:00+07:00"
    )
    # structured fields the description omits are appended for analysis and search
    assert "Giá: 2,5 triệu/kg" in fields["text"]
    assert "Khu vực: Hà Nội" in fields["text"]
    assert "0912345678" in fields["text"]
    assert fields["seller"] == "Hoàng Long"


def test_a_broken_selector_is_a_parse_error_not_a_crash() -> None:
    page = Page(
        html=AD_PAGE,
        url="https://chosinhvatcanh.example/cho/tin/50103.htm",
        kind="marketplace",
        fetched_at="2024-03-06T03:15:00+00:00",
        selectors=(("title", "h2[[["),),
    )
    failure = extract_page(page)
    assert isinstance(failure, PageFailure) and failure.kind == "parse_error"
    assert "title" in failure.detail


def test_a_page_crosses_the_process_boundary_as_plain_data() -> None:
    page = news_page(article_page(f"{BASE}/phap-luat/giai-cuu-te-te-4711.html"))
    copied = pickle.loads(pickle.dumps(page))
    assert copied == page
    # little more than the HTML itself goes to the worker
    assert len(pickle.dumps(page)) < len(page.html.encode()) + 400
