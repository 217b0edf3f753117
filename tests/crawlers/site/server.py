"""The local test site: a news site, a marketplace and a Telegram-like channel on 127.0.0.1.

Reads the pages and data files next to this module; serves them over HTTP on an ephemeral port
and records every request (host, path, status, validators sent) so tests can check what a crawl
asked for. Besides ordinary pages it serves what real sites throw at a crawler: robots.txt
rules, an endless calendar, a windows-1258 page, a 404, a 500 that recovers on retry, a page
that never answers, an image where an article should be, conditional-GET validators, and (under
/chuyen-huong/) off-site redirects and meta refreshes, a redirect loop and an endless chain.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qs, urlsplit

SITE = Path(__file__).parent
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
NOT_FOUND_SLUG = "bai-da-xoa-40404.html"
HANGING_SLUG = "dang-cap-nhat-50505.html"
BINARY_SLUG = "anh-tang-vat-60606.html"
HUGE_SLUG = "video-phong-su-70707.html"  # larger than the test's WILDWATCH_MAX_PAGE_BYTES
REDIRECT_SLUG = "chuyen-huong-80808.html"  # redirects to another host
EMPTY_SLUG = "dang-bien-tap-90909.html"  # 200 with an empty body
HUGE_BYTES = 300_000
# The redirect section /chuyen-huong/ (linked from nowhere else; its own source in the tests):
# what a crawl must refuse, and redirects within the site that it follows.
OFFSITE_REDIRECT = "ra-ngoai-81001.html"  # 302 to the other host
OFFSITE_REFRESH = "lam-moi-81002.html"  # <meta http-equiv="refresh"> to the other host
LOOP_A, LOOP_B = "vong-a-81003.html", "vong-b-81003.html"  # A → B → A
CHAIN = "chuoi-81004.html"  # ?buoc=N → ?buoc=N+1, without end
MOVED = "duong-dan-cu-81005.html"  # 301 to an article of the site
REFRESH = "lam-moi-noi-bo-81006.html"  # meta refresh to an article of the site
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


@dataclass
class Logged:
    host: str
    path: str  # with the query string
    status: int
    user_agent: str
    if_none_match: str | None


@dataclass
class Page:
    body: bytes
    content_type: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _template(name: str) -> Template:
    return Template((SITE / name).read_text(encoding="utf-8"))


def encode_cp1258(text: str) -> bytes:
    """Vietnamese in windows-1258: precomposed where the code page has the letter, else a
    base letter plus combining tone marks (how old Vietnamese CMSs stored text)."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = list(unicodedata.normalize("NFD", char))
        # "ộ" is o + dot below + circumflex: the code page has "ô" and a combining dot below.
        for mark in marks:
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1 and _encodable(composed):
                base = composed
                marks.remove(mark)
                break
        for piece in (base, *marks):
            out += piece.encode("cp1258", errors="xmlcharrefreplace")
    return bytes(out)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def vietnamese_date(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f"{WEEKDAYS[moment.weekday()]}, {moment:%d/%m/%Y, %H:%M} (GMT+7)"


class TestSite:
    """Pages rendered for one base URL; ``other`` is an off-domain host of the same server."""

    def __init__(self, base: str, other: str) -> None:
        self.base = base
        self.other = other
        self.articles: list[dict[str, Any]] = tomllib.loads(
            (SITE / "articles.toml").read_text(encoding="utf-8")
        )["articles"]
        self.ads: list[dict[str, Any]] = tomllib.loads(
            (SITE / "ads.toml").read_text(encoding="utf-8")
        )["ads"]
        self.telegram = tomllib.loads((SITE / "telegram.toml").read_text(encoding="utf-8"))
        self.flaky_served: set[str] = set()

    # -- news --------------------------------------------------------------------------------

    def article(self, slug: str) -> Page | None:
        for article in self.articles:
            if article["slug"] + ".html" == slug:
                break
        else:
            return None
        encoding = article.get("encoding", "utf-8")
        published = article["published"]
        meta = (
            ""
            if article.get("visible_date_only")
            else f'<meta property="article:published_time" content="{published}">'
        )
        html = _template("article.html").substitute(
            charset=encoding,
            title=article["title"],
            slug=slug,
            author=article["author"],
            meta_published=meta,
            visible_date=vietnamese_date(published),
            body_html="\n".join(f"      <p>{paragraph}</p>" for paragraph in article["body"]),
            BASE=self.base,
            OTHER=self.other,
        )
        if article.get("truncated"):
            # a connection cut by the CMS: no closing tags, half a comment
            html = html[: html.index('<div class="comment"><b>Trần')] + '<div class="comment"><b>Tr'
        body = encode_cp1258(html) if encoding == "windows-1258" else html.encode("utf-8")
        moment = datetime.fromisoformat(published)
        content_type = "text/html" if encoding != "utf-8" else "text/html; charset=utf-8"
        return Page(
            body,
            content_type,
            etag='"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            last_modified=format_datetime(moment, usegmt=False),
        )

    def article_url(self, article: dict[str, Any]) -> str:
        return f"{self.base}/phap-luat/{article['slug']}.html"

    def news_listing(self, page: int) -> Page:
        teasers = [
            f'    <div class="item"><a href="/phap-luat/{a["slug"]}.html" class="thumb">'
            f'<img src="/img/{a["slug"]}.jpg"></a><h3><a href="/phap-luat/{a["slug"]}.html">'
            f"{a['title']}</a></h3></div>"
            for a in self.articles
            if a["reach"] in (f"page{page}", "rss" if page == 1 else "-")
        ]
        specials = {1: (BINARY_SLUG, HUGE_SLUG), 2: (NOT_FOUND_SLUG, REDIRECT_SLUG)}
        for special in specials.get(page, (HANGING_SLUG, EMPTY_SLUG)):
            teasers.append(
                f'    <div class="item"><h3><a href="/phap-luat/{special}">Tin ảnh</a></h3></div>'
            )
        links = []
        if page > 1:
            previous = "/phap-luat/" if page == 2 else f"/phap-luat/trang-{page - 1}"
            links.append(f'<a href="{previous}">‹ Trang trước</a>')
        if page < 3:
            links.append(f'<a href="/phap-luat/trang-{page + 1}">Trang sau ›</a>')
        html = _template("listing.html").substitute(
            page=page, teasers="\n".join(teasers), pagination=" ".join(links), OTHER=self.other
        )
        return Page(html.encode("utf-8"), "text/html; charset=utf-8")

    def calendar(self, month: str) -> Page:
        """An archive calendar that links the previous and the next month forever."""
        year, number = (int(part) for part in month.split("-"))
        index = year * 12 + number - 1
        prev_month = f"{(index - 1) // 12:04d}-{(index - 1) % 12 + 1:02d}"
        next_month = f"{(index + 1) // 12:04d}-{(index + 1) % 12 + 1:02d}"
        html = (
            f'<html><head><meta charset="utf-8"><title>Lưu trữ {month}</title></head><body>'
            f"<h1>Lưu trữ tháng {month}</h1><p>Không có bài viết.</p>"
            f'<a href="/phap-luat/lich?thang={prev_month}">‹ {prev_month}</a> '
            f'<a href="/phap-luat/lich?thang={next_month}">{next_month} ›</a></body></html>'
        )
        return Page(html.encode("utf-8"), "text/html; charset=utf-8")

    def rss(self) -> Page:
        items = []
        for article in self.articles:
            if article["reach"] != "rss":
                continue
            moment = datetime.fromisoformat(article["published"])
            items.append(
                f"<item><title>{article['title']}</title>"
                f"<link>{self.article_url(article)}?utm_source=rss&amp;utm_medium=feed</link>"
                f'<guid isPermaLink="false">mtds-{article["slug"][-5:]}</guid>'
                f"<pubDate>{format_datetime(moment)}</pubDate>"
                f"<description><![CDATA[<p>{article['body'][0]}</p>]]></description></item>"
            )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            "<title>Pháp luật - Báo Môi trường &amp; Đời sống</title>"
            f"<link>{self.base}/phap-luat/</link><description>Tin pháp luật</description>"
            + "".join(items)
            + "</channel></rss>"
        )
        return Page(xml.encode("utf-8"), "application/rss+xml; charset=utf-8")

    def sitemap_index(self) -> Page:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base}/sitemaps/news.xml</loc></sitemap>"
            f"<sitemap><loc>{self.base}/sitemaps/pages.xml.gz</loc></sitemap>"
            "</sitemapindex>"
        )
        return Page(xml.encode("utf-8"), "application/xml")

    def news_sitemap(self) -> Page:
        entries = []
        for article in self.articles:
            if article["reach"] not in ("sitemap", "rss"):
                continue
            entries.append(
                f"<url><loc>{self.article_url(article)}</loc><news:news><news:publication>"
                "<news:name>Báo Môi trường &amp; Đời sống</news:name><news:language>vi"
                "</news:language></news:publication><news:publication_date>"
                f"{article['published']}</news:publication_date><news:title>{article['title']}"
                "</news:title></news:news></url>"
            )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
            'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            + "".join(entries)
            + "</urlset>"
        )
        return Page(xml.encode("utf-8"), "application/xml")

    def pages_sitemap(self) -> Page:
        locs = ["/phap-luat/", "/gioi-thieu", "/phap-luat/trang-3"]
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(
                f"<url><loc>{self.base}{loc}</loc><lastmod>2024-03-01</lastmod></url>"
                for loc in locs
            )
            + "</urlset>"
        )
        return Page(gzip.compress(xml.encode("utf-8")), "application/x-gzip")

    def redirect_section(self, name: str, query: dict[str, list[str]]) -> Page | None:
        """The pages of /chuyen-huong/: a listing, and redirects of every kind."""
        here = f"{self.base}/chuyen-huong"

        def moved(location: str, status: int = 301) -> Page:
            return Page(b"", "text/html", status=status, extra={"Location": location})

        def refresh(target: str) -> Page:
            html = (
                '<html><head><meta charset="utf-8">'
                f'<meta http-equiv="refresh" content="0; url={target}">'
                "<title>Đang chuyển trang…</title></head><body>"
                f'<p>Bài viết đã chuyển sang <a href="{target}">địa chỉ mới</a>.</p></body></html>'
            )
            return Page(html.encode("utf-8"), "text/html; charset=utf-8")

        if name == "":
            slugs = (OFFSITE_REDIRECT, OFFSITE_REFRESH, LOOP_A, f"{CHAIN}?buoc=0", MOVED, REFRESH)
            links = "".join(f'<li><a href="/chuyen-huong/{slug}">Tin</a></li>' for slug in slugs)
            html = f'<html><head><meta charset="utf-8"></head><body><ul>{links}</ul></body></html>'
            return Page(html.encode("utf-8"), "text/html; charset=utf-8")
        if name == OFFSITE_REDIRECT:
            return moved(f"{self.other}/phap-luat/bai-goc-81001.html", 302)
        if name == OFFSITE_REFRESH:
            return refresh(f"{self.other}/tin/81002.html")
        if name == LOOP_A:
            return moved(f"{here}/{LOOP_B}")
        if name == LOOP_B:
            return moved(f"/chuyen-huong/{LOOP_A}")  # relative, as servers often send it
        if name == CHAIN:
            step = int(query.get("buoc", ["0"])[0])
            return moved(f"{here}/{CHAIN}?buoc={step + 1}", 302)
        if name == MOVED:
            return moved(self.article_url(self.articles[0]))
        if name == REFRESH:
            return refresh(self.article_url(self.articles[1]))
        return None

    # -- marketplace -------------------------------------------------------------------------

    def ad(self, name: str) -> Page | None:
        for ad in self.ads:
            if f"{ad['slug']}-{ad['id']}.html" == name:
                break
        else:
            return None
        template = "ad_jsonld.html" if ad["template"] == "jsonld" else "ad_plain.html"
        values = {key: str(value) for key, value in ad.items()}
        html = _template(template).safe_substitute(values)
        return Page(html.encode("utf-8"), "text/html; charset=utf-8")

    def market_listing(self, page: int) -> Page:
        teasers = [
            f'  <li><a href="/cho/tin/{ad["slug"]}-{ad["id"]}.html">{ad["title"]}</a> '
            f'<span class="p">{ad["price_text"]}</span></li>'
            for ad in self.ads
            if ad["page"] == page
        ]
        pagination = (
            '<a href="/cho/danh-muc/dong-vat-canh?trang=2">2</a>'
            if page == 1
            else '<a href="/cho/danh-muc/dong-vat-canh">1</a>'
        )
        html = _template("market_listing.html").substitute(
            page=page, teasers="\n".join(teasers), pagination=pagination
        )
        return Page(html.encode("utf-8"), "text/html; charset=utf-8")

    # -- telegram ----------------------------------------------------------------------------

    def channel(self, before: int | None) -> Page:
        data = self.telegram
        posts = sorted(data["posts"], key=lambda post: post["id"])
        if before is not None:
            posts = [post for post in posts if post["id"] < before]
        shown = posts[-data["per_page"] :]
        post_template = _template("telegram_post.html")
        rendered = [
            post_template.substitute(
                channel=data["channel"],
                title=data["title"],
                id=post["id"],
                date=post["date"],
                clock=post["date"][11:16],
                text_html=post["text"].replace("\n", "<br/>"),
            )
            for post in shown
        ]
        older = shown and shown[0]["id"] > posts[0]["id"] if posts else False
        first = shown[0]["id"] if shown else 0
        more = (
            f'<div class="tgme_widget_messages_more_wrap"><a href="/s/{data["channel"]}'
            f'?before={first}" class="tme_messages_more js-messages_more" '
            f'data-before="{first}"></a></div>'
            if older
            else ""
        )
        prev_link = f'<link rel="prev" href="/s/{data["channel"]}?before={first}">' if older else ""
        html = _template("telegram.html").substitute(
            title=data["title"],
            channel=data["channel"],
            more=more,
            prev_link=prev_link,
            posts="\n".join(rendered),
        )
        return Page(html.encode("utf-8"), "text/html; charset=utf-8")

    # -- routing -----------------------------------------------------------------------------

    def route(self, path: str, query: dict[str, list[str]]) -> Page | None:
        if path == "/robots.txt":
            text = Template((SITE / "robots.txt").read_text("utf-8")).substitute(BASE=self.base)
            return Page(text.encode("utf-8"), "text/plain; charset=utf-8")
        if path == "/rss/phap-luat.rss":
            return self.rss()
        if path == "/sitemap.xml":
            return self.sitemap_index()
        if path == "/sitemaps/news.xml":
            return self.news_sitemap()
        if path == "/sitemaps/pages.xml.gz":
            return self.pages_sitemap()
        if path == "/phap-luat/":
            return self.news_listing(1)
        if path.startswith("/phap-luat/trang-"):
            number = path.rsplit("-", 1)[1]
            return self.news_listing(int(number)) if number in ("2", "3") else None
        if path == "/phap-luat/lich":
            return self.calendar(query.get("thang", ["2024-03"])[0])
        if path == f"/phap-luat/{BINARY_SLUG}":
            return Page(PNG, "image/png")
        if path == f"/phap-luat/{HUGE_SLUG}":
            filler = "<p>Phóng sự ảnh và video.</p>" * (HUGE_BYTES // 30)
            return Page(f"<html><body>{filler}</body></html>".encode(), "text/html; charset=utf-8")
        if path == f"/phap-luat/{EMPTY_SLUG}":
            return Page(b"", "text/html; charset=utf-8")
        if path == f"/phap-luat/{REDIRECT_SLUG}":
            location = f"{self.other}/phap-luat/bai-goc-80808.html"
            return Page(b"", "text/html", status=301, extra={"Location": location})
        if path.startswith("/phap-luat/"):
            return self.article(path.removeprefix("/phap-luat/"))
        if path.startswith("/chuyen-huong/"):
            return self.redirect_section(path.removeprefix("/chuyen-huong/"), query)
        if path == "/cho/danh-muc/dong-vat-canh":
            return self.market_listing(int(query.get("trang", ["1"])[0]))
        if path.startswith("/cho/tin/"):
            return self.ad(path.removeprefix("/cho/tin/"))
        if path == "/s/" + self.telegram["channel"]:
            before = query.get("before")
            return self.channel(int(before[0]) if before else None)
        if path == "/js/danh-sach":
            return Page((SITE / "js_listing.html").read_bytes(), "text/html; charset=utf-8")
        if path in ("/js/bai-701", "/js/bai-702"):
            return Page((SITE / "js_article.html").read_bytes(), "text/html; charset=utf-8")
        if path.startswith("/private/"):
            return Page(b"<html><body>ban nhap</body></html>", "text/html")
        return None

    def is_flaky_first_hit(self, path: str) -> bool:
        for article in self.articles:
            flaky_path = f"/phap-luat/{article['slug']}.html"
            if article.get("flaky") and path == flaky_path and path not in self.flaky_served:
                self.flaky_served.add(path)
                return True
        return False


class SiteServer:
    """The test site on 127.0.0.1:<ephemeral port>, in a background thread."""

    def __init__(self) -> None:
        self.requests: list[Logged] = []
        self.release = threading.Event()  # set at stop: the hanging page gives up
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # crawlers drop connections (timeouts, shutdown): not a test failure

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.other = f"http://localhost:{self.port}"  # same server, another host name
        self.site = TestSite(self.base, self.other)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> SiteServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def log(self, entry: Logged) -> None:
        with self._lock:
            self.requests.append(entry)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        host = handler.headers.get("Host", "")
        if_none_match = handler.headers.get("If-None-Match")

        def send(page: Page) -> None:
            self.log(
                Logged(
                    host,
                    handler.path,
                    page.status,
                    handler.headers.get("User-Agent", ""),
                    if_none_match,
                )
            )
            handler.send_response(page.status)
            handler.send_header("Content-Type", page.content_type)
            if page.etag:
                handler.send_header("ETag", page.etag)
            if page.last_modified:
                handler.send_header("Last-Modified", page.last_modified)
            for name, value in page.extra.items():
                handler.send_header(name, value)
            body = b"" if page.status == 304 else page.body
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        if parts.path == f"/phap-luat/{HANGING_SLUG}":
            self.log(Logged(host, handler.path, 0, handler.headers.get("User-Agent", ""), None))
            self.release.wait(60)  # never answers while the test runs
            return
        if self.site.is_flaky_first_hit(parts.path):
            send(Page(b"<h1>503 Service busy</h1>", "text/html", status=500))
            return
        page = self.site.route(parts.path, parse_qs(parts.query))
        if page is None:
            send(
                Page(
                    "<h1>404 - Không tìm thấy trang</h1>".encode(),
                    "text/html; charset=utf-8",
                    status=404,
                )
            )
            return
        if page.etag and if_none_match == page.etag:
            page = Page(b"", page.content_type, 304, page.etag, page.last_modified)
        send(page)


def main() -> None:
    """Serve the test site in the foreground (for trying sources by hand)."""
    server = SiteServer()
    print(f"test site on {server.base} (Ctrl-C to stop)")
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
