"""Which of a hotel site's pages to read after the home page: same-site links to the about, rooms and contact pages
(in the languages we read: über uns, chi siamo, à propos, sobre nosotros, o nas, om oss; zimmer, camere, chambres...),
told by the link's last path segment or its anchor text. Booking engines, files and other hosts are never picked.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from shared.domain.enrichment.html_text import HtmlDoc
from shared.domain.normalize import fold


@cache
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_PAGE_KINDS: tuple[tuple[str, str], ...] = (
    ("about", r"about|about-us|ueber-uns|uber-uns|unser-hotel|das-hotel|hotel|the-hotel|chi-siamo|l-?hotel|"
              r"la-struttura|a-propos|apropos|qui-sommes-nous|notre-hotel|sobre-nosotros|nosotros|el-hotel|o-nas|"
              r"o-hotelu|om-oss|om-hotellet|over-ons|sobre-nos|our-story|history|geschichte|storia|historia"),
    ("rooms", r"rooms|rooms-suites|zimmer|zimmer-suiten|zimmer-und-suiten|camere|camere-suite|chambres|"
              r"chambres-suites|habitaciones|pokoje|rom|rommene|kamers|quartos|suites|accommodation|unterkunft|"
              r"alloggi|hebergement|alojamiento|noclegi|overnachten"),
    ("contact", r"contact|contact-us|kontakt|contatti|contacto|contactos|contatos|contactar|impressum|anfahrt|lage|"
                r"location|dove-siamo|getting-here|how-to-find-us|acces|como-llegar|dojazd|finn-oss|route|imprint"),
)  # fmt: skip
_NOT_A_PAGE = r"\.(?:pdf|jpe?g|png|gif|webp|svg|zip|docx?|xlsx?|mp4|ics)$|/(?:wp-content|wp-admin|feed|tag|category|"
_NOT_A_PAGE += r"cart|login|booking|book|buchen|reserv\w*|prenota\w*)(?:/|$)"


def pages_worth_reading(doc: HtmlDoc, site_url: str, limit: int = 3) -> list[str]:
    """Same-site links to the about, rooms and contact pages (one of each first), in the page's link order."""
    site_host = (urlsplit(site_url).hostname or "").lower().removeprefix("www.")
    seen = {_page_key(site_url), _page_key(doc.url)}
    by_kind: dict[str, list[str]] = {kind: [] for kind, _ in _PAGE_KINDS}
    for link, anchor in zip(doc.links, doc.link_texts + ("",) * len(doc.links), strict=False):
        parts = urlsplit(link)
        if (parts.hostname or "").lower().removeprefix("www.") != site_host or _page_key(link) in seen:
            continue
        path = fold(parts.path).rstrip("/")
        if _rx(_NOT_A_PAGE).search(path):
            continue
        slug = re.sub(r"\.(?:html?|php|aspx?)$", "", path.rsplit("/", 1)[-1])
        words = re.sub(r"[^a-z0-9]+", "-", fold(anchor)).strip("-")
        for kind, pattern in _PAGE_KINDS:
            if _rx(rf"(?:{pattern})(?:-\w+)?").fullmatch(slug) or _rx(rf"(?:{pattern})").fullmatch(words):
                by_kind[kind].append(link)
                seen.add(_page_key(link))
                break
    picked: list[str] = []
    for round_ in range(limit):
        for kind, _ in _PAGE_KINDS:
            if len(by_kind[kind]) > round_ and len(picked) < limit:
                picked.append(by_kind[kind][round_])
    return picked


def _page_key(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "").lower().removeprefix("www.") + parts.path.rstrip("/") + "?" + parts.query
