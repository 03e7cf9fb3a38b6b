"""Repositories the service layer uses for the platform tables (failed tasks, inbound mail, migrations)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from shared.domain.failed_tasks import FailedTask, FailedTaskStatus
from shared.domain.inbound import InboundEmail, InboundEnvelope, RawFacts


class FailedTaskRepository(Protocol):
    async def add(self, task: FailedTask) -> bool:
        """Store a failed task; False when a task with the same id is already stored (idempotent)."""
        ...

    async def get(self, task_id: str) -> FailedTask | None: ...

    async def list(
        self, *, status: FailedTaskStatus, limit: int, after: tuple[str, str] | None = None
    ) -> list[FailedTask]:
        """Newest first, keyset-paginated on (failed_at, id)."""
        ...

    async def mark_replayed(self, task_id: str, at: datetime) -> bool:
        """Open -> replayed; False when the task was not open."""
        ...

    async def mark_discarded(self, task_id: str, at: datetime) -> bool:
        """Open -> discarded (a person resolved it without a replay); False when the task was not open."""
        ...

    async def reopen(self, task_id: str) -> None:
        """Replayed -> open again (the replay could not be sent)."""
        ...

    async def count_open(self) -> int: ...

    async def forget_processed(self, before: datetime) -> int: ...


class InboundWriter(Protocol):
    """One inbound message being stored as its bytes stream in; nothing counts as stored before `complete`."""

    async def write(self, data: bytes) -> None: ...

    async def complete(self, facts: RawFacts) -> str:
        """Mark the message stored; returns its id (the stored message's id for a redelivery)."""
        ...

    async def discard(self) -> None:
        """Drop whatever was written (the stream failed or the message was refused)."""
        ...


class InboundRepository(Protocol):
    def open(self, envelope: InboundEnvelope) -> InboundWriter: ...

    async def head(self, inbound_id: str) -> bytes | None:
        """The message's first bytes, its whole header block among them (None when not stored)."""
        ...

    async def store(self, email: InboundEmail) -> str:
        """Store a received email with its raw bytes; returns its id (the existing id for a redelivery)."""
        ...

    async def raw(self, inbound_id: str) -> bytes | None: ...

    async def drop_abandoned(self, received_before: datetime, *, limit: int = 200) -> int:
        """Drop provisional messages (their handler died mid-stream) received before the cutoff; how many."""
        ...

    async def mark_parsed(self, inbound_id: str, *, message_id: str | None, subject: str | None) -> None: ...


class SchemaRepository(Protocol):
    async def applied_migrations(self) -> list[str]: ...

    async def ping(self) -> None: ...
