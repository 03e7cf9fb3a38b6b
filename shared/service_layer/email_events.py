"""Email events: record what happened to an email (email_events) and publish it; the `events` consumer keeps the
daily counters per (UTC day, campaign, step, variant, inbox, metric).

Once-per-email kinds (queued, sent, bounced, cancelled, unsubscribed, complained, replied) get an id derived from
(email, kind), so recording one twice — a redelivered send, a retried request — stores and counts it once. Every
event's envelope carries the event's id, and the consumer marks that id in `processed_messages` in the same D1
batch as its counter upserts: a redelivered or republished message is never counted twice. Automated events
(scanners, prefetch) are kept and counted under `<kind>_automated`, so the plain metric counts people.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.adapters.d1.emails import CounterKey, D1EmailLedger, EventRow
from shared.messages.envelope import Envelope
from shared.messages.payloads import TYPE_NAMES, EmailEvent
from shared.messages.queues import QueueName
from shared.observability.log import Logger
from shared.ports.queues import QueuePublisher
from shared.ports.runtime import Clock, IdFactory

KINDS = frozenset({
    "queued", "sent", "failed", "retry", "bounced", "cancelled", "opened", "clicked", "unsubscribed", "replied",
    "complained",
})  # fmt: skip
ONCE_PER_EMAIL = frozenset({"queued", "sent", "bounced", "cancelled", "unsubscribed", "complained", "replied"})


def event_id(email_id: str, kind: str, ids: IdFactory) -> str:
    """The derived id of a once-per-email kind, else a fresh one."""
    if kind in ONCE_PER_EMAIL:
        return hashlib.blake2b(f"{email_id}\x00{kind}".encode(), digest_size=16, person=b"jengu-event").hexdigest()
    return ids.new_id()


def metric_of(kind: str, automated: bool) -> str:
    return f"{kind}_automated" if automated else kind


def utc_day(at: str | datetime) -> str:
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date().isoformat()


def counter_key(event: EmailEvent) -> CounterKey:
    return CounterKey(
        day=utc_day(event.at), campaign_id=event.campaign_id or "", step_position=event.step_position or 0,
        variant=event.variant or "", inbox_id=event.inbox_id or "", metric=metric_of(event.kind, event.automated),
    )  # fmt: skip


def event_row(
    email: Mapping[str, Any], kind: str, *, at: datetime, ids: IdFactory, detail: Mapping[str, Any] | None = None,
    automated: bool = False,
) -> EventRow:  # fmt: skip
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not an email event kind")
    email_id = str(email["id"])
    return EventRow(
        id=event_id(email_id, kind, ids), email_id=email_id, kind=kind, automated=automated, detail=dict(detail or {}),
        at=at,
    )  # fmt: skip


@dataclass(frozen=True)
class EmailEvents:
    emails: D1EmailLedger
    publisher: QueuePublisher
    clock: Clock
    ids: IdFactory
    log: Logger

    async def record(
        self,
        email_row: Mapping[str, Any],
        kind: str,
        *,
        at: datetime,
        detail: Mapping[str, Any] | None = None,
        automated: bool = False,
        trace_id: str | None = None,
    ) -> str:
        """Store the event (once, for a once-per-email kind) and publish it for the counters; returns its id.
        A publish failure is logged, never raised: the event row is the record, the counters are derived."""
        event = event_row(email_row, kind, at=at, ids=self.ids, detail=detail, automated=automated)
        await self.emails.insert_event(event)
        await self.publish(email_row, event, trace_id=trace_id)
        return event.id

    async def publish(self, email_row: Mapping[str, Any], event: EventRow, *, trace_id: str | None = None) -> None:
        """Publish a stored event on the `events` queue, its envelope id the event's id."""
        payload = EmailEvent(
            email_id=event.email_id, kind=event.kind, at=event.at.astimezone(UTC).isoformat(),
            campaign_id=email_row.get("campaign_id"), step_position=email_row.get("step_position"),
            variant=email_row.get("variant"), inbox_id=email_row.get("inbox_id"), automated=event.automated,
        )  # fmt: skip
        type_name, version = TYPE_NAMES[EmailEvent]
        envelope = Envelope(
            id=event.id, type=type_name, version=version, trace_id=trace_id or event.id, created_at=self.clock.now(),
            payload=payload.model_dump(mode="json"),
        )  # fmt: skip
        try:
            await self.publisher.publish(QueueName.EVENTS, envelope)
        except Exception as exc:
            self.log.error("email event not published: its counter will miss it", event_id=event.id,
                           kind=event.kind, error=f"{type(exc).__name__}: {exc}")  # fmt: skip

    async def count(self, event: EmailEvent, message_id: str) -> None:
        """The `events` consumer: add the event to its daily counter, once per message id."""
        await self.emails.count_once(message_id, QueueName.EVENTS.value, [counter_key(event)], self.clock.now())
