"""Emails use cases: list (keyset, newest first), read one with its events, send a one-off email, cancel a queued one.

A one-off email passes the guards a campaign enrollment passes (archived, no sendable address, bounced, suppressed
by address, domain or person, role address, country policy) and needs an active inbox with a postal address. Its
Message-ID is fixed now on the inbox's domain, it is stored `queued` with send key `oneoff:<email id>` together with
its `queued` event, and a `send.requested` message goes to the send queue: from there it takes the send path every
campaign email takes. Cancelling is only for a `queued` email (409 otherwise); it gives back a capacity reservation
the email held.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.adapters.d1.emails import D1EmailLedger, OneOffEmail
from shared.domain.campaigns.country_policy import CountryPolicy
from shared.domain.campaigns.eligibility import Candidate, refusal
from shared.domain.errors import Conflict, NotFound, ValidationFailed
from shared.messages.payloads import SendRequested
from shared.messages.queues import QueueName
from shared.observability.log import Logger
from shared.ports.queues import QueuePublisher
from shared.ports.runtime import Clock, IdFactory
from shared.service_layer.email_events import EmailEvents, event_row
from shared.service_layer.envelopes import new_envelope

LIST_FILTERS = ("status", "campaign_id", "inbox_id", "prospect_id")
_REASON_TEXT = {
    "archived": "the prospect is archived",
    "no_sendable_email": "the prospect has no address we may mail",
    "bounced": "the prospect's address bounced",
    "suppressed": "the prospect's address, domain or person is suppressed",
    "role_address": "the prospect's address is a role address",
    "country_policy": "the prospect's country needs a recorded legal basis for cold email",
}


def one_off_send_key(email_id: str) -> str:
    return f"oneoff:{email_id}"


class Refused(ValidationFailed):
    """422: this one-off email may not be sent. details.reason says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, details={"reason": reason})
        self.reason = reason


@dataclass(frozen=True)
class OneOffRequest:
    prospect_id: str
    inbox_id: str
    subject: str
    body: str


@dataclass(frozen=True)
class EmailService:
    emails: D1EmailLedger
    events: EmailEvents
    inboxes: Any  # shared.ports.inboxes.InboxRepository
    warmup: Any  # shared.ports.coordination.WarmupClient
    publisher: QueuePublisher
    policy: Callable[[], Awaitable[CountryPolicy]]
    clock: Clock
    ids: IdFactory
    log: Logger

    # -- reads ---------------------------------------------------------------------------------------------------
    async def page(
        self,
        *,
        filters: Mapping[str, str | None],
        since: datetime | None = None,
        until: datetime | None = None,
        after: tuple[str, str] | None = None,
        limit: int = 50,
    ) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
        equals = {name: str(value) for name, value in filters.items() if value is not None and name in LIST_FILTERS}
        rows = await self.emails.page(equals=equals, since=since, until=until, after=after, limit=limit + 1)
        items = rows[:limit]
        last = (str(items[-1]["created_at"]), str(items[-1]["id"])) if len(rows) > limit and items else None
        return items, last

    async def get(self, email_id: str) -> dict[str, Any]:
        row = await self.emails.detail(email_id)
        if row is None:
            raise NotFound(f"email {email_id} does not exist")
        return {**row, "events": await self.emails.events_of(email_id)}

    # -- writes --------------------------------------------------------------------------------------------------
    async def send_one_off(self, request: OneOffRequest, *, trace_id: str) -> dict[str, Any]:
        from shared.domain.composition.message_ids import message_id

        recipient = await self.emails.one_off_recipient(request.prospect_id)
        if recipient is None:
            raise ValidationFailed(f"prospect_id: prospect {request.prospect_id} does not exist",
                                   details={"reason": "prospect_not_found"})  # fmt: skip
        reason = refusal(_candidate(recipient), await self.policy())
        if reason is not None:
            raise Refused(reason.value, f"cannot email prospect {request.prospect_id}: {_REASON_TEXT[reason.value]}")
        inbox = await self._inbox(request.inbox_id)
        email_id = self.ids.new_id()
        now = self.clock.now()
        email = OneOffEmail(
            id=email_id, prospect_id=request.prospect_id, inbox_id=inbox.id, send_key=one_off_send_key(email_id),
            message_id=message_id(self.ids.new_id(), inbox.domain), from_address=inbox.email,
            to_address=str(recipient["email"]), subject=request.subject, body_text=request.body,
        )  # fmt: skip
        row = {"id": email_id, "campaign_id": None, "step_position": None, "variant": None, "inbox_id": inbox.id}
        queued = event_row(row, "queued", at=now, ids=self.ids, detail={"source": "api"})
        await self.emails.insert_one_off(email, queued)
        await self.events.publish(row, queued, trace_id=trace_id)
        envelope = new_envelope(
            SendRequested(email_id=email_id, send_key=email.send_key), trace_id=trace_id, clock=self.clock, ids=self.ids
        )
        await self.publisher.publish(QueueName.SEND, envelope)
        self.log.info("one-off email queued", email_id=email_id, prospect_id=request.prospect_id, inbox_id=inbox.id)
        return await self.get(email_id)

    async def cancel(self, email_id: str, *, trace_id: str) -> dict[str, Any]:
        row = await self.emails.detail(email_id)
        if row is None:
            raise NotFound(f"email {email_id} does not exist")
        cancelled = event_row(row, "cancelled", at=self.clock.now(), ids=self.ids, detail={"source": "api"})
        if row["status"] != "queued" or not await self.emails.cancel(email_id, cancelled):
            current = await self.emails.detail(email_id)
            status = current["status"] if current else row["status"]
            raise Conflict(
                f"email {email_id} is {status}: only a queued email can be cancelled", details={"status": status}
            )
        await self.events.publish(row, cancelled, trace_id=trace_id)
        await self._release(row)
        self.log.info("email cancelled", email_id=email_id)
        return await self.get(email_id)

    # -- helpers -------------------------------------------------------------------------------------------------
    async def _inbox(self, inbox_id: str) -> Any:
        found = list(await self.inboxes.get_many([inbox_id]))
        if not found:
            raise ValidationFailed(f"inbox_id: inbox {inbox_id} does not exist", details={"reason": "inbox_not_found"})
        inbox = found[0]
        status = getattr(inbox.status, "value", inbox.status)
        if status == "disabled":
            raise Refused("inbox_disabled", f"inbox {inbox_id} is disabled")
        if not (inbox.postal_address or "").strip():
            raise Refused("inbox_without_postal_address", f"inbox {inbox_id} has no postal address for the footer")
        return inbox

    async def _release(self, row: Mapping[str, Any]) -> None:
        token, inbox_id = row.get("reservation_token"), row.get("inbox_id")
        if not token or not inbox_id:
            return
        try:
            await self.warmup.release(str(inbox_id), str(token))
        except Exception as exc:  # it expires by itself at the end of the inbox's day
            self.log.warning("reservation release failed", email_id=row["id"], error=f"{type(exc).__name__}: {exc}")


def _candidate(row: Mapping[str, Any]) -> Candidate:
    return Candidate(
        prospect_id=str(row["prospect_id"]), email=row.get("email"), email_status=str(row.get("email_status") or
        "unknown"), email_is_role=bool(row.get("email_is_role")), archived=bool(row.get("archived")),
        country=row.get("country"), legal_basis=row.get("legal_basis"), suppressed=bool(row.get("suppressed")),
        active_elsewhere=False, in_this_campaign=False,
    )  # fmt: skip
