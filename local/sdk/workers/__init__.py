"""CPython stand-in for the `workers` SDK module (workers-runtime-sdk): entry classes, Request and Response.

Only the surface Jengu uses: `WorkerEntrypoint` and `DurableObject` (constructed as `(ctx, env)` and exposing
`self.ctx` / `self.env`), `Request` (url, method, headers, text/json/bytes) and `Response` (body, status, headers,
`Response.json`). The local runtime builds these from its HTTP server; the real SDK builds them from JS objects.
`fetch` performs the request over real HTTP (httpx) and answers a `FetchResponse` (status, ok, headers,
`await bytes()/text()/json()`), raising OSError when no answer arrives, as the SDK's fetch shim does; it honours
`redirect="manual"` and, with env `JENGU_WEB_FAKE_URL`, sends web requests to the local website fake (see `fetch`).
"""

from __future__ import annotations

import functools
import ipaddress
import json as _json
import os
import ssl
from collections.abc import Iterable, Mapping
from email.message import Message
from http import HTTPMethod
from typing import Any
from urllib.parse import urljoin, urlsplit

__all__ = [
    "DurableObject",
    "FetchResponse",
    "Request",
    "Response",
    "WorkerEntrypoint",
    "fetch",
    "import_from_javascript",
]


class WorkerEntrypoint:
    def __init__(self, ctx: Any, env: Any) -> None:
        self.ctx = ctx
        self.env = env


class DurableObject:
    def __init__(self, ctx: Any, env: Any) -> None:
        self.ctx = ctx
        self.env = env


def _headers(items: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Message:
    msg = Message()
    if items is None:
        return msg
    pairs = items.items() if isinstance(items, Mapping) else items
    for name, value in pairs:
        msg[name] = value
    return msg


class Request:
    """Like `workers.Request`: `.url`, `.method` (HTTPMethod), `.headers` (http.client.HTTPMessage-like)."""

    def __init__(
        self,
        url: str,
        method: str = "GET",
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        body: bytes = b"",
    ) -> None:
        self.url = url
        # Any method token reaches the Worker, as in workerd (the app answers 405); known ones as HTTPMethod.
        upper = method.upper()
        self.method = HTTPMethod(upper) if upper in HTTPMethod._value2member_map_ else upper
        self.headers = _headers(headers)
        self._body = body
        self._used = False
        # The real SDK exposes the JS request; the local `asgi.fetch` accepts this object itself.
        self.js_object = self

    async def bytes(self) -> bytes:
        if self._used:
            raise OSError("Body already used")
        self._used = True
        return self._body

    async def text(self) -> str:
        return (await self.bytes()).decode("utf-8")

    async def json(self) -> Any:
        return _json.loads(await self.text())


class Response:
    def __init__(
        self,
        body: str | bytes | None = None,
        status: int = 200,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        self.body: bytes = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        self.status = status
        pairs = headers.items() if isinstance(headers, Mapping) else (headers or [])
        self.header_list: list[tuple[str, str]] = [(k, v) for k, v in pairs]
        if isinstance(body, str) and not any(k.lower() == "content-type" for k, _ in self.header_list):
            self.header_list.append(("content-type", "text/plain;charset=UTF-8"))

    @property
    def headers(self) -> Message:
        return _headers(self.header_list)

    @classmethod
    def json(
        cls,
        data: Any,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        merged = {"content-type": "application/json", **(headers or {})}
        return cls(_json.dumps(data), status=status, headers=merged)

    async def text(self) -> str:
        return self.body.decode("utf-8")


class FetchResponse:
    """What `workers.fetch` answers: `.status`, `.ok`, `.url`, `.headers` (HTTPMessage-like), a single-use body."""

    def __init__(self, url: str, status: int, headers: Iterable[tuple[str, str]], body: bytes) -> None:
        self.url = url
        self.status = status
        self.ok = 200 <= status < 300
        self.header_list = list(headers)
        self._body = body
        self._used = False

    @property
    def headers(self) -> Message:
        return _headers(self.header_list)

    async def bytes(self) -> bytes:
        if self._used:
            raise OSError("Body already used")
        self._used = True
        return self._body

    async def text(self) -> str:
        return (await self.bytes()).decode("utf-8", errors="replace")

    async def json(self) -> Any:
        return _json.loads(await self.bytes())


async def fetch(
    resource: str,
    *,
    method: str | HTTPMethod = "GET",
    headers: Mapping[str, str] | None = None,
    body: str | bytes | None = None,
    redirect: str = "follow",
    **_options: Any,
) -> FetchResponse:
    """Like the SDK's `fetch`: no timeout of its own (callers bound it), any status is an answer, and a request
    that gets none (refused, reset, DNS) raises OSError. `redirect`: "follow" (at most 20 hops, 303 and a
    redirected POST become GET, Authorization dropped across origins), "manual" (a 3xx is the answer, its Location
    readable, as workerd answers), "error" (a redirect raises).

    With env `JENGU_WEB_FAKE_URL` set (the local website fake, local/fakes/websites.py), a request for a host that
    is not loopback goes to that base URL instead, with the original `Host` header and `X-Forwarded-Proto`: so
    `https://www.sonnenhof-hotel.example/` reaches the fake's page for that hotel, hop by hop when following
    redirects. Loopback hosts (the other fakes, the local runtime) are reached directly."""
    import httpx  # local only; never imported by the Worker's own modules

    verb = method.value if isinstance(method, HTTPMethod) else str(method).upper()
    content = body.encode("utf-8") if isinstance(body, str) else body
    sent = dict(headers or {})
    url = resource
    try:
        # The transport, not a client: httpx's client parses a redirect's Location even when not following it, and
        # fails on one it cannot parse (mailto:, a bare "http:"), where fetch would answer the 3xx.
        async with httpx.AsyncHTTPTransport(verify=_tls_context()) as transport:
            for _hop in range(21):
                target, routed = _web_fake_route(url, sent)
                answer = await transport.handle_async_request(
                    httpx.Request(verb, target, headers=routed, content=content)
                )
                data = await answer.aread()
                location = answer.headers.get("location")
                if answer.status_code not in _REDIRECTS or not location or redirect == "manual":
                    return FetchResponse(url, answer.status_code, answer.headers.multi_items(), data)
                if redirect == "error":
                    raise OSError(f"fetch failed: unexpected redirect to {location}")
                following = urljoin(url, location)
                if urlsplit(following).netloc.lower() != urlsplit(url).netloc.lower():
                    sent = {k: v for k, v in sent.items() if k.lower() != "authorization"}
                status = answer.status_code
                if (status == 303 and verb != "HEAD") or (status in (301, 302) and verb == "POST"):
                    verb, content = "GET", None
                    sent = {k: v for k, v in sent.items() if not k.lower().startswith("content-")}
                url = following
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise OSError(f"fetch failed: {type(exc).__name__}: {exc}") from None
    raise OSError("fetch failed: redirect count exceeded")


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every fetch: building one loads the CA bundle (~18 ms), which dominated local runs."""
    return ssl.create_default_context()


def _web_fake_route(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Where the request goes: to env `JENGU_WEB_FAKE_URL` (carrying Host and X-Forwarded-Proto) for a host that is
    not loopback while that is set, else where it says."""
    fake = os.environ.get("JENGU_WEB_FAKE_URL", "").strip()
    parts = urlsplit(url)
    if not fake or _loopback(parts.hostname or ""):
        return url, headers
    path = parts.path or "/"
    routed = {k: v for k, v in headers.items() if k.lower() not in ("host", "x-forwarded-proto")}
    routed.update({"Host": parts.netloc, "X-Forwarded-Proto": parts.scheme})
    return fake.rstrip("/") + path + (f"?{parts.query}" if parts.query else ""), routed


def _loopback(host: str) -> bool:
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def import_from_javascript(name: str) -> Any:
    """The SDK's JS module import, for the modules Jengu uses: `cloudflare:email` (its EmailMessage is the local
    runtime's RawEmailMessage). `cloudflare:sockets` is not stood in: the local runtime lends a socket opener instead
    (env `JENGU_SOCKETS`)."""
    if name == "cloudflare:email":
        from types import SimpleNamespace

        from local.email.send_email import RawEmailMessage

        return SimpleNamespace(EmailMessage=RawEmailMessage)
    raise ImportError(f"the local runtime has no stand-in for the JS module {name!r}")
