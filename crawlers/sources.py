"""Sources as data: load and validate the ``[[sources]]`` tables of a TOML file.

Reads ``--sources PATH``, else ``WILDWATCH_SOURCES``, else the bundled ``crawlers/sources.toml``;
writes nothing. Every problem raises :class:`SourcesError` naming the file, the source (by name, or
by position when the name itself is missing) and the key, before any crawl starts: a typo found at
03:00 by the scheduler is a night of lost monitoring.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.fields import SOURCE_KINDS
from pipelines.urls import InvalidURL, check_url
from wildwatch.env import env_optional

KINDS = SOURCE_KINDS
PLATFORMS = ("telegram",)
SELECTOR_FIELDS = ("title", "body", "price", "location", "seller", "contact", "published")
DEFAULT_MAX_PAGES = 1000
TELEGRAM_HOST = "https://t.me"

_SLUG = re.compile(r"^[a-z0-9_-]+$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# Telegram usernames: letters, digits, underscores (5-32 long, but old channels are shorter).
_CHANNEL = re.compile(r"^[A-Za-z0-9_]{2,64}$")

_STRING_LISTS = ("feeds", "sitemaps", "start_urls", "follow", "items", "channels")
_URL_LISTS = ("feeds", "sitemaps", "start_urls")
_KNOWN_KEYS = frozenset(
    {
        "name",
        "kind",
        "language",
        "country",
        *_STRING_LISTS,
        "max_pages",
        "schedule",
        "render_js",
        "selectors",
        "platform",
        "base_url",
        "enabled",
        "notes",
    }
)


class SourcesError(ValueError):
    """A sources file cannot be used; the message names the file, the source and the key."""


class Selectors(Mapping[str, str]):
    """Read-only, hashable and picklable field → CSS selector table of a source.

    (``types.MappingProxyType`` would be read-only too, but cannot be pickled or copied, and
    sources travel to crawl subprocesses and into Scrapy spiders.)
    """

    def __init__(self, selectors: Mapping[str, str] | None = None) -> None:
        self._selectors = dict(selectors or {})

    def __getitem__(self, key: str) -> str:
        return self._selectors[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._selectors)

    def __len__(self) -> int:
        return len(self._selectors)

    def __hash__(self) -> int:
        return hash(frozenset(self._selectors.items()))

    def __repr__(self) -> str:
        return f"Selectors({self._selectors!r})"


@dataclass(frozen=True)
class Source:
    """One watched site, marketplace or social channel (DESIGN.md "Sources are data")."""

    name: str
    kind: str
    language: str | None = None
    country: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    follow: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    max_pages: int = DEFAULT_MAX_PAGES
    schedule: str | None = None
    render_js: bool = False
    selectors: Mapping[str, str] = field(default_factory=Selectors)
    platform: str | None = None
    channels: tuple[str, ...] = ()
    base_url: str | None = None
    enabled: bool = True
    notes: str = ""

    def __post_init__(self) -> None:
        # Sources built in code (tests, other tools) may pass lists and dicts: store the
        # immutable forms so a Source stays hashable and cannot change under a running crawl.
        for key in _STRING_LISTS:
            object.__setattr__(self, key, tuple(getattr(self, key)))
        if not isinstance(self.selectors, Selectors):
            object.__setattr__(self, "selectors", Selectors(self.selectors))

    @cached_property
    def follow_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern) for pattern in self.follow)

    @cached_property
    def item_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern) for pattern in self.items)

    @property
    def channel_urls(self) -> tuple[str, ...]:
        """Public web previews of the channels (``https://t.me/s/<channel>``)."""
        if self.platform != "telegram":
            return ()
        base = (self.base_url or TELEGRAM_HOST).rstrip("/")
        return tuple(f"{base}/s/{channel}" for channel in self.channels)

    @property
    def seed_urls(self) -> tuple[str, ...]:
        """Every URL a crawl of this source starts from, in declaration order, no repeats."""
        urls = (*self.feeds, *self.sitemaps, *self.start_urls, *self.channel_urls)
        return tuple(dict.fromkeys(urls))

    @property
    def allowed_domains(self) -> tuple[str, ...]:
        """Host names the crawl may visit, derived from every URL of the source.

        ``www.`` is dropped because Scrapy allows sub-domains of each entry, and articles of the
        sites we watch live on both ``www.`` and bare hosts.
        """
        urls = [*self.feeds, *self.sitemaps, *self.start_urls]
        if self.base_url:
            urls.append(self.base_url)
        elif self.platform == "telegram":
            urls.append(TELEGRAM_HOST)
        hosts: dict[str, None] = {}
        for url in urls:
            host = (urlsplit(url).hostname or "").lower().rstrip(".")
            if host.startswith("www.") and host.count(".") >= 2:
                host = host[4:]
            if host:
                hosts[host] = None
        return tuple(hosts)


def bundled_sources_path() -> Path:
    """The sources file shipped with wildwatch."""
    return Path(__file__).with_name("sources.toml")


def sources_path(path: Path | None = None) -> Path:
    """The file :func:`load_sources` reads: ``path``, else ``WILDWATCH_SOURCES``, else bundled."""
    if path is not None:
        return Path(path)
    configured = env_optional("WILDWATCH_SOURCES")
    return Path(configured).expanduser() if configured else bundled_sources_path()


def load_sources(path: Path | None = None) -> list[Source]:
    """Load and validate every source of the file (enabled or not), in file order."""
    file = sources_path(path)
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise SourcesError(f"{file}: cannot read sources file: {error.strerror or error}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise SourcesError(f"{file}: not UTF-8 text (byte {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        # tomllib's message carries "(at line N, column M)".
        raise SourcesError(f"{file}: invalid TOML: {error}") from None
    return parse_sources(data, file)


def parse_sources(data: Mapping[str, Any], file: Path | str) -> list[Source]:
    """Validate an already-parsed TOML document; ``file`` only names it in errors."""
    unknown = sorted(set(data) - {"sources"})
    if unknown:
        raise SourcesError(
            f"{file}: unknown top-level key {unknown[0]!r}: only [[sources]] tables are allowed"
        )
    tables = data.get("sources")
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{file}: no [[sources]] table found")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        source = _parse_source(table, index, file)
        if source.name in seen:
            raise SourcesError(
                f"{file}: source {source.name!r}: key 'name': duplicate name "
                f"(sources #{seen[source.name] + 1} and #{index + 1})"
            )
        seen[source.name] = index
        sources.append(source)
    return sources


def select_sources(sources: Sequence[Source], names: Iterable[str] | None = None) -> list[Source]:
    """The sources a run covers: the named ones (even disabled), or every enabled one."""
    wanted = list(dict.fromkeys(names or ()))
    if not wanted:
        return [source for source in sources if source.enabled]
    by_name = {source.name: source for source in sources}
    missing = [name for name in wanted if name not in by_name]
    if missing:
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise SourcesError(f"unknown source {', '.join(hints)}")
    return [by_name[name] for name in wanted]


class _Checker:
    """Type checks for one source table, each error prefixed with the file and the source."""

    def __init__(self, table: Mapping[str, Any], label: str) -> None:
        self.table = table
        self.label = label

    def fail(self, key: str, problem: str) -> SourcesError:
        return SourcesError(f"{self.label}: key {key!r}: {problem}")

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "missing")
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {_type_name(value)}")
        return value.strip()

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {_type_name(value)}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if isinstance(value, str):
            raise self.fail(key, f'expected a list of strings, e.g. {key} = ["..."]')
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of strings, got {_type_name(value)}")
        for position, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(key, f"item #{position + 1} must be a non-empty string")
        return tuple(item.strip() for item in value)

    def url(self, key: str, url: str) -> str:
        try:
            return check_url(url)
        except InvalidURL as error:
            raise self.fail(key, str(error)) from None

    def patterns(self, key: str) -> tuple[str, ...]:
        patterns = self.strings(key)
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise self.fail(key, f"bad regular expression {pattern!r}: {error}") from None
        return patterns


def _type_name(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _parse_source(table: object, index: int, file: Path | str) -> Source:
    position = f"{file}: source #{index + 1}"
    if not isinstance(table, dict):
        raise SourcesError(f"{position}: expected a [[sources]] table")
    name = table.get("name")
    if name is None:
        raise SourcesError(f"{position}: key 'name': missing")
    if not isinstance(name, str) or not _SLUG.match(name):
        raise SourcesError(
            f"{position}: key 'name': {name!r} is not a slug (lower-case letters, digits, - and _)"
        )
    check = _Checker(table, f"{file}: source {name!r}")

    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(_KNOWN_KEYS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise check.fail(unknown[0], f"unknown key{hint}")

    kind = check.string("kind", required=True)
    if kind not in KINDS:
        raise check.fail("kind", f"{kind!r} is not one of {', '.join(KINDS)}")

    language = check.string("language")
    if language is not None:
        language = language.lower()
        if not _LANGUAGE.match(language):
            raise check.fail("language", f"{language!r} is not an ISO 639-1 code such as 'vi'")
    country = check.string("country")
    if country is not None:
        country = country.upper()
        if not _COUNTRY.match(country):
            raise check.fail("country", f"{country!r} is not an ISO 3166-1 code such as 'VN'")

    urls = {key: tuple(check.url(key, url) for url in check.strings(key)) for key in _URL_LISTS}
    follow = check.patterns("follow")
    items = check.patterns("items")

    max_pages = table.get("max_pages", DEFAULT_MAX_PAGES)
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise check.fail("max_pages", f"expected a whole number of at least 1, got {max_pages!r}")

    schedule = check.string("schedule")
    if schedule is not None:
        _check_cron(check, schedule)

    platform = check.string("platform")
    if platform is not None and platform not in PLATFORMS:
        raise check.fail("platform", f"{platform!r} is not one of {', '.join(PLATFORMS)}")
    channels = check.strings("channels")
    if channels and platform is None:
        raise check.fail("channels", 'channels need a platform (platform = "telegram")')
    for channel in channels:
        if not _CHANNEL.match(channel.lstrip("@")):
            raise check.fail("channels", f"{channel!r} is not a channel user name")
    channels = tuple(channel.lstrip("@") for channel in channels)
    base_url = check.string("base_url")
    if base_url is not None:
        check.url("base_url", base_url)

    if not (urls["feeds"] or urls["sitemaps"] or urls["start_urls"] or channels):
        raise check.fail(
            "feeds", "no URL to start from: give feeds, sitemaps, start_urls or channels"
        )
    if platform is not None and not channels and not urls["start_urls"]:
        raise check.fail("channels", f"platform {platform!r} needs at least one channel")

    return Source(
        name=name,
        kind=kind,
        language=language,
        country=country,
        feeds=urls["feeds"],
        sitemaps=urls["sitemaps"],
        start_urls=urls["start_urls"],
        follow=follow,
        items=items,
        max_pages=max_pages,
        schedule=schedule,
        render_js=check.boolean("render_js", False),
        selectors=_parse_selectors(check),
        platform=platform,
        channels=channels,
        base_url=base_url,
        enabled=check.boolean("enabled", True),
        notes=check.string("notes") or "",
    )


def _check_cron(check: _Checker, expression: str) -> None:
    # APScheduler is what runs the schedule, so it is the judge of what is valid.
    from apscheduler.triggers.cron import CronTrigger

    if len(expression.split()) != 5:
        raise check.fail(
            "schedule", f"{expression!r}: expected 5 cron fields (minute hour day month weekday)"
        )
    try:
        CronTrigger.from_crontab(expression, timezone="UTC")
    except ValueError as error:
        raise check.fail("schedule", f"{expression!r}: {error}") from None


def _parse_selectors(check: _Checker) -> Mapping[str, str]:
    value = check.table.get("selectors", {})
    if not isinstance(value, dict):
        raise check.fail("selectors", f"expected a table, got {_type_name(value)}")
    selectors: dict[str, str] = {}
    for field_name, selector in value.items():
        key = f"selectors.{field_name}"
        if field_name not in SELECTOR_FIELDS:
            raise check.fail(key, f"unknown field; expected one of {', '.join(SELECTOR_FIELDS)}")
        if not isinstance(selector, str) or not selector.strip():
            raise check.fail(key, "expected a non-empty CSS selector string")
        _check_css(check, key, selector.strip())
        selectors[field_name] = selector.strip()
    return Selectors(selectors)


def _check_css(check: _Checker, key: str, selector: str) -> None:
    # parsel's translator knows Scrapy's ::text and ::attr(name) extensions.
    from cssselect import SelectorError
    from parsel.csstranslator import HTMLTranslator

    try:
        HTMLTranslator().css_to_xpath(selector)
    except (SelectorError, ValueError) as error:
        raise check.fail(key, f"bad CSS selector {selector!r}: {error}") from None
