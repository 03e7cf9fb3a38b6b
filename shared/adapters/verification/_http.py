"""What the verifier adapters share: one GET whose every failure becomes a `LookupFailure`, and key redaction.

    no API key configured             -> UNAVAILABLE (no call is made)
    an address that is not one        -> REFUSED (no call is made: it would cost a credit for nothing)
    HttpTimeout                       -> TIMEOUT
    HttpError (no answer at all)      -> SERVER
    401, 403                          -> AUTH
    402                               -> QUOTA (month)
    429                               -> RATE_LIMITED (retry_after_s from a delay-seconds Retry-After)
    other 4xx                         -> REFUSED
    5xx and anything else non-2xx     -> SERVER
    2xx that is not a JSON object     -> MALFORMED (HTML from a proxy, a truncated body, a JSON list...)

Both vendors put the API key in the query string, so every detail is redacted: the key, its URL-encoded form, and
any 8-character piece of it never appear in a `LookupFailure` or a log line.
"""

from __future__ import annotations

from typing import Any

from shared.adapters.redaction import redact
from shared.ports.http import HttpClient, HttpError, HttpTimeout
from shared.ports.lookups import LookupFailure, LookupFailureKind

MAX_DETAIL_CHARS = 200
MAX_RETRY_AFTER_S = 86_400.0


def require_key(api_key: str | None, vendor: str) -> str:
    if not api_key or not api_key.strip():
        raise LookupFailure(LookupFailureKind.UNAVAILABLE, f"{vendor}: no API key configured")
    return api_key.strip()


def check_address(address: str, vendor: str) -> str:
    """The address trimmed; REFUSED (before any call) when it cannot be an email address at all."""
    text = address.strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in text) or "." not in domain.strip("."):
        raise LookupFailure(LookupFailureKind.REFUSED, f"{vendor}: not an email address: {text[:80]!r}")
    return text


def vendor_timeout(timeout_s: float, *, lowest: int, highest: int = 60) -> int:
    """The vendor-side SMTP timeout (whole seconds): a fifth below ours, so the vendor answers "unknown" before
    our HTTP timeout gives up on it, kept within the vendor's documented range."""
    return max(lowest, min(highest, int(timeout_s * 0.8)))


async def get_json(http: HttpClient, url: str, *, timeout_s: float, secret: str, vendor: str) -> dict[str, Any]:
    """GET `url`; the decoded JSON object of a 2xx answer, else `LookupFailure` (redacted)."""
    try:
        response = await http.request("GET", url, headers={"accept": "application/json"}, timeout_s=timeout_s)
    except HttpTimeout as exc:
        raise LookupFailure(LookupFailureKind.TIMEOUT, redact(f"{vendor}: {exc}", secret)) from None
    except HttpError as exc:
        raise LookupFailure(LookupFailureKind.SERVER, redact(f"{vendor}: {exc}", secret)) from None
    status = response.status
    if not 200 <= status < 300:
        detail = redact(f"{vendor}: HTTP {status}: {summary(response.text())}", secret)
        if status in (401, 403):
            raise LookupFailure(LookupFailureKind.AUTH, detail)
        if status == 402:
            raise LookupFailure(LookupFailureKind.QUOTA, detail, quota_period="month")
        if status == 429:
            retry = retry_after_s(response.header("retry-after"))
            raise LookupFailure(LookupFailureKind.RATE_LIMITED, detail, retry_after_s=retry)
        if 400 <= status < 500:
            raise LookupFailure(LookupFailureKind.REFUSED, detail)
        raise LookupFailure(LookupFailureKind.SERVER, detail)
    try:
        payload = response.json()
    except ValueError:
        text = redact(summary(response.text()), secret)
        raise LookupFailure(LookupFailureKind.MALFORMED, f"{vendor}: HTTP {status}: not JSON: {text}") from None
    if not isinstance(payload, dict):
        raise LookupFailure(LookupFailureKind.MALFORMED, f"{vendor}: HTTP {status}: JSON {type(payload).__name__}")
    return payload


def retry_after_s(value: str | None) -> float | None:
    """Retry-After as delay-seconds (RFC 9110 §10.2.3); None when absent or a date (the caller backs off itself)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return None if seconds != seconds else min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def summary(text: str) -> str:
    text = " ".join(text.split())
    return text[:MAX_DETAIL_CHARS] if text else "(empty body)"


def flag(value: Any) -> bool:
    """A vendor boolean: true/false, or the strings "true"/"True"/"1" some answers carry."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return isinstance(value, int) and value == 1


def text_field(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) else ""
