"""Cloudflare Queues emulation for the local runtime: a durable, at-least-once broker on one SQLite file.

Producers (`broker.producer(name)`) take the SDK's Python calls (`send`, `sendBatch`, `metrics`) with
Cloudflare's limits. Consumers are driven by the runtime: `await broker.deliver_due(handler)` hands every batch
that is due now to `handler(batch)` — a `MessageBatch` with the shape the SDK wraps the JS batch in — and then
applies Cloudflare's ack/retry rules, `max_retries` and dead-letter queues from `[[queues.consumers]]`.

Durability: a batch's messages are marked in flight, with `attempts` already incremented, before the handler
runs; outcomes are written after it returns. A broker opened on a file left by a process that died mid-batch
puts those messages back (or dead-letters the ones that used up their retries), so nothing is lost. Run one
broker per file. Time comes only from the injected `Clock`; nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from os import PathLike
from typing import Any, Literal

from local.clock import Clock, utc
from local.kv import open_sqlite

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 128_000
MAX_BATCH_MESSAGES = 100
MAX_BATCH_BYTES = 256_000
MAX_DELAY_SECONDS = 43_200
CONTENT_TYPES = ("json", "text", "bytes", "v8")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    queue TEXT NOT NULL,
    body BLOB NOT NULL,              -- serialized per content_type
    content_type TEXT NOT NULL,
    sent_at REAL NOT NULL,           -- epoch seconds of the original send (Message.timestamp)
    visible_at REAL NOT NULL,        -- deliverable from then on; a batch's timeout also counts from it
    attempts INTEGER NOT NULL DEFAULT 0,
    in_flight INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (queue, in_flight, visible_at);
CREATE TABLE IF NOT EXISTS dead_lettered (queue TEXT PRIMARY KEY, count INTEGER NOT NULL);
"""


class QueueError(Exception):
    """A producer or consumer call Cloudflare would reject."""


_WRANGLER_OPTIONS = (
    "max_batch_size",
    "max_batch_timeout",
    "max_retries",
    "retry_delay",
    "dead_letter_queue",
    "max_concurrency",
)


@dataclass(frozen=True)
class QueueConsumerConfig:
    """One `[[queues.consumers]]` table. `max_concurrency` is accepted; batches of one queue run one at a time."""

    queue: str
    max_batch_size: int = 10
    max_batch_timeout: float = 5.0
    max_retries: int = 3
    retry_delay: int = 0
    dead_letter_queue: str | None = None
    max_concurrency: int | None = None

    def __post_init__(self) -> None:
        checks = [
            (1 <= self.max_batch_size <= 100, "max_batch_size must be 1-100"),
            (0 <= self.max_batch_timeout <= 60, "max_batch_timeout must be 0-60 seconds"),
            (0 <= self.max_retries <= 100, "max_retries must be 0-100"),
            (0 <= self.retry_delay <= MAX_DELAY_SECONDS, f"retry_delay must be 0-{MAX_DELAY_SECONDS} seconds"),
            (self.dead_letter_queue != self.queue, "a queue cannot be its own dead-letter queue"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"queue consumer {self.queue!r}: {message}")

    @classmethod
    def from_wrangler(cls, table: Mapping[str, Any]) -> QueueConsumerConfig:
        """Build from one parsed `[[queues.consumers]]` table (unknown keys such as `type` are ignored)."""
        if not isinstance(table.get("queue"), str) or not table["queue"]:
            raise ValueError(f"[[queues.consumers]] entry without a queue name: {dict(table)!r}")
        options = {name: table[name] for name in _WRANGLER_OPTIONS if name in table}
        return cls(queue=table["queue"], **options)


# ---- consumer-side objects (the shapes `queue(self, batch, env, ctx)` receives)

_Decision = tuple[Literal["ack", "retry"], int | None]


def _check_delay(delay: int | None, what: str) -> int | None:
    if delay is None:
        return None
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= MAX_DELAY_SECONDS:
        raise QueueError(f"{what}: delaySeconds must be between 0 and {MAX_DELAY_SECONDS}, got {delay!r}")
    return math.ceil(delay)


class Message:
    """`.id`, `.body` (a fresh copy), `.attempts` (1 on first delivery), `.timestamp` (UTC), `ack()`, `retry()`."""

    def __init__(self, id: str, body: Any, attempts: int, timestamp: datetime) -> None:
        self.id = id
        self.body = body
        self.attempts = attempts
        self.timestamp = timestamp
        self._decision: _Decision | None = None

    def ack(self) -> None:
        if self._decision is None:
            self._decision = ("ack", None)

    def retry(self, delaySeconds: int | None = None) -> None:
        delay = _check_delay(delaySeconds, "Message.retry")
        if self._decision is None:
            self._decision = ("retry", delay)

    def __repr__(self) -> str:
        return f"Message(id={self.id!r}, attempts={self.attempts}, body={self.body!r})"


class MessageBatch:
    """`.queue`, `.messages`, `ackAll()`, `retryAll()`; per-message calls win over these, the first call wins."""

    def __init__(self, queue: str, messages: list[Message]) -> None:
        self.queue = queue
        self.messages = messages
        self._decision: _Decision | None = None

    def ackAll(self) -> None:
        if self._decision is None:
            self._decision = ("ack", None)

    def retryAll(self, delaySeconds: int | None = None) -> None:
        delay = _check_delay(delaySeconds, "MessageBatch.retryAll")
        if self._decision is None:
            self._decision = ("retry", delay)


QueueHandler = Callable[[MessageBatch], Awaitable[object]]


# ---- bodies


def _reject_non_rpc(value: Any) -> None:
    """The SDK's python_to_rpc raises TypeError for tuples and bytearrays; json.dumps would let tuples through."""
    if isinstance(value, tuple | bytearray):
        raise TypeError(f"Queue message body cannot contain a {type(value).__name__}; use a list or bytes")
    if isinstance(value, dict):
        for item in value.values():
            _reject_non_rpc(item)
    elif isinstance(value, list):
        for item in value:
            _reject_non_rpc(item)


def _serialize(body: Any, content_type: str) -> bytes:
    if content_type in ("json", "v8"):  # v8 (structured clone) is stored as JSON here
        _reject_non_rpc(body)
        try:
            return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        except ValueError as exc:  # NaN/Infinity, circular references
            raise TypeError(f"Queue message body is not serialisable as JSON: {exc}") from exc
    if content_type == "text":
        if not isinstance(body, str):
            raise TypeError(f'contentType "text" needs a str body, not {type(body).__name__}')
        return body.encode("utf-8")
    if content_type == "bytes":
        if not isinstance(body, bytes | memoryview):
            raise TypeError(f'contentType "bytes" needs a bytes body, not {type(body).__name__}')
        return bytes(body)
    raise QueueError(f"contentType {content_type!r} is invalid; must be one of {', '.join(CONTENT_TYPES)}")


def _deserialize(blob: bytes, content_type: str) -> Any:
    if content_type == "bytes":
        return bytes(blob)
    text = bytes(blob).decode("utf-8")
    return text if content_type == "text" else json.loads(text)


# ---- producer


@dataclass(frozen=True)
class _Outgoing:
    body: bytes
    content_type: str
    delay: int


class LocalQueueProducer:
    """The producer binding: `send`, `sendBatch`, `metrics` with the SDK's kwargs."""

    def __init__(self, broker: QueueBroker, queue: str, delivery_delay: int = 0) -> None:
        self._broker = broker
        self.queue = queue
        self._delivery_delay = delivery_delay

    async def send(self, body: Any, contentType: str | None = None, delaySeconds: int | None = None) -> None:
        message = self._prepare(body, contentType, delaySeconds, None, "send")
        self._broker._enqueue(self.queue, [message])

    async def sendBatch(self, messages: Sequence[Mapping[str, Any]], delaySeconds: int | None = None) -> None:
        """`[{"body": ..., "contentType"?: ..., "delaySeconds"?: ...}, ...]`; a message's own delay wins."""
        if not isinstance(messages, Sequence) or isinstance(messages, str | bytes):
            raise TypeError("sendBatch() takes a list of {'body': ...} dicts")
        if not 1 <= len(messages) <= MAX_BATCH_MESSAGES:
            raise QueueError(f"sendBatch: batch message count of {len(messages)} must be 1-{MAX_BATCH_MESSAGES}")
        batch_delay = _check_delay(delaySeconds, "sendBatch")
        prepared = []
        for entry in messages:
            if not isinstance(entry, Mapping) or "body" not in entry:
                raise TypeError(f"sendBatch() entries must be dicts with a 'body' key, got {entry!r}")
            prepared.append(
                self._prepare(
                    entry["body"], entry.get("contentType"), entry.get("delaySeconds"), batch_delay, "sendBatch"
                )
            )
        total = sum(len(m.body) for m in prepared)
        if total > MAX_BATCH_BYTES:
            raise QueueError(f"sendBatch: batch size of {total} bytes exceeds limit of {MAX_BATCH_BYTES}")
        self._broker._enqueue(self.queue, prepared)

    async def metrics(self) -> dict[str, Any]:
        """`{"backlogCount", "backlogBytes", "oldestMessageTimestamp"}` (UTC datetime or None)."""
        return self._broker._metrics(self.queue)

    def _prepare(
        self, body: Any, content_type: str | None, delay: int | None, batch_delay: int | None, what: str
    ) -> _Outgoing:
        content_type = content_type or "json"
        blob = _serialize(body, content_type)
        if len(blob) > MAX_MESSAGE_BYTES:
            raise QueueError(f"{what}: message length of {len(blob)} bytes exceeds limit of {MAX_MESSAGE_BYTES}")
        own = _check_delay(delay, what)
        chosen = own if own is not None else batch_delay if batch_delay is not None else self._delivery_delay
        return _Outgoing(blob, content_type, chosen)


# ---- broker


class QueueBroker:
    """All queues of one local Worker in one SQLite file; consumers come from `[[queues.consumers]]`."""

    def __init__(self, path: str | PathLike[str], clock: Clock, consumers: Mapping[str, QueueConsumerConfig]) -> None:
        self._clock = clock
        self._consumers = dict(consumers)
        for name, config in self._consumers.items():
            if name != config.queue:
                raise ValueError(f"consumer key {name!r} does not match its config's queue {config.queue!r}")
        self._db = open_sqlite(path)
        self._db.executescript(_SCHEMA)
        self._recover_in_flight()

    @property
    def consumers(self) -> Mapping[str, QueueConsumerConfig]:
        return self._consumers

    def close(self) -> None:
        self._db.close()

    def producer(self, queue: str, delivery_delay: int = 0) -> LocalQueueProducer:
        """The binding for `queue`; `delivery_delay` is the producer's `delivery_delay` (default delay)."""
        return LocalQueueProducer(self, queue, _check_delay(delivery_delay, "delivery_delay") or 0)

    # ---- delivery

    async def deliver_due(self, handler: QueueHandler, *, flush: bool = False, max_batches: int = 10_000) -> int:
        """Deliver every batch that is due now; return how many batches were delivered.

        Works in rounds: each round takes at most one due batch per consumer queue and runs those concurrently
        (so one queue's batches never overlap), then settles them; rounds repeat until nothing is due, so
        retries with no delay and messages moved to a dead-letter queue are delivered in the same call when
        due. `flush=True` treats any visible message as due (ignores batch size and timeout). A handler that
        raises an Exception fails its batch (logged); a BaseException (e.g. CancelledError) propagates and
        leaves the batch in flight, as a crash would, for the next broker on this file to recover. More than
        `max_batches` in one call raises QueueError (a consumer that re-enqueues forever under `flush=True`).
        """
        delivered = 0
        while True:
            now = self._clock.now()
            batches = [b for q in self._consumers if (b := self._take_batch(q, now, flush)) is not None]
            if not batches:
                return delivered
            if delivered >= max_batches:
                self._release(batches)
                raise QueueError(f"deliver_due delivered {delivered} batches in one call; is a consumer looping?")
            await asyncio.gather(*(self._run(handler, batch) for batch in batches))
            delivered += len(batches)

    def next_due_time(self) -> float | None:
        """Earliest time a batch could become due (≤ now: due already); None if no consumer has messages.

        A lower bound: a delayed message's visibility time is included because it may complete a full batch.
        """
        now = self._clock.now()
        times: list[float] = []
        for queue, config in self._consumers.items():
            oldest, visible, next_delayed = self._db.execute(
                "SELECT MIN(visible_at), COALESCE(SUM(visible_at <= ?), 0), "
                "MIN(CASE WHEN visible_at > ? THEN visible_at END) "
                "FROM messages WHERE queue = ? AND in_flight = 0",
                (now, now, queue),
            ).fetchone()
            if visible >= config.max_batch_size:
                times.append(now)
            if oldest is not None:
                times.append(oldest + config.max_batch_timeout)
            if next_delayed is not None:
                times.append(next_delayed)
        return min(times, default=None)

    def stats(self) -> dict[str, dict[str, int]]:
        """Per queue: pending (visible now), delayed, in_flight, dead_lettered (moved to a DLQ or dropped)."""
        now = self._clock.now()
        names = set(self._consumers)
        names.update(row[0] for row in self._db.execute("SELECT DISTINCT queue FROM messages"))
        dead = dict(self._db.execute("SELECT queue, count FROM dead_lettered").fetchall())
        names.update(dead)
        result = {
            name: {"pending": 0, "delayed": 0, "in_flight": 0, "dead_lettered": dead.get(name, 0)} for name in names
        }
        rows = self._db.execute(
            "SELECT queue, SUM(in_flight = 0 AND visible_at <= ?), SUM(in_flight = 0 AND visible_at > ?), "
            "SUM(in_flight) FROM messages GROUP BY queue",
            (now, now),
        )
        for queue, pending, delayed, in_flight in rows:
            result[queue].update(pending=pending, delayed=delayed, in_flight=in_flight)
        return dict(sorted(result.items()))

    # ---- internals

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _enqueue(self, queue: str, messages: Sequence[_Outgoing]) -> None:
        now = self._clock.now()
        with self._transaction():
            self._db.executemany(
                "INSERT INTO messages (id, queue, body, content_type, sent_at, visible_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(uuid.uuid4().hex, queue, m.body, m.content_type, now, now + m.delay) for m in messages],
            )

    def _metrics(self, queue: str) -> dict[str, Any]:
        count, size, oldest = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0), MIN(sent_at) FROM messages WHERE queue = ?", (queue,)
        ).fetchone()
        return {
            "backlogCount": count,
            "backlogBytes": size,
            "oldestMessageTimestamp": None if oldest is None else utc(oldest),
        }

    def _take_batch(self, queue: str, now: float, flush: bool) -> MessageBatch | None:
        config = self._consumers[queue]
        with self._transaction():
            rows = self._db.execute(
                "SELECT id, body, content_type, sent_at, visible_at, attempts FROM messages "
                "WHERE queue = ? AND in_flight = 0 AND visible_at <= ? ORDER BY visible_at, rowid LIMIT ?",
                (queue, now, config.max_batch_size),
            ).fetchall()
            if not rows:
                return None
            full = len(rows) >= config.max_batch_size
            timed_out = now - rows[0][4] >= config.max_batch_timeout
            if not (full or timed_out or flush):
                return None
            self._db.executemany(
                "UPDATE messages SET in_flight = 1, attempts = attempts + 1 WHERE id = ?", [(r[0],) for r in rows]
            )
        messages = [
            Message(id=mid, body=_deserialize(body, ctype), attempts=attempts + 1, timestamp=utc(sent_at))
            for mid, body, ctype, sent_at, _visible, attempts in rows
        ]
        return MessageBatch(queue, messages)

    async def _run(self, handler: QueueHandler, batch: MessageBatch) -> None:
        try:
            await handler(batch)
        except Exception:
            log.exception("queue %s: consumer failed on a batch of %d; retrying it", batch.queue, len(batch.messages))
            self._settle(batch, failed=True)
        else:
            self._settle(batch, failed=False)

    def _settle(self, batch: MessageBatch, *, failed: bool) -> None:
        config = self._consumers[batch.queue]
        default: _Decision = ("retry", None) if failed else ("ack", None)
        now = self._clock.now()
        with self._transaction():
            for message in batch.messages:
                verdict, delay = message._decision or batch._decision or default
                if verdict == "ack":
                    self._db.execute("DELETE FROM messages WHERE id = ?", (message.id,))
                elif message.attempts >= config.max_retries + 1:
                    self._dead_letter(message.id, config, now)
                else:
                    wait = config.retry_delay if delay is None else delay
                    self._db.execute(
                        "UPDATE messages SET in_flight = 0, visible_at = ? WHERE id = ?", (now + wait, message.id)
                    )

    def _dead_letter(self, message_id: str, config: QueueConsumerConfig, now: float) -> None:
        """Move to the DLQ (same id, body and timestamp; attempts reset) or drop; count it either way."""
        if config.dead_letter_queue is None:
            self._db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            log.warning(
                "queue %s: dropped message %s after %d attempts", config.queue, message_id, config.max_retries + 1
            )
        else:
            self._db.execute(
                "UPDATE messages SET queue = ?, attempts = 0, in_flight = 0, visible_at = ? WHERE id = ?",
                (config.dead_letter_queue, now, message_id),
            )
            log.warning("queue %s: moved message %s to %s", config.queue, message_id, config.dead_letter_queue)
        self._db.execute(
            "INSERT INTO dead_lettered (queue, count) VALUES (?, 1) "
            "ON CONFLICT (queue) DO UPDATE SET count = count + 1",
            (config.queue,),
        )

    def _release(self, batches: Sequence[MessageBatch]) -> None:
        """Undo `_take_batch` for batches that were never handed to a handler."""
        with self._transaction():
            for batch in batches:
                self._db.executemany(
                    "UPDATE messages SET in_flight = 0, attempts = attempts - 1 WHERE id = ?",
                    [(m.id,) for m in batch.messages],
                )

    def _recover_in_flight(self) -> None:
        """Messages left in flight by a dead process: redeliver now, or dead-letter if retries are used up."""
        now = self._clock.now()
        rows = self._db.execute("SELECT id, queue, attempts FROM messages WHERE in_flight = 1").fetchall()
        if not rows:
            return
        with self._transaction():
            for message_id, queue, attempts in rows:
                config = self._consumers.get(queue)
                if config is not None and attempts >= config.max_retries + 1:
                    self._dead_letter(message_id, config, now)
                else:
                    self._db.execute(
                        "UPDATE messages SET in_flight = 0, visible_at = ? WHERE id = ?", (now, message_id)
                    )
        log.warning("recovered %d in-flight queue message(s) from a previous run", len(rows))


def consumers_from_wrangler(config: Mapping[str, Any]) -> dict[str, QueueConsumerConfig]:
    """`{queue: QueueConsumerConfig}` from a parsed wrangler.toml (its `queues.consumers` list)."""
    tables = config.get("queues", {}).get("consumers", [])
    return {c.queue: c for c in map(QueueConsumerConfig.from_wrangler, tables)}
