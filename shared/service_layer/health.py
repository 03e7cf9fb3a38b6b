"""Liveness, readiness and health checks over the ports, with latency per component.

`/health` is green only when every component answers: D1, KV, each queue's backlog and a round trip to every
Durable Object namespace. A component that fails makes the report unhealthy (HTTP 503) and says why.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from shared.messages.durable import DURABLE_OBJECT_BINDINGS, HEALTH_PROBE_NAME
from shared.messages.queues import QueueName
from shared.ports.cache import Cache
from shared.ports.durable import DurableObjectPinger
from shared.ports.queues import QueuePublisher
from shared.ports.repositories import SchemaRepository

HEALTH_KEY = "health:probe"


@dataclass(frozen=True, slots=True)
class ComponentHealth:
    name: str
    ok: bool
    latency_ms: float
    detail: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class HealthReport:
    components: list[ComponentHealth]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.components)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "fail",
            "components": {
                c.name: {
                    "status": "ok" if c.ok else "fail",
                    "latency_ms": c.latency_ms,
                    **c.detail,
                    **({"error": c.error} if c.error else {}),
                }
                for c in self.components
            },
        }


async def _probe(name: str, check: Callable[[], Awaitable[dict[str, Any] | None]]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        detail = await check() or {}
    except Exception as exc:
        elapsed = round((time.perf_counter() - started) * 1000, 3)
        return ComponentHealth(name, False, elapsed, error=f"{type(exc).__name__}: {exc}")
    return ComponentHealth(name, True, round((time.perf_counter() - started) * 1000, 3), detail)


@dataclass(frozen=True, slots=True)
class HealthChecks:
    schema: SchemaRepository
    cache: Cache
    queues: QueuePublisher
    durable: DurableObjectPinger
    expected_migrations: tuple[str, ...]

    async def ready(self) -> tuple[bool, dict[str, Any]]:
        try:
            applied = await self.schema.applied_migrations()
        except Exception as exc:
            return False, {"status": "not_ready", "reason": f"cannot read migrations: {exc}"}
        missing = [m for m in self.expected_migrations if m not in applied]
        if missing:
            return False, {"status": "not_ready", "reason": "migrations not applied", "missing": missing}
        return True, {"status": "ready", "migrations": len(applied)}

    async def health(self, trace_id: str, probe_token: str) -> HealthReport:
        components = [
            await _probe("d1", self._d1),
            await _probe("kv", partial(self._kv, probe_token)),
        ]
        for queue in QueueName:
            components.append(await _probe(f"queue:{queue.value}", partial(self._queue, queue)))
        for binding in DURABLE_OBJECT_BINDINGS:
            components.append(await _probe(f"do:{binding}", partial(self._durable, binding, trace_id)))
        return HealthReport(components)

    async def _d1(self) -> dict[str, Any]:
        await self.schema.ping()
        return {}

    async def _kv(self, token: str) -> dict[str, Any]:
        key = f"{HEALTH_KEY}:{token}"  # a key per probe: KV allows one write per second per key
        await self.cache.put_json(key, {"token": token}, ttl_seconds=60)
        echoed = await self.cache.get_json(key)
        if not isinstance(echoed, dict) or echoed.get("token") != token:
            raise RuntimeError("KV did not return what was written")
        return {}

    async def _queue(self, queue: QueueName) -> dict[str, Any]:
        depth = await self.queues.depth(queue)
        return {"backlog": depth.backlog, "oldest_age_s": depth.oldest_age_seconds}

    async def _durable(self, binding: str, trace_id: str) -> dict[str, Any]:
        reply = await self.durable.ping(binding, HEALTH_PROBE_NAME, trace_id)
        if reply.get("trace_id") != trace_id:
            raise RuntimeError("Durable Object answered for another call")
        return {}
