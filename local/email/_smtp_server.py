"""The one way the local runtime hosts an SMTP server: aiosmtpd's `SMTP` protocol inside the running event loop.

No threads and no aiosmtpd `Controller`: `start()` calls `loop.create_server(...)` on the caller's loop, so the
listener lives and dies with the runtime (or the test) that owns it. Port 0 binds an ephemeral port; read `.port`
after `start()`.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, Self

from aiosmtpd.smtp import SMTP

LOCAL_HOST = "127.0.0.1"
SERVER_HOSTNAME = "jengu.localhost"  # EHLO greeting name; avoids aiosmtpd's slow socket.getfqdn() lookup


class LoopSmtpServer:
    """Base for the inbound listener and the outbound sink: subclasses provide the aiosmtpd handler object."""

    def __init__(self, handler: Any, *, host: str, port: int, data_size_limit: int | None) -> None:
        self._handler = handler
        self._host = host
        self._requested_port = port
        self._data_size_limit = data_size_limit
        self._server: asyncio.Server | None = None

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        """The bound port (the real one when constructed with port 0). Only valid while started."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def started(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None:
            return
        loop = asyncio.get_running_loop()

        def factory() -> SMTP:
            return SMTP(
                self._handler,
                hostname=SERVER_HOSTNAME,
                data_size_limit=self._data_size_limit,
                enable_SMTPUTF8=True,
                loop=loop,
            )

        self._server = await loop.create_server(factory, host=self._host, port=self._requested_port)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        server.close_clients()  # idle SMTP sessions would otherwise keep wait_closed() waiting
        await server.wait_closed()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
