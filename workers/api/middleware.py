"""Request id / trace id middleware: accepts or creates `X-Request-Id`, echoes it, logs one line per request
(with the id of the API key that made it, once authenticated).

Pure ASGI (no BaseHTTPMiddleware task groups), so it costs little on Workers. An unexpected exception becomes a JSON
500 body here, so no request ever ends without the uniform error shape.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

from shared.observability.log import Logger

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

Scope = dict[str, Any]


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"x-request-id":
            return request_id_or_new(value.decode("latin-1"))
    return uuid.uuid4().hex


def request_id_or_new(candidate: str | None) -> str:
    """The client's X-Request-Id when it is a sane id, else a new one."""
    candidate = (candidate or "").strip()
    return candidate if _VALID_REQUEST_ID.match(candidate) else uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: Any, log: Logger | None = None) -> None:
        self.app = app
        self.log = log or Logger("api")

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope.get("headers", []))
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()
        response_started = False

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        error: str | None = None
        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if response_started:
                raise
            body = json.dumps(
                {
                    "error": {
                        "code": "internal_error",
                        "message": "unexpected server error",
                        "details": None,
                        "request_id": request_id,
                    }
                }
            ).encode()
            await send_wrapper(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})
        finally:
            self.log.bind(trace_id=request_id).log(
                "error" if status >= 500 else "info",
                "http request",
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                api_key_id=getattr(scope["state"].get("principal"), "key_id", None),
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                error=error,
            )
