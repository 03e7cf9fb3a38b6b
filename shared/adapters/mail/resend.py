"""Resend (`POST {base}/emails`, Bearer key) as a `MailTransport`, with the send key as `Idempotency-Key`.

Resend keeps an idempotency key for 24 hours: the same request again returns the first answer (the same id) without
sending a second email, so a send retried after a crash or a lost answer is safe by construction.

    200 {"id"}                                   -> accepted, provider_id = the id
    422/400 validation naming `to` / the address -> recipient_refused; any other validation -> sender_problem
    401, 403 (bad key, unverified domain)        -> sender_problem
    409 concurrent_idempotent_requests           -> transient (the first request is still running)
    409 invalid_idempotent_request               -> sender_problem (same key, different payload: a bug upstream)
    429 (rate or daily quota)                    -> rate_limited, Retry-After when given
    5xx, no answer                               -> transient (the retry carries the same key)

Headers: In-Reply-To, References, List-Unsubscribe, List-Unsubscribe-Post, X-Auto-Response-Suppress and our
Message-ID go in Resend's `headers` object (custom headers are supported; whether Resend keeps a Message-ID it did not
make is only provable against the real service — `message_id_header=False` leaves it out). `confirm()` is None:
`GET /emails/{id}` needs the id the lost answer carried; reconcile by sending again with the same key instead.
The API key never appears in a result, an error or a repr.
"""

from __future__ import annotations

import json
from typing import Any

from shared.adapters.ai._wire import parse_retry_after, redact
from shared.ports.http import HttpClient, HttpError, HttpResponse
from shared.ports.mail import OutgoingEmail, SendOutcome, SendResult
from shared.ports.runtime import Clock

BASE_URL = "https://api.resend.com"
MAX_DETAIL_CHARS = 300
MAX_IDEMPOTENCY_KEY = 256
_SPECIALS = set('()<>[]:;@\\,."')


class ResendTransport:
    def __init__(
        self,
        *,
        api_key: str,
        http: HttpClient,
        clock: Clock,
        base_url: str = BASE_URL,
        timeout_s: float = 30.0,
        message_id_header: bool = True,
    ) -> None:
        self._key = api_key
        self._http = http
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s
        self.message_id_header = message_id_header

    @property
    def kind(self) -> str:
        return "resend"

    def __repr__(self) -> str:
        return f"ResendTransport(base_url={self._base_url!r})"

    async def send(self, email: OutgoingEmail) -> SendResult:
        headers = {"authorization": f"Bearer {self._key}", "content-type": "application/json"}
        if email.idempotency_key:
            headers["idempotency-key"] = email.idempotency_key[:MAX_IDEMPOTENCY_KEY]
        body = json.dumps(resend_payload(email, message_id_header=self.message_id_header), ensure_ascii=False)
        try:
            response = await self._http.request(
                "POST", f"{self._base_url}/emails", headers=headers, body=body.encode(), timeout_s=self._timeout_s
            )
        except HttpError as exc:
            return SendResult(SendOutcome.TRANSIENT, detail=self._clean(f"no answer: {exc}"))
        return self._outcome(response, email)

    async def confirm(self, message_id: str) -> bool | None:
        return None  # Resend cannot be asked by Message-ID; sending again with the same idempotency key is the check

    def _outcome(self, response: HttpResponse, email: OutgoingEmail) -> SendResult:
        status = response.status
        data = _json(response)
        if 200 <= status < 300:
            provider_id = data.get("id")
            if isinstance(provider_id, str) and provider_id:
                return SendResult(SendOutcome.ACCEPTED, provider_id=provider_id, code=status)
            return SendResult(SendOutcome.ACCEPTED, code=status, detail="accepted without an id")
        name = str(data.get("name") or "")
        message = str(data.get("message") or response.text())
        detail = self._clean(f"HTTP {status} {name}: {message}")
        if status == 429:
            value = response.header("retry-after")
            retry = parse_retry_after(value, now=self._clock.now()) if value else None
            return SendResult(SendOutcome.RATE_LIMITED, code=status, detail=detail, retry_after_s=retry)
        if status >= 500 or name == "concurrent_idempotent_requests":
            return SendResult(SendOutcome.TRANSIENT, code=status, detail=detail)
        if status in (400, 422) and _names_recipient(message, email.rcpt_to):
            return SendResult(SendOutcome.RECIPIENT_REFUSED, code=status, detail=detail)
        return SendResult(SendOutcome.SENDER_PROBLEM, code=status, detail=detail)

    def _clean(self, text: str) -> str:
        return " ".join(redact(text, self._key).split())[:MAX_DETAIL_CHARS]


def resend_payload(email: OutgoingEmail, *, message_id_header: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "from": display_address(email.from_name, email.mail_from),
        "to": [email.rcpt_to],
        "subject": email.subject,
        "text": email.text,
    }
    if email.html:
        payload["html"] = email.html
    if email.reply_to:
        payload["reply_to"] = [email.reply_to]
    headers = {name: value for name, value in email.headers.items() if name.lower() != "message-id"}
    if message_id_header:
        headers["Message-ID"] = email.message_id
    if headers:
        payload["headers"] = headers
    return payload


def display_address(name: str | None, address: str) -> str:
    """`Name <addr>` as Resend reads it (UTF-8 names as they are, quoted when they hold specials)."""
    if not name:
        return address
    clean = " ".join(name.replace("\r", " ").replace("\n", " ").split())
    if any(ch in _SPECIALS for ch in clean):
        clean = '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{clean} <{address}>"


def _names_recipient(message: str, rcpt_to: str) -> bool:
    lowered = message.lower()
    return "`to`" in lowered or "'to'" in lowered or '"to"' in lowered or rcpt_to.lower() in lowered


def _json(response: HttpResponse) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
