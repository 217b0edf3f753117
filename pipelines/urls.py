"""URL validation, canonical URLs and item ids.

Reads a URL as found (feed link, listing href, import line, sources file); ``check_url`` says
whether wildwatch can fetch and store it (one rule for sources, import and the crawl);
``canonical_url`` and ``document_id`` write the canonical form and the document id. The same
story reached through a feed with ``utm_*`` tags and through a listing page must get the same id,
so re-crawls and imports update one document instead of duplicating it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Sitemaps allow 2 048 characters; longer "URLs" are generated traps or attacks.
MAX_URL_LENGTH = 2048
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")

# Parameters that only say how a reader arrived, never which page it is.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "zarsrc",
        "zalo_source",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "itm_source",
        "itm_medium",
        "itm_campaign",
        "vn_source",
        "vn_medium",
        "vn_campaign",
        "s_cid",
        "spm",
        "share",
        "from",
        "fbid_ref",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidURL(ValueError):
    """A URL wildwatch cannot fetch or store; the message quotes it and says why."""

    def __init__(self, url: str, problem: str) -> None:
        shown = url if len(url) <= 120 else url[:117] + "..."
        super().__init__(f"{shown!r} is not a usable URL: {problem}")
        self.url = url
        self.problem = problem


def check_url(url: str) -> str:
    """``url`` stripped of surrounding blanks when it is an absolute http(s) URL with a host
    and a port in 1-65535, at most ``MAX_URL_LENGTH`` characters; raises ``InvalidURL``
    otherwise. IPv6 hosts must be in brackets (``http://[::1]:8080/``)."""
    if not isinstance(url, str):
        raise InvalidURL(repr(url), "expected text")
    url = url.strip()
    if not url:
        raise InvalidURL(url, "empty")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(url, f"longer than {MAX_URL_LENGTH} characters ({len(url)})")
    if _CONTROL_OR_SPACE.search(url):
        raise InvalidURL(url, "contains spaces or control characters (percent-encode them)")
    try:
        parts = urlsplit(url)
    except ValueError:
        # urlsplit only fails on a bracketed (IPv6) host it cannot read.
        authority = url.partition("//")[2].partition("/")[0]
        if "]" in authority:
            raise InvalidURL(url, "the host in brackets is not an IPv6 address") from None
        raise InvalidURL(url, "a '[' in the host is never closed by ']'") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise InvalidURL(
            url, "not an absolute http(s) URL (it must start with http:// or https://)"
        )
    _check_host(url, parts)
    try:
        port = parts.port
    except ValueError:
        raise InvalidURL(url, "the port must be a whole number from 1 to 65535") from None
    if port is not None and not 1 <= port <= 65535:
        raise InvalidURL(url, "the port must be a whole number from 1 to 65535")
    return url


def _check_host(url: str, parts: SplitResult) -> None:
    host_and_port = parts.netloc.rpartition("@")[2]
    if host_and_port.startswith("["):
        inside = host_and_port[1:].partition("]")[0]
        try:
            ipaddress.IPv6Address(inside.partition("%")[0])
        except ValueError:
            raise InvalidURL(url, f"[{inside}] is not an IPv6 address") from None
        return
    host = host_and_port.rpartition(":")[0] if ":" in host_and_port else host_and_port
    if "[" in host_and_port or "]" in host_and_port or host.count(":"):
        raise InvalidURL(url, "IPv6 addresses must be written in brackets: http://[::1]/")
    if not host:
        raise InvalidURL(url, "no host name")
    labels = host.lower().rstrip(".").split(".")
    if len(host) > 253 or not all(
        _HOST_LABEL.match(label) or (label and not label.isascii() and len(label) <= 63)
        for label in labels
    ):
        raise InvalidURL(url, f"{host!r} is not a host name")


def join_url(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base`` when the result passes ``check_url``; None for
    a malformed link (``http://[::1/x`` makes ``urljoin`` itself raise)."""
    try:
        return check_url(urljoin(base, href.strip()))
    except (InvalidURL, ValueError):
        return None


def is_valid_url(url: str) -> bool:
    try:
        check_url(url)
    except InvalidURL:
        return False
    return True


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters,
    sort the remaining query parameters. Path case is kept: servers treat it as significant."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www.") and host.count(".") >= 2:
        # www. and bare hosts serve the same articles on every source we watch.
        host = host[4:]
    netloc = host
    if parts.port and _DEFAULT_PORTS.get(scheme) != parts.port:
        netloc = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _TRACKING_NAMES and not key.lower().startswith(_TRACKING_PREFIXES)
    ]
    query.sort()
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def document_id(url: str) -> str:
    """Stable id of the item at ``url``: 20 hex digits of the SHA-256 of its canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:20]
