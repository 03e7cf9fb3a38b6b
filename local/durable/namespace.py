"""The Durable Object namespace binding (`env.WARMUP`): instances, the input gate, RPC dispatch and alarm delivery.

- One live instance per id, built lazily as `cls(ctx, env)` on first use and kept until `evict()`; storage is a
  SQLite file per object, `<state_dir>/<class_name>/<id hex>.sqlite`, so a new namespace on the same directory
  sees everything (a runtime restart).
- Input gate: each call, `fetch` and alarm holds a per-id `asyncio.Lock` from start to finish, so calls to one
  object never interleave; different ids run concurrently. This is stricter than Cloudflare, whose gate also lets
  events in while the object awaits non-storage I/O. A call that would wait on a lock its own call chain holds
  (an object calling itself, A → B → A) raises RuntimeError instead of deadlocking.
- RPC: `await stub.method(*args, **kwargs)` runs a public method (a plain function on the class whose name does not
  start with `_`; sync or async). Arguments and results take the `local.rpc` round trip. Keyword arguments arrive
  as ONE trailing positional dict, as in production (Pyodide turns kwargs into a trailing JS object and the runtime
  calls the method positionally): `stub.add(1, by=2)` calls `add(1, {"by": 2})`.
- Errors raised by the object reach the caller as `DurableObjectError("ValueError: bad input")`; an unknown or
  private method as `RpcMethodNotFound` (both a `DurableObjectError` and a `TypeError`). BaseExceptions such as
  `DurableObjectAbort` propagate unchanged and reset the object.
- Alarms: `run_due_alarms()` fires every alarm due at `clock.now()` — also for objects not in memory — clearing it
  first and calling `alarm(alarm_info)` (relaxed: `alarm(self)` works too) with `{"retryCount": n, "isRetry":
  n > 0}`. A failing handler is retried 2 s, 4 s, … 64 s later (6 retries), then dropped.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import math
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.clock import Clock
from local.durable.alarms import AlarmEntry, AlarmIndex
from local.durable.errors import DurableObjectAbort, DurableObjectError, RpcMethodNotFound
from local.durable.ids import DurableObjectId, id_from_name, id_from_string, new_unique_id
from local.durable.sql import SqliteFile
from local.durable.state import DurableObjectState
from local.durable.storage import DurableObjectStorage
from local.durable.stub import DurableObjectStub, is_rpc_method, relaxed_call, remote_error
from local.rpc import rpc_roundtrip

__all__ = ["MAX_ALARM_RETRIES", "DurableObjectNamespace"]

log = logging.getLogger("local.durable")

MAX_ALARM_RETRIES = 6
FIRST_RETRY_DELAY_MS = 2000

# Lock tokens held by the current call chain (see `_gate`).
_HELD: contextvars.ContextVar[frozenset[object]] = contextvars.ContextVar("jengu_do_held", default=frozenset())


@dataclass(eq=False)
class _Slot:
    id: DurableObjectId
    lock: asyncio.Lock
    db: SqliteFile | None = None
    storage: DurableObjectStorage | None = None
    instance: Any = None
    ctx: DurableObjectState | None = None
    holder: object | None = None
    evict_after: bool = False
    background: list[asyncio.Future[Any]] = field(default_factory=list)


class DurableObjectNamespace:
    """A Durable Object namespace binding backed by per-object SQLite files under `state_dir/class_name/`.

    `env` is read when an instance is constructed, so it can be assigned after construction (`ns.env = env`) once
    the env object that contains this namespace exists.

    At most `max_live` objects keep an instance and an open database; beyond that the least recently used idle
    ones are evicted (Cloudflare evicts idle objects too), so thousands of objects never exhaust file descriptors.
    """

    def __init__(
        self,
        class_name: str,
        cls: type,
        *,
        env: Any = None,
        state_dir: Path,
        clock: Clock,
        max_live: int = 256,
    ) -> None:
        if not class_name or "/" in class_name or class_name.startswith("."):
            raise ValueError(f"invalid Durable Object class name: {class_name!r}")
        self.class_name = class_name
        self.cls = cls
        self.env = env
        self.clock = clock
        self.directory = Path(state_dir) / class_name
        self.max_live = max_live
        self._slots: dict[str, _Slot] = {}
        self._live: OrderedDict[str, _Slot] = OrderedDict()  # slots with an open database, least recent first
        self._alarms = AlarmIndex(self.directory / "_alarms.sqlite")

    # -- binding API (same names as production) -----------------------------------------------------------------

    def idFromName(self, name: str) -> DurableObjectId:
        return id_from_name(self.class_name, name)

    def idFromString(self, hex_id: str) -> DurableObjectId:
        return id_from_string(self.class_name, hex_id)

    def newUniqueId(self, options: Any = None, **_: Any) -> DurableObjectId:
        return new_unique_id(self.class_name)

    def get(self, object_id: DurableObjectId, options: Any = None, **_: Any) -> DurableObjectStub:
        if not isinstance(object_id, DurableObjectId):
            raise TypeError("get() expects a DurableObjectId (use idFromName / idFromString / newUniqueId)")
        if object_id.namespace != self.class_name:
            raise TypeError("Durable Object ID is not valid for this namespace.")
        return DurableObjectStub(self, object_id)

    def getByName(self, name: str, options: Any = None, **_: Any) -> DurableObjectStub:
        return self.get(self.idFromName(name))

    def jurisdiction(self, name: str) -> DurableObjectNamespace:
        return self

    # -- local-only controls -------------------------------------------------------------------------------------

    def peek(self, object_id: DurableObjectId) -> Any:
        """The live instance for `object_id`, or None (tests)."""
        slot = self._slots.get(object_id.toString())
        return None if slot is None else slot.instance

    def evict(self, object_id: DurableObjectId) -> None:
        """Drop the instance (and close its database) as if the runtime evicted it; storage stays on disk. If a call
        is running, the eviction happens when it ends."""
        slot = self._slots.get(object_id.toString())
        if slot is not None:
            self._evict_slot(slot)

    def evict_all(self) -> None:
        for slot in self._slots.values():
            self._evict_slot(slot)

    async def drain(self) -> None:
        """Await `waitUntil` work still running in any object."""
        for slot in list(self._slots.values()):
            await self._finish_wait_until(slot)

    def close(self) -> None:
        """Close every database (await `drain()` first if objects used `waitUntil`). The namespace stays usable:
        databases reopen on the next call."""
        for slot in self._slots.values():
            self._drop(slot)
        self._alarms.close()

    def next_alarm_time(self) -> float | None:
        """Epoch seconds of the earliest scheduled alarm (retries included), or None."""
        at_ms = self._alarms.next_ms()
        return None if at_ms is None else at_ms / 1000

    async def run_due_alarms(self) -> int:
        """Fire every alarm due at `clock.now()`, one object at a time; returns how many handlers ran."""
        now_ms = math.floor(self.clock.now() * 1000)
        fired = 0
        for entry in self._alarms.due(now_ms):
            if await self._fire_alarm(entry, now_ms):
                fired += 1
        return fired

    # -- internals -----------------------------------------------------------------------------------------------

    def _slot(self, object_id: DurableObjectId) -> _Slot:
        hex_id = object_id.toString()
        slot = self._slots.get(hex_id)
        if slot is None:
            slot = self._slots[hex_id] = _Slot(object_id, asyncio.Lock())
        elif slot.id.name is None and object_id.name is not None:
            slot.id = object_id
        return slot

    def _storage(self, slot: _Slot) -> DurableObjectStorage:
        if slot.storage is None:
            hex_id = slot.id.toString()
            slot.db = SqliteFile(self.directory / f"{hex_id}.sqlite")

            def on_alarm_change(at_ms: int | None) -> None:
                self._alarms.set(hex_id, slot.id.name, at_ms)

            slot.storage = DurableObjectStorage(
                slot.db, on_alarm_change, lambda: callable(getattr(self.cls, "alarm", None))
            )
        self._live[slot.id.toString()] = slot
        self._live.move_to_end(slot.id.toString())
        return slot.storage

    def _drop(self, slot: _Slot) -> None:
        slot.instance = None
        slot.ctx = None
        slot.storage = None
        self._live.pop(slot.id.toString(), None)
        if slot.db is not None:
            slot.db.close()
            slot.db = None

    def _trim(self) -> None:
        """Evict least recently used idle objects beyond `max_live`."""
        excess = len(self._live) - self.max_live
        for slot in list(self._live.values()):
            if excess <= 0:
                break
            if not slot.lock.locked() and not slot.background:
                self._drop(slot)
                excess -= 1

    def _evict_slot(self, slot: _Slot) -> None:
        if slot.lock.locked():
            slot.evict_after = True
        else:
            self._drop(slot)

    @asynccontextmanager
    async def _gate(self, slot: _Slot) -> AsyncIterator[None]:
        held = _HELD.get()
        if slot.holder is not None and slot.holder in held:
            raise RuntimeError(
                f"re-entrant call into Durable Object {self.class_name} {slot.id.toString()[:12]}…: the local input "
                "gate serialises calls per object, so a call chain that comes back to an object it is already "
                "inside would deadlock"
            )
        async with slot.lock:
            token = object()
            slot.holder = token
            reset = _HELD.set(held | {token})
            try:
                yield
            finally:
                _HELD.reset(reset)
                slot.holder = None
                if slot.evict_after:
                    slot.evict_after = False
                    self._drop(slot)
        self._trim()

    async def _settle_blocking(self, slot: _Slot) -> DurableObjectError | None:
        """Await pending `blockConcurrencyWhile` callbacks; the first failure (if any) resets the object."""
        failure: DurableObjectError | None = None
        while slot.ctx is not None and (pending := slot.ctx.take_blocking()):
            for result in await asyncio.gather(*pending, return_exceptions=True):
                if isinstance(result, BaseException) and failure is None:
                    failure = remote_error(result)
        if failure is not None:
            self._drop(slot)
        return failure

    async def _instance(self, slot: _Slot) -> Any:
        if slot.instance is None:
            ctx = DurableObjectState(slot.id, self._storage(slot), slot.background)
            slot.ctx = ctx
            try:
                slot.instance = self.cls(ctx, self.env)
            except Exception as exc:
                self._drop(slot)
                raise remote_error(exc) from exc
            failure = await self._settle_blocking(slot)
            if failure is not None:
                raise failure
        return slot.instance

    async def _finish_wait_until(self, slot: _Slot) -> None:
        while slot.background:
            pending, slot.background[:] = list(slot.background), []
            for result in await asyncio.gather(*pending, return_exceptions=True):
                if isinstance(result, BaseException):
                    log.warning("waitUntil task of %s failed: %r", self.class_name, result, exc_info=result)

    async def _run(self, slot: _Slot, invoke: Callable[[Any], Any]) -> Any:
        """Inside the gate: get the instance, run `invoke(instance)`, settle blockConcurrencyWhile work."""
        obj = await self._instance(slot)
        try:
            result = invoke(obj)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            await self._settle_blocking(slot)
            if isinstance(exc, RpcMethodNotFound):
                raise
            raise remote_error(exc) from exc
        except asyncio.CancelledError:
            raise
        except BaseException:
            self._drop(slot)
            raise
        failure = await self._settle_blocking(slot)
        if failure is not None:
            raise failure
        return result

    async def _call(self, object_id: DurableObjectId, method: str, args: list[Any]) -> Any:
        slot = self._slot(object_id)
        try:
            async with self._gate(slot):

                def invoke(obj: Any) -> Any:
                    if not is_rpc_method(type(obj), method):
                        raise RpcMethodNotFound(
                            f'TypeError: The RPC receiver does not implement the method "{method}".',
                            remote_type="TypeError",
                        )
                    return getattr(obj, method)(*args)

                result = await self._run(slot, invoke)
                try:
                    return rpc_roundtrip(result)
                except TypeError as exc:
                    raise remote_error(exc) from exc
        finally:
            await self._finish_wait_until(slot)

    async def _fetch(self, object_id: DurableObjectId, request: Any, init: dict[str, Any]) -> Any:
        from workers import Request

        if isinstance(request, str):
            body = init.get("body") or b""
            request = Request(
                request,
                method=init.get("method", "GET"),
                headers=init.get("headers"),
                body=body.encode("utf-8") if isinstance(body, str) else bytes(body),
            )
        slot = self._slot(object_id)
        try:
            async with self._gate(slot):

                def invoke(obj: Any) -> Any:
                    handler = getattr(obj, "fetch", None)
                    if not callable(handler):
                        raise RpcMethodNotFound(
                            'TypeError: The RPC receiver does not implement the method "fetch".',
                            remote_type="TypeError",
                        )
                    return relaxed_call(handler, request)

                return await self._run(slot, invoke)
        finally:
            await self._finish_wait_until(slot)

    async def _fire_alarm(self, entry: AlarmEntry, now_ms: int) -> bool:
        slot = self._slot(DurableObjectId(entry.hex_id, self.class_name, entry.name))
        hex_id = entry.hex_id
        try:
            async with self._gate(slot):
                storage = self._storage(slot)
                scheduled = storage.read_alarm()
                if scheduled is None or scheduled > now_ms:
                    self._alarms.set(hex_id, entry.name, scheduled)  # the index was stale
                    return False
                storage.write_alarm(None)
                info = {"retryCount": entry.retry, "isRetry": entry.retry > 0}
                try:
                    await self._run(slot, lambda obj: relaxed_call(obj.alarm, info))
                except (Exception, DurableObjectAbort) as exc:
                    self._schedule_retry(slot, entry, exc)
                return True
        finally:
            await self._finish_wait_until(slot)

    def _schedule_retry(self, slot: _Slot, entry: AlarmEntry, exc: BaseException) -> None:
        if entry.retry >= MAX_ALARM_RETRIES:
            log.error(
                "alarm of %s %s failed after %d retries, giving up: %s",
                self.class_name,
                entry.hex_id[:12],
                entry.retry,
                exc,
            )
            return
        at_ms = math.floor(self.clock.now() * 1000) + FIRST_RETRY_DELAY_MS * 2**entry.retry
        log.warning(
            "alarm of %s %s failed (%s); retry %d at %d",
            self.class_name,
            entry.hex_id[:12],
            exc,
            entry.retry + 1,
            at_ms,
        )
        self._storage(slot).write_alarm(at_ms, notify=False)
        self._alarms.set(entry.hex_id, entry.name, at_ms, retry=entry.retry + 1)
