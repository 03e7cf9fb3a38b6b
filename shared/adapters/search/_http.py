"""What the search adapters share: one GET with the transport failures mapped, the generic status mapping, the
JSON reading, and turning a vendor's result list into `SearchHit`s.

    HttpTimeout                       -> TIMEOUT
    HttpError (no answer)             -> SERVER
    429                               -> RATE_LIMITED (retry_after_s from Retry-After)
    401, 403                          -> AUTH
    other 4xx                         -> REFUSED
    5xx (and any other non-2xx)       -> SERVER
    2xx that is HTML, not JSON, or not an object -> MALFORMED

Each adapter looks at its vendor's own error body first (quota vs. rate limit, a bad key answered as 400 or 422)
and falls back to `failure_for_status`. Details never carry the key: `redact` removes it and any 8-character piece.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from shared.adapters.redaction import redact
from shared.ports.http import HttpClient, HttpError, HttpResponse, HttpTimeout
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.search import SearchHit

MAX_HITS = 10
MAX_DETAIL_CHARS = 200
MAX_TEXT_CHARS = 500
_TAG = re.compile(r"<[^>]{0,200}>")


async def get(
    http: HttpClient, url: str, *, headers: Mapping[str, str], timeout_s: float, secret: str | None
) -> HttpResponse:
    """GET `url`; any HTTP answer is returned, no answer is a LookupFailure (TIMEOUT or SERVER)."""
    try:
        return await http.request("GET", url, headers=dict(headers), timeout_s=timeout_s)
    except HttpTimeout as exc:
        raise LookupFailure(LookupFailureKind.TIMEOUT, redact(str(exc), secret)) from None
    except HttpError as exc:
        raise LookupFailure(LookupFailureKind.SERVER, redact(str(exc), secret)) from None


def failure_for_status(response: HttpResponse, *, secret: str | None, message: str | None = None) -> LookupFailure:
    status = response.status
    detail = redact(f"HTTP {status}: {message or error_message(response)}", secret)
    if status == 429:
        return LookupFailure(LookupFailureKind.RATE_LIMITED, detail, retry_after_s=retry_after_s(response))
    if status in (401, 403):
        return LookupFailure(LookupFailureKind.AUTH, detail)
    if 400 <= status < 500:
        return LookupFailure(LookupFailureKind.REFUSED, detail)
    return LookupFailure(LookupFailureKind.SERVER, detail)


def read_json_object(response: HttpResponse) -> dict[str, Any]:
    """The 2xx body as a JSON object; HTML (a proxy's or captive portal's page), garbage or a non-object is
    MALFORMED."""
    content_type = (response.header("content-type") or "").lower()
    if "html" in content_type or response.body.lstrip()[:1] == b"<":
        raise LookupFailure(LookupFailureKind.MALFORMED, f"HTTP {response.status}: an HTML page instead of JSON")
    try:
        data = response.json()
    except ValueError:
        raise LookupFailure(LookupFailureKind.MALFORMED, f"HTTP {response.status}: the body is not JSON") from None
    if not isinstance(data, dict):
        raise LookupFailure(LookupFailureKind.MALFORMED, f"HTTP {response.status}: the JSON is not an object")
    return data


def json_or_none(response: HttpResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def error_message(response: HttpResponse) -> str:
    """The vendor's own words: `{"error": {"message"|"detail": ...}}`, `{"error": "..."}`, `{"message": ...}`,
    else the body's text with tags removed."""
    data = json_or_none(response)
    message: Any = None
    if isinstance(data, dict):
        error = data.get("error")
        message = (error.get("message") or error.get("detail")) if isinstance(error, dict) else error
        message = message or data.get("message") or data.get("detail")
    text = str(message) if message else _TAG.sub(" ", response.text())
    text = " ".join(text.split())
    return text[:MAX_DETAIL_CHARS] if text else "(empty body)"


def retry_after_s(response: HttpResponse) -> float | None:
    """`Retry-After` as delay-seconds (search vendors send seconds; a date is ignored rather than misread)."""
    value = response.header("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or seconds != seconds or seconds < 0:
        return None
    return min(seconds, 86_400.0)


def results_list(data: Mapping[str, Any], *path: str, provider: str) -> list[Any]:
    """`data[path...]` as a list: absent (or null) means no results, anything else that is not a list is
    MALFORMED."""
    node: Any = data
    for key in path:
        if node is None:
            return []
        if not isinstance(node, dict):
            raise LookupFailure(LookupFailureKind.MALFORMED, f"{provider}: {'.'.join(path)} is not an object path")
        node = node.get(key)
    if node is None:
        return []
    if not isinstance(node, list):
        raise LookupFailure(LookupFailureKind.MALFORMED, f"{provider}: {'.'.join(path)} is not a list")
    return node


def hits_from(items: Iterable[Any], *, url: str, title: str, snippet: str) -> list[SearchHit]:
    """The items as hits, in the vendor's order: entries without an absolute http(s) URL are skipped, repeated URLs
    kept once, titles and snippets stripped of the vendor's highlight tags and entities; at most MAX_HITS."""
    hits: list[SearchHit] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        link = item.get(url)
        if not isinstance(link, str) or not is_web_url(link.strip()) or link.strip() in seen:
            continue
        seen.add(link.strip())
        hits.append(SearchHit(link.strip(), plain_text(item.get(title)), plain_text(item.get(snippet))))
        if len(hits) == MAX_HITS:
            break
    return hits


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a dotted host and no credentials or whitespace."""
    if not value or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and "." in host.strip(".")
        and "@" not in parts.netloc
        and not host.startswith("-")
    )


def plain_text(value: Any) -> str:
    """Vendor text without markup: Brave's `<strong>` highlights, `&amp;` entities, runs of whitespace."""
    if not isinstance(value, str):
        return ""
    text = " ".join(html.unescape(_TAG.sub("", value)).split())
    return text[:MAX_TEXT_CHARS]


def unavailable(provider: str, what: str) -> LookupFailure:
    return LookupFailure(LookupFailureKind.UNAVAILABLE, f"{provider}: no {what} configured")
