"""A small news site for the crash drills: 30 articles on ``www.baotintuc.test``, reached through
an HTTP proxy on 127.0.0.1 (so the ``www.`` host of real Vietnamese sites can be crawled
without DNS), half of them with ETag/Last-Modified validators, a listing page linking them all.

Reads nothing; serves over HTTP on an ephemeral port and counts the article responses, so a
drill can kill a crawl at a given point. Articles can be made slow (``delay``) so a kill lands
mid-crawl, or made to hang until released (the scheduler's time-limit drill).
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOST = "www.baotintuc.test"
BASE = f"http://{HOST}"
ARTICLE_COUNT = 30  # the tests; bench.kill_drills uses 40

_SPECIES = [
    "tê tê",
    "sừng tê giác",
    "ngà voi",
    "rùa núi vàng",
    "gấu ngựa",
    "chim họa mi",
    "trăn đất",
    "cá thể khỉ",
    "vảy tê tê",
    "hổ",
    "báo gấm",
    "cá ngựa khô",
]
_PLACES = [
    "Quảng Ninh",
    "Nghệ An",
    "Hà Tĩnh",
    "Lạng Sơn",
    "Đắk Lắk",
    "Quảng Trị",
    "Hải Phòng",
    "Thanh Hóa",
    "Gia Lai",
    "Kiên Giang",
    "Lào Cai",
    "Tây Ninh",
]
_SENTENCES = [
    "Lực lượng chức năng tỉnh {place} vừa phát hiện {n} cá thể {species} trên xe khách.",
    "Tài xế khai nhận được thuê chở {species} từ {place} với giá {n} triệu đồng.",
    "Công an huyện đã khởi tố vụ án, tạm giữ {n} đối tượng liên quan đến {species}.",
    "Theo cơ quan điều tra, đường dây này hoạt động tại {place} từ {n} năm nay.",
    "Toàn bộ {species} được bàn giao cho trung tâm cứu hộ ở {place}.",
    "Tòa án nhân dân tỉnh {place} tuyên phạt bị cáo {n} năm tù về tội buôn bán {species}.",
    "Hải quan cửa khẩu {place} thu giữ {n} kg {species} giấu trong thùng hàng.",
    "Người dân {place} báo tin về một nhóm rao bán {species} trên mạng xã hội.",
    "Kiểm lâm {place} phối hợp bộ đội biên phòng tuần tra suốt {n} ngày.",
    "Các đối tượng thừa nhận đã bán {n} lô {species} cho thương lái nước ngoài.",
    "Chi cục kiểm lâm {place} cho biết số {species} này không có giấy tờ hợp pháp.",
    "Vụ việc là lần thứ {n} trong năm lực lượng chức năng tại {place} bắt giữ {species}.",
]


@dataclass(frozen=True)
class Article:
    number: int
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    validators: bool  # sends ETag and Last-Modified

    @property
    def url(self) -> str:
        return f"{BASE}/phap-luat/{self.slug}.html"


def make_articles(count: int = ARTICLE_COUNT) -> list[Article]:
    generator = random.Random(2024)
    articles = []
    for number in range(1, count + 1):
        species, place = generator.choice(_SPECIES), generator.choice(_PLACES)
        chosen = generator.sample(_SENTENCES, 6)
        paragraphs = tuple(
            sentence.format(
                species=generator.choice(_SPECIES),
                place=generator.choice(_PLACES),
                n=generator.randint(2, 900),
            )
            for sentence in chosen
        )
        articles.append(
            Article(
                number=number,
                slug=f"vu-bat-giu-dong-vat-hoang-da-so-{number}-{10000 + number}",
                title=f"Vụ thứ {number}: phát hiện {species} tại {place}",
                paragraphs=paragraphs,
                validators=number % 2 == 0,
            )
        )
    return articles


def article_html(article: Article) -> bytes:
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in article.paragraphs)
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{article.title} | Báo Tin tức</title>"
        f'<meta property="article:published_time" content="2024-05-{article.number % 28 + 1:02d}'
        'T08:00:00+07:00"></head><body><nav><a href="/">Trang chủ</a></nav>'
        f"<article><h1>{article.title}</h1>{body}</article>"
        "<footer>© Báo Tin tức</footer></body></html>"
    ).encode()


@dataclass
class DrillSite:
    articles: list[Article] = field(default_factory=make_articles)
    delay: float = 0.0  # seconds before each article response
    hanging: set[str] = field(default_factory=set)  # slugs that do not answer until released
    served: int = 0  # article pages answered 200
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.by_path = {f"/phap-luat/{a.slug}.html": a for a in self.articles}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class QuietServer(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # killed crawls drop their connections

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.proxy = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> DrillSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def release(self) -> None:
        """Hanging pages answer from now on."""
        self.hanging = set()
        self.released.set()

    def sources_toml(self) -> str:
        return (
            '[[sources]]\nname = "baotintuc"\nkind = "news"\nlanguage = "vi"\ncountry = "VN"\n'
            f'start_urls = ["{BASE}/phap-luat/"]\n'
            "items = ['/phap-luat/[a-z0-9-]+-\\d{5}\\.html$']\nmax_pages = 100\n"
        )

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path  # absolute URI: the crawl talks to us as a proxy
        with self.lock:
            self.requests.append(path)
        if path == "/phap-luat/":
            links = "".join(f'<li><a href="{a.url}">{a.title}</a></li>' for a in self.articles)
            html = f'<html><head><meta charset="utf-8"></head><body><ul>{links}</ul></body></html>'
            self.reply(handler, 200, html.encode("utf-8"))
            return
        article = self.by_path.get(path)
        if article is None:
            self.reply(handler, 404, b"not found")
            return
        if article.slug in self.hanging:
            self.released.wait(60)
        if self.delay:
            time.sleep(self.delay)
        body = article_html(article)
        headers: dict[str, str] = {}
        if article.validators:
            etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
            headers = {
                "ETag": etag,
                "Last-Modified": format_datetime(
                    datetime(2024, 5, 1, tzinfo=UTC) + timedelta(days=article.number), usegmt=True
                ),
            }
            if handler.headers.get("If-None-Match") == etag:
                self.reply(handler, 304, b"", headers)
                return
        with self.lock:
            self.served += 1
        self.reply(handler, 200, body, headers)

    @staticmethod
    def reply(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if status != 304:
            handler.wfile.write(body)
