"""Test doubles for the ports (`Fake*`) and for the queue consumer surface. No I/O."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from durable_objects.provider_breaker.logic import ProviderBreakerLogic
from durable_objects.rate_limiter.logic import RateLimiterLogic
from durable_objects.rate_limiter.names import marker_key, period_reset
from local.rpc import rpc_roundtrip
from shared.adapters.d1.schema import EXPECTED_MIGRATIONS
from shared.bootstrap import Services
from shared.config import Settings
from shared.domain.api_keys import ApiKey
from shared.domain.errors import ConstraintViolation
from shared.domain.failed_tasks import FailedTask, FailedTaskStatus
from shared.domain.inbound import InboundEmail, InboundEnvelope, RawFacts
from shared.domain.token_bucket import BucketLimit, RateDecision
from shared.messages.envelope import Envelope
from shared.messages.provider_breaker import StatusReply as BreakerStatusReply
from shared.messages.queues import QueueName
from shared.messages.rate_limit import (
    AcquireRequest,
    ClassLimit,
    ExhaustPeriod,
    ExhaustRequest,
    KeyStatus,
    StatusKey,
    StatusRequest,
)
from shared.observability.log import Logger
from shared.ports.breaker import BreakerDecision
from shared.ports.queues import QueueDepth


class FixedClock:
    def __init__(self, start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class SequentialIds:
    def __init__(self, prefix: str = "id") -> None:
        self.prefix = prefix
        self.n = 0

    def new_id(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:06d}"


class FakeQueuePublisher:
    def __init__(self, *, fail_on: set[QueueName] | None = None) -> None:
        self.sent: list[tuple[QueueName, Envelope, int | None]] = []
        self.fail_on = fail_on or set()

    async def publish(self, queue: QueueName, envelope: Envelope, *, delay_seconds: int | None = None) -> None:
        if queue in self.fail_on:
            raise RuntimeError(f"queue {queue} unavailable")
        self.sent.append((queue, envelope, delay_seconds))

    async def publish_many(self, queue: QueueName, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            await self.publish(queue, envelope)

    async def depth(self, queue: QueueName) -> QueueDepth:
        return QueueDepth(queue.value, sum(1 for q, _, _ in self.sent if q is queue))

    def on(self, queue: QueueName) -> list[Envelope]:
        return [e for q, e, _ in self.sent if q is queue]


class FakeFailedTasks:
    def __init__(self) -> None:
        self.tasks: dict[str, FailedTask] = {}

    async def add(self, task: FailedTask) -> bool:
        if task.id in self.tasks:
            return False
        self.tasks[task.id] = task
        return True

    async def get(self, task_id: str) -> FailedTask | None:
        return self.tasks.get(task_id)

    async def list(
        self, *, status: FailedTaskStatus, limit: int, after: tuple[str, str] | None = None
    ) -> list[FailedTask]:
        ordered = sorted(self.tasks.values(), key=lambda t: (t.failed_at.isoformat(), t.id), reverse=True)
        chosen = [t for t in ordered if t.status is status]
        if after:
            chosen = [t for t in chosen if (t.failed_at.isoformat(), t.id) < after]
        return chosen[:limit]

    async def mark_replayed(self, task_id: str, at: datetime) -> bool:
        task = self.tasks.get(task_id)
        if task is None or task.status is not FailedTaskStatus.OPEN:
            return False
        self.tasks[task_id] = task.model_copy(update={"status": FailedTaskStatus.REPLAYED})
        return True

    async def mark_discarded(self, task_id: str, at: datetime) -> bool:
        task = self.tasks.get(task_id)
        if task is None or task.status is not FailedTaskStatus.OPEN:
            return False
        self.tasks[task_id] = task.model_copy(update={"status": FailedTaskStatus.DISCARDED})
        return True

    async def reopen(self, task_id: str) -> None:
        task = self.tasks[task_id]
        self.tasks[task_id] = task.model_copy(update={"status": FailedTaskStatus.OPEN})

    async def forget_processed(self, before: datetime) -> int:
        return 0

    async def count_open(self) -> int:
        return sum(1 for t in self.tasks.values() if t.status is FailedTaskStatus.OPEN)


class FakeInboundWriter:
    """Collects the streamed bytes and hands the whole message to `FakeInbound.store` on completion."""

    def __init__(self, store: FakeInbound, envelope: InboundEnvelope) -> None:
        self._store, self._envelope, self._data = store, envelope, bytearray()
        self.discarded = False

    async def write(self, data: bytes) -> None:
        self._data += data

    async def complete(self, facts: RawFacts) -> str:
        e = self._envelope
        email = InboundEmail(e.id, e.mail_from, e.rcpt_to, bytes(self._data), e.received_at, e.trace_id)
        assert email.sha256 == facts.sha256 and len(email.raw) == facts.size
        return await self._store.store(email)

    async def discard(self) -> None:
        self.discarded = True


class FakeInbound:
    def __init__(self) -> None:
        self.writers: list[FakeInboundWriter] = []
        self.emails: dict[str, InboundEmail] = {}
        self.parsed: dict[str, tuple[str | None, str | None]] = {}

    def open(self, envelope: InboundEnvelope) -> FakeInboundWriter:
        writer = FakeInboundWriter(self, envelope)
        self.writers.append(writer)
        return writer

    async def head(self, inbound_id: str) -> bytes | None:
        email = self.emails.get(inbound_id)
        return email.raw[:300_000] if email else None

    async def store(self, email: InboundEmail) -> str:
        for existing in self.emails.values():
            if existing.sha256 == email.sha256 and existing.rcpt_to == email.rcpt_to:
                return existing.id
        self.emails[email.id] = email
        return email.id

    async def raw(self, inbound_id: str) -> bytes | None:
        email = self.emails.get(inbound_id)
        return email.raw if email else None

    async def mark_parsed(self, inbound_id: str, *, message_id: str | None, subject: str | None) -> None:
        self.parsed[inbound_id] = (message_id, subject)

    async def drop_abandoned(self, received_before: datetime, *, limit: int = 200) -> int:
        return 0  # the fake stores a message whole or not at all


class FakeCache:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    async def get_json(self, key: str) -> Any | None:
        return self.data.get(key)

    async def put_json(self, key: str, value: Any, *, ttl_seconds: int | None = None) -> None:
        self.data[key] = value

    async def delete(self, key: str) -> None:
        self.data.pop(key, None)


class FakeDurable:
    def __init__(self, broken: set[str] | None = None) -> None:
        self.broken = broken or set()

    async def ping(self, binding: str, name: str, trace_id: str) -> dict[str, Any]:
        if binding in self.broken:
            raise RuntimeError(f"{binding} unreachable")
        return {"object": binding, "trace_id": trace_id, "calls": 1}


class FakeSchema:
    def __init__(self, applied: list[str] | None = None, *, down: bool = False) -> None:
        self.applied = applied if applied is not None else list(EXPECTED_MIGRATIONS)
        self.down = down

    async def applied_migrations(self) -> list[str]:
        if self.down:
            raise RuntimeError("D1 unavailable")
        return list(self.applied)

    async def ping(self) -> None:
        if self.down:
            raise RuntimeError("D1 unavailable")


class NotWired:
    """A collaborator a unit test did not expect to be used: any use fails loudly."""

    def __init__(self, why: str) -> None:
        self._why = why

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"unexpected use of {name}: {self._why}")


def fake_services(lines: list[str] | None = None, **overrides: Any) -> Services:
    sink = lines.append if lines is not None else (lambda _line: None)
    values: dict[str, Any] = {
        "settings": Settings(app_env="test"),
        "clock": FixedClock(),
        "ids": SequentialIds(),
        "log": Logger("test", sink=sink, level="debug"),
        "publisher": FakeQueuePublisher(),
        "cache": FakeCache(),
        "durable": FakeDurable(),
        "schema": FakeSchema(),
        "failed_tasks": FakeFailedTasks(),
        "inbound": FakeInbound(),
        "api_keys": FakeApiKeys(),
        "rate_limiter": FakeRateLimiter(),
        "prospects": NotWired("prospects: use the e2e runtime (real D1) for prospect tests"),
        "settings_store": NotWired("settings: use the e2e runtime"),
        "inboxes": NotWired("inboxes: use the e2e runtime"),
        "warmup": NotWired("warmup: use the e2e runtime (real Durable Object)"),
        "inbox_health": NotWired("inbox health: use the e2e runtime (real Durable Object)"),
        "dedup": NotWired("dedup: use the e2e runtime (real Durable Object)"),
        "prospect_locks": NotWired("prospect locks: use the e2e runtime (real Durable Object)"),
        "import_jobs": NotWired("import jobs: use the e2e runtime (real D1)"),
    }
    values.update(overrides)
    return Services(**values)


@dataclass
class FakeMessage:
    """The consumer-side message surface (`id`, `body`, `attempts`, `ack()`, `retry()`)."""

    id: str
    body: Any
    attempts: int = 1
    outcome: str | None = None
    retry_delay: int | None = None

    def ack(self) -> None:
        self.outcome = self.outcome or "ack"

    def retry(self, delaySeconds: int | None = None) -> None:
        if self.outcome is None:
            self.outcome = "retry"
            self.retry_delay = delaySeconds


@dataclass
class FakeBatch:
    queue: str
    messages: list[FakeMessage] = field(default_factory=list)
    retried_all: bool = False

    def ackAll(self) -> None:
        for m in self.messages:
            m.ack()

    def retryAll(self, delaySeconds: int | None = None) -> None:
        self.retried_all = True
        for m in self.messages:
            m.retry(delaySeconds)


class FakeApiKeys:
    """In-memory `ApiKeyRepository`; `touches` records every last_used_at write that changed a row."""

    def __init__(self) -> None:
        self.keys: dict[str, ApiKey] = {}
        self.hashes: dict[str, str] = {}  # key_hash -> id
        self.touches: list[tuple[str, datetime]] = []
        self.touch_fails = False

    async def add(self, key: ApiKey, key_hash: str) -> None:
        if key.id in self.keys or key_hash in self.hashes:
            raise ConstraintViolation("UNIQUE constraint failed: api_keys")
        self.keys[key.id] = key
        self.hashes[key_hash] = key.id

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        key_id = self.hashes.get(key_hash)
        return self.keys.get(key_id) if key_id else None

    async def get(self, key_id: str) -> ApiKey | None:
        return self.keys.get(key_id)

    async def list(self) -> list[ApiKey]:
        return sorted(self.keys.values(), key=lambda k: (k.created_at, k.id), reverse=True)

    async def revoke(self, key_id: str, at: datetime) -> bool:
        key = self.keys.get(key_id)
        if key is None or key.revoked_at is not None:
            return False
        self.keys[key_id] = key.model_copy(update={"revoked_at": at})
        return True

    async def touch(self, key_id: str, at: datetime, *, not_since: datetime) -> None:
        if self.touch_fails:
            raise RuntimeError("D1 unavailable")
        key = self.keys[key_id]
        if key.last_used_at is None or key.last_used_at < not_since:
            self.keys[key_id] = key.model_copy(update={"last_used_at": at})
            self.touches.append((key_id, at))


class FakeRateLimiter:
    """`RateLimiter` over the real limiter logic with a test clock; unlimited unless `limits` are given.

    `limits`: key class → a `BucketLimit` (a bucket) or a `ClassLimit` (a bucket with daily/monthly quotas), served by
    the real `RateLimiterLogic` over an in-memory `storage`. `exhaust` works for every class, configured or not: the
    key is refused until its UTC day or month resets, as the Durable Object does. `calls` records
    `(key, key_class, tokens)`, `exhaustions` the `(key, key_class, period)` reports; `broken` makes every call raise
    (the DO unreachable). `status` is empty without `limits` (like the unlimited limiter), else the real answer."""

    def __init__(
        self,
        limits: Mapping[str, BucketLimit | ClassLimit] | None = None,
        clock: FixedClock | None = None,
        *,
        broken: bool = False,
    ) -> None:
        self.limits = dict(limits or {})
        self.clock = clock or FixedClock()
        self.broken = broken
        self.storage = FakeDurableStorage()
        self.logic = RateLimiterLogic(self.storage, self.limits)
        self.calls: list[tuple[str, str, int]] = []
        self.exhaustions: list[tuple[str, str, str]] = []
        self._unconfigured: dict[tuple[str, str, str], float] = {}  # (key class, key, marker name) → until

    def _now(self) -> float:
        return self.clock.now().timestamp()

    async def acquire(self, key: str, key_class: str, tokens: int = 1) -> RateDecision:
        self.calls.append((key, key_class, tokens))
        if self.broken:
            raise RuntimeError("RateLimiter unreachable")
        now = self._now()
        if key_class not in self.limits:
            waits = [until - now for (c, k, _), until in self._unconfigured.items() if (c, k) == (key_class, key)]
            waits = [w for w in waits if w > 0]
            return RateDecision(False, 0, max(waits)) if waits else RateDecision(True, 0, 0.0)
        reply = await self.logic.acquire(AcquireRequest(key=key, key_class=key_class, tokens=tokens, now=now))
        return RateDecision(reply.allowed, reply.remaining, reply.retry_after_s)

    async def exhaust(self, key: str, key_class: str, period: ExhaustPeriod) -> None:
        self.exhaustions.append((key, key_class, period))
        if self.broken:
            raise RuntimeError("RateLimiter unreachable")
        now = self._now()
        if key_class in self.limits:
            await self.logic.exhaust(ExhaustRequest(key=key, key_class=key_class, period=period, now=now))
        else:
            self._unconfigured[(key_class, key, marker_key(period, now, key_class, key))] = period_reset(period, now)

    async def status(self, keys: Sequence[tuple[str, str]]) -> list[KeyStatus]:
        if self.broken:
            raise RuntimeError("RateLimiter unreachable")
        if not self.limits:
            return []  # unlimited: nothing to report, like `UnlimitedRateLimiter`
        asked = [StatusKey(key=key, key_class=key_class) for key, key_class in keys]
        return (await self.logic.status(StatusRequest(keys=asked, now=self._now()))).items


class FakeDurableStorage:
    """A Durable Object's `ctx.storage` in memory, for the pure logic modules: values take the local runtime's RPC
    round trip (so a float like 3.0 comes back as 3, and nothing is shared by reference), and calls respect the
    platform's 128-keys-per-call limit. `alarm` is whatever the logic last scheduled."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.alarm: float | None = None
        self.puts = 0

    async def get(self, key: str | list[str]) -> Any:
        if isinstance(key, list):
            assert len(key) <= 128
            return {k: rpc_roundtrip(self.data[k]) for k in key if k in self.data}
        return rpc_roundtrip(self.data.get(key))

    async def put(self, key: str, value: Any) -> None:
        self.puts += 1
        self.data[key] = rpc_roundtrip(value)

    async def delete(self, keys: list[str]) -> int:
        assert len(keys) <= 128
        return sum(self.data.pop(k, None) is not None for k in keys)

    async def list(self, options: dict[str, Any]) -> dict[str, Any]:
        names = sorted(k for k in self.data if k.startswith(options.get("prefix", "")))
        if "start" in options:
            names = [n for n in names if n >= options["start"]]
        if "startAfter" in options:
            names = [n for n in names if n > options["startAfter"]]
        if "end" in options:
            names = [n for n in names if n < options["end"]]
        if options.get("reverse"):
            names.reverse()
        return {n: rpc_roundtrip(self.data[n]) for n in names[: options.get("limit")]}

    async def getAlarm(self) -> float | None:
        return self.alarm

    async def setAlarm(self, scheduled_time: float) -> None:
        self.alarm = scheduled_time

    async def deleteAlarm(self) -> None:
        self.alarm = None


class MemoryBreakers:
    """CircuitBreakers over the real ProviderBreakerLogic, one storage per name, calls to one name serialised (as the
    Durable Object's input gate does). `broken` makes allow/record raise (the object unreachable)."""

    def __init__(self, *, broken: str | None = None) -> None:
        self.storages: dict[str, FakeDurableStorage] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.broken = broken  # "allow", "record" or "both"
        self.calls: list[tuple[str, str]] = []

    def _logic(self, name: str) -> ProviderBreakerLogic:
        return ProviderBreakerLogic(self.storages.setdefault(name, FakeDurableStorage()))

    async def allow(self, name: str, now: float) -> BreakerDecision:
        self.calls.append(("allow", name))
        if self.broken in ("allow", "both"):
            raise RuntimeError("ProviderBreaker unreachable")
        async with self.locks.setdefault(name, asyncio.Lock()):
            reply = await self._logic(name).allow(now)
        return BreakerDecision(reply.allowed, reply.state, reply.retry_at)

    async def record(self, name: str, success: bool, now: float) -> None:
        self.calls.append(("record", name))
        if self.broken in ("record", "both"):
            raise RuntimeError("ProviderBreaker unreachable")
        async with self.locks.setdefault(name, asyncio.Lock()):
            await self._logic(name).record("success" if success else "failure", now)

    async def status(self, name: str, now: float) -> BreakerStatusReply:
        return await self._logic(name).status(now)
