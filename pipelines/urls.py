"""Canonical URLs and item ids.

Reads a URL as found (feed link, listing href, import line); writes the canonical form and the
document id. The same story reached through a feed with ``utm_*`` tags and through a listing page
must get the same id, so re-crawls and imports update one document instead of duplicating it.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
