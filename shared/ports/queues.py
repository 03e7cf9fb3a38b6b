"""Queue publishing and backlog inspection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from shared.messages.queues import QueueName

if TYPE_CHECKING:  # keeps the queue adapter importable without pydantic (tests/pyodide)
    from shared.messages.envelope import Envelope


@dataclass(frozen=True, slots=True)
class QueueDepth:
    queue: str
    backlog: int | None  # None when the platform cannot tell
    oldest_age_seconds: float | None = None


class QueuePublisher(Protocol):
    async def publish(self, queue: QueueName, envelope: Envelope, *, delay_seconds: int | None = None) -> None: ...

    async def publish_many(self, queue: QueueName, envelopes: list[Envelope]) -> None: ...

    async def depth(self, queue: QueueName) -> QueueDepth: ...
