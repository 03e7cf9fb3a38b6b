"""The HTTP port over the Workers SDK's outbound `fetch` (shared/platform/cloudflare.py), for every outbound call.

Error translation (nothing else escapes `request`):

    asyncio.CancelledError       re-raised untouched (the invocation is being cancelled)
    no complete answer in time   -> HttpTimeout (the whole exchange, headers and body, is under the one timeout)
    anything else fetch raises   -> HttpError (OSError from the SDK's shim, a Pyodide/JS error, a TypeError...)

Any status is an answer: a 4xx or 5xx is an `HttpResponse`, never an exception. Error messages name the method,
scheme, host and path only: never the query string or headers, where credentials may travel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from shared.ports.http import HttpError, HttpResponse, HttpTimeout

FetchFn = Callable[..., Awaitable[Any]]  # `workers.fetch(url, method=..., headers=..., body=...)`


class WorkersFetch:
    """`HttpClient` over `workers.fetch`; `fetch` may be injected (tests), else the SDK's is used on first call."""

    def __init__(self, fetch: FetchFn | None = None) -> None:
        self._fetch = fetch

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        timeout_s: float,
        redirect: Literal["follow", "manual"] = "follow",
    ) -> HttpResponse:
        fetch = self._fetch
        if fetch is None:
            from shared.platform.cloudflare import fetch as platform_fetch

            fetch = platform_fetch
        options: dict[str, Any] = {"method": method.upper(), "headers": dict(headers or {})}
        if body is not None:
            options["body"] = body
        if redirect == "manual":  # fetch's own default is "follow"; only the exception is passed
            options["redirect"] = "manual"

        async def exchange() -> HttpResponse:
            response = await fetch(url, **options)
            data = await response.bytes()
            return HttpResponse(status=int(response.status), body=bytes(data), headers=lower_headers(response.headers))

        try:
            return await asyncio.wait_for(exchange(), timeout_s)
        except TimeoutError:
            raise HttpTimeout(f"{method.upper()} {where(url)}: no complete answer within {timeout_s:g} s") from None
        except HttpError:
            raise
        except Exception as exc:  # the SDK raises OSError, JsException or its own types: all mean "no answer"
            raise HttpError(f"{method.upper()} {where(url)}: {type(exc).__name__}: {_first_line(exc)}") from None


def lower_headers(headers: Any) -> dict[str, str]:
    """Response headers (an HTTPMessage in the SDK, a mapping or pairs elsewhere) as a dict with lower-case names;
    repeated names are joined with ", " (RFC 9110 §5.3)."""
    if headers is None:
        return {}
    pairs = headers.items() if hasattr(headers, "items") else headers
    result: dict[str, str] = {}
    for name, value in pairs:
        key = str(name).lower()
        text = str(value).strip()
        result[key] = f"{result[key]}, {text}" if key in result else text
    return result


def where(url: str) -> str:
    """The URL for an error message: scheme, host, port and path, never the query string (credentials travel there)."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unparseable URL)"
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else "(no message)"
