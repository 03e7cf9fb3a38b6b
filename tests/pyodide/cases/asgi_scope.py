"""The ASGI scope, request body and response headers the SDK's `asgi.fetch` builds, for the same app and requests
as the local bridge (local/sdk/asgi.py): test_asgi_scope.py holds both to the same result.

`exchange` is plain Python over any `fetch(app, request, env)`; only building the request differs.
"""

from __future__ import annotations

import json
from typing import Any

# (name, url, method, headers, body). Header values are what the runtime hands over: strings of bytes (a client's
# UTF-8 "é" arrives as the two characters "Ã©"), hence the latin-1 header below.
REQUESTS: list[tuple[str, str, str, list[tuple[str, str]], str | None]] = [
    ("plain", "https://api.jengu.example/api/prospects?limit=10&q=h%C3%B4tel", "GET",
     [("accept", "application/json"), ("x-list", "a, b")], None),
    ("encoded_slash", "https://api.jengu.example/api/prospects/a%2Fb/notes", "GET", [], None),
    ("non_latin1_path", "https://api.jengu.example/api/prospects/Hôtel✓", "GET", [], None),
    ("encoded_utf8_path", "https://api.jengu.example/caf%C3%A9/%E2%9C%93", "GET", [], None),
    ("dot_segments", "https://api.jengu.example/a/./b/../c/", "GET", [], None),
    ("query_encoding", "https://api.jengu.example/s?q=a b&x=é&y=%20", "GET", [], None),
    ("empty_query", "https://api.jengu.example/p?", "GET", [], None),
    ("port_and_http", "http://localhost:8787/live", "HEAD", [], None),
    ("utf8_header", "https://api.jengu.example/h", "GET", [("x-name", "HÃ´tel"), ("X-Mixed-Case", "1")], None),
    ("post_body", "https://api.jengu.example/api/prospects", "POST",
     [("content-type", "application/json"), ("content-length", "27")], '{"name": "Hôtel ✓ naïve"}'),
]  # fmt: skip

ENV_MARKER = "the env object"


async def app(scope: Any, receive: Any, send: Any) -> None:
    """Echo the scope (its keys, and every value but env/state) and every request message as JSON."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    messages = []
    while True:
        message = await receive()
        body = message.get("body", b"").decode()
        messages.append({"type": message["type"], "body": body, "more": message.get("more_body")})
        if not message.get("more_body"):
            break
    echo = {
        "keys": sorted(scope),
        "type": scope["type"],
        "asgi": scope["asgi"],
        "http_version": scope["http_version"],
        "method": scope["method"],
        "scheme": scope["scheme"],
        "path": scope["path"],
        "raw_path": scope["raw_path"].decode("latin-1"),
        "query_string": scope["query_string"].decode("latin-1"),
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"] if k != b"host"],
        "header_types": sorted({f"{type(k).__name__},{type(v).__name__}" for k, v in scope["headers"]}),
        "env_is_passed": scope["env"] is not None,
        "state": type(scope.get("state")).__name__,
        "messages": messages,
    }
    await send({"type": "http.response.start", "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"x-echo", "café".encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": json.dumps(echo).encode()})


async def exchanges(fetch: Any, make_request: Any) -> dict[str, Any]:
    """Every request of `REQUESTS` through `fetch(app, request, env)`: the status, a response header, the echo."""
    out: dict[str, Any] = {}
    for name, url, method, headers, body in REQUESTS:
        response = await fetch(app, make_request(url, method, headers, body), {"marker": ENV_MARKER})
        out[name] = {"status": int(response.status), "x_echo": str(response.headers.get("x-echo"))}
        out[name] |= json.loads(await response.text())
    return out


async def sdk_exchanges() -> dict[str, Any]:
    import asgi
    import jengu_mocks

    def make_request(url: str, method: str, headers: list[tuple[str, str]], body: str | None) -> Any:
        return jengu_mocks.makeRequest(url, method, json.dumps(headers), body)

    return await exchanges(asgi.fetch, make_request)


async def entry_fetch() -> dict[str, Any]:
    """`workers/entry.py`'s fetch shape, called as workerd calls it: relaxed, the JS Request through python_from_rpc,
    `asgi.fetch(app, request.js_object, self.env)`, the JS Response back through python_to_rpc."""
    import asgi
    import jengu_mocks
    from runtime.workerd import call
    from workers import WorkerEntrypoint

    seen: dict[str, Any] = {}

    async def env_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen["env"] = type(scope["env"]).__name__
            seen["db"] = type(scope["env"].DB).__name__
        await app(scope, receive, send)

    class Default(WorkerEntrypoint):
        async def fetch(self, request: Any) -> Any:
            seen["request"] = type(request).__module__ + "." + type(request).__name__
            return await asgi.fetch(env_app, request.js_object, self.env)

    entry = Default(jengu_mocks.ExecutionContext.new(), jengu_mocks.makeEnv())
    _, url, method, headers, body = REQUESTS[-1]
    response = await call(entry, "fetch", jengu_mocks.makeRequest(url, method, json.dumps(headers), body))
    seen["response"] = str(response.constructor.name)
    seen["status"] = int(response.status)
    seen["echo"] = json.loads(await response.text())
    return seen
