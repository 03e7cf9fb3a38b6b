"""`ctx` of a Durable Object (`DurableObjectState`): id, storage, blockConcurrencyWhile, waitUntil, abort."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from local.durable.errors import DurableObjectAbort
from local.durable.ids import DurableObjectId
from local.durable.storage import DurableObjectStorage

__all__ = ["DurableObjectState"]


class DurableObjectState:
    def __init__(
        self,
        object_id: DurableObjectId,
        storage: DurableObjectStorage,
        wait_until_sink: list[asyncio.Future[Any]] | None = None,
    ) -> None:
        self.id = object_id
        self.storage = storage
        self._blocking: list[asyncio.Future[Any]] = []
        # Owned by the namespace so background work outlives an eviction of this instance.
        self._wait_until: list[asyncio.Future[Any]] = [] if wait_until_sink is None else wait_until_sink

    def blockConcurrencyWhile(self, callback: Callable[[], Awaitable[Any] | Any]) -> asyncio.Future[Any]:
        """Start `callback()` now; no other event reaches the object until it finishes. Await the result for its
        value. Works un-awaited in `__init__` too (the runtime waits for it before delivering the first call). If it
        fails, the object is reset and the pending call fails, as on Cloudflare."""
        loop = asyncio.get_running_loop()
        try:
            result = callback()
        except Exception as exc:
            future: asyncio.Future[Any] = loop.create_future()
            future.set_exception(exc)
        else:
            if inspect.isawaitable(result):
                future = asyncio.ensure_future(result)
            else:
                future = loop.create_future()
                future.set_result(result)
        self._blocking.append(future)
        return future

    def waitUntil(self, awaitable: Awaitable[Any]) -> None:
        """Run `awaitable` in the background; the emulator awaits it after the current call (errors are logged)."""
        self._wait_until.append(asyncio.ensure_future(awaitable))

    def abort(self, reason: str | None = None) -> NoReturn:
        """Reset the object: like the SDK, raises `DurableObjectAbort` (a BaseException)."""
        raise DurableObjectAbort(reason or "Durable Object abort requested")

    def take_blocking(self) -> list[asyncio.Future[Any]]:
        taken, self._blocking = self._blocking, []
        return taken
