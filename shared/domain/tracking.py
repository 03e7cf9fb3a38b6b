"""Opt-in open and click tracking (off by default, per campaign): signed URLs, link rewriting, automation flags. Pure.

URLs: the open pixel `{base}/t/o/{token}.gif`, the click redirect `{base}/t/c/{token}?u=<url>`. A token is
`<email id>.<mac>`: the mac is HMAC-SHA256 (truncated to 128 bits, base64url) under a key derived from the
deployment's unsubscribe secret for this purpose only (`HMAC(secret, "tracking")`, so a tracking MAC can never pass
as an unsubscribe token), over the email id for an open and over (email id, url) for a click. A click therefore
redirects only to a URL that was signed for that email at send time, and the redirect route also checks that the
URL is one of the links of the stored body while the body is kept (the open-redirect guard).

An event is kept but flagged "probably automated" when it comes within AUTOMATED_WITHIN of the send (a security
gateway fetching every link on delivery), before the send, with no user agent, or from a known scanner / image
proxy / link-preview user agent (Apple Mail Privacy Protection, Googleimageproxy, Outlook Safe Links, Barracuda,
Mimecast, Proofpoint, ...; outreach_rules.md §3e).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from html import escape, unescape
from urllib.parse import quote, urlsplit

OPEN_PATH = "/t/o/"
CLICK_PATH = "/t/c/"
AUTOMATED_WITHIN = timedelta(seconds=10)
MAX_URL_CHARS = 2048
_MAC_BYTES = 16
_EMAIL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAC = re.compile(r"^[A-Za-z0-9_-]{22}$")

# http(s) links in plain text, up to whitespace or a character that cannot end a bare URL in prose.
_URL = re.compile(r"""https?://[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_HREF = re.compile(r"""(?P<lead>\bhref\s*=\s*)(?P<quote>["'])(?P<url>https?://[^"'\s]+)(?P=quote)""", re.IGNORECASE)

# Lower-case fragments of user agents that fetch images or links without a person reading: image proxies, mail
# security gateways, link-preview bots, HTTP libraries.
SCANNER_AGENTS = (
    "googleimageproxy", "ggpht.com", "yahoomailproxy", "yahoo! slurp", "apple mail privacy", "applemailprivacy",
    "safelinks", "safe links", "microsoft office existence", "ms-office", "barracuda", "mimecast", "proofpoint",
    "ppops-", "messagelabs", "symantec", "forcepoint", "trend micro", "trendmicro", "sophos", "fortiguard",
    "fortinet", "ironport", "cisco", "zscaler", "bitdefender", "kaspersky", "avast", "hornetsecurity",
    "spamtitan", "vadesecure", "vade secure", "libraesva", "cloudmark", "trustwave", "checkpoint", "check point",
    "paloalto", "palo alto", "skyhigh", "mcafee", "facebookexternalhit", "slackbot", "twitterbot", "linkedinbot",
    "whatsapp", "telegrambot", "discordbot", "skypeuripreview", "googlebot", "bingbot", "bingpreview",
    "python-requests", "python-urllib", "aiohttp", "httpx", "go-http-client", "curl/", "wget/", "java/",
    "okhttp", "libwww-perl", "headlesschrome", "phantomjs", "preview", "crawler", "spider", "scanner",
)  # fmt: skip
_BOT_WORD = re.compile(r"(?<![a-z])bot(?![a-z])|bot/")
# Apple Mail Privacy Protection fetches with a bare "Mozilla/5.0" and no platform details.
_BARE_AGENTS = frozenset({"mozilla/5.0", "mozilla/4.0", "mozilla"})


class InvalidToken(ValueError):
    """A tracking token or click URL that we did not sign."""


def tracking_key(secret: str | bytes) -> bytes:
    """The tracking key, derived from one unsubscribe secret (a key of its own purpose)."""
    raw = secret.encode() if isinstance(secret, str) else bytes(secret)
    if not raw:
        raise ValueError("the tracking key needs a non-empty secret")
    return hmac.new(raw, b"tracking", hashlib.sha256).digest()


def tracking_keys(secrets: str | bytes | Sequence[str | bytes]) -> list[bytes]:
    """The keys of the unsubscribe secrets (`secrets_from(UNSUBSCRIBE_SECRET)`): the first signs, all verify, so the
    secret rotates as the unsubscribe tokens' does. A single secret is a list of one."""
    items = [secrets] if isinstance(secrets, (str, bytes)) else list(secrets)
    if not items:
        raise ValueError("the tracking key needs a non-empty secret")
    return [tracking_key(item) for item in items]


def _verifying(keys: bytes | Sequence[bytes]) -> list[bytes]:
    return [keys] if isinstance(keys, bytes) else list(keys)


def _mac(key: bytes, *parts: str) -> str:
    digest = hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _check_id(email_id: str) -> str:
    if not _EMAIL_ID.match(email_id):
        raise ValueError(f"{email_id!r} cannot be tracked: an email id is 1-64 of [A-Za-z0-9_-]")
    return email_id


def open_token(key: bytes, email_id: str) -> str:
    return f"{_check_id(email_id)}.{_mac(key, 'open', email_id)}"


def click_token(key: bytes, email_id: str, url: str) -> str:
    return f"{_check_id(email_id)}.{_mac(key, 'click', email_id, url)}"


def _split(token: str) -> tuple[str, str]:
    email_id, sep, mac = token.partition(".")
    if not sep or not _EMAIL_ID.match(email_id) or not _MAC.match(mac):
        raise InvalidToken("malformed tracking token")
    return email_id, mac


def _signed(keys: bytes | Sequence[bytes], mac: str, *parts: str) -> bool:
    matches = [hmac.compare_digest(mac, _mac(key, *parts)) for key in _verifying(keys)]  # every key: constant work
    return any(matches)


def verify_open(keys: bytes | Sequence[bytes], token: str) -> str:
    """The email id an open token was signed for (under any of `keys`); InvalidToken otherwise."""
    email_id, mac = _split(token)
    if not _signed(keys, mac, "open", email_id):
        raise InvalidToken("bad tracking signature")
    return email_id


def verify_click(keys: bytes | Sequence[bytes], token: str, url: str) -> str:
    """The email id a click token was signed for together with `url` (under any of `keys`); InvalidToken
    otherwise."""
    email_id, mac = _split(token)
    if not is_redirectable(url) or not _signed(keys, mac, "click", email_id, url):
        raise InvalidToken("bad tracking signature")
    return email_id


def is_redirectable(url: str) -> bool:
    """An absolute http(s) URL with a host, of a sane length, without whitespace or control characters."""
    if not url or len(url) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _trim(url: str) -> str:
    """A bare URL without the prose punctuation that followed it (a closing bracket is kept when it is paired)."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _text_links(body: str) -> Iterator[tuple[int, int, str]]:
    for match in _URL.finditer(body):
        url = _trim(match.group(0))
        if is_redirectable(url):
            yield match.start(), match.start() + len(url), url


def links(body: str) -> list[str]:
    """The http(s) links of a plain-text or HTML body, in order of appearance, each once."""
    found = [url for _, _, url in _text_links(body)]
    found += [unescape(m.group("url")) for m in _HREF.finditer(body)]
    return list(dict.fromkeys(found))


def _own(url: str, base_url: str) -> bool:
    """One of our own URLs (unsubscribe, tracking): never wrapped."""
    base = base_url.rstrip("/")
    return url == base or url.startswith(base + "/")


def open_url(key: bytes, email_id: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{OPEN_PATH}{open_token(key, email_id)}.gif"


def click_url(key: bytes, email_id: str, url: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{CLICK_PATH}{click_token(key, email_id, url)}?u={quote(url, safe='')}"


def tracking_urls(
    email_id: str,
    body: str,
    secrets: str | bytes | Sequence[str | bytes],
    base_url: str,
    *,
    opens: bool = True,
    clicks: bool = True,
    html: bool = False,
) -> tuple[str, str | None]:
    """The body with each external link wrapped in a signed click URL (when `clicks`), and the open pixel's URL (when
    `opens`; the caller puts `<img src=... width=1 height=1 alt="">` in the HTML part — a plain-text email cannot
    carry one). `html=True` rewrites `href="..."` attributes only; plain text rewrites every bare http(s) link.
    Links to `base_url` itself (the unsubscribe link) are left alone. `secrets`: `secrets_from(UNSUBSCRIBE_SECRET)`
    (the first signs) or one secret."""
    key = tracking_keys(secrets)[0]
    pixel = open_url(key, email_id, base_url) if opens else None
    if not clicks:
        return body, pixel
    if html:

        def wrap(match: re.Match[str]) -> str:
            url = unescape(match.group("url"))
            if _own(url, base_url) or not is_redirectable(url):
                return match.group(0)
            target = escape(click_url(key, email_id, url, base_url))
            return f"{match.group('lead')}{match.group('quote')}{target}{match.group('quote')}"

        return _HREF.sub(wrap, body), pixel
    out: list[str] = []
    position = 0
    for start, end, url in _text_links(body):
        out.append(body[position:start])
        out.append(url if _own(url, base_url) else click_url(key, email_id, url, base_url))
        position = end
    out.append(body[position:])
    return "".join(out), pixel


def scanner_agent(user_agent: str | None) -> bool:
    """A user agent of a scanner, proxy or prefetcher (or none at all)."""
    agent = " ".join((user_agent or "").split()).lower()
    if not agent or agent in _BARE_AGENTS:
        return True
    return any(fragment in agent for fragment in SCANNER_AGENTS) or bool(_BOT_WORD.search(agent))


def probably_automated(user_agent: str | None, at: datetime, sent_at: datetime | None) -> bool:
    """Kept but flagged: within AUTOMATED_WITHIN of the send (or before it, or for an email never sent), or a
    scanner's user agent."""
    if sent_at is None or at < sent_at + AUTOMATED_WITHIN:
        return True
    return scanner_agent(user_agent)
