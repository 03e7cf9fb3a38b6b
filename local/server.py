"""The dev HTTP server (uvicorn on 127.0.0.1:8787): wrangler's local endpoints, the queue report, and the Worker.

- `POST|GET /cdn-cgi/handler/scheduled?cron=<expr>`  runs the scheduled handler and returns when it has finished
- `POST /cdn-cgi/handler/email?from=<addr>&to=<addr>` runs the email handler on the raw RFC 5322 body
- `GET /__local/queues`                               pending / delayed / in-flight / dead-lettered per queue
- `GET|HEAD` of a file in the assets directory         the file, before the Worker, as Workers Static Assets does
                                                       (`[assets] directory` in wrangler.toml, else `public/`)
- anything else                                        the Worker's `fetch` handler
Dev-only: none of this is in the deploy bundle.
"""

from __future__ import annotations

import hashlib
import mimetypes
import tomllib
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, request_response
from workers import Request as WorkerRequest

from local.email import LocalEmailMessage, smtp_transport
from local.runtime import LocalRuntime

MAX_EMAIL_BYTES = 25 * 1024 * 1024


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": None}}, status_code=status)


def _valid_address(value: str | None) -> bool:
    if not value:
        return False
    _, addr = parseaddr(value)
    return "@" in addr and addr == value.strip()


def create_dev_app(runtime: LocalRuntime, *, outbox: Path | None = None) -> Starlette:
    """The dev server: wrangler's local endpoints, `/__local/queues` (queue depths, and where the SMTP sink writes when
    `outbox` is given), the assets directory, then the Worker."""
    forwarder = smtp_transport(port=runtime.smtp_sink_port)

    async def scheduled(request: StarletteRequest) -> Response:
        cron = request.query_params.get("cron", "* * * * *")
        if cron not in runtime.config.crons:
            return _error(400, "unknown_cron", f"{cron!r} is not one of wrangler.toml's triggers.crons")
        try:
            await runtime.scheduled(cron)
        except Exception as exc:
            return _error(500, "scheduled_failed", f"{type(exc).__name__}: {exc}")
        return Response("Ran scheduled event", media_type="text/plain")

    async def email(request: StarletteRequest) -> Response:
        mail_from = request.query_params.get("from")
        rcpt_to = request.query_params.get("to")
        if not _valid_address(mail_from) or not _valid_address(rcpt_to):
            return _error(400, "bad_request", "query parameters 'from' and 'to' must be email addresses")
        raw = await request.body()
        if not raw:
            return _error(400, "bad_request", "the body must be a raw RFC 5322 message")
        if len(raw) > MAX_EMAIL_BYTES:
            return _error(413, "payload_too_large", f"messages are limited to {MAX_EMAIL_BYTES} bytes")
        assert mail_from is not None and rcpt_to is not None
        message = LocalEmailMessage(mail_from, rcpt_to, raw, forwarder=forwarder)
        try:
            await runtime.email(message)
        except Exception as exc:
            return _error(500, "email_failed", f"{type(exc).__name__}: {exc}")
        if message.rejected:
            return _error(
                400, "rejected", f"Worker rejected email with the following reason: {message.rejected_reason}"
            )
        return Response("Worker successfully processed email", media_type="text/plain")

    async def queues(request: StarletteRequest) -> Response:
        body: dict[str, Any] = {"queues": runtime.queue_stats()}
        if outbox is not None:
            body["outbox"] = str(outbox)
        return JSONResponse(body)

    async def worker(request: StarletteRequest) -> Response:
        body = await request.body()
        forwarded = WorkerRequest(_received_url(request), request.method, list(request.headers.items()), body)
        result: Any = await runtime.fetch(forwarded)
        return _with_headers(Response(content=result.body, status_code=result.status), result.header_list)

    assets = assets_directory(runtime.root)

    async def worker_app(scope: Any, receive: Any, send: Any) -> None:
        asset = asset_response(assets, scope)
        if asset is not None:
            await asset(scope, receive, send)
            return
        await request_response(worker)(scope, receive, send)

    app = Starlette(
        routes=[
            Route("/cdn-cgi/handler/scheduled", scheduled, methods=["GET", "POST"]),
            Route("/cdn-cgi/handler/email", email, methods=["POST"]),
            Route("/__local/queues", queues, methods=["GET"]),
        ]
    )
    # Everything else, whatever the method or path (a route pattern would miss paths with a decoded newline).
    app.router.default = worker_app
    return app


def assets_directory(root: Path) -> Path:
    """wrangler.toml's `[assets] directory` (relative to the project), else `public/`."""
    try:
        config = tomllib.loads((root / "wrangler.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError):
        config = {}
    directory = (config.get("assets") or {}).get("directory") or "public"
    return (root / directory).resolve()


def asset_response(directory: Path, scope: Any) -> Response | None:
    """The file a GET/HEAD names under `directory` (no dotfiles, nothing outside it), as Workers Static Assets
    answers it: its type, a strong ETag, `Cache-Control: public, max-age=0, must-revalidate`, 304 on a matching
    If-None-Match. None: the request goes to the Worker."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    path = str(scope.get("path", ""))
    parts = [p for p in path.split("/") if p]
    if not parts or any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None
    candidate = directory.joinpath(*parts)
    try:
        resolved = candidate.resolve()
        if not resolved.is_relative_to(directory) or not resolved.is_file():
            return None
        content = resolved.read_bytes()
    except (OSError, ValueError):
        return None
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=0, must-revalidate"}
    request_headers = {k.lower(): v for k, v in scope.get("headers", [])}
    if request_headers.get(b"if-none-match", b"").decode("latin-1").strip() == etag:
        return Response(status_code=304, headers=headers)
    media = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
    if media.startswith("text/") or media in ("application/javascript", "text/javascript"):
        media += "; charset=utf-8"
    if scope["method"] == "HEAD":
        return Response(media_type=media, headers={**headers, "Content-Length": str(len(content))})
    return Response(content, media_type=media, headers=headers)


def _received_url(request: StarletteRequest) -> str:
    """The URL as the client sent it (percent-encoded, as workerd hands it to the Worker), not Starlette's URL
    rebuilt from the decoded path."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    path = quote(raw, safe="/%:@!$&'()*+,;=-._~")  # bytes outside URL syntax percent-encoded, like a WHATWG URL
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{request.url.scheme}://{request.url.netloc}{path}" + (f"?{query}" if query else "")


def _with_headers(response: Response, headers: list[tuple[str, str]]) -> Response:
    for name, value in headers:
        if name.lower() == "content-length":
            continue
        response.headers.append(name, value)
    return response
