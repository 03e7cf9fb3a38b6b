"""D1 repository of composed emails: store a draft and advance its enrollment atomically, threads, stats."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql_emails as sql
from shared.adapters.d1.client import D1Client, Query, bound_text


@dataclass(frozen=True, slots=True)
class ComposedEmail:
    id: str
    prospect_id: str
    enrollment_id: str
    campaign_id: str
    step_id: str
    step_position: int
    variant: str
    inbox_id: str
    send_key: str
    message_id: str
    thread_id: str
    in_reply_to: str | None
    references: str | None
    from_address: str
    to_address: str
    subject: str
    body_text: str
    composer: str
    notes: Sequence[dict[str, Any]]
    reservation_token: str | None
    reservation_until: str | None


class D1EmailRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def by_send_key(self, send_key: str) -> dict[str, Any] | None:
        return await self._db.first(sql.GET_BY_SEND_KEY, send_key)

    async def get(self, email_id: str) -> dict[str, Any] | None:
        return await self._db.first(sql.GET_EMAIL, email_id)

    async def thread(self, enrollment_id: str) -> list[dict[str, Any]]:
        return await self._db.all(sql.THREAD, enrollment_id)

    async def store_composed(
        self, email: ComposedEmail, *, claim_token: str, next_due_at: datetime | None, at: datetime
    ) -> bool:
        """Insert the draft and advance the enrollment in one batch, both guarded by the claim. False when the claim
        no longer stands (another compose stored this step, or the enrollment was paused or stopped meanwhile)."""
        now = at.isoformat()
        insert = Query(sql.INSERT_COMPOSED, (
            email.id, email.prospect_id, email.enrollment_id, email.campaign_id, email.step_id, email.step_position,
            email.variant, email.inbox_id, email.send_key, email.message_id, email.thread_id, email.in_reply_to,
            email.references, email.from_address, email.to_address, email.subject, bound_text(email.body_text),
            email.composer, json.dumps(list(email.notes), separators=(",", ":")), email.reservation_token,
            email.reservation_until, now, claim_token,
        ))  # fmt: skip
        advance = Query(sql.ADVANCE_ENROLLMENT, (
            email.enrollment_id, claim_token, email.step_position,
            next_due_at.isoformat() if next_due_at else None, email.inbox_id, now,
        ))  # fmt: skip
        inserted, advanced = await self._db.batch_changes([insert, advance])
        return inserted == 1 and advanced == 1

    async def pause_claimed(self, enrollment_id: str, claim_token: str, reason: str, at: datetime) -> bool:
        return await self._db.run(sql.PAUSE_CLAIMED, enrollment_id, claim_token, reason[:200], at.isoformat()) == 1

    async def stats(self, campaign_id: str) -> list[dict[str, Any]]:
        return await self._db.all(sql.STATS_BY_STEP, campaign_id)
