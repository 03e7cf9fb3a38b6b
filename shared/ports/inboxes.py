"""The inbox repository port (implemented by `shared/adapters/d1/inboxes.py`).

Writes that change what the user set (`update`, `set_status`) bump the version and are guarded by the version the
caller read (optimistic locking, as for prospects); `mark_configured` records a push to the Durable Objects and
changes no version. A duplicate address on `create` / `update` raises `ConstraintViolation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shared.domain.inboxes.models import InboxRecord, InboxStatus


class InboxRepository(Protocol):
    async def create(self, record: InboxRecord) -> None: ...

    async def get(self, inbox_id: str) -> InboxRecord | None: ...

    async def get_many(self, ids: Sequence[str]) -> list[InboxRecord]:
        """The inboxes with these ids, in the order given (unknown ids left out), in one statement."""
        ...

    async def id_for_email(self, email: str) -> str | None: ...

    async def version_of(self, inbox_id: str) -> int | None: ...

    async def update(self, record: InboxRecord, expected_version: int) -> InboxRecord | None:
        """Store `record` if the row is at `expected_version`: the stored record (version + 1), or None when stale
        or gone."""
        ...

    async def set_status(
        self, inbox_id: str, status: InboxStatus, reason: str | None, *, at: datetime, expected_version: int
    ) -> InboxRecord | None:
        """Like `update` for the status and its reason alone."""
        ...

    async def mark_configured(self, inbox_id: str, at: datetime, *, version: int | None = None) -> bool:
        """Record a successful push (of `version`, when given: a later write makes it stale, so nothing is marked)."""
        ...

    async def list_all_ids(self) -> list[str]: ...

    async def list(
        self, *, status: InboxStatus | None = None, limit: int = 50, after: tuple[str, str] | None = None
    ) -> list[InboxRecord]:
        """Oldest first, keyset-paginated on (created_at, id): the page after `after` (ISO time, id)."""
        ...
