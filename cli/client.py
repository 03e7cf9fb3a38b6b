"""`ApiClient`: the CLI's one way to the HTTP API (httpx, async), and `CliError`, what every failure becomes.

Every answer that is not 2xx turns into `CliError(code, message, exit_code)` from the API's
`{"error": {"code", "message"}}` body (or from the status alone when the body is not ours). The transport is
injectable: tests pass `httpx.ASGITransport(app=create_dev_app(runtime))` and run the local runtime in-process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

EXIT_OK = 0
EXIT_API = 1  # the API refused the request (4xx)
EXIT_USAGE = 2  # the command line was wrong
EXIT_UNAVAILABLE = 3  # the server cannot be reached or failed (5xx)
EXIT_PARTIAL = 4  # done, but not all of it (an import with row errors)

Params = Mapping[str, Any] | None


class CliError(Exception):
    """One line for a person: `error: <code>: <message>`, and the process's exit code."""

    def __init__(self, code: str, message: str, exit_code: int = EXIT_API, *, status: int | None = None,
                 details: Any = None) -> None:  # fmt: skip
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.exit_code = exit_code
        self.status = status
        self.details = details

    @classmethod
    def from_response(cls, response: httpx.Response) -> CliError:
        status = response.status_code
        exit_code = EXIT_UNAVAILABLE if status >= 500 else EXIT_API
        code, message, details = f"http_{status}", response.reason_phrase or f"HTTP {status}", None
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code = str(error.get("code") or code)
            message = str(error.get("message") or message)
            details = error.get("details")
        message = _with_fields(message, details)
        return cls(code, message, exit_code, status=status, details=details)

    def line(self) -> str:
        return f"error: {self.code}: {' '.join(self.message.split())}"


def _with_fields(message: str, details: Any) -> str:
    """A validation failure names its fields: `request validation failed (query.limit: Input should be ...)`."""
    if not isinstance(details, list):
        return message
    parts = [f"{d.get('field')}: {d.get('message')}" for d in details[:3] if isinstance(d, dict) and d.get("field")]
    return f"{message} ({'; '.join(parts)})" if parts else message


class ApiClient:
    """The API at `base_url` with bearer `key`; an async context manager (or call `aclose()`)."""

    def __init__(
        self,
        base_url: str,
        key: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        headers["User-Agent"] = "jengu-cli"
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, headers=headers, transport=transport, timeout=timeout)

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        content: Any = None,
        headers: Mapping[str, str] | None = None,
        accept: Collection[int] = (),
    ) -> httpx.Response:
        """Send one request; a non-2xx answer raises `CliError` (unless its status is in `accept`: `/health` answers
        503 with its report), so does a server that cannot be reached."""
        try:
            response = await self._http.request(
                method, path, params=_clean(params), json=json, content=content, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise CliError("timeout", f"{self.base_url} did not answer in time ({type(exc).__name__})",
                           EXIT_UNAVAILABLE) from exc  # fmt: skip
        except httpx.TransportError as exc:
            raise CliError("unreachable", f"cannot reach {self.base_url}: {exc or type(exc).__name__}",
                           EXIT_UNAVAILABLE) from exc  # fmt: skip
        if response.is_error and response.status_code not in accept:
            raise CliError.from_response(response)
        return response

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise CliError("bad_response", f"{method} {path} did not answer JSON", EXIT_UNAVAILABLE) from exc

    async def get(self, path: str, params: Params = None) -> Any:
        return await self.json("GET", path, params=params)

    async def post(self, path: str, body: Any = None, params: Params = None) -> Any:
        return await self.json("POST", path, json=body, params=params)

    async def pages(self, path: str, params: Params = None, *, limit: int | None = None) -> AsyncIterator[Any]:
        """Every item of a cursor-paginated list (`items`, `next_cursor`), at most `limit` of them."""
        query = dict(params or {})
        seen = 0
        while True:
            page = await self.get(path, query)
            for item in page.get("items", []):
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield item
            cursor = page.get("next_cursor")
            if not cursor:
                return
            query["cursor"] = cursor

    @asynccontextmanager
    async def stream(self, method: str, path: str, *, params: Params = None) -> AsyncIterator[httpx.Response]:
        """A streamed answer (a CSV export); errors are read whole and raised as `CliError`."""
        try:
            async with self._http.stream(method, path, params=_clean(params)) as response:
                if response.is_error:
                    await response.aread()
                    raise CliError.from_response(response)
                yield response
        except httpx.TransportError as exc:
            raise CliError("unreachable", f"cannot reach {self.base_url}: {exc or type(exc).__name__}",
                           EXIT_UNAVAILABLE) from exc  # fmt: skip


def _clean(params: Params) -> dict[str, Any] | None:
    """Query parameters without the unset ones (None, empty lists)."""
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None and v != [] and v != ()}
