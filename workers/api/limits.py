"""Request body limits: a size cap (413, before the body is read) and content-type checks (a dependency, 415).

Memory budget (decision 0014). An isolate has 128 MiB for everything: Pyodide (about 20 MiB of Wasm memory and
27 MiB of JS heap once loaded, measured under Node 20), the interpreter's heap with the app imported (27.5 MiB in
CPython's 64-bit objects, less in wasm32) and code: call it 80 MiB, leaving about 48 MiB for one request. The SDK's
`asgi.fetch` reads the whole body into Python `bytes` chunks before the app runs (1x the body; the JS chunks are
transient), so a body is paid for once before any code of ours can look at it, then again by whatever reads it:
- JSON routes: `Settings.max_body_bytes` = 1 MiB. Starlette joins the chunks (a 2nd copy) and json + pydantic
  build objects (up to ~10x for small values): at most ~13 MiB.
- CSV imports (`/api/imports`, and `/api/prospects/import` which refuses more than its own 2 MiB in the route):
  `Settings.max_import_bytes` = 20 MiB. The upload is streamed chunk by chunk into slices (flat working set, under
  8 MiB), so 20 MiB buffered + 8 MiB working + the chunks in flight stay inside 48 MiB. A 100,000-row file of the
  bench's width is 16.6 MiB.
- The inbound webhook (`/webhooks/inbound`): `shared.domain.inbound.MAX_INBOUND_BYTES` = 25 MiB, Email Routing's
  cap. The route keeps the SDK's chunks (no join), checks the signature over them, then streams them into D1 two
  base64 chunks at a time, releasing each: 25 MiB buffered + about 4 MiB working.

Where it is checked: a declared `Content-Length` over the route's limit is refused in the Worker's `fetch`, before
`asgi.fetch` reads a byte (`declared_over_limit`); the middleware checks it again for any ASGI server, and counts
the bytes actually received, so a chunked body (no Content-Length) or a lying header cannot get past it either (on
Workers such a body has been buffered by the SDK by then; the platform itself caps request bodies at 100 MB).

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
from shared.domain.inbound import MAX_INBOUND_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

IMPORT_PATH = "/api/prospects/import"
IMPORT_JOBS_PATH = "/api/imports"  # background imports (docs/decisions/0013): the large uploads go here
SUPPRESSION_IMPORT_PATH = "/api/suppressions/import"  # a suppression list as CSV (its route caps it at 2 MiB)
DASHBOARD_IMPORT_PATH = "/app/imports"  # the dashboard's upload form: the same import jobs as /api/imports
INBOUND_WEBHOOK_PATH = "/webhooks/inbound"  # a raw message from a relay: Email Routing's own 25 MiB cap


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
            return parse_content_length(value.decode("latin-1"))
    return None


MAX_DECLARED_DIGITS = 18  # past this a length is absurd for any limit; int() of 4,300+ digits would even raise


def parse_content_length(text: str) -> int:
    """A Content-Length value as a number: -1 unless it is ASCII digits (`²` and `٣` are digits to str.isdigit())."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return -1
    return int(text) if len(text) <= MAX_DECLARED_DIGITS else 10**MAX_DECLARED_DIGITS


def declared_over_limit(
    content_length: str | None, path: str, max_body_bytes: int, max_import_bytes: int
) -> int | None:
    """The limit a declared Content-Length is over, for the Worker's `fetch` to refuse before the SDK buffers the
    body (None: within the limit, undeclared, or unparsable, which the middleware answers with 400)."""
    if content_length is None:
        return None
    limit = body_limit_for(max_body_bytes, max_import_bytes, path)
    return limit if parse_content_length(content_length) > limit else None


def too_large_response_parts(limit: int, request_id: str, path: str = "") -> tuple[bytes, dict[str, str]]:
    """Body and headers of that early 413 (the same error body and security headers as the app's; the dashboard's
    error page on a dashboard path)."""
    headers = {"x-request-id": request_id, "x-content-type-options": "nosniff", "cache-control": "no-store"}
    if path.startswith("/app/"):
        scope: Scope = {"type": "http", "method": "POST", "path": path, "headers": [], "query_string": b"", "state": {}}
        return _dashboard_page(scope, 413, "", limit), {**headers, "content-type": "text/html; charset=utf-8"}
    body = error_bytes(413, f"request body is larger than {limit} bytes", request_id, details={"limit_bytes": limit})
    return body, {**headers, "content-type": "application/json"}


async def _answer(scope: Scope, send: Send, status: int, message: str, *, limit: int | None = None) -> None:
    """The refusal as the API's JSON error, or as the dashboard's error page on a dashboard path."""
    if str(scope.get("path", "")).startswith("/app/"):
        body, content_type = _dashboard_page(scope, status, message, limit), b"text/html; charset=utf-8"
    else:
        request_id = scope.get("state", {}).get("request_id")
        details = {"limit_bytes": limit} if limit is not None else None
        body, content_type = error_bytes(status, message, request_id, details=details), b"application/json"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _dashboard_page(scope: Scope, status: int, message: str, limit: int | None) -> bytes:
    from starlette.requests import Request as StarletteRequest

    from api.dashboard.render import error_page, too_large_message

    text = too_large_message(limit) if status == 413 and limit is not None else message
    return bytes(error_page(StarletteRequest(scope), status, text).body)


def body_limit_for(max_body_bytes: int, max_import_bytes: int, path: str) -> int:
    uploads = (IMPORT_PATH, IMPORT_JOBS_PATH, SUPPRESSION_IMPORT_PATH, DASHBOARD_IMPORT_PATH)
    if path.rstrip("/") == INBOUND_WEBHOOK_PATH:
        return MAX_INBOUND_BYTES
    return max_import_bytes if path.rstrip("/") in uploads else max_body_bytes


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
