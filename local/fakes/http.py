"""The HTTP/1.1 plumbing every local HTTP fake shares: one request per connection (`Connection: close`), `Request`
and `Answer`, scripted modes (`Script`), and `MiniHttpServer` with held connections (a `route` answering None holds
the connection until `stop()` or `hold_s`) and the `/__fake/` control routes (`POST /__fake/script`,
`GET /__fake/requests`). CPython only; never bundled.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def json_answer(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Answer:
    return Answer(status, json.dumps(payload).encode(), {"content-type": "application/json", **(headers or {})})


class Script:
    """Scripted modes, one consumed per provider request; an empty script answers the first mode."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = tuple(allowed)
        self._modes: deque[str] = deque()

    def script(self, modes: Iterable[str]) -> None:
        items = list(modes)
        unknown = [m for m in items if m not in self.allowed]
        if unknown:
            raise ValueError(f"unknown fake modes {unknown}; known: {', '.join(self.allowed)}")
        self._modes.extend(items)

    def next(self) -> str:
        return self._modes.popleft() if self._modes else self.allowed[0]

    def pending(self) -> list[str]:
        return list(self._modes)


class MiniHttpServer:
    """HTTP/1.1 on asyncio streams, one request per connection (`Connection: close`); subclasses implement `route`,
    whose None holds the connection unanswered until stop() (or `hold_s`). `control` answers the fake's own routes
    first: `POST /__fake/script` (a JSON list of modes, while `make dev` runs) and `GET /__fake/requests` (what
    `request_log` gives). `send` writes an answer: override it to write a body yourself (slowly, in pieces)."""

    def __init__(self, modes: Iterable[str], *, host: str = "127.0.0.1", port: int = 0, hold_s: float = 60.0) -> None:
        self.host = host
        self.port = port
        self.hold_s = hold_s
        self.modes = Script(modes)
        self._server: asyncio.Server | None = None
        self._stopping = asyncio.Event()
        self._handlers: set[asyncio.Task[Any]] = set()

    async def start(self) -> Self:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._stopping.set()  # held connections are released first (wait_closed waits for every connection)
        if self._server is not None:
            self._server.close()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def script(self, modes: Iterable[str]) -> None:
        self.modes.script(modes)

    def route(self, request: Request) -> Answer | None:
        raise NotImplementedError

    def control(self, request: Request) -> Answer | None:
        """The fake's own routes, tried before `route` (None: not one of them); a ValueError or KeyError raised
        here answers `control_error`. Subclasses add theirs and fall back on this one."""
        path = request.path.rstrip("/")
        if path == "/__fake/script" and request.method == "POST":
            return json_answer(200, self.posted_script(request.json()))
        if path == "/__fake/requests" and request.method == "GET" and (log := self.request_log()) is not None:
            return json_answer(200, log)
        return None

    def posted_script(self, body: Any) -> Any:
        """Queue what `POST /__fake/script` sent; the JSON answer says what is pending."""
        if not isinstance(body, list):
            raise ValueError("the script is a JSON list of modes")
        self.script(str(m) for m in body)
        return {"pending": self.modes.pending()}

    def request_log(self) -> Any | None:
        """What `GET /__fake/requests` answers (JSON-ready); None: the route is not served."""
        return None

    def control_error(self, message: str) -> Answer:
        return json_answer(400, {"error": message})

    async def hold(self) -> None:
        """Keep a connection unanswered until stop() or `hold_s`."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.hold_s)

    async def send(self, writer: asyncio.StreamWriter, answer: Answer | None) -> None:
        if answer is None:
            await self.hold()
        elif not answer.drop:
            writer.write(encode_answer(answer))
            await writer.drain()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            request = await read_request(reader)
            if request is None:
                return
            try:
                answer = self.control(request)
            except (ValueError, KeyError) as exc:
                answer = self.control_error(str(exc))
            await self.send(writer, self.route(request) if answer is None else answer)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()
            with suppress(Exception):
                await writer.wait_closed()
            if task is not None:
                self._handlers.discard(task)


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """One HTTP/1.1 request (the fakes close each connection after answering)."""
    line = await reader.readline()
    if not line.strip():
        return None
    method, target, _version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    body = await reader.readexactly(length) if length else b""
    parts = urlsplit(target)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return Request(method.upper(), parts.path, query, headers, body)


def encode_answer(answer: Answer) -> bytes:
    head = [f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, 'Status')}"]
    headers = {**answer.headers, "content-length": str(len(answer.body)), "connection": "close"}
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + answer.body
