"""The local ASGI bridge builds the scope the SDK builds: same path decoding, header encoding, keys and body.

`cases/asgi_scope.py:exchanges` runs one app over the same requests through the SDK's `asgi.fetch` in real Pyodide
(a JS `Request`) and through local/sdk/asgi.py here (the local `workers.Request`); every result must be equal.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asgi
import pytest
from workers import Request

from tests.pyodide.cases.asgi_scope import REQUESTS, exchanges

NAMES = [name for name, *_ in REQUESTS]


def _local_request(url: str, method: str, headers: list[tuple[str, str]], body: str | None) -> Request:
    return Request(url, method, headers, body.encode() if body is not None else b"")


@pytest.fixture(scope="module")
def production(pyodide: Any) -> dict[str, Any]:
    return pyodide.run("asgi_scope", "sdk_exchanges")


@pytest.fixture(scope="module")
def local() -> dict[str, Any]:
    return asyncio.run(exchanges(asgi.fetch, _local_request))


@pytest.mark.parametrize("name", NAMES)
def test_the_local_bridge_gives_the_sdk_scope(production: dict[str, Any], local: dict[str, Any], name: str) -> None:
    assert local[name] == production[name]


def test_what_the_sdk_scope_is(production: dict[str, Any]) -> None:
    """Pinned on the production side, so both bridges cannot drift together."""
    assert production["plain"]["keys"] == ["asgi", "env", "headers", "http_version", "method", "path",
                                           "query_string", "raw_path", "scheme", "state", "type"]  # fmt: skip
    assert production["plain"]["asgi"] == {"spec_version": "2.0", "version": "3.0"}
    # An encoded "/" is decoded in `path` (routing sees two segments); `raw_path` keeps it.
    assert production["encoded_slash"]["path"] == "/api/prospects/a/b/notes"
    assert production["encoded_slash"]["raw_path"] == "/api/prospects/a%2Fb/notes"
    # A non-latin-1 character is percent-encoded by the URL parser, then decoded into `path`: no error.
    assert production["non_latin1_path"]["path"] == "/api/prospects/Hôtel✓"
    assert production["non_latin1_path"]["raw_path"] == "/api/prospects/H%C3%B4tel%E2%9C%93"
    assert production["dot_segments"]["path"] == "/a/c/"
    assert production["query_encoding"]["query_string"] == "q=a%20b&x=%C3%A9&y=%20"
    # Header values are encoded as UTF-8: the byte-string "Ã´" (a client's UTF-8 "ô") becomes four bytes.
    assert production["utf8_header"]["headers"] == [["x-mixed-case", "1"], ["x-name", "HÃ\x83Â´tel"]]
    assert production["utf8_header"]["header_types"] == ["bytes,bytes"]
    # The body comes as one chunk with more_body=True, then an empty final message.
    assert production["post_body"]["messages"] == [
        {"type": "http.request", "body": '{"name": "Hôtel ✓ naïve"}', "more": True},
        {"type": "http.request", "body": "", "more": False},
    ]
    assert production["plain"]["messages"] == [{"type": "http.request", "body": "", "more": False}]
    # A response header's UTF-8 bytes are decoded as UTF-8 (the wire then carries it as latin-1).
    assert production["plain"]["x_echo"] == "café"


async def test_a_response_header_js_headers_would_refuse_fails_locally_too() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"x-bad", "✓".encode())]})
            await send({"type": "http.response.body", "body": b""})

    with pytest.raises(TypeError, match="Invalid header value"):
        await asgi.fetch(app, Request("https://x.example/"), None)


def test_the_entry_fetch_path_through_workerd(pyodide: Any, production: dict[str, Any]) -> None:
    seen = pyodide.run("asgi_scope", "entry_fetch")
    assert seen["request"] == "workers.request.Request"  # python_from_rpc made the SDK's Request of the JS one
    assert (seen["env"], seen["db"]) == ("_EnvWrapper", "_BindingWrapper")  # scope["env"] is the wrapped env
    assert seen["response"] == "Response" and seen["status"] == 201  # a JS Response back to workerd
    assert seen["echo"] == {k: v for k, v in production["post_body"].items() if k not in {"status", "x_echo"}}
