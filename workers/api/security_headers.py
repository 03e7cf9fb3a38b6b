"""Response headers every answer carries (pure ASGI, outermost, so 500s and 413s from middleware get them too).

- `X-Content-Type-Options: nosniff` everywhere: a browser never guesses a type (a CSV export is not HTML).
- `Cache-Control: no-store` on API and health answers: per-key data never sits in a shared or browser cache.
  `/docs`, `/redoc` and `/openapi.json` are public and may be cached.
- Frame protection everywhere (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`): the docs page, which
  holds an API key in the Authorize dialog, cannot be framed for clickjacking. The CSP sets only frame-ancestors,
  so the Swagger UI's scripts still load.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]

ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)
NO_STORE = (b"cache-control", b"no-store")
CACHEABLE_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


class SecurityHeadersMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(
        self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Message]], send: Any
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(ALWAYS)
        if str(scope.get("path", "")) not in CACHEABLE_PATHS:
            extra.append(NO_STORE)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
