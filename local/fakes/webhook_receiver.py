"""A local webhook receiver over real HTTP: records every POST and checks `X-Jengu-Signature` when given secrets.

    receiver = WebhookReceiver(secrets={"/json": "whsec_..."}); await receiver.start()
    url = receiver.url("/json")                       # any path; each path is its own endpoint
    receiver.script(["server_error", "ok"])           # or POST /__fake/script with a JSON list, while `make dev` runs

Modes, one consumed per request to any path (an empty script answers `ok`):

    ok              200 "ok" (Slack's answer) — 204 on a path ending in /discord, as Discord answers
    server_error    500
    rate_limited    429 with Retry-After: 1
    gone            410 (a revoked Slack hook)
    drop            the connection closes unanswered

A path with a secret whose request is unsigned, badly signed or outside the 5-minute window answers 401 (recorded
with `signature_ok=False`, the script not consumed). `receiver.requests` holds every request in order; `on_path(p)`
the ones to one path. CPython only; never bundled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from local.fakes.http import Answer, MiniHttpServer, Request, json_answer
from shared.domain.notifications import SIGNATURE_HEADER, verify

RECEIVER_MODES = ("ok", "server_error", "rate_limited", "gone", "drop")


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None  # None: the path has no secret
    answered: int  # 0: dropped

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class WebhookReceiver(MiniHttpServer):
    def __init__(
        self,
        *,
        secrets: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(RECEIVER_MODES, host=host, port=port)
        self.secrets = dict(secrets or {})
        self.clock = clock
        self.requests: list[Received] = []

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def on_path(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def route(self, request: Request) -> Answer:
        if request.method != "POST":
            return json_answer(405, {"error": "POST only"})
        secret = self.secrets.get(request.path)
        signature_ok = None
        if secret is not None:
            header = request.headers.get(SIGNATURE_HEADER.lower())
            signature_ok = verify(secret, request.body, header, now=self.clock())
            if not signature_ok:
                self._record(request, signature_ok, 401)
                return json_answer(401, {"error": "bad signature"})
        mode = self.modes.next()
        if mode == "drop":
            self._record(request, signature_ok, 0)
            return Answer(0, drop=True)
        status, answer = {
            "server_error": (500, Answer(500, b"internal error", {"content-type": "text/plain"})),
            "rate_limited": (429, Answer(429, b"rate limited", {"content-type": "text/plain", "retry-after": "1"})),
            "gone": (410, Answer(410, b"no_service", {"content-type": "text/plain"})),
        }.get(mode, (200, Answer(200, b"ok", {"content-type": "text/plain"})))
        if status == 200 and request.path.endswith("/discord"):
            status, answer = 204, Answer(204)
        self._record(request, signature_ok, status)
        return answer

    def _record(self, request: Request, signature_ok: bool | None, status: int) -> None:
        self.requests.append(Received(request.path, dict(request.headers), request.body, signature_ok, status))
