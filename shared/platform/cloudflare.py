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

from shared.ports.streams import StreamClosed, TlsMode

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


def email_module() -> Any:
    """`cloudflare:email`, through the SDK's import_from_javascript (JSPI: inside a handler only)."""
    from workers import import_from_javascript  # the SDK's; local/sdk stands in

    return import_from_javascript("cloudflare:email")


async def send_raw_email(binding: Any, mail_from: str, rcpt_to: str, raw: bytes) -> dict[str, Any]:
    """Send a complete RFC 5322 message through `send_email` as a `cloudflare:email` EmailMessage (imported on first
    use): every header we built (Message-ID, threading, List-Unsubscribe) goes out as written."""
    from pyodide.ffi import JsProxy

    message = email_module().EmailMessage.new(mail_from, rcpt_to, raw.decode("ascii"))
    result = await binding.send(message)
    plain = result.to_py() if isinstance(result, JsProxy) else result
    return dict(plain) if plain else {}


class WorkersSocketOpener:
    """`StreamOpener` over the Workers socket API (`cloudflare:sockets` `connect`, imported on first use).

    `tls` is `secureTransport` as is ("on", "starttls", "off"). A stream reads and writes Uint8Array chunks through
    the socket's reader and writer; `start_tls()` releases both locks (workerd detaches the plain streams and they
    must not be locked), calls `socket.startTls()` and waits for the upgraded socket to open. JS errors become
    `StreamClosed`, naming the step only.
    """

    async def open(self, host: str, port: int, *, tls: TlsMode, timeout_s: float) -> WorkersSocketStream:
        import asyncio

        from workers import import_from_javascript  # the SDK's; local/sdk stands in for cloudflare:email

        sockets = import_from_javascript("cloudflare:sockets")
        try:
            socket = sockets.connect(
                to_js_object({"hostname": host, "port": port}),
                to_js_object({"secureTransport": tls, "allowHalfOpen": False}),
            )
        except Exception as exc:  # an invalid address, port 25: connect() throws at once
            raise StreamClosed(f"connect to {host}:{port}: {_js_error(exc)}") from None
        stream = WorkersSocketStream(socket, f"{host}:{port}")
        try:
            async with asyncio.timeout(timeout_s):
                await socket.opened
        except TimeoutError:
            await stream.close()
            raise
        except Exception as exc:
            await stream.close()
            raise StreamClosed(f"connect to {host}:{port}: {_js_error(exc)}") from None
        return stream


class WorkersSocketStream:
    """One `cloudflare:sockets` Socket as a `ByteStream`."""

    def __init__(self, socket: Any, where: str) -> None:
        self._socket = socket
        self._where = where
        self._reader = socket.readable.getReader()
        self._writer = socket.writable.getWriter()

    async def read(self) -> bytes:
        try:
            chunk = await self._reader.read()
        except Exception as exc:
            raise StreamClosed(f"read from {self._where}: {_js_error(exc)}") from None
        if chunk.done:
            return b""
        return bytes(chunk.value.to_bytes())

    async def write(self, data: bytes) -> None:
        from pyodide.ffi import to_js

        try:
            await self._writer.write(to_js(data))  # a Uint8Array, as the writable stream requires
        except Exception as exc:
            raise StreamClosed(f"write to {self._where}: {_js_error(exc)}") from None

    async def start_tls(self) -> WorkersSocketStream:
        self._reader.releaseLock()
        self._writer.releaseLock()
        try:
            secure = self._socket.startTls()
        except Exception as exc:  # not a "starttls" socket, or a second call: this stream stays usable
            self._reader = self._socket.readable.getReader()
            self._writer = self._socket.writable.getWriter()
            raise StreamClosed(f"TLS with {self._where}: {_js_error(exc)}") from None
        try:
            await secure.opened
        except Exception as exc:
            raise StreamClosed(f"TLS with {self._where}: {_js_error(exc)}") from None
        return WorkersSocketStream(secure, self._where)

    async def close(self) -> None:
        with suppress(Exception):
            await self._socket.close()


def _js_error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
