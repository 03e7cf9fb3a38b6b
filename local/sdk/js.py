"""CPython stand-in for Pyodide's `js` module: `Response.new(stream).arrayBuffer()`, `Headers.new` and
`Object.fromEntries`.

`Object.fromEntries` gives a plain JS object (`pyodide.ffi.JsObject`), not a dict, as in production.

`Response.new(stream).arrayBuffer()` reads a local stream whole; the email handler reads `message.raw` piece by
piece with its reader instead (shared/platform/cloudflare.py). `Headers.new` builds what `message.forward()` takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyodide.ffi import JsObject


class _ArrayBuffer:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def to_bytes(self) -> bytes:
        return self._data


class _Response:
    def __init__(self, body: Any) -> None:
        self._body = body

    async def arrayBuffer(self) -> _ArrayBuffer:
        body = self._body
        if hasattr(body, "read_all"):
            return _ArrayBuffer(await body.read_all())
        if isinstance(body, (bytes, bytearray, memoryview)):
            return _ArrayBuffer(bytes(body))
        if isinstance(body, str):
            return _ArrayBuffer(body.encode("utf-8"))
        raise TypeError(f"cannot read a body of type {type(body).__name__}")


class Response:
    @staticmethod
    def new(body: Any) -> _Response:
        return _Response(body)


class Headers:
    """`new Headers(init)`: the local email stand-in's Headers (what `message.forward()` accepts)."""

    @staticmethod
    def new(init: Any = ()) -> Any:
        from local.email.message import Headers as LocalHeaders  # local/ imports this module, not the reverse

        return LocalHeaders.new(init)


class Object:
    @staticmethod
    def fromEntries(entries: Iterable[tuple[str, Any]]) -> JsObject:
        return JsObject(entries)
