"""Byte streams over TCP, as the SMTP client sees them: the Workers socket API (`cloudflare:sockets`) in production,
asyncio streams in the local runtime and tests, an in-memory script in unit tests.

`tls` chooses how the connection is secured, as `cloudflare:sockets`' `secureTransport` does: "on" is TLS from the
first byte (implicit TLS, port 465), "starttls" opens in plain text and allows one `start_tls()` upgrade later (port
587), "off" stays plain (the local sink). After `start_tls()` only the returned stream may be used.
"""

from __future__ import annotations

from typing import Literal, Protocol

TlsMode = Literal["on", "starttls", "off"]


class StreamClosed(Exception):
    """The connection is gone (reset, refused, closed while writing). Says where, never what was written."""


class ByteStream(Protocol):
    async def read(self) -> bytes:
        """The next bytes that arrived (any amount, at least one), or b"" once the peer closed the connection."""
        ...

    async def write(self, data: bytes) -> None:
        """Send all of `data`; raises StreamClosed when the connection is gone."""
        ...

    async def start_tls(self) -> ByteStream:
        """Upgrade to TLS (only on a stream opened with tls="starttls"); the old stream is unusable afterwards."""
        ...

    async def close(self) -> None:
        """Close the connection; never raises."""
        ...


class StreamOpener(Protocol):
    async def open(self, host: str, port: int, *, tls: TlsMode, timeout_s: float) -> ByteStream:
        """Connect within `timeout_s`; raises StreamClosed (refused, unreachable, TLS failure) or TimeoutError."""
        ...
