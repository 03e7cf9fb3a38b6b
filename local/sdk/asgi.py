"""CPython stand-in for the SDK's `asgi` module: `await asgi.fetch(app, request, env)` runs an ASGI app.

Mirrors workers-runtime-sdk `workers/asgi.py`: the request body is read fully before the app runs, `env` is placed in
the ASGI scope as `scope["env"]`, and lifespan startup/shutdown runs around every call (as it does on Workers).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from workers import Request, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


async def _lifespan(app: ASGIApp, phase: str, state: dict[str, Any]) -> None:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": f"lifespan.{phase}"}
        return {"type": "lifespan.wait"}  # never reached in practice

    async def send(message: Message) -> None:
        if message["type"].endswith(".failed"):
            raise RuntimeError(message.get("message", f"lifespan {phase} failed"))

    try:
        await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}, receive, send)
    except RuntimeError:
        raise
    except Exception:  # apps without lifespan support raise on the unknown scope type: ignore, like the SDK
        return


async def fetch(app: ASGIApp, request: Request, env: Any) -> Response:
    parts = urlsplit(request.url)
    body = await request.bytes()
    state: dict[str, Any] = {}
    await _lifespan(app, "startup", state)
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers.items()]
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method.value,
        "scheme": parts.scheme or "http",
        "path": parts.path or "/",
        "raw_path": (parts.path or "/").encode("latin-1"),
        "query_string": parts.query.encode("latin-1"),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 0),
        "server": (parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)),
        "env": env,
        "state": dict(state),
    }
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    status = 500
    out_headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, out_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            out_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await app(scope, receive, send)
    finally:
        await _lifespan(app, "shutdown", state)
    return Response(b"".join(chunks), status=status, headers=out_headers)
