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
    reserved_at: str | None = None


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
            email.reservation_until, now, claim_token, email.reserved_at,
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


# -- the Emails API, email events and daily counters (issue 9, helper G5) -------------------------------------------


@dataclass(frozen=True, slots=True)
class OneOffEmail:
    id: str
    prospect_id: str
    inbox_id: str
    send_key: str
    message_id: str
    from_address: str
    to_address: str
    subject: str
    body_text: str


@dataclass(frozen=True, slots=True)
class EventRow:
    id: str
    email_id: str
    kind: str
    automated: bool
    detail: dict[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class CounterKey:
    day: str
    campaign_id: str
    step_position: int
    variant: str
    inbox_id: str
    metric: str


def _event_query(event: EventRow) -> Query:
    detail = json.dumps(event.detail, separators=(",", ":"), ensure_ascii=False, default=str)
    return Query(sql.INSERT_EVENT, (
        event.id, event.email_id, event.kind, 1 if event.automated else 0, detail, event.at.isoformat(),
    ))  # fmt: skip


class D1EmailLedger(D1EmailRepository):
    """The Emails API's reads and writes, email events and the daily counters, beside the composed-email store."""

    async def detail(self, email_id: str) -> dict[str, Any] | None:
        return await self._db.first(sql.GET_EMAIL_DETAIL, email_id)

    async def page(
        self,
        *,
        equals: dict[str, str],
        since: datetime | None,
        until: datetime | None,
        after: tuple[str, str] | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Newest first by (created_at, id); `equals` maps status / campaign_id / inbox_id / prospect_id to a value."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in equals.items():
            where.append(sql.LIST_FILTER_EQUALS[column])
            params.append(value)
        if since is not None:
            where.append(sql.LIST_FILTER_SINCE)
            params.append(since.isoformat())
        if until is not None:
            where.append(sql.LIST_FILTER_UNTIL)
            params.append(until.isoformat())
        if after is not None:
            where.append(sql.LIST_FILTER_AFTER)
            params += [after[0], after[1]]
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return await self._db.all(f"{sql.LIST_EMAILS_FROM}{clause} {sql.LIST_EMAILS_ORDER}", *params, limit)

    async def events_of(self, email_id: str) -> list[dict[str, Any]]:
        return await self._db.all(sql.EVENTS_OF_EMAIL, email_id)

    async def one_off_recipient(self, prospect_id: str) -> dict[str, Any] | None:
        return await self._db.first(sql.ONE_OFF_RECIPIENT, prospect_id)

    async def insert_one_off(self, email: OneOffEmail, queued: EventRow) -> None:
        """The queued email and its `queued` event, in one batch."""
        insert = Query(sql.INSERT_ONE_OFF, (
            email.id, email.prospect_id, email.inbox_id, email.send_key, email.message_id, email.from_address,
            email.to_address, email.subject, bound_text(email.body_text), queued.at.isoformat(),
        ))  # fmt: skip
        await self._db.batch([insert, _event_query(queued)])

    async def cancel(self, email_id: str, cancelled: EventRow) -> bool:
        """Cancel a queued email and record the event, in one batch; False (nothing written) unless it was queued."""
        event = _event_query(cancelled)
        changed = await self._db.batch_changes([
            Query(sql.CANCEL_QUEUED, (email_id,)),
            Query(sql.INSERT_EVENT_IF_STATUS, (*event.params, "cancelled")),
        ])  # fmt: skip
        return changed[0] == 1

    async def insert_event(self, event: EventRow) -> bool:
        """Insert an email event (and the first human open or click on the email); False when it was there."""
        queries = [_event_query(event)]
        if not event.automated and event.kind in ("opened", "clicked"):
            mark = sql.MARK_OPENED if event.kind == "opened" else sql.MARK_CLICKED
            queries.append(Query(mark, (event.email_id, event.at.isoformat())))
        changed = await self._db.batch_changes(queries)
        return changed[0] == 1

    async def count_once(self, message_id: str, queue: str, counters: Sequence[CounterKey], at: datetime) -> None:
        """Add one to each counter unless `message_id` was processed, and mark it processed: one atomic batch."""
        queries = [
            Query(sql.COUNT_EVENT, (c.day, c.campaign_id, c.step_position, c.variant, c.inbox_id, c.metric, message_id))
            for c in counters
        ]
        queries.append(Query(sql.MARK_PROCESSED, (message_id, queue, at.isoformat())))
        await self._db.batch(queries)

    async def counters(self, campaign_id: str, first_day: str, last_day: str) -> list[dict[str, Any]]:
        return await self._db.all(sql.COUNTERS_OF_CAMPAIGN, campaign_id, first_day, last_day)
