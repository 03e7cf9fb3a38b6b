"""CPython stand-in for the SDK's `asgi` module: `await asgi.fetch(app, request, env)` runs an ASGI app.

Mirrors workers-runtime-sdk 1.9.5 `workers/asgi.py` (`request_to_scope`, `process_request`), which the Pyodide tier
(tests/pyodide/test_asgi_scope.py) holds this module to, request by request:
- the URL is parsed as the runtime's WHATWG `URL` does (non-ASCII and unsafe characters percent-encoded, dot
  segments removed, `\\` read as `/`); `path` is the percent-decoded pathname (so `%2F` becomes `/`), `raw_path`
  the encoded one, `query_string` the encoded search without `?`;
- request headers arrive as the Fetch `Headers` iterates them (lower-case names, sorted, repeats joined by ", ")
  and are encoded as UTF-8, response headers decoded as UTF-8 and refused, as JS `Headers` refuses them, when a
  value has a character beyond U+00FF or a line break;
- the scope holds exactly the SDK's keys (no `client`, `server` or `root_path`), `env` as `scope["env"]`;
- the body is delivered as the SDK delivers it: each chunk with `more_body=True`, then an empty final message;
  after that `receive()` waits until the response is complete and answers `http.disconnect`;
- lifespan startup/shutdown run around every call (as they do on Workers).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from workers import Request, Response

if TYPE_CHECKING:  # imported where used: Pyodide has loaded asyncio before any Worker code, so importing this
    import asyncio  # stand-in must not charge it to the entry's startup (decision 0012)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

ASGI = {"spec_version": "2.0", "version": "3.0"}  # the SDK's value, for http and lifespan scopes alike

# WHATWG URL percent-encode sets (https://url.spec.whatwg.org/#percent-encoded-bytes): what stays as it is.
_ASCII_PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))
_PATH_SAFE = "".join(c for c in _ASCII_PRINTABLE if c not in '"#<>?`{}')
_QUERY_SAFE = "".join(c for c in _ASCII_PRINTABLE if c not in "\"#<>'")
_SINGLE_DOT = re.compile(r"^(\.|%2e)$", re.IGNORECASE)
_DOUBLE_DOT = re.compile(r"^(\.|%2e)(\.|%2e)$", re.IGNORECASE)
_BAD_HEADER_VALUE = re.compile(r"[^\x00-\xff]|[\r\n\x00]")


def _pathname(path: str) -> str:
    """`new URL(url).pathname` for an http(s) URL's path."""
    segments: list[str] = []
    parts = path.replace("\\", "/").split("/")[1:] if path else [""]
    for i, segment in enumerate(parts):
        last = i == len(parts) - 1
        if _DOUBLE_DOT.match(segment):
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif _SINGLE_DOT.match(segment):
            if last:
                segments.append("")
        else:
            segments.append(quote(segment, safe=_PATH_SAFE))
    return "/" + "/".join(segments)


def _fetch_headers(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Header pairs as a Fetch `Headers` object iterates them: lower-case, sorted, repeated names combined."""
    combined: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        combined[key] = f"{combined[key]}, {value}" if key in combined else value
    return sorted(combined.items())


def _response_header(name: bytes, value: bytes) -> tuple[str, str]:
    text = value.decode()  # the SDK decodes as UTF-8, then JS `Headers` takes only byte strings
    if _BAD_HEADER_VALUE.search(text):
        raise TypeError(f"Invalid header value for {name.decode(errors='replace')!r}")
    return name.decode(), text.strip(" \t")


def request_to_scope(request: Request, env: Any, state: dict[str, Any]) -> Scope:
    parts = urlsplit(request.url)
    pathname = _pathname(parts.path)
    return {
        "asgi": ASGI,
        "headers": [(k.encode(), v.encode()) for k, v in _fetch_headers(request.headers.items())],
        "http_version": "1.1",
        "method": str(request.method),  # any method token (workerd passes e.g. QUERY through; the app answers 405)
        "scheme": parts.scheme,
        "path": unquote(pathname),
        "raw_path": pathname.encode(),
        "query_string": quote(parts.query, safe=_QUERY_SAFE).encode(),
        "type": "http",
        "env": env,
        "state": dict(state),
    }


async def _start_application(app: ASGIApp) -> tuple[Callable[[], Awaitable[None]], dict[str, Any]]:
    """One lifespan startup/shutdown cycle around a request, as the SDK's `start_application` drives it: the app's
    lifespan runs as one task; an app without lifespan support (it raises or returns before acking) is served
    anyway; `lifespan.startup.failed` raises."""
    import asyncio

    queue: asyncio.Queue[Message] = asyncio.Queue()
    state: dict[str, Any] = {}
    loop = asyncio.get_running_loop()
    startup: asyncio.Future[bool] = loop.create_future()
    shutdown_complete: asyncio.Future[None] = loop.create_future()
    await queue.put({"type": "lifespan.startup"})

    async def send(message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete" and not startup.done():
            startup.set_result(True)
        elif kind == "lifespan.startup.failed" and not startup.done():
            startup.set_exception(RuntimeError(message.get("message") or "ASGI lifespan startup failed"))
        elif kind == "lifespan.shutdown.complete" and not shutdown_complete.done():
            shutdown_complete.set_result(None)
        elif kind == "lifespan.shutdown.failed" and not shutdown_complete.done():
            shutdown_complete.set_exception(RuntimeError(message.get("message") or "ASGI lifespan shutdown failed"))

    async def run() -> None:
        try:
            await app({"asgi": ASGI, "state": state, "type": "lifespan"}, queue.get, send)
        except Exception:
            if not startup.done():
                startup.set_result(False)  # no lifespan support: serve the request anyway
        finally:
            if not startup.done():
                startup.set_result(False)
            if not shutdown_complete.done():
                shutdown_complete.set_result(None)

    task = asyncio.ensure_future(run())

    async def shutdown() -> None:
        if startup.result():
            await queue.put({"type": "lifespan.shutdown"})
            await shutdown_complete
        await task

    await startup
    return shutdown, state


async def fetch(app: ASGIApp, request: Request, env: Any) -> Response:
    import asyncio

    body = await request.bytes()
    shutdown, state = await _start_application(app)
    scope = request_to_scope(request, env, state)
    pending: list[Message] = [{"body": body, "more_body": True, "type": "http.request"}] if body else []
    pending.append({"body": b"", "more_body": False, "type": "http.request"})
    finished = asyncio.Event()

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        await finished.wait()
        return {"type": "http.disconnect"}

    status = 500
    out_headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, out_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            out_headers = [_response_header(k, v) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                finished.set()

    try:
        await app(scope, receive, send)
    finally:
        finished.set()
        await shutdown()
    return Response(b"".join(chunks), status=status, headers=out_headers)
