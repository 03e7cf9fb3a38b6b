"""A fake Resend over real HTTP: `POST /emails` with Bearer key and `Idempotency-Key`, `GET /emails/{id}`.

    resend = FakeResend(api_key="re_fake"); await resend.start()
    ResendTransport(api_key="re_fake", base_url=resend.base_url, ...)
    resend.script(["rate_limited", "ok"])   # or POST /__fake/script with a JSON list, while `make dev` runs

A wrong key answers 401 `validation_error` ("API key is invalid") without consuming the script. A request whose
Idempotency-Key was seen in the last 24 hours (by the fake's `clock`, seconds) is answered as Resend does without
consuming the script: the first answer again when the payload is the same (nothing is sent twice), 409
`invalid_idempotent_request` when it differs. Otherwise one scripted mode (an empty script answers `ok`):

    ok                  200 {"id"}; the email is recorded
    rate_limited        429 rate_limit_exceeded, Retry-After: 2
    server_error        500 application_error
    invalid_to          422 validation_error "Invalid `to` field..."
    unverified_domain   403 validation_error "The <domain> domain is not verified..."
    accept_and_drop     the email is recorded (and its key remembered), then the connection closes unanswered

Error bodies have Resend's shape `{"statusCode", "name", "message"}`. Only answers that sent an email are
remembered under their key (a failed request may be retried with the same key). `resend.emails` holds what was
sent, `resend.requests` counts every POST /emails. CPython only; never bundled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from local.fakes.http import Answer, MiniHttpServer, Request, json_answer

RESEND_MODES = ("ok", "rate_limited", "server_error", "invalid_to", "unverified_domain", "accept_and_drop")
RETRY_AFTER_S = 2
INVALID_TO = (
    "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` "
    "format."
)
IDEMPOTENCY_WINDOW_S = 24 * 3600


class FakeResend(MiniHttpServer):
    def __init__(
        self,
        *,
        api_key: str = "re_fake_0123456789abcdef",
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(RESEND_MODES, host=host, port=port)
        self.api_key = api_key
        self.clock = clock
        self.requests = 0
        self.emails: list[dict[str, Any]] = []  # {"id", "payload", "idempotency_key"}
        self.answered: list[str] = []
        self._keys: dict[str, tuple[float, Any, Answer]] = {}  # key -> (when, payload, answer)

    def route(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "validation_error", "API key is invalid")
        if request.method == "POST" and request.path == "/emails":
            return self._send(request)
        if request.method == "GET" and request.path.startswith("/emails/"):
            wanted = request.path.rsplit("/", 1)[1]
            for sent in self.emails:
                if sent["id"] == wanted:
                    return json_answer(200, {"object": "email", "id": wanted, "last_event": "delivered"})
            return _error(404, "not_found", "Email not found")
        return _error(404, "not_found", f"no route {request.method} {request.path}")

    def _send(self, request: Request) -> Answer:
        self.requests += 1
        payload = request.json()
        if not isinstance(payload, dict):
            return _error(422, "validation_error", "The request body is not valid JSON.")
        key = request.headers.get("idempotency-key")
        now = self.clock()
        if key is not None:
            if not 1 <= len(key) <= 256:
                return _error(400, "invalid_idempotency_key", "The key must be between 1-256 chars.")
            seen = self._keys.get(key)
            if seen is not None and now - seen[0] < IDEMPOTENCY_WINDOW_S:
                self.answered.append("replayed")
                if seen[1] != payload:
                    return _error(
                        409, "invalid_idempotent_request", "Same idempotency key used with a different request payload."
                    )
                return Answer(seen[2].status, seen[2].body, dict(seen[2].headers))
        missing = [name for name in ("from", "to", "subject") if not payload.get(name)]
        if missing:
            return _error(422, "missing_required_field", f"Missing `{missing[0]}` field.")
        mode = self.modes.next()
        self.answered.append(mode)
        if mode == "rate_limited":
            return _error(
                429,
                "rate_limit_exceeded",
                "Too many requests. You can only make 2 requests per second.",
                {"retry-after": str(RETRY_AFTER_S)},
            )
        if mode == "server_error":
            return _error(500, "application_error", "An unexpected error occurred.")
        if mode == "invalid_to":
            return _error(422, "validation_error", INVALID_TO)
        if mode == "unverified_domain":
            domain = str(payload.get("from", "")).rpartition("@")[2].rstrip(">")
            return _error(
                403,
                "validation_error",
                f"The {domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains",
            )
        email_id = f"re-{len(self.emails) + 1:08d}"
        self.emails.append({"id": email_id, "payload": payload, "idempotency_key": key})
        answer = json_answer(200, {"id": email_id})
        if key is not None:
            self._keys[key] = (now, payload, answer)
        if mode == "accept_and_drop":
            return Answer(0, drop=True)
        return answer


def _error(status: int, name: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    return json_answer(status, {"statusCode": status, "name": name, "message": message}, headers)
