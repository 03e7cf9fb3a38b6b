"""`LocalSocketOpener`: the `StreamOpener` of the local runtime and tests, over asyncio streams (+ ssl for TLS).

The local runtime binds it as `env.JENGU_SOCKETS` (a host binding Cloudflare never sets), so
`shared.adapters.mail.smtp.opener_for(env)` picks it instead of the Workers socket API. `tls="on"` wraps the
connection in TLS from the start, `"starttls"` allows one `start_tls()` upgrade, `"off"` stays plain, as
`secureTransport` does. Certificates are verified with the default context unless a test passes its own.
"""

from __future__ import annotations

import asyncio
import ssl
from contextlib import suppress

from shared.ports.streams import StreamClosed, TlsMode

READ_SIZE = 64 * 1024


class LocalSocketStream:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        host: str,
        tls: TlsMode,
        context: ssl.SSLContext,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._host = host
        self._tls = tls
        self._context = context
        self.secure = tls == "on"

    async def read(self) -> bytes:
        try:
            return await self._reader.read(READ_SIZE)
        except (OSError, ssl.SSLError) as exc:
            raise StreamClosed(f"read from {self._host}: {type(exc).__name__}") from None

    async def write(self, data: bytes) -> None:
        try:
            self._writer.write(data)
            await self._writer.drain()
        except (OSError, ssl.SSLError, RuntimeError) as exc:
            raise StreamClosed(f"write to {self._host}: {type(exc).__name__}") from None

    async def start_tls(self) -> LocalSocketStream:
        if self._tls != "starttls" or self.secure:
            raise StreamClosed("start_tls needs a stream opened with tls='starttls', once")
        try:
            await self._writer.start_tls(self._context, server_hostname=self._host)
        except (OSError, ssl.SSLError) as exc:
            raise StreamClosed(f"TLS with {self._host}: {type(exc).__name__}") from None
        self.secure = True
        return self

    async def close(self) -> None:
        self._writer.close()
        with suppress(Exception):
            await self._writer.wait_closed()


class LocalSocketOpener:
    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self._context = context

    async def open(self, host: str, port: int, *, tls: TlsMode, timeout_s: float) -> LocalSocketStream:
        context = self._context or ssl.create_default_context()
        try:
            async with asyncio.timeout(timeout_s):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=context if tls == "on" else None, server_hostname=host if tls == "on" else None
                )
        except (OSError, ssl.SSLError) as exc:
            raise StreamClosed(f"connect to {host}:{port}: {type(exc).__name__}: {exc}") from None
        return LocalSocketStream(reader, writer, host=host, tls=tls, context=context)
