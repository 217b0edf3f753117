"""A fast local news site for the crawl benchmark: pre-rendered Vietnamese articles in memory.

Reads nothing; generates ``--pages`` realistic article pages (seizure, trial and market
reports with navigation, related stories, comments and footer around them) plus paginated
category listings (20 links a page) and a robots.txt, then serves them over HTTP/1.1 with
keep-alive from one asyncio process. It prints ``PORT <n>`` once listening, so a benchmark
can start it with ``--port 0``.

Usage: .venv/bin/python bench/site_server.py [--pages 2000] [--port 0] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
from datetime import datetime, timedelta, timezone

PER_LISTING = 20
HANOI = timezone(timedelta(hours=7))

PROVINCES = [
    "Quảng Ninh",
    "Nghệ An",
    "Lạng Sơn",
    "Hà Tĩnh",
    "Quảng Trị",
    "Đắk Lắk",
    "Gia Lai",
    "Kon Tum",
    "Điện Biên",
    "Lào Cai",
    "Hải Phòng",
    "TP Hồ Chí Minh",
    "Hà Nội",
    "Tây Ninh",
    "An Giang",
    "Kiên Giang",
    "Thanh Hóa",
    "Quảng Bình",
    "Bình Phước",
    "Cao Bằng",
]
GOODS = [
    ("12 cá thể tê tê còn sống", "tê tê"),
    ("35 kg vảy tê tê", "vảy tê tê"),
    ("2 sừng tê giác", "sừng tê giác"),
    ("160 kg thịt hổ đông lạnh", "hổ"),
    ("500 kg ngà voi", "ngà voi"),
    ("50 cá thể rùa núi vàng", "rùa"),
    ("1,2 tấn gỗ trắc", "gỗ trắc"),
    ("7 cá thể gấu ngựa", "gấu"),
    ("30 cá thể khỉ đuôi dài", "khỉ"),
    ("200 con chim chào mào", "chim"),
]
AGENCIES = [
    "Đội Cảnh sát môi trường Công an tỉnh",
    "Đồn Biên phòng cửa khẩu",
    "Chi cục Kiểm lâm tỉnh",
    "Cục Hải quan tỉnh",
    "Đội Quản lý thị trường số 3 tỉnh",
]
SENTENCES = [
    "Tài xế khai nhận được thuê chở số hàng trên với giá {money} triệu đồng mỗi chuyến.",
    "Cơ quan chức năng đã tạm giữ phương tiện và toàn bộ tang vật để tiếp tục điều tra.",
    "Theo quy định, {good} thuộc nhóm IB, loài nguy cấp, quý, hiếm được ưu tiên bảo vệ.",
    "Người vi phạm có thể bị truy cứu trách nhiệm hình sự với mức phạt tù đến 15 năm.",
    "Đây là vụ việc thứ {n} trong năm nay được phát hiện trên địa bàn tỉnh {province}.",
    "Số {good} được bàn giao cho Trung tâm cứu hộ động vật hoang dã để chăm sóc.",
    "Các đối tượng khai mua hàng ở {province2} rồi vận chuyển ra biên giới để bán kiếm lời.",
    "Lực lượng chức năng đang mở rộng điều tra để làm rõ đường dây buôn bán xuyên biên giới.",
    "Theo các tổ chức bảo tồn, nhu cầu tiêu thụ {good} vẫn là động lực chính của nạn buôn lậu.",
    "Tại cơ quan điều tra, các đối tượng thừa nhận hành vi vi phạm của mình.",
    "Trước đó, tổ công tác nhận được tin báo về một xe tải có dấu hiệu nghi vấn.",
    "Hội đồng xét xử tuyên phạt bị cáo {years} năm tù về tội vi phạm quy định bảo vệ động vật.",
    "Người dân phát hiện buôn bán động vật hoang dã có thể báo qua đường dây nóng 1800 1522.",
]


def render_article(number: int, rng: random.Random) -> bytes:
    province, province2 = rng.sample(PROVINCES, 2)
    quantity, good = rng.choice(GOODS)
    agency = rng.choice(AGENCIES)
    published = datetime(2024, 3, 18, 9, 0, tzinfo=HANOI) - timedelta(hours=3 * number)
    title = f"{province}: thu giữ {quantity} không rõ nguồn gốc"
    lead = (
        f"Ngày {published.day}/{published.month}, {agency} {province} phát hiện và thu giữ "
        f"{quantity} được vận chuyển trái phép."
    )
    values = {
        "money": rng.randint(2, 30),
        "good": good,
        "n": rng.randint(2, 20),
        "province": province,
        "province2": province2,
        "years": rng.randint(2, 12),
    }
    paragraphs = [lead]
    for _ in range(rng.randint(5, 8)):
        sentences = rng.sample(SENTENCES, 3)
        paragraphs.append(" ".join(sentence.format(**values) for sentence in sentences))
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    related = "".join(
        f'<li><a href="/tin/bai-{rng.randint(1, 10**6)}.html">Tin liên quan số {i}</a></li>'
        for i in range(5)
    )
    html = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title} - Báo Thiên nhiên</title>
<meta property="article:published_time" content="{published.isoformat()}">
<meta property="og:title" content="{title}"></head><body>
<header><nav><a href="/">Trang chủ</a> <a href="/thoi-su/">Thời sự</a> <a href="/phap-luat/">Pháp
luật</a> <a href="/moi-truong/">Môi trường</a></nav></header>
<main><article class="detail"><h1 class="detail-title">{title}</h1>
<div class="detail-meta">{published:%d/%m/%Y %H:%M} (GMT+7)</div>
<div class="detail-content">{body}</div></article>
<section class="related"><h3>Tin liên quan</h3><ul>{related}</ul></section>
<section class="comments"><h3>Bình luận (2)</h3><div class="comment">Xử nghiêm!</div>
<div class="comment">Cảm ơn các anh.</div></section></main>
<footer>Bản quyền © 2024 Báo Thiên nhiên. Giấy phép số 99/GP-BTTTT.</footer></body></html>"""
    return html.encode("utf-8")


def render_listing(page: int, pages: int, articles: int) -> bytes:
    first = (page - 1) * PER_LISTING + 1
    links = "".join(
        f'<li><a href="/tin/bai-{n}.html">Bài số {n}</a></li>'
        for n in range(first, min(first + PER_LISTING, articles + 1))
    )
    more = f'<a href="/tin/trang-{page + 1}">Trang sau</a>' if page < pages else ""
    html = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin tức - trang '
        f"{page}</title></head><body><h1>Tin tức</h1><ul>{links}</ul>{more}</body></html>"
    )
    return html.encode("utf-8")


def build_site(articles: int, seed: int) -> dict[str, bytes]:
    rng = random.Random(seed)
    listings = (articles + PER_LISTING - 1) // PER_LISTING
    pages = {f"/tin/bai-{n}.html": render_article(n, rng) for n in range(1, articles + 1)}
    for page in range(1, listings + 1):
        pages[f"/tin/trang-{page}"] = render_listing(page, listings, articles)
    pages["/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
    return pages


async def serve(pages: dict[str, bytes], port: int) -> None:
    not_found = b"<h1>404</h1>"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # headers are not needed
                path = request_line.split(b" ")[1].decode("latin-1")
                body = pages.get(path)
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body if body is not None else not_found
                content_type = (
                    b"text/plain" if path.endswith(".txt") else b"text/html; charset=utf-8"
                )
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\nContent-Type: "
                    + content_type
                    + b"\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\nConnection: keep-alive\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="article pages (default 2000)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pages = build_site(args.pages, args.seed)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(pages, args.port))


if __name__ == "__main__":
    main()
