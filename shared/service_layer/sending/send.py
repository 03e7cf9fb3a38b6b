"""The `send` consumer's work for one email: at most once by construction, exactly once when the transport recovers.

Order (issue 9): emergency stop → re-check that the email may still go (enrollment active, address, domain and person
not suppressed, prospect not bounced or archived) → ProspectLock lease → Dedup claim of the send key → capacity (the
scheduler's WarmupManager reservation, or a new one) → InboxHealth gate (a first email may rotate to another inbox of
the campaign's pool; a follow-up keeps its thread's inbox and waits) → the email becomes `sending` (a guarded UPDATE:
only one consumer can) → the transport → the outcome recorded in one D1 batch (the email, the prospect, the
enrollment, an activity, a suppression for a hard bounce), then the reservation committed or released, InboxHealth
fed and an `email.event` emitted.

A crash between the transport call and its record leaves the email `sending`. The next delivery (a redelivery, or
the sweeper's re-queue) reconciles instead of sending again: it asks the transport whether the message went out
(`confirm`); True or "cannot tell" (SMTP, send_email) count as sent, False (Graph found nothing in Sent Items) sends
it. Every wait (no capacity, an unhealthy inbox, a soft bounce, the emergency stop) parks the email `queued` with a
`retry_at`; the sweeper in the sending tick re-queues it then. Nothing is ever dropped: an email ends sent, bounced,
failed or cancelled, with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.d1 import sql_sending as sql
from shared.adapters.d1.client import Query
from shared.domain.sending.send_policy import after
from shared.domain.sending.smtp_client import MAYBE_DELIVERED
from shared.messages.inbox_health import HealthEvent
from shared.messages.payloads import SendRequested
from shared.ports.mail import OutgoingEmail, SendOutcome, SendResult, TransportUnavailable

LOCK_TTL_S = 120.0
DEDUP_TTL_S = 86_400.0  # the Dedup object keeps a claim at most a day; the D1 send key guards forever
WAIT_FOR_LOCK = timedelta(minutes=1)
WAIT_FOR_CAPACITY = timedelta(minutes=10)
WAIT_FOR_INBOX = timedelta(minutes=30)
WAIT_WHILE_STOPPED = timedelta(minutes=15)
WAIT_FOR_CONFIG = timedelta(hours=1)
RESERVATION_TTL_S = 15 * 60.0

HEALTH_EVENTS = {
    SendOutcome.ACCEPTED: HealthEvent.SENT,
    SendOutcome.TRANSIENT: HealthEvent.TRANSPORT_FAILURE,
    SendOutcome.RATE_LIMITED: HealthEvent.TRANSPORT_FAILURE,
    SendOutcome.MAILBOX_FULL: HealthEvent.SOFT_BOUNCE,
    SendOutcome.RECIPIENT_REFUSED: HealthEvent.HARD_BOUNCE,
}


def _iso(at: datetime) -> str:
    return at.isoformat()


def _same_hour(earlier: datetime | None, now: datetime, zone: str) -> bool:
    """Whether two instants fall in the same local clock hour of the inbox (WarmupManager counts hours that way)."""
    if earlier is None:
        return False
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    a, b = earlier.astimezone(tz), now.astimezone(tz)
    return (a.date(), a.hour, a.utcoffset()) == (b.date(), b.hour, b.utcoffset())


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SendService:
    services: Any  # shared.bootstrap.Services
    campaigns: dict[str, Any] = field(default_factory=dict)  # read once per message (capacity, tracking, next step)

    async def _campaign(self, campaign_id: str) -> Any:
        if campaign_id not in self.campaigns:
            self.campaigns[campaign_id] = await self.services.campaign_store.get(campaign_id)
        return self.campaigns[campaign_id]

    @property
    def _db(self) -> Any:
        return self.services.db

    async def handle(self, msg: SendRequested, *, owner: str) -> str:
        """Returns what happened: sent, reconciled, retry, bounced, failed, cancelled, deferred, skipped."""
        s = self.services
        row = await self._db.first(sql.SEND_CONTEXT, msg.email_id)
        if row is None or row["status"] in ("sent", "bounced", "failed", "cancelled"):
            return "skipped"
        now = s.clock.now()
        if row["status"] == "sending":
            return await self._reconcile(row, now)
        if (await s.send_gate.emergency_stop())["enabled"]:
            return await self._defer(row, now + WAIT_WHILE_STOPPED, "emergency_stop")
        reason = await self._why_not(row)
        if reason is not None:
            return await self._cancel(row, reason, now)
        retry_at = _parse(row["retry_at"])
        if retry_at is not None and retry_at > now:
            return "deferred"  # an early copy of a parked email: the sweeper brings it back on time
        lock = await s.prospect_locks.acquire(row["prospect_id"], owner, LOCK_TTL_S, now.timestamp())
        if not lock.granted:
            return await self._defer(row, now + WAIT_FOR_LOCK, "prospect_locked")
        try:
            return await self._send_locked(row, owner, now)
        finally:
            try:
                await s.prospect_locks.release(row["prospect_id"], owner, s.clock.now().timestamp())
            except Exception as exc:  # the lease expires by itself
                s.log.warning("prospect lock release failed", error=f"{type(exc).__name__}: {exc}")

    # -- checks -----------------------------------------------------------------------------------------------

    async def _why_not(self, row: dict[str, Any]) -> str | None:
        """Why this email must not go any more (checked again at send time: a reply may have come since compose)."""
        if row["enrollment_id"] and row["enrollment_status"] not in ("active", "paused"):
            return f"enrollment_{row['enrollment_status'] or 'missing'}"
        if row["prospect_archived"]:
            return "prospect_archived"
        if row["prospect_email_status"] in ("bounced", "invalid"):
            return f"address_{row['prospect_email_status']}"
        if not row["prospect_email"] or row["prospect_email"] != row["to_address"]:
            return "address_changed"
        blocked = await self.services.suppressions.check(email=row["to_address"], prospect_id=row["prospect_id"])
        if blocked is not None:
            return f"suppressed_{blocked.reason}"
        return None

    # -- the send itself --------------------------------------------------------------------------------------

    async def _send_locked(self, row: dict[str, Any], owner: str, now: datetime) -> str:
        s = self.services
        if row["enrollment_status"] == "paused":
            resume = _parse(row["enrollment_resume_at"]) or now + WAIT_FOR_INBOX
            return await self._defer(row, max(resume, now + WAIT_FOR_LOCK), "enrollment_paused")
        claim = await s.dedup.claim(f"send:{row['send_key']}", DEDUP_TTL_S, row["id"], now.timestamp())
        if not claim.first and claim.owner != row["id"]:
            return "skipped"  # another email row holds this send key: never two sends of one step
        inbox, reservation, until, fresh = await self._inbox_with_capacity(row, now)
        if inbox is None:
            return await self._defer(row, now + (WAIT_FOR_CAPACITY if reservation == "capacity" else WAIT_FOR_INBOX),
                                     f"no_{reservation}")  # fmt: skip
        try:
            transport = self._transport(inbox)
            email = self._outgoing(row, inbox, clicks=await self._tracks_clicks(row["campaign_id"]))
        except (TransportUnavailable, ValueError) as exc:
            if fresh:
                await self._release(inbox.id, reservation)
            s.log.error("email cannot be built or carried", email_id=row["id"], error=str(exc))
            return await self._defer(row, now + WAIT_FOR_CONFIG, f"config: {exc}"[:200])
        changed = await self._db.run(sql.MARK_SENDING, row["id"], _iso(now), transport.kind, inbox.id, reservation,
                                     _iso(until) if until else None)  # fmt: skip
        if changed != 1:
            if fresh:
                await self._release(inbox.id, reservation)
            return "skipped"  # another consumer moved it first
        try:
            result = await transport.send(email)
        except Exception as exc:  # a transport broke its contract: unknown whether it went out -> reconcile later
            s.log.error("transport raised", email_id=row["id"], error=f"{type(exc).__name__}: {exc}")
            raise
        if result.outcome is SendOutcome.TRANSIENT and result.detail.startswith(MAYBE_DELIVERED):
            # The connection died after the whole message was handed over: it may have been delivered. At most once
            # wins: count it as sent (the same rule as a crash after the transport call).
            result = SendResult(SendOutcome.ACCEPTED, code=result.code, detail=result.detail)
        return await self._record(row, inbox, reservation, result, attempts=int(row["attempts"]) + 1)

    async def _inbox_with_capacity(
        self, row: dict[str, Any], now: datetime
    ) -> tuple[Any, str | None, datetime | None, bool]:
        """The inbox to send from with one unit of its capacity held: (inbox, token, until, fresh), or
        (None, "capacity" | "inbox", None, False) when none can send now. `fresh`: the token was taken by this call
        (give it back if the send does not happen); otherwise it is the scheduler's, still held for the draft.

        The scheduler's reservation holds the draft's place in its day and its hour. It is used as is while the send
        happens in the hour the draft was composed; a draft that waited into another hour gives it back and takes
        one now, so a send always counts in the hour it happens and no hour is overfilled by drafts that waited."""
        s = self.services
        candidates = [row["inbox_id"]] if row["inbox_id"] else []
        if int(row["step_position"] or 1) <= 1 and row["campaign_id"]:  # a first email may move; a thread may not
            campaign = await self._campaign(row["campaign_id"])
            if campaign is not None:
                candidates += [i for i in campaign.inbox_ids if i not in candidates]
        inboxes = {i.id: i for i in await s.inbox_store.get_many(candidates)} if candidates else {}
        held, held_until = row["reservation_token"], _parse(row["reservation_until"])
        limited = "inbox"
        for inbox_id in candidates:
            inbox = inboxes.get(inbox_id)
            if inbox is None or inbox.status != "active":
                continue
            if (
                held
                and inbox_id == row["inbox_id"]
                and held_until
                and held_until > now
                and _same_hour(_parse(row["reserved_at"]), now, inbox.timezone)
            ):
                gate = await s.inbox_health.can_send(inbox.id, now.timestamp())
                if gate.allowed:
                    return inbox, held, held_until, False
                continue  # keep holding: the draft still owns its place today
            if held and row["inbox_id"]:
                await self._release(row["inbox_id"], held)  # another hour or another inbox: this send counts now
                held = None
            reply = await s.warmup.reserve(inbox.id, 1, now.timestamp(), RESERVATION_TTL_S)
            if reply.granted < 1 or reply.token is None:
                limited = "capacity"
                continue
            # Capacity first, then the health gate: a half-open inbox hands its single probe to this call, which
            # then sends (and reports back) for sure.
            gate = await s.inbox_health.can_send(inbox.id, now.timestamp())
            if not gate.allowed:
                await self._release(inbox.id, reply.token)
                continue
            until = datetime.fromtimestamp(reply.expires_at or now.timestamp() + RESERVATION_TTL_S, UTC)
            return inbox, reply.token, until, True
        return None, limited, None, False

    def _transport(self, inbox: Any) -> Any:
        from shared.adapters.mail.registry import transport_for

        s = self.services
        return transport_for(inbox, env=s.env, http=s.http, cache=s.cache)

    async def _tracks_clicks(self, campaign_id: str | None) -> bool:
        """Click tracking is opt-in per campaign (off by default: outreach_rules.md §3e). A plain-text email carries
        no open pixel, so only clicks can be tracked."""
        if not campaign_id:
            return False
        campaign = await self._campaign(campaign_id)
        return bool(campaign is not None and campaign.settings.tracking.clicks)

    def _outgoing(self, row: dict[str, Any], inbox: Any, *, clicks: bool = False) -> OutgoingEmail:
        from shared.domain.sending.footer import with_footer
        from shared.domain.sending.mime import MailParts, build_mime
        from shared.domain.sending.unsubscribe_tokens import make_token, secrets_from

        s = self.services
        secrets = secrets_from(s.settings.unsubscribe_secret)  # ValueError when unset: no email without opt-out
        token = make_token(secrets, row["id"])
        url = f"{s.settings.public_base_url.rstrip('/')}/u/{token}"
        mailto = f"mailto:{inbox.email}?subject=unsubscribe%20{token}"
        body = row["body_text"] or ""
        if clicks:  # the stored body stays the original: the click route checks targets against it
            from shared.domain.tracking import tracking_urls

            body, _ = tracking_urls(row["id"], body, secrets, s.settings.public_base_url, opens=False, clicks=True)
        text = with_footer(body, sender_name=inbox.display_name or inbox.email,
                           postal_address=inbox.postal_address or "", unsubscribe_url=url, language=None)  # fmt: skip
        parts = MailParts(
            message_id=row["message_id"], from_address=inbox.email, from_name=inbox.display_name,
            to_address=row["to_address"], reply_to=inbox.reply_to, subject=row["subject"], text=text, html=None,
            in_reply_to=row["in_reply_to"], references=row["references_"], date=s.clock.now(),
            unsubscribe_url=url, unsubscribe_mailto=mailto,
        )  # fmt: skip
        raw, headers = build_mime(parts)
        return OutgoingEmail(
            message_id=row["message_id"], mail_from=inbox.email, from_name=inbox.display_name,
            rcpt_to=row["to_address"], subject=row["subject"], text=text, raw=raw, reply_to=inbox.reply_to,
            headers=headers, idempotency_key=row["send_key"],
        )  # fmt: skip

    # -- outcomes ---------------------------------------------------------------------------------------------

    async def _record(self, row: dict[str, Any], inbox: Any, reservation: str | None, result: SendResult,
                      *, attempts: int) -> str:  # fmt: skip
        s = self.services
        now = s.clock.now()
        step = after(result.outcome, attempts=attempts, now=now, retry_after_s=result.retry_after_s)
        error = f"{result.code or ''} {result.status or ''} {result.detail}".strip()[:500] or None
        queries: list[Query] = []
        if step.action == "sent":
            queries += [
                Query(sql.MARK_SENT, (row["id"], _iso(now), result.provider_id, result.outcome.value)),
                Query(sql.PROSPECT_CONTACTED, (row["prospect_id"], _iso(now))),
                self._activity(row, "email_sent", f"sent: {row['subject']}"[:200], now),
            ]
            advance = await self._next_due(row, now)
            if advance is not None:
                queries.append(Query(sql.ADVANCE_AFTER_SEND, (row["enrollment_id"], int(row["step_position"]),
                                                              _iso(advance), _iso(now))))  # fmt: skip
        elif step.action == "bounced":
            queries += [
                Query(sql.MARK_BOUNCED, (row["id"], _iso(now), result.outcome.value, error)),
                Query(sql.PROSPECT_BOUNCED, (row["prospect_id"], _iso(now))),
                Query(sql.SUPPRESS_HARD_BOUNCE, (s.ids.new_id(), row["to_address"], f"send: {error}"[:200], _iso(now))),
                self._activity(row, "email_bounced", f"hard bounce at send: {error}"[:200], now),
            ]
            if row["enrollment_id"] and await self._stops_on_bounce(row["campaign_id"]):
                queries.append(Query(sql.STOP_ENROLLMENT, (row["enrollment_id"], "bounced", _iso(now))))
        elif step.action == "failed":
            queries.append(Query(sql.MARK_FAILED, (row["id"], _iso(now), result.outcome.value, error)))
        else:  # retry, pause_inbox
            queries.append(Query(sql.MARK_RETRY, (row["id"], _iso(step.retry_at or now), result.outcome.value, error)))
        changes = await self._db.batch_changes(queries)
        if changes and changes[0] != 1:
            s.log.warning("send outcome not recorded: the email moved meanwhile", email_id=row["id"])
        stamp = now.timestamp()
        if reservation:
            try:
                if step.action == "sent":
                    await s.warmup.commit(inbox.id, reservation)
                else:
                    await s.warmup.release(inbox.id, reservation)
            except Exception as exc:  # an uncommitted reservation expires: capacity comes back, never over-grants
                s.log.warning("reservation not settled", error=f"{type(exc).__name__}: {exc}")
        event = HEALTH_EVENTS.get(result.outcome)
        if event is not None:
            await self._health(inbox.id, event, stamp)
        if step.action == "pause_inbox":
            await self._pause_inbox(inbox, f"sender problem: {error}")
        await self._event(row, {"sent": "sent", "bounced": "bounced", "failed": "failed"}.get(step.action, "retry"),
                          now, {"outcome": result.outcome.value, "code": result.code, "status": result.status,
                                "provider_id": result.provider_id, "transport": inbox.transport_kind})  # fmt: skip
        s.log.info("send outcome", email_id=row["id"], outcome=result.outcome.value, action=step.action,
                   code=result.code, status=result.status, inbox_id=inbox.id)  # fmt: skip
        return step.action if step.action != "pause_inbox" else "retry"

    async def _reconcile(self, row: dict[str, Any], now: datetime) -> str:
        """A previous attempt reached the transport and died before recording: did the message go out?"""
        s = self.services
        inboxes = await s.inbox_store.get_many([row["inbox_id"]]) if row["inbox_id"] else []
        went: bool | None = None
        if inboxes:
            try:
                went = await self._transport(inboxes[0]).confirm(row["message_id"])
            except Exception as exc:
                s.log.warning("reconciliation could not ask the transport", error=f"{type(exc).__name__}: {exc}")
        if went is False:
            await self._db.run(sql.BACK_TO_QUEUED, row["id"])
            s.log.warning("reconciled: the transport has no trace of it; sending again", email_id=row["id"])
            return "requeued"
        queries = [
            Query(sql.MARK_SENT, (row["id"], _iso(now), None, "presumed_sent" if went is None else "confirmed")),
            Query(sql.PROSPECT_CONTACTED, (row["prospect_id"], _iso(now))),
            self._activity(row, "email_sent", f"sent (reconciled): {row['subject']}"[:200], now),
        ]
        await self._db.batch_changes(queries)
        if inboxes and row["reservation_token"]:
            try:
                await s.warmup.commit(inboxes[0].id, row["reservation_token"])
            except Exception as exc:
                s.log.warning("reservation not settled", error=f"{type(exc).__name__}: {exc}")
        await self._event(row, "sent", now, {"reconciled": True, "confirmed": went})
        s.log.warning("reconciled a send interrupted after the transport call: counted as sent",
                      email_id=row["id"], confirmed=went)  # fmt: skip
        return "reconciled"

    async def _next_due(self, row: dict[str, Any], now: datetime) -> datetime | None:
        if not row["enrollment_id"] or not row["campaign_id"]:
            return None
        from shared.domain.campaigns.holiday_calendar import default_calendar
        from shared.domain.campaigns.schedule import add_delay, resolve_timezone

        campaign = await self._campaign(row["campaign_id"])
        position = int(row["step_position"] or 0)
        if campaign is None or position >= len(campaign.steps):
            return None
        following = campaign.steps[position]
        zone, _ = resolve_timezone(
            prospect_timezone=row["prospect_timezone"], city=row["prospect_city"], region=row["prospect_region"],
            country=row["prospect_country"], default=campaign.settings.timezone,
        )  # fmt: skip
        calendar = default_calendar() if campaign.settings.skip_holidays else None
        return add_delay(now, following.delay, following.delay_unit, zone=zone, calendar=calendar,
                         country=row["prospect_country"])  # fmt: skip

    async def _stops_on_bounce(self, campaign_id: str | None) -> bool:
        if not campaign_id:
            return True
        found = await self._db.first(sql.STOP_ON_BOUNCE, campaign_id)
        return (found or {}).get("rule") != "continue"

    def _activity(self, row: dict[str, Any], kind: str, summary: str, now: datetime) -> Query:
        data = json.dumps({"email_id": row["id"], "campaign_id": row["campaign_id"], "step": row["step_position"]})
        return Query(sql.ACTIVITY, (self.services.ids.new_id(), row["prospect_id"], kind, summary, data, _iso(now)))

    # -- waiting ----------------------------------------------------------------------------------------------

    async def _defer(self, row: dict[str, Any], until: datetime, why: str) -> str:
        await self._db.run(sql.DEFER, row["id"], _iso(until), why[:200])
        self.services.log.info("send deferred", email_id=row["id"], until=_iso(until), reason=why)
        return "deferred"

    async def _cancel(self, row: dict[str, Any], reason: str, now: datetime) -> str:
        if await self._db.run(sql.CANCEL, row["id"], reason) == 1:
            await self._event(row, "cancelled", now, {"reason": reason})
        self.services.log.info("send cancelled", email_id=row["id"], reason=reason)
        if row["reservation_token"] and row["inbox_id"]:
            await self._release(row["inbox_id"], row["reservation_token"])
        return "cancelled"

    async def _release(self, inbox_id: str, token: str | None) -> None:
        if not token:
            return
        try:
            await self.services.warmup.release(inbox_id, token)
        except Exception as exc:
            self.services.log.warning("reservation release failed", error=f"{type(exc).__name__}: {exc}")

    async def _health(self, inbox_id: str, event: HealthEvent, stamp: float) -> None:
        try:
            await self.services.inbox_health.record(inbox_id, event, stamp)
        except Exception as exc:
            self.services.log.warning("inbox health not fed", error=f"{type(exc).__name__}: {exc}")

    async def _pause_inbox(self, inbox: Any, reason: str) -> None:
        try:
            await self.services.inbox_service.pause(inbox.id, reason[:200], actor="consumer.send")
            await self.services.notifier.notify(
                "inbox_paused", inbox.id, {"inbox": inbox.email, "reason": reason[:300]}
            )
        except Exception as exc:
            self.services.log.error(
                "inbox could not be paused", inbox_id=inbox.id, error=f"{type(exc).__name__}: {exc}"
            )

    async def _event(self, row: dict[str, Any], kind: str, now: datetime, detail: dict[str, Any]) -> None:
        try:
            await self.services.email_events.record(row, kind, at=now, detail=detail)
        except Exception as exc:  # the outcome itself is recorded; the event is for the counters and the timeline
            self.services.log.warning("email event not recorded", kind=kind, error=f"{type(exc).__name__}: {exc}")
