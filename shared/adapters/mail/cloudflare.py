"""The `send_email` binding (Cloudflare Email Service) as a `MailTransport`, through
`shared.platform.cloudflare.send_email` with an Email Service builder (`from {email, name}`, `to`, `subject`, `text`,
`html`, `replyTo`, `headers`).

The service sets Date, Message-ID and the MIME structure itself and refuses them in `headers`, so the builder carries
only what it allows: `X-` headers and its list (In-Reply-To, References, List-Unsubscribe, List-Unsubscribe-Post,
...); anything else is left out. The Message-ID the service gave is the `messageId` it returns: provider_id, which
replies will quote in In-Reply-To.

Errors are JS Errors with a string `code` (e.code), mapped by code:

    E_RECIPIENT_SUPPRESSED, E_VALIDATION_ERROR naming 'to'     -> recipient_refused
    E_SENDER_NOT_VERIFIED, E_SENDER_NOT_ALLOWED, E_RECIPIENT_NOT_ALLOWED (a binding restriction or a domain not yet
    onboarded: the inbox's setup, never the recipient), other validation and size codes  -> sender_problem
    codes with RATE_LIMIT / LIMIT_EXCEEDED / QUOTA                 -> rate_limited
    E_DELIVERY_FAILED, E_INTERNAL..., an error without a code      -> transient

`confirm()` is None: the binding cannot be asked whether a message went out (the send consumer treats a `sending`
email as sent).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from shared.ports.mail import OutgoingEmail, SendOutcome, SendResult

SendFn = Callable[[Any, Mapping[str, Any]], Awaitable[Mapping[str, Any]]]
MAX_DETAIL_CHARS = 300
ALLOWED_HEADERS = frozenset(
    name.lower()
    for name in (
        "In-Reply-To",
        "References",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "List-Id",
        "List-Archive",
        "List-Help",
        "List-Owner",
        "List-Post",
        "List-Subscribe",
        "Precedence",
        "Auto-Submitted",
        "Content-Language",
        "Keywords",
        "Comments",
        "Importance",
        "Sensitivity",
        "Organization",
        "Require-Recipient-Valid-Since",
        "Archived-At",
    )
)
RECIPIENT_CODES = frozenset({"E_RECIPIENT_SUPPRESSED"})
TRANSIENT_CODES = frozenset({"E_DELIVERY_FAILED", "E_INTERNAL_SERVER_ERROR", "E_INTERNAL_ERROR", "E_TIMEOUT"})
_CODE = re.compile(r"\b(E_[A-Z][A-Z0-9_]+)\b")


class CloudflareSendEmail:
    """One `send_email` binding (`env.EMAIL`); `send` may be injected (tests), else the platform's is used."""

    def __init__(self, binding: Any, *, send: SendFn | None = None, raw: bool = True) -> None:
        self._binding = binding
        self._send = send
        self._raw = raw  # the complete MIME (our Message-ID, threading and RFC 8058 headers) rather than a builder

    @property
    def kind(self) -> str:
        return "cloudflare"

    def __repr__(self) -> str:
        return f"CloudflareSendEmail({self._binding!r})"

    async def send(self, email: OutgoingEmail) -> SendResult:
        if self._raw and self._send is None:
            from shared.platform.cloudflare import send_raw_email

            try:
                sent = await send_raw_email(self._binding, email.mail_from, email.rcpt_to, email.raw)
            except Exception as exc:  # JS Errors carrying a string code, as for the builder
                return outcome_for_error(exc, email.rcpt_to)
            return SendResult(SendOutcome.ACCEPTED, provider_id=str(sent.get("messageId") or email.message_id))
        send = self._send
        if send is None:
            from shared.platform.cloudflare import send_email

            send = send_email
        try:
            answer = await send(self._binding, builder_for(email))
        except Exception as exc:  # the binding throws JS Errors (JsException in Pyodide) carrying a string code
            return outcome_for_error(exc, email.rcpt_to)
        message_id = answer.get("messageId") if isinstance(answer, Mapping) else None
        return SendResult(SendOutcome.ACCEPTED, provider_id=str(message_id) if message_id else None)

    async def confirm(self, message_id: str) -> bool | None:
        return None


def builder_for(email: OutgoingEmail) -> dict[str, Any]:
    sender: Any = {"email": email.mail_from, "name": email.from_name} if email.from_name else email.mail_from
    builder: dict[str, Any] = {"from": sender, "to": [email.rcpt_to], "subject": email.subject, "text": email.text}
    if email.html:
        builder["html"] = email.html
    if email.reply_to:
        builder["replyTo"] = email.reply_to
    headers = {name: value for name, value in email.headers.items() if _allowed(name)}
    if headers:
        builder["headers"] = headers
    return builder


def _allowed(name: str) -> bool:
    lower = name.lower()
    return lower in ALLOWED_HEADERS or (lower.startswith("x-") and re.fullmatch(r"x-[a-z0-9_-]+", lower) is not None)


def error_code(exc: BaseException) -> str | None:
    """The binding's string code: `exc.code` (the local binding), `exc.js_error.code` (Pyodide), or the `E_...`
    the message starts with."""
    for holder in (exc, getattr(exc, "js_error", None)):
        code = getattr(holder, "code", None) if holder is not None else None
        if isinstance(code, str) and code:
            return code
    found = _CODE.search(str(exc))
    return found.group(1) if found else None


def outcome_for_error(exc: BaseException, rcpt_to: str) -> SendResult:
    code = error_code(exc)
    detail = " ".join(str(exc).split())[:MAX_DETAIL_CHARS] or type(exc).__name__
    if code is None:
        return SendResult(SendOutcome.TRANSIENT, detail=detail)
    if code not in detail:
        detail = f"{code}: {detail}"[:MAX_DETAIL_CHARS]
    if code in RECIPIENT_CODES:
        return SendResult(SendOutcome.RECIPIENT_REFUSED, detail=detail)
    if code == "E_VALIDATION_ERROR" and ("'to'" in detail or rcpt_to.lower() in detail.lower()):
        return SendResult(SendOutcome.RECIPIENT_REFUSED, detail=detail)
    if "RATE_LIMIT" in code or "LIMIT_EXCEEDED" in code or "QUOTA" in code:
        return SendResult(SendOutcome.RATE_LIMITED, detail=detail)
    if code in TRANSIENT_CODES or code.startswith("E_INTERNAL"):
        return SendResult(SendOutcome.TRANSIENT, detail=detail)
    return SendResult(SendOutcome.SENDER_PROBLEM, detail=detail)
