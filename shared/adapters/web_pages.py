"""`PageFetcher` over the `HttpClient` port: a hotel's page fetched with our user agent, redirects followed by hand.

Every hop is a GET with `redirect="manual"`: a 301/302/303/307/308 with a Location (relative ones resolved against
the hop's URL) is followed and recorded, so a site that moves to a booking portal or a parking lander shows where it
went. An immediate `<meta http-equiv="refresh">` (delay of at most 5 s, outside `<noscript>`: the way parked
domains and language splash pages move on) counts as a hop too, but only while it leads somewhere new within the
budget (else that page is the answer). A redirect to a non-http(s) URL, back to a URL already visited, or past
`max_redirects` is an `HttpError`; the timeout covers the whole chain (`HttpTimeout`). The body is cut at
`max_bytes` (`truncated`): the port reads whole bodies, so the byte budget bounds what is kept and decoded, the time
budget bounds the download. Decoding: a BOM, else the header's charset, else a `<meta charset>`/http-equiv/XML
declaration in the first 2 KB, else UTF-8 (a body that is not valid UTF-8 and declares nothing is windows-1252, the
web's legacy default). Labels follow the WHATWG Encoding Standard (iso-8859-1 and ascii mean windows-1252,
shift_jis means cp932, gb2312 means gb18030).
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Callable
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from shared.adapters.http import where
from shared.ports.http import HttpClient, HttpError, HttpResponse, HttpTimeout
from shared.ports.web import WebPage

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_LANGUAGE = "*"  # no preference: the site's own default language
SNIFF_BYTES = 2048
REFRESH_SCAN_CHARS = 8192
MAX_REFRESH_DELAY_S = 5.0
_URL_SAFE = "%/:=&?~#+!$,;'@()*[]"

# WHATWG labels whose Python codec differs (or does not exist under that name).
_ENCODING_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_META_REFRESH = re.compile(r"""<meta\b[^>]*http-equiv\s*=\s*["']?refresh["']?[^>]*>""", re.IGNORECASE)
_CONTENT_ATTR = re.compile(r"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_REFRESH_VALUE = re.compile(r"""^\s*(\d+(?:\.\d*)?)?\s*[;,]?\s*(?:url\s*=\s*)?["']?([^"']*)["']?\s*$""", re.IGNORECASE)


class HttpPageFetcher:
    """`PageFetcher` over an `HttpClient`; `clock` (monotonic seconds) may be injected so tests need not sleep."""

    def __init__(self, http: HttpClient, *, user_agent: str, clock: Callable[[], float] | None = None) -> None:
        self._http = http
        self._headers = {"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Language": ACCEPT_LANGUAGE}
        self._clock = clock or time.monotonic

    async def get(self, url: str, *, max_bytes: int, timeout_s: float, max_redirects: int = 5) -> WebPage:
        current = _checked(url, url)
        deadline = self._clock() + timeout_s
        visited: list[str] = []
        while True:
            remaining = deadline - self._clock()
            late = f"GET {where(current)}: no complete answer within {timeout_s:g} s"
            late += f" after {len(visited)} redirects" if visited else ""
            if remaining <= 0:
                raise HttpTimeout(late)
            try:
                answer = await self._http.request(
                    "GET", current, headers=self._headers, timeout_s=remaining, redirect="manual"
                )
            except HttpTimeout:
                raise HttpTimeout(late) from None
            target, page = self._next(current, answer, max_bytes)
            if target is not None and page is not None:  # a meta refresh: followed only while it leads on
                usable = _usable(target) and _key(target) not in {_key(u) for u in [*visited, current]}
                target = target if usable and len(visited) < max_redirects else None
            if target is None:
                assert page is not None
                return WebPage(current, page.status, page.content_type, page.text, tuple(visited), page.truncated)
            visited.append(current)
            target = _checked(target, current)
            if _key(target) in {_key(u) for u in visited}:
                raise HttpError(f"GET {where(url)}: redirect loop back to {where(target)}")
            if len(visited) > max_redirects:
                raise HttpError(f"GET {where(url)}: more than {max_redirects} redirects")
            current = target

    def _next(self, current: str, answer: HttpResponse, max_bytes: int) -> tuple[str | None, WebPage | None]:
        """Where the answer sends us (None: nowhere) and the answer as a page (None for an HTTP redirect; a page
        with a target is a meta refresh)."""
        location = answer.header("location")
        if answer.status in REDIRECT_STATUSES and location and location.strip():
            return urljoin(current, _requote(location.strip())), None
        page = read_page(current, answer, max_bytes)
        if 200 <= answer.status < 300 and page.content_type in ("text/html", "application/xhtml+xml", ""):
            refresh = meta_refresh(page.text)
            if refresh is not None:
                return urljoin(current, _requote(refresh)), page
        return None, page


def read_page(url: str, answer: HttpResponse, max_bytes: int) -> WebPage:
    """The answer as a `WebPage` (no redirects): media type, body cut at `max_bytes`, decoded."""
    header = answer.header("content-type") or ""
    media_type = header.split(";", 1)[0].strip().lower()
    body = answer.body
    truncated = len(body) > max_bytes
    if truncated:
        body = body[: max(max_bytes, 0)]
    return WebPage(url, answer.status, media_type, decode_body(body, header, partial=truncated), (), truncated)


def decode_body(body: bytes, content_type: str = "", *, partial: bool = False) -> str:
    """Text of an HTML body: BOM, else header charset, else the document's own declaration, else UTF-8 (or
    windows-1252 when the bytes are not UTF-8). `partial`: the body was cut, so a split last character is dropped."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return _decode(body[len(bom) :], name, partial)
    declared = _codec(header_charset(content_type)) or _codec(sniff_charset(body[:SNIFF_BYTES]))
    if declared is not None:
        return _decode(body, declared, partial)
    try:
        return codecs.getincrementaldecoder("utf-8")(errors="strict").decode(body, final=not partial)
    except UnicodeDecodeError:
        return _decode(body, "cp1252", partial)


def header_charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def sniff_charset(head: bytes) -> str | None:
    """The charset a document declares in its first bytes: `<meta charset>`, the http-equiv Content-Type's charset,
    or an XML declaration's encoding."""
    found = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return found.group(1).decode("ascii") if found else None


def meta_refresh(text: str) -> str | None:
    """The target of an immediate `<meta http-equiv="refresh" content="0; url=...">` in the page's head."""
    head = text[:REFRESH_SCAN_CHARS]
    lowered = head.lower()
    for tag in _META_REFRESH.finditer(head):
        if lowered.rfind("<noscript", 0, tag.start()) > lowered.rfind("</noscript", 0, tag.start()):
            continue  # only for browsers without JavaScript; a page that works with it stays
        attr = _CONTENT_ATTR.search(tag.group(0))
        if attr is None:
            continue
        value = next(v for v in attr.groups() if v is not None)
        parsed = _REFRESH_VALUE.match(value)
        if parsed is None or not parsed.group(2).strip():
            continue  # a refresh of the page itself (content="30")
        delay = float(parsed.group(1) or 0)
        if delay <= MAX_REFRESH_DELAY_S:
            return parsed.group(2).strip()
    return None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = _ENCODING_ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # A document cannot declare itself UTF-16 in ASCII bytes (WHATWG: such a meta means UTF-8).
    return "utf-8" if info.name.startswith("utf-16") or info.name.startswith("utf-32") else info.name


def _decode(body: bytes, codec: str, partial: bool) -> str:
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(body, final=not partial)


def _checked(target: str, source: str) -> str:
    try:
        parts = urlsplit(target)
        host = parts.hostname
    except ValueError:
        raise HttpError(f"GET {where(source)}: unparseable URL {target[:200]!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise HttpError(f"GET {where(source)}: refusing a non-http(s) URL {target[:200]!r}")
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def _key(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _requote(location: str) -> str:
    """A Location with spaces or raw non-ASCII (servers send them) as a valid URL: path and query percent-encoded
    (existing escapes kept), an internationalised host in IDNA."""
    if location.isascii() and " " not in location:
        return location
    try:
        parts = urlsplit(location)
        netloc = parts.netloc
        if parts.hostname and not parts.hostname.isascii():
            netloc = netloc.replace(parts.hostname, parts.hostname.encode("idna").decode("ascii"))
    except (ValueError, UnicodeError):
        return quote(location, safe=_URL_SAFE)
    path, query = quote(parts.path, safe=_URL_SAFE), quote(parts.query, safe=_URL_SAFE)
    return urlunsplit((parts.scheme, netloc, path, query, quote(parts.fragment, safe=_URL_SAFE)))


def _usable(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False
