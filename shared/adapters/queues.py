"""Queue publisher over the Queues producer bindings. Bodies are envelope JSON text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.domain.errors import QueueError
from shared.messages.queues import PRODUCER_BINDINGS, QueueName
from shared.ports.queues import QueueDepth

if TYPE_CHECKING:  # only `.encode()` is used: the adapter stays free of pydantic (it runs in the Pyodide tier)
    from shared.messages.envelope import Envelope

MAX_BATCH_MESSAGES = 100  # sendBatch limit
MAX_BATCH_BYTES = 256_000


class CfQueuePublisher:
    def __init__(self, bindings: Mapping[QueueName, Any]) -> None:
        self._bindings = bindings

    @classmethod
    def from_env(cls, env: Any) -> CfQueuePublisher:
        return cls({q: getattr(env, name) for q, name in PRODUCER_BINDINGS.items() if hasattr(env, name)})

    def _binding(self, queue: QueueName) -> Any:
        try:
            return self._bindings[queue]
        except KeyError:
            raise QueueError(f"no producer binding for queue {queue.value!r}") from None

    async def publish(self, queue: QueueName, envelope: Envelope, *, delay_seconds: int | None = None) -> None:
        options: dict[str, Any] = {"contentType": "json"}
        if delay_seconds is not None:
            options["delaySeconds"] = int(delay_seconds)
        try:
            await self._binding(queue).send(envelope.encode(), **options)
        except QueueError:
            raise
        except Exception as exc:
            raise QueueError(f"send to {queue.value} failed: {exc}") from exc

    async def publish_many(self, queue: QueueName, envelopes: list[Envelope]) -> None:
        batch: list[dict[str, Any]] = []
        size = 0
        for envelope in envelopes:
            body = envelope.encode()
            if batch and (len(batch) == MAX_BATCH_MESSAGES or size + len(body) > MAX_BATCH_BYTES):
                await self._send_batch(queue, batch)
                batch, size = [], 0
            batch.append({"body": body, "contentType": "json"})
            size += len(body)
        if batch:
            await self._send_batch(queue, batch)

    async def _send_batch(self, queue: QueueName, batch: list[dict[str, Any]]) -> None:
        try:
            await self._binding(queue).sendBatch(batch)
        except Exception as exc:
            raise QueueError(f"sendBatch to {queue.value} failed: {exc}") from exc

    async def depth(self, queue: QueueName) -> QueueDepth:
        """Backlog from the binding's `metrics()` where the platform offers it; `backlog=None` otherwise."""
        metrics = getattr(self._binding(queue), "metrics", None)
        if metrics is None:
            return QueueDepth(queue.value, None)
        try:
            data = await metrics()
        except Exception as exc:
            raise QueueError(f"metrics for {queue.value} failed: {exc}") from exc
        oldest = data.get("oldestMessageTimestamp")
        age = None
        if isinstance(oldest, datetime):
            stamp = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - stamp).total_seconds())
        return QueueDepth(queue.value, int(data["backlogCount"]), age)
