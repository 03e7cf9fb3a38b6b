"""Request body limits: a size cap (pure ASGI middleware, 413) and content-type checks (a dependency, 415).

Size: `Settings.max_body_bytes` (default 10 MiB) for every request, `Settings.max_import_bytes` (default 50 MiB)
for the CSV import route. A declared `Content-Length` over the cap is refused before anything is read; the bytes
actually received are counted too, so a chunked body (no Content-Length) or a lying header cannot get past it. On
Workers the SDK has buffered the body already, so this bounds what the app parses and stores, not what arrived.

Content type: JSON routes refuse bodies declared as anything but JSON (or undeclared) with 415 on their own (see
`api.errors`); routes taking other media use `require_content_type(...)`, which runs after authentication so an
anonymous caller learns nothing about the route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException, Request

from api.auth import AuthorizedServices
from api.errors import ApiError, error_bytes, is_json_media_type

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

IMPORT_PATH = "/api/prospects/import"
IMPORT_JOBS_PATH = "/api/imports"  # background imports (docs/decisions/0013): the large uploads go here


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the streamed body passes the cap; FastAPI lets HTTPExceptions through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than {limit} bytes")
        self.limit = limit
        self.details = {"limit_bytes": limit}


class BodySizeLimitMiddleware:
    """413 for bodies over `limit_for(scope)` bytes, checked on Content-Length and on the bytes received."""

    def __init__(self, app: Any, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared == -1:
            await _answer(scope, send, 400, "Content-Length is not a valid number")
            return
        if declared is not None and declared > limit:
            await _answer(scope, send, 413, f"request body is larger than {limit} bytes", limit=limit)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:  # only when nothing inside turned it into a response
            if started:
                raise
            await _answer(scope, send, 413, str(exc.detail), limit=exc.limit)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent, -1 when unparsable."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else -1
    return None


async def _answer(scope: Scope, send: Send, status: int, message: str, *, limit: int | None = None) -> None:
    request_id = scope.get("state", {}).get("request_id")
    details = {"limit_bytes": limit} if limit is not None else None
    body = error_bytes(status, message, request_id, details=details)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def body_limit_for(max_body_bytes: int, max_import_bytes: int, path: str) -> int:
    return max_import_bytes if path.rstrip("/") in (IMPORT_PATH, IMPORT_JOBS_PATH) else max_body_bytes


def _media_type(request: Request) -> str:
    return (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def require_content_type(*allowed: str) -> Callable[..., Awaitable[None]]:
    """A dependency refusing requests whose Content-Type is not one of `allowed` (415, after authentication)."""
    wanted = tuple(a.lower() for a in allowed)
    if not wanted:
        raise ValueError("require_content_type needs at least one media type")

    async def dependency(request: Request, _: AuthorizedServices) -> None:
        media = _media_type(request)
        if media in wanted or ("application/json" in wanted and is_json_media_type(media)):
            return
        raise ApiError(
            415,
            f"Content-Type must be {' or '.join(wanted)}",
            details={"content_type": request.headers.get("content-type"), "allowed": list(wanted)},
        )

    return dependency
