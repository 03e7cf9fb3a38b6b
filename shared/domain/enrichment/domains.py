"""A URL's host and registrable domain, by the public suffix list (the snapshot bundled with `publicsuffixlist`).

* `host_of(url)`: the lowercase ASCII (IDNA/punycode) host of a URL or bare host; scheme, userinfo, port, path and a
  trailing dot dropped. None for IP addresses, single-label and local-only names (localhost, *.local, *.internal …).
* `registrable_domain(url)`: the shortest name below a public suffix: "https://www.Hotel-Sonnenhof.de:443/zimmer"
  -> "hotel-sonnenhof.de", "m.facebook.com" -> "facebook.com", "hotel.co.uk" stays. Bare suffixes ("co.uk") -> None.
* Website builders and free hosts: the PSL's private section is honoured, and `_HOSTED_SUFFIXES` adds the builders
  the PSL does not list, so a hotel on "hotelx.wixsite.com" or "hotelx.squarespace.com" is identified by that host,
  never by the builder's domain (which every other customer shares). `is_shared_host` tells such hosts apart: the
  site is the hotel's, but its domain carries no mailboxes of the hotel's own.
* Unknown TLDs count as public suffixes (the offline world uses the reserved .example and .test).

Pure: the list is parsed once, on first use (about 40 ms), and cached; no network, nothing at import.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

# Builders that host customer sites on subdomains but are not (yet) in the PSL's private section.
_HOSTED_SUFFIXES = frozenset(
    {
        "squarespace.com", "wordpress.com", "weebly.com", "weebly.de", "weeblysite.com", "jimdosite.com",
        "jimdofree.com", "jimdo.com", "webnode.page", "webnode.com", "webnode.es", "webnode.fr", "webnode.it",
        "webnode.cz", "webnode.sk", "webnode.pt", "site123.me", "godaddysites.com", "business.site",
        "mystrikingly.com", "ueniweb.com", "tumblr.com", "e-monsite.com", "over-blog.com", "lodgify.com",
        "hotelwebsite.com", "yolasite.com", "webador.com", "webador.de", "ionos.site",
    }
)  # fmt: skip
# Hosts that serve many customers' sites by path ("sites.google.com/view/hotelx"): the host names none of them.
_PATH_HOSTED = frozenset({"sites.google.com", "my.canva.site", "linktr.ee", "carrd.co", "notion.site"})
# Names that never leave a private network or are reserved as invalid (RFC 6761, 6762, 8375).
_LOCAL_TLDS = frozenset({"localhost", "local", "internal", "lan", "home", "corp", "intranet", "invalid", "arpa"})
_HOST_CHARS = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_MAX_INPUT = 2000


@cache
def _psl() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(accept_unknown=True)


@cache
def _private_rules() -> frozenset[str]:
    """The rules of the PSL's private section (website builders, clouds, dynamic DNS), read from the same file."""
    from publicsuffixlist import PSLFILE

    rules: set[str] = set()
    private = False
    with open(PSLFILE, encoding="utf-8") as source:  # the bundled data file, read once
        for line in source:
            text = line.strip()
            if text == "// ===BEGIN PRIVATE DOMAINS===":
                private = True
            elif text == "// ===END PRIVATE DOMAINS===":
                private = False
            elif private and text and not text.startswith("//"):
                rules.add(text.split()[0].lstrip("!").encode("idna").decode("ascii"))
    return frozenset(rules)


def host_of(url_or_host: str) -> str | None:
    """The URL's host as lowercase ASCII: 'HTTPS://user@Hôtel-Arts.fr.:8443/x' -> 'xn--htel-arts-g7a.fr'."""
    if not isinstance(url_or_host, str) or len(url_or_host) > _MAX_INPUT:
        return None
    return _host(url_or_host.strip())


@lru_cache(maxsize=4096)
def _host(text: str) -> str | None:
    if not text or any(ch.isspace() for ch in text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif "://" not in text:
        text = "https://" + text
    try:
        raw = urlsplit(text).hostname
    except ValueError:
        return None
    if not raw:
        return None
    host = raw.rstrip(".").lower()
    if _is_ip(host):
        return None
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(labels) < 2 or labels[-1] in _LOCAL_TLDS or labels[-1].isdigit():
        return None
    if not all(_HOST_CHARS.match(label) for label in labels) or len(host) > 253:
        return None
    return host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def registrable_domain(url_or_host: str) -> str | None:
    """The registrable domain (eTLD+1, or the customer's host on a website builder); None when there is none."""
    host = host_of(url_or_host)
    return _registrable(host) if host else None


@lru_cache(maxsize=4096)
def _registrable(host: str) -> str | None:
    for suffix in _HOSTED_SUFFIXES:
        if host.endswith("." + suffix):
            label = host[: -len(suffix) - 1].rsplit(".", 1)[-1]
            return f"{label}.{suffix}" if label != "www" else suffix
    return _psl().privatesuffix(host)


def public_suffix(url_or_host: str) -> str | None:
    """What the registrable domain sits under: 'co.uk' for 'hotel.co.uk', 'wixsite.com' for 'x.wixsite.com'."""
    domain = registrable_domain(url_or_host)
    return domain.split(".", 1)[1] if domain else None


def is_shared_host(url_or_host: str) -> bool:
    """True for a site on a website builder or shared host ('hotelx.wixsite.com', 'hotelx.github.io'): the host is
    the hotel's site, but the domain's mail (MX) belongs to the platform, so no address should be guessed on it.
    Also True for the hosts that serve sites by path (sites.google.com/view/…): their domain is nobody's."""
    suffix = public_suffix(url_or_host)
    if suffix is None:
        return False
    if host_of(url_or_host) in _PATH_HOSTED:
        return True
    if suffix in _HOSTED_SUFFIXES:
        return True
    rules = _private_rules()
    parent = suffix.split(".", 1)[1] if "." in suffix else ""
    return suffix in rules or f"*.{parent}" in rules


def label_of(url_or_host: str) -> str | None:
    """The registrable domain's own label, without its suffix: 'sonnenhof-hotel' for 'www.sonnenhof-hotel.co.uk'."""
    domain = registrable_domain(url_or_host)
    return domain.split(".", 1)[0] if domain else None


def same_site(a: str, b: str) -> bool:
    """Both URLs belong to one registrable domain ('http://hotel.de' and 'https://www.hotel.de/en/' do)."""
    left = registrable_domain(a)
    return left is not None and left == registrable_domain(b)
