"""Conversions between Cloudflare's JS objects and plain Python, used by the entry shell and the email sender.

In production these are Pyodide JsProxies; the local runtime provides stand-ins with the same shape, so this code
runs unchanged in both. Plain values in and out: the Pyodide tier (tests/pyodide) runs every function here through
the real SDK in real Pyodide.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


async def read_raw_email(message: Any) -> bytes:
    """Read a ForwardableEmailMessage's raw MIME stream (single use) into bytes."""
    import js  # Pyodide-only; imported lazily so CPython tooling can import this module

    buffer = await js.Response.new(message.raw).arrayBuffer()
    return bytes(buffer.to_bytes())


def email_sender(message: Any) -> str:
    return str(getattr(message, "from"))  # `from` is a Python keyword


def email_recipient(message: Any) -> str:
    return str(message.to)


def scheduled_event(controller: Any) -> tuple[str, datetime]:
    """A ScheduledController's cron expression and scheduled time (JS epoch milliseconds) as an aware UTC datetime."""
    return str(controller.cron), datetime.fromtimestamp(float(controller.scheduledTime) / 1000, tz=UTC)


def to_js_object(value: Mapping[str, Any]) -> Any:
    """A Python mapping as a plain JS object (nested mappings too), as bindings outside the SDK's wrap list need.

    `send_email` is such a binding: handed a Python dict it would see a PyProxy without a `from` property.
    """
    import js
    from pyodide.ffi import to_js

    return to_js(dict(value), dict_converter=js.Object.fromEntries)


async def send_email(binding: Any, message: Mapping[str, Any]) -> dict[str, Any]:
    """Send an Email Service builder message (`from`, `to`, `subject`, `text`/`html`, ...) through `send_email`."""
    from pyodide.ffi import JsProxy

    result = await binding.send(to_js_object(message))
    plain = result.to_py() if isinstance(result, JsProxy) else result
    return dict(plain)
