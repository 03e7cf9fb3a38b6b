"""Notifications to people: webhook endpoints, the messages (Slack, Discord, signed JSON), the signature, per-kind
rate limits, the 5-minute dedup key and the retry schedule. Pure: the service layer stores and delivers.

Signature (generic JSON endpoints with a secret): `X-Jengu-Signature: t=<unix seconds>,v1=<hex>` where hex is
HMAC-SHA256(secret, f"{t}.{body}") over the exact bytes sent. A receiver recomputes it and refuses a timestamp more
than `REPLAY_WINDOW_S` (5 minutes) from its own clock, either way; several `v1=` values may appear (secret rotation).
The same notification is delivered again after a lost answer: receivers dedupe on the body's `id`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from shared.domain.errors import Conflict, ValidationFailed

CHANNELS = ("slack", "discord", "webhook")
KINDS = (
    "reply_interested",
    "reply_meeting_request",
    "reply_question",
    "reply_referral",
    "inbound_unknown",
    "inbound_spoofed",
    "task_dead_lettered",
    "inbox_paused",
)
TEST_KIND = "webhook_test"  # POST /api/admin/webhooks/test: delivered, never stored
ALL_KINDS = "*"

REPLAY_WINDOW_S = 300
DEDUP_WINDOW = timedelta(minutes=5)
RATE_WINDOW = timedelta(hours=1)
EXPIRE_AFTER = timedelta(hours=24)  # a notification still pending a day later is no longer news
LEASE = timedelta(minutes=2)  # a claimed delivery not reported back by then is tried again
BACKOFF_S = (60, 120, 300, 900, 1800, 3600)  # after failed attempt 1, 2, ...
MAX_ATTEMPTS = len(BACKOFF_S) + 1  # then failed
MAX_RETRY_AFTER_S = 3600
MAX_ENDPOINTS = 20
DELIVERY_TIMEOUT_S = 10.0

# Per endpoint and kind, deliveries per RATE_WINDOW; past it a notification waits (pending) for the window to move.
RATE_LIMITS: dict[str, int] = {
    "reply_interested": 120,
    "reply_meeting_request": 120,
    "reply_question": 120,
    "reply_referral": 60,
    "inbound_unknown": 30,
    "inbound_spoofed": 30,
    "task_dead_lettered": 20,
    "inbox_paused": 20,
}
DEFAULT_RATE_LIMIT = 30

_TITLES = {
    "reply_interested": "Interested reply",
    "reply_meeting_request": "Meeting request",
    "reply_question": "Question from a prospect",
    "reply_referral": "Referral to someone else",
    "inbound_unknown": "Inbound message not understood",
    "inbound_spoofed": "Possibly spoofed reply (no automatic effect)",
    "task_dead_lettered": "Task dead-lettered",
    "inbox_paused": "Inbox paused",
    TEST_KIND: "Test notification from Jengu",
}
_WARNING_KINDS = frozenset({"inbound_unknown", "inbound_spoofed", "task_dead_lettered", "inbox_paused"})
_COLORS = {"good": 0x2EB67D, "warning": 0xECB22E, "info": 0x4A90D9}
# data keys shown first, in this order, with these labels; the other scalar keys follow as they come
_FIELD_LABELS = {
    "from": "From", "prospect": "Prospect", "company": "Company", "campaign": "Campaign", "inbox": "Inbox",
    "subject": "Subject", "intent": "Intent", "confidence": "Confidence", "classification": "Classification",
    "referral": "Referred to", "reason": "Reason", "queue": "Queue", "error": "Error", "url": "Link",
}  # fmt: skip
_TEXT_KEYS = ("summary", "reply_text", "snippet", "text")  # the body of the message, first present wins
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_SECRET_NAME = re.compile(r"^[A-Z][A-Z0-9_]{2,63}$")
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


# -- endpoints -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    channel: str
    url: str
    kinds: tuple[str, ...] = (ALL_KINDS,)
    secret_name: str | None = None

    def takes(self, kind: str) -> bool:
        return ALL_KINDS in self.kinds or kind in self.kinds

    def as_setting(self) -> dict[str, Any]:
        value: dict[str, Any] = {"name": self.name, "channel": self.channel, "url": self.url, "kinds": list(self.kinds)}
        if self.secret_name:
            value["secret_name"] = self.secret_name
        return value


def check_url(url: object) -> str:
    """https with a host, or plain http to this machine (local receivers); no credentials in the URL."""
    if not isinstance(url, str) or not url.strip() or len(url) > 2048:
        raise ValueError("url must be a URL of at most 2048 characters")
    url = url.strip()
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError:
        raise ValueError("url is not a valid URL") from None
    if not host or any(c.isspace() for c in url):
        raise ValueError("url must name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("url must not carry credentials (use secret_name for signing)")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and host in _LOCAL_HOSTS:
        return url
    raise ValueError("url must be https (or http://127.0.0.1 for a local receiver)")


def parse_endpoint(value: object) -> Endpoint:
    if not isinstance(value, dict):
        raise ValueError("an endpoint is an object {name, channel, url, kinds, secret_name?}")
    unknown = sorted(set(value) - {"name", "channel", "url", "kinds", "secret_name"})
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    name = value.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name.strip()):
        raise ValueError("name: 1-64 letters, digits, spaces, '_', '.', '-', starting with a letter or digit")
    channel = value.get("channel")
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    kinds_in = value.get("kinds", [ALL_KINDS])
    if not isinstance(kinds_in, list) or not kinds_in or not all(isinstance(k, str) for k in kinds_in):
        raise ValueError(f'kinds: a non-empty list of kinds, or ["{ALL_KINDS}"]')
    bad = sorted({k for k in kinds_in if k != ALL_KINDS and k not in KINDS})
    if bad:
        raise ValueError(f"unknown kinds {bad}; known: {', '.join(KINDS)}")
    secret_name = value.get("secret_name")
    if secret_name is not None:
        if not isinstance(secret_name, str) or not _SECRET_NAME.fullmatch(secret_name) or secret_name == "API_KEY":
            raise ValueError("secret_name: the NAME of a Worker secret (A-Z, 0-9, _), never its value")
        if channel != "webhook":
            raise ValueError("secret_name signs generic JSON webhooks only; Slack and Discord URLs are the secret")
    return Endpoint(
        name=name.strip(), channel=channel, url=check_url(value.get("url")),
        kinds=tuple(dict.fromkeys(kinds_in)), secret_name=secret_name,
    )  # fmt: skip


def parse_endpoints(value: object) -> list[Endpoint]:
    """The `webhooks` setting (a list of endpoint objects) validated: `ValidationFailed` names each bad entry,
    `Conflict` a name used twice (letter case aside)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed("webhooks must be a list of endpoints")
    if len(value) > MAX_ENDPOINTS:
        raise ValidationFailed(f"at most {MAX_ENDPOINTS} webhook endpoints")
    endpoints: list[Endpoint] = []
    problems: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        try:
            endpoints.append(parse_endpoint(item))
        except ValueError as exc:
            problems.append({"index": index, "message": str(exc)})
    if problems:
        raise ValidationFailed("invalid webhook endpoints", details=problems)
    names = [e.name.casefold() for e in endpoints]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise Conflict(f"endpoint name {endpoints[index].name!r} is used twice", details={"index": index})
    return endpoints


def endpoints_or_empty(value: object) -> list[Endpoint]:
    """The stored setting as the flusher reads it: a broken entry is skipped, never fatal to the others."""
    if not isinstance(value, list):
        return []
    found: list[Endpoint] = []
    for item in value[:MAX_ENDPOINTS]:
        try:
            found.append(parse_endpoint(item))
        except ValueError:
            continue
    return found


def mask_url(url: str) -> str:
    """What an API read shows of a webhook URL (Slack's and Discord's carry their credential in the path)."""
    parts = urlsplit(url)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    shown = tail[-4:] if len(tail) > 8 else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…{shown}"


# -- dedup, rate limits, retries -------------------------------------------------------------------------------


def dedup_key(kind: str, subject_id: str) -> str:
    """Two notifications with this key inside DEDUP_WINDOW are one (an inbound message re-processed, a flapping
    inbox)."""
    return f"{kind}:{subject_id}"


def rate_limit(kind: str) -> int:
    return RATE_LIMITS.get(kind, DEFAULT_RATE_LIMIT)


def allowance(kind: str, sent_in_window: int) -> int:
    """How many more of `kind` one endpoint may get now."""
    return max(0, rate_limit(kind) - sent_in_window)


def retry_delay(attempts: int, retry_after_s: float | None = None) -> timedelta | None:
    """The wait before the next attempt after attempt number `attempts` failed; None when it was the last.
    A receiver's Retry-After is honoured when longer (capped at an hour)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = float(BACKOFF_S[max(1, attempts) - 1])
    if retry_after_s is not None and retry_after_s > delay:
        delay = min(float(retry_after_s), float(MAX_RETRY_AFTER_S))
    return timedelta(seconds=delay)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def retriable_status(status: int) -> bool:
    """A receiver's answer worth retrying: timeouts, conflicts with in-flight work, throttling, server errors. Other
    4xx (a revoked Slack hook's 404/410, a bad payload's 400, a 401/403) will not get better by waiting."""
    return status in (408, 409, 425, 429) or status >= 500


# -- messages ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    kind: str
    created_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """One stored delivery: a notification for one endpoint (`endpoint` None when no endpoint took its kind)."""

    id: str
    kind: str
    channel: str
    endpoint: str | None
    subject_id: str
    dedup_key: str
    data: dict[str, Any]
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None

    def notification(self) -> Notification:
        return Notification(id=self.id, kind=self.kind, created_at=self.created_at, data=self.data)


def title(kind: str) -> str:
    return _TITLES.get(kind, kind.replace("_", " ").capitalize())


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    text = " ".join(str(value).split())
    return text or None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs: the known keys first in a fixed order, then the other scalar keys."""
    pairs: list[tuple[str, str]] = []
    referral = data.get("referral")
    for key, label in _FIELD_LABELS.items():
        value = data.get(key)
        if key == "referral" and isinstance(referral, dict):
            value = " ".join(str(referral.get(k) or "") for k in ("name", "email")).strip() or None
        text = _scalar(value)
        if text:
            pairs.append((label, text))
    skip = set(_FIELD_LABELS) | set(_TEXT_KEYS)
    for key, value in data.items():
        text = _scalar(value) if key not in skip else None
        if text:
            pairs.append((key.replace("_", " ").capitalize(), text))
    return pairs


def message_text(data: dict[str, Any]) -> str:
    for key in _TEXT_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _slack_escape(text: str) -> str:
    """Slack mrkdwn control characters: `<!channel>` in a prospect's reply must stay text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(n: Notification) -> dict[str, Any]:
    """Incoming-webhook payload: `text` (the notification preview and fallback) and Block Kit `blocks`."""
    head = title(n.kind)
    pairs = message_fields(n.data)
    body = message_text(n.data)
    fallback = head + (f": {pairs[0][1]}" if pairs else "")
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": _clip(head, 150)}}]
    if pairs:
        blocks.append({
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": _clip(f"*{label}*\n{_slack_escape(value)}", 2000)}
                for label, value in pairs[:10]
            ],
        })  # fmt: skip
    if body:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(_quote(_slack_escape(body)), 3000)}})
    context = f"{n.kind} · {n.created_at.strftime('%Y-%m-%d %H:%M UTC')} · {n.id}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": _clip(_slack_escape(fallback), 3000), "blocks": blocks}


def _quote(text: str) -> str:
    return "\n".join(f"&gt; {line}" if line else "&gt;" for line in text.splitlines()[:40])


def discord_message(n: Notification) -> dict[str, Any]:
    """Execute-webhook payload: `content` and one embed; mentions are disabled (a reply saying @everyone stays text)."""
    head = title(n.kind)
    pairs = message_fields(n.data)
    body = message_text(n.data)
    color = _COLORS["warning" if n.kind in _WARNING_KINDS else "good" if n.kind.startswith("reply_") else "info"]
    embed: dict[str, Any] = {
        "title": _clip(head, 256),
        "color": color,
        "timestamp": n.created_at.isoformat(),
        "footer": {"text": _clip(f"{n.kind} · {n.id}", 2048)},
        "fields": [
            {"name": _clip(label, 256), "value": _clip(value, 1024), "inline": len(value) <= 40}
            for label, value in pairs[:25]
        ],
    }
    if body:
        embed["description"] = _clip(body, 4096)
    url = n.data.get("url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        embed["url"] = url
    content = _clip(f"**{head}**" + (f" — {pairs[0][1]}" if pairs else ""), 2000)
    return {"content": content, "embeds": [embed], "allowed_mentions": {"parse": []}}


def json_message(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "created_at": n.created_at.isoformat(), "data": n.data}


def render(channel: str, n: Notification) -> dict[str, Any]:
    if channel == "slack":
        return slack_message(n)
    if channel == "discord":
        return discord_message(n)
    if channel == "webhook":
        return json_message(n)
    raise ValueError(f"no webhook format for channel {channel!r}")


# -- signature --------------------------------------------------------------------------------------------------

SIGNATURE_HEADER = "X-Jengu-Signature"


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body


def signature(secret: str, body: bytes | str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + _as_bytes(body), hashlib.sha256)
    return mac.hexdigest()


def sign(secret: str, body: bytes | str, timestamp: int) -> str:
    """The `X-Jengu-Signature` value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={signature(secret, body, timestamp)}"


def verify(
    secret: str | list[str], body: bytes | str, header: str | None, *, now: float, window_s: int = REPLAY_WINDOW_S
) -> bool:
    """Whether `header` signs `body` with `secret` (or any of several, during a rotation) at a time within
    `window_s` of `now`. Constant-time comparison; a malformed header is simply not valid."""
    if not header or len(header) > 4096:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit() or len(value) > 12:
                return False
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value.strip().lower())
    if timestamp is None or not candidates or abs(now - timestamp) > window_s:
        return False
    secrets = [secret] if isinstance(secret, str) else list(secret)
    expected = [signature(s, body, timestamp) for s in secrets if s]
    return any(hmac.compare_digest(e, c) for e in expected for c in candidates)
