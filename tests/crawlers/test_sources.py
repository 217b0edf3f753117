"""Sources loader: the bundled file, and every kind of mistake a staff member can make."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from crawlers.sources import (
    Source,
    SourcesError,
    bundled_sources_path,
    load_sources,
    select_sources,
)

VALID = """
[[sources]]
name = "vnexpress"
kind = "news"
language = "vi"
country = "vn"
feeds = ["https://vnexpress.net/rss/phap-luat.rss"]
sitemaps = ["https://www.vnexpress.net/sitemap.xml"]
schedule = "3 */2 * * *"
"""


def write(tmp_path: Path, text: str, name: str = "sources.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text, "my-sources.toml")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert "my-sources.toml" in message, message
    return message


# ─── the bundled file ────────────────────────────────────────────────────────────────────────


def test_bundled_file_has_at_least_25_real_sources_with_unique_names() -> None:
    sources = load_sources(bundled_sources_path())
    names = [source.name for source in sources]
    assert len(sources) >= 25
    assert len(names) == len(set(names))
    for source in sources:
        assert source.seed_urls, source.name
        assert all(url.startswith("https://") for url in source.seed_urls), source.name
        assert source.schedule, f"{source.name} has no schedule"
        assert source.language, f"{source.name} has no language hint"


def test_bundled_file_covers_vietnamese_regional_marketplace_and_telegram_sources() -> None:
    sources = {source.name: source for source in load_sources(bundled_sources_path())}
    vietnamese = [s for s in sources.values() if s.kind == "news" and s.language == "vi"]
    english = [s for s in sources.values() if s.kind == "news" and s.language == "en"]
    assert len(vietnamese) >= 15 and len(english) >= 6
    assert {"TH", "MY", "KH", "LA", "MM"} <= {s.country for s in english}
    for name in ("vnexpress", "tuoitre", "thanhnien", "dantri", "cand", "plo", "mongabay"):
        assert name in sources
    marketplaces = [s for s in sources.values() if s.kind == "marketplace"]
    assert marketplaces and all(not s.enabled for s in marketplaces)
    assert all(s.selectors and s.follow and s.items for s in marketplaces)
    telegram = [s for s in sources.values() if s.platform == "telegram"]
    assert telegram and all(s.kind == "social" and s.channels for s in telegram)
    assert telegram[0].seed_urls[0].startswith("https://t.me/s/")


def test_bundled_schedules_do_not_all_start_at_the_same_minute() -> None:
    sources = load_sources(bundled_sources_path())
    minutes = [source.schedule.split()[0] for source in sources if source.schedule]
    most_common = max(minutes.count(minute) for minute in set(minutes))
    assert len(set(minutes)) >= len(minutes) * 0.7
    assert most_common <= 2


def test_sources_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_SOURCES", str(write(tmp_path, VALID)))
    [source] = load_sources()
    assert source.name == "vnexpress"
    assert source.country == "VN"  # normalised to upper case


# ─── what a loaded source offers spiders ─────────────────────────────────────────────────────


def test_derived_properties(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[sources]]
        name = "chotot"
        kind = "marketplace"
        start_urls = ["https://www.chotot.com/mua-ban-thu-cung", "https://www.chotot.com/mua-ban-thu-cung"]
        feeds = ["https://rss.chotot.com/feed.xml"]
        follow = ['\\?page=\\d+$']
        items = ['/\\d+\\.htm$']
        enabled = false
        notes = "example"

        [sources.selectors]
        title = "h1::text"
        price = "span[itemprop=price]::attr(content)"

        [[sources]]
        name = "tg"
        kind = "social"
        platform = "telegram"
        channels = ["@wildlife_vn"]

        [[sources]]
        name = "tg-local"
        kind = "social"
        platform = "telegram"
        channels = ["wildlife_vn"]
        base_url = "http://127.0.0.1:8089"
        """,
    )
    chotot, telegram, local = load_sources(path)
    assert chotot.seed_urls == (
        "https://rss.chotot.com/feed.xml",
        "https://www.chotot.com/mua-ban-thu-cung",
    )
    assert chotot.allowed_domains == ("rss.chotot.com", "chotot.com")
    assert chotot.follow_patterns[0].search("https://www.chotot.com/mua-ban-thu-cung?page=3")
    assert chotot.item_patterns[0].search("https://www.chotot.com/ha-noi/mua-ban-thu-cung/1234.htm")
    assert dict(chotot.selectors) == {
        "title": "h1::text",
        "price": "span[itemprop=price]::attr(content)",
    }
    assert (chotot.enabled, chotot.notes, chotot.max_pages, chotot.render_js) == (
        False,
        "example",
        1000,
        False,
    )
    assert telegram.channels == ("wildlife_vn",)
    assert telegram.seed_urls == ("https://t.me/s/wildlife_vn",)
    assert telegram.allowed_domains == ("t.me",)
    assert local.seed_urls == ("http://127.0.0.1:8089/s/wildlife_vn",)
    assert local.allowed_domains == ("127.0.0.1",)
    # Sources go to crawl subprocesses and into sets.
    assert pickle.loads(pickle.dumps(chotot)) == chotot
    assert len({chotot, telegram, local}) == 3


def test_source_built_in_code_with_lists_is_immutable_and_hashable() -> None:
    source = Source(
        name="x",
        kind="news",
        feeds=["https://example.vn/rss"],  # type: ignore[arg-type]
        selectors={"title": "h1"},
    )
    assert source.feeds == ("https://example.vn/rss",)
    assert hash(source) == hash(
        Source(name="x", kind="news", feeds=("https://example.vn/rss",), selectors={"title": "h1"})
    )
    with pytest.raises(TypeError):
        source.selectors["title"] = "h2"  # type: ignore[index]


def test_select_sources(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        VALID
        + """
[[sources]]
name = "chotot"
kind = "marketplace"
start_urls = ["https://www.chotot.com/mua-ban-thu-cung"]
enabled = false
""",
    )
    sources = load_sources(path)
    assert [s.name for s in select_sources(sources)] == ["vnexpress"]
    assert [s.name for s in select_sources(sources, ["chotot"])] == ["chotot"]
    assert [s.name for s in select_sources(sources, ["chotot", "vnexpress", "chotot"])] == [
        "chotot",
        "vnexpress",
    ]
    with pytest.raises(SourcesError, match="'vnexpres' \\(did you mean 'vnexpress'\\?\\)"):
        select_sources(sources, ["vnexpres"])


# ─── mistakes: each message names the file, the source and the key ──────────────────────────


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('kind = "forum"\nfeeds = ["https://a.vn/rss"]', ["'bad-one'", "'kind'", "forum"]),
        ('kind = "news"', ["'bad-one'", "'feeds'", "no URL to start from"]),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nitems = ["/tin-(\\\\d+.html"]',
            ["'bad-one'", "'items'", "bad regular expression", "missing )"],
        ),
        (
            'kind = "news"\nfeed = ["https://a.vn/rss"]',
            ["'bad-one'", "'feed'", "unknown key", "did you mean 'feeds'"],
        ),
        ('kind = "news"\nfeeds = "https://a.vn/rss"', ["'bad-one'", "'feeds'", "list of strings"]),
        ('kind = "news"\nfeeds = ["a.vn/rss"]', ["'bad-one'", "'feeds'", "absolute http(s) URL"]),
        ('kind = "news"\nfeeds = ["http://[::1/x"]', ["'bad-one'", "'feeds'", "never closed"]),
        (
            'kind = "news"\nstart_urls = ["https://a.vn:99999/"]',
            ["'bad-one'", "'start_urls'", "port must be a whole number from 1 to 65535"],
        ),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nbase_url = "http://::1/"',
            ["'bad-one'", "'base_url'", "in brackets"],
        ),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nmax_pages = "50"',
            ["'bad-one'", "'max_pages'", "whole number"],
        ),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nenabled = "no"',
            ["'bad-one'", "'enabled'", "true or false", "a string"],
        ),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nschedule = "*/30 * * *"',
            ["'bad-one'", "'schedule'", "5 cron fields"],
        ),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nschedule = "75 6 * * *"',
            ["'bad-one'", "'schedule'", "75 6 * * *"],
        ),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nlanguage = "vie"',
            ["'bad-one'", "'language'", "ISO 639-1"],
        ),
        (
            'kind = "social"\nchannels = ["wildlife_vn"]',
            ["'bad-one'", "'channels'", "need a platform"],
        ),
        (
            'kind = "social"\nplatform = "zalo"\nchannels = ["x_y"]',
            ["'bad-one'", "'platform'", "zalo"],
        ),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nselectors = { titel = "h1" }',
            ["'bad-one'", "'selectors.titel'", "unknown field"],
        ),
        (
            'kind = "news"\nfeeds = ["https://a.vn/rss"]\nselectors = { price = "span[" }',
            ["'bad-one'", "'selectors.price'", "bad CSS selector"],
        ),
    ],
)
def test_invalid_source_names_file_source_and_key(
    tmp_path: Path, body: str, expected: list[str]
) -> None:
    message = error_of(tmp_path, VALID + '\n[[sources]]\nname = "bad-one"\n' + body + "\n")
    for fragment in expected:
        assert fragment in message, (fragment, message)


def test_duplicate_name(tmp_path: Path) -> None:
    message = error_of(tmp_path, VALID + VALID)
    assert "'vnexpress'" in message and "'name'" in message and "duplicate" in message
    assert "#1" in message and "#2" in message


def test_bad_slug_is_named_by_position(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, VALID + '\n[[sources]]\nname = "Báo Nghệ An"\nkind = "news"\nfeeds = []\n'
    )
    assert "source #2" in message and "'name'" in message and "not a slug" in message


def test_missing_name_is_named_by_position(tmp_path: Path) -> None:
    message = error_of(tmp_path, VALID + '\n[[sources]]\nkind = "news"\n')
    assert "source #2" in message and "'name'" in message and "missing" in message


def test_bad_toml_gives_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, VALID + '\n[[sources]]\nname = "x\nkind = "news"\n')
    assert "invalid TOML" in message and "line 12" in message


def test_empty_and_unknown_top_level(tmp_path: Path) -> None:
    assert "no [[sources]]" in error_of(tmp_path, "# nothing here\n")
    assert "'source'" in error_of(tmp_path, VALID + '\n[[source]]\nname = "x"\n')


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match=r"nowhere\.toml: cannot read"):
        load_sources(tmp_path / "nowhere.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(VALID.replace("vnexpress", "b\xe1o").encode("latin-1"))
    with pytest.raises(SourcesError, match=r"latin\.toml: not UTF-8"):
        load_sources(latin)


def test_a_malformed_url_in_the_sources_file_exits_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wildwatch.cli import main

    path = write(
        tmp_path, '[[sources]]\nname = "ipv6"\nkind = "news"\nfeeds = ["http://[::1/rss"]\n'
    )
    # `wildwatch crawl` loads the file the same way; `sources` does not start Scrapy's reactor
    # inside the test process.
    assert main(["sources", "--sources", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: source 'ipv6': key 'feeds': 'http://[::1/rss' is not a usable URL" in err
    assert "Traceback" not in err
