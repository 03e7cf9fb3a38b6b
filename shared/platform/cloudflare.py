"""Conversions between Cloudflare's JS objects and plain Python, used by the entry shell and the email sender.

In production these are Pyodide JsProxies; the local runtime provides stand-ins with the same shape, so this code
runs unchanged in both. Plain values in and out: the Pyodide tier (tests/pyodide) runs every function here through
the real SDK in real Pyodide.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

MAX_PIECE_BYTES = 128 * 1024  # the most Python copies out of one JS Uint8Array at a time


async def raw_email_chunks(message: Any) -> AsyncGenerator[bytes]:
    """A ForwardableEmailMessage's raw MIME stream (a single-use ReadableStream of Uint8Array), piece by piece.

    Each piece is copied out of the JS heap as it is read, a piece larger than MAX_PIECE_BYTES in slices of that
    size (a view, `subarray`, copied one at a time), so Python never holds the whole message, whatever piece sizes
    the runtime chooses (decision 0015).
    Use it under `contextlib.aclosing`: a consumer that stops early (a refused size, a failed write) or a read that
    fails cancels the stream; the reader's lock is released either way.
    """
    reader = message.raw.getReader()
    try:
        while True:
            result = await reader.read()
            if result.done:
                return
            value = result.value
            size = int(value.byteLength)
            if size <= MAX_PIECE_BYTES:
                yield bytes(value.to_bytes())
                continue
            for start in range(0, size, MAX_PIECE_BYTES):  # a large piece is copied out slice by slice
                yield bytes(value.subarray(start, start + MAX_PIECE_BYTES).to_bytes())
    except BaseException:
        with suppress(Exception):  # an errored stream may refuse cancel(); the original error is what matters
            await reader.cancel()
        raise
    finally:
        reader.releaseLock()


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


async def fetch(url: str, **options: Any) -> Any:
    """The SDK's outbound `workers.fetch` (a `workers.Response`: `.status`, `.headers`, `await .bytes()`), for
    shared/adapters/http.py, which maps its answers and errors onto the HTTP port."""
    from workers import fetch as sdk_fetch

    return await sdk_fetch(url, **options)


async def send_email(binding: Any, message: Mapping[str, Any]) -> dict[str, Any]:
    """Send an Email Service builder message (`from`, `to`, `subject`, `text`/`html`, ...) through `send_email`."""
    from pyodide.ffi import JsProxy

    result = await binding.send(to_js_object(message))
    plain = result.to_py() if isinstance(result, JsProxy) else result
    return dict(plain)
