"""The `compose` consumer's work for one (enrollment, step): load, draft, fix the Message-ID now, store the email and
advance the enrollment in one D1 batch, then enqueue `send`.

Idempotent per (enrollment, step): the send key `<enrollment>:<step>` is unique, and the store is guarded by the
scheduler's claim. A redelivered message finds the email already stored and only re-enqueues its send (the send
consumer is at-most-once per send key). A message whose claim no longer stands (paused, stopped, resumed, taken by a
later tick) composes nothing and gives its capacity reservation back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.adapters.d1.emails import ComposedEmail, D1EmailRepository
from shared.domain.errors import PermanentFailure
from shared.messages.payloads import ComposeRequested, SendRequested
from shared.messages.queues import QueueName
from shared.service_layer.composition.drafts import ThreadInfo, compose_draft
from shared.service_layer.envelopes import new_envelope

RETRY_AFTER_DEAD_LETTER = timedelta(hours=1)


def send_key(enrollment_id: str, step: int) -> str:
    return f"{enrollment_id}:{step}"


def thread_info(emails: list[dict[str, Any]], position: int) -> ThreadInfo:
    earlier = [e for e in emails if int(e["step_position"] or 0) < position]
    if not earlier:
        return ThreadInfo()
    first, parent = earlier[0], earlier[-1]
    return ThreadInfo(
        first_subject=first["subject"], first_message_id=first["message_id"],
        parent_message_id=parent["message_id"], parent_references=parent["references_"],
    )  # fmt: skip


def sender_of(inbox: Any) -> dict[str, Any]:
    return {
        "name": inbox.display_name or "", "email": inbox.email, "signature": inbox.signature or "",
        "postal_address": inbox.postal_address or "",
    }  # fmt: skip


@dataclass(frozen=True)
class ComposeService:
    services: Any  # shared.bootstrap.Services
    emails: D1EmailRepository
    gateway: Any | None  # AiGateway, or None when no provider is configured

    async def handle(self, msg: ComposeRequested, *, trace_id: str) -> str:
        """Returns what happened: composed, resent, stale."""
        s = self.services
        key = send_key(msg.enrollment_id, msg.step)
        existing = await self.emails.by_send_key(key)
        if existing is not None:
            if msg.reservation and msg.reservation != existing["reservation_token"]:
                await self._release(msg)  # a later tick's duplicate: its capacity is not needed
            if existing["status"] == "queued":
                await self._enqueue_send(existing["id"], key, trace_id)
            return "resent"
        enrollment = await s.enrollments.get(msg.enrollment_id)
        if (
            enrollment is None or enrollment["status"] != "active" or enrollment["claim_token"] != msg.claim_token
            or int(enrollment["next_step"]) != msg.step
        ):  # fmt: skip
            await self._release(msg)
            s.log.info("compose skipped: the claim no longer stands", enrollment_id=msg.enrollment_id, step=msg.step)
            return "stale"
        now = s.clock.now()
        campaign = await s.campaign_store.get(enrollment["campaign_id"])
        prospect = await s.prospects.get(enrollment["prospect_id"])
        inboxes = await s.inbox_store.get_many([msg.inbox_id])
        problem = self._unsendable(campaign, prospect, inboxes, msg.step)
        if problem is not None:
            await self.emails.pause_claimed(msg.enrollment_id, msg.claim_token, problem, now)
            await self._release(msg)
            s.log.warning("compose impossible: enrollment paused", enrollment_id=msg.enrollment_id, reason=problem)
            return "paused"
        blocked = await s.suppressions.check(email=prospect.email_normalized, prospect_id=prospect.id)
        if blocked is not None:  # suppressed since enrollment: this person is never mailed again
            await s.enrollments.stop(msg.enrollment_id, reason=f"suppressed_{blocked.reason}", at=now)
            await self._release(msg)
            s.log.info("compose skipped: suppressed", enrollment_id=msg.enrollment_id, reason=blocked.reason)
            return "suppressed"
        if prospect.email_status in ("bounced", "invalid"):
            await s.enrollments.stop(msg.enrollment_id, reason=f"address_{prospect.email_status}", at=now)
            await self._release(msg)
            return "stopped"
        inbox = inboxes[0]
        step = campaign.steps[msg.step - 1]
        thread = thread_info(await self.emails.thread(msg.enrollment_id), msg.step)
        draft = await self._draft(campaign, step, msg, prospect, inbox, thread)
        email = self._email(msg, key, campaign, step, prospect, inbox, draft, thread)
        next_due = self._next_due(campaign, prospect, msg.step, now)
        if not await self.emails.store_composed(email, claim_token=msg.claim_token, next_due_at=next_due, at=now):
            stored = await self.emails.by_send_key(key)
            if stored is None:  # the claim went away between our read and the batch
                await self._release(msg)
                return "stale"
            email_id = stored["id"]
        else:
            email_id = email.id
        await self._enqueue_send(email_id, key, trace_id)
        s.log.info("email composed", enrollment_id=msg.enrollment_id, step=msg.step, composer=draft.composer,
                   variant=draft.variant, email_id=email_id)  # fmt: skip
        return "composed"

    async def give_up(self, msg: ComposeRequested) -> None:
        """The message dead-lettered: give the claim back (due again in RETRY_AFTER_DEAD_LETTER) and the capacity."""
        now = self.services.clock.now()
        await self.services.enrollments.release_claim(
            msg.enrollment_id, msg.claim_token, due_at=now + RETRY_AFTER_DEAD_LETTER, now=now
        )
        await self._release(msg)

    # -- pieces -----------------------------------------------------------------------------------------------

    @staticmethod
    def _unsendable(campaign: Any, prospect: Any, inboxes: list[Any], step: int) -> str | None:
        if campaign is None or step > len(campaign.steps):
            return "step_missing"
        if prospect is None or not prospect.email_normalized:
            return "no_sendable_email"
        if prospect.archived:
            return "prospect_archived"
        if not inboxes:
            return "inbox_missing"
        return None

    async def _draft(self, campaign: Any, step: Any, msg: ComposeRequested, prospect: Any, inbox: Any,
                     thread: ThreadInfo) -> Any:  # fmt: skip
        from shared.domain.composition.context import build_context
        from shared.domain.composition.templates import TemplateProblem

        site_facts = {f["name"]: f["value"] for f in await self.services.enrichment_store.facts_of(prospect.id)}
        context = build_context(prospect.columns(), sender_of(inbox), {"name": campaign.name}, site_facts)
        try:
            return await compose_draft(
                step, msg.step, msg.variant, context, thread=thread, gateway=self.gateway,
                language=campaign.settings.language,
            )  # fmt: skip
        except TemplateProblem as exc:
            await self.emails.pause_claimed(
                msg.enrollment_id, msg.claim_token, f"template: {exc}", self.services.clock.now()
            )
            await self._release(msg)
            raise PermanentFailure(f"step {msg.step} cannot render for prospect {prospect.id}: {exc}") from exc

    def _email(self, msg: ComposeRequested, key: str, campaign: Any, step: Any, prospect: Any, inbox: Any,
               draft: Any, thread: ThreadInfo) -> ComposedEmail:  # fmt: skip
        from shared.domain.composition.message_ids import message_id
        from shared.domain.composition.thread_headers import thread_references

        mid = message_id(self.services.ids.new_id(), inbox.domain)
        in_reply_to = references = None
        if thread.parent_message_id:
            in_reply_to, references = thread_references(thread.parent_message_id, thread.parent_references)
        return ComposedEmail(
            id=self.services.ids.new_id(), prospect_id=prospect.id, enrollment_id=msg.enrollment_id,
            campaign_id=campaign.id, step_id=step.id, step_position=msg.step, variant=draft.variant,
            inbox_id=inbox.id, send_key=key, message_id=mid, thread_id=thread.first_message_id or mid,
            in_reply_to=in_reply_to, references=references, from_address=inbox.email,
            to_address=prospect.email_normalized, subject=draft.subject, body_text=draft.body,
            composer=draft.composer, notes=list(draft.notes), reservation_token=msg.reservation,
            reservation_until=msg.reservation_until, reserved_at=msg.reserved_at,
        )  # fmt: skip

    @staticmethod
    def _next_due(campaign: Any, prospect: Any, step: int, now: datetime) -> datetime | None:
        if step >= len(campaign.steps):
            return None
        from shared.domain.campaigns.holiday_calendar import default_calendar
        from shared.domain.campaigns.schedule import add_delay, resolve_timezone

        following = campaign.steps[step]
        zone, _ = resolve_timezone(
            prospect_timezone=prospect.timezone, city=prospect.city, region=prospect.region,
            country=prospect.country, default=campaign.settings.timezone,
        )  # fmt: skip
        calendar = default_calendar() if campaign.settings.skip_holidays else None
        return add_delay(
            now, following.delay, following.delay_unit, zone=zone, calendar=calendar, country=prospect.country
        )

    async def _enqueue_send(self, email_id: str, key: str, trace_id: str) -> None:
        s = self.services
        envelope = new_envelope(SendRequested(email_id=email_id, send_key=key), trace_id=trace_id, clock=s.clock,
                                ids=s.ids)  # fmt: skip
        await s.publisher.publish(QueueName.SEND, envelope)

    async def _release(self, msg: ComposeRequested) -> None:
        if msg.reservation:
            try:
                await self.services.warmup.release(msg.inbox_id, msg.reservation)
            except Exception as exc:  # it expires by itself
                self.services.log.warning("reservation release failed", error=f"{type(exc).__name__}: {exc}")
