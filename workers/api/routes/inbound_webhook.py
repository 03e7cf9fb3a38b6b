"""`POST /webhooks/inbound`: a raw RFC 5322 message from a mail provider or relay, outside `/api`, no API key.

Authentication: `X-Jengu-Timestamp: <unix seconds>` and `X-Jengu-Signature: v1=<hex HMAC-SHA256(secret,
f"{timestamp}.{body}")>` (several `v1=` values may be given, comma-separated; INBOUND_WEBHOOK_SECRET may hold several
secrets, comma-separated, each verifying: rotation). A timestamp more than 5 minutes from our clock, a signature that
does not verify or one already seen (KV remembers them past the window) is refused with 401, and the attempt counts
against the client address like an unauthenticated API call. Without a configured secret the webhook answers 503.

The body (`message/rfc822` or `application/octet-stream`, at most 25 MiB like Email Routing) is checked before
anything is written, then streamed into D1 through the email handler's own path (`receive_email`), with the envelope
from the query: `from` (empty or `<>` for a null sender, as bounces have) and `to`. Answered 202 once stored and
queued; the same message delivered again maps to the stored one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from email.utils import parseaddr
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, Field

from api.deps import get_services
from api.errors import ApiError
from api.openapi import error_responses
from api.rate_limits import ApiRateLimits, client_ip
from shared.bootstrap import Services
from shared.domain.errors import ValidationFailed
from shared.domain.inbound import MAX_INBOUND_BYTES
from shared.messages.rate_limit import KeyClass

router = APIRouter(prefix="/webhooks", tags=["inbound"])

REPLAY_WINDOW_S = 300
SEEN_TTL_S = 2 * REPLAY_WINDOW_S + 60  # a signature is remembered past both edges of the window
SEEN_PREFIX = "inbound-webhook:seen:"
MEDIA_TYPES = ("message/rfc822", "application/octet-stream")
MAX_SIGNATURES = 8
_HEX_SHA256 = frozenset("0123456789abcdef")


class Accepted(BaseModel):
    inbound_id: str = Field(description="the stored message (the earlier one for a redelivery)")
    trace_id: str


def secrets_of(setting: str | None) -> list[bytes]:
    """The configured secrets (comma-separated); empty when the webhook is not configured."""
    return [s.strip().encode() for s in (setting or "").split(",") if s.strip()]


def signatures_of(header: str | None) -> list[str]:
    """The `v1=` signatures of the header, lower-case hex; other schemes and malformed values are ignored."""
    found: list[str] = []
    for item in (header or "").replace(" ", ",").split(","):
        scheme, _, value = item.strip().partition("=")
        value = value.strip().lower()
        if scheme.strip().lower() == "v1" and len(value) == 64 and set(value) <= _HEX_SHA256:
            found.append(value)
    return found[:MAX_SIGNATURES]


def timestamp_of(header: str | None, now: float) -> str:
    """The header's timestamp if it is unix seconds within the replay window, else 401."""
    text = (header or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        raise _unauthorized("X-Jengu-Timestamp must be unix seconds")
    if abs(now - int(text)) > REPLAY_WINDOW_S:
        raise _unauthorized(f"X-Jengu-Timestamp is more than {REPLAY_WINDOW_S} s from now")
    return text


def sign(secret: bytes, timestamp: str, chunks: list[bytes]) -> str:
    """hex HMAC-SHA256(secret, f"{timestamp}.{body}") over the body's chunks, never joined."""
    mac = hmac.new(secret, timestamp.encode() + b".", hashlib.sha256)
    for chunk in chunks:
        mac.update(chunk)
    return mac.hexdigest()


def verified(secrets: list[bytes], timestamp: str, chunks: list[bytes], signatures: list[str]) -> str | None:
    """The signature that verifies, or None (every comparison in constant time)."""
    for secret in secrets:
        expected = sign(secret, timestamp, chunks)
        for signature in signatures:
            if hmac.compare_digest(expected, signature):
                return signature
    return None


def envelope_address(value: str, *, name: str, allow_null: bool) -> str:
    """An envelope address as given (`<>` and empty are the null sender when allowed), else 422."""
    text = value.strip()
    if allow_null and text in ("", "<>"):
        return ""
    text = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    _, addr = parseaddr(text)
    local, at, domain = addr.rpartition("@")
    if not (at and local and "." in domain.strip(".") and addr == text) or any(c.isspace() for c in addr):
        raise ValidationFailed(f"{name}: not an email address", details={"field": name, "reason": "invalid_address"})
    return addr


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, details={"scheme": "X-Jengu-Signature v1 (HMAC-SHA256 of timestamp.body)"})


def _media_type(request: Request) -> str:
    return (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


async def _body_chunks(request: Request) -> list[bytes]:
    """The body as received (the SDK's chunks, kept apart: no second copy), at most MAX_INBOUND_BYTES."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        if chunk:
            size += len(chunk)
            if size > MAX_INBOUND_BYTES:
                raise ApiError(413, f"a message is at most {MAX_INBOUND_BYTES} bytes",
                               details={"limit_bytes": MAX_INBOUND_BYTES})  # fmt: skip
            chunks.append(chunk)
    return chunks


async def _released(chunks: list[bytes]) -> AsyncIterator[bytes]:
    """The chunks as a stream, each released once handed on (the store holds at most two encoded chunks)."""
    chunks.reverse()
    while chunks:
        yield chunks.pop()


_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"description": "stored and queued (a redelivery maps to the stored message)", "model": Accepted},
    **error_responses(400, 401, 413, 415, 422, 429, 503),
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": {"type": "string", "format": "binary", "description": "the raw RFC 5322 message"}}
            for media in MEDIA_TYPES
        },
    }
}


@router.post("/inbound", status_code=202, responses=_RESPONSES, openapi_extra=_BODY)
async def inbound_webhook(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    rcpt_to: Annotated[str, Query(alias="to", max_length=320, description="envelope recipient (our address)")],
    mail_from: Annotated[
        str, Query(alias="from", max_length=320, description="envelope sender; empty or <> for a null sender")
    ] = "",
    x_jengu_timestamp: Annotated[
        str | None, Header(max_length=32, description="unix seconds, within 5 minutes of our clock")
    ] = None,
    x_jengu_signature: Annotated[
        str | None, Header(max_length=1024, description='v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>')
    ] = None,
) -> Accepted:
    from shared.service_layer.inbound import receive_email

    secrets = secrets_of(services.settings.inbound_webhook_secret)
    if not secrets:
        raise ApiError(503, "the inbound webhook is not configured (INBOUND_WEBHOOK_SECRET)")
    limits = ApiRateLimits(services)
    ip = client_ip(request.scope, trust_forwarded_for=services.settings.is_local)
    await limits.enforce(ip, KeyClass.IP, tokens=0)  # a throttled address cannot even try signatures
    if _media_type(request) not in MEDIA_TYPES:
        details = {"content_type": request.headers.get("content-type"), "allowed": list(MEDIA_TYPES)}
        raise ApiError(415, f"Content-Type must be {' or '.join(MEDIA_TYPES)}", details=details)
    now = services.clock.now().timestamp()
    try:
        timestamp = timestamp_of(x_jengu_timestamp, now)
        signatures = signatures_of(x_jengu_signature)
        if not signatures:
            raise _unauthorized("X-Jengu-Signature must be v1=<64 hex digits>")
        chunks = await _body_chunks(request)
        signature = verified(secrets, timestamp, chunks, signatures)
        if signature is None:
            raise _unauthorized("the signature does not verify")
        seen_key = f"{SEEN_PREFIX}{timestamp}:{signature}"
        if await services.cache.get_json(seen_key) is not None:
            raise _unauthorized("this signed request was already received (replay)")
    except ApiError as exc:
        if exc.status == 401:
            await limits.charge(ip, KeyClass.IP)
            services.log.warning("inbound webhook refused", reason=exc.message, client=ip)
        raise
    if not chunks:
        raise ApiError(400, "the message is empty")
    sender = envelope_address(mail_from, name="from", allow_null=True)
    recipient = envelope_address(rcpt_to, name="to", allow_null=False)
    inbound_id = await receive_email(
        mail_from=sender, rcpt_to=recipient, raw=_released(chunks), inbound=services.inbound,
        publisher=services.publisher, clock=services.clock, ids=services.ids, log=services.log,
    )  # fmt: skip
    await services.cache.put_json(seen_key, {"inbound_id": inbound_id}, ttl_seconds=SEEN_TTL_S)
    return Accepted(inbound_id=inbound_id, trace_id=str(services.log.trace_id or ""))
