"""Conversions between Cloudflare's JS objects and plain Python, used by the entry shell only.

In production these are Pyodide JsProxies; the local runtime provides stand-ins with the same shape, so this code
runs unchanged in both.
"""

from __future__ import annotations

from typing import Any


async def read_raw_email(message: Any) -> bytes:
    """Read a ForwardableEmailMessage's raw MIME stream (single use) into bytes."""
    import js  # Pyodide-only; imported lazily so CPython tooling can import this module

    buffer = await js.Response.new(message.raw).arrayBuffer()
    return bytes(buffer.to_bytes())


def email_sender(message: Any) -> str:
    return str(getattr(message, "from"))
